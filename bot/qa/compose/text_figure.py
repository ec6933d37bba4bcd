"""Figures beyond the catalogue: a counted figure read from the asked report's own sentences
(``bot.qa.prose_figures``), for what no statistic of the report holds — and for questions
narrower than the statistic their words contain (机构职能类信息 within 主动公开)."""

from __future__ import annotations

from bot.qa.compose.context import ComposeContext
from bot.qa.figure_answer import text_answer
from bot.qa.figure_question import asks_for_figure, years_named
from bot.qa.lookup import ReportRef, official, report_passages
from bot.qa.model import Answer, AnswerKind, Line
from bot.qa.prose_figures import ANSWER, FigureFinding, find_figures
from bot.qa.question import Question
from bot.qa.wording import number_text
from ingest.catalogue import Statistic
from ingest.statistics.drafts import FigureSource

_SOURCE_WORDS: dict[FigureSource, str] = {
    "table": "figure_source_table",
    "prose": "figure_source_prose",
    "derived": "figure_source_derived",
}


def compose_text_figure(
    ctx: ComposeContext, q: Question, report: ReportRef, quiet: bool = False
) -> Answer | None:
    """A figure of ``report``'s text that answers the question, with the best passages.

    None when the question asks for no figure (or names another year); when the text gives
    none that fits, a "not stated" answer, or None when ``quiet`` (the caller says it).
    """
    finding = _finding(ctx, q, report)
    if finding is None or (quiet and not finding.shown):
        return None
    answer = text_answer(q.text, finding, report, ctx.words(q))
    return ctx.with_passages(q, answer, [report.unit], report.year)


def _finding(ctx: ComposeContext, q: Question, report: ReportRef) -> FigureFinding | None:
    named = years_named(q.text)
    if not asks_for_figure(q.text) or (named and report.year not in named):
        return None
    passages = report_passages(ctx.db, report.id)
    return find_figures(q.text, passages, drop=[u.mention for u in q.units])


def compose_narrower(
    ctx: ComposeContext, q: Question, asked: Statistic, reports: list[ReportRef]
) -> Answer:
    """A question whose words ask for less (or other) than the statistic it names.

    The answer is a figure read from the text where those words govern a number; with no
    year asked, the newest report that states it.  Otherwise the close candidates, or "not
    stated" with the best passages.  The statistic's own figure is only mentioned, as
    related and not asked, with no value: it answers a broader question.
    """
    words = ctx.words(q)
    latest = reports[0]
    found: tuple[ReportRef, FigureFinding] | None = None
    for report in reports if not q.years else reports[:1]:
        finding = _finding(ctx, q, report)
        if finding is not None and finding.outcome == ANSWER:
            found = (report, finding)
            break
        if found is None and finding is not None and report is latest:
            found = (report, finding)
    if found is None:
        answer = ctx.nothing(q, words.line("text_not_stated", unit=latest.unit, year=latest.year))
        report = latest
    else:
        report, finding = found
        answer = text_answer(q.text, finding, report, words)
        if not q.years and report is not latest and finding.outcome == ANSWER:
            answer.headline += words.line("narrower_year", year=report.year)
    if answer.kind == AnswerKind.NONE:
        answer.notes.append(_narrower_note(ctx, q, asked))
    related = _related(ctx, q, asked, report)
    if related is not None:
        answer.notes.append(related)
    return ctx.with_passages(q, answer, [report.unit], report.year)


def _narrower_note(ctx: ComposeContext, q: Question, asked: Statistic) -> Line:
    words = ctx.words(q)
    return words.line(
        "narrower",
        words=words.separator.join(q.statistic_unexplained),
        label=asked.label,
        label_en=asked.label_en,
    )


def _related(ctx: ComposeContext, q: Question, asked: Statistic, report: ReportRef) -> Line | None:
    """The broader statistic's figure in the same report, named as related, not asked."""
    own = ctx.figures.statistic_for(asked, report.template, q.statistic_mention)
    fact = official(ctx.db, report.id, own.key) if own else None
    if own is None or fact is None or fact.value is None:
        return None
    words = ctx.words(q)
    return words.line(
        "narrower_related",
        unit=report.unit,
        year=report.year,
        label=own.label,
        label_en=own.label_en,
        value=number_text(fact.value),
        measure=fact.measure or own.measure,
        source=words.text(_SOURCE_WORDS[fact.source]),
    )
