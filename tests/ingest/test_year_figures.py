"""year_figures, the figures of each key filed by year: always what a direct query over the
statistics gives, whatever is inserted, changed or removed, and built for older databases."""

from __future__ import annotations

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
    file_pending_figures(db)
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
