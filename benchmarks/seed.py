"""What the answer benchmarks share: the question file option, the questions, a corpus."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.corpus import ingest_and_index, sample_reports_dir

ROOT = Path(__file__).resolve().parent.parent
SEED_QUESTIONS = ROOT / "tests" / "data" / "seed-questions.jsonl"


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """``--db`` (default: the bundled samples) and ``--questions`` (default: the seed file)."""
    parser.add_argument("--db", type=Path)
    parser.add_argument("--questions", type=Path, default=SEED_QUESTIONS)


def load_questions(path: Path) -> list[str]:
    return [json.loads(line)["q"] for line in path.read_text("utf-8").splitlines() if line.strip()]


def corpus_db(db: Path | None, workdir: str) -> Path:
    """The given database, or one built from the bundled sample reports in ``workdir``."""
    if db is not None:
        return db
    built = Path(workdir) / "samples.db"
    ingest_and_index(built, [sample_reports_dir()])
    return built
