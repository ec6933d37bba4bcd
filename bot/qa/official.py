"""Which reports a question covers, and the official figure each of them gives.

Every figure an answer or a chart shows is picked here, from the statistics rows: a report's
official value of the statistic asked (its template's sibling key when the edition names the
same thing differently), the parts it breaks down into, and the reports in scope.
"""

from __future__ import annotations

import sqlite_utils

from bot.qa.lookup import Fact, ReportRef, official, reports
from bot.qa.question import Question
from ingest.catalogue import Catalogue, Statistic
from ingest.text import fold


class OfficialFigures:
    """Official figures over one database and catalogue."""

    def __init__(self, db: sqlite_utils.Database, catalogue: Catalogue) -> None:
        self.db = db
        self.catalogue = catalogue

    def statistic_for(self, statistic: Statistic, template: str, mention: str) -> Statistic | None:
        """The statistic of this template that the question's words mean.

        Editions of the template measure some things under sibling keys (行政许可处理决定数量 is
        ``licensing.decisions_2019`` in 2019 reports, ``licensing.decisions`` from 2021): when
        the parsed key is not in the report's template, a key of that template that the same
        words name is used instead.  None when the template has no such statistic.
        """
        if not statistic.templates or template in statistic.templates or template == "unknown":
            return statistic
        words = {fold(w) for w in (*statistic.labels, *statistic.aliases, mention) if w}
        english = {fold(w) for w in statistic.aliases_en}
        broader = self._broader(statistic)
        best: tuple[int, Statistic] | None = None
        for other in self.catalogue.for_template(template):
            if other.key in broader:
                continue
            names = {fold(w) for w in (*other.labels, *other.aliases)}
            score = len(words & names) + (2 if fold(mention) in names else 0)
            score += len(english & {fold(w) for w in other.aliases_en})
            if score and (best is None or score > best[0]):
                best = (score, other)
        return best[1] if best else None

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
        facts: list[Fact] = []
        missing: list[str] = []
        for report in scope:
            fact = self.official_in(report, statistic, mention)
            if fact is None or fact.value is None:
                missing.append(f"{report.unit} {report.year}")
            else:
                facts.append(fact)
        return facts, missing

    def breakdown(self, statistic: Statistic, report: ReportRef) -> list[Fact]:
        """Official facts of the statistic's children in the same report, catalogue order.

        A child the report does not give (table 三's 法人或其他组织 subtotal column is often
        missing) is replaced by its own children, so the parts still add up.
        """
        parts: list[Fact] = []
        for child in self.catalogue.children(statistic.key):
            fact = official(self.db, report.id, child.key)
            if fact is not None and fact.value is not None:
                parts.append(fact)
            elif self.catalogue.children(child.key):
                parts.extend(self.breakdown(child, report))
        return parts

    def scope_reports(self, q: Question) -> list[ReportRef]:
        """One report per unit in scope: the asked year, or each unit's latest."""
        units = [u.unit for u in q.units]
        chosen: list[ReportRef] = []
        seen: set[str] = set()
        for report in reports(self.db, units or None):
            if q.level and not units and (report.level or "") not in q.level.split(","):
                continue
            if q.years and report.year not in q.years:
                continue
            if report.unit in seen:
                continue
            seen.add(report.unit)
            chosen.append(report)
        return chosen

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
