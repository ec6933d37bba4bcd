"""The numba kernels against the numpy fallback: same index files, same scores bit for bit.

rank-bm25 agreement of both engines is in ``test_index_oracle.py``; here the two engines are
compared with each other exactly, which a tolerance of 1e-6 would not catch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import kernels
from index.impact import _ARRAYS, BuildInput, ImpactIndex, Params, build

VARIANTS = [Params("BM25Okapi", b=0.3), Params("BM25L"), Params("BM25Plus", delta=1.0)]


def zipf_corpus(n_docs: int, vocabulary: int, seed: int) -> BuildInput:
    """Skewed term frequencies, so some terms are dense rows and most are sparse."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 60, n_docs)
    tokens = rng.zipf(1.3, int(lengths.sum())).astype(np.int64) % vocabulary
    return BuildInput(tokens, np.concatenate(([0], np.cumsum(lengths))))


def build_with(engine: str, corpus: BuildInput, params: Params, folder: Path, monkeypatch):
    monkeypatch.setattr(kernels, "ENGINE", engine)
    meta = build(corpus, params, folder, {})
    return meta, ImpactIndex.load(folder, meta["n_docs"])


@pytest.mark.parametrize("params", VARIANTS, ids=lambda p: p.variant)
def test_engines_build_identical_files_and_scores(tmp_path: Path, params: Params, monkeypatch):
    corpus = zipf_corpus(4000, 3000, seed=3)
    meta_np, numpy_index = build_with("numpy", corpus, params, tmp_path / "np", monkeypatch)
    meta_nb, numba_index = build_with("numba", corpus, params, tmp_path / "nb", monkeypatch)
    assert meta_np == meta_nb
    assert meta_np["n_dense"] > 0
    for name in _ARRAYS:
        a, b = np.load(tmp_path / "np" / f"{name}.npy"), np.load(tmp_path / "nb" / f"{name}.npy")
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    last = meta_np["term_ids"][-1]
    for query in ([0, 1, 2], [5, 5, 100, 2000], [1, 7, 9, 33, 250], [last], [last, 0]):
        scores = {}
        for engine in ("numpy", "numba"):
            monkeypatch.setattr(kernels, "ENGINE", engine)
            out = np.zeros(meta_np["n_docs"])
            numpy_index.score_all(query, out)
            scores[engine] = (out, numba_index.top(query, None, 10))
        assert np.array_equal(scores["numpy"][0], scores["numba"][0]), query
        assert scores["numpy"][1] == scores["numba"][1], query


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scores=st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, -1.0]), max_size=50),
    floor=st.sampled_from([-1.0, 0.0, 0.5, 1.0, 3.0]),
)
def test_at_least_is_flatnonzero(scores: list[float], floor: float) -> None:
    compiled = kernels._load()
    assert compiled is not None
    values = np.asarray(scores, dtype=np.float64)
    assert np.array_equal(compiled.at_least(values, floor), np.flatnonzero(values >= floor))


def test_empty_corpus_builds_with_both_engines(tmp_path: Path, monkeypatch) -> None:
    corpus = BuildInput(np.zeros(0, dtype=np.int64), np.zeros(3, dtype=np.int64))
    for engine in ("numpy", "numba"):
        meta, index = build_with(engine, corpus, Params(), tmp_path / engine, monkeypatch)
        assert meta["n_postings"] == 0 and index.top([], None, 3) == []


@pytest.mark.parametrize(
    ("setting", "compiled"), [("numpy", False), ("numba", True), ("auto", True)]
)
def test_engine_setting(monkeypatch, setting: str, compiled: bool) -> None:
    monkeypatch.setattr(kernels, "ENGINE", setting)
    assert (kernels.active() is not None) == compiled


def test_unknown_engine_is_an_error(monkeypatch) -> None:
    monkeypatch.setattr(kernels, "ENGINE", "fortran")
    with pytest.raises(ValueError, match="fortran"):
        kernels.active()


def test_missing_numba_falls_back_to_numpy(monkeypatch) -> None:
    monkeypatch.setattr(kernels, "_compiled", None)
    monkeypatch.setattr(kernels, "_failed", True)
    monkeypatch.setattr(kernels, "ENGINE", "auto")
    assert kernels.active() is None
    kernels.warm_up()
    monkeypatch.setattr(kernels, "ENGINE", "numba")
    with pytest.raises(RuntimeError, match="numba"):
        kernels.active()


def test_warm_up_compiles_the_types_a_loaded_index_uses(tmp_path: Path, monkeypatch) -> None:
    """Read-only memory maps are their own numba type: warm-up must compile for them."""
    monkeypatch.setattr(kernels, "ENGINE", "numba")
    meta, index = build_with("numba", zipf_corpus(50, 40, seed=1), Params(), tmp_path, monkeypatch)
    kernels.warm_up_in_background().join()
    compiled = kernels.active()
    assert compiled is not None
    before = len(compiled.score_all.signatures)
    index.score_all([0, 1, 2], np.zeros(meta["n_docs"]))
    assert len(compiled.score_all.signatures) == before


def test_few_queries_keep_auto_on_numpy(monkeypatch) -> None:
    """One question in its own process does not import numba (a second or two to load)."""
    monkeypatch.setattr(kernels, "ENGINE", "auto")
    monkeypatch.setattr(kernels, "_compiled", None)
    monkeypatch.setattr(kernels, "_few_queries", False)
    kernels.few_queries()
    assert kernels.active() is None
    monkeypatch.setattr(kernels, "ENGINE", "numba")
    assert kernels.active() is not None
