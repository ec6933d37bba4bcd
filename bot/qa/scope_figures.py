"""The official figures of one statistic across the reports of a scope, as a total or a
ranking reads them: how many reports give one, their sum, the first few in some order, and
the first few reports that give none.

A scope of a few reports is read whole (``ListFigures``).  A year's reports at some levels
(2018年各镇, 2020年哪个单位) are thousands at 100,000 reports: when the scope is every report
of those years and levels, their figures are read from ``year_figures`` (``TableFigures``),
one range per key, added up and ordered by SQLite, so an answer reads the few entries it
shows and never each report's figure.  Both give the same answers (tests compare them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

from bot.qa.lookup import OfficialValue, ReportRef, official_values


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
    """Figures read from ``year_figures``: one range per key, aggregated and ordered in SQL."""

    def __init__(self, db: sqlite_utils.Database, filed: FiledScope) -> None:
        self.db = db
        self.filed = filed
        self.scope_size = len(filed.scope)
        self._ranges = [self._range(key, templates) for key, templates in filed.keys.items()]
        self._sums = [self._summed(key, where, params) for key, where, params in self._ranges]
        self.given = sum(s[1] for s in self._sums)

    def _summed(
        self, key: str, where: str, params: list
    ) -> tuple[str, int, float | None, float | None, float | None, int]:
        """(key, figures, sum, smallest, largest, how many with a fraction) of one key in
        scope: from the ranges' summaries when none is stale, else from the figures."""
        conn = self.db.conn
        if self.filed.summarised:
            # one statement, so the summaries and their staleness are read at one moment
            row = conn.execute(
                f"SELECT EXISTS (SELECT 1 FROM year_summary_stale WHERE {where}), "
                "sum(given), total(total), min(low), max(high), sum(fractional) "
                f"FROM year_summary WHERE {where}",
                params + params,
            ).fetchone()
            if not row[0]:
                return (key, row[1] or 0, row[2], row[3], row[4], row[5] or 0)
        row = conn.execute(
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
        direction = "DESC" if sign < 0 else "ASC"
        rows = self._ordered(f"value {direction}, unit, year", limit)
        return sorted(self._values(rows), key=_order(sign))[:limit]

    def by_unit(self, limit: int) -> list[OfficialValue]:
        return sorted(self._values(self._ordered("unit, year", limit)), key=_unit_order)[:limit]

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
        count = 0
        for _key, where, params in self._ranges:
            count += self.db.conn.execute(
                f"SELECT count(*) FROM year_figures WHERE {where} AND value = ?", [*params, value]
            ).fetchone()[0]
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
