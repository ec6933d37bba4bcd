"""Token ids kept in the database, so the index is rebuilt without re-running jieba.

Tables (created on first use, next to ingest's):

- ``terms(id INTEGER PRIMARY KEY, term TEXT UNIQUE)``: every token string ever seen.
- ``passage_tokens(passage_id INTEGER PRIMARY KEY, tokens BLOB)``: the passage's token ids in
  text order, little-endian int32.  No foreign key: ingest deletes passages freely and
  ``sync`` drops the tokens of passages that are gone.
- ``index_state(key TEXT PRIMARY KEY, value TEXT)``: the tokenizer signature the stored tokens
  were cut with and the unit names in the dictionary then.

A changed dictionary (data files, catalogue, tokenizer rules) re-tokenises everything; a new
unit name only re-tokenises the passages that contain it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from index.tokens import Tokenizer, tokenize_all
from ingest.text import search_form

INDEXED_KINDS = ("paragraph", "table_row")
POOL_THRESHOLD = 2000  # fewer passages than this are cut in-process (a pool costs ~1 s to start)
_KINDS_SQL = ", ".join(f"'{k}'" for k in INDEXED_KINDS)


@dataclass
class SyncStats:
    tokenized: int = 0
    dropped: int = 0
    retokenized: int = 0
    new_terms: int = 0


def ensure_tables(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS passage_tokens "
        "(passage_id INTEGER PRIMARY KEY, tokens BLOB NOT NULL)"
    )
    db.execute("CREATE TABLE IF NOT EXISTS index_state (key TEXT PRIMARY KEY, value TEXT)")


def unit_names(db: sqlite_utils.Database) -> tuple[str, ...]:
    """Every unit name and official name in the database: dictionary words for jieba."""
    names: set[str] = set()
    for row in db.execute("SELECT DISTINCT unit, unit_full FROM reports").fetchall():
        names.update(n for n in row if n)
    return tuple(sorted(names))


def _state(db: sqlite_utils.Database) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM index_state").fetchall())


def _invalidate(db: sqlite_utils.Database, tokenizer: Tokenizer, units: tuple[str, ...]) -> int:
    """Forget stored tokens that the current dictionary would cut differently."""
    state = _state(db)
    static = Tokenizer(**tokenizer.options()).signature
    if state.get("signature") != static:
        return db.execute("DELETE FROM passage_tokens").rowcount
    known = set(json.loads(state.get("units", "[]")))
    fresh = sorted({search_form(u) for u in units} - {search_form(u) for u in known} - {""})
    dropped = 0
    for name in fresh:
        dropped += db.execute(
            "DELETE FROM passage_tokens WHERE passage_id IN "
            "(SELECT id FROM passages WHERE instr(lower(norm), ?) > 0)",
            [name],
        ).rowcount
    return dropped


def _term_ids(
    db: sqlite_utils.Database, tokens: Iterable[list[str]], stats: SyncStats
) -> Iterator[bytes]:
    """Each token list as stored term ids (int32 bytes); new terms are added as they come."""
    known = dict(db.execute("SELECT term, id FROM terms").fetchall())
    next_id = max(known.values(), default=0) + 1
    for toks in tokens:
        ids = []
        for t in toks:
            tid = known.get(t)
            if tid is None:
                tid = known[t] = next_id
                db.execute("INSERT INTO terms (id, term) VALUES (?, ?)", [tid, t])
                next_id += 1
                stats.new_terms += 1
            ids.append(tid)
        yield np.asarray(ids, dtype="<i4").tobytes()


def sync(db: sqlite_utils.Database, workers: int | None = None) -> tuple[Tokenizer, SyncStats]:
    """Bring ``passage_tokens`` in line with ``passages``; returns the tokenizer used."""
    ensure_tables(db)
    units = unit_names(db)
    tokenizer = Tokenizer(extra_words=units)
    stats = SyncStats()
    with db.atomic():
        stats.retokenized = _invalidate(db, tokenizer, units)
        stats.dropped = db.execute(
            "DELETE FROM passage_tokens WHERE passage_id NOT IN "
            f"(SELECT id FROM passages WHERE kind IN ({_KINDS_SQL}))"
        ).rowcount
    rows = db.execute(
        f"SELECT id, norm FROM passages WHERE kind IN ({_KINDS_SQL}) AND id NOT IN "
        "(SELECT passage_id FROM passage_tokens) ORDER BY id"
    ).fetchall()
    ids = [r[0] for r in rows]
    texts = [r[1] or "" for r in rows]
    del rows
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if len(texts) < POOL_THRESHOLD:
        workers = 1
    with db.atomic():
        blobs = _term_ids(db, tokenize_all(tokenizer, texts, workers), stats)
        db.conn.executemany(
            "INSERT OR REPLACE INTO passage_tokens (passage_id, tokens) VALUES (?, ?)",
            zip(ids, blobs, strict=True),
        )
        static = Tokenizer(**tokenizer.options()).signature
        db.conn.executemany(
            "INSERT OR REPLACE INTO index_state (key, value) VALUES (?, ?)",
            [("signature", static), ("units", json.dumps(list(units), ensure_ascii=False))],
        )
    stats.tokenized = len(ids)
    return tokenizer, stats
