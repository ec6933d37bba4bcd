"""The words around the figures: phrase templates, number formatting, quotes, search words.

Phrases live in ``bot/qa/data/phrases.toml`` (one table per answer language), the English →
Chinese search glossary in ``bot/qa/data/passage_words.toml``. A phrase is filled into a
:class:`~bot.qa.model.Line`, not a string, so the figure and the quote in it stay marked as
such for every front end.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from functools import cache
from typing import Literal

from bot.qa.model import Figure, Line, Quote, Text
from ingest.vocab import load_toml

QUOTE_CHARS = 160

Lang = Literal["zh", "en"]
FieldValue = str | int | float | Line | Text | Figure | Quote


def phrases() -> dict:
    return load_toml("bot.qa.data", "phrases.toml")


class Phrasebook:
    """The answer sentences of one language, filled in as lines."""

    _formatter = string.Formatter()

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang
        self._phrases: dict[str, str] = phrases()[lang]

    def line(self, key: str, /, **fields: FieldValue) -> Line:
        """The phrase ``key`` with its ``{fields}`` filled in (``str.format`` rules)."""
        parts: list[Line | Text | Figure | Quote | str] = []
        for literal, name, spec, conversion in self._formatter.parse(self._phrases[key]):
            parts.append(literal)
            if name is None:
                continue
            value = fields[name]
            if isinstance(value, Line | Text | Figure | Quote):
                parts.append(value)
            else:
                value = self._formatter.convert_field(value, conversion)
                parts.append(self._formatter.format_field(value, spec or ""))
        return Line.of(*parts)

    def text(self, key: str, /, **fields: FieldValue) -> str:
        """The phrase as plain text."""
        return self.line(key, **fields).text

    @property
    def separator(self) -> str:
        """Between items of a list: 、 in Chinese, ", " in English."""
        return self._phrases["separator"]

    def template_name(self, template: str) -> str:
        """How the answer names a report template (``pre2020`` → 2020 年前的统计表)."""
        names = phrases()["templates"]
        return names.get(template, names["unknown"])[self.lang]


def measure_shown(measure: str, lang: str) -> str:
    """How a measure word follows a figure: 条 in a Chinese answer, " items" in an English
    one (``[measures_en]`` of ``bot/qa/data/prose_figures.toml``)."""
    if lang != "en":
        return measure
    name = load_toml("bot.qa.data", "prose_figures.toml")["measures_en"].get(measure, measure)
    return f" {name}" if name else ""


def number_text(value: float | None) -> str:
    """6.0 → '6', 0.35 → '0.35', None → '—'."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def plain_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def plain_quote(text: str) -> str:
    """A report's words without the markup they were copied with: Markdown links read as
    their words (images go), emphasis marks go, and the cells of a table row — a pipe row
    (| 收费 | 万元 | 0 |) or one cell per tab-indented line — stand apart by spaces."""
    text = _MARKDOWN_IMAGE.sub("", text)
    text = _MARKDOWN_LINK.sub(lambda m: m.group(1), text)
    text = _MARKDOWN_EMPHASIS.sub(lambda m: m.group(2), text)
    if "\t" in text:
        text = " ".join(c.strip() for c in text.splitlines() if c.strip())
    if "|" in text:
        cells = [c.strip() for c in re.split(r"\s*\|\s*", text)]
        text = " ".join(c for c in cells if c)
    return text


def one_line(text: str, limit: int = QUOTE_CHARS) -> str:
    """A quote on one line, cut at a readable length, without its markup (``plain_quote``).

    Hard-wrapped PDF lines are rejoined.
    """
    text = plain_quote(text)
    text = re.sub(r"\s*\n\s*", "", text.strip())
    text = re.sub(r"[ \t\u3000]+", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cache
def _english_words() -> list[tuple[re.Pattern[str], list[str]]]:
    data = load_toml("bot.qa.data", "passage_words.toml")["en_to_zh"]
    ordered = sorted(data.items(), key=lambda kv: -len(kv[0]))
    return [(re.compile(rf"\b{re.escape(en)}\b", re.IGNORECASE), zh) for en, zh in ordered]


def _section_topics() -> dict[str, list[str]]:
    return load_toml("bot.qa.data", "passage_words.toml")["section_topics"]


def section_words(query: str) -> list[str]:
    """Section-title words a question points at (存在哪些问题 → 问题, 不足); [] when none."""
    words: list[str] = []
    for word, titles in _section_topics().items():
        if word in query:
            words.extend(t for t in titles if t not in words)
    return words


def english_to_chinese(text: str) -> list[str]:
    """Chinese search words for the English words of a question (the reports are Chinese)."""
    words: list[str] = []
    for pattern, chinese in _english_words():
        if pattern.search(text):
            words.extend(w for w in chinese if w not in words)
    return words


def term_spans(
    text: str, terms: Iterable[str], not_before_number: bool = False
) -> list[tuple[int, int]]:
    """Where the question's words (two characters or more) stand in a quoted passage.

    Longest word first at each position; with ``not_before_number`` a word directly followed
    by a digit or a decimal point is not taken there.
    """
    words = sorted({t for t in terms if len(t) >= 2}, key=len, reverse=True)
    if not words:
        return []
    alternation = "|".join(re.escape(w) for w in words)
    lookahead = r"(?![\d.])" if not_before_number else ""
    pattern = re.compile(f"(?:{alternation}){lookahead}")
    return [m.span() for m in pattern.finditer(text)]


def mark_terms(text: str, terms: Iterable[str]) -> str:
    """Bracket the words of the question found in a quote: 【行政复议】."""
    out, last = [], 0
    for start, end in term_spans(text, terms):
        out += [text[last:start], f"【{text[start:end]}】"]
        last = end
    out.append(text[last:])
    return "".join(out)
