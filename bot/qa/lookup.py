"""Read-only queries over the statistics table: the facts an answer is built from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class ReportRef:
    id: int
    unit: str
    year: int
    template: str
    title: str
    source_file: str
    level: str | None


@dataclass(frozen=True)
class Fact:
    """One statistics row with the report it belongs to."""

    id: int
    report: ReportRef
    key: str
    value: float | None
    measure: str
    source: str
    label: str
    evidence: str
    rule: str
    passage_id: int | None = None


_REPORT_FIELDS = "r.id AS r_id, r.unit, r.year, r.template, r.title, r.source_file, r.level"
_FACT_SQL = f"""SELECT s.id, s.key, s.value, s.measure, s.source, s.label, s.evidence, s.rule,
                       s.passage_id,
                       {_REPORT_FIELDS}
                FROM statistics s JOIN reports r ON r.id = s.report_id"""


def _report(row: dict) -> ReportRef:
    return ReportRef(
        id=row["r_id"],
        unit=row["unit"],
        year=row["year"],
        template=row["template"] or "unknown",
        title=row["title"] or f"{row['unit']} {row['year']}",
        source_file=row["source_file"],
        level=row["level"],
    )


def _fact(row: dict) -> Fact:
    return Fact(
        id=row["id"],
        report=_report(row),
        key=row["key"],
        value=row["value"],
        measure=row["measure"] or "",
        source=row["source"],
        label=row["label"] or "",
        evidence=row["evidence"] or "",
        rule=row["rule"] or "",
        passage_id=row["passage_id"],
    )


def reports(db: sqlite_utils.Database, units: Iterable[str] | None = None) -> list[ReportRef]:
    """Reports, newest year first within each unit; all of them when no units are given."""
    sql = f"SELECT {_REPORT_FIELDS} FROM reports r"
    params: list = []
    units = list(units or [])
    if units:
        sql += f" WHERE r.unit IN ({','.join('?' * len(units))})"
        params = units
    sql += " ORDER BY r.unit, r.year DESC"
    return [_report(row) for row in db.query(sql, params)]


def official(db: sqlite_utils.Database, report_id: int, key: str) -> Fact | None:
    """The value an answer uses for this report and key (the table's when both exist)."""
    rows = list(
        db.query(
            _FACT_SQL
            + " WHERE s.report_id = ? AND s.key = ? ORDER BY s.official DESC, s.id LIMIT 1",
            [report_id, key],
        )
    )
    return _fact(rows[0]) if rows else None


def officials(db: sqlite_utils.Database, report_id: int, keys: list[str]) -> dict[str, Fact]:
    """Official facts of several keys in one report (for breakdowns)."""
    return {k: f for k in keys if (f := official(db, report_id, k)) is not None}


def disagreeing(db: sqlite_utils.Database, fact: Fact) -> list[Fact]:
    """Other statements of the same figure in the same report that disagree with it."""
    rows = db.query(
        _FACT_SQL + " JOIN conflicts c ON c.other_id = s.id WHERE c.official_id = ? ORDER BY s.id",
        [fact.id],
    )
    return [_fact(row) for row in rows]


def metric_keys_present(db: sqlite_utils.Database) -> set[str]:
    """Every statistics key the corpus has at least one value for."""
    return {row["key"] for row in db.query("SELECT DISTINCT key FROM statistics")}


@dataclass(frozen=True)
class SectionPassage:
    id: int
    report_id: int
    unit: str
    year: int
    section: str
    text: str


def section_passages(
    db: sqlite_utils.Database,
    words: list[str],
    units: list[str] | None = None,
    year: int | None = None,
    limit: int = 3,
) -> list[SectionPassage]:
    """Paragraphs in sections whose own (deepest) title contains one of the words, in order.

    For questions like 存在哪些问题 the answer is the section itself, whatever its words.
    """
    if not words:
        return []
    sql = """SELECT p.id, p.report_id, r.unit, r.year, p.section, p.text FROM passages p
             JOIN reports r ON r.id = p.report_id WHERE p.kind = 'paragraph'"""
    params: list = []
    if units:
        sql += f" AND r.unit IN ({','.join('?' * len(units))})"
        params += units
    if year is not None:
        sql += " AND r.year = ?"
        params.append(year)
    sql += " AND (" + " OR ".join("p.section LIKE ?" for _ in words) + ")"
    params += [f"%{w}%" for w in words]
    sql += " ORDER BY r.year DESC, r.unit, p.ord"
    found = []
    for row in db.query(sql, params):
        deepest = row["section"].split(" / ")[-1]
        if any(w in deepest for w in words):
            found.append(SectionPassage(**row))
            if len(found) == limit:
                break
    return found


@dataclass(frozen=True)
class PassageContext:
    """A passage with the passages around it in the same report, for ``/source``."""

    passage: dict
    report: ReportRef
    before: list[dict]
    after: list[dict]


def passage_context(
    db: sqlite_utils.Database, passage_id: int, neighbours: int = 1
) -> PassageContext | None:
    """The passage of this id and up to ``neighbours`` passages either side; None when unknown."""
    rows = list(
        db.query(
            f"SELECT p.id, p.ord, p.kind, p.section, p.text, {_REPORT_FIELDS} "
            "FROM passages p JOIN reports r ON r.id = p.report_id WHERE p.id = ?",
            [passage_id],
        )
    )
    if not rows:
        return None
    row = rows[0]
    around = list(
        db.query(
            "SELECT id, ord, kind, section, text FROM passages "
            "WHERE report_id = ? AND ord BETWEEN ? AND ? AND id != ? ORDER BY ord",
            [row["r_id"], row["ord"] - neighbours, row["ord"] + neighbours, passage_id],
        )
    )
    passage = {k: row[k] for k in ("id", "ord", "kind", "section", "text")}
    return PassageContext(
        passage=passage,
        report=_report(row),
        before=[p for p in around if p["ord"] < row["ord"]],
        after=[p for p in around if p["ord"] > row["ord"]],
    )


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
    def count(table: str) -> int:
        return next(iter(db.query(f"SELECT count(*) AS n FROM {table}")))["n"]

    units: dict[str, list[int]] = {}
    for row in db.query("SELECT unit, year FROM reports ORDER BY unit, year"):
        units.setdefault(row["unit"], []).append(row["year"])
    last = next(iter(db.query("SELECT max(ingested_at) AS t FROM reports")))["t"]
    return CorpusOverview(
        units=units,
        reports=count("reports"),
        passages=count("passages"),
        statistics=count("statistics WHERE value IS NOT NULL"),
        conflicts=count("conflicts"),
        failed_checks=count("checks"),
        last_ingest=last,
    )


def conflict_rows(db: sqlite_utils.Database, unit: str | None = None) -> list[dict]:
    """Every table/prose disagreement with both values and their evidence, by unit and year."""
    where, params = ("WHERE r.unit = ?", [unit]) if unit else ("", [])
    return list(
        db.query(
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
    )
