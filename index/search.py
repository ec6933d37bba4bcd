"""Passage search: the public API over the token store and the impact index.

``refresh`` (after every ingest) brings the stored tokens up to date and writes a new index
generation into ``<db>.index/gen-*``, then points ``<db>.index/CURRENT`` at it with an atomic
rename.  ``PassageIndex.search`` checks ``CURRENT`` on every call and maps the newer
generation when there is one, so a running bot needs no restart.

A generation is a list of segments (``<db>.index/seg-*``, immutable, shared between
generations), the rows of each that are tombstoned, and the corpus statistics.  A refresh
after a small change writes one small delta segment of the passages changed since the current
generation (the database logs them, ``index.token_store``) and tombstones their old rows: its
cost follows the change, not the corpus.  At ``MAX_SEGMENTS`` segments the deltas are merged into
one (their live passages read again: the cost of the deltas, not of the corpus).  When deltas
and tombstones pass ``MERGE_FRACTION`` of the base, or the tokens were all cut again, the next
refresh rebuilds one segment of everything; ``refresh(full=True)`` always does.

Each generation records the database's ``generation`` (raised by every change of the
reports) it was read from, in the same read transaction.  ``is_current`` compares the two, so a
run killed between its last commit and its refresh is detected on the next open and repaired
by refreshing.  One refresh at a time per index (a lock file), whatever the processes.

Ranking is rank-bm25's (variant and parameters in ``index/data/bm25.toml``) over all indexed
passages; ``unit``, ``year`` and ``section`` only filter, they never change a score.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import kernels
from index.impact import (
    SEGMENT_INFO,
    BuildInput,
    ImpactIndex,
    Params,
    Segment,
    Statistics,
    approximate_average_idf,
    build,
)
from index.token_store import (
    INDEXED_KINDS,
    SyncStats,
    changed_passages,
    forget_log,
    log_position,
    sync,
    token_signature,
)
from index.tokens import Tokenizer, add_words, stop_words
from ingest.store import connect_reader, database_id, generation, open_db
from ingest.vocab import load_toml

CURRENT = "CURRENT"
LOCK = ".lock"
FORMAT = 2  # generations of another format are rebuilt whole
REFRESH_ATTEMPTS = 3  # syncs before giving up on a database that keeps changing
MERGE_FRACTION = 0.25  # delta rows + tombstones beyond this share of the base: full rebuild
MIN_BASE = 2000  # a base this small is treated as this large (tiny corpora keep deltas)
MAX_SEGMENTS = 8  # base + deltas; then the deltas are merged (each segment costs every query)
_ROW_ARRAYS = ("passage_id", "unit_code", "year", "section_code")
_UNIT_ARRAYS = ("unit_rows", "unit_start")  # a segment's rows grouped by unit (rows_by_unit)


@dataclass(frozen=True)
class Hit:
    passage_id: int
    report_id: int
    unit: str
    year: int
    section: str
    text: str
    score: float
    terms: tuple[str, ...]


@dataclass
class RefreshStats:
    tokenized: int
    dropped: int
    retokenized: int
    new_terms: int
    passages: int
    terms: int
    tokenize_seconds: float
    build_seconds: float
    generation: str
    kind: str = "full"  # "delta": a segment added; "full": everything rebuilt


def index_dir(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".index")


def load_params() -> Params:
    """The BM25 variant and parameters chosen by measurement (index/data/bm25.toml)."""
    return Params(**load_toml("index.data", "bm25.toml")["bm25"])


def rows_by_unit(unit_code: np.ndarray, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """A segment's rows grouped by unit, ascending within each: unit ``c`` holds
    ``unit_rows[unit_start[c]:unit_start[c + 1]]``.  A question about one unit then reads
    that unit's rows instead of comparing the unit of every passage of the corpus."""
    order = np.argsort(unit_code, kind="stable").astype(np.int64)
    start = np.searchsorted(unit_code[order], np.arange(n_units + 1)).astype(np.int64)
    return order, start


def _read_rows(rows: list[tuple], segment: Path) -> tuple[BuildInput, list[str], list[str]]:
    """Rows (passage id, token blob, unit, year, section), sorted by passage id, as a
    corpus; their per-row arrays (passage id, unit, year, section codes) go into the segment."""
    n = len(rows)
    lengths = np.fromiter((len(r[1]) // 4 for r in rows), dtype=np.int64, count=n)
    doc_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=doc_start[1:])
    tokens = np.frombuffer(b"".join(r[1] for r in rows), dtype="<i4")
    units: dict[str, int] = {}
    sections: dict[str, int] = {}
    per_row: dict[str, np.ndarray] = {
        "passage_id": np.fromiter((r[0] for r in rows), dtype=np.int64, count=n),
        "unit_code": np.fromiter((units.setdefault(r[2], len(units)) for r in rows), np.int32, n),
        "year": np.fromiter((r[3] or 0 for r in rows), dtype=np.int32, count=n),
        "section_code": np.fromiter(
            (sections.setdefault(r[4], len(sections)) for r in rows), np.int32, n
        ),
    }
    segment.mkdir(parents=True, exist_ok=True)
    for name, arr in per_row.items():
        np.save(segment / f"{name}.npy", arr, allow_pickle=False)
    for name, arr in zip(_UNIT_ARRAYS, rows_by_unit(per_row["unit_code"], len(units)), strict=True):
        np.save(segment / f"{name}.npy", arr, allow_pickle=False)
    (segment / "units.json").write_text(json.dumps(list(units), ensure_ascii=False), "utf-8")
    (segment / "sections.json").write_text(json.dumps(list(sections), ensure_ascii=False), "utf-8")
    return BuildInput(tokens, doc_start), list(units), list(sections)


_ROWS_SQL = (
    "SELECT p.id, t.tokens, r.unit, r.year, coalesce(p.section, '') "
    "FROM passages p LEFT JOIN passage_tokens t ON t.passage_id = p.id "
    "JOIN reports r ON r.id = p.report_id WHERE p.kind IN ({kinds})"
)


class StaleTokens(Exception):
    """Passages were added after the tokens were synced; sync again before building."""


def _untokenized(conn: sqlite3.Connection) -> int:
    kinds = ", ".join("?" for _ in INDEXED_KINDS)
    return int(
        conn.execute(
            f"SELECT count(*) FROM passages p WHERE p.kind IN ({kinds}) AND NOT EXISTS "
            "(SELECT 1 FROM passage_tokens t WHERE t.passage_id = p.id)",
            INDEXED_KINDS,
        ).fetchone()[0]
    )


def _snapshot_meta(conn: sqlite3.Connection, tokenizer: Tokenizer, params: Params) -> dict:
    """What a generation records of the database it was read from (inside the snapshot)."""
    return {
        "format": FORMAT,
        "params": params.__dict__,
        "token_signature": token_signature(conn),
        "units_words": list(tokenizer.extra_words),
        "tokenizer_options": tokenizer.options(),
        "built_at": time.time(),
        "db_generation": generation(conn),
        "database_id": database_id(conn),
        "log_seq": log_position(conn),
    }


def build_index(db_path: Path, tokenizer: Tokenizer, params: Params | None = None) -> Path:
    """Write a whole new generation (one segment of every passage) and make it current.

    Raises ``StaleTokens`` when passages without tokens turned up (another process added
    reports since the tokens were synced): an index without them would claim a generation it
    does not hold.
    """
    params = params or load_params()
    root = index_dir(db_path)
    root.mkdir(parents=True, exist_ok=True)
    segment = root / f"seg-{time.time_ns()}"
    tmp = root / f".{segment.name}.tmp"
    conn = connect_reader(db_path)
    try:
        conn.execute("BEGIN")  # one snapshot: the generation, the passages, their tokens
        if _untokenized(conn):
            raise StaleTokens
        meta = _snapshot_meta(conn, tokenizer, params)
        kinds = ", ".join("?" for _ in INDEXED_KINDS)
        rows = conn.execute(_ROWS_SQL.format(kinds=kinds) + " ORDER BY p.id", INDEXED_KINDS)
        corpus, _, _ = _read_rows(rows.fetchall(), tmp)
    finally:
        conn.close()
    info = build(corpus, params, tmp, {})
    term_ids = np.asarray(info["term_ids"], dtype=np.int64)
    os.replace(tmp, segment)
    df = np.zeros(int(term_ids.max()) + 1 if len(term_ids) else 0, dtype=np.int32)
    df[term_ids] = np.load(segment / "df.npy")
    meta.update(
        n_docs=info["n_docs"],
        total_len=info["total_len"],
        idf_average=info["idf_average"],
        exact=True,
    )
    return _publish(root, [segment.name], {}, df, meta)


def _publish(
    root: Path, segments: list[str], dead: dict[str, np.ndarray], df: np.ndarray, meta: dict
) -> Path:
    """Write a generation folder over these segments and point ``CURRENT`` at it."""
    gen = root / f"gen-{time.time_ns()}"
    tmp = root / f".{gen.name}.tmp"
    tmp.mkdir(parents=True)
    np.save(tmp / "df.npy", df, allow_pickle=False)
    for name, rows in dead.items():
        np.save(tmp / f"dead-{name}.npy", np.asarray(rows, dtype=np.int64), allow_pickle=False)
    infos = [json.loads((root / s / SEGMENT_INFO).read_text("utf-8")) for s in segments]
    meta.update(
        segments=segments,
        n_rows=sum(i["n_docs"] for i in infos),
        n_dead=sum(len(r) for r in dead.values()),
        n_terms=int(np.count_nonzero(df)),
        n_postings=sum(i["n_postings"] for i in infos),
        n_dense=sum(i["n_dense"] for i in infos),
    )
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, gen)
    pointer = root / f".{CURRENT}.tmp"
    pointer.write_text(gen.name, "utf-8")
    os.replace(pointer, root / CURRENT)
    _remove_old_generations(root, keep={gen.name})
    return gen


def _remove_old_generations(root: Path, keep: set[str]) -> None:
    """Keep the newest previous generation too (a reader may be about to map it), and every
    segment a kept generation uses."""
    gens = sorted((p for p in root.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    survivors = keep | {p.name for p in [g for g in gens if g.name not in keep][-1:]}
    used: set[str] = set()
    for p in gens:
        if p.name not in survivors:
            shutil.rmtree(p, ignore_errors=True)
            continue
        try:
            used.update(json.loads((p / "meta.json").read_text("utf-8")).get("segments", []))
        except (OSError, ValueError):
            continue
    for p in root.glob("seg-*"):
        if p.name not in used:
            shutil.rmtree(p, ignore_errors=True)
    for p in root.glob(".*.tmp"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def _update_index(
    db_path: Path, tokenizer: Tokenizer, current: _Generation | None
) -> tuple[Path, str]:
    """A delta segment over the current generation when it can take one, else a full build.

    Returns the new generation's folder and which it was (``delta`` or ``full``).
    """
    if current is not None:
        gen = _build_delta(db_path, tokenizer, current)
        if gen is not None:
            return gen, "delta"
    return build_index(db_path, tokenizer), "full"


def _build_delta(db_path: Path, tokenizer: Tokenizer, current: _Generation) -> Path | None:
    """Tombstone the changed passages' rows and add a segment of their new versions.

    None when a full build is due: another format, parameters or tokens (every passage was
    cut again), or deltas and tombstones beyond ``MERGE_FRACTION`` of the base.
    """
    params = load_params()
    meta = current.meta
    if meta.get("format") != FORMAT or Params(**meta["params"]) != params:
        return None
    root = index_dir(db_path)
    segment = root / f"seg-{time.time_ns()}"
    tmp = root / f".{segment.name}.tmp"
    conn = connect_reader(db_path)
    try:
        conn.execute("BEGIN")
        new_meta = _snapshot_meta(conn, tokenizer, params)
        if new_meta["token_signature"] != meta.get("token_signature"):
            return None
        changed = changed_passages(conn, int(meta["log_seq"]))
        if changed is None or not _fits(current, len(changed)):
            return None
        merged = current.deltas_live() if len(current.loaded) >= MAX_SEGMENTS else set()
        kinds = ", ".join("?" for _ in INDEXED_KINDS)
        rows = []
        for chunk in _chunks(sorted(changed | merged)):
            marks = ", ".join("?" for _ in chunk)
            rows += conn.execute(
                _ROWS_SQL.format(kinds=kinds) + f" AND p.id IN ({marks})",
                [*INDEXED_KINDS, *chunk],
            ).fetchall()
    finally:
        conn.close()
    if any(r[1] is None for r in rows):
        raise StaleTokens
    rows.sort(key=lambda r: r[0])
    none = np.zeros(0, dtype=np.int64)
    dead = {name: none if d is None else d for name, d in current.dead_lists()}
    gone_terms, gone_len, gone_rows = [], 0, 0
    ids = np.asarray(sorted(changed | merged), dtype=np.int64)
    for name, loaded in zip(current.segment_names, current.loaded, strict=True):
        keys = loaded.segment.keys
        assert keys is not None
        pos = np.minimum(np.searchsorted(keys, ids), max(len(keys) - 1, 0))
        found = pos[(keys[pos] == ids)] if len(keys) else pos[:0]
        fresh = np.setdiff1d(found.astype(np.int64), dead[name])
        if len(fresh):
            dead[name] = np.union1d(dead[name], fresh)
            gone_terms.append(loaded.segment.distinct_terms(fresh))
            gone_len += int(loaded.segment.doc_len[fresh].sum())
            gone_rows += len(fresh)
    df = np.asarray(current.df, dtype=np.int32)
    segments = list(current.segment_names)
    if merged:  # the deltas' live rows are all in the new delta: the old deltas go
        for name in segments[1:]:
            dead.pop(name)
        segments = segments[:1]
    n_docs, total_len = int(meta["n_docs"]) - gone_rows, int(meta["total_len"]) - gone_len
    if rows:
        corpus, _, _ = _read_rows(rows, tmp)
        info = build(corpus, params, tmp, {}, compiled=False)
        os.replace(tmp, segment)
        term_ids = np.asarray(info["term_ids"], dtype=np.int64)
        if len(term_ids) and int(term_ids[-1]) >= len(df):
            df = np.concatenate((df, np.zeros(int(term_ids[-1]) + 1 - len(df), np.int32)))
        df = df.copy()
        df[term_ids] += np.load(segment / "df.npy")
        segments.append(segment.name)
        n_docs, total_len = n_docs + info["n_docs"], total_len + info["total_len"]
    else:
        df = df.copy()
    if gone_terms:
        np.subtract.at(df, np.concatenate(gone_terms), 1)
    average = approximate_average_idf(df, n_docs) if params.variant == "BM25Okapi" else 0.0
    new_meta.update(n_docs=n_docs, total_len=total_len, idf_average=average, exact=False)
    return _publish(root, segments, {k: v for k, v in dead.items() if len(v)}, df, new_meta)


def _fits(current: _Generation, changed: int) -> bool:
    """Whether deltas and tombstones stay within their share of the base after ``changed``
    more (else the whole index is rebuilt: amortised, each passage is rebuilt a few times)."""
    base = current.loaded[0].segment.n_docs
    extra = int(current.meta.get("n_dead", 0)) + sum(
        loaded.segment.n_docs for loaded in current.loaded[1:]
    )
    return extra + changed <= MERGE_FRACTION * max(base, MIN_BASE)


def _chunks(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


@contextlib.contextmanager
def _refresh_lock(db_path: Path) -> Iterator[None]:
    """One refresh at a time per index, across processes (released when a process dies)."""
    root = index_dir(db_path)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_current(db_path: Path) -> _Generation | None:
    """The current generation when it is of this format (else a full build replaces it)."""
    root = index_dir(db_path)
    try:
        pointer = (root / CURRENT).read_text("utf-8").strip()
        gen = _Generation(root, pointer, {}, lists=False)
    except (OSError, ValueError, KeyError):
        return None
    return gen if gen.meta.get("format") == FORMAT else None


def refresh(db_path: Path, workers: int | None = None, full: bool = False) -> RefreshStats:
    """Tokenise new passages, drop tokens of deleted ones, update the index atomically.

    The index takes a delta segment when it can (``full``: rebuild it whole).
    """
    db_path = Path(db_path)
    with _refresh_lock(db_path):
        for attempt in range(REFRESH_ATTEMPTS):
            current = None if full else _load_current(db_path)
            db = open_db(db_path)
            try:
                start = time.perf_counter()
                if current is not None and not _same_database(current.meta, db.conn):
                    current = None  # left by a deleted database of the same name
                mentions = None if current is None else current.mentions(db.conn)
                tokenizer, stats = sync(
                    db,
                    workers,
                    mentions=mentions,
                    index_seq=None if current is None else int(current.meta["log_seq"]),
                )
                tokenized = time.perf_counter()
            finally:
                db.close()
            try:
                if full:
                    gen, kind = build_index(db_path, tokenizer), "full"
                else:
                    gen, kind = _update_index(db_path, tokenizer, current)
                break
            except StaleTokens:
                if attempt == REFRESH_ATTEMPTS - 1:
                    raise
        meta = json.loads((gen / "meta.json").read_text("utf-8"))
        db = open_db(db_path)
        try:
            forget_log(db, min(int(meta["log_seq"]), stats.log_seq))
        finally:
            db.close()
    return _stats(stats, meta, tokenized - start, time.perf_counter() - tokenized, gen.name, kind)


def _current_meta(db_path: Path) -> dict | None:
    root = index_dir(db_path)
    try:
        pointer = (root / CURRENT).read_text("utf-8").strip()
        return dict(json.loads((root / pointer / "meta.json").read_text("utf-8")))
    except (OSError, ValueError):
        return None


def _tokenizer_of(meta: dict, grows_from: tuple[str, ...] | None) -> Tokenizer:
    """The tokenizer questions are cut with over a generation: its words and options."""
    words = tuple(meta["units_words"])
    return Tokenizer(extra_words=words, grows_from=grows_from, **meta["tokenizer_options"])


def question_tokenizer(db_path: Path, grows_from: tuple[str, ...] | None) -> Tokenizer | None:
    """The tokenizer a new process cuts questions with over the current generation
    (``PassageIndex``), its dictionary grown from that of ``grows_from``; None without an
    index."""
    meta = _current_meta(db_path)
    if meta is None or meta.get("format") != FORMAT:
        return None
    return _tokenizer_of(meta, grows_from)


def index_words(db_path: Path) -> tuple[str, ...] | None:
    """The unit names the current generation cuts with; None without an index."""
    tokenizer = question_tokenizer(db_path, None)
    return None if tokenizer is None else tokenizer.extra_words


def is_current(db_path: Path) -> bool:
    """Whether the index was built from the database as it is now (False: refresh it)."""
    meta = _current_meta(db_path)
    if meta is None or meta.get("format") != FORMAT:  # an older layout: rebuilt whole
        return False
    conn = connect_reader(db_path)
    try:
        now = generation(conn)
        same = _same_database(meta, conn)
    finally:
        conn.close()
    # A database from before generations were kept cannot say; its index stands.
    return same and (now is None or meta.get("db_generation") == now)


def _same_database(meta: dict, conn: sqlite3.Connection) -> bool:
    """Whether a generation was built from this database, not from a deleted one whose
    index folder was left behind (its generation count may well be the same).  A database
    or generation from before databases had an id cannot say; it is taken as the same."""
    built_from = meta.get("database_id")
    now = database_id(conn)
    return built_from is None or now is None or built_from == now


def _stats(
    s: SyncStats, meta: dict, tok: float, build_s: float, gen: str, kind: str
) -> RefreshStats:
    return RefreshStats(
        s.tokenized,
        s.dropped,
        s.retokenized,
        s.new_terms,
        meta["n_docs"],
        meta["n_terms"],
        tok,
        build_s,
        gen,
        kind,
    )


_CJK = re.compile(r"[\u3400-\u9fff]")


def _covers(term: str, name: str, at: int) -> bool:
    """Whether ``term``, placed in a text where ``name`` occurs, can be the token that cuts
    across position ``at`` of the name (it agrees with the name wherever they overlap)."""
    for j, char in enumerate(term):
        if char != name[at]:
            continue
        shift = at - j
        if all(term[k] == name[shift + k] for k in range(len(term)) if 0 <= shift + k < len(name)):
            return True
    return False


class _Segment:
    """One segment folder loaded: the scoring arrays and the per-row filter arrays, mapped."""

    def __init__(self, folder: Path) -> None:
        self.name = folder.name
        self.rows = {
            name: np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)
            for name in _ROW_ARRAYS
        }
        self.segment = Segment.load(folder, keys=self.rows["passage_id"])
        self._folder = folder
        self._section_codes: dict[str, np.ndarray] = {}
        self._by_unit: tuple[np.ndarray, np.ndarray] | None = None
        if all((folder / f"{name}.npy").exists() for name in _UNIT_ARRAYS):
            unit_rows, unit_start = (
                np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)
                for name in _UNIT_ARRAYS
            )
            self._by_unit = (unit_rows, unit_start)

    @functools.cached_property
    def units(self) -> list[str]:
        """The segment's unit names by code: read when a search filters by unit, not when a
        refresh only adds a segment (a base segment's lists are megabytes of JSON)."""
        return list(json.loads((self._folder / "units.json").read_text("utf-8")))

    @functools.cached_property
    def unit_index(self) -> dict[str, int]:
        return {u: i for i, u in enumerate(self.units)}

    @functools.cached_property
    def sections(self) -> list[str]:
        return list(json.loads((self._folder / "sections.json").read_text("utf-8")))

    def read_lists(self) -> None:
        """Read the unit and section lists now (they are read once, then kept)."""
        _ = self.unit_index, self.sections

    def section_codes(self, section: str) -> np.ndarray:
        """The codes of the segment's section titles containing ``section``: kept, as a
        segment's titles never change and a large segment has hundreds of thousands."""
        codes = self._section_codes.get(section)
        if codes is None:
            codes = np.asarray(
                [c for c, s in enumerate(self.sections) if section in s], dtype=np.int64
            )
            self._section_codes[section] = codes
        return codes

    def codes_among(self, section: str, codes: np.ndarray) -> list[int]:
        """Those of the given section codes (one unit's) whose titles contain ``section``:
        a unit's rows have a few dozen titles, the segment hundreds of thousands."""
        return [c for c in np.unique(codes).tolist() if section in self.sections[c]]

    def rows_of_unit(self, code: int) -> np.ndarray:
        """The segment's rows of one unit, ascending (grouped once for a segment written
        before segments kept them grouped)."""
        if self._by_unit is None:
            self._by_unit = rows_by_unit(self.rows["unit_code"], len(self.units))
        unit_rows, unit_start = self._by_unit
        return np.asarray(unit_rows[unit_start[code] : unit_start[code + 1]])


class _Generation:
    """One loaded index generation: segments (shared with the previous generation's when
    unchanged), tombstones and the corpus statistics; arrays memory-mapped, never copied."""

    def __init__(
        self, root: Path, name: str, cache: dict[str, _Segment], lists: bool = True
    ) -> None:
        """``lists``: read the segments' unit and section lists now, as a searching process
        needs them (a segment folder may be gone by the time a search asks); a refresh
        never uses them."""
        folder = root / name
        self.folder = folder
        self.meta = json.loads((folder / "meta.json").read_text("utf-8"))
        self.params = Params(**self.meta["params"])
        self.n = int(self.meta["n_docs"])
        self.segment_names: list[str] = list(self.meta["segments"])
        self.loaded = [cache.get(s) or _Segment(root / s) for s in self.segment_names]
        for segment in self.loaded if lists else []:
            segment.read_lists()
        self.df = np.load(folder / "df.npy", mmap_mode="r").view(np.ndarray)
        dead = []
        for s in self.segment_names:
            path = folder / f"dead-{s}.npy"
            dead.append(np.load(path) if path.exists() else None)
        stats = Statistics(
            self.params, self.n, int(self.meta["total_len"]), float(self.meta["idf_average"])
        )
        self.impact = ImpactIndex(
            [s.segment for s in self.loaded], stats, df=self.term_df, dead=dead
        )
        self.buffer = np.zeros(self.impact.n_docs, dtype=np.float64)

    def term_df(self, term: int) -> int:
        return int(self.df[term]) if 0 <= term < len(self.df) else 0

    def deltas_live(self) -> set[int]:
        """Passage ids of the live rows of every segment but the base."""
        found: set[int] = set()
        for i, loaded in enumerate(self.loaded[1:], start=1):
            rows = np.arange(loaded.segment.n_docs)
            dead = self.impact.dead[i]
            if dead is not None:
                rows = np.setdiff1d(rows, dead, assume_unique=True)
            found.update(loaded.rows["passage_id"][rows].tolist())
        return found

    def dead_lists(self) -> list[tuple[str, np.ndarray | None]]:
        return list(zip(self.segment_names, self.impact.dead, strict=True))

    def mentions(self, conn: sqlite3.Connection) -> Callable[[str], set[int] | None]:
        """Passage ids (live in this generation) that may contain a name, found through the
        postings of the terms that can cut across one of its characters, not by reading
        every passage; None when no character allows it (the caller reads them all)."""
        stops = stop_words()

        def find(name: str) -> set[int] | None:
            chars = sorted({c for c in name if _CJK.match(c)})
            if not chars:
                return None
            where = " OR ".join("instr(term, ?) > 0" for _ in chars)
            vocab = conn.execute(f"SELECT id, term FROM terms WHERE {where}", chars).fetchall()
            holding: dict[str, list[tuple[int, str]]] = {c: [] for c in chars}
            for tid, term in vocab:  # a term covers a position only if it holds its character
                for c in set(term) & holding.keys():
                    holding[c].append((tid, term))
            best: tuple[int, list[int]] | None = None
            for at, char in enumerate(name):
                if not _CJK.match(char) or any(_covers(s, name, at) for s in stops):
                    continue
                cover = [tid for tid, term in holding[char] if _covers(term, name, at)]
                size = sum(self.term_df(t) for t in cover)
                if best is None or size < best[0]:
                    best = (size, cover)
            if best is None:
                return None
            found: set[int] = set()
            for term in best[1]:
                for i, loaded in enumerate(self.loaded):
                    local = loaded.segment.local(term)
                    if local < 0:
                        continue
                    rows = loaded.segment.rows_of(local)
                    dead = self.impact.dead[i]
                    if dead is not None:
                        rows = np.setdiff1d(rows, dead, assume_unique=True)
                    found.update(loaded.rows["passage_id"][rows].tolist())
            return found

        return find


class PassageIndex:
    """Search over the current index generation of one database; reloads when it changes."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.root = index_dir(self.db_path)
        self._gen: _Generation | None = None
        self._pointer: str | None = None
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.RLock()  # one buffer and one connection per index
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def open(cls, db_path: Path, warm: bool = True) -> PassageIndex:
        """The index of a database; ``warm`` loads the compiled kernels in the background
        (a long-running process), else searches run on numpy (a question or two)."""
        index = cls(db_path)
        if index._check() is not None:
            if warm:
                kernels.warm_up_in_background()
            else:
                kernels.few_queries()
        return index

    # -- loading ---------------------------------------------------------------------------

    def _check(self) -> _Generation | None:
        """Map the generation ``CURRENT`` names, if it is not the one already mapped.

        Segments the mapped generation shares with the new one are reused as loaded: after a
        delta refresh only the delta's arrays are mapped and its vocabulary read.
        """
        try:
            pointer = (self.root / CURRENT).read_text("utf-8").strip()
        except FileNotFoundError:
            return self._gen
        if pointer != self._pointer:
            cache = {s.name: s for s in self._gen.loaded} if self._gen is not None else {}
            try:
                gen = _Generation(self.root, pointer, cache)
            except FileNotFoundError:  # replaced again while we read: keep what we have
                return self._gen
            except KeyError:  # a generation of an older format: refresh rebuilds it
                return self._gen
            self._gen, self._pointer = gen, pointer
            self._sync_tokenizer(gen.meta)
        return self._gen

    def _sync_tokenizer(self, meta: dict) -> None:
        """Cut questions exactly as the passages of this generation were cut.

        New unit names are added to the running jieba (cheap); anything else builds a new one.
        """
        words = tuple(meta["units_words"])
        old = self._tokenizer
        if old is not None and old.options() == meta["tokenizer_options"]:
            now = set(words)
            fresh = now.difference(old.extra_words)
            if len(now) - len(fresh) == len(set(old.extra_words)):  # none dropped
                added = [w for w in words if w in fresh] if fresh else []
                if old._jieba is not None and added:
                    add_words(old._jieba, old, added)
                elif added:
                    old.grows_from = old.extra_words
                old.extra_words = words
                return
        self._tokenizer = _tokenizer_of(meta, old.extra_words if old is not None else None)

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            self._tokenizer = Tokenizer()
        return self._tokenizer

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect_reader(self.db_path, check_same_thread=False)
        return self._conn

    # -- searching -------------------------------------------------------------------------

    def _term_ids(self, tokens: list[str]) -> dict[str, int]:
        """The stored term ids of tokens (the database's vocabulary, looked up by index)."""
        distinct = list(dict.fromkeys(tokens))
        if not distinct:
            return {}
        marks = ", ".join("?" for _ in distinct)
        with self._lock:
            rows = (
                self._db()
                .execute(f"SELECT term, id FROM terms WHERE term IN ({marks})", distinct)
                .fetchall()
            )
        return {str(term): int(tid) for term, tid in rows}

    def query_terms(self, question: str) -> list[int]:
        """Term ids of the question's tokens the index holds, repeats kept (rank-bm25 counts
        them)."""
        gen = self._gen
        if gen is None:
            return []
        tokens = self.tokenizer.tokens(question)
        ids = self._term_ids(tokens)
        return [ids[t] for t in tokens if t in ids and gen.term_df(ids[t]) > 0]

    def _candidate_rows(
        self, gen: _Generation, unit: str | None, year: int | None, section: str | None
    ) -> np.ndarray | None:
        """Live rows the filters allow (None: no filter); empty when nothing can match."""
        if unit is None and year is None and section is None:
            return None
        parts = []
        for i, loaded in enumerate(gen.loaded):
            if unit is not None:
                code = loaded.unit_index.get(unit)
                if code is None:
                    continue
                rows = loaded.rows_of_unit(code)
                if year is not None:
                    rows = rows[loaded.rows["year"][rows] == year]
                if section is not None:
                    codes = loaded.rows["section_code"][rows]
                    rows = rows[np.isin(codes, loaded.codes_among(section, codes))]
            else:
                mask: np.ndarray | None = None
                if year is not None:
                    mask = loaded.rows["year"] == year
                if section is not None:
                    m = np.isin(loaded.rows["section_code"], loaded.section_codes(section))
                    mask = m if mask is None else mask & m
                assert mask is not None
                rows = np.flatnonzero(mask)
            dead = gen.impact.dead[i]
            if dead is not None:
                rows = np.setdiff1d(rows, dead, assume_unique=True)
            parts.append(rows + gen.impact.starts[i])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def rank(
        self, terms: list[int], rows: np.ndarray | None = None, k: int = 3
    ) -> list[tuple[int, float]]:
        """Top-k (row, score) among the rows matching a term, best first, ties by passage id."""
        gen = self._gen
        if gen is None:
            return []
        with self._lock:
            return gen.impact.top(terms, rows, k, gen.buffer)

    def passage_ids(self, rows: list[int]) -> list[int]:
        """The passage ids of ranked rows."""
        gen = self._gen
        if gen is None or not rows:
            return []
        return [int(i) for i in gen.impact.keys(np.asarray(rows, dtype=np.int64))]

    def search(
        self,
        question: str,
        unit: str | None = None,
        year: int | None = None,
        section: str | None = None,
        k: int = 3,
    ) -> list[Hit]:
        """The k best passages for a question among those the filters allow."""
        with self._lock:
            gen = self._check()
            if gen is None:
                return []
            tokens = self.tokenizer.tokens(question)
            ids = self._term_ids(tokens)
            terms = [ids[t] for t in tokens if t in ids and gen.term_df(ids[t]) > 0]
            rows = self._candidate_rows(gen, unit, year, section)
            ranked = self.rank(terms, rows, k)
            names = {tid: term for term, tid in ids.items()}
            return self._hits(gen, terms, names, ranked)

    def _hits(
        self,
        gen: _Generation,
        terms: list[int],
        names: dict[int, str],
        ranked: list[tuple[int, float]],
    ) -> list[Hit]:
        if not ranked:
            return []
        ids = [int(i) for i in gen.impact.keys(np.asarray([r for r, _ in ranked]))]
        marks = ",".join("?" for _ in ids)
        found = {
            row[0]: row
            for row in self._db().execute(
                "SELECT p.id, p.report_id, r.unit, r.year, coalesce(p.section, ''), p.text "
                f"FROM passages p JOIN reports r ON r.id = p.report_id WHERE p.id IN ({marks})",
                ids,
            )
        }
        unique_terms = list(dict.fromkeys(terms))
        rows = np.unique(np.asarray([r for r, _ in ranked], dtype=np.int64))
        has = {t: gen.impact.contains(t, rows) for t in unique_terms}  # each term once
        hits = []
        for (row, score), pid in zip(ranked, ids, strict=True):
            rec = found.get(pid)
            if rec is None:  # deleted since the index was built; the next refresh drops it
                continue
            at = int(np.searchsorted(rows, row))
            matched = tuple(names[t] for t in unique_terms if has[t][at])
            hits.append(Hit(pid, rec[1], rec[2], rec[3], rec[4], rec[5], score, matched))
        return hits
