"""Read-only queries over the reports and statistics tables: the facts an answer is built from
(and a report's passages, for figures read from its sentences)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import sqlite_utils

from bot.qa.prose_figures import PassageText
from ingest.statistics.drafts import FigureSource
from ingest.template import Template


@dataclass(frozen=True)
class ReportRef:
    """A report as answers name it."""

    id: int
    unit: str
    year: int
    template: Template
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
    source: FigureSource
    label: str
    evidence: str
    rule: str
    passage_id: int | None = None


REPORT_FIELDS = "r.id AS r_id, r.unit, r.year, r.template, r.title, r.source_file, r.level"
_STATISTIC_FIELDS = """s.id, s.key, s.value, s.measure, s.source, s.label, s.evidence, s.rule,
                       s.passage_id"""
_FACT_SQL = f"""SELECT {_STATISTIC_FIELDS},
                       {REPORT_FIELDS}
                FROM statistics s JOIN reports r ON r.id = s.report_id"""
# The official row first (the table's over prose), then the first written.
_OFFICIAL_ORDER = "s.official DESC, s.id"


def report_ref(row: dict) -> ReportRef:
    """The report columns of a row selected with ``REPORT_FIELDS``."""
    return ReportRef(
        id=row["r_id"],
        unit=row["unit"],
        year=row["year"],
        template=row["template"] or "unknown",
        title=row["title"] or f"{row['unit']} {row['year']}",
        source_file=row["source_file"],
        level=row["level"],
    )


def _fact(row: dict, report: ReportRef | None = None) -> Fact:
    return Fact(
        id=row["id"],
        report=report or report_ref(row),
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
    sql = f"SELECT {REPORT_FIELDS} FROM reports r"
    params: list = []
    units = list(units or [])
    if units:
        sql += f" WHERE r.unit IN ({','.join('?' * len(units))})"
        params = units
    sql += " ORDER BY r.unit, r.year DESC, r.id DESC"
    return [report_ref(row) for row in db.query(sql, params)]


def official(db: sqlite_utils.Database, report_id: int, key: str) -> Fact | None:
    """The value an answer uses for this report and key (the table's when both exist)."""
    rows = list(
        db.query(
            _FACT_SQL + f" WHERE s.report_id = ? AND s.key = ? ORDER BY {_OFFICIAL_ORDER} LIMIT 1",
            [report_id, key],
        )
    )
    return _fact(rows[0]) if rows else None


def officials(db: sqlite_utils.Database, report_id: int, keys: list[str]) -> dict[str, Fact]:
    """Official facts of several keys in one report (for breakdowns), in the order of
    ``keys``; one query."""
    if not keys:
        return {}
    rows = db.query(
        _FACT_SQL + " WHERE s.report_id = ? AND s.key IN (SELECT value FROM json_each(?)) "
        f"ORDER BY {_OFFICIAL_ORDER}",
        [report_id, json.dumps(list(keys))],
    )
    found: dict[str, Fact] = {}
    for row in rows:
        found.setdefault(row["key"], _fact(row))
    return {k: found[k] for k in keys if k in found}


def officials_across(
    db: sqlite_utils.Database, key: str, reports: Iterable[ReportRef]
) -> dict[int, Fact]:
    """The official fact of one key in each of many reports, by report id: one query that
    looks each report up in the (report, key) index, never a scan of the key's rows."""
    by_id = {r.id: r for r in reports}
    if not by_id:
        return {}
    cursor = db.conn.execute(
        f"SELECT {_STATISTIC_FIELDS}, s.report_id FROM json_each(?) AS j "
        "CROSS JOIN statistics AS s ON s.report_id = j.value AND s.key = ? "
        f"ORDER BY s.report_id, {_OFFICIAL_ORDER}",
        [json.dumps(list(by_id)), key],
    )
    names = [d[0] for d in cursor.description]
    found: dict[int, Fact] = {}
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        if row["report_id"] not in found:
            found[row["report_id"]] = _fact(row, by_id[row["report_id"]])
    return found


class OfficialValue(NamedTuple):
    """A report's official figure of one key without its words: enough to add up, order and
    choose what an answer shows, whose facts are then read alone (``facts_by_id``).  A tuple:
    a total over a year makes thousands."""

    fact_id: int
    report: ReportRef
    key: str
    value: float | None
    measure: str
    source: FigureSource


def official_values(
    db: sqlite_utils.Database, key: str, reports: Iterable[ReportRef]
) -> dict[int, OfficialValue]:
    """The official value of one key in each of many reports, by report id: one query over
    the (report, key) index that reads no evidence, so a total over thousands of reports
    costs their numbers only."""
    by_id = {r.id: r for r in reports}
    if not by_id:
        return {}
    rows = db.conn.execute(
        "SELECT s.report_id, s.id, s.value, s.measure, s.source FROM json_each(?) AS j "
        "CROSS JOIN statistics AS s ON s.report_id = j.value AND s.key = ? "
        f"ORDER BY s.report_id, {_OFFICIAL_ORDER}",
        [json.dumps(list(by_id)), key],
    )
    found: dict[int, OfficialValue] = {}
    for report_id, fact_id, value, measure, source in rows:
        if report_id not in found:
            found[report_id] = OfficialValue(
                fact_id, by_id[report_id], key, value, measure or "", source
            )
    return found


def facts_by_id(db: sqlite_utils.Database, values: Iterable[OfficialValue]) -> dict[int, Fact]:
    """The facts of these official values, by statistics id: one query."""
    by_id = {v.fact_id: v for v in values}
    if not by_id:
        return {}
    cursor = db.conn.execute(
        f"SELECT {_STATISTIC_FIELDS} FROM json_each(?) AS j "
        "CROSS JOIN statistics AS s ON s.id = j.value",
        [json.dumps(list(by_id))],
    )
    names = [d[0] for d in cursor.description]
    found: dict[int, Fact] = {}
    for values_row in cursor:
        row = dict(zip(names, values_row, strict=True))
        found[row["id"]] = _fact(row, by_id[row["id"]].report)
    return found


def disagreeing(db: sqlite_utils.Database, fact: Fact) -> list[Fact]:
    """Other statements of the same figure in the same report that disagree with it."""
    rows = db.query(
        _FACT_SQL + " JOIN conflicts c ON c.other_id = s.id WHERE c.official_id = ? ORDER BY s.id",
        [fact.id],
    )
    return [_fact(row) for row in rows]


def statistics_with_values(db: sqlite_utils.Database) -> set[str]:
    """Every statistics key the corpus gives at least one figure for."""
    rows = db.query("SELECT DISTINCT key FROM statistics WHERE value IS NOT NULL")
    return {row["key"] for row in rows}


def passages_of_reports(
    db: sqlite_utils.Database, report_ids: Iterable[int]
) -> dict[int, list[PassageText]]:
    """Several reports' passages in reading order, read with one query (a ranking reads the
    text of every report in scope that has no official figure)."""
    found: dict[int, list[PassageText]] = {}
    rows = db.execute(
        "SELECT p.report_id, p.id, p.text, p.section FROM json_each(?) AS j "
        "JOIN passages p ON p.report_id = j.value ORDER BY p.report_id, p.ord",
        [json.dumps(sorted(set(report_ids)))],
    ).fetchall()
    for report_id, passage_id, text, section in rows:
        found.setdefault(report_id, []).append(PassageText(passage_id, text, section or ""))
    return found


def report_passages(db: sqlite_utils.Database, report_id: int) -> list[PassageText]:
    """A report's passages in reading order, for figures read from its sentences."""
    rows = db.query(
        "SELECT id, text, section FROM passages WHERE report_id = ? ORDER BY ord", [report_id]
    )
    return [PassageText(r["id"], r["text"], r["section"] or "") for r in rows]


@dataclass(frozen=True)
class UnreadRow:
    """A table row whose digits run together, so some of its cells have no value."""

    label: str
    evidence: str  # the row exactly as written
    keys: tuple[str, ...]  # the cells left without a value
    readings: tuple[tuple[float | None, ...], ...]  # the readings the table's arithmetic allows


def unread_row(db: sqlite_utils.Database, report_id: int, key: str) -> UnreadRow | None:
    """The row of the report that left ``key`` without a value, if ingest recorded one."""
    if "row_problems" not in db.table_names():
        return None
    rows = db.query(
        "SELECT label, evidence, keys, readings FROM row_problems"
        " WHERE report_id = ? ORDER BY start",
        [report_id],
    )
    for row in rows:
        keys = tuple(json.loads(row["keys"] or "[]"))
        if key in keys:
            readings = tuple(tuple(r) for r in json.loads(row["readings"] or "[]"))
            return UnreadRow(row["label"] or "", row["evidence"] or "", keys, readings)
    return None


@dataclass(frozen=True)
class FailedSum:
    """A printed total that is not the sum of its printed parts."""

    printed: float
    parts: float
    detail: str  # the labels and values involved, in the report's words


def failed_sums(db: sqlite_utils.Database, report_id: int, key: str) -> list[FailedSum]:
    """The report's failed checks whose total is ``key`` (总计 0 beside 自然人 1), for the
    answer to show."""
    if "checks" not in db.table_names():
        return []
    rows = db.query(
        "SELECT expected, actual, detail FROM checks WHERE report_id = ? AND name IN (?, ?) "
        "ORDER BY id",
        [report_id, f"sum:{key}", f"columns:{key}"],
    )
    return [FailedSum(row["expected"], row["actual"], row["detail"] or "") for row in rows]
