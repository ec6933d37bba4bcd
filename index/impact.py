"""The term-major impact index: rank-bm25's scores, precomputed per term and memory-mapped.

rank-bm25 loops over every document for every query term.  Here each term keeps the rows
(passages) it occurs in and the exact float64 weight rank-bm25 would add for it there, computed
with the same operations in the same order, so a query adds a handful of arrays and gets the
same scores bit for bit (BM25Okapi) or to rounding (BM25L, BM25Plus).  A posting is a row
number and a 2-byte code into a table of idf-free factors, one per (term frequency, passage
length) pair.  Terms in over a fifth of the passages (公开, 信息, 申请 …) are stored as a dense
float64 row instead: one vectorised add beats a scatter of hundreds of thousands of postings.
The hot loops run as numba kernels (``index.kernels``) when numba imports; the numpy code here
is the fallback and gives the same files and scores bit for bit.

Files (one generation folder): ``meta.json``, ``terms.json`` (term strings by index term number)
and the ``.npy`` arrays named in ``_ARRAYS``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.kernels import active

VARIANTS = ("BM25Okapi", "BM25L", "BM25Plus")
SMALL_FILTER = 16  # a filter leaving fewer than n_rows / this rows is scored row by row
DENSE_FRACTION = 0.2  # a term in more than this share of rows is stored as a dense row
HINT_ROWS = 20000  # rows of the rarest query term probed for a lower bound on the k-th score
SAMPLE_ROWS = 2048  # plus a strided sample of all rows
_ARRAYS = (
    "offsets",
    "post_rows",
    "post_codes",
    "factors",
    "dense_slot",
    "dense",
    "dense_has",
    "idf",
    "base",
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


def idf_values(params: Params, df: np.ndarray, first_seen: np.ndarray, n_docs: int) -> np.ndarray:
    """idf per term exactly as rank-bm25 computes it (Python floats, its summation order).

    ``first_seen`` orders the terms as rank-bm25's dict does (by first occurrence in the
    corpus); BM25Okapi's average idf is summed in that order.
    """
    idf = np.empty(len(df), dtype=np.float64)
    if params.variant == "BM25Okapi":
        idf_sum = 0.0
        negative = []
        for t in np.argsort(first_seen, kind="stable").tolist():
            freq = int(df[t])
            value = math.log(n_docs - freq + 0.5) - math.log(freq + 0.5)
            idf[t] = value
            idf_sum += value
            if value < 0:
                negative.append(t)
        average = idf_sum / len(df) if len(df) else 0.0
        idf[negative] = params.epsilon * average
    elif params.variant == "BM25L":
        for t, freq in enumerate(df.tolist()):
            idf[t] = math.log(n_docs + 1) - math.log(freq + 0.5)
    else:
        for t, freq in enumerate(df.tolist()):
            idf[t] = math.log((n_docs + 1) / freq)
    return idf


def factors(params: Params, tf: np.ndarray, doc_len: np.ndarray, avgdl: float) -> np.ndarray:
    """rank-bm25's addend divided by idf, for each (term frequency, passage length) pair.

    BM25Okapi and BM25Plus multiply idf by exactly this expression, so ``idf * factor`` is
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
    tf: np.ndarray, p_row: np.ndarray, doc_len: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Number the distinct (tf, passage length) pairs: codes per posting, and the pairs.

    A corpus has a few thousand such pairs, so a posting stores a 2-byte code into a table
    of weights instead of an 8-byte weight.
    """
    width = int(doc_len.max()) + 1 if len(doc_len) else 1
    kernels = active()
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


def build(corpus: BuildInput, params: Params, folder: Path, extra_meta: dict) -> dict:
    """Write the index arrays for a corpus; returns the metadata written to ``meta.json``.

    Rows are the corpus order (callers keep rows sorted by passage id: ties break by row).
    Terms are renumbered densely; ``terms.json`` is written by the caller from
    ``meta['term_ids']`` (the input term ids in index order), removed from the meta.
    """
    folder.mkdir(parents=True, exist_ok=True)
    n_docs = len(corpus.doc_start) - 1
    doc_len = np.diff(corpus.doc_start).astype(np.int64)
    total = int(doc_len.sum())
    avgdl = total / n_docs if n_docs else 0.0
    tokens = np.asarray(corpus.tokens, dtype=np.int64)
    span = int(tokens.max()) + 1 if len(tokens) else 0
    kernels = active()
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
    else:
        p_term, p_row, tf = _sorted_pairs(renumber[tokens], doc_len, n_docs)
        df = np.bincount(p_term, minlength=n_terms)
    idf = idf_values(params, df, first_pos, n_docs)
    codes, pair_tf, pair_dl = _pair_codes(tf, p_row, doc_len)
    table = factors(params, pair_tf, pair_dl, avgdl)
    base = idf * params.delta if params.variant == "BM25Plus" else np.zeros(n_terms)
    w = idf[p_term] * table[codes]
    if params.variant == "BM25Plus":
        w = w - base[p_term]
    dense_terms = np.flatnonzero(df > DENSE_FRACTION * n_docs)
    dense_slot = np.full(n_terms, -1, dtype=np.int32)
    dense_slot[dense_terms] = np.arange(len(dense_terms), dtype=np.int32)
    is_sparse = dense_slot[p_term] < 0
    dense = np.zeros((len(dense_terms), n_docs), dtype=np.float64)
    dense_has = np.zeros((len(dense_terms), n_docs), dtype=bool)
    dense_pairs = ~is_sparse
    dense[dense_slot[p_term[dense_pairs]], p_row[dense_pairs]] = w[dense_pairs]
    dense_has[dense_slot[p_term[dense_pairs]], p_row[dense_pairs]] = True
    sparse_df = np.where(dense_slot < 0, df, 0)
    offsets = np.concatenate(([0], np.cumsum(sparse_df))).astype(np.int64)
    arrays = {
        "offsets": offsets,
        "post_rows": p_row[is_sparse].astype(np.int32),
        "post_codes": codes[is_sparse],
        "factors": table,
        "dense_slot": dense_slot,
        "dense": dense,
        "dense_has": dense_has,
        "idf": idf,
        "base": base,
    }
    for name, arr in arrays.items():
        np.save(folder / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    meta = {
        **extra_meta,
        "params": params.__dict__,
        "n_docs": n_docs,
        "n_terms": n_terms,
        "n_postings": len(p_row),
        "n_dense": len(dense_terms),
        "avgdl": avgdl,
        "term_ids": term_ids.tolist(),
    }
    return meta


@dataclass
class ImpactIndex:
    """The arrays of one index generation, memory-mapped read-only."""

    offsets: np.ndarray
    post_rows: np.ndarray
    post_codes: np.ndarray
    factors: np.ndarray
    dense_slot: np.ndarray
    dense: np.ndarray
    dense_has: np.ndarray
    idf: np.ndarray
    base: np.ndarray
    n_docs: int

    @classmethod
    def load(cls, folder: Path, n_docs: int) -> ImpactIndex:
        arrays = {
            name: np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)
            for name in _ARRAYS
        }
        return cls(**arrays, n_docs=n_docs)

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self.offsets[term]), int(self.offsets[term + 1])
        return self.post_rows[lo:hi], self.weights(term, self.post_codes[lo:hi])

    def weights(self, term: int, codes: np.ndarray) -> np.ndarray:
        """The weights of a sparse term's postings from their codes (as built: idf × factor)."""
        w = self.factors[codes]
        w *= self.idf[term]
        if self.base[term]:
            w -= self.base[term]
        return w

    def df(self, term: int) -> int:
        slot = int(self.dense_slot[term])
        if slot < 0:
            return int(self.offsets[term + 1] - self.offsets[term])
        return int(np.count_nonzero(self.dense_has[slot]))

    def score_all(self, terms: list[int], out: np.ndarray) -> None:
        """Add every query term's weights into ``out`` (one float64 per row), in query order.

        Rows not containing a term get nothing, as rank-bm25 adds 0.0 (BM25Plus's constant
        part is left out here and added by the caller).
        """
        kernels = active()
        if kernels is not None:
            kernels.score_all(
                np.asarray(terms, dtype=np.int64),
                self.dense_slot,
                self.dense,
                self.offsets,
                self.post_rows,
                self.post_codes,
                self.factors,
                self.idf,
                self.base,
                out,
            )
            return
        for t in terms:
            slot = int(self.dense_slot[t])
            if slot >= 0:
                out += self.dense[slot]
            else:
                rows, w = self.postings(t)
                out[rows] += w

    def score_rows(self, terms: list[int], rows: np.ndarray) -> np.ndarray:
        """Scores of the given rows only (sorted ascending): for filters that leave few rows."""
        out = np.zeros(len(rows), dtype=np.float64)
        for t in terms:
            slot = int(self.dense_slot[t])
            if slot >= 0:
                out += self.dense[slot][rows]
                continue
            lo, hi = int(self.offsets[t]), int(self.offsets[t + 1])
            if hi == lo:
                continue
            post_rows = self.post_rows[lo:hi]
            pos = np.minimum(np.searchsorted(post_rows, rows), hi - lo - 1)
            found = post_rows[pos] == rows
            out += np.where(found, self.weights(t, self.post_codes[lo:hi][pos]), 0.0)
        return out

    def top(
        self,
        terms: list[int],
        rows: np.ndarray | None = None,
        k: int = 3,
        buffer: np.ndarray | None = None,
        row_by_row: bool | None = None,
    ) -> list[tuple[int, float]]:
        """Top-k (row, score) among ``rows`` (sorted; None: all) matching a query term.

        Best first, ties broken by row (rows are in passage id order).  ``buffer`` is a
        reusable float64 array of ``n_docs`` (not thread-safe: callers lock around it).
        A filter leaving few rows scores just those (``row_by_row``; None decides by size).
        """
        if not terms or k <= 0 or (rows is not None and not len(rows)):
            return []
        if row_by_row is None:
            row_by_row = rows is not None and len(rows) * SMALL_FILTER < self.n_docs
        if rows is not None and row_by_row:
            scores = self.score_rows(terms, rows)
        else:
            if buffer is None:
                buffer = np.zeros(self.n_docs, dtype=np.float64)
            else:
                buffer.fill(0.0)
            self.score_all(terms, buffer)
            scores = buffer if rows is None else buffer[rows]
        if all(self.idf[t] > 0 for t in terms):
            picked = _top_positive(scores, k, self._likely_rows(terms, rows, k))
        else:
            picked = self._matched(terms, rows, len(scores))
        top = picked[np.lexsort((picked, -scores[picked]))][:k]
        top_scores = scores[top].tolist()
        out_rows = top if rows is None else rows[top]
        base = float(sum(self.base[t] for t in terms))
        return [(r, s + base) for r, s in zip(out_rows.tolist(), top_scores, strict=True)]

    def _likely_rows(self, terms: list[int], rows: np.ndarray | None, k: int) -> np.ndarray | None:
        """Rows worth a look first: those of the rarest query term with at least k rows.

        Only used to find a lower bound for the k-th best score cheaply; any rows would do.
        """
        if rows is not None:
            return None
        sizes = sorted(
            (int(self.offsets[t + 1] - self.offsets[t]), t)
            for t in set(terms)
            if self.dense_slot[t] < 0
        )
        if not sizes:
            return None
        _, term = next(((n, t) for n, t in sizes if n >= k), sizes[-1])
        return self.post_rows[int(self.offsets[term]) : int(self.offsets[term + 1])][:HINT_ROWS]

    def _matched(self, terms: list[int], rows: np.ndarray | None, n: int) -> np.ndarray:
        """Positions holding a passage that contains a query term (the slow, general way)."""
        all_rows = np.arange(n) if rows is None else rows
        hit = np.zeros(n, dtype=bool)
        for t in set(terms):
            hit |= self.contains(t, all_rows)
        return np.flatnonzero(hit)

    def contains(self, term: int, rows: np.ndarray) -> np.ndarray:
        """Which of the rows (sorted) contain the term: for the matched terms of a hit."""
        slot = int(self.dense_slot[term])
        if slot >= 0:
            return np.asarray(self.dense_has[slot][rows])
        post_rows = self.post_rows[int(self.offsets[term]) : int(self.offsets[term + 1])]
        if not len(post_rows):
            return np.zeros(len(rows), dtype=bool)
        pos = np.minimum(np.searchsorted(post_rows, rows), len(post_rows) - 1)
        return np.asarray(post_rows[pos] == rows)


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


def write_meta(folder: Path, meta: dict, terms: list[str]) -> None:
    (folder / "terms.json").write_text(json.dumps(terms, ensure_ascii=False), "utf-8")
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
