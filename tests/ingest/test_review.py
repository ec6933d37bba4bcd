"""The review of every report: each kind of finding planted in a copy of a real report is found,
with the planted words as its evidence; clean reports have no errors; findings across years
follow the neighbouring years as they come and go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.pipeline import ingest_paths, remove_reports
from ingest.review import KINDS, SEVERITIES, load_rules, refresh_all, review_unit, rules_from
from ingest.review_years import periods, sentence_years, table_years, title_year
from ingest.store import SCHEMA_VERSION, open_db
from ingest.vocab import load_toml
from tests.support import CORPUS, NATIONAL, SAMPLES

TEXT = CORPUS / "text"


@dataclass(frozen=True)
class Plant:
    """Copies of real reports, with words replaced; the finding they must produce."""

    kind: str
    files: list[tuple[str, list[tuple[str, str]]]]  # (source path, (old, new) replacements)
    evidence: str  # words the finding must quote


def _write(plant: Plant, folder: Path) -> list[Path]:
    paths = []
    for i, (source, changes) in enumerate(plant.files):
        text = Path(source).read_text("utf-8")
        for old, new in changes:
            assert old in text, f"{old!r} is not in {source}"
            text = text.replace(old, new)
        path = folder / f"{i}-{Path(source).name}"
        path.write_text(text, "utf-8")
        paths.append(path)
    return paths


D2020, D2021 = str(NATIONAL / "donghu-2020.md"), str(NATIONAL / "donghu-2021.md")
FLAT, OLD = str(TEXT / "pingtan-spp-2021.txt"), str(TEXT / "pingtan-zhz-2018.txt")

PLANTS = [
    Plant(
        "failed_check",
        [
            (
                D2021,
                [
                    (
                        "| （七）总计 | 15 | 2 | 0 | 0 | 0 | 1 | 18 |",
                        "| （七）总计 | 15 | 2 | 0 | 0 | 0 | 1 | 19 |",
                    )
                ],
            )
        ],
        "（七）总计 | 15 | 2 | 0 | 0 | 0 | 1 | 19",
    ),
    Plant(
        "conflict",
        [
            (
                D2021,
                [
                    (
                        "2021年，东湖街道持续深化政务公开",
                        "全年共收到政府信息公开申请25件。东湖街道持续深化政务公开",
                    )
                ],
            )
        ],
        "全年共收到政府信息公开申请25件",
    ),
    Plant(
        "ambiguous_row",
        [(FLAT, [("行政规范性文件101", "行政规范性文件5125")])],
        "行政规范性文件5125",
    ),
    Plant(
        "row_values",
        [(FLAT, [("结转下年度继续办理0 0 0 0 0 00", "结转下年度继续办理0 00000")])],
        "结转下年度继续办理0 00000",
    ),
    Plant(
        "blank_cell",
        [(D2021, [("| 4.保护第三方合法权益 | 0 |", "| 4.保护第三方合法权益 | / |")])],
        "4.保护第三方合法权益 | / |",
    ),
    Plant(
        "template_edition",
        [(D2020, [("2020", "2021"), ("2021年1月25日", "2022年1月25日")])],
        "本年新制作数量",
    ),
    Plant(
        "year_mismatch",
        [
            (
                D2021,
                [
                    (
                        "统计期限自2021年1月1日起至2021年12月31日止",
                        "统计期限自2020年1月1日起至2020年12月31日止",
                    )
                ],
            )
        ],
        "统计期限自2020年1月1日起至2020年12月31日",
    ),
    Plant(
        "published_early",
        [(D2021, [("2022年1月20日", "2021年11月20日")])],
        "2021年11月20日",
    ),
    Plant(
        "cumulative_below_annual",
        [(OLD, [("主动公开文件数 条 51 256", "主动公开文件数 条 51 25")])],
        "主动公开文件数 条 51 25",
    ),
    Plant(
        "carry_over",
        [
            (
                D2020,
                [
                    (
                        "| 四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
                        "| 四、结转下年度继续办理 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |",
                    )
                ],
            ),
            (D2021, []),
        ],
        "2020：| 四、结转下年度继续办理 | 3",
    ),
    Plant(
        "cumulative_shrinks",
        [
            (
                OLD,
                [
                    ("2018", "2017"),
                    ("2019年", "2018年"),
                    ("主动公开文件数 条 51 256", "主动公开文件数 条 51 300"),
                ],
            ),
            (OLD, []),
        ],
        "2017：主动公开文件数 条 51 300",
    ),
    Plant(
        "jump",
        [(D2020, []), (D2021, [("| 行政许可 | 41 |", "| 行政许可 | 4100 |")])],
        "2021：| 行政许可 | 4100",
    ),
]


def _findings(db, kind: str | None = None) -> list[dict]:
    where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
    return list(db.query(f"SELECT * FROM findings {where} ORDER BY id", params))


@pytest.mark.parametrize("plant", PLANTS, ids=[p.kind for p in PLANTS])
def test_a_planted_finding_is_found_with_its_evidence(plant: Plant, tmp_path: Path) -> None:
    originals = open_db(tmp_path / "originals.db")
    ingest_paths(originals, [Path(p) for p, _ in plant.files])
    assert _findings(originals, plant.kind) == [], "the real reports must not have it already"
    db = open_db(tmp_path / "planted.db")
    outcomes = ingest_paths(db, _write(plant, tmp_path))
    assert {o.status for o in outcomes} == {"added"}, [o.reason for o in outcomes]
    found = _findings(db, plant.kind)
    assert found, f"no {plant.kind} among {[f['kind'] for f in _findings(db)]}"
    finding = found[0]
    assert plant.evidence in finding["evidence"], finding
    assert finding["severity"] == load_rules().severity[plant.kind]
    assert finding["message"]
    if finding["passage_id"] is not None:
        passage = db["passages"].get(finding["passage_id"])
        assert passage["report_id"] in {finding["report_id"], finding["other_report_id"]}


def test_every_finding_kind_is_planted_once() -> None:
    assert {p.kind for p in PLANTS} == set(KINDS)


@pytest.mark.parametrize(
    "paths",
    [
        [NATIONAL / "donghu-2021.md"],
        [NATIONAL],
        [SAMPLES / "xitang-2018.md"],
        [TEXT / "pingtan-spp-2023.txt"],
    ],
    ids=["national-2021", "national-two-years", "sample", "corpus"],
)
def test_a_clean_report_has_no_error(paths: list[Path], fresh_db) -> None:
    ingest_paths(fresh_db, paths)
    errors = [f for f in _findings(fresh_db) if f["severity"] == "error"]
    assert errors == []


def test_every_corpus_and_sample_report_is_reviewed(corpus_db, fresh_db) -> None:
    """The findings stored at ingest are the review on demand, for all 46 + 5 reports."""
    ingest_paths(fresh_db, [SAMPLES])
    for db in (corpus_db, fresh_db):
        units = [r["unit"] for r in db.query("SELECT DISTINCT unit FROM reports")]
        stored = {(f["report_id"], f["kind"], f["message"]) for f in _findings(db)}
        again = {(f.report_id, f.kind, f.message) for u in units for f in review_unit(db, u)}
        assert stored == again
        for finding in _findings(db):
            assert finding["kind"] in KINDS
            assert finding["severity"] in SEVERITIES
            assert finding["evidence"].strip()


def _stored(db) -> list[dict]:
    """Every finding but its id, each report's in the order written."""
    rows = db.query("SELECT * FROM findings ORDER BY report_id, id")
    return [{k: v for k, v in row.items() if k != "id"} for row in rows]


@pytest.mark.parametrize("order", ["newest-first", "oldest-first", "mixed"])
def test_reports_added_one_by_one_are_reviewed_as_a_whole(order: str, fresh_db) -> None:
    """Each report added reviews itself and its unit's years again, but not its unit's
    other reports: what is stored is still what reviewing everything again stores."""
    files = [*sorted(TEXT.glob("pingtan-zone-*.txt")), *sorted(TEXT.glob("pingtan-gwh-*.txt"))]
    if order == "newest-first":
        files.reverse()
    elif order == "mixed":
        files = files[1::2] + files[::2]
    for path in files:
        (outcome,) = ingest_paths(fresh_db, [path])
        assert outcome.status == "added", outcome.reason
    stored = _stored(fresh_db)
    assert {row["kind"] for row in stored} >= {"year_mismatch", "cumulative_shrinks"}
    refresh_all(fresh_db)
    assert _stored(fresh_db) == stored


@pytest.mark.parametrize(
    ("slug", "kind", "evidence"),
    [
        ("pingtan-nyn-2017", "cumulative_below_annual", "主动公开文件数条10774"),
        ("pingtan-gwh-2016", "year_mismatch", "2015年度历年累计"),
        ("pingtan-htp-2021", "template_edition", "本年新制作数量"),
        ("pingtan-lyy-2021", "published_early", "2021年1月25日"),
        ("pingtan-zone-2017", "cumulative_shrinks", "212210037"),
        ("pingtan-htp-2024", "failed_check", "5100000"),
    ],
)
def test_the_corpus_reports_known_faults(corpus_db, slug: str, kind: str, evidence: str) -> None:
    rows = corpus_db.query(
        "SELECT f.evidence FROM findings f JOIN reports r ON r.id = f.report_id "
        "WHERE r.source_file = ? AND f.kind = ?",
        [f"{slug}.txt", kind],
    )
    assert any(evidence in r["evidence"] for r in rows)


def test_findings_across_years_follow_the_neighbouring_year(tmp_path: Path) -> None:
    plant = next(p for p in PLANTS if p.kind == "carry_over")
    planted_2020, planted_2021 = _write(plant, tmp_path)
    db = open_db(tmp_path / "years.db")
    ingest_paths(db, [planted_2021])
    assert _findings(db, "carry_over") == []
    ingest_paths(db, [planted_2020])
    assert len(_findings(db, "carry_over")) == 1
    remove_reports(db, unit="东湖街道", year=2020)
    assert _findings(db, "carry_over") == []
    ingest_paths(db, [planted_2020])
    assert len(_findings(db, "carry_over")) == 1
    ingest_paths(db, [NATIONAL / "donghu-2020.md"], replace_older=True)
    assert _findings(db, "carry_over") == []
    assert db["reports"].count == 2


def test_an_older_database_is_reviewed_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path)
    ingest_paths(db, [SAMPLES])
    before = len(_findings(db))
    assert before > 0
    db.execute("DROP TABLE findings")
    db.execute("PRAGMA user_version = 3")
    db.close()
    upgraded = open_db(path)
    assert len(_findings(upgraded)) == before
    assert next(iter(upgraded.query("PRAGMA user_version")))["user_version"] == SCHEMA_VERSION


def test_the_jump_factor_is_a_rule(tmp_path: Path) -> None:
    plant = next(p for p in PLANTS if p.kind == "jump")
    db = open_db(tmp_path / "jump.db")
    ingest_paths(db, _write(plant, tmp_path))
    assert _findings(db, "jump")
    assert refresh_all(db, load_rules().with_jump_factor(1000)) >= 0
    assert _findings(db, "jump") == []
    refresh_all(db, load_rules().with_jump_factor(2))
    assert _findings(db, "jump")


def test_rules_refuse_unknown_kinds_and_severities() -> None:
    data = load_toml("ingest.data", "review.toml")
    templates = load_toml("ingest.data", "templates.toml")
    with pytest.raises(ValueError, match="unknown kinds"):
        rules_from({**data, "severity": {**data["severity"], "typo": "error"}}, templates)
    with pytest.raises(ValueError, match="severities"):
        rules_from({**data, "severity": {**data["severity"], "jump": "fatal"}}, templates)


# -- the years a text states ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("某某镇2018年政府信息公开工作年度报告", 2018),
        ("二〇一九年度报告", 2019),
        ("年度报告", None),
    ],
)
def test_title_year(title: str, year: int | None) -> None:
    assert title_year(title) == year


def test_periods_and_table_years_quote_the_original() -> None:
    text = (
        "本报告统计期限 自 2020 年1月1日起至２０２０年12月31日止。指标 计量单位 2019年度 历年累计"
    )
    (period,) = periods(text, ["统计期限"])
    assert (period.first, period.last) == (2020, 2020)
    assert text[period.start : period.end].startswith("统计期限")
    (column,) = table_years(text, ["历年累计"])
    assert column.first == 2019
    assert text[column.start : column.end] == "2019年度 历年累计"


@pytest.mark.parametrize(
    ("sentence", "years"),
    [
        ("2015年未收到有关政府信息公开申请", [2015]),
        ("2016年度我局共主动公开政府信息158条", [2016]),
        ("较2015年增长10%，共收到申请5件", []),
        ("自2008年以来累计公开440条", []),
        ("2020年1月共收到申请2件", []),
    ],
)
def test_sentence_years(sentence: str, years: list[int]) -> None:
    rules = load_rules()
    assert sentence_years(sentence, rules.not_after, rules.not_before) == years


@given(st.text(alphabet="2019年度月日统计期限至起自较以来12 历年累计０３", max_size=80))
def test_year_readers_take_any_text(text: str) -> None:
    rules = load_rules()
    for stated in periods(text, rules.period_words) + table_years(text, rules.cumulative_headers):
        assert 0 <= stated.start < stated.end <= len(text)
        assert 1900 <= stated.first <= 2099
    assert all(1900 <= y <= 2099 for y in sentence_years(text, rules.not_after, rules.not_before))
