"""Answers as Telegram HTML: escaped text, the figure in bold, quotes in blockquotes.

The engine's answer says which words are the figure and which are a quote, so nothing here
reads a sentence to find them. Everything from a report or a user passes through
``escape_html``; the only tags are the ones written here. Each function returns blocks for
``messages.split_messages``: self-contained pieces with balanced tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.clock import local_time
from bot.qa.model import Answer, AnswerKind, Figure, Line, Passage, Quote
from bot.qa.wording import QUOTE_CHARS, number_text, one_line, term_spans
from bot.telegram.texts import escape_html, sentence, sentence_in, texts
from ingest.text import fold_question

if TYPE_CHECKING:  # the engine's lookups load after the bot polls
    from bot.qa.overview import ConflictRecord, CorpusOverview
    from bot.qa.sources import PassageContext

QUOTE_LIMIT = 900  # characters of one quoted passage in an answer; /source shows it whole
UNITS_SHOWN = 50  # units listed by /units; more are counted, and found by words of their names


def _inline(line: Line) -> str:
    """A line as HTML on one line: figures bold, quotes in 「」 like the text."""
    out = []
    for segment in line.segments:
        if isinstance(segment, Figure):
            out.append(f"<b>{escape_html(segment.text)}</b>")
        elif isinstance(segment, Quote):
            out.append(escape_html(f"「{segment.text}」"))
        else:
            out.append(escape_html(segment.text))
    return "".join(out)


def _quoted(line: Line) -> str:
    """A line holding a quote: the words around it as text, the quote as a blockquote."""
    at = next((i for i, s in enumerate(line.segments) if isinstance(s, Quote) and s.text), None)
    if at is None:
        return _inline(line)
    before = _inline(Line(line.segments[:at])).rstrip()
    after = _inline(Line(line.segments[at + 1 :])).strip()
    html = f"{before}\n<blockquote>{escape_html(line.segments[at].text)}</blockquote>"
    return html + (f"\n{after}" if after else "")


def _source_links(ids: Iterable[int | None], lang: str) -> str:
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    return " · ".join(escape_html(sentence_in(lang, "source_link", id=i)) for i in unique)


def answer_blocks(answer: Answer) -> list[str]:
    """The answer as HTML blocks: headline, the lines below it (a source's quote as a block
    quote, a disagreement's inline, to keep a figure answer short), source links; the passages
    of a passage or "not stated" answer.  A figure answer's related passages are not shown:
    they are behind its 相关段落 button."""
    if answer.kind == AnswerKind.PASSAGE:
        return passage_blocks(answer.headline.text, answer.passages, 1, lang=answer.lang)
    conflicts = {id(c.note) for c in answer.conflicts}
    blocks = [_inline(answer.headline)]
    blocks += [
        _inline(line) if id(line) in conflicts else _quoted(line)
        for line in answer.body
        if line.text.strip()
    ]
    links = _source_links((s.passage_id for s in answer.sources), answer.lang)
    if links:
        blocks.append(links)
    if answer.kind == AnswerKind.NONE and answer.passages:
        head = sentence_in(answer.lang, "related")
        blocks += passage_blocks(head, answer.passages, 1, QUOTE_CHARS, answer.lang)
    return blocks


def passage_blocks(
    head: str, passages: list[Passage], first: int, limit: int = QUOTE_LIMIT, lang: str = "zh"
) -> list[str]:
    """A heading, then one block per passage: where it stands, the quote, its /source link."""
    blocks = [f"<b>{escape_html(head)}</b>"] if head else []
    for n, passage in enumerate(passages, first):
        where = f"{passage.unit} {passage.year} · {passage.section or '—'}"
        quote = _with_terms(one_line(passage.text, limit), passage.terms)
        link = sentence_in(lang, "source_link", id=passage.passage_id)
        blocks.append(
            f"<b>{n}.</b> {escape_html(where)}\n<blockquote>{quote}</blockquote>\n"
            f"{escape_html(link)}"
        )
    return blocks


def _with_terms(text: str, terms: Iterable[str]) -> str:
    """Escaped text with the question's words in bold (not where a number runs on)."""
    out, last = [], 0
    for start, end in term_spans(text, terms, not_before_number=True):
        out += [escape_html(text[last:start]), f"<b>{escape_html(text[start:end])}</b>"]
        last = end
    out.append(escape_html(text[last:]))
    return "".join(out)


def source_blocks(context: PassageContext) -> list[str]:
    """``/source``: the report, the section, the passage whole, and its neighbours."""
    report, passage = context.report, context.passage
    head = sentence("source_head", title=report.title, unit=report.unit, year=report.year)
    blocks = [f"<b>{escape_html(head)}</b>"]
    if passage.section:
        blocks.append(escape_html(sentence("source_section", section=passage.section)))
    blocks += [escape_html(one_line(p.text, QUOTE_LIMIT)) for p in context.before]
    blocks.append(f"<blockquote>{escape_html(passage.text.strip())}</blockquote>")
    blocks += [escape_html(one_line(p.text, QUOTE_LIMIT)) for p in context.after]
    nav = [p.id for p in (context.before[-1:] + context.after[:1])]
    if nav:
        links = " · ".join(f"/source_{i}" for i in nav)
        blocks.append(escape_html(sentence("source_nav", links=links)))
    return blocks


def units_blocks(overview: CorpusOverview, wanted: str = "", shown: int | None = None) -> list[str]:
    """``/units [words]``: the loaded units (those whose names contain the words), at most
    ``shown`` (``UNITS_SHOWN``) of them with a hint to narrow down; a deployment has thousands."""
    shown = UNITS_SHOWN if shown is None else shown
    if not overview.units:
        return [escape_html(sentence("units_none"))]
    units = list(overview.units.items())
    if wanted:
        folded = fold_question(wanted)
        units = [(u, years) for u, years in units if folded in fold_question(u)]
        if not units:
            return [escape_html(sentence("units_no_match", wanted=wanted))]
        head = sentence("units_found_head", wanted=wanted, count=len(units))
    else:
        head = sentence("units_head", count=len(units), reports=overview.reports)
    lines = [
        escape_html(sentence("units_line", unit=unit, years="、".join(map(str, years))))
        for unit, years in units[:shown]
    ]
    if len(units) > shown:
        lines.append(escape_html(sentence("units_more", more=len(units) - shown)))
    return [f"<b>{escape_html(head)}</b>", *lines]


_OTHER_SOURCES = {
    "prose": "other_source_prose",
    "table": "other_source_table",
    "derived": "other_source_derived",
}


def stats_blocks(
    overview: CorpusOverview,
    conflicts: list[ConflictRecord],
    zone: ZoneInfo,
    shown: int = 20,
) -> list[str]:
    """Corpus size, last ingest (in the configured time zone), then the disagreements."""
    blocks = [
        escape_html(
            sentence(
                "stats",
                reports=overview.reports,
                units=len(overview.units),
                passages=overview.passages,
                statistics=overview.statistics,
                conflicts=overview.conflicts,
                checks=overview.failed_checks,
                last=local_time(overview.last_ingest, zone),
            )
        )
    ]
    if conflicts:
        blocks.append(f"<b>{escape_html(sentence('stats_conflicts'))}</b>")
        for c in conflicts[:shown]:
            key = _OTHER_SOURCES.get(c.other_source)
            other = texts()["text"][key] if key else c.other_source
            line = sentence(
                "stats_conflict_line",
                unit=c.unit,
                year=c.year,
                label=c.label,
                official=number_text(c.official_value),
                other_source=other,
                other=number_text(c.other_value),
                id=c.official_passage_id,
            )
            blocks.append(escape_html(line))
        if len(conflicts) > shown:
            blocks.append(escape_html(sentence("stats_more", n=len(conflicts) - shown)))
    return blocks
