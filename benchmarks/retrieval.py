"""Retrieval quality of tokenizer and BM25 choices on the passage questions.

Ingests the sample reports with the real pipeline, then for every configuration re-cuts the
passages, builds an impact index in a temporary folder and asks every ``passage`` question
twice: as the bot does (unit and year as filters, the unit's name taken out of the question)
and unfiltered (the whole question against all reports).  Prints hit@3 (the expected words in
one of the first three passages) and MRR@10 per configuration, best first.

    .venv/bin/python -m benchmarks.retrieval [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.impact import BuildInput, ImpactIndex, Params, build
from index.token_store import INDEXED_KINDS
from index.tokens import Tokenizer
from ingest.text import fold

HERE = Path(__file__).resolve().parent
QUESTION_FILES = (
    HERE.parent / "tests" / "data" / "seed-questions.jsonl",
    HERE / "data" / "retrieval-questions.jsonl",
)


@dataclass(frozen=True)
class Passage:
    id: int
    unit: str
    year: int
    kind: str
    norm: str


def passage_questions() -> list[dict]:
    out = []
    for path in QUESTION_FILES:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                if q["kind"] == "passage":
                    out.append(q)
    return out


def sample_passages(folder: Path) -> list[Passage]:
    """The sample reports through the real ingest pipeline."""
    from ingest.pipeline import ingest_paths
    from ingest.store import open_db

    db_path = folder / "samples.db"
    db = open_db(db_path)
    ingest_paths(db, [HERE.parent / "ingest" / "samples"])
    db.close()
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT p.id, r.unit, r.year, p.kind, p.norm FROM passages p "
        "JOIN reports r ON r.id = p.report_id ORDER BY p.id"
    ).fetchall()
    conn.close()
    return [Passage(*r) for r in rows]


def strip_unit(question: str, unit: str) -> str:
    """The question as the bot searches it: the unit's mention taken out."""
    q = fold(question)
    for name in sorted({fold(unit), fold(unit)[:-1]}, key=len, reverse=True):
        if len(name) >= 2:
            q = q.replace(name, " ")
    return q


def evaluate(
    passages: list[Passage], questions: list[dict], options: dict, params: Params, kinds: tuple
) -> dict[str, float]:
    units = tuple(sorted({p.unit for p in passages}))
    tokenizer = Tokenizer(extra_words=units, **options)
    chosen = [p for p in passages if p.kind in kinds]
    vocab: dict[str, int] = {}
    docs = [[vocab.setdefault(t, len(vocab)) for t in tokenizer.tokens(p.norm)] for p in chosen]
    corpus = BuildInput.from_docs(docs)
    with tempfile.TemporaryDirectory() as tmp:
        meta = build(corpus, params, Path(tmp), {})
        index = ImpactIndex.load(Path(tmp), meta["n_docs"])
        local = {t: i for i, t in enumerate(meta["term_ids"])}
        unit_of = np.array([units.index(p.unit) for p in chosen])
        year_of = np.array([p.year for p in chosen])
        scores = {"hit3_filtered": 0.0, "mrr_filtered": 0.0, "hit3_all": 0.0, "mrr_all": 0.0}
        for q in questions:
            want = fold(q["expect_contains"])
            for mode in ("filtered", "all"):
                text = strip_unit(q["q"], q["unit"]) if mode == "filtered" else q["q"]
                terms = [local[vocab[t]] for t in tokenizer.tokens(text) if t in vocab]
                rows = None
                if mode == "filtered":
                    mask = (unit_of == units.index(q["unit"])) & (year_of == q["year"])
                    rows = np.flatnonzero(mask)
                ranked = index.top(terms, rows, 10)
                rank = next(
                    (i for i, (r, _) in enumerate(ranked) if want in fold(chosen[r].norm)), None
                )
                if rank is not None:
                    scores[f"mrr_{mode}"] += 1 / (rank + 1)
                    scores[f"hit3_{mode}"] += rank < 3
        del index
    return {k: v / len(questions) for k, v in scores.items()}


def configurations(quick: bool) -> list[tuple[str, dict, Params, tuple]]:
    out = []
    tokenizers = {
        "search+stop+cat6": {"mode": "search", "use_stop_words": True, "catalogue_max": 6},
        "search+nostop+cat6": {"mode": "search", "use_stop_words": False, "catalogue_max": 6},
        "search+stop+cat0": {"mode": "search", "use_stop_words": True, "catalogue_max": 0},
        "search+stop+catall": {"mode": "search", "use_stop_words": True, "catalogue_max": 99},
        "precise+stop+cat6": {"mode": "precise", "use_stop_words": True, "catalogue_max": 6},
        "precise+nostop+cat0": {"mode": "precise", "use_stop_words": False, "catalogue_max": 0},
    }
    variants = {
        "BM25Okapi": [{}],
        "BM25L": [{"delta": 0.5}],
        "BM25Plus": [{"delta": 1.0}],
    }
    k1s = (1.5,) if quick else (0.9, 1.2, 1.5, 2.0)
    bs = (0.75,) if quick else (0.3, 0.5, 0.75, 0.9)
    kinds_options = {"para+rows": INDEXED_KINDS, "+headings": (*INDEXED_KINDS, "heading")}
    pairs = itertools.product(tokenizers.items(), variants.items())
    for (tname, topts), (variant, extras) in pairs:
        for extra, k1, b in itertools.product(extras, k1s, bs):
            params = Params(variant=variant, k1=k1, b=b, **extra)
            for kname, kinds in kinds_options.items():
                if kname != "para+rows" and (tname != "search+stop+cat6" or quick):
                    continue
                label = f"{tname:20} {variant:9} k1={k1:<4} b={b:<4} {kname}"
                out.append((label, topts, params, kinds))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="default k1 and b only")
    args = parser.parse_args()
    questions = passage_questions()
    with tempfile.TemporaryDirectory() as tmp:
        passages = sample_passages(Path(tmp))
    results = []
    for label, topts, params, kinds in configurations(args.quick):
        results.append((evaluate(passages, questions, topts, params, kinds), label))
    results.sort(key=lambda r: (-r[0]["hit3_filtered"], -r[0]["mrr_filtered"], -r[0]["mrr_all"]))
    print(f"{len(questions)} passage questions, {len(passages)} passages\n")
    print(f"{'configuration':60} hit@3 filt  MRR filt  hit@3 all  MRR all")
    for s, label in results:
        print(
            f"{label:60} {s['hit3_filtered']:10.3f} {s['mrr_filtered']:9.3f} "
            f"{s['hit3_all']:10.3f} {s['mrr_all']:8.3f}"
        )


if __name__ == "__main__":
    main()
