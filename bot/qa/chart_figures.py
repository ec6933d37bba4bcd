"""Which figures a chart shows: one statistic across units, or across years for one unit.

The figures are the answers' own (``OfficialFigures``), so a chart never shows a number that
an answer would not give with its source; units without a figure are named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from bot.qa.compose.context import ComposeContext
from bot.qa.model import StatedFigure
from bot.qa.question import Question


class ChartProblem(StrEnum):
    """Why there is nothing to draw."""

    NO_STATISTIC = "no_statistic"
    UNKNOWN_UNIT = "unknown_unit"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class ChartFigures:
    """The figures to draw, best first across units or oldest first across years."""

    across: Literal["units", "years"] = "units"
    label: str = ""
    measure: str = ""
    figures: list[StatedFigure] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problem: ChartProblem | None = None


def chart_figures(ctx: ComposeContext, q: Question) -> ChartFigures:
    """Figures for ``/chart <statistic> [unit] [year]``."""
    statistic = ctx.statistic(q)
    if statistic is None:
        return ChartFigures(problem=ChartProblem.NO_STATISTIC)
    if q.unknown_units:
        return ChartFigures(problem=ChartProblem.UNKNOWN_UNIT, missing=list(q.unknown_units))
    units = [u.unit for u in q.units]
    if len(units) == 1 and not ctx.figures.region_units(q):
        across: Literal["units", "years"] = "years"
        chosen = ctx.figures.unit_years(units[0], q.years)
    else:
        across = "units"
        chosen = ctx.figures.scope_reports(q)
    facts, missing = ctx.figures.across(chosen, statistic, q.statistic_mention)
    if across == "units":
        facts.sort(key=lambda f: (-(f.value or 0), f.report.unit))
    measure = (facts[0].measure if facts else "") or statistic.measure
    return ChartFigures(
        across=across,
        label=statistic.label,
        measure=measure or "",
        figures=[ctx.stated(f, statistic) for f in facts],
        missing=missing,
        problem=None if facts else ChartProblem.NO_DATA,
    )
