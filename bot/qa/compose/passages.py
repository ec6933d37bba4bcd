"""Passages to read: the report paragraphs that best answer a question in words; first, for
one unit's question asking a count, the figure its report's sentences give."""

from __future__ import annotations

from bot.qa.compose.context import PASSAGES_SHOWN, ComposeContext, passages
from bot.qa.compose.text_figure import compose_text_figure
from bot.qa.figure_question import asks_for_figure
from bot.qa.lookup import ReportRef, reports
from bot.qa.model import Answer, AnswerKind, Line, Passage
from bot.qa.question import Question
from bot.qa.quotable import quotable
from bot.qa.wording import mark_terms, one_line
from index.search import Hit

LISTED_CHARS = 240  # of each passage in the text of a passage answer
SEARCHED = 4  # passages searched per passage shown, so that furniture can be left out


def compose_passages(ctx: ComposeContext, q: Question) -> Answer:
    words = ctx.words(q)
    chosen: list[ReportRef] = []
    notes: list[Line] = []
    if len(q.units) == 1:
        chosen, missing = ctx.figures.reports_for(q, q.units[0].unit)
        if chosen and (read := compose_text_figure(ctx, q, chosen[0])):
            return read
        if not chosen and missing:
            # The asked year has no report: a count is not taken from another year; words
            # of the unit's other years are shown, saying so.
            unit = q.units[0].unit
            line = ctx.year_unknown(q, unit, missing, reports(ctx.db, [unit]))
            if asks_for_figure(q.text):
                return ctx.nothing(q, line)
            notes.append(line)
    units, _year = _scope(ctx, q)
    hits = _hits(ctx, q, PASSAGES_SHOWN)
    if not hits:
        scope = words.separator.join(units) or words.text("scope_all")
        return ctx.nothing(q, words.line("no_passages", scope=scope, examples=ctx.examples(words)))
    listing = [
        words.line(
            "passage_item",
            n=i,
            unit=h.unit,
            year=h.year,
            section=h.section or "—",
            text=mark_terms(one_line(h.text, LISTED_CHARS), h.terms),
        )
        for i, h in enumerate(hits, 1)
    ]
    return Answer(
        question=q.text,
        kind=AnswerKind.PASSAGE,
        headline=words.line("passages"),
        notes=notes,
        listing=listing,
        passages=passages(hits),
    )


def more_passages(ctx: ComposeContext, q: Question, offset: int, count: int) -> list[Passage]:
    """Passages ``offset`` to ``offset + count`` of the question's ranking ("more results")."""
    return passages(_hits(ctx, q, offset + count)[offset:])


def _scope(ctx: ComposeContext, q: Question) -> tuple[list[str], int | None]:
    """The units and year a passage search is filtered to."""
    units = [u.unit for u in q.units]
    year = None
    if q.years and units:
        have = {r.year for r in reports(ctx.db, units)}
        year = next((y for y in (*q.years, *q.years_written) if y in have), None)
    elif q.years:
        year = q.years[0]
    return units, year


def _hits(ctx: ComposeContext, q: Question, k: int) -> list[Hit]:
    """The first ``k`` passages worth quoting (``bot.qa.quotable``), best first."""
    units, year = _scope(ctx, q)
    hits = quotable(ctx.db, ctx.search(q, units, year, k * SEARCHED))
    if not hits and year is not None:
        hits = quotable(ctx.db, ctx.search(q, units, None, k * SEARCHED))
    return hits[:k]
