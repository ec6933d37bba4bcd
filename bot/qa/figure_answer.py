"""A figure read from a report's sentences, as a typed answer: the headline with the figure
marked, the source line with the quote marked; when none leads, the close candidates, each a
source line of its own (its quote marked, its passage linked; no value is marked as the
figure, since none is the answer).

The sentences are the ``text_*`` phrases of ``bot/qa/data/phrases.toml`` (the source line is
``source_prose``, as for any figure of the report text); the English names of measure words
are ``[measures_en]`` of ``bot/qa/data/prose_figures.toml``.
"""

from __future__ import annotations

from bot.qa.figure_words import vocabulary
from bot.qa.lookup import ReportRef
from bot.qa.model import Answer, AnswerKind, Figure, Quote, Source, StatedFigure
from bot.qa.prose_figures import ANSWER, CANDIDATES, FigureFinding
from bot.qa.wording import Phrasebook, number_text, plain_number


def _measure_name(measure: str, lang: str) -> str:
    """条 in a Chinese answer; "items" in an English one."""
    return vocabulary()["measures_en"].get(measure, measure) if lang == "en" else measure


def text_answer(
    question: str, finding: FigureFinding, report: ReportRef, words: Phrasebook
) -> Answer:
    """The answer for a finding: the figure, the candidates, or "not stated".

    Every figure is a fact with ``source`` "text" (read from the report's sentences at
    question time, unlike the catalogue's "prose" statistics) and no statistic key.
    """
    facts = [
        StatedFigure(
            unit=report.unit,
            year=report.year,
            statistic=None,
            label=c.governing,
            value=plain_number(c.value),
            measure=_measure_name(c.measure or finding.measure, words.lang),
            source="text",
            evidence=c.evidence,
            report=report.title,
            passage_id=c.passage_id,
        )
        for c in finding.shown
    ]
    named: dict[str, str | int] = {"unit": report.unit, "year": report.year}
    if finding.outcome == ANSWER:
        fact = facts[0]
        value = Figure(number_text(fact.value))
        source = words.line("source_prose", title=report.title, evidence=Quote(fact.evidence))
        return Answer(
            question=question,
            kind=AnswerKind.NUMBER,
            headline=words.line("text_figure", value=value, measure=fact.measure, **named),
            value=fact.value,
            sources=[Source(source, fact.passage_id)],
            facts=facts,
        )
    if finding.outcome == CANDIDATES:
        candidates = [
            Source(
                words.line(
                    "text_candidate",
                    n=i,
                    value=number_text(f.value),
                    measure=f.measure,
                    evidence=Quote(f.evidence),
                ),
                f.passage_id,
            )
            for i, f in enumerate(facts, 1)
        ]
        return Answer(
            question=question,
            kind=AnswerKind.NUMBER,
            headline=words.line("text_candidates", **named),
            sources=candidates,
            facts=facts,
        )
    return Answer(
        question=question, kind=AnswerKind.NONE, headline=words.line("text_not_stated", **named)
    )
