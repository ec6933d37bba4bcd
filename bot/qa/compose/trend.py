"""One unit's figure for one statistic, year by year."""

from __future__ import annotations

from bot.qa.compose.aggregate import compose_aggregate, year_notes
from bot.qa.compose.context import ComposeContext
from bot.qa.compose.passages import compose_passages
from bot.qa.model import Answer, AnswerKind, Figure, Line
from bot.qa.question import Intent, Question
from bot.qa.wording import measure_shown, number_text


def compose_trend(ctx: ComposeContext, q: Question) -> Answer:
    statistic = ctx.statistic(q)
    if statistic is None:
        return compose_passages(ctx, q)
    if len(q.units) != 1:
        return compose_aggregate(ctx, q, Intent.COMPARE)
    words = ctx.words(q)
    unit = q.units[0].unit
    years = ctx.figures.unit_years(unit, q.years)
    if not years:
        available = ctx.figures.unit_years(unit, ())
        return ctx.nothing(q, ctx.year_unknown(q, unit, q.years, available))
    facts, _missing = ctx.figures.across(years, statistic, q.statistic_mention)
    notes = year_notes(ctx, q, words, unit)
    if not facts:
        answer = ctx.nothing(
            q,
            words.line(
                "no_value",
                unit=unit,
                year="/".join(str(r.year) for r in years) or "—",
                label=statistic.label,
                label_en=statistic.label_en,
            ),
        )
        answer.notes = notes
        return answer
    measure = facts[0].measure or statistic.measure
    parts = Line.joined(
        words.separator,
        (
            words.line(
                "part",
                name=str(f.report.year),
                value=Line.of(Figure(number_text(f.value)), measure_shown(measure, words.lang)),
            )
            for f in facts
        ),
    )
    headline = words.line(
        "trend", unit=unit, parts=parts, label=statistic.label, label_en=statistic.label_en
    )
    return Answer(
        question=q.text,
        kind=AnswerKind.TREND,
        headline=headline,
        notes=notes,
        sources=[ctx.source(words, f, lead=f"· {f.report.year}: ") for f in facts],
        facts=[ctx.stated(f, statistic) for f in facts],
    )
