"""Comparison tables: one row per unit (or per year of one unit), one column per statistic.

Every cell is a report's official figure with where it came from (table, prose, derived) and
the passage that holds its evidence; a unit that gives no figure has an empty cell, never 0.
Rows are read from the database one report at a time, so a table of ten thousand units is
written to a file without being held in memory; ``Totals`` adds them up on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlite_utils

from bot.qa.gazetteer import Gazetteer
from bot.qa.names import NotFound, resolve_statistic, resolve_unit, suggestions
from bot.qa.official import OfficialFigures
from ingest.catalogue import TEMPLATES, Catalogue, Statistic

_TEMPLATES = (*TEMPLATES, "unknown")


@dataclass(frozen=True)
class Column:
    """One statistic of the table, with the key it has under each template edition."""

    key: str
    label: str
    label_en: str
    measure: str
    keys: dict[str, str]  # template → the key of this statistic in reports of that template


@dataclass(frozen=True)
class Cell:
    """A figure with its provenance."""

    value: float
    key: str
    measure: str
    source: str  # table, prose or derived
    passage_id: int | None
    statistic_id: int
    evidence: str


@dataclass(frozen=True)
class Row:
    """One report's figures, a cell per column (None: the report gives no figure)."""

    unit: str
    year: int
    level: str
    region: str
    report_id: int
    title: str
    cells: tuple[Cell | None, ...]


@dataclass
class Totals:
    """The sum of each column over the rows that give a figure, and how many do."""

    sums: list[float]
    counts: list[int]
    rows: int = 0

    @classmethod
    def of(cls, columns: int) -> Totals:
        return cls([0.0] * columns, [0] * columns)

    def add(self, row: Row) -> None:
        self.rows += 1
        for i, cell in enumerate(row.cells):
            if cell is not None:
                self.sums[i] += cell.value
                self.counts[i] += 1

    @property
    def figures(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ComparisonRequest:
    """What to compare: statistic names, and which reports (a year, levels, a region; or one
    unit across its years with ``by_year``)."""

    statistics: tuple[str, ...]
    year: int | None = None
    levels: tuple[str, ...] = ()
    region: str | None = None
    unit: str | None = None
    by_year: bool = False


@dataclass
class Comparison:
    """A comparison ready to stream; ``problem`` says which name matched nothing."""

    request: ComparisonRequest
    columns: list[Column] = field(default_factory=list)
    unit: str | None = None  # the unit of a comparison across years
    problem: NotFound | None = None
    db: sqlite_utils.Database | None = None  # the scope: reports r of the database that
    scope: str = ""  # satisfy this WHERE clause
    scope_params: list = field(default_factory=list)

    def rows(self) -> Iterator[Row]:
        """The rows, by unit (or by year), read from the database one report at a time."""
        if self.db is None or self.problem is not None:
            return
        keys = sorted({k for c in self.columns for k in c.keys.values()})
        marks = ",".join("?" * len(keys))
        order = "r.year" if self.request.by_year else "r.unit, r.year DESC"
        reports = self.db.query(
            "SELECT r.id, r.unit, r.year, r.level, r.parent, r.template, r.title "
            f"FROM reports r {self.scope} ORDER BY {order}",
            self.scope_params,
        )
        for report in reports:
            found: dict[str, Cell] = {}
            for s in self.db.query(
                "SELECT id, key, value, measure, source, passage_id, evidence FROM statistics "
                f"WHERE report_id = ? AND official = 1 AND value IS NOT NULL AND key IN ({marks}) "
                "ORDER BY id",
                [report["id"], *keys],
            ):
                found.setdefault(
                    s["key"],
                    Cell(
                        s["value"],
                        s["key"],
                        s["measure"] or "",
                        s["source"],
                        s["passage_id"],
                        s["id"],
                        s["evidence"] or "",
                    ),
                )
            template = report["template"] or "unknown"
            yield Row(
                unit=report["unit"],
                year=report["year"],
                level=report["level"] or "",
                region=report["parent"] or "",
                report_id=report["id"],
                title=report["title"] or f"{report['unit']} {report['year']}",
                cells=tuple(found.get(c.keys.get(template, c.key)) for c in self.columns),
            )

    def has_figures(self) -> bool:
        """Whether any row will have a figure (checked in the database, nothing read)."""
        if self.db is None or self.problem is not None:
            return False
        ors = []
        params: list = []
        for column in self.columns:
            for template, key in column.keys.items():
                ors.append("(r.template = ? AND s.key = ?)")
                params += [template, key]
        where = self.scope or "WHERE 1"
        sql = (
            f"SELECT 1 FROM reports r {where} AND EXISTS (SELECT 1 FROM statistics s "
            "WHERE s.report_id = r.id AND s.official = 1 AND s.value IS NOT NULL "
            f"AND ({' OR '.join(ors)})) LIMIT 1"
        )
        return bool(list(self.db.query(sql, [*self.scope_params, *params])))


def _column(statistic: Statistic, mention: str, figures: OfficialFigures) -> Column:
    keys = {}
    for template in _TEMPLATES:
        own = figures.statistic_for(statistic, template, mention)
        if own is not None:
            keys[template] = own.key
    return Column(statistic.key, statistic.label, statistic.label_en, statistic.measure, keys)


def compare(
    db: sqlite_utils.Database,
    catalogue: Catalogue,
    gazetteer: Gazetteer,
    request: ComparisonRequest,
) -> Comparison:
    """The comparison asked for, or the name in it that matches nothing (with suggestions)."""
    comparison = Comparison(request)
    figures = OfficialFigures(db, catalogue)
    for name in request.statistics:
        statistic = resolve_statistic(catalogue, name)
        if isinstance(statistic, NotFound):
            comparison.problem = statistic
            return comparison
        if statistic.key not in {c.key for c in comparison.columns}:
            comparison.columns.append(_column(statistic, name, figures))
    clauses: list[str] = []
    params: list = []
    if request.unit or request.by_year:
        unit = resolve_unit(db, gazetteer, request.unit or "")
        if isinstance(unit, NotFound):
            comparison.problem = unit
            return comparison
        comparison.unit = unit
        clauses.append("r.unit = ?")
        params.append(unit)
    if request.levels:
        levels = db.query("SELECT DISTINCT level FROM reports WHERE level IS NOT NULL")
        known = sorted(r["level"] for r in levels)
        unknown = [lv for lv in request.levels if lv not in known]
        if unknown:
            comparison.problem = NotFound("level", unknown[0], tuple(known))
            return comparison
        clauses.append(f"r.level IN ({','.join('?' * len(request.levels))})")
        params.extend(request.levels)
    if request.region:
        region = request.region.strip()
        clauses.append("(r.parent = ? OR instr(r.parent, ?) > 0 OR instr(r.unit, ?) = 1)")
        params += [region, region, region]
        regions = {r["parent"] for r in db.query("SELECT DISTINCT parent FROM reports")} - {None}
        hit = f"SELECT 1 FROM reports r WHERE {clauses[-1]} LIMIT 1"
        if not list(db.query(hit, [region, region, region])):
            comparison.problem = NotFound("region", region, suggestions(region, sorted(regions)))
            return comparison
    if request.year:
        clauses.append("r.year = ?")
        params.append(request.year)
        years = [
            r["year"]
            for r in db.query(
                f"SELECT DISTINCT r.year FROM reports r "
                f"{'WHERE ' + ' AND '.join(clauses[:-1]) if clauses[:-1] else ''} ORDER BY year",
                params[:-1],
            )
        ]
        if request.year not in years:
            comparison.problem = NotFound("year", str(request.year), tuple(map(str, years)))
            return comparison
    elif not request.by_year:
        clauses.append("r.year = (SELECT max(o.year) FROM reports o WHERE o.unit = r.unit)")
    comparison.db = db
    comparison.scope = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    comparison.scope_params = params
    return comparison
