"""Answers as Telegram HTML: escaped text, the figure in bold, quotes in blockquotes.

Everything from a report or a user passes through ``html.escape``; the only tags are the
ones written here.  A message is built from self-contained blocks (one passage, one source
line…) and split between blocks to stay under Telegram's limit; a single block longer than
the limit is cut between characters outside any tag, closing and reopening open tags.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from html import escape
from importlib import resources

from bot.qa.answerer import Answer
from bot.qa.lookup import CorpusOverview, PassageContext
from bot.qa.wording import QUOTE_CHARS, number_text, one_line

MESSAGE_LIMIT = 4096
QUOTE_LIMIT = 900  # characters of one quoted passage in an answer; /source shows it whole
_TAG = re.compile(r"<(/?)([a-z]+)[^>]*>")
_BREAK_AFTER = "\n。；;，,、 "


@cache
def texts() -> dict:
    """The bot's own sentences (``bot/telegram/data/telegram.toml``)."""
    data = resources.files("bot.telegram.data").joinpath("telegram.toml").read_text("utf-8")
    return tomllib.loads(data)


def say(phrase: str, /, **fields: object) -> str:
    """A sentence of ``[text]``, filled in, not yet escaped."""
    return texts()["text"][phrase].format(**fields)


def esc(text: object) -> str:
    return escape(str(text), quote=False)


def _bold_spans(text: str, needles: Iterable[str], after: str = "") -> str:
    """Escape ``text`` and wrap each occurrence of a needle in <b>.

    A needle only counts when it stands after one of the ``after`` characters and is not
    followed by a digit, so 6 in 2016 or 16 is never bolded.
    """
    words = sorted({n for n in needles if n}, key=len, reverse=True)
    if not words:
        return esc(text)
    lead = f"(?<=[{re.escape(after)}])" if after else ""
    pattern = re.compile(lead + "(?:" + "|".join(re.escape(w) for w in words) + r")(?![\d.])")
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [esc(text[last : match.start()]), f"<b>{esc(match.group(0))}</b>"]
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def _figures(answer: Answer) -> list[str]:
    """Number texts to bold in the headline: the value, or each unit's figure."""
    if answer.value is not None:
        return [number_text(answer.value)]
    return [number_text(f["value"]) for f in answer.facts if f.get("value") is not None]


def _quoted_line(line: str, quotes: list[str]) -> str:
    """A line holding 「evidence」: the words around it as text, the evidence as a blockquote."""
    for quote in quotes:
        marked = f"「{quote}」"
        at = line.find(marked)
        if quote and at >= 0:
            before, after = line[:at], line[at + len(marked) :]
            html = f"{esc(before.rstrip())}\n<blockquote>{esc(quote)}</blockquote>"
            return html + (f"\n{esc(after.strip())}" if after.strip() else "")
    return esc(line)


def _source_links(ids: Iterable[int | None]) -> str:
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    return " · ".join(esc(say("source_link", id=i)) for i in unique)


def answer_blocks(answer: Answer) -> list[str]:
    """The answer as HTML blocks, each with balanced tags."""
    if answer.kind == "passage":
        return passage_blocks(answer.answer.split("\n")[0], answer.passages, first=1)
    lines = answer.answer.split("\n")
    quotes = [one_line(f["evidence"]) for f in answer.facts if f.get("evidence")]
    quotes += [one_line(c["evidence"]) for c in answer.conflicts if c.get("evidence")]
    quotes.sort(key=len, reverse=True)
    head = _bold_spans(lines[0], _figures(answer), after="：:= ")
    blocks = [head]
    blocks += [_quoted_line(line, quotes) for line in lines[1:] if line.strip()]
    shown = answer.facts[:1] if answer.kind == "number" else answer.facts
    links = _source_links(f.get("passage_id") for f in shown)
    if links:
        blocks.append(links)
    if answer.kind in ("number", "none") and answer.passages:
        blocks += passage_blocks(say("related"), answer.passages, 1, QUOTE_CHARS)
    return blocks


def passage_blocks(
    head: str, passages: list[dict], first: int, limit: int = QUOTE_LIMIT
) -> list[str]:
    """A heading, then one block per passage: where it stands, the quote, its /source link."""
    blocks = [f"<b>{esc(head)}</b>"] if head else []
    for n, passage in enumerate(passages, first):
        where = f"{passage['unit']} {passage['year']} · {passage.get('section') or '—'}"
        quote = _marked(one_line(passage["text"], limit), passage.get("terms") or ())
        link = say("source_link", id=passage["passage_id"])
        blocks.append(f"<b>{n}.</b> {esc(where)}\n<blockquote>{quote}</blockquote>\n{esc(link)}")
    return blocks


def _marked(text: str, terms: Iterable[str]) -> str:
    """Escaped text with the question's words in bold."""
    return _bold_spans(text, [t for t in terms if len(t) >= 2])


def source_blocks(context: PassageContext) -> list[str]:
    """``/source``: the report, the section, the passage whole, and its neighbours."""
    report, passage = context.report, context.passage
    head = say("source_head", title=report.title, unit=report.unit, year=report.year)
    blocks = [f"<b>{esc(head)}</b>"]
    if passage.get("section"):
        blocks.append(esc(say("source_section", section=passage["section"])))
    blocks += [esc(one_line(p["text"], QUOTE_LIMIT)) for p in context.before]
    blocks.append(f"<blockquote>{esc(passage['text'].strip())}</blockquote>")
    blocks += [esc(one_line(p["text"], QUOTE_LIMIT)) for p in context.after]
    nav = [p["id"] for p in (context.before[-1:] + context.after[:1])]
    if nav:
        blocks.append(esc(say("source_nav", links=" · ".join(f"/source_{i}" for i in nav))))
    return blocks


def units_blocks(overview: CorpusOverview) -> list[str]:
    if not overview.units:
        return [esc(say("units_none"))]
    head = say("units_head", count=len(overview.units), reports=overview.reports)
    lines = [
        esc(say("units_line", unit=unit, years="、".join(map(str, years))))
        for unit, years in overview.units.items()
    ]
    return [f"<b>{esc(head)}</b>", *lines]


def stats_blocks(
    overview: CorpusOverview, conflicts: list[dict], labels: dict[str, str], shown: int = 20
) -> list[str]:
    """Corpus size, last ingest, then the table/prose disagreements."""
    blocks = [
        esc(
            say(
                "stats",
                reports=overview.reports,
                units=len(overview.units),
                passages=overview.passages,
                statistics=overview.statistics,
                conflicts=overview.conflicts,
                checks=overview.failed_checks,
                last=(overview.last_ingest or "—").replace("T", " "),
            )
        )
    ]
    if conflicts:
        blocks.append(f"<b>{esc(say('stats_conflicts'))}</b>")
        for c in conflicts[:shown]:
            other = texts()["text"].get(f"other_source_{c['other_source']}", c["other_source"])
            line = say(
                "stats_conflict_line",
                unit=c["unit"],
                year=c["year"],
                label=labels.get(c["key"], c["key"]),
                official=number_text(c["official_value"]),
                other_source=other,
                other=number_text(c["other_value"]),
                id=c["official_passage_id"],
            )
            blocks.append(esc(line))
        if len(conflicts) > shown:
            blocks.append(esc(say("stats_more", n=len(conflicts) - shown)))
    return blocks


def split_messages(blocks: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack blocks into messages of at most ``limit`` characters, blocks joined by newlines."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _cut_block(block, limit):
            joined = f"{current}\n{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _cut_block(block: str, limit: int) -> list[str]:
    """A block longer than ``limit`` cut outside tags and entities; open tags are carried over.

    The cut goes after the last line end or punctuation mark of the piece when that keeps at
    least half of it, else right before the token that would not fit.
    """
    if len(block) <= limit:
        return [block]
    pieces: list[str] = []
    buf: list[str] = []
    size = 0
    stack: list[str] = []
    best: tuple[int, list[str]] | None = None
    for token in _tokens(block):
        if size and size + len(token) + _closing_size(stack) > limit:
            cut, cut_stack = best if best and best[0] > len(buf) // 2 else (len(buf), stack[:])
            pieces.append("".join(buf[:cut]) + "".join(f"</{t}>" for t in reversed(cut_stack)))
            buf = [f"<{t}>" for t in cut_stack] + buf[cut:]
            size = sum(map(len, buf))
            best = None
        buf.append(token)
        size += len(token)
        tag = _TAG.fullmatch(token)
        if tag and tag.group(1):
            if tag.group(2) in stack:
                stack.remove(tag.group(2))
        elif tag:
            stack.append(tag.group(2))
        elif token in _BREAK_AFTER:
            best = (len(buf), stack[:])
    pieces.append("".join(buf))
    return pieces


def _closing_size(stack: list[str]) -> int:
    return sum(len(t) + 3 for t in stack)


def _tokens(block: str) -> list[str]:
    """Tags, entities (``&amp;``) and single characters: the units a cut may fall between."""
    tokens: list[str] = []
    pos = 0
    for match in _TAG.finditer(block):
        tokens += _text_tokens(block[pos : match.start()])
        tokens.append(match.group(0))
        pos = match.end()
    tokens += _text_tokens(block[pos:])
    return tokens


def _text_tokens(text: str) -> list[str]:
    return re.findall(r"&[#a-zA-Z0-9]+;|.", text, flags=re.DOTALL)
