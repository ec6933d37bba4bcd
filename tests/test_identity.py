"""Unit identity: one unit across spellings and years, the names people use, overrides,
replacement, removal, and questions that link to units by any of their names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.english_names import EnglishNames, is_pinyin
from bot.evaluate import same_unit
from bot.gazetteer import Gazetteer
from ingest.catalogue import load_catalogue
from ingest.pipeline import ingest_file, ingest_paths, remove_reports
from ingest.store import SCHEMA_VERSION, open_db
from ingest.units import add_alias, alias_forms

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
REAL_QUESTIONS = Path(__file__).resolve().parent / "data" / "real-questions.jsonl"

BODY = "一、总体情况\n本年度主动公开信息{n}条，收到政府信息公开申请{m}件。\n二、其他\n无。\n"


def report(tmp_path: Path, name: str, title: str, n: int = 5, m: int = 1, extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(title + "\n" + BODY.format(n=n, m=m) + extra, "utf-8")
    return path


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
    short = report(tmp_path, "a.txt", "东山片区管理局2020年政府信息公开工作年度报告")
    full = report(tmp_path, "b.txt", "东城区东山片区管理局2021年政府信息公开工作年度报告", n=6)
    outcomes = ingest_paths(fresh_db, [short, full])
    assert [o.status for o in outcomes] == ["added", "added"]
    units = {r["unit"] for r in fresh_db.query("SELECT unit FROM reports")}
    assert units == {"东城区东山片区管理局"}
    row = _units(fresh_db)["东城区东山片区管理局"]
    assert (row["level"], row["parent"], row["reports"]) == ("片区", "东城区", 2)
    assert "东山片区" in json.loads(row["aliases"])


def test_a_less_complete_file_is_refused_unless_forced(fresh_db, tmp_path: Path) -> None:
    title = "东城县民政局2020年政府信息公开工作年度报告"
    good = report(tmp_path, "good.txt", title, extra="三、补充\n培训3次。\n")
    worse = report(tmp_path, "worse.txt", title)
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
    path = report(tmp_path, "r.txt", "乙镇2019年政府信息公开工作年度报告")
    assert ingest_file(fresh_db, path).unit == "乙镇"
    again = ingest_file(fresh_db, path)
    assert again.status == "unchanged"
    corrected = ingest_file(fresh_db, path, unit="甲镇")
    assert corrected.status == "corrected"
    assert "乙镇" in corrected.reason
    assert any("乙镇" in w for w in corrected.warnings)
    assert {r["unit"] for r in fresh_db.query("SELECT unit FROM reports")} == {"甲镇"}
    assert set(_units(fresh_db)) == {"甲镇"}
    year = ingest_file(fresh_db, path, unit="甲镇", year=2018)
    assert (year.status, year.year) == ("corrected", 2018)
    assert any("2019" in w for w in year.warnings)


def test_sidecar_values_are_checked(fresh_db, tmp_path: Path) -> None:
    path = report(tmp_path, "s.txt", "丙镇2019年政府信息公开工作年度报告")
    (tmp_path / "s.txt.meta.toml").write_text('year = "2018年"\n', "utf-8")
    outcome = ingest_file(fresh_db, path)
    assert outcome.status == "refused" and "year must be a number" in outcome.reason
    (tmp_path / "s.txt.meta.toml").write_text('unit = " "\n', "utf-8")
    assert "unit must be a name" in ingest_file(fresh_db, path).reason


def test_remove_by_unit_and_year_or_by_file(fresh_db, tmp_path: Path) -> None:
    a = report(tmp_path, "a.txt", "东城县民政局2020年政府信息公开工作年度报告")
    b = report(tmp_path, "b.txt", "东城县民政局2021年政府信息公开工作年度报告", n=7)
    c = report(tmp_path, "c.txt", "西城县民政局2021年政府信息公开工作年度报告", n=8)
    ingest_paths(fresh_db, [a, b, c])
    removed = remove_reports(fresh_db, unit="东城民政局", year=2020)
    assert [(r["unit"], r["year"]) for r in removed] == [("东城县民政局", 2020)]
    assert [r["source_file"] for r in remove_reports(fresh_db, path=c)] == ["c.txt"]
    assert set(_units(fresh_db)) == {"东城县民政局"}
    assert fresh_db["report_history"].count == 2
    assert remove_reports(fresh_db, unit="北城县民政局") == []


def test_admin_aliases_survive_and_link(fresh_db, tmp_path: Path) -> None:
    path = report(tmp_path, "a.txt", "东城县民政局2020年政府信息公开工作年度报告")
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


# -- questions ------------------------------------------------------------------------------

UNITS = [
    ("东湖综合实验区", "东湖综合实验区管委会", "", "区"),
    ("东湖综合实验区公安局", "", "东湖综合实验区", "部门"),
    ("东湖综合实验区北山片区管理局", "", "东湖综合实验区", "片区"),
    ("东湖县卫生局", "", "东湖县", "部门"),
    ("东湖综合实验区管委会办公室", "", "东湖综合实验区", "部门"),
    ("西江市公安局", "", "西江市", "部门"),
    ("西塘镇", "西塘镇人民政府", "嘉善县", "镇"),
    ("青山乡", "", "", "乡"),
]


@pytest.fixture
def gazetteer(fresh_db) -> Gazetteer:
    for n, (unit, full, parent, level) in enumerate(UNITS, start=1):
        fresh_db["reports"].insert(
            {
                "id": n,
                "unit": unit,
                "unit_full": full,
                "parent": parent,
                "level": level,
                "year": 2020,
                "sha256": f"h{n}",
                "names": "[]",
            }
        )
    from ingest.units import rebuild_units

    rebuild_units(fresh_db)
    return Gazetteer.from_db(fresh_db)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("东湖公安局2020年收到几件申请", "东湖综合实验区公安局"),
        ("实验区公安局行政复议", "东湖综合实验区公安局"),
        ("东湖公安去年受理多少", "东湖综合实验区公安局"),
        ("北山片区2020年收到几件", "东湖综合实验区北山片区管理局"),
        ("实验区2020年主动公开多少条", "东湖综合实验区"),
        ("管委会2020年被复议几件", "东湖综合实验区"),
        ("区管委会办公室2020年", "东湖综合实验区管委会办公室"),
        ("县卫生局2020年", "东湖县卫生局"),
        ("How many requests did the Donghu police bureau receive?", "东湖综合实验区公安局"),
        ("Did the Beishan area bureau face lawsuits?", "东湖综合实验区北山片区管理局"),
        ("What did the Donghu Comprehensive Experimental Zone publish?", "东湖综合实验区"),
        ("How many lawsuits did Xitang town have", "西塘镇"),
        ("Donghu County Health Bureau requests", "东湖县卫生局"),
        ("Xijiang Public Security Bureau lawsuits", "西江市公安局"),
    ],
)
def test_questions_link_by_any_name(gazetteer: Gazetteer, text: str, unit: str) -> None:
    refs, ambiguous = gazetteer.link(text)
    assert [r.unit for r in refs] == [unit]
    assert ambiguous == []


def test_a_shared_name_asks_which(gazetteer: Gazetteer) -> None:
    refs, ambiguous = gazetteer.link("公安局2020年行政诉讼")
    assert refs == []
    assert ambiguous == [("公安局", ["东湖综合实验区公安局", "西江市公安局"])]


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("东湖综合实验区教育局2020年主动公开多少条", "东湖综合实验区教育局"),
        ("长乐区2020年行政诉讼", "长乐区"),
        ("How many lawsuits did Fuzhou city face?", "Fuzhou city"),
    ],
)
def test_places_not_loaded_are_named(gazetteer: Gazetteer, text: str, unknown: str) -> None:
    from bot.question import parse_question

    q = parse_question(text, gazetteer, load_catalogue())
    assert q.units == ()
    assert q.unknown_units == (unknown,)


def test_collective_words(gazetteer: Gazetteer) -> None:
    from bot.question import parse_question

    catalogue = load_catalogue()
    assert parse_question("各乡镇2020年行政诉讼一共多少件", gazetteer, catalogue).level == "乡,镇"
    q = parse_question("各单位2020年行政诉讼一共多少件", gazetteer, catalogue)
    assert (q.units, q.level) == ((), "")


def test_no_unit_named_means_the_region_government(gazetteer: Gazetteer) -> None:
    from bot.question import parse_question

    assert gazetteer.default_unit is None  # 西江市公安局 and 西塘镇 lie outside 东湖
    rows = [
        {"unit": u, "unit_full": f, "parent": p, "level": lv}
        for u, f, p, lv in UNITS
        if u.startswith("东湖")
    ]
    region = Gazetteer(rows)
    assert region.default_unit == "东湖综合实验区"
    q = parse_question("2020年行政诉讼多少件", region, load_catalogue())
    assert [u.unit for u in q.units] == ["东湖综合实验区"]
    ranking = parse_question("2020年哪个单位行政诉讼最多", region, load_catalogue())
    assert ranking.units == ()


@pytest.mark.parametrize(
    ("word", "pinyin"),
    [("fuzhou", True), ("pingtan", True), ("which", False), ("the", False), ("city", False)],
)
def test_pinyin_words(word: str, pinyin: bool) -> None:
    assert is_pinyin(word) is pinyin


def test_english_names_of_a_science_commission() -> None:
    names = EnglishNames(["上海市科学技术委员会", "上海市公安局"])
    found = names.find("what did shanghai's science and technology commission publish")
    assert [units for _, _, units in found] == [("上海市科学技术委员会",)]


# -- the real corpus ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("corpus") / "real.db"
    db = open_db(path)
    outcomes = ingest_paths(db, [CORPUS / "text"])
    assert [o.status for o in outcomes] == ["added"] * 46, [o.reason for o in outcomes]
    yield db
    db.close()


def test_corpus_ingests_with_the_units_and_years_of_its_sources(corpus_db) -> None:
    sources = [json.loads(x) for x in (CORPUS / "sources.jsonl").read_text("utf-8").splitlines()]
    stored = {
        Path(r["source_file"]).stem: (r["unit"], r["year"])
        for r in corpus_db.query("SELECT source_file, unit, year FROM reports")
    }
    for source in sources:
        unit, year = stored[source["slug"]]
        assert same_unit(unit, source["unit"]) and year == source["year"], (source["slug"], unit)


def test_every_real_question_links_to_its_unit(corpus_db) -> None:
    from bot.question import parse_question

    gazetteer = Gazetteer.from_db(corpus_db)
    catalogue = load_catalogue()
    items = [json.loads(x) for x in REAL_QUESTIONS.read_text("utf-8").splitlines() if x.strip()]
    asked = [item for item in items if item.get("unit")]
    missed = []
    for item in asked:
        q = parse_question(item["q"], gazetteer, catalogue)
        units = [u.unit for u in q.units]
        if len(units) != 1 or not same_unit(units[0], item["unit"]):
            missed.append((item["id"], item["q"], units))
    print(f"linked {len(asked) - len(missed)} of {len(asked)} questions to their unit")
    assert missed == []
    assert len(asked) == 310


def test_cli_remove_units_alias(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "c.db"
    a = report(tmp_path, "a.txt", "东城县民政局2020年政府信息公开工作年度报告")
    assert runner.invoke(main, ["ingest", str(a), "--db", str(db)]).exit_code == 0
    listing = runner.invoke(main, ["reports", "--db", str(db)])
    assert "matched by title" in listing.output
    alias = runner.invoke(main, ["alias", "东城民政局", "老民政", "--db", str(db)])
    assert alias.exit_code == 0 and "老民政 → 东城县民政局" in alias.output
    units = runner.invoke(main, ["units", "--db", str(db)])
    assert "东城县民政局" in units.output and "老民政" in units.output
    missing = runner.invoke(main, ["alias", "北城县民政局", "x民政", "--db", str(db)])
    assert missing.exit_code != 0 and "nianbao units" in missing.output
    removed = runner.invoke(main, ["remove", "--unit", "东城民政局", "--db", str(db)])
    assert removed.exit_code == 0 and "1 reports removed" in removed.output
    again = runner.invoke(main, ["remove", "--unit", "东城民政局", "--db", str(db)])
    assert again.exit_code != 0 and "nianbao reports" in again.output
