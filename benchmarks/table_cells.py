"""How many gold table cells of the real corpus the ingest reads, and how many it reads WRONG.

For every ``number`` question with ``source_kind: table`` in the real questions, the report
named by its ``file`` is looked up in a database built with sidecars (unit and year supplied,
so report identification is not measured here), and the gold cell is classified:

- read: a table statistic of that report whose evidence overlaps the gold evidence has the
  gold value;
- ambiguous: not read, and the row is recorded as ambiguous with the gold value among its
  readings;
- WRONG: the row was read, no cell of it has the gold value (a split went wrong);
- missing: nothing was read from that row.

Question wording is not involved (the bot's unit names are another matter).

    python -m benchmarks.table_cells --db /tmp/real-sidecar.db
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from ingest.pipeline import ingest_paths
from ingest.store import open_db
from ingest.text import fold

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "real-questions.jsonl"


def build(db_path: Path) -> None:
    """A database of the corpus texts, each with a sidecar giving its unit and year."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for line in (CORPUS / "sources.jsonl").read_text("utf-8").splitlines():
            source = json.loads(line)
            text = CORPUS / source["text"]
            shutil.copy(text, folder / text.name)
            sidecar = folder / f"{text.name}.meta.toml"
            sidecar.write_text(f'unit = "{source["unit"]}"\nyear = {source["year"]}\n', "utf-8")
        db = open_db(db_path)
        ingest_paths(db, [folder])
        db.close()


def _overlaps(gold: str, evidence: str) -> bool:
    a, b = fold(gold), fold(evidence)
    return bool(a) and bool(b) and (a in b or b in a)


def classify(db, question: dict) -> str:
    name = Path(question["file"]).name
    rows = list(db.query("SELECT id FROM reports WHERE source_file = ?", [name]))
    if not rows:
        return "missing"
    report = rows[0]["id"]
    gold, expect = question["evidence"], float(question["expect"])
    cells = [
        r
        for r in db.query(
            "SELECT value, evidence FROM statistics WHERE report_id = ? AND source = 'table'",
            [report],
        )
        if _overlaps(gold, r["evidence"])
    ]
    if any(c["value"] is not None and abs(c["value"] - expect) < 1e-6 for c in cells):
        return "read"
    problems = [
        r
        for r in db.query(
            "SELECT kind, evidence, readings FROM row_problems WHERE report_id = ?", [report]
        )
        if _overlaps(gold, r["evidence"])
    ]
    for p in problems:
        readings = json.loads(p["readings"] or "[]")
        if any(v is not None and abs(v - expect) < 1e-6 for r in readings for v in r):
            return "ambiguous"
    return "WRONG" if cells else "missing"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="built from the corpus if absent")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per question")
    args = parser.parse_args(argv)
    if not args.db.exists():
        build(args.db)
    db = open_db(args.db)
    counts: Counter[str] = Counter()
    for line in QUESTIONS.read_text("utf-8").splitlines():
        question = json.loads(line)
        if question.get("kind") != "number" or question.get("source_kind") != "table":
            continue
        verdict = classify(db, question)
        counts[verdict] += 1
        if args.verbose or verdict != "read":
            print(f"{verdict:9s} {question['id']} {question['file']}: {question['evidence']}")
    total = sum(counts.values())
    print(
        f"gold table cells {total}: read {counts['read']} ({counts['read'] / total:.1%}), "
        f"ambiguous {counts['ambiguous']}, missing {counts['missing']}, WRONG {counts['WRONG']}"
    )
    return 1 if counts["WRONG"] else 0


if __name__ == "__main__":
    sys.exit(main())
