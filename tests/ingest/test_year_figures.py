"""year_figures, the figures of each key filed by year: always what a direct query over the
statistics gives, whatever is inserted, changed or removed, and built for older databases;
and year_summary, the totals of its ranges: what summing the range gives, unless marked
stale, and never stale after filing."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.store import (
    SCHEMA_VERSION,
    YEAR_FIGURES_TRIGGERS,
    delete_report,
    figures_waiting,
    file_pending_figures,
    open_db,
    writing,
)
from ingest.units import rename_unit
from ingest.year_summary import SUMMARY_KEPT, YEAR_SUMMARY_TRIGGERS

# Each report's first row of each key by (official DESC, id), as answers pick it.
DIRECT = """SELECT s.key, r.year, coalesce(r.level, ''), coalesce(r.template, 'unknown'),
                   r.id, r.unit, s.value, s.measure
            FROM statistics s JOIN reports r ON r.id = s.report_id
            WHERE s.id = (SELECT o.id FROM statistics o WHERE o.report_id = s.report_id
                          AND o.key = s.key ORDER BY o.official DESC, o.id LIMIT 1)
            ORDER BY 1, 2, 3, 4, 5"""
FILED = "SELECT * FROM year_figures ORDER BY 1, 2, 3, 4, 5"

KEYS = ("lawsuits.total", "requests.received", "disclosure.proactive")
UNITS = ("东湖镇", "西山乡", "南城街道")
LEVELS = ("镇", "乡", None)
TEMPLATES = ("pre2020", "national2021", None)


def filed(db: sqlite_utils.Database) -> list[tuple]:
    return db.execute(FILED).fetchall()


def direct(db: sqlite_utils.Database) -> list[tuple]:
    """The rows a direct query gives for the reports filed (not waiting to be)."""
    waiting = {r[0] for r in db.execute("SELECT report_id FROM year_figures_pending")}
    return [row for row in db.execute(DIRECT).fetchall() if row[4] not in waiting]


RANGE = "key, year, level, template"


def summed(db: sqlite_utils.Database) -> dict[tuple, tuple]:
    """Each range's summary as summing its figures gives it (the first figures as sets)."""
    by_range: dict[tuple, list[tuple]] = {}
    for key, year, level, template, report_id, unit, value in db.execute(
        f"SELECT {RANGE}, report_id, unit, value FROM year_figures"
    ):
        by_range.setdefault((key, year, level, template), []).append((value, unit, report_id))
    result = {}
    for part, rows in by_range.items():
        values = [v for v, _u, _r in rows if v is not None]
        low, high = (min(values), max(values)) if values else (None, None)
        given = [r for r in rows if r[0] is not None]
        down = sorted(given, key=lambda r: (-r[0], r[1], r[2]))[:SUMMARY_KEPT]
        up = sorted(given, key=lambda r: (r[0], r[1], r[2]))[:SUMMARY_KEPT]
        result[part] = (
            len(values),
            float(sum(values)),
            low,
            high,
            sum(1 for v in values if v != int(v)),
            values.count(low) if values else 0,
            values.count(high) if values else 0,
            sorted(down),
            sorted(up),
        )
    return result


def summary_holds(db: sqlite_utils.Database) -> None:
    """Every range's summary is what summing its figures gives, or the range is stale."""
    expected = summed(db)
    kept = {row[:4]: row[4:] for row in db.execute("SELECT * FROM year_summary")}
    stale = set(db.execute(f"SELECT {RANGE} FROM year_summary_stale").fetchall())
    for part in (expected.keys() | kept.keys()) - stale:
        assert part in kept and part in expected, part
        assert kept[part][:7] == expected[part][:7], part
        if kept[part][7] is not None:  # ranked
            lists = [sorted(map(tuple, json.loads(f))) for f in kept[part][7:]]
            assert lists == list(expected[part][7:]), part


def add_report(
    db: sqlite_utils.Database, unit: str, year: int, level: str | None, template: str | None
) -> int:
    sha = f"{unit}{year}-{uuid.uuid4().hex}"  # unique however many were removed before
    row = {"unit": unit, "year": year, "level": level, "template": template, "sha256": sha}
    return int(db.execute(*_insert("reports", row)).lastrowid or 0)


def _insert(table: str, row: dict) -> tuple[str, list]:
    columns = ", ".join(row)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", list(
        row.values()
    )


def add_statistic(
    db: sqlite_utils.Database, report_id: int, key: str, value: float | None, official: int
) -> int:
    row = {"report_id": report_id, "key": key, "value": value, "official": official}
    return int(db.execute(*_insert("statistics", {**row, "measure": "件"})).lastrowid or 0)


report_step = st.tuples(
    st.just("report"),
    st.sampled_from(UNITS),
    st.integers(2018, 2020),
    st.sampled_from(LEVELS),
    st.sampled_from(TEMPLATES),
)
statistic_step = st.tuples(
    st.just("statistic"),
    st.integers(0, 10),  # which report (modulo those there are)
    st.sampled_from(KEYS),
    st.one_of(st.none(), st.integers(0, 50).map(float)),
    st.integers(0, 1),
)
change_step = st.tuples(
    st.sampled_from(
        ["value", "official", "drop_statistic", "drop_report", "rename", "move", "file"]
    ),
    st.integers(0, 30),
    st.integers(0, 50),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.one_of(report_step, statistic_step, change_step), max_size=40))
def test_filed_figures_always_equal_a_direct_query(tmp_path: Path, steps: list[tuple]) -> None:
    path = tmp_path / "prop.db"
    path.unlink(missing_ok=True)
    db = open_db(path)
    for step in steps:
        reports = [r[0] for r in db.execute("SELECT id FROM reports ORDER BY id")]
        statistics = [r[0] for r in db.execute("SELECT id FROM statistics ORDER BY id")]
        kind = step[0]
        if kind == "file":
            file_pending_figures(db)
            assert not figures_waiting(db.conn)
        with writing(db):
            if kind == "report":
                add_report(db, *step[1:])
            elif kind == "statistic" and reports:
                add_statistic(db, reports[step[1] % len(reports)], *step[2:])
            elif kind in ("value", "official") and statistics:
                new = float(step[2]) if kind == "value" else step[2] % 2
                row = statistics[step[1] % len(statistics)]
                db.execute(f"UPDATE statistics SET {kind} = ? WHERE id = ?", [new, row])
            elif kind == "drop_statistic" and statistics:
                row = statistics[step[1] % len(statistics)]
                db.execute(
                    "DELETE FROM conflicts WHERE official_id = ? OR other_id = ?", [row, row]
                )
                db.execute("DELETE FROM statistics WHERE id = ?", [row])
            elif kind == "drop_report" and reports:
                delete_report(db, reports[step[1] % len(reports)], reason="removed")
            elif kind == "rename" and reports:
                rename_unit(db, UNITS[step[1] % len(UNITS)], UNITS[step[2] % len(UNITS)])
            elif kind == "move" and reports:
                db.execute(
                    "UPDATE reports SET year = ?, level = ?, template = ? WHERE id = ?",
                    [
                        2018 + step[2] % 3,
                        LEVELS[step[2] % 3],
                        TEMPLATES[step[1] % 3],
                        reports[step[1] % len(reports)],
                    ],
                )
        assert filed(db) == direct(db), step
        summary_holds(db)
    file_pending_figures(db)
    assert db.execute("SELECT count(*) FROM year_summary_stale").fetchone()[0] == 0
    summary_holds(db)
    assert filed(db) == direct(db) == db.execute(DIRECT).fetchall()
    db.close()


def test_an_ingested_corpus_files_its_figures_and_keeps_them_on_replace(
    tmp_path: Path, samples_dir: Path
) -> None:
    from ingest.pipeline import ingest_file, remove_reports

    folder = tmp_path / "reports"
    shutil.copytree(samples_dir, folder)
    db = open_db(tmp_path / "corpus.db")
    files = sorted(folder.iterdir())
    for path in files:
        ingest_file(db, path)
    assert filed(db) and filed(db) == direct(db)
    files[0].write_text(
        files[0].read_text("utf-8") + "\n九、其他\n本年度发生行政诉讼3件。\n", "utf-8"
    )
    assert ingest_file(db, files[0]).status == "updated"
    assert filed(db) == direct(db)
    removed = remove_reports(db, path=files[1])
    assert removed and filed(db) == direct(db)
    assert db.execute("SELECT count(*) FROM year_summary_stale").fetchone()[0] == 0
    summary_holds(db)
    db.close()


def test_an_older_database_gets_its_figures_filed_when_opened_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path)
    with writing(db):
        town = add_report(db, "东湖镇", 2019, "镇", "pre2020")
        add_statistic(db, town, "lawsuits.total", 3.0, 0)
        add_statistic(db, town, "lawsuits.total", 4.0, 1)
        add_statistic(db, town, "requests.received", None, 1)
    for name in YEAR_FIGURES_TRIGGERS:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DROP TABLE year_figures")
    db.execute("DROP TABLE year_figures_pending")
    db.execute("PRAGMA user_version = 6")
    db.close()
    reopened = open_db(path)
    assert reopened.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert filed(reopened) == [
        ("lawsuits.total", 2019, "镇", "pre2020", town, "东湖镇", 4.0, "件"),
        ("requests.received", 2019, "镇", "pre2020", town, "东湖镇", None, "件"),
    ]
    with writing(reopened):
        add_statistic(reopened, town, "lawsuits.total", 5.0, 1)
    assert filed(reopened) == direct(reopened)
    file_pending_figures(reopened)
    assert reopened.execute("SELECT given, total FROM year_summary ORDER BY key").fetchall() == [
        (1, 4.0),
        (0, 0.0),
    ]
    reopened.close()


def test_a_report_row_removed_alone_takes_its_figures_along(tmp_path: Path) -> None:
    db = open_db(tmp_path / "bare.db")
    with writing(db):
        town = add_report(db, "东湖镇", 2019, "镇", "pre2020")
        add_statistic(db, town, "lawsuits.total", 3.0, 1)
    file_pending_figures(db)
    assert filed(db)
    db.execute("PRAGMA foreign_keys = OFF")  # a tool that deletes rows without the cascade
    with writing(db):
        db.execute("DELETE FROM reports WHERE id = ?", [town])
    assert filed(db) == direct(db) == []
    db.close()


def test_new_reports_wait_and_are_filed_together(tmp_path: Path) -> None:
    """A report written is not filed at once (one page of the table per key and report made
    ingest a third slower); answers see that figures wait, and filing files them all."""
    db = open_db(tmp_path / "wait.db")
    with writing(db):
        town = add_report(db, "东湖镇", 2019, "镇", "pre2020")
        add_statistic(db, town, "lawsuits.total", 3.0, 1)
        village = add_report(db, "西山乡", 2019, "乡", "pre2020")
        add_statistic(db, village, "lawsuits.total", 5.0, 1)
    assert figures_waiting(db.conn) and filed(db) == []
    assert file_pending_figures(db) == 2
    assert not figures_waiting(db.conn)
    assert sorted(row[4:7] for row in filed(db)) == [
        (town, "东湖镇", 3.0),
        (village, "西山乡", 5.0),
    ]
    assert file_pending_figures(db) == 0
    db.close()


def test_filing_adds_to_the_summary_and_other_changes_are_summed_again(tmp_path: Path) -> None:
    db = open_db(tmp_path / "sum.db")
    with writing(db):
        for unit, value in (("东湖镇", 3.0), ("西山镇", 5.5), ("南城镇", None)):
            add_statistic(
                db, add_report(db, unit, 2019, "镇", "pre2020"), "lawsuits.total", value, 1
            )
    file_pending_figures(db)
    part = ("lawsuits.total", 2019, "镇", "pre2020")
    summary = f"SELECT given, total, low, high, fractional, low_count, high_count FROM year_summary WHERE ({RANGE}) = (?, ?, ?, ?)"
    assert db.execute(summary, part).fetchall() == [(2, 8.5, 3.0, 5.5, 1, 1, 1)]
    with writing(db):
        add_statistic(db, add_report(db, "北岭镇", 2019, "镇", "pre2020"), "lawsuits.total", 1.0, 1)
    file_pending_figures(db)
    assert db.execute(summary, part).fetchall() == [(3, 9.5, 1.0, 5.5, 1, 1, 1)]
    with writing(db):
        db.execute("UPDATE statistics SET value = 7 WHERE value = 5.5")
    assert db.execute(f"SELECT {RANGE} FROM year_summary_stale").fetchall() == [part]
    file_pending_figures(db)
    assert db.execute(summary, part).fetchall() == [(3, 11.0, 1.0, 7.0, 0, 1, 1)]
    with writing(db):
        for (report_id,) in db.execute("SELECT id FROM reports").fetchall():
            delete_report(db, report_id, reason="removed")
    file_pending_figures(db)
    assert db.execute("SELECT count(*) FROM year_summary").fetchone()[0] == 0
    db.close()


def test_an_older_database_gets_its_summary_when_opened_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path)
    with writing(db):
        for unit, value in (("东湖镇", 3.0), ("西山乡", 4.0)):
            add_statistic(
                db, add_report(db, unit, 2019, "镇", "pre2020"), "lawsuits.total", value, 1
            )
    file_pending_figures(db)
    for name in YEAR_SUMMARY_TRIGGERS:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DROP TABLE year_summary")
    db.execute("DROP TABLE year_summary_stale")
    db.execute("PRAGMA user_version = 8")
    db.close()
    reopened = open_db(path)
    assert reopened.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [row[:11] for row in reopened.execute("SELECT * FROM year_summary")] == [
        ("lawsuits.total", 2019, "镇", "pre2020", 2, 7.0, 3.0, 4.0, 0, 1, 1)
    ]
    summary_holds(reopened)
    reopened.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 6).map(float)), max_size=40),
        min_size=1,
        max_size=4,
    )
)
def test_the_first_figures_of_a_long_range_survive_filing_in_batches(
    tmp_path: Path, batches: list[list[float | None]]
) -> None:
    """More figures than a summary keeps, with many ties, filed a batch at a time (ranked
    only at the end, as an ingest files them): the first ones each way are those of the
    whole range."""
    path = tmp_path / "long.db"
    path.unlink(missing_ok=True)
    db = open_db(path)
    number = 0
    for i, batch in enumerate(batches):
        with writing(db):
            for value in batch:
                number += 1
                town = add_report(db, f"{number % 7}镇{number}", 2020, "镇", "pre2020")
                add_statistic(db, town, "lawsuits.total", value, 1)
        file_pending_figures(db, rank=i == len(batches) - 1)
        assert db.execute("SELECT count(*) FROM year_summary_stale").fetchone()[0] == 0
        summary_holds(db)
    unranked = "SELECT count(*) FROM year_summary WHERE first_down IS NULL OR first_up IS NULL"
    assert db.execute(unranked).fetchone()[0] == 0
    db.close()


def test_a_summary_is_summed_again_after_an_older_version_wrote(tmp_path: Path) -> None:
    """An older nianbao files figures without the summary and labels the database with its
    version: the next open for writing sums every range again."""
    path = tmp_path / "older.db"
    db = open_db(path)
    with writing(db):
        add_statistic(db, add_report(db, "东湖镇", 2019, "镇", "pre2020"), "lawsuits.total", 3.0, 1)
    file_pending_figures(db)
    for name in YEAR_SUMMARY_TRIGGERS:  # as an older version files: no summary kept
        db.execute(f"DROP TRIGGER {name}")
    with writing(db):
        add_statistic(db, add_report(db, "西山镇", 2019, "镇", "pre2020"), "lawsuits.total", 4.0, 1)
        db.execute("DELETE FROM year_figures_pending")
        db.execute(
            "INSERT INTO year_figures SELECT s.key, r.year, r.level, r.template, r.id, r.unit, "
            "s.value, s.measure FROM statistics s JOIN reports r ON r.id = s.report_id "
            "WHERE r.unit = '西山镇'"
        )
    db.execute("PRAGMA user_version = 8")
    db.close()
    reopened = open_db(path)
    assert reopened.execute("SELECT given, total FROM year_summary").fetchall() == [(2, 7.0)]
    summary_holds(reopened)
    reopened.close()
