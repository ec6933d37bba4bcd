"""Which figures a chart shows: one statistic across units, or across years for one unit.

The figures are the answers' own (``Answerer.official_in``), so a chart never shows a number
that ``nianbao ask`` would not give with its source; units without a figure are named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.qa.answerer import Answerer
from bot.qa.lookup import Fact, reports


@dataclass(frozen=True)
class ChartRequest:
    """The figures to draw, or the reason there are none (``error``)."""

    kind: str = "bar"
    label: str = ""
    measure: str = ""
    facts: list[Fact] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def labels(self) -> list[str]:
        if self.kind == "line":
            return [str(f.report.year) for f in self.facts]
        return [f.report.unit for f in self.facts]

    @property
    def values(self) -> list[float]:
        return [float(f.value or 0) for f in self.facts]


def chart_request(answerer: Answerer, text: str) -> ChartRequest:
    """Figures for ``/chart <statistic> [unit] [year]``."""
    q = answerer.parse(text)
    metric = answerer.catalogue.metrics.get(q.metric) if q.metric else None
    if metric is None:
        return ChartRequest(error="no_metric")
    if q.unknown_units:
        return ChartRequest(error="unknown_unit", missing=list(q.unknown_units))
    units = [u.unit for u in q.units]
    if len(units) == 1:
        kind = "line"
        chosen = sorted(reports(answerer.db, units), key=lambda r: r.year)
        if q.years:
            chosen = [r for r in chosen if r.year in q.years]
    else:
        kind = "bar"
        chosen = answerer.scope_reports(q)
    facts, missing = answerer.figures(chosen, metric, q.metric_mention)
    if kind == "bar":
        facts.sort(key=lambda f: (-(f.value or 0), f.report.unit))
    measure = (facts[0].measure if facts else "") or metric.measure
    return ChartRequest(
        kind=kind,
        label=metric.label,
        measure=measure or "",
        facts=facts,
        missing=missing,
        error="" if facts else "no_data",
    )
