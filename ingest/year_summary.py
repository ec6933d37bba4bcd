"""``year_summary``: what a total or ranking over a year's reports needs of each range of
``year_figures`` (one key, year, level and template), so that an answer reads a few summary
rows instead of the thousands of figures of a year at 100,000 reports.

Filing the waiting reports (``ingest.store.file_pending_figures``) adds their figures to the
counts, sums and extremes of their ranges, in one statement.  A range's first figures each
way (what a ranking lists) are taken again from its figures when an ingest ends
(``rank_year_summary``), one ordered look-up per range changed: merging them at every filing
rewrote every range's lists each 2,000 reports (a filing took four times as long).  Any other
change to ``year_figures`` (a filed report's figure changed, a report replaced or removed)
marks its range in ``year_summary_stale`` by trigger, and the next filing sums that range
again.  Answers read a range's summary only when it is not stale, and its first figures only
when they are there.
"""

from __future__ import annotations

import json

import sqlite_utils

SUMMARY_KEPT = 30  # the first figures kept each way: an answer lists 30 places
RANGE = "key, year, level, template"

# ``given`` counts the figures with a value; ``total`` is 0 without any; ``fractional`` counts
# the values that are not whole numbers (a total is then added up in scope order, not from
# here); ``low_count`` and ``high_count`` how many figures equal ``low`` and ``high``;
# ``first_down`` and ``first_up`` the first SUMMARY_KEPT figures by value, largest and
# smallest first, then by unit and report id, as JSON [[value, unit, report id], ...]
# (NULL until ranked).
YEAR_SUMMARY_SQL = """CREATE TABLE IF NOT EXISTS year_summary (
    key TEXT NOT NULL,
    year INTEGER NOT NULL,
    level TEXT NOT NULL,
    template TEXT NOT NULL,
    given INTEGER NOT NULL,
    total REAL NOT NULL,
    low REAL,
    high REAL,
    fractional INTEGER NOT NULL,
    low_count INTEGER NOT NULL,
    high_count INTEGER NOT NULL,
    first_down TEXT,
    first_up TEXT,
    PRIMARY KEY (key, year, level, template)
) WITHOUT ROWID"""
YEAR_SUMMARY_STALE_SQL = """CREATE TABLE IF NOT EXISTS year_summary_stale (
    key TEXT NOT NULL,
    year INTEGER NOT NULL,
    level TEXT NOT NULL,
    template TEXT NOT NULL,
    PRIMARY KEY (key, year, level, template)
) WITHOUT ROWID"""


def _stale(row: str) -> str:
    return (
        "INSERT OR IGNORE INTO year_summary_stale (key, year, level, template) VALUES "
        f"({row}.key, {row}.year, {row}.level, {row}.template);"
    )


# A figure filed one at a time (a filed report's figure changed), removed or changed marks its
# range stale; the figures of waiting reports (in year_figures_pending) are added by the
# filing itself.
YEAR_SUMMARY_TRIGGERS = {
    "year_summary_figure_insert": "AFTER INSERT ON year_figures WHEN NOT EXISTS "
    "(SELECT 1 FROM year_figures_pending WHERE report_id = NEW.report_id) "
    f"BEGIN {_stale('NEW')} END",
    "year_summary_figure_delete": f"AFTER DELETE ON year_figures BEGIN {_stale('OLD')} END",
    "year_summary_figure_update": "AFTER UPDATE ON year_figures "
    f"BEGIN {_stale('OLD')} {_stale('NEW')} END",
}

# The summary of every range of the figures in {table} ({where} chooses some): counts, sums
# and extremes, the figures at each end counted by a look-up of the range's (key, year, level,
# template, value) prefix; the first figures are left to ``rank_year_summary``.
_AT = """(SELECT count(*) FROM {table} AS e WHERE e.key = s.key AND e.year = s.year
    AND e.level = s.level AND e.template = s.template AND e.value = s.{end})"""
_SUMMED = f"""SELECT key, year, level, template, given, total, low, high, fractional,
    {_AT.format(table="{table}", end="low")}, {_AT.format(table="{table}", end="high")}, NULL, NULL
    FROM (SELECT {RANGE}, count(value) AS given, total(value) AS total, min(value) AS low,
          max(value) AS high, count(CASE WHEN value <> CAST(value AS INTEGER) THEN 1 END)
          AS fractional FROM {{table}} {{where}} GROUP BY {RANGE}) AS s WHERE true"""

# Figures being filed added to their ranges' summaries (the range is to be ranked again).
_ADDED = """ ON CONFLICT (key, year, level, template) DO UPDATE SET
    given = given + excluded.given,
    total = total + excluded.total,
    low = CASE WHEN low IS NULL OR excluded.low < low THEN excluded.low ELSE low END,
    high = CASE WHEN high IS NULL OR excluded.high > high THEN excluded.high ELSE high END,
    fractional = fractional + excluded.fractional,
    low_count = CASE WHEN low IS NULL OR excluded.low < low THEN excluded.low_count
                     WHEN excluded.low = low THEN low_count + excluded.low_count
                     ELSE low_count END,
    high_count = CASE WHEN high IS NULL OR excluded.high > high THEN excluded.high_count
                      WHEN excluded.high = high THEN high_count + excluded.high_count
                      ELSE high_count END,
    first_down = NULL, first_up = NULL"""

_FIRST = f"""SELECT value, unit, report_id FROM year_figures
    WHERE ({RANGE}) = (?, ?, ?, ?) AND value IS NOT NULL
    ORDER BY value {{way}}, unit, report_id LIMIT {SUMMARY_KEPT}"""


def ensure_year_summary(db: sqlite_utils.Database, rebuild: bool = False) -> None:
    """The summary tables and their triggers; the summary of the figures already filed is
    built when the table is new (an upgrade) or on ``rebuild``."""
    fresh = "year_summary" not in db.table_names()
    db.execute(YEAR_SUMMARY_SQL)
    db.execute(YEAR_SUMMARY_STALE_SQL)
    for name, body in YEAR_SUMMARY_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    if fresh or rebuild:
        with db.atomic():
            db.execute("DELETE FROM year_summary")
            db.execute("DELETE FROM year_summary_stale")
            db.execute("INSERT INTO year_summary " + _SUMMED.format(table="year_figures", where=""))
            rank_year_summary(db)


def add_to_summary(db: sqlite_utils.Database, filing: str) -> None:
    """Add the figures of the table ``filing`` (being filed; indexed by range and value) to
    their ranges' summaries."""
    db.execute("INSERT INTO year_summary " + _SUMMED.format(table=filing, where="") + _ADDED)


def settle_year_summary(db: sqlite_utils.Database) -> None:
    """Sum the stale ranges again from their figures (each a range of the primary key)."""
    if db.execute("SELECT 1 FROM year_summary_stale LIMIT 1").fetchone() is None:
        return
    stale = f"({RANGE}) IN (SELECT {RANGE} FROM year_summary_stale)"
    with db.atomic():
        db.execute(f"DELETE FROM year_summary WHERE {stale}")
        summed = _SUMMED.format(table="year_figures", where=f"WHERE {stale}")
        db.execute("INSERT INTO year_summary " + summed)
        db.execute("DELETE FROM year_summary_stale")


def rank_year_summary(db: sqlite_utils.Database) -> int:
    """Take the first figures of each range that lacks them from its figures (two ordered
    look-ups of a range of the primary key); returns how many ranges were ranked."""
    parts = db.execute(
        f"SELECT {RANGE}, given FROM year_summary WHERE first_down IS NULL"
    ).fetchall()
    ranked = []
    for *part, given in parts:
        down = db.execute(_FIRST.format(way="DESC"), part).fetchall() if given else []
        up = down if given <= SUMMARY_KEPT else db.execute(_FIRST.format(way=""), part).fetchall()
        ranked.append([_json(down), _json(up), *part])
    with db.atomic():
        db.conn.executemany(
            f"UPDATE year_summary SET first_down = ?, first_up = ? WHERE ({RANGE}) = (?, ?, ?, ?)",
            ranked,
        )
    return len(ranked)


def _json(figures: list[tuple]) -> str:
    return json.dumps(figures, ensure_ascii=False)
