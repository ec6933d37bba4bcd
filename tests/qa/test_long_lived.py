"""The corpus-wide structures a process keeps are out of the cycle collector's scans: at
100,000 reports a full collection over them added 100–170 ms to a random answer."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.qa.answerer import Answerer
from bot.qa.report_table import ReportRow


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def scanned_report_rows() -> int:
    """Report rows the collector still scans (a frozen object is in no generation)."""
    return sum(
        isinstance(obj, ReportRow) for generation in range(3) for obj in gc.get_objects(generation)
    )


def test_the_report_table_and_unit_names_are_frozen_once_loaded(
    sample_db_path: Path, unfrozen: None
) -> None:
    answerer = Answerer(sample_db_path, warm=False)
    answerer.ask("2018年哪个镇主动公开信息最多")  # reads the report table
    assert gc.get_freeze_count() > 0
    assert scanned_report_rows() == 0


def test_without_the_freeze_the_rows_would_be_scanned(
    sample_db_path: Path, unfrozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: with ``settle`` doing nothing the rows stay scanned."""
    monkeypatch.setattr("bot.qa.report_table.settle", lambda: None)
    monkeypatch.setattr("bot.qa.answerer.settle", lambda: None)
    answerer = Answerer(sample_db_path, warm=False)
    answerer.ask("2018年哪个镇主动公开信息最多")
    assert scanned_report_rows() > 0
