"""Unit identity: one unit across spellings and years, the names people use, overrides,
replacement and removal (questions that link to units by these names: tests/qa/test_unit_names)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.evaluate import same_unit
from bot.qa.gazetteer import Gazetteer
from ingest.pipeline import ingest_file, ingest_paths, remove_reports
from ingest.store import SCHEMA_VERSION, open_db
from ingest.units import add_alias, alias_forms
from tests.support import CORPUS, write_report


@pytest.mark.parametrize(
    ("names", "present", "absent"),
    [
        (["东城县公安局"], {"公安局": 2, "东城公安局": 3, "县公安局": 3, "东城公安": 2}, ["东城"]),
        (
            ["东湖综合实验区", "东湖综合实验区管委会"],
            {"东湖": 1, "实验区": 1, "东湖实验区": 3, "实验区管委会": 2, "管委会": 1},
            ["综合"],
        ),
        (["西江区北山片区管理局"], {"北山片区": 2, "北山片区管理局": 2, "西江北山片区": 3}, []),
        (["东城县市场监督管理局"], {"市场监管局": 2, "市监局": 2, "东城市监局": 3}, []),
        (["南川市发展和改革局"], {"发改局": 2, "南川发改局": 3}, []),
        (["南川市人民政府办公室"], {"政府办公室": 2, "府办": 2}, []),
        (["东城县科学技术委员会"], {"科委": 2}, []),
        (["东城县旅游与文化体育局"], {"文旅局": 2, "文体旅局": 2}, []),
        (["东城县财政金融局"], {"财金局": 2}, []),
        (["东城县人民政府"], {"东城县": 3, "东城县政府": 3, "东城": 1}, ["人民政府"]),
    ],
)
def test_alias_rules(names: list[str], present: dict[str, int], absent: list[str]) -> None:
    forms = alias_forms(names)
    for alias, rank in present.items():
        assert forms.get(alias) == rank, (alias, forms)
    for alias in absent:
        assert alias not in forms


def _units(db) -> dict[str, dict]:
    return {row["name"]: row for row in db.query("SELECT * FROM units")}


def test_one_identity_across_spellings_and_years(fresh_db, tmp_path: Path) -> None:
    short = write_report(tmp_path, "a.txt", "东山片区管理局2020年政府信息公开工作年度报告")
    full = write_report(
        tmp_path, "b.txt", "东城区东山片区管理局2021年政府信息公开工作年度报告", n=6
    )
    outcomes = ingest_paths(fresh_db, [short, full])
    assert [o.status for o in outcomes] == ["added", "added"]
    units = {r["unit"] for r in fresh_db.query("SELECT unit FROM reports")}
    assert units == {"东城区东山片区管理局"}
    row = _units(fresh_db)["东城区东山片区管理局"]
    assert (row["level"], row["parent"], row["reports"]) == ("片区", "东城区", 2)
    assert "东山片区" in json.loads(row["aliases"])


def test_a_less_complete_file_is_refused_unless_forced(fresh_db, tmp_path: Path) -> None:
    title = "东城县民政局2020年政府信息公开工作年度报告"
    good = write_report(tmp_path, "good.txt", title, extra="三、补充\n培训3次。\n")
    worse = write_report(tmp_path, "worse.txt", title)
    assert ingest_file(fresh_db, good).status == "added"
    refused = ingest_file(fresh_db, worse)
    assert refused.status == "refused"
    assert "good.txt" in refused.reason and "--replace" in refused.reason
    forced = ingest_file(fresh_db, worse, replace_older=True)
    assert forced.status == "updated"
    history = list(fresh_db.query("SELECT * FROM report_history"))
    assert [(h["source_file"], h["reason"]) for h in history] == [
        ("good.txt", "replaced by worse.txt")
    ]
    assert history[0]["passages"] > 0


def test_the_same_report_in_two_forms_keeps_the_better(fresh_db) -> None:
    text = CORPUS / "text" / "pingtan-zone-2025.txt"
    page = CORPUS / "html" / "pingtan-zone-2025.html"
    first = ingest_file(fresh_db, text)
    second = ingest_file(fresh_db, page)
    assert first.status == "added"
    assert second.status in ("updated", "duplicate")
    assert "another form" in second.reason
    rows = list(fresh_db.query("SELECT format FROM reports WHERE year = 2025"))
    assert len(rows) == 1
    kept = "html" if second.status == "updated" else "txt"
    assert rows[0]["format"] == kept
    assert (second.statistics > first.statistics) == (kept == "html")


def test_overrides_correct_a_loaded_report_and_warn(fresh_db, tmp_path: Path) -> None:
    path = write_report(tmp_path, "r.txt", "乙镇2019年政府信息公开工作年度报告")
    assert ingest_file(fresh_db, path).unit == "乙镇"
    again = ingest_file(fresh_db, path)
    assert again.status == "unchanged"
    corrected = ingest_file(fresh_db, path, unit="甲镇")
    assert corrected.status == "corrected"
    assert "乙镇" in corrected.reason
    assert any("乙镇" in w.text for w in corrected.warnings)
    assert {r["unit"] for r in fresh_db.query("SELECT unit FROM reports")} == {"甲镇"}
    assert set(_units(fresh_db)) == {"甲镇"}
    year = ingest_file(fresh_db, path, unit="甲镇", year=2018)
    assert (year.status, year.year) == ("corrected", 2018)
    assert any("2019" in w.text for w in year.warnings)


def test_sidecar_values_are_checked(fresh_db, tmp_path: Path) -> None:
    path = write_report(tmp_path, "s.txt", "丙镇2019年政府信息公开工作年度报告")
    (tmp_path / "s.txt.meta.toml").write_text('year = "2018年"\n', "utf-8")
    outcome = ingest_file(fresh_db, path)
    assert outcome.status == "refused" and "year must be a number" in outcome.reason
    (tmp_path / "s.txt.meta.toml").write_text('unit = " "\n', "utf-8")
    assert "unit must be a name" in ingest_file(fresh_db, path).reason


def test_remove_by_unit_and_year_or_by_file(fresh_db, tmp_path: Path) -> None:
    a = write_report(tmp_path, "a.txt", "东城县民政局2020年政府信息公开工作年度报告")
    b = write_report(tmp_path, "b.txt", "东城县民政局2021年政府信息公开工作年度报告", n=7)
    c = write_report(tmp_path, "c.txt", "西城县民政局2021年政府信息公开工作年度报告", n=8)
    ingest_paths(fresh_db, [a, b, c])
    removed = remove_reports(fresh_db, unit="东城民政局", year=2020)
    assert [(r["unit"], r["year"]) for r in removed] == [("东城县民政局", 2020)]
    assert [r["source_file"] for r in remove_reports(fresh_db, path=c)] == ["c.txt"]
    assert set(_units(fresh_db)) == {"东城县民政局"}
    assert fresh_db["report_history"].count == 2
    assert remove_reports(fresh_db, unit="北城县民政局") == []


def test_admin_aliases_survive_and_link(fresh_db, tmp_path: Path) -> None:
    path = write_report(tmp_path, "a.txt", "东城县民政局2020年政府信息公开工作年度报告")
    ingest_file(fresh_db, path)
    assert add_alias(fresh_db, "东城民政局", "民政老楼") == "东城县民政局"
    ingest_file(fresh_db, path, unit="东城县民政局", year=2019)
    refs, _ = Gazetteer.from_db(fresh_db).link("民政老楼2019年收到几件申请")
    assert [r.unit for r in refs] == ["东城县民政局"]


def test_old_databases_get_units(tmp_path: Path, samples_dir: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path)
    ingest_paths(db, [samples_dir])
    db.execute("DROP TABLE units")
    db.execute("DROP TABLE unit_aliases")
    db.execute("PRAGMA user_version = 2")
    db.conn.commit()
    db.close()
    reopened = open_db(path)
    assert reopened["units"].count == 5
    assert next(iter(reopened.query("PRAGMA user_version")))["user_version"] == SCHEMA_VERSION


# -- the real corpus ----------------------------------------------------------------------------


def test_corpus_ingests_with_the_units_and_years_of_its_sources(corpus_db) -> None:
    sources = [json.loads(x) for x in (CORPUS / "sources.jsonl").read_text("utf-8").splitlines()]
    stored = {
        Path(r["source_file"]).stem: (r["unit"], r["year"])
        for r in corpus_db.query("SELECT source_file, unit, year FROM reports")
    }
    for source in sources:
        unit, year = stored[source["slug"]]
        assert same_unit(unit, source["unit"]) and year == source["year"], (source["slug"], unit)
