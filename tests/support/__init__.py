"""Shared test helpers: where the test data lives, and the fixed "today" of date-relative tests.

conftest fixtures cannot be imported as a module, so constants live here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
DATA = TESTS / "data"
FIXTURES = TESTS / "fixtures"
NATIONAL = DATA / "national"
CORPUS = DATA / "corpus"  # real reports as officials find them (sources.jsonl, text/, html/)
SEED_QUESTIONS = DATA / "seed-questions.jsonl"
REAL_QUESTIONS = DATA / "real-questions.jsonl"
SAMPLES = ROOT / "ingest" / "samples"
CATALOGUE_DIR = ROOT / "ingest" / "data" / "catalogue"
EXAMPLE_CONFIG = ROOT / "config.example.toml"

TODAY = date(2026, 11, 22)


_REPORT_BODY = (
    "一、总体情况\n本年度主动公开信息{n}条，收到政府信息公开申请{m}件。\n二、其他\n无。\n"
)


def write_report(
    folder: Path, name: str, title: str, n: int = 5, m: int = 1, extra: str = ""
) -> Path:
    """A small report file: its title line, then two statistics in prose (n, m)."""
    path = folder / name
    path.write_text(title + "\n" + _REPORT_BODY.format(n=n, m=m) + extra, "utf-8")
    return path
