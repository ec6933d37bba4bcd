"""One statistic over several reports: a total, a ranking or a side-by-side comparison."""

from __future__ import annotations

from bot.qa.compose.context import ComposeContext
from bot.qa.lookup import Fact
from bot.qa.model import Answer, AnswerKind, Figure, Line, RankEntry
from bot.qa.question import Intent, Question
from bot.qa.wording import number_text, plain_number

_KINDS = {Intent.SUM: AnswerKind.SUM, Intent.RANKING: AnswerKind.RANKING}


def compose_aggregate(ctx: ComposeContext, q: Question, intent: Intent | None = None) -> Answer:
    """Sum, ranking or comparison (the default for any other intent)."""
    intent = intent or q.intent
    words = ctx.words(q)
    statistic = ctx.statistic(q)
    if statistic is None:
        return ctx.nothing(q, words.line("no_statistic", examples=ctx.examples(words)))
    sep = words.separator
    facts, missing = ctx.figures.across(
        ctx.figures.scope_reports(q), statistic, q.statistic_mention
    )
    missing_note = [words.line("missing_units", units=sep.join(missing))] if missing else []
    if not facts:
        answer = ctx.nothing(q, words.line("no_data"))
        answer.notes = missing_note
        return answer
    kind = _KINDS.get(intent, AnswerKind.COMPARE)
    measure = facts[0].measure or statistic.measure
    sign = 1 if q.order == "asc" else -1
    ordered = sorted(facts, key=lambda f: (sign * (f.value or 0), f.report.unit))
    if kind == AnswerKind.RANKING and q.top:
        ordered = ordered[: q.top]
    fields = {"label": statistic.label, "label_en": statistic.label_en, "measure": measure}

    def part(f: Fact, figure: bool) -> Line:
        value = number_text(f.value)
        return words.line(
            "part",
            name=f"{f.report.unit} {f.report.year}",
            value=Line.of(Figure(value) if figure else value, measure),
        )

    value: float | None = None
    if kind == AnswerKind.SUM:
        value = sum(f.value or 0 for f in facts)
        headline = words.line(
            "sum",
            scope=sep.join(u.unit for u in q.units) + " " if q.units else "",
            value=Figure(number_text(value)),
            count=len(facts),
            parts=Line.joined(sep, (part(f, figure=False) for f in facts)),
            **fields,
        )
    elif kind == AnswerKind.RANKING:
        order = words.text("order_asc" if q.order == "asc" else "order_desc")
        parts = Line.joined(sep, (part(f, figure=True) for f in ordered))
        headline = words.line("ranking", order=order, parts=parts, **fields)
    else:
        parts = Line.joined(sep, (part(f, figure=True) for f in ordered))
        headline = words.line("compare", parts=parts, **fields)
    return Answer(
        question=q.text,
        kind=kind,
        headline=headline,
        value=plain_number(value),
        notes=missing_note,
        sources=[
            ctx.source(words, f, lead=f"· {f.report.unit} {f.report.year}: ") for f in ordered
        ],
        facts=[ctx.stated(f, statistic) for f in ordered],
        ranking=[RankEntry(f.report.unit, f.report.year, plain_number(f.value)) for f in ordered]
        if kind == AnswerKind.RANKING
        else [],
    )
