"""From the engine's chart figures to a drawable series and its caption.

The figures are the engine's (``Answerer.chart_figures``); this only decides how they are
shown: units as bars (best first), years as a line, and every figure in the caption with its
report and source link, so a chart never shows a number without a source.
"""

from __future__ import annotations

from bot.qa.chart_figures import ChartFigures, ChartProblem
from bot.qa.wording import number_text
from bot.telegram.picture_data import ChartSeries
from bot.telegram.texts import escape_html, sentence


def chart_series(figures: ChartFigures) -> ChartSeries:
    """The series to draw: years on a line for one unit, units as bars otherwise."""
    by_year = figures.across == "years"
    return ChartSeries(
        title=sentence("chart_caption", label=figures.label, measure=figures.measure),
        kind="line" if by_year else "bar",
        labels=[str(f.year) if by_year else f.unit for f in figures.figures],
        values=[float(f.value or 0) for f in figures.figures],
        measure=figures.measure,
        note=sentence("chart_note"),
    )


def caption_lines(figures: ChartFigures, title: str) -> list[str]:
    """The caption as HTML blocks: the title, each figure with its source, units without one."""
    lines = [f"<b>{escape_html(title)}</b>"]
    lines += [
        escape_html(
            sentence(
                "chart_figure",
                unit=f.unit,
                year=f.year,
                value=number_text(f.value),
                measure=figures.measure,
                source=sentence(
                    "figure_from_prose" if f.source == "prose" else "figure_from_table"
                ),
                id=f.passage_id if f.passage_id is not None else "—",
            )
        )
        for f in figures.figures
    ]
    if figures.missing:
        lines.append(escape_html(sentence("chart_missing", units="、".join(figures.missing))))
    return lines


def problem_sentence(figures: ChartFigures, example: str) -> str:
    """Why there is no chart, and what to ask instead."""
    if figures.problem == ChartProblem.UNKNOWN_UNIT:
        return sentence("chart_unknown_unit", names="、".join(figures.missing))
    if figures.problem == ChartProblem.NO_DATA:
        return sentence("chart_no_data", label=figures.label)
    return sentence("chart_no_statistic", example=example)
