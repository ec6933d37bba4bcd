"""Tokens cut while ingest parses are stored as ``sync`` would store them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.corpus import ingest_and_index
from index.search import refresh


def _stored_tokens(path: Path) -> dict[int, list[str]]:
    conn = sqlite3.connect(path)
    try:
        terms = dict(conn.execute("SELECT id, term FROM terms"))
        return {
            pid: [terms[t] for t in memoryview(blob).cast("i")]
            for pid, blob in conn.execute("SELECT passage_id, tokens FROM passage_tokens")
        }
    finally:
        conn.close()


@pytest.mark.parametrize("workers", [0, 1])
def test_a_report_added_later_is_cut_and_stored_like_sync_cuts_it(
    samples_dir: Path, tmp_path: Path, workers: int
) -> None:
    files = sorted(samples_dir.glob("*.txt"))
    assert len(files) >= 2
    db_path = tmp_path / "c.db"
    ingest_and_index(db_path, files[:-1], workers=workers)
    before = _stored_tokens(db_path)
    ingest_and_index(db_path, files[-1:], workers=workers)
    added = _stored_tokens(db_path)
    assert len(added) > len(before) and all(added[p] == t for p, t in before.items())
    assert refresh(db_path, workers=1).tokenized == 0  # the ingest stored the new report's

    at_once = tmp_path / "at-once.db"  # no tokens before it: the index cuts every passage
    ingest_and_index(at_once, files, workers=workers)
    assert _stored_tokens(at_once) == added
