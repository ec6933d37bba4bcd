"""Token ids kept in the database, so the index is rebuilt without re-running jieba.

Tables (created on first use, next to ingest's):

- ``terms(id INTEGER PRIMARY KEY, term TEXT UNIQUE)``: every token string ever seen.
- ``passage_tokens(passage_id INTEGER PRIMARY KEY, tokens BLOB)``: the passage's token ids in
  text order, little-endian int32.  No foreign key: ingest deletes passages freely and
  ``sync`` drops the tokens of passages that are gone.
- ``index_state(key TEXT PRIMARY KEY, value TEXT)``: the tokenizer signature the stored tokens
  were cut with and the unit names in the dictionary then, with where the reports stood when
  those were read (``units_at``: the next sync after reports were only added reads only theirs).

- ``index_log(seq INTEGER PRIMARY KEY AUTOINCREMENT, passage_id INTEGER)``: passages added,
  deleted or edited and those of a report whose unit or year changed (triggers on
  ``passages`` and ``reports``) and passages cut again (``sync``), in order.  The
  index records the ``seq`` it was built at and later reads only what came after: an update
  costs what changed, not the corpus.  ``refresh`` prunes what every reader has seen.

A changed dictionary (data files, catalogue, tokenizer rules) re-tokenises everything; a new
unit name only re-tokenises the passages that contain it, found through the index's postings
(``mentions``) and the log rather than by reading every passage.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from index.tokens import Tokenizer, tokenize_all
from ingest.store import generation, writing
from ingest.text import search_form

INDEXED_KINDS = ("paragraph", "table_row")
POOL_THRESHOLD = 2000  # fewer passages than this are cut in-process (a pool costs ~1 s to start)
SCAN_ALL_ABOVE = 20000  # more candidate passages for a new name than this: read them all
_KINDS_SQL = ", ".join(f"'{k}'" for k in INDEXED_KINDS)


@dataclass
class SyncStats:
    tokenized: int = 0
    dropped: int = 0
    retokenized: int = 0
    new_terms: int = 0
    log_seq: int = 0  # the change log position these tokens are up to date with


_TRIGGERS = {
    "index_log_insert": "AFTER INSERT ON passages BEGIN "
    "INSERT INTO index_log (passage_id) VALUES (NEW.id); END",
    "index_log_delete": "AFTER DELETE ON passages BEGIN "
    "INSERT INTO index_log (passage_id) VALUES (OLD.id); END",
    "index_log_update": "AFTER UPDATE OF norm, kind, section ON passages BEGIN "
    "INSERT INTO index_log (passage_id) VALUES (NEW.id); END",
    # the index keeps each passage's unit and year for its filters
    "index_log_report": "AFTER UPDATE OF unit, year ON reports BEGIN "
    "INSERT INTO index_log (passage_id) SELECT id FROM passages WHERE report_id = NEW.id; END",
}


def ensure_tables(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS passage_tokens "
        "(passage_id INTEGER PRIMARY KEY, tokens BLOB NOT NULL)"
    )
    db.execute("CREATE TABLE IF NOT EXISTS index_state (key TEXT PRIMARY KEY, value TEXT)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS index_log "
        "(seq INTEGER PRIMARY KEY AUTOINCREMENT, passage_id INTEGER NOT NULL)"
    )
    for name, body in _TRIGGERS.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def log_position(conn: sqlite3.Connection) -> int:
    """The newest change logged (0: none yet)."""
    try:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'index_log'").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0]) if row else 0


def changed_passages(conn: sqlite3.Connection, since: int) -> set[int] | None:
    """Passages added, deleted, edited or cut again after log position ``since`` (None:
    the database keeps no log, so nobody can say)."""
    try:
        rows = conn.execute(
            "SELECT DISTINCT passage_id FROM index_log WHERE seq > ?", [since]
        ).fetchall()
    except sqlite3.OperationalError:
        return None
    return {int(r[0]) for r in rows}


def forget_log(db: sqlite_utils.Database, upto: int) -> None:
    """Drop log entries up to ``upto``: the index and the tokens have both taken them in."""
    with db.atomic():
        db.execute("DELETE FROM index_log WHERE seq <= ?", [upto])


def token_signature(conn: sqlite3.Connection) -> str | None:
    """The static tokenizer signature the stored tokens were cut with."""
    try:
        row = conn.execute("SELECT value FROM index_state WHERE key = 'signature'").fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row[0]) if row else None


def unit_names(db: sqlite_utils.Database) -> tuple[str, ...]:
    """Every unit name and official name in the database: dictionary words for jieba."""
    names: set[str] = set()
    for row in db.execute("SELECT DISTINCT unit, unit_full FROM reports").fetchall():
        names.update(n for n in row if n)
    return tuple(sorted(names))


def _units_now(
    db: sqlite_utils.Database, state: dict[str, str], same_rules: bool
) -> tuple[tuple[str, ...], dict[str, int] | None]:
    """Every unit name now (``unit_names``), and where the reports stood when they were read
    (``units_at``: the database's generation, last report id and report count).

    Reading every report's names takes most of a second at 100,000 reports (each row holds
    its report's text).  When the reports were only added to since the last sync (the
    generation rose by exactly the reports after the last id, and the others are all there),
    the names are those stored then plus the new reports' own."""
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: the names and where the reports stood
    try:
        now = generation(conn)
        if now is None:
            return unit_names(db), None
        last = int(conn.execute("SELECT coalesce(max(id), 0) FROM reports").fetchone()[0])
        count = int(conn.execute("SELECT count(*) FROM reports").fetchone()[0])
        at = {"generation": now, "last_id": last, "count": count}
        before = json.loads(state.get("units_at") or "null") if same_rules else None
        if isinstance(before, dict) and "units" in state:
            rows = conn.execute(
                "SELECT unit, unit_full FROM reports WHERE id > ?", [int(before["last_id"])]
            ).fetchall()
            only_added = now - int(before["generation"]) == len(rows)
            if only_added and count - len(rows) == int(before["count"]):
                names = set(json.loads(state["units"]))
                names.update(n for row in rows for n in row if n)
                return tuple(sorted(names)), at
        return unit_names(db), at
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")


def _state(db: sqlite_utils.Database) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM index_state").fetchall())


def _unit_forms(state: dict[str, str]) -> set[str]:
    if "unit_forms" in state:
        return set(json.loads(state["unit_forms"]))
    return {search_form(u) for u in json.loads(state.get("units", "[]"))}


def _forget_new_names(
    db: sqlite_utils.Database,
    fresh: list[str],
    mentions: Callable[[str], set[int] | None] | None,
    recent: set[int] | None,
) -> list[int]:
    """Forget the tokens of passages containing a unit name new to the dictionary.

    Candidates come from ``mentions`` (passages of the index that may hold the name) and
    ``recent`` (passages changed since the index was built), then are checked on their
    text; without both, every passage is read.
    """
    found: list[int] = []
    # after a bulk ingest one pass over the table per name is cheaper than lists of ids
    use_index = mentions is not None and recent is not None and len(recent) <= SCAN_ALL_ABOVE
    for name in fresh:
        candidates = mentions(name) if use_index and mentions is not None else None
        if candidates is not None and len(candidates | (recent or set())) > SCAN_ALL_ABOVE:
            candidates = None
        if candidates is None:
            ids = [
                int(r[0])
                for r in db.execute(
                    "SELECT passage_id FROM passage_tokens WHERE passage_id IN "
                    "(SELECT id FROM passages WHERE instr(lower(norm), ?) > 0)",
                    [name],
                ).fetchall()
            ]
        else:
            ids = []
            pool = sorted(candidates | (recent or set()))
            for i in range(0, len(pool), 900):
                chunk = pool[i : i + 900]
                marks = ", ".join("?" for _ in chunk)
                ids += [
                    int(r[0])
                    for r in db.execute(
                        "SELECT t.passage_id FROM passage_tokens t JOIN passages p "
                        f"ON p.id = t.passage_id WHERE t.passage_id IN ({marks}) "
                        "AND instr(lower(p.norm), ?) > 0",
                        [*chunk, name],
                    ).fetchall()
                ]
        found += ids
    found = sorted(set(found))
    for i in range(0, len(found), 900):
        chunk = found[i : i + 900]
        marks = ", ".join("?" for _ in chunk)
        db.execute(f"DELETE FROM passage_tokens WHERE passage_id IN ({marks})", chunk)
        db.conn.executemany(
            "INSERT INTO index_log (passage_id) VALUES (?)", [(pid,) for pid in chunk]
        )
    return found


PRELOAD_TERMS = 20000  # cutting more passages than this reads the whole vocabulary at once


def _term_ids(
    db: sqlite_utils.Database, tokens: Iterable[list[str]], stats: SyncStats, many: bool
) -> Iterator[bytes]:
    """Each token list as stored term ids (int32 bytes); new terms are added as they come.

    A few passages look their terms up one by one (the vocabulary grows with the corpus);
    ``many`` reads it whole first.
    """
    known: dict[str, int] = {}
    if many:
        known = dict(db.execute("SELECT term, id FROM terms").fetchall())
    next_id = int(db.execute("SELECT coalesce(max(id), 0) FROM terms").fetchone()[0]) + 1
    for toks in tokens:
        ids = []
        for t in toks:
            tid = known.get(t)
            if tid is None and not many:
                row = db.execute("SELECT id FROM terms WHERE term = ?", [t]).fetchone()
                if row is not None:
                    tid = known[t] = int(row[0])
            if tid is None:
                tid = known[t] = next_id
                db.execute("INSERT INTO terms (id, term) VALUES (?, ?)", [tid, t])
                next_id += 1
                stats.new_terms += 1
            ids.append(tid)
        yield np.asarray(ids, dtype="<i4").tobytes()


def sync(
    db: sqlite_utils.Database,
    workers: int | None = None,
    mentions: Callable[[str], set[int] | None] | None = None,
    index_seq: int | None = None,
) -> tuple[Tokenizer, SyncStats]:
    """Bring ``passage_tokens`` in line with ``passages``; returns the tokenizer used.

    What changed is read from ``index_log`` after the position the last sync reached, so a
    sync after a small ingest reads a few passages; ``mentions`` and ``index_seq`` (the log
    position the current index holds) find the passages a new unit name must re-cut.
    """
    ensure_tables(db)
    conn = db.conn
    state = _state(db)
    static = Tokenizer().signature
    same_rules = state.get("signature") == static
    units, units_at = _units_now(db, state, same_rules)
    # a dictionary for new unit names grows from the one the stored tokens were cut with
    earlier = tuple(json.loads(state.get("units", "[]"))) if same_rules else None
    tokenizer = Tokenizer(extra_words=units, grows_from=earlier)
    stats = SyncStats(log_seq=log_position(conn))
    since = int(state["log_seq"]) if same_rules and "log_seq" in state else None
    changed = changed_passages(conn, since) if since is not None else None
    recent = None
    if index_seq is not None and since is not None:
        recent = changed_passages(conn, min(index_seq, since))
    known = set(json.loads(state.get("units", "[]")))
    new_units = [u for u in units if u not in known]
    forms = _unit_forms(state) if same_rules else set()
    fresh = sorted({search_form(u) for u in new_units} - forms - {""})
    # BEGIN IMMEDIATE: a transaction that reads before it writes cannot take the write lock
    # once an ingest in another process has committed since its read (SQLite answers "locked"
    # at once, without waiting), so each takes the lock first.
    with writing(db):
        if not same_rules:
            stats.retokenized = db.execute("DELETE FROM passage_tokens").rowcount
            recut: list[int] = []
        else:
            recut = _forget_new_names(db, fresh, mentions, recent)
            stats.retokenized = len(recut)
        if changed is None:
            stats.dropped = db.execute(
                "DELETE FROM passage_tokens WHERE passage_id NOT IN "
                f"(SELECT id FROM passages WHERE kind IN ({_KINDS_SQL}))"
            ).rowcount
        else:
            for chunk in _chunks(sorted(changed)):
                marks = ", ".join("?" for _ in chunk)
                stats.dropped += db.execute(
                    f"DELETE FROM passage_tokens WHERE passage_id IN ({marks}) AND passage_id "
                    f"NOT IN (SELECT id FROM passages WHERE kind IN ({_KINDS_SQL}) "
                    f"AND id IN ({marks}))",
                    [*chunk, *chunk],
                ).rowcount
    if changed is None:
        rows = db.execute(
            f"SELECT id, norm FROM passages WHERE kind IN ({_KINDS_SQL}) AND id NOT IN "
            "(SELECT passage_id FROM passage_tokens) ORDER BY id"
        ).fetchall()
    else:
        rows = []
        for chunk in _chunks(sorted(changed | set(recut))):
            marks = ", ".join("?" for _ in chunk)
            rows += db.execute(
                f"SELECT id, norm FROM passages WHERE kind IN ({_KINDS_SQL}) AND id IN ({marks}) "
                "AND id NOT IN (SELECT passage_id FROM passage_tokens WHERE passage_id IN "
                f"({marks}))",
                [*chunk, *chunk],
            ).fetchall()
        rows.sort()
    ids = [r[0] for r in rows]
    texts = [r[1] or "" for r in rows]
    del rows
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if len(texts) < POOL_THRESHOLD:
        workers = 1
    all_forms = forms | {search_form(u) for u in new_units} if same_rules else None
    cut = tokenize_all(tokenizer, texts, workers)
    with writing(db):
        blobs = _term_ids(db, cut, stats, many=len(texts) > PRELOAD_TERMS)
        db.conn.executemany(
            "INSERT OR REPLACE INTO passage_tokens (passage_id, tokens) VALUES (?, ?)",
            zip(ids, blobs, strict=True),
        )
        if all_forms is None:
            all_forms = {search_form(u) for u in units}
        db.conn.executemany(
            "INSERT OR REPLACE INTO index_state (key, value) VALUES (?, ?)",
            [
                ("signature", static),
                ("units", json.dumps(list(units), ensure_ascii=False)),
                ("unit_forms", json.dumps(sorted(all_forms), ensure_ascii=False)),
                ("log_seq", str(stats.log_seq)),
                ("units_at", json.dumps(units_at)),
            ],
        )
    stats.tokenized = len(ids)
    return tokenizer, stats


def _chunks(ids: list[int], size: int = 400) -> Iterator[list[int]]:
    """Id lists short enough to bind twice in one statement (SQLite's variable limit)."""
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
