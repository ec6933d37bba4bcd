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
SEED_QUESTIONS = DATA / "seed-questions.jsonl"
SAMPLES = ROOT / "ingest" / "samples"
CATALOGUE_DIR = ROOT / "ingest" / "data" / "catalogue"
EXAMPLE_CONFIG = ROOT / "config.example.toml"

TODAY = date(2026, 11, 22)
