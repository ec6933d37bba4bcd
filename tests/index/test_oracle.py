"""rank-bm25 is the oracle: the index's scores and order must be its scores and order.

For every passage that shares a token with the question, the score equals rank-bm25's
``get_scores`` for the configured variant to 1e-6, and the ranking is rank-bm25's sorted by
score, ties broken by passage id.  Checked on the sample corpus, on a synthetic corpus of a few
thousand passages, and on random small corpora (hypothesis) for all three variants; every test
runs twice, once with the numba kernels building and scoring and once with pure numpy.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pytest
import rank_bm25
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import write_db
from index import kernels
from index.impact import BuildInput, ImpactIndex, Params, build
from index.search import PassageIndex, build_index, load_params, refresh
from index.token_store import INDEXED_KINDS

QUESTIONS = [
    "信息公开工作存在哪些问题",
    "政府信息公开领导小组组长是谁",
    "受理电话是多少",
    "通过哪些渠道公开政府信息",
    "行政复议和行政诉讼的数量",
    "依申请公开的办理情况",
    "联系邮箱",
    "微信公众号发布了多少政务信息",
    "明年有什么工作打算",
    "保密审查",
    "政府 政府 公开",
    "公开",
    "完全无关的内容 xyz",
]


@pytest.fixture(autouse=True, params=["numba", "numpy"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both scoring engines must reproduce rank-bm25 (numba is a test dependency)."""
    monkeypatch.setattr(kernels, "ENGINE", request.param)
    assert (kernels.active() is not None) == (request.param == "numba")
    return request.param


def oracle_for(db_path: Path, params: Params):
    """rank-bm25 built over the stored tokens of the indexed passages, in passage id order."""
    conn = sqlite3.connect(db_path)
    kinds = ",".join("?" for _ in INDEXED_KINDS)
    terms = dict(conn.execute("SELECT id, term FROM terms").fetchall())
    rows = conn.execute(
        "SELECT p.id, t.tokens FROM passages p JOIN passage_tokens t ON t.passage_id = p.id "
        f"WHERE p.kind IN ({kinds}) ORDER BY p.id",
        INDEXED_KINDS,
    ).fetchall()
    conn.close()
    ids = [r[0] for r in rows]
    docs = [[terms[int(t)] for t in np.frombuffer(r[1], dtype="<i4")] for r in rows]
    cls = getattr(rank_bm25, params.variant)
    extra = (
        {"epsilon": params.epsilon} if params.variant == "BM25Okapi" else {"delta": params.delta}
    )
    return cls(docs, k1=params.k1, b=params.b, **extra), ids, docs


def assert_same_as_oracle(index: PassageIndex, oracle, ids: list[int], docs, question: str):
    tokens = index.tokenizer.tokens(question)
    expected = oracle.get_scores(tokens)
    matched = [i for i, d in enumerate(docs) if set(tokens) & set(d)]
    ranked = index.rank(index.query_terms(question), None, k=len(ids) + 1)
    got = {ids[row]: score for row, score in ranked}
    assert sorted(got) == sorted(ids[i] for i in matched), question
    for i in matched:
        assert got[ids[i]] == pytest.approx(expected[i], abs=1e-6), (question, ids[i])
    want_order = sorted(matched, key=lambda i: (-expected[i], ids[i]))
    assert [ids[row] for row, _ in ranked] == [ids[i] for i in want_order], question


@pytest.mark.parametrize("question", QUESTIONS)
def test_sample_corpus_matches_rank_bm25(sample_db_path: Path, question: str) -> None:
    index = PassageIndex.open(sample_db_path)
    oracle, ids, docs = oracle_for(sample_db_path, load_params())
    assert_same_as_oracle(index, oracle, ids, docs, question)


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.db"
    assert write_db(path, 3000, seed=7) == 3000
    refresh(path, workers=1)
    return path


@pytest.mark.parametrize(
    "params",
    [
        Params("BM25Okapi"),
        Params("BM25Okapi", k1=1.2, b=0.5, epsilon=0.5),
        Params("BM25L", delta=0.5),
        Params("BM25Plus", delta=1.0),
    ],
    ids=lambda p: f"{p.variant}-k1={p.k1}-b={p.b}",
)
def test_synthetic_corpus_matches_rank_bm25(synthetic_db: Path, params: Params) -> None:
    index = PassageIndex.open(synthetic_db)
    build_index(synthetic_db, index.tokenizer, params)
    index = PassageIndex.open(synthetic_db)
    oracle, ids, docs = oracle_for(synthetic_db, params)
    for question in QUESTIONS:
        assert_same_as_oracle(index, oracle, ids, docs, question)
    top = index.search("信息公开工作存在哪些问题", k=10)
    assert [h.passage_id for h in top] == [
        ids[r] for r, _ in index.rank(index.query_terms("信息公开工作存在哪些问题"), None, 10)
    ]


def test_okapi_scores_are_bit_identical(synthetic_db: Path) -> None:
    """Same operations in the same order: not just close, equal (ties stay ties)."""
    build_index(synthetic_db, PassageIndex.open(synthetic_db).tokenizer, Params("BM25Okapi"))
    index = PassageIndex.open(synthetic_db)
    oracle, _, _ = oracle_for(synthetic_db, Params("BM25Okapi"))
    question = "政府信息公开工作领导小组"
    expected = oracle.get_scores(index.tokenizer.tokens(question))
    for row, score in index.rank(index.query_terms(question), None, k=50):
        assert score == expected[row]


corpora = st.lists(st.lists(st.integers(0, 12), min_size=0, max_size=15), min_size=1, max_size=25)


def _assert_same_ranking(got: list[int], want: list[int], scores) -> None:
    """The same rows in the same order, except that rows whose scores differ only by float
    rounding (a tie summed in another order: 0.1 + 0.2 vs 0.2 + 0.1) may swap places."""
    if got == want:
        return
    assert len(got) == len(want)
    assert [scores[r] for r in got] == pytest.approx([scores[r] for r in want], abs=1e-9)
    assert len(set(got)) == len(got)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    docs=corpora,
    query=st.lists(st.integers(0, 14), min_size=1, max_size=6),
    variant=st.sampled_from(["BM25Okapi", "BM25L", "BM25Plus"]),
    k1=st.sampled_from([0.5, 1.2, 1.5, 2.0]),
    b=st.sampled_from([0.0, 0.3, 0.75, 1.0]),
    k=st.integers(1, 30),
)
def test_random_corpora_match_rank_bm25(docs, query, variant, k1, b, k) -> None:
    """Tiny corpora make rank-bm25's corner cases common: Okapi's negative idf floor,
    terms in every document, empty documents, repeated query terms."""
    if sum(map(len, docs)) == 0:
        return
    params = Params(variant, k1=k1, b=b, delta=0.5 if variant == "BM25L" else 1.0)
    extra = {"epsilon": params.epsilon} if variant == "BM25Okapi" else {"delta": params.delta}
    oracle = getattr(rank_bm25, variant)(docs, k1=k1, b=b, **extra)
    corpus = BuildInput.from_docs(docs)
    with tempfile.TemporaryDirectory() as tmp:
        meta = build(corpus, params, Path(tmp), {})
        index = ImpactIndex.load(Path(tmp), meta["n_docs"])
        terms = list(query)  # term ids the corpus lacks are left out by the index
        expected = oracle.get_scores(query)
        matched = [i for i, d in enumerate(docs) if set(query) & set(d)]
        want = sorted(matched, key=lambda i: (-expected[i], i))[:k]
        got = index.top(terms, None, k)
        _assert_same_ranking([r for r, _ in got], want, expected)
        for row, score in got:
            assert score == pytest.approx(expected[row], abs=1e-6)
        rows = np.arange(0, len(docs), 2)
        want_f = [i for i in sorted(matched, key=lambda i: (-expected[i], i)) if i % 2 == 0][:k]
        for row_by_row in (False, True):
            filtered = index.top(terms, rows, k, row_by_row=row_by_row)
            _assert_same_ranking([r for r, _ in filtered], want_f, expected)
            for row, score in filtered:
                assert score == pytest.approx(expected[row], abs=1e-6)
        del index
