"""Passage tokens cut while ingest parses, in its worker processes, and stored with the report.

jieba is the slowest step after parsing; done here it runs in parallel with the parsing of
other files, and ``sync`` then finds the passages already cut.  The tokens are cut with the
dictionary the stored tokens were last cut with (``index_state``), so ``sync`` treats them
exactly like its own: passages that hold a unit name new since then are cut again.
"""

from __future__ import annotations

import json

import numpy as np
import sqlite_utils

from index.token_store import INDEXED_KINDS, ensure_tables
from index.tokens import Tokenizer
from ingest.pipeline import PreparedReport

LOOKUP_BATCH = 500  # terms looked up in one query (SQLite allows 32,766 parameters)


class PassageTokens:
    """The ``PassageHook`` of ingest: cut in the worker, stored in the report's transaction."""

    def __init__(self, units: tuple[str, ...]) -> None:
        self.tokenizer = Tokenizer(extra_words=units)
        self._term_ids: dict[str, int] = {}

    def __getstate__(self) -> dict:
        return {"tokenizer": self.tokenizer, "_term_ids": {}}

    def warm(self) -> None:
        """Load jieba and its dictionary before the first file (and its time limit) starts."""
        self.tokenizer.jieba()

    def prepare(self, report: PreparedReport) -> list[list[str] | None]:
        return [
            self.tokenizer.tokens(p.norm or "") if p.kind in INDEXED_KINDS else None
            for p in report.passages
        ]

    def store(
        self, db: sqlite_utils.Database, report: PreparedReport, passage_ids: list[int]
    ) -> None:
        cut = report.extras
        if not isinstance(cut, list) or len(cut) != len(passage_ids):
            return  # not cut in the worker: sync cuts these passages
        self._look_up(db, {t for tokens in cut if tokens for t in tokens})
        rows = [
            (pid, np.asarray([self._term_id(db, t) for t in tokens], dtype="<i4").tobytes())
            for pid, tokens in zip(passage_ids, cut, strict=True)
            if tokens is not None
        ]
        db.conn.executemany(
            "INSERT OR REPLACE INTO passage_tokens (passage_id, tokens) VALUES (?, ?)", rows
        )

    def _look_up(self, db: sqlite_utils.Database, terms: set[str]) -> None:
        """Learn the ids of a report's terms already stored, by the index on ``terms.term``:
        a report uses a few thousand of the corpus's terms, reading all of them costs tenths
        of a second at ten thousand reports."""
        unknown = [t for t in terms if t not in self._term_ids]
        for start in range(0, len(unknown), LOOKUP_BATCH):
            batch = unknown[start : start + LOOKUP_BATCH]
            marks = ", ".join("?" * len(batch))
            self._term_ids.update(
                db.execute(f"SELECT term, id FROM terms WHERE term IN ({marks})", batch).fetchall()
            )

    def _term_id(self, db: sqlite_utils.Database, term: str) -> int:
        known = self._term_ids.get(term)
        if known is not None:
            return known
        db.execute("INSERT OR IGNORE INTO terms (term) VALUES (?)", [term])
        term_id = int(db.execute("SELECT id FROM terms WHERE term = ?", [term]).fetchone()[0])
        self._term_ids[term] = term_id
        return term_id

    def forget(self) -> None:
        """The transaction was rolled back: term ids learnt in it may not exist."""
        self._term_ids = {}


def passage_tokens_for(db: sqlite_utils.Database) -> PassageTokens | None:
    """A hook that cuts like the stored tokens were cut; None when they will all be redone
    anyway (no tokens yet, or the dictionary or rules changed since)."""
    ensure_tables(db)
    state = dict(db.execute("SELECT key, value FROM index_state").fetchall())
    if not state or state.get("signature") != Tokenizer().signature:
        return None
    return PassageTokens(tuple(json.loads(state.get("units", "[]"))))
