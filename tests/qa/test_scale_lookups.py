"""Figures across many reports: one query per statistic, not one per report; what is kept in
memory per corpus follows the database; region-scoped sums and rankings."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from bot.qa.answerer import Answerer
from bot.qa.compose.context import LISTED
from bot.qa.gazetteer import Gazetteer
from bot.qa.lookup import (
    facts_by_id,
    official,
    official_values,
    officials,
    officials_across,
    passages_of_reports,
    report_passages,
    reports,
)
from bot.qa.model import AnswerKind
from bot.qa.report_table import CorpusWatch, ReportTable
from ingest.store import delete_report, file_pending_figures, open_db
from ingest.units import refresh_unit, rename_unit

TODAY = date(2024, 6, 1)
COUNTIES = ["东岭县", "西川县", "南江县", "北原市"]
TOWNS = ["青石镇", "白沙镇", "红桥镇", "杏林乡", "柳湾镇"]
DEPARTMENTS = ["教育局", "财政局"]
YEARS = (2019, 2020, 2021)
ids = itertools.count(1)


def add_report(
    db: sqlite_utils.Database,
    unit: str,
    year: int,
    level: str,
    parent: str,
    values: dict[str, float | None],
    prose: dict[str, float] | None = None,
) -> int:
    """One report with official table figures (and disagreeing prose ones), as ingest stores
    them; the unit's names are rebuilt as ingest does."""
    report_id = next(ids)
    db["reports"].insert(
        {
            "id": report_id,
            "unit": unit,
            "unit_full": unit + ("人民政府" if level in ("镇", "乡", "县", "市") else ""),
            "year": year,
            "level": level,
            "parent": parent,
            "template": "national2021",
            "title": f"{unit}{year}年政府信息公开工作年度报告",
            "source_file": f"{unit}-{year}.txt",
            "sha256": f"sha-{report_id}",
        }
    )
    for key, value in values.items():
        source = "derived" if key == "lawsuits" else "table"
        db["statistics"].insert(
            {
                "report_id": report_id,
                "key": key,
                "value": value,
                "measure": "件",
                "source": source,
                "label": key,
                "evidence": f"{key} {value}",
                "official": 1,
            }
        )
    for key, value in (prose or {}).items():
        db["statistics"].insert(
            {
                "report_id": report_id,
                "key": key,
                "value": value,
                "measure": "件",
                "source": "prose",
                "label": key,
                "evidence": f"共{value}件",
                "official": 0,
            }
        )
    refresh_unit(db, unit)
    return report_id


def build(db: sqlite_utils.Database, counties: list[str], seed: int = 0) -> None:
    """Counties with their towns and departments over three years; figures drawn at random,
    some not given, some also stated (differently) in prose, lawsuits derived."""
    rng = random.Random(seed)
    with db.atomic():
        for county in counties:
            units = [(county, "县" if county.endswith("县") else "市", "")]
            units += [(county[:2] + t, t[-1], county) for t in TOWNS]
            units += [(county + d, "部门", county) for d in DEPARTMENTS]
            for unit, level, parent in units:
                for year in rng.sample(YEARS, rng.randint(1, 3)):
                    direct, after = rng.randint(0, 9), rng.randint(0, 9)
                    received = None if rng.random() < 0.2 else rng.randint(0, 300)
                    add_report(
                        db,
                        unit,
                        year,
                        level,
                        parent,
                        {
                            "requests.received": received,
                            "lawsuits.direct": direct,
                            "lawsuits.after_reconsideration": after,
                            "lawsuits": direct + after,
                        },
                        prose={"requests.received": rng.randint(0, 300)}
                        if rng.random() < 0.3
                        else None,
                    )
    file_pending_figures(db)  # as an ingest does when it has stored its reports


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "many.db"
    db = open_db(path)
    build(db, COUNTIES)
    db.close()
    return path


@contextmanager
def counted(db: sqlite_utils.Database) -> Iterator[list[str]]:
    """The SQL statements run on the connection inside the block."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        db.conn.set_trace_callback(None)


@pytest.mark.parametrize("key", ["requests.received", "lawsuits", "lawsuits.direct", "absent"])
def test_officials_across_is_official_of_each_report(corpus: Path, key: str) -> None:
    db = open_db(corpus)
    scope = reports(db)
    across = officials_across(db, key, scope)
    for report in scope:
        assert across.get(report.id) == official(db, report.id, key)


@pytest.mark.parametrize("key", ["requests.received", "lawsuits", "absent"])
def test_official_values_are_the_official_facts_without_their_words(corpus: Path, key: str) -> None:
    db = open_db(corpus)
    scope = reports(db)
    facts = officials_across(db, key, scope)
    values = official_values(db, key, scope)
    assert set(values) == set(facts)
    for report_id, value in values.items():
        fact = facts[report_id]
        assert (value.fact_id, value.report, value.value, value.source, value.measure) == (
            fact.id,
            fact.report,
            fact.value,
            fact.source,
            fact.measure,
        )
    assert facts_by_id(db, values.values()) == {f.id: f for f in facts.values()}


def test_passages_of_reports_are_each_reports_passages(sample_db_path: Path) -> None:
    db = open_db(sample_db_path)
    ids = [report.id for report in reports(db)]
    together = passages_of_reports(db, ids)
    assert together and set(together) <= set(ids)
    for report_id in ids:
        assert together.get(report_id, []) == report_passages(db, report_id)


def test_officials_are_official_in_the_order_asked(corpus: Path) -> None:
    db = open_db(corpus)
    keys = ["lawsuits", "absent", "requests.received", "lawsuits.direct"]
    for report in reports(db):
        one_by_one = {k: f for k in keys if (f := official(db, report.id, k)) is not None}
        got = officials(db, report.id, keys)
        assert got == one_by_one and list(got) == list(one_by_one)


@pytest.mark.parametrize(
    ("question", "wider"),
    [
        ("2020年哪个镇收到的政府信息公开申请最多", True),
        ("2021年各单位行政诉讼一共多少", True),
        ("哪个部门行政诉讼最少", True),
        ("东岭县2020年哪个镇行政诉讼最多", False),
    ],
)
def test_queries_do_not_grow_with_the_reports(tmp_path: Path, question: str, wider: bool) -> None:
    """The same question over four and over twelve counties runs the same SQL statements,
    whether its scope grows with them or not."""
    runs = []
    for n, counties in enumerate(
        (COUNTIES, [*COUNTIES, *(f"{c[0]}{c}" for c in "甲乙丙丁戊己庚辛")])
    ):
        path = tmp_path / f"c{n}.db"
        db = open_db(path)
        build(db, counties)
        db.close()
        answerer = Answerer(path, today=TODAY)
        answerer.ask(question)  # per-corpus state read once
        with counted(answerer.db) as statements:
            answer = answerer.ask(question)
        assert answer.kind in (AnswerKind.RANKING, AnswerKind.SUM)
        runs.append((len(statements), len(answer.facts)))
    (few, few_facts), (many, many_facts) = runs
    assert many_facts > few_facts if wider else many_facts == few_facts
    assert many == few


MANY_COUNTIES = [*COUNTIES, *(f"{c[0]}{c}" for c in "甲乙丙丁戊己庚辛")]


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """Twelve counties: more reports a year than an answer lists."""
    path = tmp_path / "more.db"
    db = open_db(path)
    build(db, MANY_COUNTIES)
    db.close()
    return path


def official_in_year(db: sqlite_utils.Database, year: int, key: str) -> dict[str, float]:
    """Each unit's official value of the key in that year, straight from the statistics."""
    found = {}
    for report in reports(db):
        fact = official(db, report.id, key) if report.year == year else None
        if fact is not None and fact.value is not None:
            found[report.unit] = fact.value
    return found


def test_a_long_ranking_lists_the_first_places_and_says_how_many(many: Path) -> None:
    answerer = Answerer(many, today=TODAY)
    answer = answerer.ask("2020年哪个单位收到的政府信息公开申请最多")
    values = official_in_year(answerer.db, 2020, "requests.received")
    assert len(values) > LISTED
    assert answer.kind == AnswerKind.RANKING
    assert len(answer.ranking) == len(answer.facts) == LISTED
    best = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:LISTED]
    assert [(e.unit, e.value) for e in answer.ranking] == best
    assert f"只列出前 {LISTED} 份" in answer.text


def test_a_long_total_adds_every_report_and_lists_the_largest(many: Path) -> None:
    answerer = Answerer(many, today=TODAY)
    answer = answerer.ask("2021年各单位收到的政府信息公开申请一共多少")
    values = official_in_year(answerer.db, 2021, "requests.received")
    assert len(values) > LISTED
    assert answer.kind == AnswerKind.SUM
    assert answer.value == sum(values.values())
    largest = sorted(values.values(), reverse=True)[:LISTED]
    assert sorted((f.value for f in answer.facts), reverse=True) == largest
    assert f"{len(values)} 份报告" in answer.headline.text


def test_a_ranking_names_reports_without_the_figure_when_too_many_to_read(
    many: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No report states 行政复议 in its table: over many reports their text is not read."""
    import bot.qa.compose.aggregate as aggregate

    def no_reading(*_args: object) -> None:
        raise AssertionError("read the text of every report in scope")

    monkeypatch.setattr(aggregate, "passages_of_reports", no_reading)
    answerer = Answerer(many, today=TODAY)
    answer = answerer.ask("2020年哪个单位行政复议最多")
    in_year = [r for r in reports(answerer.db) if r.year == 2020]
    assert len(in_year) > aggregate.TEXT_READ_MOST
    assert answer.kind == AnswerKind.NONE
    assert f"{len(in_year)} 份报告太多" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "东岭青石镇收到多少件政府信息公开申请",
        "东岭青石镇行政诉讼多少件",
        "2020年哪个镇行政诉讼最多",
        "2021年各单位收到的政府信息公开申请一共多少",
        "东岭县哪个镇行政诉讼最多",
        "东岭青石镇历年行政诉讼",
        "东岭青石镇和西川白沙镇行政诉讼相比",
        "东岭县教育局存在什么问题",
    ],
)
def test_no_answer_reads_a_whole_table(many: Path, question: str) -> None:
    """Every statement an answer runs finds its rows through an index of the database (no
    SCAN in its plan, no index SQLite builds for the one statement)."""
    answerer = Answerer(many, today=TODAY)
    answerer.ask(question)  # per-corpus state read once
    with counted(answerer.db) as statements:
        answerer.ask(question)
    assert statements
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        plan = [step[-1] for step in answerer.db.execute("EXPLAIN QUERY PLAN " + sql)]
        whole = [
            step
            for step in plan
            if "AUTOMATIC" in step
            or (
                step.startswith("SCAN")
                and not any(w in step for w in ("VIRTUAL TABLE", "CONSTANT ROW", "sqlite_master"))
            )
        ]
        assert not whole, (sql, plan)


def test_region_scoped_sum_adds_the_towns_of_that_county(corpus: Path) -> None:
    answerer = Answerer(corpus, today=TODAY)
    answer = answerer.ask("东岭县各镇2020年行政诉讼一共多少")
    db = answerer.db
    towns = {
        r["unit"]: r["id"]
        for r in db.query(
            "SELECT unit, id FROM reports WHERE parent = '东岭县' AND level = '镇' AND year = 2020"
        )
    }
    assert answer.kind == AnswerKind.SUM
    assert {f.unit for f in answer.facts} == set(towns)
    facts = [official(db, rid, "lawsuits") for rid in towns.values()]
    assert answer.value == sum(f.value or 0 for f in facts if f is not None)


def test_region_scoped_ranking_ranks_the_departments_of_that_county(corpus: Path) -> None:
    answerer = Answerer(corpus, today=TODAY)
    answer = answerer.ask("西川县哪个部门行政诉讼最多")
    assert answer.kind == AnswerKind.RANKING
    assert answer.ranking
    assert {e.unit for e in answer.ranking} <= {"西川县" + d for d in DEPARTMENTS}
    values = [e.value for e in answer.ranking]
    assert values == sorted(values, reverse=True)


def test_a_county_without_such_units_is_asked_about_itself(corpus: Path) -> None:
    """No 街道 lies in any county: the question keeps its old reading (the county's own)."""
    answerer = Answerer(corpus, today=TODAY)
    answer = answerer.ask("东岭县各街道行政诉讼一共多少")
    assert {f.unit for f in answer.facts} <= {"东岭县"}


def gazetteer_state(g: Gazetteer) -> tuple:
    return g._forms, g.levels, g.parents, g.units, g.default_unit


def table_state(table: ReportTable) -> list:
    """Its reports, and the scopes a question reads from it (each year's, at each level)."""
    scopes = [
        (levels, years, table.scope(levels, years), table.whole_scope(levels, years))
        for levels in ([], ["镇"], ["镇", "乡"], ["部门"])
        for years in ((), (2019,), (2020,), (2021,), (2022,), (2020, 2021))
    ]
    return [[(r.ref, r.parent) for r in table.rows()], scopes, table.units_in("东岭县")]


def test_memory_follows_additions_renames_and_removals(corpus: Path) -> None:
    """After each change the answerer's gazetteer and report table equal fresh ones."""
    answerer = Answerer(corpus, today=TODAY)
    writer = open_db(corpus)
    answerer.gazetteer()
    table = answerer._context.figures.table
    table_state(table)

    def check() -> None:
        fresh_table = ReportTable(CorpusWatch(answerer.db))
        assert gazetteer_state(answerer.gazetteer()) == gazetteer_state(
            Gazetteer.from_db(answerer.db)
        )
        assert table_state(table) == table_state(fresh_table)
        assert table.years() == fresh_table.years() == {r.year for r in reports(answerer.db)}

    with writer.atomic():
        add_report(writer, "东岭青石镇", 2022, "镇", "东岭县", {"lawsuits.direct": 4})
    check()
    with writer.atomic():
        add_report(writer, "东岭云雾乡", 2022, "乡", "东岭县", {"lawsuits.direct": 1})
    check()
    # a second report of a year the unit has: that year's scopes keep its newest alone
    assert table.whole_scope(["镇"], (2020,))
    town = writer.execute("SELECT unit FROM reports WHERE year = 2020 AND level = '镇'").fetchone()[
        0
    ]
    with writer.atomic():
        add_report(writer, town, 2020, "镇", "东岭县", {"lawsuits.direct": 5})
    check()
    assert not table.whole_scope(["镇"], (2020,)) and not table.whole_scope([], (2020,))
    assert [r.unit for r in table.scope(["镇"], (2020,))].count(town) == 1
    assert "东岭云雾乡" in answerer.gazetteer().units
    with writer.atomic():
        rename_unit(writer, "东岭白沙镇", "东岭县白沙镇")
        add_report(writer, "东岭县白沙镇", 2022, "镇", "东岭县", {"lawsuits.direct": 2})
    check()
    assert "东岭白沙镇" not in answerer.gazetteer().units
    with writer.atomic():
        gone = next(iter(writer.query("SELECT id, unit FROM reports WHERE unit = '东岭红桥镇'")))
        for row in list(writer.query("SELECT id FROM reports WHERE unit = '东岭红桥镇'")):
            delete_report(writer, row["id"])
        refresh_unit(writer, gone["unit"])
    check()
    assert "东岭红桥镇" not in answerer.gazetteer().units
    writer.close()
