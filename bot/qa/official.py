"""Which reports a question covers, and the official figure each of them gives.

Every figure an answer or a chart shows is picked here, from the statistics rows: a report's
official value of the statistic asked (its template's sibling key when the edition names the
same thing differently), the parts it breaks down into, and the reports in scope.

Figures across many reports are read with one query per statistic key (``officials_across``),
never one per report; the reports in scope come from the in-memory ``ReportTable`` when the
question names no unit.  A question naming a region with a level word (某某县各镇, 某某区哪个
部门) ranges over the units of that region at that level.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from bot.qa.lookup import (
    Fact,
    OfficialValue,
    ReportRef,
    facts_by_id,
    official,
    official_values,
    officials,
    officials_across,
    reports,
)
from bot.qa.overview import ExampleSubject, example_subject
from bot.qa.question import Question
from bot.qa.report_table import CorpusWatch, PerCorpus, ReportTable
from bot.qa.scope_figures import FiledScope, ListFigures, ScopeFigures, TableFigures
from ingest.catalogue import Catalogue, Statistic
from ingest.store import figures_waiting
from ingest.text import fold
from ingest.units import REGION_LEVELS


class OfficialFigures:
    """Official figures over one database and catalogue."""

    def __init__(
        self, db: sqlite_utils.Database, catalogue: Catalogue, watch: CorpusWatch | None = None
    ) -> None:
        self.db = db
        self.catalogue = catalogue
        self.watch = watch or CorpusWatch(db)
        self.table = ReportTable(self.watch)
        self._siblings: dict[tuple[str, str, str], Statistic | None] = {}
        self._descendants: dict[str, list[str]] = {}
        self._folded_names: dict[str, tuple[set[str], set[str]]] = {}  # key → (zh, en) names
        # The parts of the derived figures read by the last ``across``: (report, key) → parts.
        self._parts: dict[tuple[int, str], dict[str, Fact]] = {}
        self._examples = PerCorpus(self.watch, lambda: example_subject(db, catalogue))
        self._filed = PerCorpus(self.watch, lambda: "year_figures" in db.table_names())
        self._summarised = PerCorpus(self.watch, lambda: "year_summary" in db.table_names())

    def statistic_for(self, statistic: Statistic, template: str, mention: str) -> Statistic | None:
        """The statistic of this template that the question's words mean.

        Editions of the template measure some things under sibling keys (行政许可处理决定数量 is
        ``licensing.decisions_2019`` in 2019 reports, ``licensing.decisions`` from 2021): when
        the parsed key is not in the report's template, a key of that template that the same
        words name is used instead.  None when the template has no such statistic.
        """
        if not statistic.templates or template in statistic.templates or template == "unknown":
            return statistic
        memo = (statistic.key, template, mention)
        if memo in self._siblings:
            return self._siblings[memo]
        words = {fold(w) for w in (*statistic.labels, *statistic.aliases, mention) if w}
        english = {fold(w) for w in statistic.aliases_en}
        broader = self._broader(statistic)
        best: tuple[int, Statistic] | None = None
        said = fold(mention)
        for other in self.catalogue.for_template(template):
            if other.key in broader:
                continue
            names, names_en = self._names_of(other)
            score = len(words & names) + (2 if said in names else 0)
            score += len(english & names_en)
            if score and (best is None or score > best[0]):
                best = (score, other)
        self._siblings[memo] = best[1] if best else None
        return self._siblings[memo]

    def _names_of(self, statistic: Statistic) -> tuple[set[str], set[str]]:
        """A statistic's names and English aliases, folded once: a new mention or template
        compares them for every statistic of the template."""
        found = self._folded_names.get(statistic.key)
        if found is None:
            found = self._folded_names[statistic.key] = (
                {fold(w) for w in (*statistic.labels, *statistic.aliases)},
                {fold(w) for w in statistic.aliases_en},
            )
        return found

    def _broader(self, statistic: Statistic) -> set[str]:
        """The statistics ``statistic`` is part of: never a stand-in for it (收到申请数 does not
        answer 商业企业收到申请数 in a template without applicant columns)."""
        found: set[str] = set()
        todo = [statistic]
        while todo:
            current = todo.pop()
            for up in (current.parent, current.subset_of):
                if up and up not in found and up in self.catalogue.statistics:
                    found.add(up)
                    todo.append(self.catalogue.statistics[up])
        return found

    def official_in(self, report: ReportRef, statistic: Statistic, mention: str) -> Fact | None:
        """The report's official value of the statistic (its template's sibling key if needed)."""
        own = self.statistic_for(statistic, report.template, mention)
        return official(self.db, report.id, own.key) if own else None

    def across(
        self, scope: list[ReportRef], statistic: Statistic, mention: str
    ) -> tuple[list[Fact], list[str]]:
        """The official figure of each report in scope, and "unit year" of those without one."""
        values, missing = self.values_across(scope, statistic, mention)
        return self.facts_of(values), [f"{r.unit} {r.year}" for r in missing]

    def values_across(
        self, scope: list[ReportRef], statistic: Statistic, mention: str
    ) -> tuple[list[OfficialValue], list[ReportRef]]:
        """The official value of each report in scope that gives one, in scope order, and the
        reports that give none: one query per key the scope's templates use, reading numbers
        only, so that a total or ranking over thousands of reports reads the words of the
        few it shows alone (``facts_of``)."""
        by_template: dict[str, list[ReportRef]] = {}
        for report in scope:
            by_template.setdefault(report.template, []).append(report)
        by_key: dict[str, list[ReportRef]] = {}
        for template, chosen in by_template.items():
            own = self.statistic_for(statistic, template, mention)
            if own is not None:
                by_key.setdefault(own.key, []).extend(chosen)
        found: dict[int, OfficialValue] = {}
        for key, chosen in by_key.items():
            found.update(official_values(self.db, key, chosen))
        values: list[OfficialValue] = []
        missing: list[ReportRef] = []
        for report in scope:
            value = found.get(report.id)
            if value is None or value.value is None:
                missing.append(report)
            else:
                values.append(value)
        return values, missing

    def scope_figures(
        self, q: Question, statistic: Statistic, scope: list[ReportRef] | None = None
    ) -> ScopeFigures:
        """The official figures of the statistic in the question's scope (``scope`` when
        given): from ``year_figures`` when the scope is every report of the asked years and
        levels, else read report by report."""
        mention = q.statistic_mention
        if scope is None:
            levels = q.level.split(",") if q.level else []
            filed = self._filed_scope(q, statistic, levels)
            if filed is not None:
                return TableFigures(self.db, filed)
            scope = self.scope_reports(q)
        return ListFigures(*self.values_across(scope, statistic, mention))

    def _filed_scope(
        self, q: Question, statistic: Statistic, levels: list[str]
    ) -> FiledScope | None:
        """The question's scope as ranges of ``year_figures``, when it is one: no unit named,
        some years asked, and every report of those years and levels in it."""
        if q.units or not q.years or not self._filed.get() or figures_waiting(self.db.conn):
            return None
        if not self.table.whole_scope(levels, q.years):
            return None
        keys: dict[str, tuple[str, ...]] = {}
        for template in sorted(self.table.templates()):
            own = self.statistic_for(statistic, template, q.statistic_mention)
            if own is not None:
                keys[own.key] = (*keys.get(own.key, ()), template)
        return FiledScope(
            scope=self.table.scope(levels, q.years),
            years=q.years,
            levels=tuple(levels),
            keys=keys,
            refs=self.table.refs,
            summarised=self._summarised.get(),
        )

    def facts_of(self, values: list[OfficialValue]) -> list[Fact]:
        """The facts of these official values, in their order (one query); the parts of
        derived figures are read along (``officials``), so their sources cost no query per
        report either.  A fact removed since its value was read is left out."""
        by_id = facts_by_id(self.db, values)
        self._parts = {}
        by_key: dict[str, dict[int, Fact]] = {}
        for fact in by_id.values():
            by_key.setdefault(fact.key, {})[fact.report.id] = fact
        for key, found in by_key.items():
            self._read_parts(key, [f.report for f in found.values()], found)
        return [by_id[v.fact_id] for v in values if v.fact_id in by_id]

    def _read_parts(self, key: str, chosen: list[ReportRef], found: dict[int, Fact]) -> None:
        """The official facts a derived figure adds up, for the reports whose figure is one."""
        statistic = self.catalogue.statistics.get(key)
        if statistic is None or not statistic.derived_from:
            return
        derived = [r for r in chosen if (f := found.get(r.id)) and f.source == "derived"]
        for report in derived:
            self._parts[(report.id, key)] = {}
        for part in statistic.derived_from:
            for report_id, fact in officials_across(self.db, part, derived).items():
                self._parts[(report_id, key)][part] = fact

    def derivation_parts(self, fact: Fact) -> dict[str, Fact]:
        """The official facts a derived figure adds up, in catalogue order (read along with
        the figures across reports when it was one of them)."""
        statistic = self.catalogue.statistics.get(fact.key)
        keys = list(statistic.derived_from) if statistic else []
        held = self._parts.get((fact.report.id, fact.key))
        if held is None:
            return officials(self.db, fact.report.id, keys)
        return {k: held[k] for k in keys if k in held}

    def breakdown(self, statistic: Statistic, report: ReportRef) -> list[Fact]:
        """Official facts of the statistic's children in the same report, catalogue order.

        A child the report does not give (table 三's 法人或其他组织 subtotal column is often
        missing) is replaced by its own children, so the parts still add up.
        """
        facts = officials(self.db, report.id, self._descendant_keys(statistic.key))
        return self._breakdown(statistic, facts)

    def _breakdown(self, statistic: Statistic, facts: dict[str, Fact]) -> list[Fact]:
        parts: list[Fact] = []
        for child in self.catalogue.children(statistic.key):
            fact = facts.get(child.key)
            if fact is not None and fact.value is not None:
                parts.append(fact)
            elif self.catalogue.children(child.key):
                parts.extend(self._breakdown(child, facts))
        return parts

    def _descendant_keys(self, key: str) -> list[str]:
        if key not in self._descendants:
            keys: list[str] = []
            for child in self.catalogue.children(key):
                keys.append(child.key)
                keys.extend(self._descendant_keys(child.key))
            self._descendants[key] = keys
        return self._descendants[key]

    # -- scope ------------------------------------------------------------------------------

    def scope_reports(self, q: Question) -> list[ReportRef]:
        """One report per unit in scope: the asked year, or each unit's latest."""
        units = [u.unit for u in q.units]
        levels = q.level.split(",") if q.level else []
        inside = self.region_units(q)
        if not units:
            return self.table.scope(levels, q.years)
        if inside:
            rows: Iterable[ReportRef] = (r.ref for r in self.table.rows(inside))
        else:
            levels = []
            rows = reports(self.db, units)
        chosen: list[ReportRef] = []
        seen: set[str] = set()
        for report in rows:
            if levels and (report.level or "") not in levels:
                continue
            if q.years and report.year not in q.years:
                continue
            if report.unit in seen:
                continue
            seen.add(report.unit)
            chosen.append(report)
        return chosen

    def region_units(self, q: Question) -> list[str]:
        """The units a region-scoped question ranges over: 某某县各镇 names the county and the
        level; its towns are the units whose parent region (or name) is that county.  The
        named units that are no region stay; [] when the question is not region-scoped."""
        if not q.level or not q.units:
            return []
        levels = q.level.split(",")
        regions: list[str] = []
        others: list[str] = []
        for ref in q.units:
            rows = self.table.of_unit(ref.unit)
            level = rows[0].ref.level if rows else ""
            if level in REGION_LEVELS and level not in levels:
                regions.append(ref.unit)
            else:
                others.append(ref.unit)
        if not regions:
            return []
        inside = [u for region in regions for u in self.table.units_in(region) if u not in regions]
        if not inside:
            return []
        return list(dict.fromkeys([*others, *inside]))

    def years_with_reports(self, units: list[str]) -> set[int]:
        """The years these units have reports for (any unit's when none are named), from the
        reports kept in memory: no question reads the whole reports table for them."""
        if not units:
            return self.table.years()
        return {row.ref.year for unit in units for row in self.table.of_unit(unit)}

    def unit_years(self, unit: str, years: tuple[int, ...]) -> list[ReportRef]:
        """A unit's reports, oldest first; only the asked years when there are any."""
        chosen = sorted(reports(self.db, [unit]), key=lambda r: r.year)
        return [r for r in chosen if r.year in years] if years else chosen

    def reports_for(self, q: Question, unit: str) -> tuple[list[ReportRef], list[int]]:
        """The unit's reports for the asked years (latest when none); also the years missing.

        Plans for 2014 are in the 2013 report; when there is none, the 2014 report is read.
        """
        available = reports(self.db, [unit])
        if not q.years:
            return available[:1], []
        chosen = [r for r in available if r.year in q.years]
        if not chosen and q.years_written != q.years:
            written = [r for r in available if r.year in q.years_written]
            if written:
                return written, []
        missing = [y for y in q.years if y not in {r.year for r in chosen}]
        return chosen, missing

    def example_subject(self) -> ExampleSubject | None:
        """What example questions ask about (read from every statistic: once per corpus)."""
        return self._examples.get()

    def loaded_units(self) -> list[str]:
        """Every loaded unit, sorted."""
        return self.table.units()

    def similar_units(self, name: str, k: int) -> list[str]:
        """Loaded units named most like ``name`` (offered when a question asks for one that
        is not loaded)."""
        return self.table.similar_units(name, k)
