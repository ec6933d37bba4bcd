"""Totals and rankings over a year's reports read from year_figures give exactly the answers
that reading each report's figure gives: same totals, order, ties, missing reports, sources."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import sqlite_utils

from bot.qa.answerer import Answerer
from bot.qa.official import OfficialFigures
from bot.qa.scope_figures import ListFigures, ScopeFigures, TableFigures
from ingest.store import YEAR_FIGURES_TRIGGERS, file_pending_figures, open_db
from tests.qa.test_scale_lookups import MANY_COUNTIES, TODAY, add_report, build

QUESTIONS = [
    "2020年哪个单位收到的政府信息公开申请最多",
    "2020年哪个镇收到的政府信息公开申请最少",
    "2021年收到的政府信息公开申请最多的前三个单位",
    "2019年各单位收到的政府信息公开申请一共多少",
    "2021年各镇行政诉讼一共多少",
    "2020年哪个部门行政诉讼最多",
    "2019年哪个乡行政诉讼最少",
    "2020年和2021年哪个镇行政诉讼最多",
    "2020年各单位行政复议一共多少",
    "2021年哪个县收到的政府信息公开申请最多",
]


def answers(path: Path, questions: list[str]) -> list[dict]:
    answerer = Answerer(path, today=TODAY)
    return [answerer.ask(q).to_dict() for q in questions]


def scope_figures(answerer: Answerer, question: str) -> ScopeFigures:
    """The figures of 收到的申请 the question's scope is answered from."""
    figures = answerer._context.figures
    statistic = figures.catalogue.statistics["requests.received"]
    return figures.scope_figures(answerer.parse(question), statistic)


def read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers read each report's figure, as before year_figures."""
    monkeypatch.setattr(OfficialFigures, "_filed_scope", lambda *_args: None)


def add_unit_figures(
    db: sqlite_utils.Database,
    rng: random.Random,
    fractions: bool,
    towns: int = 40,
    years: tuple[int, ...] = (2019, 2020, 2021),
    not_given: float = 0.1,
) -> None:
    """Towns whose figures tie often (a few small values), some with fractions."""
    with db.atomic():
        for n in range(towns):
            for year in years:
                value = rng.choice([0, 1, 2, 2.5]) if fractions else rng.choice([3, 3, 3, 4])
                add_report(
                    db,
                    f"临{n:03d}镇",
                    year,
                    "镇",
                    "甲县",
                    {"requests.received": value if rng.random() > not_given else None},
                )


@pytest.fixture(params=["plain", "ties", "fractions", "sparse"])
def corpus(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """``sparse``: so many towns without the figure that the first are looked up alone."""
    path = tmp_path / f"{request.param}.db"
    db = open_db(path)
    if request.param == "plain":
        build(db, MANY_COUNTIES, seed=3)
    elif request.param == "sparse":
        add_unit_figures(db, random.Random(7), False, towns=400, years=(2020,), not_given=0.5)
    else:
        add_unit_figures(db, random.Random(5), fractions=request.param == "fractions")
    file_pending_figures(db)
    db.close()
    return path


def test_year_wide_answers_are_those_read_report_by_report(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filed = answers(corpus, QUESTIONS)
    with monkeypatch.context() as patch:
        read_whole(patch)
        whole = answers(corpus, QUESTIONS)
    assert filed == whole


def test_figures_waiting_to_be_filed_are_read_report_by_report(tmp_path: Path) -> None:
    """Reports written but not filed yet (an ingest under way) are not left out of a total:
    the answer reads each report until they are filed."""
    path = tmp_path / "waiting.db"
    db = open_db(path)
    add_unit_figures(db, random.Random(5), fractions=False, towns=10, years=(2020,))
    file_pending_figures(db)
    add_unit_figures(db, random.Random(6), fractions=False, towns=3, years=(2021,))
    db.close()
    answerer = Answerer(path, today=TODAY)
    question = "2021年各镇收到的政府信息公开申请一共多少"
    assert isinstance(scope_figures(answerer, question), ListFigures)
    db = open_db(path)
    file_pending_figures(db)
    db.close()
    assert isinstance(scope_figures(answerer, question), TableFigures)


def test_a_year_of_every_unit_is_read_from_year_figures(corpus: Path) -> None:
    answerer = Answerer(corpus, today=TODAY)
    figures = answerer._context.figures
    statistic = figures.catalogue.statistics["requests.received"]
    q = answerer.parse("2020年各镇收到的政府信息公开申请一共多少")
    filed = figures.scope_figures(q, statistic)
    assert isinstance(filed, TableFigures)
    whole = ListFigures(*figures.values_across(figures.scope_reports(q), statistic, ""))
    assert (filed.given, filed.missing_count) == (whole.given, whole.missing_count)
    assert filed.total() == whole.total() and filed.extremes() == whole.extremes()
    assert filed.missing() == whole.missing()
    for limit in (1, 2, 3, 5, 30):
        assert filed.missing(limit) == whole.missing(limit)
    for sign in (1, -1):
        assert filed.first(7, sign) == whole.first(7, sign)
    assert filed.by_unit(7) == whole.by_unit(7)
    for limit in (1, 7, 100):
        assert filed.in_scope_order(limit) == whole.in_scope_order(limit)


def test_a_unit_with_two_reports_of_a_year_is_read_report_by_report(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    db = open_db(path)
    build(db, MANY_COUNTIES[:4], seed=1)
    add_report(db, "东岭青石镇", 2020, "镇", "东岭县", {"requests.received": 999})
    add_report(db, "东岭青石镇", 2020, "镇", "东岭县", {"requests.received": 998})
    db.close()
    answerer = Answerer(path, today=TODAY)
    question = "2020年各镇收到的政府信息公开申请一共多少"
    assert isinstance(scope_figures(answerer, question), ListFigures)
    assert "999" not in answerer.ask(question).text


def test_a_database_without_year_figures_is_read_report_by_report(tmp_path: Path) -> None:
    """A database written before version 7 (read, never upgraded, by ``ask``) answers the same."""
    path = tmp_path / "older.db"
    db = open_db(path)
    build(db, MANY_COUNTIES[:6], seed=2)
    db.close()
    filed = answers(path, QUESTIONS[:4])
    older = sqlite_utils.Database(path)
    for name in YEAR_FIGURES_TRIGGERS:
        older.execute(f"DROP TRIGGER {name}")
    older.execute("DROP TABLE year_figures")
    older.execute("PRAGMA user_version = 6")
    older.close()
    answerer = Answerer(path, today=TODAY)
    q = answerer.parse(QUESTIONS[3])
    statistic = answerer._context.figures.catalogue.statistics["requests.received"]
    assert isinstance(answerer._context.figures.scope_figures(q, statistic), ListFigures)
    assert answers(path, QUESTIONS[:4]) == filed


def test_a_total_reads_the_summary_unless_it_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "summary.db"
    db = open_db(path)
    add_unit_figures(db, random.Random(5), fractions=False, towns=12, years=(2020,))
    file_pending_figures(db)
    true_total = float(
        db.execute(
            "SELECT total(value) FROM year_figures WHERE key = 'requests.received'"
        ).fetchone()[0]
    )
    # a summary that disagrees with the figures shows which one a total was read from
    db.execute("UPDATE year_summary SET total = total + 1000, high = 99")
    db.conn.commit()
    question = "2020年各镇收到的政府信息公开申请一共多少"
    answerer = Answerer(path, today=TODAY)
    summed = scope_figures(answerer, question)
    assert summed.total() == true_total + 1000 and summed.extremes() == (3, 99)
    db.execute("INSERT INTO year_summary_stale SELECT key, year, level, template FROM year_summary")
    db.conn.commit()
    read = scope_figures(answerer, question)
    assert read.total() == true_total and read.extremes() == (3, 4)
    db.close()


def test_a_ranking_before_the_ranges_are_ranked_reads_the_figures(corpus: Path) -> None:
    """Within an ingest the summaries' first figures wait for its end: a ranking meanwhile
    orders the figures themselves, and gives the same answer."""
    ranked = answers(corpus, QUESTIONS)
    db = open_db(corpus)
    db.execute("UPDATE year_summary SET first_down = NULL, first_up = NULL")
    db.conn.commit()
    db.close()
    assert answers(corpus, QUESTIONS) == ranked


def test_a_ranking_reads_the_first_figures_the_summary_keeps(tmp_path: Path) -> None:
    path = tmp_path / "first.db"
    db = open_db(path)
    add_unit_figures(db, random.Random(5), fractions=False, towns=12, years=(2020,))
    file_pending_figures(db)
    unit, value, report_id = db.execute(
        "SELECT unit, value, report_id FROM year_figures WHERE key = 'requests.received' "
        "AND value IS NOT NULL ORDER BY value, unit LIMIT 1"
    ).fetchone()
    # a summary whose largest figure is the smallest shows which one a ranking was read from
    first = json.dumps([[99.0, unit, report_id]], ensure_ascii=False)
    db.execute("UPDATE year_summary SET first_down = ?", [first])
    db.conn.commit()
    answerer = Answerer(path, today=TODAY)
    ranking = scope_figures(answerer, "2020年哪个镇收到的政府信息公开申请最多")
    assert [(v.report.unit, v.value) for v in ranking.first(1, -1)] == [(unit, value)]
    db.close()
