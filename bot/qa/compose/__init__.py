"""One composer per intent, each turning a parsed question into a typed answer.

``compose`` first answers what needs no figures (an empty question, a unit that is not
loaded, a name that could mean several units), then hands the question to its intent's
composer; a composer falls back to another when the question lacks what it needs (a number
question naming two units is a comparison).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.qa.compose.aggregate import compose_aggregate
from bot.qa.compose.context import ALIKE_UNITS, LISTED, PASSAGES_SHOWN, ComposeContext
from bot.qa.compose.listing import compose_list
from bot.qa.compose.number import compose_number
from bot.qa.compose.passages import compose_passages, more_passages
from bot.qa.compose.trend import compose_trend
from bot.qa.model import Answer, AnswerKind, Line
from bot.qa.question import Intent, Question
from bot.qa.wording import Phrasebook

__all__ = ["PASSAGES_SHOWN", "ComposeContext", "compose", "more_passages"]

Composer = Callable[[ComposeContext, Question], Answer]

COMPOSERS: dict[Intent, Composer] = {
    Intent.NUMBER: compose_number,
    Intent.SUM: compose_aggregate,
    Intent.RANKING: compose_aggregate,
    Intent.COMPARE: compose_aggregate,
    Intent.TREND: compose_trend,
    Intent.LIST: compose_list,
    Intent.PASSAGE: compose_passages,
    Intent.NONE: compose_passages,
}


def compose(ctx: ComposeContext, q: Question) -> Answer:
    """The answer to a parsed question, in the question's language; a typo read as a domain
    word is said, so a wrong reading shows."""
    answer = _compose(ctx, q)
    answer.lang = q.lang
    if q.typos and answer.kind != AnswerKind.NONE:
        words = ctx.words(q)
        pairs = words.separator.join(
            words.text("typo", typed=typed, word=word) for typed, word in q.typos
        )
        answer.notes.append(words.line("typos", pairs=pairs))
    return answer


def _compose(ctx: ComposeContext, q: Question) -> Answer:
    words = ctx.words(q)
    sep = words.separator
    if not q.text.strip() or (q.intent == Intent.NONE and not q.units and not q.statistic):
        return ctx.nothing(q, words.line("empty", examples=ctx.examples(words)))
    if q.unknown_units:
        return ctx.nothing(q, _unknown_units(ctx, words, q.unknown_units))
    if q.ambiguous:
        mention, candidates = q.ambiguous[0]
        return ctx.nothing(
            q, words.line("ambiguous", mention=mention, candidates=sep.join(candidates))
        )
    return COMPOSERS[q.intent](ctx, q)


def _unknown_units(ctx: ComposeContext, words: Phrasebook, unknown: tuple[str, ...]) -> Line:
    """No report of these units: every loaded unit when they are few, else the count and the
    loaded units named most alike (a list of thousands is no answer)."""
    sep = words.separator
    names = sep.join(unknown)
    loaded = ctx.figures.loaded_units()
    if len(loaded) <= LISTED:
        return words.line("unit_unknown", names=names, units=sep.join(loaded))
    figures = ctx.figures
    alike = dict.fromkeys(u for name in unknown for u in figures.similar_units(name, ALIKE_UNITS))
    if not alike:
        return words.line("unit_unknown_many", names=names, count=len(loaded))
    shown = sep.join(list(alike)[:ALIKE_UNITS])
    return words.line("unit_unknown_similar", names=names, count=len(loaded), units=shown)
