from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest.pipeline as pipeline
from ingest.pipeline import discover, ingest_file, ingest_paths
from ingest.store import SCHEMA_VERSION, open_db
from tests.support import FIXTURES, NATIONAL

UNITS = {"乌镇镇", "西集镇", "西塘镇", "宜就镇", "於潜镇"}


def _counts(db) -> dict[str, int]:
    return {t: db[t].count for t in ("reports", "passages", "statistics", "conflicts", "checks")}


def test_samples_load_with_unit_and_year(fresh_db, samples_dir: Path) -> None:
    outcomes = ingest_paths(fresh_db, [samples_dir])
    assert [o.status for o in outcomes] == ["added"] * 5
    rows = {(r["unit"], r["year"]) for r in fresh_db["reports"].rows}
    assert rows == {(u, 2018) for u in UNITS}
    assert all(o.passages > 5 for o in outcomes)


def test_passage_offsets_point_into_original(fresh_db, samples_dir: Path) -> None:
    ingest_paths(fresh_db, [samples_dir])
    texts = {r["id"]: r["text"] for r in fresh_db["reports"].rows}
    for p in fresh_db["passages"].rows:
        assert texts[p["report_id"]][p["start"] : p["end"]] == p["text"]


def test_every_statistic_points_at_the_passage_holding_its_evidence(fresh_db, samples_dir) -> None:
    """/source and the answers' source buttons open this passage, so it must be the right one."""
    ingest_paths(fresh_db, [samples_dir, NATIONAL])
    rows = fresh_db.query(
        """SELECT s.key, s.evidence, p.text FROM statistics s
           JOIN passages p ON p.id = s.passage_id WHERE s.source != 'derived'"""
    )
    checked = 0
    for row in rows:
        first_line = row["evidence"].strip().splitlines()[0].strip()
        assert first_line in row["text"], (row["key"], row["evidence"], row["text"])
        checked += 1
    assert checked > 300


def test_reingest_changes_nothing(fresh_db, samples_dir: Path) -> None:
    ingest_paths(fresh_db, [samples_dir])
    before = _counts(fresh_db)
    ids = [r["id"] for r in fresh_db["reports"].rows]
    outcomes = ingest_paths(fresh_db, [samples_dir])
    assert {o.status for o in outcomes} == {"unchanged"}
    assert _counts(fresh_db) == before
    assert [r["id"] for r in fresh_db["reports"].rows] == ids


def test_changed_file_replaces_its_report(fresh_db, samples_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "xiji.txt"
    shutil.copy(samples_dir / "xiji-2018.txt", copy)
    assert ingest_file(fresh_db, copy).status == "added"
    copy.write_text(copy.read_text("utf-8") + "\n九、其他\n新增一段说明。\n", "utf-8")
    outcome = ingest_file(fresh_db, copy)
    assert outcome.status == "updated"
    assert fresh_db["reports"].count == 1
    assert "新增一段说明" in next(iter(fresh_db["reports"].rows))["text"]


def test_same_content_under_another_name_is_a_duplicate(
    fresh_db, samples_dir: Path, tmp_path: Path
) -> None:
    ingest_file(fresh_db, samples_dir / "wuzhen-2018.txt")
    other = tmp_path / "renamed.txt"
    other.write_bytes((samples_dir / "wuzhen-2018.txt").read_bytes())
    outcome = ingest_file(fresh_db, other)
    assert outcome.status == "duplicate"
    assert "wuzhen-2018.txt" in outcome.reason
    regbk = tmp_path / "wuzhen-gbk.txt"
    regbk.write_bytes((samples_dir / "wuzhen-2018.txt").read_text("utf-8").encode("gb18030"))
    assert ingest_file(fresh_db, regbk).status == "duplicate"
    assert fresh_db["reports"].count == 1


def test_failure_halfway_leaves_database_as_it_was(
    fresh_db, samples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(fresh_db, samples_dir / "wuzhen-2018.txt")
    before = _counts(fresh_db)

    def exploding_passage_for(*args, **kwargs):
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(pipeline, "_passage_for", exploding_passage_for)
    with pytest.raises(RuntimeError):
        ingest_file(fresh_db, samples_dir / "xiji-2018.txt")
    assert _counts(fresh_db) == before


def test_failure_while_replacing_keeps_the_old_report(
    fresh_db, samples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "xiji.txt"
    shutil.copy(samples_dir / "xiji-2018.txt", copy)
    ingest_file(fresh_db, copy)
    before = _counts(fresh_db)
    copy.write_text(copy.read_text("utf-8") + "\n附记：此处为测试追加的文字。\n", "utf-8")

    def exploding(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "_passage_for", exploding)
    with pytest.raises(RuntimeError):
        ingest_file(fresh_db, copy)
    assert _counts(fresh_db) == before
    assert "测试追加" not in next(iter(fresh_db["reports"].rows))["text"]


def test_bad_files_do_not_stop_good_ones(fresh_db, samples_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(samples_dir / "yijiu-2018.txt", folder / "a-good.txt")
    (folder / "b-empty.txt").write_bytes(b"")
    (folder / "c-image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (folder / "d-junk.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "e-nometa.txt").write_text("这是一份没有标题的文件。\n内容很少。\n", "utf-8")
    shutil.copy(samples_dir / "wuzhen-2018.txt", folder / "f-good.txt")
    outcomes = ingest_paths(fresh_db, [folder])
    status = {o.path.name: o.status for o in outcomes}
    assert status == {
        "a-good.txt": "added",
        "b-empty.txt": "refused",
        "c-image.png": "refused",
        "d-junk.txt": "refused",
        "e-nometa.txt": "refused",
        "f-good.txt": "added",
    }
    reasons = {o.path.name: o.reason for o in outcomes}
    assert "--unit" in reasons["e-nometa.txt"] and "--year" in reasons["e-nometa.txt"]
    assert fresh_db["reports"].count == 2


def test_options_and_sidecar_supply_missing_metadata(fresh_db, tmp_path: Path) -> None:
    text = "一、总体情况\n本年度主动公开政府信息12条。\n"
    a = tmp_path / "a.txt"
    a.write_text(text, "utf-8")
    assert ingest_file(fresh_db, a, unit="嘉善县东湖镇", year=2019).status == "added"
    row = next(iter(fresh_db["reports"].rows_where("source_file = ?", ["a.txt"])))
    assert (row["unit"], row["parent"], row["year"]) == ("东湖镇", "嘉善县", 2019)
    b = tmp_path / "b.txt"
    b.write_text(text + "二、其他\n无。\n", "utf-8")
    (tmp_path / "b.txt.meta.toml").write_text('unit = "南湖乡"\nyear = 2020\n', "utf-8")
    assert ingest_file(fresh_db, b).status == "added"
    row = next(iter(fresh_db["reports"].rows_where("source_file = ?", ["b.txt"])))
    assert (row["unit"], row["year"], row["level"]) == ("南湖乡", 2020, "乡")


def test_discover_skips_hidden_and_sidecars(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.txt").write_text("x", "utf-8")
    (tmp_path / "sub" / "r.txt.meta.toml").write_text("x", "utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.txt").write_text("x", "utf-8")
    assert [(e.path.name, e.refusal) for e in discover([tmp_path])] == [("r.txt", None)]


def test_missing_path_is_refused(fresh_db, tmp_path: Path) -> None:
    outcomes = ingest_paths(fresh_db, [tmp_path / "nope.txt"])
    assert outcomes[0].status == "refused"


def _ingest_alone(factory: pytest.TempPathFactory, name: str, data: bytes) -> str:
    """Ingest one file into a database of its own; the outcome's status."""
    folder = factory.mktemp("fuzz")
    path = folder / name
    path.write_bytes(data)
    db = open_db(folder / "f.db")
    try:
        return ingest_file(db, path).status
    finally:
        db.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from([".txt", ".md", ".html", ".docx", ".pdf", ".bin"]),
)
def test_arbitrary_bytes_never_raise(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    assert _ingest_alone(tmp_path_factory, f"f{suffix}", data) in {"added", "refused"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.text(max_size=600))
def test_arbitrary_report_text_never_raises(
    tmp_path_factory: pytest.TempPathFactory, body: str
) -> None:
    text = "某某镇2019年政府信息公开工作年度报告\n" + body
    status = _ingest_alone(tmp_path_factory, "r.txt", text.encode("utf-8"))
    assert status in {"added", "refused"}


@pytest.mark.parametrize(
    ("name", "unit", "encoding", "key", "value"),
    [
        ("xiji-2018.docx", "西集镇", None, "lawsuits", 6),
        ("xiji-2018.pdf", "西集镇", None, "proactive", 654),
        ("wuzhen-2018.gbk.html", "乌镇镇", "gb18030", "requests.received", 1),
        ("yuqian-2018.big5.txt", "於潜镇", "big5", "channels.wechat", 398),
        ("xitang-2018.gbk.md", "西塘镇", "gb18030", "proactive", 2043),
    ],
)
def test_every_format_reaches_the_statistics_table(
    fresh_db, name: str, unit: str, encoding: str | None, key: str, value: int
) -> None:
    outcome = ingest_file(fresh_db, FIXTURES / name)
    assert outcome.status == "added", outcome.reason
    report = next(iter(fresh_db["reports"].rows))
    assert (report["unit"], report["year"], report["encoding"]) == (unit, 2018, encoding)
    rows = list(
        fresh_db.query(
            "SELECT value FROM statistics WHERE key = ? AND official = 1 AND report_id = ?",
            [key, report["id"]],
        )
    )
    assert [r["value"] for r in rows] == [value]


def test_version_1_databases_get_their_statistics_relinked(tmp_path: Path, samples_dir) -> None:
    """Databases built before the fix had table-row statistics on the passage before the row."""
    path = tmp_path / "old.db"
    db = open_db(path)
    ingest_paths(db, [samples_dir])
    linked = {r["id"]: r["passage_id"] for r in db.query("SELECT id, passage_id FROM statistics")}
    db.execute(
        "UPDATE statistics SET passage_id = passage_id - 1 WHERE source = 'table' AND passage_id "
        "- 1 IN (SELECT id FROM passages p WHERE p.report_id = statistics.report_id)"
    )
    db.execute("PRAGMA user_version = 1")
    db.conn.commit()
    db.close()
    reopened = open_db(path)
    relinked = {
        r["id"]: r["passage_id"] for r in reopened.query("SELECT id, passage_id FROM statistics")
    }
    assert relinked == linked
    assert next(iter(reopened.query("PRAGMA user_version")))["user_version"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("supplied", "refused"),
    [
        ({"year": "2018年"}, True),
        ({"year": -1}, True),
        ({"year": 1989}, True),
        ({"year": 2101}, True),
        ({"year": True}, True),
        ({"year": 2018}, False),
        ({"unit": ""}, True),
        ({"unit": "   "}, True),
        ({"unit": "report"}, True),
        ({"unit": "东湖"}, True),
        ({"unit": 12}, True),
        ({"unit": "南湖镇"}, False),
        ({"unit": "嘉兴县 南湖镇"}, False),
        ({"unit": "东城县民政局"}, False),
    ],
)
def test_supplied_metadata_is_validated(supplied: dict, refused: bool) -> None:
    assert (pipeline._override_problem(supplied) is not None) is refused
