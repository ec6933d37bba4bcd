"""The stored review of reports (``findings``, written by ``ingest/review.py``), for front ends:
a unit's reports, one year of them, one report, or all of them, most serious first."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from bot.qa.gazetteer import Gazetteer
from bot.qa.names import NotFound, resolve_unit
from ingest.catalogue import Catalogue
from ingest.review import KINDS, SEVERITIES

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True)
class FindingRecord:
    """One finding of one report, as the ``findings`` table holds it."""

    id: int
    report_id: int
    unit: str
    year: int
    kind: str
    severity: str
    statistic: str | None
    label: str  # the statistic's catalogue label ('' when the finding is about no statistic)
    message: str
    evidence: str
    passage_id: int | None
    other_year: int | None  # the other year of a finding across years
    value: float | None
    other_value: float | None
    title: str
    source_file: str

    def as_dict(self) -> dict:
        """The JSON form: kind, severity, unit, year, message, evidence, and the links."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "unit": self.unit,
            "year": self.year,
            "message": self.message,
            "evidence": self.evidence,
            "statistic": self.statistic,
            "passage_id": self.passage_id,
            "other_year": self.other_year,
            "value": self.value,
            "other_value": self.other_value,
            "report": self.title,
            "source_file": self.source_file,
        }


@dataclass(frozen=True)
class Review:
    """The findings of the reports in scope, most serious first; ``problem`` when the unit or
    year asked for is not loaded."""

    findings: list[FindingRecord] = field(default_factory=list)
    reports: int = 0  # reports reviewed
    unit: str | None = None
    year: int | None = None
    problem: NotFound | None = None

    def counts(self) -> dict[str, int]:
        """How many findings of each severity, in severity order (0 counts kept)."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        return counts

    def kinds(self) -> dict[str, int]:
        """How many findings of each kind, in the review's order of kinds."""
        counts: dict[str, int] = {}
        for finding in sorted(self.findings, key=lambda f: _KIND_RANK.get(f.kind, 99)):
            counts[finding.kind] = counts.get(finding.kind, 0) + 1
        return counts


_SQL = """SELECT f.id, f.report_id, r.unit, r.year, f.kind, f.severity, f.statistic, f.message,
                 f.evidence, f.passage_id, o.year AS other_year, f.value, f.other_value,
                 r.title, r.source_file
          FROM findings f JOIN reports r ON r.id = f.report_id
          LEFT JOIN reports o ON o.id = f.other_report_id"""


def _records(db: sqlite_utils.Database, catalogue: Catalogue, where: str, params: list) -> list:
    rows = db.query(f"{_SQL} {where}", params)
    records = []
    for row in rows:
        statistic = catalogue.statistics.get(row["statistic"] or "")
        records.append(
            FindingRecord(
                **{k: row[k] for k in row if k != "title"},
                label=statistic.label if statistic else "",
                title=row["title"] or f"{row['unit']} {row['year']}",
            )
        )
    records.sort(
        key=lambda f: (
            _SEVERITY_RANK.get(f.severity, 9),
            f.unit,
            -f.year,
            _KIND_RANK.get(f.kind, 99),
            f.id,
        )
    )
    return records


def review(
    db: sqlite_utils.Database,
    catalogue: Catalogue,
    gazetteer: Gazetteer,
    unit: str | None = None,
    year: int | None = None,
) -> Review:
    """The findings of a unit's reports (all years, or one), of one year, or of everything."""
    clauses: list[str] = []
    params: list[str | int] = []
    name = None
    if unit:
        found = resolve_unit(db, gazetteer, unit)
        if isinstance(found, NotFound):
            return Review(unit=unit, year=year, problem=found)
        name = found
        clauses.append("r.unit = ?")
        params.append(name)
    if year:
        clauses.append("r.year = ?")
        params.append(year)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    reports = next(iter(db.query(f"SELECT count(*) AS n FROM reports r {where}", params)))["n"]
    if reports == 0 and year:
        sql = "SELECT DISTINCT year FROM reports" + (" WHERE unit = ?" if name else "")
        years = sorted({r["year"] for r in db.query(sql, [name] if name else [])})
        problem = NotFound("year", str(year), tuple(str(y) for y in years))
        return Review(unit=name, year=year, problem=problem)
    return Review(_records(db, catalogue, where, params), reports, name, year)


def report_review(db: sqlite_utils.Database, catalogue: Catalogue, report_id: int) -> Review:
    """The findings of one report (e.g. the one just uploaded)."""
    row = next(iter(db.query("SELECT unit, year FROM reports WHERE id = ?", [report_id])), None)
    if row is None:
        return Review()
    records = _records(db, catalogue, "WHERE f.report_id = ?", [report_id])
    return Review(records, 1, row["unit"], row["year"])
