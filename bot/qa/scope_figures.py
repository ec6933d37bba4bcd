"""The official figures of one statistic across the reports of a scope, as a total or a
ranking reads them: how many reports give one, their sum, the first few in some order, and
the first few reports that give none.

A scope of a few reports is read whole (``ListFigures``).  A year's reports at some levels
(2018年各镇, 2020年哪个单位) are thousands at 100,000 reports: when the scope is every report
of those years and levels, their figures are read from ``year_figures`` (``TableFigures``):
their counts, sums, extremes and first places from the summaries of its ranges
(``ingest/year_summary.py``) when these are current, else added up and ordered by SQLite
over the ranges, so an answer reads the few entries it shows and never each report's figure.
Both give the same answers (tests compare them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import sqlite_utils

from bot.qa.lookup import OfficialValue, ReportRef, official_values
from ingest.year_summary import SUMMARY_KEPT


def _order(sign: int) -> Callable[[OfficialValue], tuple]:
    """Answer order: by value (largest first when ``sign`` is -1), then unit and year."""
    return lambda v: (sign * (v.value or 0), v.report.unit, v.report.year)


def _unit_order(v: OfficialValue) -> tuple:
    return (v.report.unit, v.report.year)


class ScopeFigures:
    """What a total or ranking needs of the official figures of the reports in scope."""

    scope_size: int
    given: int  # reports in scope with a figure (a value, not "not given")

    @property
    def missing_count(self) -> int:
        return self.scope_size - self.given

    def missing(self, limit: int | None = None) -> list[ReportRef]:
        """The reports in scope without a figure, in scope order (the first ``limit``)."""
        raise NotImplementedError

    def first(self, limit: int, sign: int) -> list[OfficialValue]:
        """The first ``limit`` figures in answer order (``_order``)."""
        raise NotImplementedError

    def by_unit(self, limit: int) -> list[OfficialValue]:
        """The first ``limit`` figures by unit and year."""
        raise NotImplementedError

    def in_scope_order(self, limit: int) -> list[OfficialValue]:
        """The first ``limit`` figures in scope order."""
        raise NotImplementedError

    def scope_place(self, report: ReportRef) -> tuple:
        """Where a report with a figure stands in scope order, for sorting a few of them."""
        raise NotImplementedError

    def count_equal(self, value: float) -> int:
        """How many figures equal ``value``."""
        raise NotImplementedError

    def extremes(self) -> tuple[float, float] | None:
        """The smallest and largest figure; None without any."""
        raise NotImplementedError

    def total(self) -> float:
        """The sum of the figures, added in scope order (as floats add)."""
        raise NotImplementedError


class ListFigures(ScopeFigures):
    """Figures read whole: each report's official value, in scope order."""

    def __init__(self, values: list[OfficialValue], without: list[ReportRef]) -> None:
        self.values = values
        self.without = without
        self.scope_size = len(values) + len(without)
        self.given = len(values)
        self._place = {v.report.id: i for i, v in enumerate(values)}

    def missing(self, limit: int | None = None) -> list[ReportRef]:
        return self.without[:limit]

    def first(self, limit: int, sign: int) -> list[OfficialValue]:
        return sorted(self.values, key=_order(sign))[:limit]

    def by_unit(self, limit: int) -> list[OfficialValue]:
        return sorted(self.values, key=_unit_order)[:limit]

    def in_scope_order(self, limit: int) -> list[OfficialValue]:
        return self.values[:limit]

    def scope_place(self, report: ReportRef) -> tuple:
        return (self._place[report.id],)

    def count_equal(self, value: float) -> int:
        return sum(1 for v in self.values if (v.value or 0) == value)

    def extremes(self) -> tuple[float, float] | None:
        if not self.values:
            return None
        numbers = [v.value or 0 for v in self.values]
        return min(numbers), max(numbers)

    def total(self) -> float:
        return sum(v.value or 0 for v in self.values)


class _RangeSummary(NamedTuple):
    """One year_summary row of a key in scope (``ingest/year_summary.py``); its first
    figures each way are JSON text, read only by a ranking."""

    year: int
    given: int
    total: float
    low: float | None  # None when no figure of the range has a value
    high: float | None
    fractional: int
    low_count: int
    high_count: int
    first_down: str | None  # None until ranked
    first_up: str | None


@dataclass(frozen=True)
class FiledScope:
    """A scope that is every report of some years (and levels): each unit has one report
    there, so the scope is a range of ``year_figures`` per key.  ``scope`` lists its
    reports by unit; ``keys`` maps each key asked to the templates whose reports give it."""

    scope: Sequence[ReportRef]
    years: tuple[int, ...]
    levels: tuple[str, ...]
    keys: dict[str, tuple[str, ...]]
    refs: Callable[[Iterable[int]], dict[int, ReportRef]]
    summarised: bool = False  # the database keeps ``year_summary``


class TableFigures(ScopeFigures):
    """Figures read from ``year_figures``: one range per key, from its ranges' summaries or
    aggregated and ordered in SQL."""

    def __init__(self, db: sqlite_utils.Database, filed: FiledScope) -> None:
        self.db = db
        self.filed = filed
        self.scope_size = len(filed.scope)
        self._ranges = [self._range(key, templates) for key, templates in filed.keys.items()]
        self._summaries = {
            key: self._summaries_of(where, params) for key, where, params in self._ranges
        }
        self._sums = [self._summed(key, where, params) for key, where, params in self._ranges]
        self.given = sum(s[1] for s in self._sums)

    def _summaries_of(self, where: str, params: list) -> list[_RangeSummary] | None:
        """The summaries of one key's ranges in scope (``ingest/year_summary.py``); None when
        the database keeps none or one of them is stale.  One statement, so that they and
        their staleness are read at one moment."""
        if not self.filed.summarised:
            return None
        columns = ", ".join(_RangeSummary._fields)
        rows = self.db.conn.execute(
            f"SELECT 1, {', '.join(['NULL'] * len(_RangeSummary._fields))} WHERE EXISTS "
            f"(SELECT 1 FROM year_summary_stale WHERE {where}) "
            f"UNION ALL SELECT 0, {columns} FROM year_summary WHERE {where}",
            params + params,
        ).fetchall()
        if any(row[0] for row in rows):
            return None
        return [_RangeSummary(*row[1:]) for row in rows]

    def _summed(
        self, key: str, where: str, params: list
    ) -> tuple[str, int, float | None, float | None, float | None, int]:
        """(key, figures, sum, smallest, largest, how many with a fraction) of one key in
        scope: from the ranges' summaries when there are, else from the figures."""
        summaries = self._summaries[key]
        if summaries is not None:
            given = [r for r in summaries if r.given]
            return (
                key,
                sum(r.given for r in given),
                float(sum(r.total for r in given)),
                min((r.low for r in given if r.low is not None), default=None),
                max((r.high for r in given if r.high is not None), default=None),
                sum(r.fractional for r in given),
            )
        row = self.db.conn.execute(
            "SELECT count(value), sum(value), min(value), max(value), "
            f"sum(value <> CAST(value AS INTEGER)) FROM year_figures WHERE {where}",
            params,
        ).fetchone()
        return (key, row[0], row[1], row[2], row[3], row[4] or 0)

    def _range(self, key: str, templates: tuple[str, ...]) -> tuple[str, str, list]:
        """The WHERE clause (and its parameters) of one key's figures in scope."""
        filed = self.filed
        where = "key = ? AND year IN (SELECT value FROM json_each(?))"
        params: list = [key, json.dumps(list(filed.years))]
        if filed.levels:
            where += " AND level IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(filed.levels)))
        where += " AND template IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(templates)))
        return key, where, params

    def _values(self, rows: Iterable[tuple[str, int]]) -> list[OfficialValue]:
        """The official values of these (key, report id) pairs, in their order: one look-up
        per key for the few an answer shows."""
        wanted = list(rows)
        refs = self.filed.refs(report_id for _key, report_id in wanted)
        by_key: dict[str, list[ReportRef]] = {}
        for key, report_id in wanted:
            ref = refs.get(report_id)
            if ref is not None:
                by_key.setdefault(key, []).append(ref)
        found = {key: official_values(self.db, key, refs) for key, refs in by_key.items()}
        return [
            found[key][report_id]
            for key, report_id in wanted
            if report_id in found.get(key, {}) and found[key][report_id].value is not None
        ]

    def _ordered(self, order: str, limit: int) -> list[tuple[str, int]]:
        rows: list[tuple] = []
        for key, where, params in self._ranges:
            rows += [
                (key, *row)
                for row in self.db.conn.execute(
                    f"SELECT report_id, value, unit, year FROM year_figures WHERE {where} "
                    f"AND value IS NOT NULL ORDER BY {order} LIMIT ?",
                    [*params, limit],
                )
            ]
        return [(row[0], row[1]) for row in rows]

    def missing(self, limit: int | None = None) -> list[ReportRef]:
        """When the first ``limit`` are likely among the first quarter of the scope, the
        reports are looked up in scope order a batch at a time, each by its primary key;
        else every figure's report is read once."""
        if not self.missing_count:
            return []
        scope = self.filed.scope
        expected = (limit or self.missing_count) * len(scope) // self.missing_count
        if limit is None or expected > len(scope) // 4:
            return self._missing_of(self._reports_with_figures(), limit)
        found: list[ReportRef] = []
        start, batch = 0, max(2 * expected, 64)
        while start < len(scope) and len(found) < limit:
            chosen = scope[start : start + batch]
            found += [chosen[i] for i in self._without_figures(chosen)]
            start, batch = start + batch, 2 * batch
        return found[:limit]

    def _reports_with_figures(self) -> set[int]:
        have: set[int] = set()
        for _key, where, params in self._ranges:
            have.update(
                row[0]
                for row in self.db.conn.execute(
                    f"SELECT report_id FROM year_figures WHERE {where} AND value IS NOT NULL",
                    params,
                )
            )
        return have

    def _missing_of(self, have: set[int], limit: int | None) -> list[ReportRef]:
        found: list[ReportRef] = []
        for report in self.filed.scope:
            if report.id not in have:
                found.append(report)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def _without_figures(self, reports: Sequence[ReportRef]) -> list[int]:
        """Which of these reports (by position) have no figure: one primary-key look-up
        each, in one statement."""
        key_of = {t: key for key, templates in self.filed.keys.items() for t in templates}
        probes = [
            [r.id, key_of.get(r.template), r.year, r.level or "", r.template] for r in reports
        ]
        rows = self.db.conn.execute(
            """SELECT j.key FROM json_each(?) AS j WHERE NOT EXISTS (
                   SELECT 1 FROM year_figures f WHERE f.key = json_extract(j.value, '$[1]')
                   AND f.year = json_extract(j.value, '$[2]')
                   AND f.level = json_extract(j.value, '$[3]')
                   AND f.template = json_extract(j.value, '$[4]')
                   AND f.report_id = json_extract(j.value, '$[0]') AND f.value IS NOT NULL)
               ORDER BY j.key""",
            [json.dumps(probes, ensure_ascii=False)],
        )
        return [row[0] for row in rows]

    def first(self, limit: int, sign: int) -> list[OfficialValue]:
        column = "first_down" if sign < 0 else "first_up"
        rows = self._kept(limit, column, lambda f: (sign * f[0], f[1], f[2]))
        if rows is None:
            direction = "DESC" if sign < 0 else "ASC"
            rows = self._ordered(f"value {direction}, unit, year", limit)
        return sorted(self._values(rows), key=_order(sign))[:limit]

    def by_unit(self, limit: int) -> list[OfficialValue]:
        """When every figure in scope is the same number, a range's first figures by value
        are its first by unit."""
        rows = self._kept(limit, "first_up", lambda f: (f[1], f[2])) if self._one_value() else None
        if rows is None:
            rows = self._ordered("unit, year", limit)
        return sorted(self._values(rows), key=_unit_order)[:limit]

    def _kept(
        self, limit: int, column: str, order: Callable[[tuple], tuple]
    ) -> list[tuple[str, int]] | None:
        """The first ``limit`` (key, report id) in ``order`` of (value, unit, year) among the
        first figures each range keeps (``column``: ``first_down`` or ``first_up``); None
        unless every key's ranges are summarised, ranked and keep at least ``limit`` (or all)
        of their figures."""
        if limit > SUMMARY_KEPT:
            return None
        kept: list[tuple] = []
        for key, summaries in self._summaries.items():
            if summaries is None:
                return None
            for r in summaries:
                first = getattr(r, column)
                if first is None:  # not ranked yet
                    return None
                kept += [(v, u, r.year, key, i) for v, u, i in json.loads(first)]
        kept.sort(key=order)
        return [(key, report_id) for *_figure, key, report_id in kept[:limit]]

    def _one_value(self) -> bool:
        """Whether every figure in scope is the same number."""
        return len({v for s in self._sums if s[1] for v in (s[3], s[4])}) == 1

    def in_scope_order(self, limit: int) -> list[OfficialValue]:
        """The scope's first reports looked up by primary key a batch at a time, until
        ``limit`` of them have a figure (the scope is in unit order, as ``by_unit``)."""
        scope = self.filed.scope
        key_of = {t: key for key, templates in self.filed.keys.items() for t in templates}
        chosen: list[tuple[str, int]] = []
        start, batch = 0, max(2 * limit, 16)
        while start < len(scope) and len(chosen) < limit and self.given:
            reports = scope[start : start + batch]
            without = set(self._without_figures(reports))
            chosen += [
                (key_of[r.template], r.id) for i, r in enumerate(reports) if i not in without
            ]
            start, batch = start + batch, 2 * batch
        return self._values(chosen[:limit])

    def scope_place(self, report: ReportRef) -> tuple:
        return (report.unit, report.year)

    def count_equal(self, value: float) -> int:
        """From the summaries when ``value`` is no range's figure but at one of its ends."""
        count = 0
        for key, where, params in self._ranges:
            counted = self._counted_at_ends(self._summaries[key], value)
            if counted is None:
                counted = self.db.conn.execute(
                    f"SELECT count(*) FROM year_figures WHERE {where} AND value = ?",
                    [*params, value],
                ).fetchone()[0]
            count += counted
        return count

    @staticmethod
    def _counted_at_ends(summaries: list[_RangeSummary] | None, value: float) -> int | None:
        if summaries is None:
            return None
        count = 0
        for r in summaries:
            if r.low is None or r.high is None or value < r.low or value > r.high:
                continue
            if value == r.high:
                count += r.high_count
            elif value == r.low:
                count += r.low_count
            else:
                return None
        return count

    def extremes(self) -> tuple[float, float] | None:
        lows = [s[3] for s in self._sums if s[1]]
        highs = [s[4] for s in self._sums if s[1]]
        if not lows:
            return None
        return min(v for v in lows if v is not None), max(v for v in highs if v is not None)

    def total(self) -> float:
        """Whole numbers add up exactly in any order; figures with fractions are added in
        scope order, as a list of them would be."""
        if not any(s[5] for s in self._sums):
            return float(sum(s[2] or 0 for s in self._sums))
        rows: list[tuple[str, float, int]] = []
        for _key, where, params in self._ranges:
            rows += self.db.conn.execute(
                f"SELECT unit, value, year FROM year_figures WHERE {where} AND value IS NOT NULL",
                params,
            ).fetchall()
        rows.sort(key=lambda r: (r[0], r[2]))
        return sum(r[1] for r in rows)
