"""Compiled loops (numba) for the impact index; the numpy code in ``impact`` is the fallback.

numpy's ``out[rows] += w`` builds a weight array per term and scatters it in a second pass; at
a million passages a query scatters a million postings that way and misses its latency target.
The loops here do the same float64 operations in the same order (so scores stay equal to
rank-bm25's, bit for bit for BM25Okapi) in one pass without temporaries.

numba is imported on first use, not with the package: importing it costs a few tenths of a
second that a command which never searches should not pay.  The kernels are compiled with
``cache=True``: the first process compiles (about a second) and later ones load the machine code
from ``__pycache__``, or from the user cache directory when the package folder is read-only.
``NIANBAO_INDEX_ENGINE`` (``auto``, ``numba`` or ``numpy``) sets the default; tests switch
``ENGINE`` directly.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ingest.user_cache import cache_dir

ENGINES = ("auto", "numba", "numpy")
ENGINE = os.environ.get("NIANBAO_INDEX_ENGINE", "auto")
_compiled: SimpleNamespace | None = None
_failed = False
_lock = threading.Lock()  # numba imported once, whichever thread asks first
_few_queries = False


def few_queries() -> None:
    """This process runs a query or two (one ``nianbao ask``): ``auto`` keeps to numpy.

    Importing numba and loading the cached kernels takes one to two seconds; the numpy code
    answers a query at a million passages within a few milliseconds more than the kernels.
    """
    global _few_queries
    _few_queries = True


def active() -> SimpleNamespace | None:
    """The compiled kernels when the engine setting allows them and numba imports, else None."""
    if ENGINE not in ENGINES:
        raise ValueError(f"unknown index engine {ENGINE!r}; use one of {ENGINES}")
    if ENGINE == "numpy" or (ENGINE == "auto" and _few_queries and _compiled is None):
        return None
    kernels = _load()
    if kernels is None and ENGINE == "numba":
        raise RuntimeError("index engine 'numba' requested but numba does not import")
    return kernels


def _load() -> SimpleNamespace | None:
    global _compiled, _failed
    if _compiled is not None or _failed:
        return _compiled
    with _lock:
        if _compiled is not None or _failed:
            return _compiled
        _choose_cache_dir()
        try:
            import numba
        except ImportError:
            _failed = True
            return None
        jit = numba.njit(cache=True, nogil=True)
        _compiled = SimpleNamespace(
            score_all=jit(_score_all),
            at_least=jit(_at_least),
            first_seen=jit(_first_seen),
            pairs_by_term=jit(_pairs_by_term),
            pair_codes=jit(_pair_codes),
            by_row=jit(_by_row),
        )
    return _compiled


def _package_writable() -> bool:
    """Whether numba can write its cache beside this module (``__pycache__``)."""
    folder = Path(__file__).parent
    cache = folder / "__pycache__"
    return os.access(cache if cache.is_dir() else folder, os.W_OK)


def _choose_cache_dir() -> None:
    """Send numba's kernel cache to the user cache directory when the package folder is
    read-only (an installed system package), unless the user chose a folder.

    numba reads ``NUMBA_CACHE_DIR`` when it is imported, so this runs just before.  Without
    it every process would compile the kernels again (about a second).
    """
    if os.environ.get("NUMBA_CACHE_DIR") or _package_writable():
        return
    os.environ["NUMBA_CACHE_DIR"] = str(cache_dir("numba"))


def warm_up() -> None:
    """Compile (or load from the cache) the query kernels for the types a loaded index has.

    Index arrays are read-only memory maps, a distinct type to numba: the dummies are too.
    """
    kernels = active()
    if kernels is None:
        return
    query: list[np.ndarray] = [np.zeros(2, dtype=np.int64), np.ones(2), np.zeros(2)]
    arrays: list[np.ndarray] = [
        np.zeros(1, dtype=np.int32),  # dense_slot
        np.zeros((1, 2), dtype=np.uint16),  # dense_codes
        np.array([0, 1, 1], dtype=np.int64),  # offsets
        np.zeros(1, dtype=np.int32),  # post_rows
        np.zeros(1, dtype=np.uint16),  # post_codes
    ]
    arrays[0][0] = -1
    for arr in arrays:
        arr.setflags(write=False)
    out = np.zeros(2, dtype=np.float64)
    kernels.score_all(*query, *arrays, np.ones(2), 1, out)
    kernels.at_least(out, 0.5)


def warm_up_in_background() -> threading.Thread:
    """Start ``warm_up`` in a daemon thread: an index opens at once, the first query waits."""
    thread = threading.Thread(target=warm_up, name="index-kernels", daemon=True)
    thread.start()
    return thread


def _score_all(
    terms, idfs, bases, dense_slot, dense_codes, offsets, post_rows, post_codes, table, absent, out
):
    """Add each query term's weights into ``out`` in query order (as ``Segment.score_all``).

    A posting's weight is ``table[code] * idf - base`` exactly as numpy computes it; a dense
    row's ``absent`` code adds nothing.
    """
    n = out.shape[0]
    for q in range(terms.shape[0]):
        t = terms[q]
        term_idf = idfs[q]
        term_base = bases[q]
        slot = dense_slot[t]
        if slot >= 0:
            row = dense_codes[slot]
            for i in range(n):
                code = row[i]
                if code != absent:
                    w = table[code] * term_idf
                    if term_base != 0.0:
                        w -= term_base
                    out[i] += w
        else:
            for j in range(offsets[t], offsets[t + 1]):
                w = table[post_codes[j]] * term_idf
                if term_base != 0.0:
                    w -= term_base
                out[post_rows[j]] += w


def _at_least(scores, floor):
    """Positions with ``scores >= floor``, ascending (``np.flatnonzero`` without the mask)."""
    count = 0
    for i in range(scores.shape[0]):
        if scores[i] >= floor:
            count += 1
    picked = np.empty(count, dtype=np.int64)
    count = 0
    for i in range(scores.shape[0]):
        if scores[i] >= floor:
            picked[count] = i
            count += 1
    return picked


def _first_seen(tokens, span):
    """Each term id's first position in ``tokens`` (``len(tokens)`` for ids never seen)."""
    first = np.full(span, tokens.shape[0], dtype=np.int64)
    for j in range(tokens.shape[0] - 1, -1, -1):
        first[tokens[j]] = j
    return first


def _pairs_by_term(tokens, doc_start, n_terms):
    """The distinct (term, row) pairs sorted by term then row, with their counts.

    ``tokens`` are dense term numbers.  Counting per row then a stable counting sort by term:
    linear, where sorting one int64 key per token is not.
    """
    n_docs = doc_start.shape[0] - 1
    tf_scratch = np.zeros(n_terms, dtype=np.int64)
    df = np.zeros(n_terms, dtype=np.int64)
    n_pairs = 0
    for d in range(n_docs):
        for j in range(doc_start[d], doc_start[d + 1]):
            t = tokens[j]
            if tf_scratch[t] == 0:
                df[t] += 1
                n_pairs += 1
            tf_scratch[t] += 1
        for j in range(doc_start[d], doc_start[d + 1]):
            tf_scratch[tokens[j]] = 0
    start = np.zeros(n_terms + 1, dtype=np.int64)
    for t in range(n_terms):
        start[t + 1] = start[t] + df[t]
    fill = start[:-1].copy()
    p_row = np.empty(n_pairs, dtype=np.int64)
    tf = np.empty(n_pairs, dtype=np.int64)
    for d in range(n_docs):
        for j in range(doc_start[d], doc_start[d + 1]):
            tf_scratch[tokens[j]] += 1
        for j in range(doc_start[d], doc_start[d + 1]):
            t = tokens[j]
            if tf_scratch[t] > 0:
                p_row[fill[t]] = d
                tf[fill[t]] = tf_scratch[t]
                fill[t] += 1
                tf_scratch[t] = 0
    return start, p_row, tf


def _pair_codes(tf, p_row, doc_len, width, space):
    """``impact._pair_codes`` without its 50M-element temporaries: codes (uint32) and pairs.

    A pair's raw value is ``tf * width + length``; codes number the present values in order.
    """
    code_of = np.zeros(space, dtype=np.int64)
    for i in range(tf.shape[0]):
        code_of[tf[i] * width + doc_len[p_row[i]]] = 1
    n_present = 0
    for v in range(space):
        if code_of[v]:
            n_present += 1
    present = np.empty(n_present, dtype=np.int64)
    n_present = 0
    for v in range(space):
        if code_of[v]:
            present[n_present] = v
            code_of[v] = n_present
            n_present += 1
    codes = np.empty(tf.shape[0], dtype=np.uint32)
    for i in range(tf.shape[0]):
        codes[i] = code_of[tf[i] * width + doc_len[p_row[i]]]
    return codes, present


def _by_row(p_row, p_term, n_docs):
    """The (term, row) pairs regrouped by row, terms ascending within a row (a stable
    counting sort of pairs given in term order): ``(start per row, terms)``."""
    start = np.zeros(n_docs + 1, dtype=np.int64)
    for i in range(p_row.shape[0]):
        start[p_row[i] + 1] += 1
    for d in range(n_docs):
        start[d + 1] += start[d]
    fill = start[:-1].copy()
    terms = np.empty(p_row.shape[0], dtype=np.int32)
    for i in range(p_row.shape[0]):
        r = p_row[i]
        terms[fill[r]] = p_term[i]
        fill[r] += 1
    return start, terms
