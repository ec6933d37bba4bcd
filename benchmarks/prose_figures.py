"""How well figures are read from report sentences (``bot.qa.prose_figures``), question by question.

Unit names in questions do not all resolve yet, so each question is run against its gold
report (the ``file`` of the question) with the words naming its unit taken out, as the answer
engine does with the units it recognises.  Outcomes:

- ``right``: the headline figure is the expected one;
- ``listed``: no headline, and the expected figure is among the candidates shown;
- ``no answer``: "not stated", or candidates without the expected figure;
- ``not asked``: the question is not read as asking for a figure;
- ``WRONG``: a headline figure that is not the expected one — the worst outcome.

Rows:

- ``number/prose``: the questions the finder is for;
- ``number/prose, evidence cut``: the same with the gold evidence cut out of the report, so
  the figure is no longer stated: any headline is a guess (a stress test of abstaining);
- ``number/table``: questions whose figure is in the statistics table (the catalogue's);
  ``behind hook`` counts only those the answer engine would send to the finder (no catalogue
  statistic named, or the report lacks it) — the others are ``catalogue``;
- ``passage``: questions asking for words, which must get no figure (``no figure`` when the
  finder would run and abstain);
- ``absent``: figure questions the report has no answer to (``benchmarks/data/
  prose-figure-questions.jsonl`` has some): any headline is wrong;
- ``… naming a statistic``: whether the report has the catalogue statistic the question names.

    python -m benchmarks.prose_figures --db /tmp/corpus.db [--questions FILE] [--show]

The default questions are the real-corpus evaluation file; ``benchmarks/data/
prose-figure-questions.jsonl`` holds new wordings over the same reports, written without
looking at the finder's output, to check that the rules were not fitted to the evaluation.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import sqlite_utils

from bot.qa.figure_question import asks_for_figure
from bot.qa.lookup import official
from bot.qa.prose_figures import ANSWER, NOT_STATED, FigureFinding, PassageText, find_figures
from bot.qa.statistic_match import statistic_matcher
from index.tokens import Tokenizer
from ingest.catalogue import load_catalogue
from ingest.store import open_db
from ingest.text import fold

ROOT = Path(__file__).resolve().parent.parent
REAL_QUESTIONS = ROOT / "tests" / "data" / "real-questions.jsonl"
ORDER = ["right", "listed", "no answer", "not asked", "no figure", "catalogue", "WRONG"]
_TOKENS = Tokenizer(mode="precise")


def unit_words(question: str, unit: str) -> list[str]:
    """Words of the question that name the unit: pieces of its name and abbreviations of it.

    A stand-in for the unit aliases the gazetteer will know (交建局 for 交通与建设局).
    """
    text, name = fold(question), fold(unit)
    found: list[str] = []
    i = 0
    while i < len(text):
        j = i + 2
        while j <= len(text) and text[i:j] in name:
            j += 1
        if j - 1 - i >= 2:
            found.append(text[i : j - 1])
            i = j - 1
        else:
            i += 1
    letters = set(name)
    found.extend(t for t in _TOKENS.tokens(text) if len(t) >= 2 and set(t) <= letters)
    return found


def report_passages(db: sqlite_utils.Database, source_file: str) -> tuple[int, list[PassageText]]:
    row = next(iter(db.query("SELECT id FROM reports WHERE source_file = ?", [source_file])))
    rows = db.query(
        "SELECT id, text, section FROM passages WHERE report_id = ? ORDER BY ord", [row["id"]]
    )
    return row["id"], [PassageText(p["id"], p["text"], p["section"] or "") for p in rows]


def without_evidence(passages: list[PassageText], evidence: str) -> list[PassageText] | None:
    """The passages with the gold evidence cut out (None when it is not found verbatim)."""
    if not any(evidence in p.text for p in passages):
        return None
    return [PassageText(p.id, p.text.replace(evidence, ""), p.section) for p in passages]


def outcome(finding: FigureFinding, asked: bool, expect: float | None) -> str:
    if not asked:
        return "not asked"
    if finding.outcome == ANSWER:
        return "right" if finding.candidates[0].value == expect else "WRONG"
    if finding.outcome != NOT_STATED and any(c.value == expect for c in finding.candidates):
        return "listed"
    return "no answer"


def named_statistic(
    db: sqlite_utils.Database, report_id: int, question: str, drop: list[str]
) -> bool | None:
    """None when the question names no catalogue statistic; else whether the report has it."""
    text = fold(question)
    for word in drop:
        text = text.replace(word, " ")
    chosen = statistic_matcher(load_catalogue()).choose(text.lower())
    if not chosen:
        return None
    return official(db, report_id, chosen[0]) is not None


def show(label: str, q: dict, finding: FigureFinding) -> None:
    print(f"{label:9} {q['id']} {q['q']}  expect {q.get('expect')}  [{q.get('evidence', '')}]")
    for c in finding.candidates[:3]:
        print(f"          {c.value:g}{c.measure} {c.score:.3f} «{c.governing}» {c.evidence[:60]}")


def run(db: sqlite_utils.Database, questions: list[dict], verbose: bool) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}

    def count(row: str, result: str) -> None:
        counts.setdefault(row, Counter())[result] += 1

    for q in questions:
        if q["kind"] not in ("number", "passage", "absent") or "file" not in q:
            continue
        report_id, passages = report_passages(db, Path(q["file"]).name)
        drop = unit_words(q["q"], q["unit"])
        asked = asks_for_figure(q["q"])
        finding = find_figures(q["q"], passages, drop)
        if q["kind"] == "absent":
            count("absent", "WRONG" if finding.headline else "no figure")
            if verbose and finding.headline:
                show("WRONG", q, finding)
            continue
        if q["kind"] == "passage":
            result = "not asked" if not asked else "WRONG" if finding.headline else "no figure"
            count("passage", result)
            if verbose and result == "WRONG":
                show(result, q, finding)
            continue
        kind = q["source_kind"]
        result = outcome(finding, asked, q["expect"])
        count(f"number/{kind}", result)
        named = named_statistic(db, report_id, q["q"], drop)
        if named is not None:
            count(f"number/{kind} naming a statistic", "in report" if named else f"lacks: {result}")
        if kind == "table":
            count("number/table behind hook", "catalogue" if named else result)
        elif (cut := without_evidence(passages, q["evidence"])) is not None:
            blind = find_figures(q["q"], cut, drop)
            count("number/prose, evidence cut", outcome(blind, asked, q["expect"]))
            if verbose and outcome(blind, asked, q["expect"]) == "WRONG":
                show("CUT WRONG", q, blind)
        if verbose and result not in ("right", "not asked") and (kind == "prose" or named is False):
            show(result, q, finding)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=REAL_QUESTIONS)
    parser.add_argument("--show", action="store_true", help="print the questions not right")
    args = parser.parse_args(argv)
    lines = args.questions.read_text("utf-8").splitlines()
    counts = run(open_db(args.db), [json.loads(line) for line in lines if line.strip()], args.show)
    for name in sorted(counts):
        found = counts[name]
        keys = [k for k in ORDER if found[k]] + sorted(set(found) - set(ORDER))
        print(f"{name:34} {sum(found.values()):4}  " + "  ".join(f"{k} {found[k]}" for k in keys))
    counted = ("number/prose", "number/table behind hook", "passage", "absent")
    wrong = sum(counts.get(name, Counter())["WRONG"] for name in counted)
    print(f"wrong headline figures (prose numbers, table behind hook, passages): {wrong}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
