"""Incremental refresh: a delta segment and tombstones score exactly as a full rebuild would.

After any sequence of added and removed reports, the delta index ranks like an index built
from scratch over the same passages, scores equal to 1e-9 relative (only BM25Okapi's mean idf
is summed in another order), and a full rebuild stays available.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import search
from index.search import PassageIndex, index_dir, refresh
from ingest.store import delete_report, open_db
from ingest.text import normalise
from tests.index.test_search import add_report, small_db

WORDS = [
    "信息公开",
    "行政复议",
    "依申请公开",
    "政府",
    "网站",
    "收到",
    "申请",
    "办理",
    "存在的问题",
    "保密审查",
    "培训",
    "年度报告",
    "微信公众号",
    "12件",
    "3条",
]
UNITS = ["东湖镇", "南山街道", "北岭乡", "西江镇"]
QUESTIONS = ["信息公开申请", "行政复议", "存在的问题 培训", "微信公众号 网站 政府", "保密审查"]

passage_texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map("，".join)
report = st.tuples(
    st.sampled_from(UNITS), st.integers(2018, 2020), st.lists(passage_texts, min_size=1, max_size=5)
)
steps = st.lists(st.one_of(report, st.integers(0, 10)), min_size=1, max_size=4)


def results(db_path: Path) -> dict[str, list[tuple[int, float]]]:
    index = PassageIndex.open(db_path, warm=False)
    return {q: [(h.passage_id, h.score) for h in index.search(q, k=100)] for q in QUESTIONS}


def assert_same(got: dict, want: dict) -> None:
    for q in QUESTIONS:
        assert [pid for pid, _ in got[q]] == [pid for pid, _ in want[q]], q
        for (_, a), (_, b) in zip(got[q], want[q], strict=True):
            assert a == pytest.approx(b, rel=1e-9, abs=0), q


def apply(db_path: Path, step) -> None:
    db = open_db(db_path)
    try:
        if isinstance(step, int):
            ids = [r[0] for r in db.execute("SELECT id FROM reports ORDER BY id").fetchall()]
            if ids:
                with db.atomic():
                    delete_report(db, ids[step % len(ids)])
        else:
            unit, year, texts = step
            with db.atomic():
                rid = (
                    db["reports"]
                    .insert(
                        {
                            "unit": unit,
                            "unit_full": unit + "人民政府",
                            "year": year,
                            "sha256": f"r{db.execute('SELECT max(id) FROM reports').fetchone()[0]}",
                            "text": "",
                        }
                    )
                    .last_pk
                )
                for ord_, text in enumerate(texts):
                    db["passages"].insert(
                        {
                            "report_id": rid,
                            "ord": ord_,
                            "kind": "paragraph",
                            "section": "一、概述",
                            "text": text,
                            "norm": normalise(text),
                            "start": 0,
                            "end": len(text),
                        }
                    )
    finally:
        db.close()


def kind_of_current(db_path: Path) -> dict:
    root = index_dir(db_path)
    return json.loads((root / (root / "CURRENT").read_text() / "meta.json").read_text())


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(first=st.lists(report, min_size=1, max_size=3), later=steps)
def test_delta_refresh_scores_as_a_full_rebuild(tmp_path_factory, first, later) -> None:
    db_path = tmp_path_factory.mktemp("incr") / "c.db"
    for step in first:
        apply(db_path, step)
    refresh(db_path, workers=1)
    for step in later:
        apply(db_path, step)
        stats = refresh(db_path, workers=1)
        assert stats.kind == "delta"
    meta = kind_of_current(db_path)
    incremental = results(db_path)
    full = refresh(db_path, workers=1, full=True)
    assert full.kind == "full" and full.passages == meta["n_docs"]
    assert kind_of_current(db_path)["n_terms"] == meta["n_terms"]
    assert_same(incremental, results(db_path))


def test_delta_segment_is_small_and_the_base_is_kept(db_path: Path) -> None:
    base = kind_of_current(db_path)["segments"]
    apply(db_path, ("西江镇", 2018, ["西江镇公开垃圾分类信息15条"]))
    stats = refresh(db_path, workers=1)
    meta = kind_of_current(db_path)
    assert stats.kind == "delta" and stats.tokenized == 1
    assert meta["segments"][: len(base)] == base and len(meta["segments"]) == len(base) + 1
    assert meta["n_rows"] == meta["n_docs"] == 9


def test_replaced_passages_are_tombstoned(db_path: Path) -> None:
    """A report deleted after the base was built: its rows stay, marked dead, never found."""
    apply(db_path, 1)  # the second report
    stats = refresh(db_path, workers=1)
    meta = kind_of_current(db_path)
    assert stats.kind == "delta" and meta["n_dead"] == 2 and meta["n_docs"] == 6
    index = PassageIndex.open(db_path, warm=False)
    assert not any(h.year == 2019 for h in index.search("存在的问题", k=10))
    assert not any(h.year == 2019 for h in index.search("存在的问题", unit="东湖镇", k=10))


def test_running_index_reuses_the_segments_it_has(db_path: Path) -> None:
    index = PassageIndex.open(db_path, warm=False)
    assert index.search("信息公开")
    assert index._gen is not None
    before = index._gen.loaded[0]
    apply(db_path, ("西江镇", 2019, ["西江镇信息公开培训3次"]))
    refresh(db_path, workers=1)
    assert [h.unit for h in index.search("培训", k=3)] == ["西江镇"]
    assert index._gen.loaded[0] is before


def test_deltas_past_their_share_are_merged(db_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(search, "MIN_BASE", 1)
    monkeypatch.setattr(search, "MERGE_FRACTION", 0.3)
    kinds = []
    for n in range(3):
        apply(db_path, ("西江镇", 2018 + n, [f"西江镇公开信息{n}条"]))
        kinds.append(refresh(db_path, workers=1).kind)
    assert kinds == ["delta", "delta", "full"]
    assert len(kind_of_current(db_path)["segments"]) == 1


@pytest.mark.parametrize("through_index", [True, False])
def test_new_unit_name_recut_through_the_index(
    db_path: Path, monkeypatch, through_index: bool
) -> None:
    """The passages mentioning a new unit are found through postings and the log (or, past
    ``SCAN_ALL_ABOVE`` candidates, by reading them all), cut again, and land in a delta with
    their old rows tombstoned."""
    from index import token_store

    covered = []
    real = search._covers
    monkeypatch.setattr(search, "_covers", lambda *a: covered.append(a) or real(*a))
    if not through_index:
        monkeypatch.setattr(token_store, "SCAN_ALL_ABOVE", 0)
    apply(db_path, ("东湖镇", 2020, ["与南岭镇开展信息公开交流"]))
    refresh(db_path, workers=1)
    apply(db_path, ("南岭镇", 2020, ["南岭镇公开信息8条"]))
    stats = refresh(db_path, workers=1)
    assert stats.kind == "delta" and stats.retokenized == 1
    hits = PassageIndex.open(db_path, warm=False).search("南岭镇", k=5)
    assert {h.unit for h in hits} == {"东湖镇", "南岭镇"}
    assert all("南岭镇" in h.terms for h in hits)
    assert bool(covered) == through_index


def test_the_log_is_pruned_after_a_refresh(db_path: Path) -> None:
    apply(db_path, ("西江镇", 2018, ["西江镇公开信息"]))
    refresh(db_path, workers=1)
    db = open_db(db_path)
    try:
        assert db.execute("SELECT count(*) FROM index_log").fetchone()[0] == 0
    finally:
        db.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return small_db(tmp_path)


def test_questions_agree_with_full_rebuild_over_many_deltas(tmp_path: Path) -> None:
    path = tmp_path / "many.db"
    texts = ["，".join(c) for c in itertools.combinations(WORDS[:8], 3)]
    apply(path, ("东湖镇", 2018, texts[:20]))
    refresh(path, workers=1)
    for i, text in enumerate(texts[20:30]):
        apply(path, (UNITS[i % 4], 2019, [text, texts[i]]))
        if i % 3 == 2:
            apply(path, i)
        assert refresh(path, workers=1).kind == "delta"
    incremental = results(path)
    refresh(path, workers=1, full=True)
    assert_same(incremental, results(path))


def test_nianbao_reindex_rebuilds_whole(db_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli.commands import main

    apply(db_path, ("西江镇", 2018, ["西江镇公开信息"]))
    assert refresh(db_path, workers=1).kind == "delta"
    done = CliRunner().invoke(main, ["reindex", "--db", str(db_path)])
    assert done.exit_code == 0, done.output
    assert "passage index rebuilt: 9 passages" in done.output
    assert len(kind_of_current(db_path)["segments"]) == 1


def test_a_renamed_unit_reaches_the_filters(db_path: Path) -> None:
    """The index keeps each passage's unit: a rename logs the report's passages."""
    db = open_db(db_path)
    try:
        with db.atomic():
            db.execute("UPDATE reports SET unit = '南山镇' WHERE unit = '南山街道'")
    finally:
        db.close()
    assert refresh(db_path, workers=1).kind == "delta"
    index = PassageIndex.open(db_path, warm=False)
    assert {h.unit for h in index.search("信息公开", unit="南山镇", k=10)} == {"南山镇"}
    assert index.search("信息公开", unit="南山街道", k=10) == []


def test_an_index_of_an_older_format_is_not_current(db_path: Path) -> None:
    from index.search import is_current

    root = index_dir(db_path)
    meta_path = root / (root / "CURRENT").read_text() / "meta.json"
    assert is_current(db_path)
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "format": 1}))
    assert not is_current(db_path)
    assert refresh(db_path, workers=1).kind == "full"
    assert is_current(db_path)


def test_many_deltas_are_merged_into_one(db_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(search, "MAX_SEGMENTS", 3)
    counts = []
    for n in range(4):
        apply(db_path, ("西江镇", 2018 + n, [f"西江镇公开信息{n}条，培训{n}次"]))
        if n == 2:
            apply(db_path, 4)  # remove one of the added reports
        assert refresh(db_path, workers=1).kind == "delta"
        counts.append(len(kind_of_current(db_path)["segments"]))
    assert counts == [2, 3, 2, 3]
    incremental = results(db_path)
    refresh(db_path, workers=1, full=True)
    assert_same(incremental, results(db_path))


def test_an_index_left_by_a_deleted_database_of_the_same_name_is_rebuilt(
    db_path: Path,
) -> None:
    """A database deleted and made again at the same path starts its generation count
    afresh: the old index folder may claim the same count, and must not be taken for it."""
    from index.search import is_current

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    add_report(db, "北岭乡", 2020, [("paragraph", "总体情况", "北岭乡本年度开展保密审查培训两次")])
    db.close()

    assert not is_current(db_path)
    assert refresh(db_path, workers=1).kind == "full"
    assert is_current(db_path)
    hits = PassageIndex.open(db_path, warm=False).search("保密审查", k=10)
    db = open_db(db_path)
    units = {db["reports"].get(db["passages"].get(h.passage_id)["report_id"])["unit"] for h in hits}
    db.close()
    assert units == {"北岭乡"}
