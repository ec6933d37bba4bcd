"""The search API: filters that never leak, hits with what the bot shows, refresh after ingest."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pytest

from index.search import PassageIndex, index_dir, refresh
from ingest.store import delete_report, open_db
from ingest.text import normalise

REPORTS = [
    # unit, year, passages as (kind, section, text)
    (
        "东湖镇",
        2018,
        [
            ("heading", "一、概述", "一、概述"),
            (
                "paragraph",
                "一、概述",
                "东湖镇政府信息公开受理电话：0571-12345678，邮箱 DHZ@Example.com。",
            ),
            ("paragraph", "五、存在的问题", "存在的问题是信息公开数量偏少，公开形式单一。"),
            ("table_row", "统计表 / 四、行政复议数量", "行政复议数量 | 件 | 2"),
        ],
    ),
    (
        "东湖镇",
        2019,
        [
            ("paragraph", "五、存在的主要问题及改进情况", "存在的问题是政务公开意识不强。"),
            ("paragraph", "一、总体情况", "本年度受理电话变更为0571-87654321。"),
        ],
    ),
    (
        "南山街道",
        2018,
        [
            (
                "paragraph",
                "五、存在的问题",
                "存在的问题是信息公开数量偏少，信息公开数量偏少，公开栏更新不及时。",
            ),
            ("paragraph", "二、主动公开", "南山街道通过政务微博、微信公众号公开信息120条。"),
        ],
    ),
    (
        "北岭乡",
        2018,
        [
            ("paragraph", "六、其他", "本年度未收取信息處理費。"),
        ],
    ),
]


def add_report(db, unit: str, year: int, passages) -> int:
    with db.atomic():
        rid = (
            db["reports"]
            .insert(
                {
                    "unit": unit,
                    "unit_full": unit + "人民政府",
                    "year": year,
                    "sha256": f"{unit}-{year}-{len(passages)}",
                    "text": "",
                }
            )
            .last_pk
        )
        for ord_, (kind, section, text) in enumerate(passages):
            db["passages"].insert(
                {
                    "report_id": rid,
                    "ord": ord_,
                    "kind": kind,
                    "section": section,
                    "text": text,
                    "norm": normalise(text),
                    "start": 0,
                    "end": len(text),
                }
            )
    return rid


def small_db(folder: Path) -> Path:
    """The reports of ``REPORTS`` in a new database, indexed."""
    path = folder / "small.db"
    db = open_db(path)
    for unit, year, passages in REPORTS:
        add_report(db, unit, year, passages)
    db.close()
    refresh(path, workers=1)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return small_db(tmp_path)


@pytest.fixture
def index(db_path: Path) -> PassageIndex:
    return PassageIndex.open(db_path)


@pytest.mark.parametrize(
    ("question", "filters", "units_years"),
    [
        ("存在的问题", {"unit": "东湖镇"}, {("东湖镇", 2018), ("东湖镇", 2019)}),
        ("存在的问题", {"unit": "南山街道"}, {("南山街道", 2018)}),
        ("存在的问题", {"year": 2019}, {("东湖镇", 2019)}),
        ("存在的问题", {"unit": "东湖镇", "year": 2018}, {("东湖镇", 2018)}),
        ("受理电话", {"unit": "南山街道"}, set()),
        ("存在的问题", {"unit": "西山镇"}, set()),
        ("存在的问题", {"year": 2030}, set()),
        ("存在的问题", {"section": "存在的主要问题"}, {("东湖镇", 2019)}),
        ("行政复议", {"section": "行政复议"}, {("东湖镇", 2018)}),
        ("存在的问题", {"unit": "东湖镇", "section": "存在的问题"}, {("东湖镇", 2018)}),
        ("存在的问题", {"unit": "南山街道", "section": "存在的"}, {("南山街道", 2018)}),
        ("存在的问题", {"unit": "南山街道", "section": "存在的主要问题"}, set()),
        ("信息公开", {"unit": "北岭乡", "year": 2018, "section": "其他"}, {("北岭乡", 2018)}),
    ],
)
def test_filters_never_leak(index: PassageIndex, question, filters, units_years) -> None:
    hits = index.search(question, k=10, **filters)
    assert {(h.unit, h.year) for h in hits} == units_years


def test_filters_do_not_change_scores(index: PassageIndex) -> None:
    everywhere = {h.passage_id: h.score for h in index.search("存在的问题", k=10)}
    for h in index.search("存在的问题", unit="东湖镇", k=10):
        assert h.score == everywhere[h.passage_id]


def test_hit_fields(index: PassageIndex) -> None:
    [hit] = index.search("受理电话是多少", unit="东湖镇", year=2018, k=1)
    assert hit.unit == "东湖镇" and hit.year == 2018
    assert hit.section == "一、概述"
    assert hit.text.startswith("东湖镇政府信息公开受理电话")  # the original text, full width kept
    assert hit.score > 0
    assert "受理电话" in hit.terms and "多少" not in hit.terms


def test_headings_are_not_indexed(index: PassageIndex) -> None:
    assert all(h.text != "一、概述" for h in index.search("概述", k=10))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("0571-12345678", "0571-12345678"),  # numbers are tokens
        ("dhz@example.com", "DHZ@Example.com"),  # Latin lower-cased on both sides
        ("信息處理費", "信息處理費"),  # traditional question, traditional passage: both folded
        ("信息处理费", "信息處理費"),
        ("ＤＨＺ", "DHZ@Example.com"),  # full width question
    ],
)
def test_normalisation_on_both_sides(index: PassageIndex, question: str, expected: str) -> None:
    hits = index.search(question, k=1)
    assert hits and expected in hits[0].text


def test_ranking_prefers_more_matches_and_breaks_ties_by_id(index: PassageIndex) -> None:
    hits = index.search("信息公开数量偏少", k=10)
    assert hits[0].unit == "南山街道"  # the phrase twice
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for a, b in itertools.pairwise(hits):
        assert a.score > b.score or a.passage_id < b.passage_id


@pytest.mark.parametrize("question", ["", "   ", "？？？", "的了吗", "完全无关"])
def test_questions_without_matching_tokens(index: PassageIndex, question: str) -> None:
    assert index.search(question) == []


def test_k(index: PassageIndex) -> None:
    assert len(index.search("公开", k=2)) == 2
    assert index.search("公开", k=0) == []


def test_no_index_yet(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    open_db(path).close()
    index = PassageIndex.open(path)
    assert index.search("信息公开") == []
    refresh(path, workers=1)
    assert index.search("信息公开") == []  # an index of nothing


def test_running_index_picks_up_refresh(db_path: Path, index: PassageIndex) -> None:
    assert index.search("垃圾分类", k=3) == []
    db = open_db(db_path)
    add_report(db, "西江镇", 2018, [("paragraph", "二、主动公开", "西江镇公开垃圾分类信息15条。")])
    db.close()
    stats = refresh(db_path, workers=1)
    assert stats.tokenized == 1 and stats.dropped == 0
    hits = index.search("垃圾分类", k=3)
    assert [h.unit for h in hits] == ["西江镇"]
    assert [h.unit for h in index.search("垃圾分类", unit="西江镇")] == ["西江镇"]


def test_refresh_drops_deleted_passages(db_path: Path, index: PassageIndex) -> None:
    db = open_db(db_path)
    rid = db.execute("SELECT id FROM reports WHERE unit = '南山街道'").fetchone()[0]
    with db.atomic():
        delete_report(db, rid)
    db.close()
    stats = refresh(db_path, workers=1)
    assert stats.dropped == 2 and stats.tokenized == 0
    assert all(h.unit != "南山街道" for h in index.search("信息公开数量偏少", k=10))
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM passage_tokens").fetchone()[0] == 6
    conn.close()


def test_refresh_reuses_stored_tokens(db_path: Path) -> None:
    stats = refresh(db_path, workers=1)
    assert (stats.tokenized, stats.dropped, stats.retokenized) == (0, 0, 0)
    assert stats.passages == 8


def test_new_unit_name_retokenises_passages_that_mention_it(db_path: Path) -> None:
    """A passage cut before 南岭镇 was a known name is cut again once it is one."""
    db = open_db(db_path)
    add_report(db, "东湖镇", 2020, [("paragraph", "一", "与南岭镇开展信息公开交流。")])
    db.close()
    refresh(db_path, workers=1)
    db = open_db(db_path)
    add_report(db, "南岭镇", 2020, [("paragraph", "一", "南岭镇公开信息8条。")])
    db.close()
    stats = refresh(db_path, workers=1)
    assert stats.retokenized == 1 and stats.tokenized == 2
    hits = PassageIndex.open(db_path).search("南岭镇", k=5)
    assert {h.unit for h in hits} == {"东湖镇", "南岭镇"}
    assert all("南岭镇" in h.terms for h in hits)


def test_a_running_index_cuts_a_new_name_as_a_new_process_does(
    db_path: Path, index: PassageIndex
) -> None:
    """The running index grows its jieba by the new unit's words; a process started after the
    refresh loads the dictionary the refresh grew: both hold the same counts and cut alike."""
    index.search("东湖镇 存在的问题")  # the running jieba is loaded
    db = open_db(db_path)
    add_report(db, "北岭乡", 2020, [("paragraph", "一", "北岭乡公开信息8条。")])
    db.close()
    refresh(db_path, workers=1)
    assert [h.unit for h in index.search("北岭乡 公开信息", k=1)] == ["北岭乡"]
    running = index.tokenizer
    started = PassageIndex.open(db_path, warm=False)
    assert started.search("北岭乡 公开信息", k=1)
    later = started.tokenizer
    assert running.extra_words == later.extra_words
    assert "北岭乡" in running.tokens("北岭乡公开信息")
    assert (dict(running.jieba().FREQ.items()), running.jieba().total) == (
        dict(later.jieba().FREQ.items()),
        later.jieba().total,
    )


def test_index_files_replaced_atomically(db_path: Path) -> None:
    root = index_dir(db_path)
    for _ in range(3):
        refresh(db_path, workers=1)
    current = (root / "CURRENT").read_text()
    generations = sorted(p.name for p in root.glob("gen-*"))
    assert current in generations and len(generations) <= 2
    assert not list(root.glob(".*tmp"))
    meta = json.loads((root / current / "meta.json").read_text())
    assert meta["n_docs"] == 8 and meta["params"]["variant"]


def test_parallel_tokenisation_matches_serial(tmp_path: Path) -> None:
    from benchmarks.synthetic import write_db
    from index import token_store

    rows = {}
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.db"
        write_db(path, 2500, seed=3)
        old = token_store.POOL_THRESHOLD
        token_store.POOL_THRESHOLD = 100
        try:
            refresh(path, workers=workers)
        finally:
            token_store.POOL_THRESHOLD = old
        conn = sqlite3.connect(path)
        terms = dict(conn.execute("SELECT id, term FROM terms"))
        rows[workers] = [
            (pid, [terms[t] for t in memoryview(blob).cast("i")])
            for pid, blob in conn.execute(
                "SELECT passage_id, tokens FROM passage_tokens ORDER BY 1"
            )
        ]
        conn.close()
    assert rows[1] == rows[2]


def test_concurrent_searches_agree(index: PassageIndex) -> None:
    from concurrent.futures import ThreadPoolExecutor

    questions = ["存在的问题", "受理电话", "信息公开数量偏少", "行政复议"] * 25
    expected = {q: index.search(q, k=3) for q in set(questions)}
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda q: index.search(q, k=3), questions))
    assert results == [expected[q] for q in questions]
