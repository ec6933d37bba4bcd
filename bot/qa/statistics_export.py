"""The whole statistics table with its provenance, one row per figure, read as a stream.

Each row says which report (unit, year, file) a figure comes from, which catalogue statistic
it is, where in the report it was read (table, prose, derived; the words; the passage) and
whether answers use it (``official``).
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

from ingest.catalogue import Catalogue

# (column, type) of every exported row, in order.
EXPORT_COLUMNS: tuple[tuple[str, type], ...] = (
    ("statistic_id", int),
    ("report_id", int),
    ("unit", str),
    ("year", int),
    ("level", str),
    ("region", str),
    ("template", str),
    ("key", str),
    ("statistic", str),
    ("value", float),
    ("measure", str),
    ("source", str),
    ("official", int),
    ("label", str),
    ("evidence", str),
    ("passage_id", int),
    ("rule", str),
    ("report", str),
    ("source_file", str),
)

_SQL = """SELECT s.id AS statistic_id, s.report_id, r.unit, r.year, r.level, r.parent AS region,
                 r.template, s.key, s.value, s.measure, s.source, s.official, s.label,
                 s.evidence, s.passage_id, s.rule, r.title AS report, r.source_file
          FROM statistics s JOIN reports r ON r.id = s.report_id
          ORDER BY r.unit, r.year, s.id"""


def statistics_rows(db: sqlite_utils.Database, catalogue: Catalogue) -> Iterator[dict]:
    """Every statistics row with its report and catalogue label, in ``EXPORT_COLUMNS`` order."""
    for row in db.query(_SQL):
        statistic = catalogue.statistics.get(row["key"])
        row["statistic"] = statistic.label if statistic else ""
        yield {name: row[name] for name, _ in EXPORT_COLUMNS}
