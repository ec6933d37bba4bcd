"""The words around the figures: phrase templates, number formatting, quotes, highlighting.

Phrases live in ``bot/qa/data/phrases.toml`` (one table per answer language), the English →
Chinese search glossary in ``bot/qa/data/passage_words.toml``.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

QUOTE_CHARS = 160


@cache
def phrases() -> dict:
    return tomllib.loads(resources.files("bot.qa.data").joinpath("phrases.toml").read_text("utf-8"))


def number_text(value: float | None) -> str:
    """6.0 → '6', 0.35 → '0.35', None → '—'."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def plain_number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def one_line(text: str, limit: int = QUOTE_CHARS) -> str:
    """A quote on one line, cut at a readable length.

    Hard-wrapped PDF lines are rejoined; a table row written one cell per line (tab-indented
    cells) is shown as ``cell | cell | cell``.
    """
    if "\t" in text:
        cells = [c.strip() for c in text.splitlines()]
        text = " | ".join(c for c in cells if c)
    text = re.sub(r"\s*\n\s*", "", text.strip())
    text = re.sub(r"[ \t\u3000]+", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cache
def _english_words() -> list[tuple[re.Pattern[str], list[str]]]:
    data = tomllib.loads(
        resources.files("bot.qa.data").joinpath("passage_words.toml").read_text("utf-8")
    )["en_to_zh"]
    ordered = sorted(data.items(), key=lambda kv: -len(kv[0]))
    return [(re.compile(rf"\b{re.escape(en)}\b", re.IGNORECASE), zh) for en, zh in ordered]


@cache
def _section_topics() -> dict[str, list[str]]:
    data = tomllib.loads(
        resources.files("bot.qa.data").joinpath("passage_words.toml").read_text("utf-8")
    )
    return data["section_topics"]


def section_words(query: str) -> list[str | None]:
    """Section-title words a question points at (存在哪些问题 → 问题, 不足); [] when none."""
    words: list[str | None] = []
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


def mark_terms(text: str, terms: tuple[str, ...] | list[str]) -> str:
    """Bracket the words of the question found in a quote: 【行政复议】."""
    words = sorted({t for t in terms if len(t) >= 2}, key=len, reverse=True)
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in words))
    return pattern.sub(lambda m: f"【{m.group(0)}】", text)
