"""One unit's figure for one statistic: the value, its parts, its source, any disagreement;
a figure read from the report's sentences when no statistic of the report holds it."""

from __future__ import annotations

from bot.qa.compose.aggregate import compose_aggregate
from bot.qa.compose.context import ComposeContext
from bot.qa.compose.passages import compose_passages
from bot.qa.compose.text_figure import compose_narrower, compose_text_figure
from bot.qa.lookup import (
    Fact,
    ReportRef,
    disagreeing,
    failed_sums,
    official,
    reports,
    unread_row,
)
from bot.qa.model import Answer, AnswerKind, Figure, Line, Quote
from bot.qa.question import Intent, Question
from bot.qa.wording import Phrasebook, measure_shown, number_text, one_line, plain_number
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
        return ctx.nothing(q, ctx.year_unknown(q, unit, missing, reports(ctx.db, [unit])))
    if q.statistic_unexplained:
        scope = chosen if q.years else reports(ctx.db, [unit])
        return compose_narrower(ctx, q, asked, scope)
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
    if q.statistic_alternatives:
        fields.update(_qualified(ctx, statistic))
    fact = official(ctx.db, report.id, statistic.key)
    if fact is None and (unread := _run_together(ctx, q, statistic, report)):
        return unread
    if fact is None and (summed := _sum_of_parts(ctx, q, statistic, report, fields)):
        return summed
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
        conflicts=[
            ctx.conflict(words, other, measure, fact) for other in disagreeing(ctx.db, fact)
        ],
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
    if fact.source == "table":
        answer.notes.extend(
            words.line(
                "sum_failed",
                detail=failed.detail,
                printed=number_text(failed.printed),
                parts=number_text(failed.parts),
            )
            for failed in failed_sums(ctx.db, report.id, statistic.key)
        )
    answer.notes.extend(_alternatives(ctx, q, report))
    return ctx.with_passages(q, answer, [unit], report.year)


def _alternatives(ctx: ComposeContext, q: Question, report: ReportRef) -> list[Line]:
    """The other statistics the question's words name just as well, with their figures."""
    words = ctx.words(q)
    lines = []
    for key in q.statistic_alternatives:
        other = ctx.figures.statistic_for(ctx.catalogue.get(key), report.template, "")
        if other is None:
            continue
        fact: Fact | None = official(ctx.db, report.id, other.key)
        fields = {"mention": q.statistic_mention, **_qualified(ctx, other)}
        if fact is None or fact.value is None:
            lines.append(words.line("alternative_none", **fields))
            continue
        value = number_text(fact.value) + measure_shown(fact.measure or other.measure, words.lang)
        lines.append(words.line("alternative", value=value, **fields))
    return lines


def _qualified(ctx: ComposeContext, statistic: Statistic) -> dict[str, str]:
    """Labels that tell apart statistics of the same name: 被依法纠错数 of 行政复议 and of
    行政诉讼 are named with the statistic they belong to."""
    parent = ctx.catalogue.statistics.get(statistic.parent or "")
    if parent is None:
        return {"label": statistic.label, "label_en": statistic.label_en}
    return {
        "label": f"{parent.label}·{statistic.short or statistic.label}",
        "label_en": statistic.label_en,
    }


def _sum_of_parts(
    ctx: ComposeContext,
    q: Question,
    statistic: Statistic,
    report: ReportRef,
    fields: dict[str, str | int],
) -> Answer | None:
    """A total the table does not print (the newer form has no 法人或其他组织 subtotal
    column) is the sum of its parts when the report gives every one of them: the catalogue's
    children add up to their parent, the arithmetic ingest checks."""
    children = [c for c in ctx.catalogue.children(statistic.key) if report.template in c.templates]
    facts = [official(ctx.db, report.id, c.key) for c in children]
    parts = [f for f in facts if f is not None and f.value is not None]
    if not children or len(parts) != len(children):
        return None
    words = ctx.words(q)
    total = sum(f.value or 0.0 for f in parts)
    shown = measure_shown(statistic.measure, words.lang).strip()
    headline = words.line("number", value=Figure(number_text(total)), measure=shown, **fields)
    if not q.years and len(reports(ctx.db, [report.unit])) > 1:
        headline += words.line("number_latest", year=report.year)
    shown = " + ".join(
        f"{_part_name(words, ctx.catalogue.get(f.key))} {number_text(f.value)}" for f in parts
    )
    answer = Answer(
        question=q.text,
        kind=AnswerKind.NUMBER,
        headline=headline,
        value=plain_number(total),
        sources=[ctx.source(words, parts[0])],
        facts=[ctx.stated(f, ctx.catalogue.get(f.key)) for f in parts],
    )
    answer.notes.append(words.line("sum_of_parts", parts=shown))
    return ctx.with_passages(q, answer, [report.unit], report.year)


def _run_together(
    ctx: ComposeContext, q: Question, statistic: Statistic, report: ReportRef
) -> Answer | None:
    """The asked cell is in a table row whose digits run together: the raw row and the
    readings the table allows, or the figure the report's text states — never a guess."""
    row = unread_row(ctx.db, report.id, statistic.key)
    if row is None:
        return None
    words = ctx.words(q)
    evidence = Quote(one_line(row.evidence))
    read = compose_text_figure(ctx, q, report, quiet=True)
    if read is not None and read.value is not None:
        read.notes.append(words.line("run_together_text", evidence=evidence))
        return read
    headline = words.line(
        "run_together",
        unit=report.unit,
        year=report.year,
        label=statistic.label,
        label_en=statistic.label_en,
        evidence=evidence,
    )
    answer = ctx.nothing(q, headline)
    column = row.keys.index(statistic.key)
    values = dict.fromkeys(
        number_text(r[column]) for r in row.readings if len(r) > column and r[column] is not None
    )
    readings = [" · ".join(number_text(v) for v in reading) for reading in row.readings]
    if values:
        answer.notes.append(
            words.line(
                "run_together_readings",
                label=statistic.label,
                label_en=statistic.label_en,
                values=words.separator.join(values),
                readings=words.separator.join(readings),
            )
        )
    return ctx.with_passages(q, answer, [report.unit], report.year)


def _part_name(words: Phrasebook, statistic: Statistic) -> str:
    if words.lang == "zh":
        return statistic.short or statistic.label
    return statistic.short_en or statistic.label_en
