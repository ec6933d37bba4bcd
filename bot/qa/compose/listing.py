"""What is loaded: the units, the years, or the statistics one can ask about."""

from __future__ import annotations

from bot.qa.compose.context import LISTED, ComposeContext
from bot.qa.lookup import reports, statistics_with_values
from bot.qa.model import Answer, AnswerKind
from bot.qa.question import Question


def compose_list(ctx: ComposeContext, q: Question) -> Answer:
    words = ctx.words(q)
    sep = words.separator
    loaded = reports(ctx.db, [u.unit for u in q.units] or None)
    if q.list_what == "years":
        years = sep.join(map(str, sorted({r.year for r in loaded})))
        if len(q.units) == 1:
            headline = words.line("list_years", unit=q.units[0].unit, items=years)
        else:
            headline = words.line("list_years_all", items=years)
    elif q.list_what == "statistics":
        present = statistics_with_values(ctx.db)
        labels = [
            ctx.label(words, s)
            for s in ctx.catalogue.statistics.values()
            if s.key in present and s.parent is None and s.subset_of is None
        ]
        headline = words.line("list_statistics", items=sep.join(labels))
    else:
        units = sorted({r.unit for r in loaded})
        if len(units) <= LISTED:
            headline = words.line("list_units", count=len(units), items=sep.join(units))
        else:
            shown = sep.join(units[:LISTED])
            headline = words.line("list_units_some", count=len(units), shown=LISTED, items=shown)
    return Answer(question=q.text, kind=AnswerKind.LIST, headline=headline)
