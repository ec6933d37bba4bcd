"""Passage search: the public API over the token store and the impact index.

``refresh`` (after every ingest) brings the stored tokens up to date and writes a new index
generation into ``<db>.index/gen-*``, then points ``<db>.index/CURRENT`` at it with an atomic
rename.  ``PassageIndex.search`` checks ``CURRENT`` on every call and maps the newer
generation when there is one, so a running bot needs no restart.

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
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import kernels
from index.impact import BuildInput, ImpactIndex, Params, build, write_meta
from index.token_store import INDEXED_KINDS, SyncStats, sync
from index.tokens import USER_WORD_FREQ, Tokenizer
from ingest.store import connect_reader, generation, open_db
from ingest.vocab import load_toml

CURRENT = "CURRENT"
LOCK = ".lock"
REFRESH_ATTEMPTS = 3  # syncs before giving up on a database that keeps changing
_ROW_ARRAYS = ("passage_id", "unit_code", "year", "section_code")


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


def index_dir(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".index")


def load_params() -> Params:
    """The BM25 variant and parameters chosen by measurement (index/data/bm25.toml)."""
    return Params(**load_toml("index.data", "bm25.toml")["bm25"])


def _read_corpus(db: sqlite3.Connection) -> tuple[BuildInput, dict[str, np.ndarray], list, list]:
    kinds = ", ".join("?" for _ in INDEXED_KINDS)
    rows = db.execute(
        "SELECT p.id, t.tokens, r.unit, r.year, coalesce(p.section, '') "
        "FROM passages p JOIN passage_tokens t ON t.passage_id = p.id "
        f"JOIN reports r ON r.id = p.report_id WHERE p.kind IN ({kinds}) ORDER BY p.id",
        INDEXED_KINDS,
    ).fetchall()
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
    return BuildInput(tokens, doc_start), per_row, list(units), list(sections)


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


def build_index(db_path: Path, tokenizer: Tokenizer, params: Params | None = None) -> Path:
    """Write a new generation from the stored tokens and make it current; returns its folder.

    Raises ``StaleTokens`` when passages without tokens turned up (another process added
    reports since the tokens were synced): an index without them would claim a generation it
    does not hold.
    """
    params = params or load_params()
    root = index_dir(db_path)
    root.mkdir(parents=True, exist_ok=True)
    gen = root / f"gen-{time.time_ns()}"
    tmp = root / f".{gen.name}.tmp"
    conn = connect_reader(db_path)
    try:
        conn.execute("BEGIN")  # one snapshot: the generation, the passages, their tokens
        if _untokenized(conn):
            raise StaleTokens
        db_generation = generation(conn)
        corpus, per_row, units, sections = _read_corpus(conn)
        term_rows = dict(conn.execute("SELECT id, term FROM terms").fetchall())
    finally:
        conn.close()
    meta = build(
        corpus,
        params,
        tmp,
        {
            "tokenizer": tokenizer.signature,
            "units_words": list(tokenizer.extra_words),
            "tokenizer_options": tokenizer.options(),
            "built_at": time.time(),
            "db_generation": db_generation,
        },
    )
    terms = [term_rows[t] for t in meta.pop("term_ids")]
    for name, arr in per_row.items():
        np.save(tmp / f"{name}.npy", arr, allow_pickle=False)
    (tmp / "units.json").write_text(json.dumps(units, ensure_ascii=False), "utf-8")
    (tmp / "sections.json").write_text(json.dumps(sections, ensure_ascii=False), "utf-8")
    write_meta(tmp, meta, terms)
    os.replace(tmp, gen)
    pointer = root / f".{CURRENT}.tmp"
    pointer.write_text(gen.name, "utf-8")
    os.replace(pointer, root / CURRENT)
    _remove_old_generations(root, keep={gen.name})
    return gen


def _remove_old_generations(root: Path, keep: set[str]) -> None:
    """Keep the newest previous generation too: a reader may be about to map it."""
    gens = sorted((p for p in root.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    survivors = keep | {p.name for p in [g for g in gens if g.name not in keep][-1:]}
    for p in gens:
        if p.name not in survivors:
            shutil.rmtree(p, ignore_errors=True)
    for p in root.glob(".gen-*.tmp"):
        shutil.rmtree(p, ignore_errors=True)


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


def refresh(db_path: Path, workers: int | None = None) -> RefreshStats:
    """Tokenise new passages, drop tokens of deleted ones, rebuild the index atomically."""
    db_path = Path(db_path)
    with _refresh_lock(db_path):
        for attempt in range(REFRESH_ATTEMPTS):
            db = open_db(db_path)
            try:
                start = time.perf_counter()
                tokenizer, stats = sync(db, workers)
                tokenized = time.perf_counter()
            finally:
                db.close()
            try:
                gen = build_index(db_path, tokenizer)
                break
            except StaleTokens:
                if attempt == REFRESH_ATTEMPTS - 1:
                    raise
    meta = json.loads((gen / "meta.json").read_text("utf-8"))
    return _stats(stats, meta, tokenized - start, time.perf_counter() - tokenized, gen.name)


def _current_meta(db_path: Path) -> dict | None:
    root = index_dir(db_path)
    try:
        pointer = (root / CURRENT).read_text("utf-8").strip()
        return dict(json.loads((root / pointer / "meta.json").read_text("utf-8")))
    except (OSError, ValueError):
        return None


def is_current(db_path: Path) -> bool:
    """Whether the index was built from the database as it is now (False: refresh it)."""
    meta = _current_meta(db_path)
    if meta is None:
        return False
    conn = connect_reader(db_path)
    try:
        now = generation(conn)
    finally:
        conn.close()
    # A database from before generations were kept cannot say; its index stands.
    return now is None or meta.get("db_generation") == now


def _stats(s: SyncStats, meta: dict, tok: float, build_s: float, gen: str) -> RefreshStats:
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
    )


class _Generation:
    """One loaded index generation: arrays memory-mapped, vocabulary in a dict."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.meta = json.loads((folder / "meta.json").read_text("utf-8"))
        self.params = Params(**self.meta["params"])
        self.n = int(self.meta["n_docs"])
        self.impact = ImpactIndex.load(folder, self.n)
        terms = json.loads((folder / "terms.json").read_text("utf-8"))
        self.term_index = {t: i for i, t in enumerate(terms)}
        self.terms = terms
        self.units = json.loads((folder / "units.json").read_text("utf-8"))
        self.unit_index = {u: i for i, u in enumerate(self.units)}
        self.sections = json.loads((folder / "sections.json").read_text("utf-8"))
        self.rows = {
            name: np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)
            for name in _ROW_ARRAYS
        }
        self.buffer = np.zeros(self.n, dtype=np.float64)


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
        """Map the generation ``CURRENT`` names, if it is not the one already mapped."""
        try:
            pointer = (self.root / CURRENT).read_text("utf-8").strip()
        except FileNotFoundError:
            return self._gen
        if pointer != self._pointer:
            try:
                gen = _Generation(self.root / pointer)
            except FileNotFoundError:  # replaced again while we read: keep what we have
                return self._gen
            self._gen, self._pointer = gen, pointer
            self._sync_tokenizer(gen.meta)
        return self._gen

    def _sync_tokenizer(self, meta: dict) -> None:
        """Cut questions exactly as the passages of this generation were cut.

        New unit names are added to the running jieba (cheap); anything else builds a new one.
        """
        words = tuple(meta["units_words"])
        options = meta["tokenizer_options"]
        old = self._tokenizer
        if old is not None and old.options() == options and set(old.extra_words) <= set(words):
            if old._jieba is not None:
                fresh = Tokenizer(extra_words=words, **options)
                for word in set(fresh.words) - set(old.words):
                    old._jieba.add_word(word, max(old._jieba.suggest_freq(word), USER_WORD_FREQ))
            old.extra_words = words
            return
        self._tokenizer = Tokenizer(extra_words=words, **options)

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

    def query_terms(self, question: str) -> list[int]:
        """Index term numbers of the question's tokens, repeats kept (rank-bm25 counts them)."""
        gen = self._gen
        if gen is None:
            return []
        tokens = self.tokenizer.tokens(question)
        return [gen.term_index[t] for t in tokens if t in gen.term_index]

    def _candidate_rows(
        self, gen: _Generation, unit: str | None, year: int | None, section: str | None
    ) -> np.ndarray | None:
        """Rows the filters allow (None: no filter); empty when nothing can match."""
        mask: np.ndarray | None = None
        if unit is not None:
            code = gen.unit_index.get(unit)
            if code is None:
                return np.zeros(0, dtype=np.int64)
            mask = gen.rows["unit_code"] == code
        if year is not None:
            m = gen.rows["year"] == year
            mask = m if mask is None else mask & m
        if section is not None:
            codes = [i for i, s in enumerate(gen.sections) if section in s]
            m = np.isin(gen.rows["section_code"], codes)
            mask = m if mask is None else mask & m
        return None if mask is None else np.flatnonzero(mask)

    def rank(
        self, terms: list[int], rows: np.ndarray | None = None, k: int = 3
    ) -> list[tuple[int, float]]:
        """Top-k (row, score) among the rows matching a term, best first, ties by row."""
        gen = self._gen
        if gen is None:
            return []
        with self._lock:
            return gen.impact.top(terms, rows, k, gen.buffer)

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
            terms = self.query_terms(question)
            rows = self._candidate_rows(gen, unit, year, section)
            ranked = self.rank(terms, rows, k)
            return self._hits(gen, terms, ranked)

    def _hits(
        self, gen: _Generation, terms: list[int], ranked: list[tuple[int, float]]
    ) -> list[Hit]:
        if not ranked:
            return []
        ids = [int(gen.rows["passage_id"][r]) for r, _ in ranked]
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
        hits = []
        for (row, score), pid in zip(ranked, ids, strict=True):
            rec = found.get(pid)
            if rec is None:  # deleted since the index was built; the next refresh drops it
                continue
            one = np.asarray([row])
            matched = tuple(gen.terms[t] for t in unique_terms if gen.impact.contains(t, one)[0])
            hits.append(Hit(pid, rec[1], rec[2], rec[3], rec[4], rec[5], score, matched))
        return hits
