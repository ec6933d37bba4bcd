"""Figures beyond the catalogue: a counted figure read from the asked report's own sentences
(``bot.qa.prose_figures``), for what no statistic of the report holds."""

from __future__ import annotations

from bot.qa.compose.context import ComposeContext
from bot.qa.figure_answer import text_answer
from bot.qa.figure_question import asks_for_figure, years_named
from bot.qa.lookup import ReportRef, report_passages
from bot.qa.model import Answer
from bot.qa.prose_figures import find_figures
from bot.qa.question import Question


def compose_text_figure(
    ctx: ComposeContext, q: Question, report: ReportRef, quiet: bool = False
) -> Answer | None:
    """A figure of ``report``'s text that answers the question, with the best passages.

    None when the question asks for no figure (or names another year); when the text gives
    none that fits, a "not stated" answer, or None when ``quiet`` (the caller says it).
    """
    named = years_named(q.text)
    if not asks_for_figure(q.text) or (named and report.year not in named):
        return None
    passages = report_passages(ctx.db, report.id)
    finding = find_figures(q.text, passages, drop=[u.mention for u in q.units])
    if quiet and not finding.shown:
        return None
    answer = text_answer(q.text, finding, report, ctx.words(q))
    return ctx.with_passages(q, answer, [report.unit], report.year)
