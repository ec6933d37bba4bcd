"""The term-major impact index: rank-bm25's scores from memory-mapped segments.

rank-bm25 loops over every document for every query term.  Here each term keeps the rows
(passages) it occurs in and, per row, a code into a table of idf-free factors, one per
distinct (term frequency, passage length) pair; the weight rank-bm25 adds is ``idf × factor``,
computed with the same operations in the same order, so a query adds a handful of arrays and
gets the same scores bit for bit (BM25Okapi) or to rounding (BM25L, BM25Plus).  Terms in over
a fifth of a segment's passages (公开, 信息, 申请 …) are a dense row of codes instead: one
vectorised pass beats a scatter of hundreds of thousands of postings.

Nothing stored depends on the corpus-wide statistics (passage count, average length, document
frequencies): idf and the factor table are computed from ``Statistics`` when an index is
opened.  So an index can be several segments (a large base and small deltas of new passages)
whose rows, minus tombstoned ones, score exactly as one index built over them all would.
Each segment also keeps its rows' distinct terms (``fwd_*``): removing a row from the
statistics needs them, and the database may no longer hold the passage.

The hot loops run as numba kernels (``index.kernels``) when numba imports; the numpy code here
is the fallback and gives the same files and scores bit for bit.

Files (one segment folder): ``segment.json`` and the ``.npy`` arrays named in ``_ARRAYS``.
Terms are the caller's term ids (``term_ids``, ascending); a query names terms by those ids.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from index.kernels import active

VARIANTS = ("BM25Okapi", "BM25L", "BM25Plus")
SMALL_FILTER = 16  # a filter leaving fewer than n_rows / this rows is scored row by row
DENSE_FRACTION = 0.2  # a term in more than this share of rows is stored as a dense row
HINT_ROWS = 20000  # rows of the rarest query term probed for a lower bound on the k-th score
SAMPLE_ROWS = 2048  # plus a strided sample of all rows
SEGMENT_INFO = "segment.json"
_ARRAYS = (
    "term_ids",
    "df",
    "offsets",
    "post_rows",
    "post_codes",
    "pair_tf",
    "pair_dl",
    "dense_slot",
    "dense_codes",
    "doc_len",
    "fwd_start",
    "fwd_terms",
)


@dataclass(frozen=True)
class Params:
    """The BM25 variant and its parameters (rank-bm25's defaults unless measured better)."""

    variant: str = "BM25Okapi"
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25  # BM25Okapi only
    delta: float = 0.5  # BM25L (rank-bm25 default 0.5) and BM25Plus (default 1)

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown BM25 variant {self.variant!r}; use one of {VARIANTS}")


def okapi_average_idf(df: np.ndarray, first_seen: np.ndarray, n_docs: int) -> float:
    """BM25Okapi's mean idf exactly as rank-bm25 sums it (Python floats, its dict order).

    ``first_seen`` orders the terms as rank-bm25's dict does (by first occurrence in the
    corpus).  Terms whose idf is negative get ``epsilon`` times this mean.
    """
    idf_sum = 0.0
    for t in np.argsort(first_seen, kind="stable").tolist():
        freq = int(df[t])
        idf_sum += math.log(n_docs - freq + 0.5) - math.log(freq + 0.5)
    return idf_sum / len(df) if len(df) else 0.0


def approximate_average_idf(df: np.ndarray, n_docs: int) -> float:
    """The same mean from document frequencies alone, summed by numpy (after incremental
    updates: no corpus order exists; the sum differs from rank-bm25's by rounding only)."""
    live = df[df > 0].astype(np.float64)
    if not len(live):
        return 0.0
    return float((np.log(n_docs - live + 0.5) - np.log(live + 0.5)).sum() / len(live))


@dataclass(frozen=True)
class Statistics:
    """The corpus-wide figures BM25 weights depend on: computed, never baked into postings."""

    params: Params
    n_docs: int
    total_len: int
    idf_average: float = 0.0  # BM25Okapi's floor for negative idf (0.25 × this by default)

    @property
    def avgdl(self) -> float:
        return self.total_len / self.n_docs if self.n_docs else 0.0

    def idf(self, df: int) -> float:
        """rank-bm25's idf of a term in ``df`` passages (same expression, same rounding)."""
        n, p = self.n_docs, self.params
        if p.variant == "BM25Okapi":
            value = math.log(n - df + 0.5) - math.log(df + 0.5)
            return p.epsilon * self.idf_average if value < 0 else value
        if p.variant == "BM25L":
            return math.log(n + 1) - math.log(df + 0.5)
        return math.log((n + 1) / df)

    def base(self, idf: float) -> float:
        """BM25Plus's constant part (``idf × delta`` for every passage), else 0."""
        return idf * self.params.delta if self.params.variant == "BM25Plus" else 0.0


def idf_values(params: Params, df: np.ndarray, first_seen: np.ndarray, n_docs: int) -> np.ndarray:
    """idf per term exactly as rank-bm25 computes it (tests and benchmarks)."""
    average = okapi_average_idf(df, first_seen, n_docs) if params.variant == "BM25Okapi" else 0.0
    stats = Statistics(params, n_docs, 0, average)
    return np.array([stats.idf(int(f)) for f in df.tolist()], dtype=np.float64)


def factors(params: Params, tf: np.ndarray, doc_len: np.ndarray, avgdl: float) -> np.ndarray:
    """rank-bm25's addend divided by idf, for each (term frequency, passage length) pair.

    BM25Okapi and BM25Plus multiply idf by exactly this expression, so ``factor * idf`` is
    rank-bm25's float64 value bit for bit; BM25L multiplies in another order (equal to
    rounding).
    """
    k1, b = params.k1, params.b
    q_freq = tf.astype(np.float64)
    if params.variant == "BM25Okapi":
        return q_freq * (k1 + 1) / (q_freq + k1 * (1 - b + b * doc_len / avgdl))
    if params.variant == "BM25L":
        ctd = q_freq / (1 - b + b * doc_len / avgdl)
        return q_freq * (k1 + 1) * (ctd + params.delta) / (k1 + ctd + params.delta)
    norm = k1 * (1 - b + b * doc_len / avgdl)
    return params.delta + (q_freq * (k1 + 1)) / (norm + q_freq)


def _pair_codes(
    tf: np.ndarray, p_row: np.ndarray, doc_len: np.ndarray, kernels: SimpleNamespace | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Number the distinct (tf, passage length) pairs: codes per posting, and the pairs.

    A corpus has a few thousand such pairs, so a posting stores a 2-byte code into a table
    of weights instead of an 8-byte weight.
    """
    width = int(doc_len.max()) + 1 if len(doc_len) else 1
    if kernels is not None and len(tf):
        space = int(tf.max()) * width + width
        if space <= 1 << 26:
            codes, present = kernels.pair_codes(tf, p_row, doc_len, width, space)
            dtype = np.uint16 if len(present) <= 1 << 16 else np.uint32
            return codes.astype(dtype), present // width, present % width
    dl = doc_len[p_row]
    raw = tf * width + dl
    space = int(raw.max()) + 1 if len(raw) else 1
    if space <= 1 << 26:
        present = np.flatnonzero(np.bincount(raw, minlength=space))
        lookup = np.zeros(space, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        codes = lookup[raw]
    else:
        present, codes = np.unique(raw, return_inverse=True)
    dtype = np.uint16 if len(present) <= 1 << 16 else np.uint32
    return codes.astype(dtype), present // width, present % width


def _sorted_pairs(
    keys: np.ndarray, doc_len: np.ndarray, n_docs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term, row, tf) of the distinct pairs by sorting one int64 key per token (no numba)."""
    keys *= max(n_docs, 1)
    keys += np.repeat(np.arange(n_docs, dtype=np.int64), doc_len)
    keys.sort()
    if len(keys):
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        tf = np.diff(np.append(starts, len(keys)))
        pair = keys[starts]
    else:
        tf = pair = np.zeros(0, dtype=np.int64)
    del keys
    return pair // max(n_docs, 1), pair % max(n_docs, 1), tf


@dataclass(frozen=True)
class BuildInput:
    """The corpus as flat arrays: ``tokens[doc_start[i]:doc_start[i+1]]`` are row i's term ids."""

    tokens: np.ndarray  # int32/int64 term ids (any numbering)
    doc_start: np.ndarray  # int64, len n_docs + 1

    @classmethod
    def from_docs(cls, docs: Sequence[Sequence[int]]) -> BuildInput:
        """Flat arrays from one list of term ids per row (tests, benchmarks)."""
        lengths = np.array([len(d) for d in docs], dtype=np.int64)
        return cls(
            np.array([t for d in docs for t in d], dtype=np.int64),
            np.concatenate(([0], np.cumsum(lengths))),
        )


def build(
    corpus: BuildInput, params: Params, folder: Path, extra_meta: dict, compiled: bool = True
) -> dict:
    """Write one segment for a corpus; returns its metadata (also in ``segment.json``).

    Rows are the corpus order (callers keep rows sorted by passage id: ties break by row).
    ``meta['term_ids']`` lists the input term ids present, ascending: local term i is
    ``term_ids[i]``.  ``compiled=False`` keeps to numpy (a small delta is built faster than
    numba imports).
    """
    folder.mkdir(parents=True, exist_ok=True)
    n_docs = len(corpus.doc_start) - 1
    doc_len = np.diff(corpus.doc_start).astype(np.int64)
    total = int(doc_len.sum())
    avgdl = total / n_docs if n_docs else 0.0
    tokens = np.asarray(corpus.tokens, dtype=np.int64)
    span = int(tokens.max()) + 1 if len(tokens) else 0
    kernels = active() if compiled else None
    if kernels is not None:
        first_any = kernels.first_seen(tokens, span)
    else:
        first_any = np.full(span, len(tokens), dtype=np.int64)
        np.minimum.at(first_any, tokens, np.arange(len(tokens), dtype=np.int64))
    term_ids = np.flatnonzero(first_any < len(tokens))
    first_pos = first_any[term_ids]
    renumber = np.zeros(span, dtype=np.int64)
    renumber[term_ids] = np.arange(len(term_ids))
    n_terms = len(term_ids)
    if kernels is not None:
        pair_start, p_row, tf = kernels.pairs_by_term(
            renumber[tokens], np.asarray(corpus.doc_start, dtype=np.int64), n_terms
        )
        df = np.diff(pair_start)
        p_term = np.repeat(np.arange(n_terms, dtype=np.int64), df)
        fwd_start, fwd_terms = kernels.by_row(p_row, p_term, n_docs)
    else:
        p_term, p_row, tf = _sorted_pairs(renumber[tokens], doc_len, n_docs)
        df = np.bincount(p_term, minlength=n_terms)
        fwd_terms = p_term[np.argsort(p_row, kind="stable")].astype(np.int32)
        fwd_start = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(p_row, minlength=n_docs), out=fwd_start[1:])
    average = okapi_average_idf(df, first_pos, n_docs) if params.variant == "BM25Okapi" else 0.0
    codes, pair_tf, pair_dl = _pair_codes(tf, p_row, doc_len, kernels)
    absent = len(pair_tf)  # the code of "not in this row" in a dense row
    dense_dtype = np.uint16 if absent < 1 << 16 else np.uint32
    dense_terms = np.flatnonzero(df > DENSE_FRACTION * n_docs)
    dense_slot = np.full(n_terms, -1, dtype=np.int32)
    dense_slot[dense_terms] = np.arange(len(dense_terms), dtype=np.int32)
    is_sparse = dense_slot[p_term] < 0
    dense_codes = np.full((len(dense_terms), n_docs), absent, dtype=dense_dtype)
    dense_pairs = ~is_sparse
    dense_codes[dense_slot[p_term[dense_pairs]], p_row[dense_pairs]] = codes[dense_pairs]
    sparse_df = np.where(dense_slot < 0, df, 0)
    offsets = np.concatenate(([0], np.cumsum(sparse_df))).astype(np.int64)
    arrays = {
        "term_ids": term_ids.astype(np.int64),
        "df": df.astype(np.int32),
        "offsets": offsets,
        "post_rows": p_row[is_sparse].astype(np.int32),
        "post_codes": codes[is_sparse],
        "pair_tf": pair_tf.astype(np.int32),
        "pair_dl": pair_dl.astype(np.int32),
        "dense_slot": dense_slot,
        "dense_codes": dense_codes,
        "doc_len": doc_len.astype(np.int32),
        "fwd_start": np.asarray(fwd_start, dtype=np.int64),
        "fwd_terms": np.asarray(fwd_terms, dtype=np.uint16 if n_terms <= 1 << 16 else np.int32),
    }
    for name, arr in arrays.items():
        np.save(folder / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    info = {
        "params": params.__dict__,
        "n_docs": n_docs,
        "n_terms": n_terms,
        "n_postings": len(p_row),
        "n_dense": len(dense_terms),
        "total_len": total,
        "avgdl": avgdl,
        "idf_average": average,
    }
    (folder / SEGMENT_INFO).write_text(json.dumps(info), "utf-8")
    return {**extra_meta, **info, "term_ids": term_ids.tolist()}


@dataclass
class Segment:
    """The arrays of one segment, memory-mapped read-only, and what its rows are."""

    term_ids: np.ndarray
    df: np.ndarray
    offsets: np.ndarray
    post_rows: np.ndarray
    post_codes: np.ndarray
    pair_tf: np.ndarray
    pair_dl: np.ndarray
    dense_slot: np.ndarray
    dense_codes: np.ndarray
    doc_len: np.ndarray
    fwd_start: np.ndarray
    fwd_terms: np.ndarray
    info: dict
    keys: np.ndarray | None = None  # the rows' passage ids (tie order); None: the row itself

    @classmethod
    def load(cls, folder: Path, keys: np.ndarray | None = None) -> Segment:
        arrays = {
            name: np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)
            for name in _ARRAYS
        }
        info = json.loads((folder / SEGMENT_INFO).read_text("utf-8"))
        return cls(**arrays, info=info, keys=keys)

    @property
    def n_docs(self) -> int:
        return int(self.info["n_docs"])

    @property
    def absent(self) -> int:
        return len(self.pair_tf)

    def local(self, term: int) -> int:
        """This segment's number for a term id, or -1."""
        i = int(np.searchsorted(self.term_ids, term))
        return i if i < len(self.term_ids) and int(self.term_ids[i]) == term else -1

    def table(self, stats: Statistics) -> np.ndarray:
        """The factor of every (tf, length) code under these statistics; 0 for ``absent``."""
        if not stats.n_docs:  # every row tombstoned: nothing is scored
            return np.zeros(self.absent + 1, dtype=np.float64)
        values = factors(stats.params, self.pair_tf, self.pair_dl, stats.avgdl)
        return np.append(values, 0.0)

    def rows_of(self, local: int) -> np.ndarray:
        slot = int(self.dense_slot[local])
        if slot >= 0:
            return np.flatnonzero(self.dense_codes[slot] != self.absent)
        return self.post_rows[int(self.offsets[local]) : int(self.offsets[local + 1])]

    def distinct_terms(self, rows: np.ndarray) -> np.ndarray:
        """The term ids of the given rows, one per (row, term): their share of ``df``."""
        parts = [self.fwd_terms[int(self.fwd_start[r]) : int(self.fwd_start[r + 1])] for r in rows]
        local = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        return np.asarray(self.term_ids[local], dtype=np.int64)

    def score_all(self, query: _Query, table: np.ndarray, out: np.ndarray) -> None:
        """Add the query's weights for this segment's rows into ``out`` (its slice)."""
        local = query.local(self)
        if not len(local):
            return
        keep = local >= 0
        terms, idfs, bases = local[keep], query.idfs[keep], query.bases[keep]
        kernels = active()
        if kernels is not None:
            kernels.score_all(
                terms,
                idfs,
                bases,
                self.dense_slot,
                self.dense_codes,
                self.offsets,
                self.post_rows,
                self.post_codes,
                table,
                self.absent,
                out,
            )
            return
        for t, idf, base in zip(terms.tolist(), idfs.tolist(), bases.tolist(), strict=True):
            slot = int(self.dense_slot[t])
            if slot >= 0:
                codes = self.dense_codes[slot]
                w = table[codes] * idf
                if base:
                    w -= base * (codes != self.absent)
                out += w
            else:
                lo, hi = int(self.offsets[t]), int(self.offsets[t + 1])
                w = table[self.post_codes[lo:hi]] * idf
                if base:
                    w -= base
                out[self.post_rows[lo:hi]] += w

    def score_rows(self, query: _Query, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Scores of the given rows only (sorted ascending): for filters that leave few rows."""
        out = np.zeros(len(rows), dtype=np.float64)
        local = query.local(self)
        same = _as_post_rows(rows, self.post_rows)
        terms = zip(local.tolist(), query.idfs.tolist(), query.bases.tolist(), strict=True)
        for t, idf, base in terms:
            if t < 0:
                continue
            slot = int(self.dense_slot[t])
            if slot >= 0:
                codes = self.dense_codes[slot][rows]
                w = table[codes] * idf
                if base:
                    w -= base * (codes != self.absent)
                out += w
                continue
            lo, hi = int(self.offsets[t]), int(self.offsets[t + 1])
            if hi == lo:
                continue
            post_rows = self.post_rows[lo:hi]
            pos = np.minimum(np.searchsorted(post_rows, same), hi - lo - 1)
            found = post_rows[pos] == rows
            w = table[self.post_codes[lo:hi][pos]] * idf
            if base:
                w -= base
            out += np.where(found, w, 0.0)
        return out

    def contains(self, local: int, rows: np.ndarray) -> np.ndarray:
        """Which of the rows (sorted) contain the term (this segment's number, -1: none)."""
        if local < 0:
            return np.zeros(len(rows), dtype=bool)
        slot = int(self.dense_slot[local])
        if slot >= 0:
            return np.asarray(self.dense_codes[slot][rows] != self.absent)
        post_rows = self.post_rows[int(self.offsets[local]) : int(self.offsets[local + 1])]
        if not len(post_rows):
            return np.zeros(len(rows), dtype=bool)
        same = _as_post_rows(rows, post_rows)
        pos = np.minimum(np.searchsorted(post_rows, same), len(post_rows) - 1)
        return np.asarray(post_rows[pos] == same)


def _as_post_rows(rows: np.ndarray, post_rows: np.ndarray) -> np.ndarray:
    """The rows in the posting lists' own type: ``np.searchsorted`` with needles of a wider
    type converts the whole posting list first, a copy as long as the term's postings."""
    return rows.astype(post_rows.dtype, copy=False)


@dataclass
class _Query:
    """A query's terms (ids, in query order, repeats kept) with their idf and constant part."""

    terms: np.ndarray
    idfs: np.ndarray
    bases: np.ndarray
    _local: dict[int, np.ndarray]

    def local(self, segment: Segment) -> np.ndarray:
        """The terms in the segment's numbering (-1 where it lacks one)."""
        key = id(segment)
        found = self._local.get(key)
        if found is None:
            ids = segment.term_ids
            pos = np.minimum(np.searchsorted(ids, self.terms), max(len(ids) - 1, 0))
            hit = ids[pos] == self.terms if len(ids) else np.zeros(len(self.terms), dtype=bool)
            found = self._local[key] = np.where(hit, pos, -1).astype(np.int64)
        return found


class ImpactIndex:
    """Segments scored as one index: rows are the segments' rows one after another.

    ``dead`` lists each segment's tombstoned rows (sorted); ``df`` gives a term's document
    frequency over the live rows (default: summed over the segments, for an index without
    tombstones).
    """

    def __init__(
        self,
        segments: Sequence[Segment],
        stats: Statistics,
        df: Callable[[int], int] | None = None,
        dead: Sequence[np.ndarray | None] | None = None,
    ) -> None:
        self.segments = list(segments)
        self.stats = stats
        sizes = [s.n_docs for s in self.segments]
        self.starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self.n_docs = int(self.starts[-1])  # rows, dead ones included
        self._df = df
        dead = list(dead) if dead is not None else [None] * len(self.segments)
        self.dead = [
            np.asarray(d, dtype=np.int64) if d is not None and len(d) else None for d in dead
        ]
        parts = [d + self.starts[i] for i, d in enumerate(self.dead) if d is not None]
        self.dead_rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        self.tables = [s.table(stats) for s in self.segments]

    @classmethod
    def load(cls, folder: Path, n_docs: int | None = None) -> ImpactIndex:
        """One segment as a whole index, with the statistics it was built with."""
        segment = Segment.load(folder)
        info = segment.info
        if n_docs is not None and n_docs != segment.n_docs:
            raise ValueError(f"{folder} holds {segment.n_docs} rows, not {n_docs}")
        stats = Statistics(
            Params(**info["params"]), info["n_docs"], info["total_len"], info["idf_average"]
        )
        return cls([segment], stats)

    def df(self, term: int) -> int:
        """Live passages containing the term (0: unknown to the index)."""
        if self._df is not None:
            return self._df(term)
        total = 0
        for s in self.segments:
            local = s.local(term)
            if local >= 0:
                total += int(s.df[local])
        return total

    def query(self, terms: Sequence[int]) -> _Query:
        """The terms the index knows, in query order, with their weights' idf."""
        known = {t: self.df(t) for t in set(terms)}
        kept = [t for t in terms if known[t] > 0]
        idf = {t: self.stats.idf(known[t]) for t in set(kept)}
        return _Query(
            np.asarray(kept, dtype=np.int64),
            np.asarray([idf[t] for t in kept], dtype=np.float64),
            np.asarray([self.stats.base(idf[t]) for t in kept], dtype=np.float64),
            {},
        )

    def score_all(self, terms: Sequence[int] | _Query, out: np.ndarray) -> None:
        """Add every query term's weights into ``out`` (one float64 per row), in query order.

        Rows not containing a term get nothing, as rank-bm25 adds 0.0 (BM25Plus's constant
        part is left out here and added by the caller).  Tombstoned rows are scored too.
        """
        query = terms if isinstance(terms, _Query) else self.query(terms)
        for i, segment in enumerate(self.segments):
            lo, hi = int(self.starts[i]), int(self.starts[i + 1])
            segment.score_all(query, self.tables[i], out[lo:hi])

    def score_rows(self, terms: Sequence[int] | _Query, rows: np.ndarray) -> np.ndarray:
        """Scores of the given rows only (sorted ascending)."""
        query = terms if isinstance(terms, _Query) else self.query(terms)
        out = np.zeros(len(rows), dtype=np.float64)
        for i, lo, hi, part in self._split(rows):
            out[lo:hi] = self.segments[i].score_rows(query, self.tables[i], part)
        return out

    def _split(self, rows: np.ndarray) -> list[tuple[int, int, int, np.ndarray]]:
        """(segment, first and end position in ``rows``, the segment's local rows)."""
        cuts = np.searchsorted(rows, self.starts)
        return [
            (i, int(cuts[i]), int(cuts[i + 1]), rows[cuts[i] : cuts[i + 1]] - self.starts[i])
            for i in range(len(self.segments))
            if cuts[i + 1] > cuts[i]
        ]

    def keys(self, rows: np.ndarray) -> np.ndarray:
        """The tie order of rows: their passage ids (rows of a segment without ids: the row)."""
        if all(s.keys is None for s in self.segments):
            return rows
        order = np.argsort(rows, kind="stable")
        ordered = rows[order]
        out = np.empty(len(rows), dtype=np.int64)
        for i, lo, hi, part in self._split(ordered):
            keys = self.segments[i].keys
            out[order[lo:hi]] = part + self.starts[i] if keys is None else keys[part]
        return out

    def top(
        self,
        terms: list[int],
        rows: np.ndarray | None = None,
        k: int = 3,
        buffer: np.ndarray | None = None,
        row_by_row: bool | None = None,
    ) -> list[tuple[int, float]]:
        """Top-k (row, score) among ``rows`` (sorted, live; None: all) matching a query term.

        Best first, ties broken by passage id.  ``buffer`` is a reusable float64 array of
        ``n_docs`` (not thread-safe: callers lock around it).  A filter leaving few rows
        scores just those (``row_by_row``; None decides by size).
        """
        query = self.query(terms)
        if not len(query.terms) or k <= 0 or (rows is not None and not len(rows)):
            return []
        if row_by_row is None:
            row_by_row = rows is not None and len(rows) * SMALL_FILTER < self.n_docs
        if rows is not None and row_by_row:
            scores = self.score_rows(query, rows)
        else:
            if buffer is None:
                buffer = np.zeros(self.n_docs, dtype=np.float64)
            else:
                buffer.fill(0.0)
            self.score_all(query, buffer)
            buffer[self.dead_rows] = 0.0
            scores = buffer if rows is None else buffer[rows]
        if bool(np.all(query.idfs > 0)):
            picked = _top_positive(scores, k, self._likely_rows(query, rows, k))
        else:
            picked = self._matched(query, rows, len(scores))
        at = picked if rows is None else rows[picked]
        top = picked[np.lexsort((self.keys(at), -scores[picked]))][:k]
        top_scores = scores[top].tolist()
        out_rows = top if rows is None else rows[top]
        base = float(sum(query.bases.tolist()))
        return [(r, s + base) for r, s in zip(out_rows.tolist(), top_scores, strict=True)]

    def _likely_rows(self, query: _Query, rows: np.ndarray | None, k: int) -> np.ndarray | None:
        """Rows worth a look first: those of the rarest sparse query term with at least k rows.

        Only used to find a lower bound for the k-th best score cheaply; any rows would do.
        """
        if rows is not None:
            return None
        sizes = []
        for i, s in enumerate(self.segments):
            for t in set(query.local(s).tolist()):
                if t >= 0 and s.dense_slot[t] < 0:
                    sizes.append((int(s.offsets[t + 1] - s.offsets[t]), i, t))
        if not sizes:
            return None
        sizes.sort()
        _, i, t = next(((n, i, t) for n, i, t in sizes if n >= k), sizes[-1])
        s = self.segments[i]
        found = s.post_rows[int(s.offsets[t]) : int(s.offsets[t + 1])][:HINT_ROWS]
        return np.asarray(found, dtype=np.int64) + self.starts[i]

    def _matched(self, query: _Query, rows: np.ndarray | None, n: int) -> np.ndarray:
        """Positions holding a live passage that contains a query term (the slow way)."""
        all_rows = np.arange(n) if rows is None else rows
        hit = np.zeros(n, dtype=bool)
        for i, lo, hi, part in self._split(all_rows):
            segment = self.segments[i]
            for t in set(query.local(segment).tolist()):
                hit[lo:hi] |= segment.contains(t, part)
        if rows is None:
            hit[self.dead_rows] = False
        return np.flatnonzero(hit)

    def contains(self, term: int, rows: np.ndarray) -> np.ndarray:
        """Which of the rows (sorted) contain the term: for the matched terms of a hit."""
        out = np.zeros(len(rows), dtype=bool)
        for i, lo, hi, part in self._split(rows):
            segment = self.segments[i]
            out[lo:hi] = segment.contains(segment.local(term), part)
        return out


def _top_positive(scores: np.ndarray, k: int, likely: np.ndarray | None) -> np.ndarray:
    """Positions of the k best positive scores and everything tied with the k-th.

    With every query idf positive, a passage scores above zero exactly when it matches.
    The k-th best score among a few likely rows (and a strided sample) bounds the k-th best
    overall from below, so one comparison over all rows leaves few candidates to sort;
    ``np.partition`` over a million mostly-zero scores would cost more than the scoring.
    """
    n = len(scores)
    if n <= k:
        return np.flatnonzero(scores > 0)
    step = max(1, n // SAMPLE_ROWS)
    positions = np.arange(0, n, step)
    if likely is not None:  # each row once, or a repeated score would raise the bound
        positions = np.concatenate((positions, likely[likely % step != 0]))
    probe = scores[positions]
    probe = probe[probe > 0]
    floor = np.nextafter(0.0, 1.0)
    if len(probe) >= k:
        floor = max(floor, np.partition(probe, len(probe) - k)[len(probe) - k])
    kernels = active()
    if kernels is not None and scores.flags.c_contiguous:
        picked = kernels.at_least(scores, floor)
    else:
        picked = np.flatnonzero(scores >= floor)
    if len(picked) > max(4 * k, 1024):
        values = scores[picked]
        kth = np.partition(values, len(values) - k)[len(values) - k]
        picked = picked[values >= kth]
    return picked
