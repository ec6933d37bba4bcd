"""One statistic over several reports: a total, a ranking or a side-by-side comparison.

A ranking or comparison uses each report's official figure; a report whose template has no
such statistic (a 2021-edition report asked for 主动公开, which it states in prose only) gives
the figure its sentences state, when one clearly answers; every figure a report gives in its
sentences rather than its table is marked so (when there are not too many such reports to
read while the asker waits; else they are named).  A total adds official figures only.  When
every value is the same the answer says so instead of ordering them; a ranking of one unit's
years names each entry by unit and year; asked years without a report are named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.qa.compose.context import LISTED, ComposeContext
from bot.qa.lookup import Fact, OfficialValue, ReportRef, passages_of_reports
from bot.qa.model import Answer, AnswerKind, Figure, Line, Quote, RankEntry, Source, StatedFigure
from bot.qa.prose_figures import ANSWER, find_figures
from bot.qa.question import Intent, Question
from bot.qa.scope_figures import ScopeFigures
from bot.qa.wording import Phrasebook, measure_shown, number_text, one_line, plain_number
from ingest.catalogue import Statistic

_KINDS = {Intent.SUM: AnswerKind.SUM, Intent.RANKING: AnswerKind.RANKING}
# Reports without the statistic whose text a ranking reads for it (each costs a report's
# sentences scored against the question): past this many, they are named, not read.
TEXT_READ_MOST = 50


@dataclass(frozen=True)
class _Entry:
    """One report's figure: an official statistic, or one read from the report's text."""

    report: ReportRef
    value: float
    measure: str
    official: OfficialValue | None = None
    fact: Fact | None = None  # the official value's fact, read for the entries shown
    evidence: str = ""
    passage_id: int | None = None

    @property
    def from_text(self) -> bool:
        """Stated in the report's sentences (read now, or a prose statistic), not its table."""
        return self.official is None or self.official.source == "prose"


def compose_aggregate(ctx: ComposeContext, q: Question, intent: Intent | None = None) -> Answer:
    """Sum, ranking or comparison (the default for any other intent)."""
    intent = intent or q.intent
    words = ctx.words(q)
    statistic = ctx.statistic(q)
    if statistic is None:
        return ctx.nothing(q, words.line("no_statistic", examples=ctx.examples(words)))
    sep = words.separator
    kind = _KINDS.get(intent, AnswerKind.COMPARE)
    by_year = kind == AnswerKind.RANKING and q.over == "years" and len(q.units) == 1
    scope = ctx.figures.unit_years(q.units[0].unit, q.years) if by_year else None
    figures = ctx.figures.scope_figures(q, statistic, scope)
    unread = kind != AnswerKind.SUM and figures.missing_count > TEXT_READ_MOST
    read: list[_Entry] = []
    if kind != AnswerKind.SUM and not unread:
        without = figures.missing()
        read = _read_from_text(ctx, q, statistic, without, words)
        names_read = {_name(e.report) for e in read}
        missing = [_name(r) for r in without if _name(r) not in names_read]
        missing_count = len(missing)
    else:
        missing = [_name(r) for r in figures.missing(LISTED)]
        missing_count = figures.missing_count
    one = q.units[0].unit if by_year or len(q.units) == 1 else ""
    notes = year_notes(ctx, q, words, one)
    if missing_count:
        key = "text_unread" if unread else "missing_units"
        units = listed(words, missing, "reports_more", count=missing_count)
        notes.append(words.line(key, units=units, count=missing_count))
    count = figures.given + len(read)
    if not count:
        none_of_the_years = not missing_count and len(notes) == 1
        answer = ctx.nothing(q, notes[0] if none_of_the_years else words.line("no_data"))
        answer.notes = [] if none_of_the_years else notes
        return answer

    def official(v: OfficialValue) -> _Entry:
        return _Entry(v.report, v.value or 0, v.measure or statistic.measure, v)

    first = figures.in_scope_order(1)
    measure = measure_shown((official(first[0]) if first else read[0]).measure, words.lang)
    measure = measure.strip()
    sign = 1 if q.order == "asc" else -1
    answer_order = lambda e: (sign * e.value, e.report.unit, e.report.year)  # noqa: E731
    wanted = max(LISTED, q.top or 0)
    ordered = sorted([*map(official, figures.first(wanted, sign)), *read], key=answer_order)
    ordered = ordered[:wanted]
    length = count  # how many entries the answer orders
    if kind == AnswerKind.RANKING and q.top:
        ordered = ordered[: q.top]
        length = min(q.top, count)
    fields = {"label": statistic.label, "label_en": statistic.label_en, "measure": measure}

    def part(e: _Entry, figure: bool) -> Line:
        value = number_text(e.value)
        name = str(e.report.year) if by_year else _name(e.report)
        shown = Line.of(Figure(value) if figure else value, measure_shown(e.measure, words.lang))
        if e.from_text:
            shown += words.line("from_text")
        return words.line("part", name=name, value=shown)

    value: float | None = None
    tie = kind != AnswerKind.SUM and length > 1 and _all_equal(figures, read)
    if tie:
        by_unit = lambda e: (e.report.unit, e.report.year)  # noqa: E731
        ordered = sorted([*map(official, figures.by_unit(LISTED)), *read], key=by_unit)
        length = count
    # The entries shown: the first LISTED in answer order (a total's largest parts, in the
    # order of its parts); only their facts are read.
    shown = _with_facts(ctx, ordered[:LISTED])
    if length > LISTED:
        more = "sum_more" if kind == AnswerKind.SUM else "entries_more"
        notes.append(words.line(more, count=length, shown=len(shown)))
    if kind == AnswerKind.SUM:
        value = figures.total()
        in_scope = sorted(shown, key=lambda e: figures.scope_place(e.report))
        headline = words.line(
            "sum",
            scope=sep.join(u.unit for u in q.units) + " " if q.units else "",
            value=Figure(number_text(value)),
            count=count,
            parts=Line.joined(sep, (part(e, figure=False) for e in in_scope)),
            **fields,
        )
    elif tie:
        headline = words.line(
            "tie_years" if by_year else "tie",
            count=length,
            value=Figure(number_text(ordered[0].value)),
            unit=q.units[0].unit if by_year else "",
            parts=Line.joined(sep, (part(e, figure=False) for e in shown)),
            **fields,
        )
    else:
        parts = Line.joined(sep, (part(e, figure=True) for e in shown))
        if kind == AnswerKind.RANKING:
            order = words.text("order_asc" if q.order == "asc" else "order_desc")
            key = "ranking_years" if by_year else "ranking"
            unit = q.units[0].unit if by_year else ""
            headline = words.line(key, order=order, parts=parts, unit=unit, **fields)
            notes = _shared_first(words, figures, read, ordered, by_year) + notes
        else:
            headline = words.line("compare", parts=parts, **fields)
    return Answer(
        question=q.text,
        kind=kind,
        headline=headline,
        value=plain_number(value),
        notes=notes,
        sources=[_source(ctx, words, e, by_year) for e in shown],
        facts=[_stated(ctx, e, statistic, words) for e in shown],
        ranking=[
            RankEntry(
                _name(e.report) if by_year else e.report.unit, e.report.year, plain_number(e.value)
            )
            for e in shown
        ]
        if kind == AnswerKind.RANKING
        else [],
    )


def _all_equal(figures: ScopeFigures, read: list[_Entry]) -> bool:
    """Every entry of the scope has the same value, so there is nothing to order.  Only the
    whole scope counts: when the first three of thousands are equal, the answer still lists
    those three, and says how many share their place."""
    values = [e.value for e in read]
    extremes = figures.extremes()
    if extremes is not None:
        values += list(extremes)
    return min(values) == max(values)


def listed(
    words: Phrasebook, items: list[str], more: str = "listed_more", count: int | None = None
) -> str:
    """The items joined; past ``LISTED`` of them, the first ``LISTED`` and how many there are
    (the phrase ``more``).  ``count`` is how many there are when ``items`` holds only the
    first of them."""
    count = len(items) if count is None else count
    joined = words.separator.join(items[:LISTED])
    if count <= LISTED:
        return joined
    return words.text(more, items=joined, count=count, more=count - LISTED)


def _name(report: ReportRef) -> str:
    """How an entry names itself: unit and year (a ranking of years names the year too)."""
    return f"{report.unit} {report.year}"


def year_notes(ctx: ComposeContext, q: Question, words: Phrasebook, unit: str = "") -> list[Line]:
    """Which of the asked years have no report (近三年 when only two were published), for one
    unit or for the units asked (all when none); when none has, the years there are."""
    if not q.years:
        return []
    units = [unit] if unit else [u.unit for u in q.units]
    have = ctx.figures.years_with_reports(units)
    absent = [y for y in q.years if y not in have]
    if not absent:
        return []
    sep = words.separator
    found = [y for y in q.years if y in have]
    if not found:
        available = sep.join(str(y) for y in sorted(have)) or "—"
        named = unit or sep.join(units)
        key = "years_none_unit" if named else "years_none"
        years = sep.join(map(str, absent))
        return [words.line(key, unit=named, years=years, available=available)]
    key = "years_found_unit" if unit else "years_found"
    shown = sep.join(map(str, found))
    return [words.line(key, unit=unit, found=shown, absent=sep.join(map(str, absent)))]


def _read_from_text(
    ctx: ComposeContext,
    q: Question,
    statistic: Statistic,
    unread: list[ReportRef],
    words: Phrasebook,
) -> list[_Entry]:
    """For reports in scope without an official figure: the one their text clearly states, in
    the statistic's measure (a figure in 元 is no figure in 万元; 0 is 0 in any)."""
    drop = [u.mention for u in q.units]
    found = []
    texts = passages_of_reports(ctx.db, (report.id for report in unread)) if unread else {}
    for report in unread:
        finding = find_figures(q.text, texts.get(report.id, []), drop=drop)
        if finding.outcome != ANSWER or not finding.shown:
            continue
        best = finding.shown[0]
        if best.value != 0 and (best.measure or finding.measure) != statistic.measure:
            continue
        measure = best.measure or finding.measure
        found.append(
            _Entry(report, best.value, measure, evidence=best.evidence, passage_id=best.passage_id)
        )
    return found


def _with_facts(ctx: ComposeContext, entries: list[_Entry]) -> list[_Entry]:
    """The entries with the facts of their official values read (one query for all); an
    entry whose fact went since its value was read is left out."""
    facts = ctx.figures.facts_of([e.official for e in entries if e.official is not None])
    by_id = {f.id: f for f in facts}
    return [
        replace(e, fact=by_id[e.official.fact_id]) if e.official is not None else e
        for e in entries
        if e.official is None or e.official.fact_id in by_id
    ]


def _shared_first(
    words: Phrasebook,
    figures: ScopeFigures,
    read: list[_Entry],
    ordered: list[_Entry],
    by_year: bool,
) -> list[Line]:
    """Several entries sharing the first place are named as such, not ordered among
    themselves (``ordered`` holds the first entries in answer order, fewer when a question
    asks for the first few).  The count is of the whole scope: the first three of a ranking
    may share their place with many more."""
    top = ordered[0].value
    first = [e for e in ordered if e.value == top]
    count = len(first)
    if count == len(ordered) < figures.given + len(read):  # it may go on past those read
        count = figures.count_equal(top) + sum(1 for e in read if e.value == top)
    if count < 2:
        return []
    names = [str(e.report.year) if by_year else e.report.unit for e in first]
    return [words.line("shared_first", names=listed(words, names, count=count))]


def _source(ctx: ComposeContext, words: Phrasebook, e: _Entry, by_year: bool) -> Source:
    lead = f"· {e.report.year}: " if by_year else f"· {_name(e.report)}: "
    if e.fact is not None:
        return ctx.source(words, e.fact, lead=lead)
    line = words.line("source_prose", title=e.report.title, evidence=Quote(one_line(e.evidence)))
    return Source(Line.of(lead, line), e.passage_id)


def _stated(
    ctx: ComposeContext, e: _Entry, statistic: Statistic, words: Phrasebook
) -> StatedFigure:
    if e.fact is not None:
        return ctx.stated(e.fact, statistic)
    return StatedFigure(
        unit=e.report.unit,
        year=e.report.year,
        statistic=None,
        label=ctx.label(words, statistic),
        value=plain_number(e.value),
        measure=e.measure,
        source="text",
        evidence=e.evidence,
        report=e.report.title,
        passage_id=e.passage_id,
    )
