"""Everyday words read as the reports' words: 收了多少钱 is 收费, 官司 is 诉讼, 几宗 is 几件.

The patterns are ``bot/qa/data/colloquial.toml``; "…" in a pattern stands for a few
characters that stay where they are (the count word of 收了多少钱), and in a reading for
where they stay (开…会 is read 开…会议).  A pattern is not
rewritten inside a longer domain word written correctly (工作会 of 工作会议), nor inside a unit's
name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from bot.qa.folded_words import folded_words
from bot.qa.rewrite import Rewrite
from bot.qa.word_spans import WordSpans
from ingest.text import CJK, fold_question
from ingest.vocab import load_toml

GAP = "…"


@cache
def vocabulary() -> dict:
    """``bot/qa/data/colloquial.toml``."""
    return load_toml("bot.qa.data", "colloquial.toml")


def targets() -> list[str]:
    """The reports' words the everyday words are read as."""
    words = {w for word in vocabulary()["rewrite"].values() for w in word.split(GAP)}
    return sorted(w for w in words if w)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    words: tuple[str, ...]  # what each part of the pattern is read as ("" : it goes)


@cache
def _patterns() -> tuple[_Pattern, ...]:
    """Longest pattern first, so 被人告 wins over 告."""
    gap = rf"([{CJK}a-z0-9]{{0,{vocabulary()['gap']}}}?)"
    found = []
    for pattern, word in vocabulary()["rewrite"].items():
        parts = [re.escape(fold_question(p)) for p in pattern.split(GAP)]
        words = word.split(GAP) if GAP in word else [word]
        words += [""] * (len(parts) - len(words))
        regex = f"({parts[0]})" + "".join(f"{gap}({p})" for p in parts[1:])
        found.append(_Pattern(re.compile(regex), tuple(words[: len(parts)])))
    return tuple(sorted(found, key=lambda p: -len(p.regex.pattern)))


def _inside(start: int, end: int, a: int, b: int) -> bool:
    """A match within a longer domain word, or reaching into one (开了会 of 开了会议)."""
    within = a <= start and end <= b and b - a > end - start
    return within or a < start < b or a < end < b


@lru_cache(maxsize=4)
def _domain_index(words: tuple[str, ...]) -> WordSpans:
    """The domain's words (two characters or more, folded), indexed once per vocabulary."""
    return WordSpans(folded_words(w for w in words if len(w) >= 2))


def _domain_spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Where the domain's words stand in the text."""
    return [(start, end) for start, end, _word in _domain_index(tuple(words)).find(text)]


def rewrites(
    text: str, protected: Iterable[tuple[int, int]], domain_words: Iterable[str]
) -> list[Rewrite]:
    """Everyday words of the folded ``text`` and the reports' words they are read as.

    Each part of a match becomes one rewrite (to its reading, or to nothing); the gaps between
    stay.  Overlapping matches: the first one found, longest pattern first.
    """
    taken = [False] * len(text)
    for start, end in protected:
        for i in range(max(0, start), min(len(text), end)):
            taken[i] = True
    inside = _domain_spans(text, domain_words)
    found: list[Rewrite] = []
    for pattern in _patterns():
        for match in pattern.regex.finditer(text):
            start, end = match.span()
            if any(taken[start:end]) or any(_inside(start, end, a, b) for a, b in inside):
                continue
            for i in range(start, end):
                taken[i] = True
            groups = [match.span(g) for g in range(1, (match.lastindex or 0) + 1)]
            for (a, b), word in zip(groups[0::2], pattern.words, strict=True):
                found.append(Rewrite(a, b, text[a:b], word))
    return sorted(found, key=lambda r: r.start)
