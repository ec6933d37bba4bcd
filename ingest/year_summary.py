"""``year_summary``: what a total or ranking over a year's reports needs of each range of
``year_figures`` (one key, year, level and template), so that an answer reads a few summary
rows instead of the thousands of figures of a year at 100,000 reports.

Filing the waiting reports (``ingest.store.file_pending_figures``) adds their figures to the
summaries of their ranges: counts and sums add up, extremes and the first figures each way
merge.  Any other change to ``year_figures`` (a filed report's figure changed, a report
replaced or removed) marks its range in ``year_summary_stale`` by trigger, and the next
filing sums that range again from its figures.  Answers read a range's summary only when it
is not stale.

The summaries are computed here, in Python, over figures read in the table's order: SQLite's
window functions took 26 s for the 1.1 million figures of 10,000 reports.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import sqlite_utils

SUMMARY_KEPT = 30  # the first figures kept each way: an answer lists 30 places
RANGE = ("key", "year", "level", "template")

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
    first_down TEXT NOT NULL,
    first_up TEXT NOT NULL,
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

Figure = tuple[float, str, int]  # value, unit, report id


def _down(f: Figure) -> tuple:
    return (-f[0], f[1], f[2])


class Summary(NamedTuple):
    """One range's summary.  ``given`` counts the figures with a value; ``total`` is 0
    without any; ``fractional`` counts the values that are not whole numbers (a total is then
    added up in scope order, not from here); ``low_count`` and ``high_count`` how many
    figures equal ``low`` and ``high``; ``first_down`` and ``first_up`` the first
    SUMMARY_KEPT figures by value, largest and smallest first (then unit, then report id)."""

    given: int
    total: float
    low: float | None
    high: float | None
    fractional: int
    low_count: int
    high_count: int
    first_down: list[Figure]
    first_up: list[Figure]

    @classmethod
    def of(cls, figures: Iterable[tuple[float | None, str, int]]) -> Summary:
        given: list[Figure] = [(v, u, i) for v, u, i in figures if v is not None]
        if not given:
            return cls(0, 0.0, None, None, 0, 0, 0, [], [])
        values = [f[0] for f in given]
        low, high = min(values), max(values)
        return cls(
            given=len(values),
            total=float(sum(values)),
            low=low,
            high=high,
            fractional=sum(1 for v in values if not float(v).is_integer()),
            low_count=values.count(low),
            high_count=values.count(high),
            first_down=_first_down(given, values),
            first_up=given if len(given) <= SUMMARY_KEPT else heapq.nsmallest(SUMMARY_KEPT, given),
        )

    def joined(self, other: Summary) -> Summary:
        """The summary of this range's figures and ``other``'s together."""
        low, low_count = _extreme(self.low, self.low_count, other.low, other.low_count, True)
        high, high_count = _extreme(self.high, self.high_count, other.high, other.high_count, False)
        return Summary(
            given=self.given + other.given,
            total=self.total + other.total,
            low=low,
            high=high,
            fractional=self.fractional + other.fractional,
            low_count=low_count,
            high_count=high_count,
            first_down=heapq.nsmallest(SUMMARY_KEPT, self.first_down + other.first_down, key=_down),
            first_up=heapq.nsmallest(SUMMARY_KEPT, self.first_up + other.first_up),
        )

    def row(self, part: tuple) -> tuple:
        lists = (json.dumps(f, ensure_ascii=False) for f in (self.first_down, self.first_up))
        return (*part, *self[:7], *lists)

    @classmethod
    def from_row(cls, row: tuple) -> Summary:
        """From a year_summary row without its range columns."""
        down, up = ([(v, u, i) for v, u, i in json.loads(text)] for text in row[7:9])
        given, total, low, high, fractional, low_count, high_count = row[:7]
        return cls(given, total, low, high, fractional, low_count, high_count, down, up)


def _first_down(given: list[Figure], values: list[float]) -> list[Figure]:
    """The first SUMMARY_KEPT figures largest first: among those at least as large as the
    SUMMARY_KEPT-th largest value (a few, save for ties)."""
    if len(given) <= SUMMARY_KEPT:
        return given
    least = heapq.nlargest(SUMMARY_KEPT, values)[-1]
    return sorted((f for f in given if f[0] >= least), key=_down)[:SUMMARY_KEPT]


def _extreme(
    a: float | None, a_count: int, b: float | None, b_count: int, lowest: bool
) -> tuple[float | None, int]:
    """The lower (or higher) of two ranges' ends, with how many figures are at it."""
    if a is None:
        return b, b_count
    if b is None:
        return a, a_count
    if a == b:
        return a, a_count + b_count
    return (a, a_count) if (a < b) == lowest else (b, b_count)


_COLUMNS = "key, year, level, template, value, unit, report_id"
_INSERT = f"INSERT OR REPLACE INTO year_summary VALUES ({', '.join('?' * 13)})"


def _by_range(rows: Iterable[tuple]) -> Iterator[tuple[tuple, list[tuple]]]:
    """(range, its figures) of rows (``_COLUMNS``) that come range by range."""
    for part, group in itertools.groupby(rows, key=lambda r: r[:4]):
        yield part, [r[4:] for r in group]


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
            rows = db.execute(f"SELECT {_COLUMNS} FROM year_figures ORDER BY {', '.join(RANGE)}")
            db.conn.executemany(
                _INSERT, (Summary.of(figures).row(part) for part, figures in _by_range(rows))
            )


def add_to_summary(db: sqlite_utils.Database, filing: str) -> None:
    """Add the figures of the table ``filing`` (``_COLUMNS``, being filed) to their ranges'
    summaries."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM {filing} ORDER BY {', '.join(RANGE)}")
    added = {part: Summary.of(figures) for part, figures in _by_range(rows)}
    if not added:
        return
    kept = db.execute(
        """SELECT s.* FROM json_each(?) AS j JOIN year_summary AS s
            ON (s.key, s.year, s.level, s.template) = (json_extract(j.value, '$[0]'),
                json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'),
                json_extract(j.value, '$[3]'))""",
        [json.dumps(list(added), ensure_ascii=False)],
    )
    for row in kept.fetchall():
        part = tuple(row[:4])
        added[part] = Summary.from_row(row[4:]).joined(added[part])
    with db.atomic():
        db.conn.executemany(_INSERT, (summary.row(part) for part, summary in added.items()))


def settle_year_summary(db: sqlite_utils.Database) -> None:
    """Sum the stale ranges again from their figures (each a range of the primary key)."""
    stale = db.execute("SELECT * FROM year_summary_stale ORDER BY 1, 2, 3, 4").fetchall()
    if not stale:
        return
    with db.atomic():
        _settle(db, stale)


def _settle(db: sqlite_utils.Database, stale: list[tuple]) -> None:
    for part in stale:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM year_figures WHERE (key, year, level, template) = "
            "(?, ?, ?, ?)",
            part,
        ).fetchall()
        if rows:
            db.conn.execute(_INSERT, Summary.of(r[4:] for r in rows).row(part))
        else:
            db.execute(
                "DELETE FROM year_summary WHERE (key, year, level, template) = (?, ?, ?, ?)",
                part,
            )
    db.execute("DELETE FROM year_summary_stale")
