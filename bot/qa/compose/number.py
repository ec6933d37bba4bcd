"""One unit's figure for one statistic: the value, its parts, its source, any disagreement;
a figure read from the report's sentences when no statistic of the report holds it."""

from __future__ import annotations

from bot.qa.compose.aggregate import compose_aggregate
from bot.qa.compose.context import ComposeContext
from bot.qa.compose.passages import compose_passages
from bot.qa.compose.text_figure import compose_text_figure
from bot.qa.lookup import disagreeing, official, reports
from bot.qa.model import Answer, AnswerKind, Figure
from bot.qa.question import Intent, Question
from bot.qa.wording import Phrasebook, measure_shown, number_text, plain_number
from ingest.catalogue import Statistic


def compose_number(ctx: ComposeContext, q: Question) -> Answer:
    asked = ctx.statistic(q)
    if asked is None:
        return compose_passages(ctx, q)
    if len(q.units) != 1:
        return compose_aggregate(ctx, q, Intent.COMPARE)
    words = ctx.words(q)
    unit = q.units[0].unit
    sep = words.separator
    chosen, missing = ctx.figures.reports_for(q, unit)
    if not chosen:
        available = sep.join(str(r.year) for r in reports(ctx.db, [unit])) or "—"
        years = sep.join(str(y) for y in missing)
        return ctx.nothing(
            q, words.line("year_unknown", unit=unit, years=years, available=available)
        )
    report = chosen[0]
    fields: dict[str, str | int] = {
        "unit": unit,
        "year": report.year,
        "label": asked.label,
        "label_en": asked.label_en,
    }
    statistic = ctx.figures.statistic_for(asked, report.template, q.statistic_mention)
    if statistic is None and (read := compose_text_figure(ctx, q, report, quiet=True)):
        return read
    if statistic is None:
        templates = sep.join(words.template_name(t) for t in asked.templates)
        template = words.template_name(report.template)
        return ctx.nothing(
            q, words.line("not_in_template", templates=templates, template=template, **fields)
        )
    fields.update(label=statistic.label, label_en=statistic.label_en)
    fact = official(ctx.db, report.id, statistic.key)
    if fact is None and (read := compose_text_figure(ctx, q, report, quiet=True)):
        return read
    if fact is None:
        answer = ctx.nothing(q, words.line("no_value", **fields))
        return ctx.with_passages(q, answer, [unit], report.year)
    if fact.value is None:
        answer = ctx.nothing(q, words.line("not_given", **fields))
        answer.sources = [ctx.source(words, fact)]
        answer.facts = [ctx.stated(fact, statistic)]
        return answer
    measure = fact.measure or statistic.measure
    value = Figure(number_text(fact.value))
    shown = measure_shown(measure, words.lang).strip()
    headline = words.line("number", value=value, measure=shown, **fields)
    if not q.years and len(reports(ctx.db, [unit])) > 1:
        headline += words.line("number_latest", year=report.year)
    answer = Answer(
        question=q.text,
        kind=AnswerKind.NUMBER,
        headline=headline,
        value=plain_number(fact.value),
        sources=[ctx.source(words, fact)],
        facts=[ctx.stated(fact, statistic)],
        conflicts=[ctx.conflict(words, other, measure) for other in disagreeing(ctx.db, fact)],
    )
    parts = ctx.figures.breakdown(statistic, report)
    if parts:
        shown = " · ".join(
            words.text(
                "part",
                name=_part_name(words, ctx.catalogue.get(f.key)),
                value=number_text(f.value),
            )
            for f in parts
        )
        answer.breakdown = words.line("breakdown", parts=shown)
        answer.facts.extend(ctx.stated(f, ctx.catalogue.get(f.key)) for f in parts)
    return ctx.with_passages(q, answer, [unit], report.year)


def _part_name(words: Phrasebook, statistic: Statistic) -> str:
    if words.lang == "zh":
        return statistic.short or statistic.label
    return statistic.short_en or statistic.label_en
