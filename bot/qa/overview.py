"""What the corpus holds, as a whole: units and years, sizes, disagreements, failed checks,
rows left unread, and the subject of example questions."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from ingest.catalogue import Catalogue, Statistic
from ingest.store import corpus_counts


@dataclass(frozen=True)
class CorpusOverview:
    """What is loaded, for ``/units`` and ``/stats``."""

    units: dict[str, list[int]]
    reports: int
    passages: int
    statistics: int
    conflicts: int
    failed_checks: int
    last_ingest: str | None


def corpus_overview(db: sqlite_utils.Database) -> CorpusOverview:
    """Units with their years, and the size of each table (counted as the ingest summary and
    ``nianbao reports`` count them)."""
    units: dict[str, list[int]] = {}
    for row in db.query("SELECT unit, year FROM reports ORDER BY unit, year"):
        units.setdefault(row["unit"], []).append(row["year"])
    counts = corpus_counts(db)
    return CorpusOverview(
        units=units,
        reports=counts["reports"],
        passages=counts["passages"],
        statistics=counts["statistics"],
        conflicts=counts["conflicts"],
        failed_checks=counts["failed_checks"],
        last_ingest=counts["last_ingest"],
    )


@dataclass(frozen=True)
class ConflictRecord:
    """A table/prose disagreement of one report: the official figure and the other one."""

    unit: str
    year: int
    statistic: str
    label: str
    official_value: float | None
    official_source: str
    official_evidence: str
    official_passage_id: int | None
    other_value: float | None
    other_source: str
    other_evidence: str


def conflict_records(
    db: sqlite_utils.Database, catalogue: Catalogue, unit: str | None = None
) -> list[ConflictRecord]:
    """Every disagreement with both values and their evidence, by unit, year and statistic."""
    where, params = ("WHERE r.unit = ?", [unit]) if unit else ("", [])
    rows = db.query(
        f"""SELECT r.unit, r.year, c.key, a.value AS official_value,
                   a.source AS official_source,
                   a.evidence AS official_evidence, b.value AS other_value,
                   b.source AS other_source, b.evidence AS other_evidence,
                   a.passage_id AS official_passage_id
            FROM conflicts c JOIN reports r ON r.id = c.report_id
            JOIN statistics a ON a.id = c.official_id JOIN statistics b ON b.id = c.other_id
            {where} ORDER BY r.unit, r.year, c.key""",
        params,
    )
    labels = {key: statistic.label for key, statistic in catalogue.statistics.items()}
    return [
        ConflictRecord(
            unit=row["unit"],
            year=row["year"],
            statistic=row["key"],
            label=labels.get(row["key"], row["key"]),
            official_value=row["official_value"],
            official_source=row["official_source"],
            official_evidence=row["official_evidence"],
            official_passage_id=row["official_passage_id"],
            other_value=row["other_value"],
            other_source=row["other_source"],
            other_evidence=row["other_evidence"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class FailedCheck:
    """An arithmetic check of a report's table that did not add up."""

    unit: str
    year: int
    name: str
    expected: float | None
    actual: float | None
    detail: str


def failed_checks(db: sqlite_utils.Database, unit: str | None = None) -> list[FailedCheck]:
    """Every failed arithmetic check, by unit, year and check name."""
    where, params = ("WHERE r.unit = ?", [unit]) if unit else ("", [])
    rows = db.query(
        f"""SELECT r.unit, r.year, k.name, k.expected, k.actual, k.detail
            FROM checks k JOIN reports r ON r.id = k.report_id {where}
            ORDER BY r.unit, r.year, k.name""",
        params,
    )
    return [FailedCheck(**row) for row in rows]


@dataclass(frozen=True)
class RowProblemRecord:
    """A table row of a report whose cells were not all read (``ingest`` stored no guess)."""

    unit: str
    year: int
    kind: str  # ambiguous, too_many, too_few, unreadable
    evidence: str
    columns: int
    found: int
    keys: tuple[str, ...]  # statistics left without a value
    readings: tuple[tuple[float | None, ...], ...]  # candidate readings of run-together digits


def row_problems(db: sqlite_utils.Database, unit: str | None = None) -> list[RowProblemRecord]:
    """Every table row left unread, by unit, year and place in the report."""
    if "row_problems" not in db.table_names():
        return []
    where, params = ("WHERE r.unit = ?", [unit]) if unit else ("", [])
    rows = db.query(
        f"""SELECT r.unit, r.year, p.kind, p.evidence, p.columns, p.found, p.keys, p.readings
            FROM row_problems p JOIN reports r ON r.id = p.report_id {where}
            ORDER BY r.unit, r.year, p.start""",
        params,
    )
    return [
        RowProblemRecord(
            unit=row["unit"],
            year=row["year"],
            kind=row["kind"],
            evidence=row["evidence"],
            columns=row["columns"],
            found=row["found"],
            keys=tuple(json.loads(row["keys"] or "[]")),
            readings=tuple(tuple(r) for r in json.loads(row["readings"] or "[]")),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ExampleSubject:
    """What example questions ask about: a loaded unit, and the top-level statistic most
    reports give a figure for (None when no report gives any)."""

    unit: str
    statistic: Statistic | None

    @property
    def label(self) -> str:
        """The statistic as an official would name it: its first alias, else its label."""
        if self.statistic is None:
            return ""
        return self.statistic.aliases[0] if self.statistic.aliases else self.statistic.label

    @property
    def label_en(self) -> str:
        if self.statistic is None:
            return ""
        s = self.statistic
        return s.aliases_en[0] if s.aliases_en else s.label_en


def example_subject(db: sqlite_utils.Database, catalogue: Catalogue) -> ExampleSubject | None:
    """The subject of example questions; None when no report is loaded.

    The statistic is one most reports give whose values differ, so that the example ranking
    (哪个单位…最多) has a first place rather than a tie of zeros.
    """
    row = next(iter(db.query("SELECT min(unit) AS unit FROM reports")), None)
    if row is None or row["unit"] is None:
        return None
    counts = db.query(
        """SELECT key, count(*) AS n, count(DISTINCT value) > 1 AS differ FROM statistics
           WHERE value IS NOT NULL AND official = 1
           GROUP BY key ORDER BY differ DESC, n DESC, key"""
    )
    statistics = catalogue.statistics
    statistic = next(
        (
            statistics[r["key"]]
            for r in counts
            if r["key"] in statistics and statistics[r["key"]].parent is None
        ),
        None,
    )
    return ExampleSubject(unit=row["unit"], statistic=statistic)
