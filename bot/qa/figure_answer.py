"""The fields of an answer object for a figure read from a report's sentences.

Phrases and the English names of measure words are data (``[phrases]`` of
``bot/data/prose_figures.toml``).
"""

from __future__ import annotations

from functools import cache

from bot.qa.figure_words import vocabulary
from bot.qa.prose_figures import ANSWER, CANDIDATES, FigureFinding


@cache
def _phrases() -> dict:
    return vocabulary()["phrases"]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _measure_name(measure: str, lang: str) -> str:
    """条 in a Chinese answer; "items" in an English one."""
    return _phrases()["measures_en"].get(measure, measure) if lang == "en" else measure


def text_answer(finding: FigureFinding, unit: str, year: int, title: str, lang: str) -> dict:
    """The fields of an answer object for a finding (kind, answer, value, facts).

    Every figure is a ``facts`` entry with ``source`` "text" (read from the report's sentences
    at question time, unlike the catalogue's "prose" statistics) and its quoted evidence.
    """
    say = _phrases()[lang]
    facts = [
        {
            "unit": unit,
            "year": year,
            "metric": None,
            "label": c.governing,
            "value": int(c.value) if float(c.value).is_integer() else c.value,
            "measure": _measure_name(c.measure or finding.measure, lang),
            "source": "text",
            "evidence": c.evidence,
            "report": title,
            "passage_id": c.passage_id,
        }
        for c in finding.shown
    ]
    if finding.outcome == ANSWER:
        fact = facts[0]
        lines = [
            say["answer"].format(
                unit=unit, year=year, value=_number_text(fact["value"]), measure=fact["measure"]
            ),
            say["source"].format(title=title, evidence=fact["evidence"]),
        ]
        return {
            "kind": "number",
            "answer": "\n".join(lines),
            "value": fact["value"],
            "facts": facts,
        }
    if finding.outcome == CANDIDATES:
        lines = [say["candidates"].format(unit=unit, year=year)]
        lines += [
            say["candidate"].format(
                n=i, value=_number_text(f["value"]), measure=f["measure"], evidence=f["evidence"]
            )
            for i, f in enumerate(facts, 1)
        ]
        return {"kind": "number", "answer": "\n".join(lines), "value": None, "facts": facts}
    return {"kind": "none", "answer": say["not_stated"].format(unit=unit, year=year), "facts": []}
