"""Which report years a question asks for.

2018, 2018年, 18年, 二〇一八年, 去年 (relative to today), 近三年, 2017-2019, since 2019.
A year that is the subject of the question (2019年有什么工作打算) is not the report year:
plans for a year are written in the previous year's report.  Works on folded text
(simplified, half-width, lower case) and reports the spans it understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from ingest.vocab import load_toml

MAX_SPAN = 30
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CN_YEAR = re.compile("[〇零一二三四五六七八九]{4}(?=年)")
_CN_COUNT = "[一二两三四五六七八九十]{1,3}"
# Digits that start a year: not inside a number, nor after a decimal point (1.5年); a point
# after no digit is punctuation (.0年 is the year 0, asked).
_NOT_AFTER_A_NUMBER = r"(?<!\d)(?<!\d\.)"
_SENTENCE_END = re.compile(r"[,.;!?，。；！？\n]")


@cache
def vocabulary() -> dict:
    """Year words (``bot/qa/data/years.toml``)."""
    return load_toml("bot.qa.data", "years.toml")


@cache
def number_words() -> dict[str, int]:
    """English number words (``bot/qa/data/numbers.toml``)."""
    return load_toml("bot.qa.data", "numbers.toml")["words"]


def count_pattern() -> str:
    """A regex group for a small count: digits, Chinese numerals or English number words."""
    words = "|".join(sorted(number_words(), key=len, reverse=True))
    return rf"(\d{{1,2}}|{_CN_COUNT}|{words})"


def parse_count(word: str) -> int | None:
    """'3', '三', 'three' → 3; anything else → None."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    if word in number_words():
        return number_words()[word]
    import cn2an  # a few tenths of a second to import: only for words no table knows

    try:
        value = cn2an.cn2an(word, "smart")
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return int(value) if isinstance(value, int | float) and value == int(value) else None


def _words(words: list[str]) -> str:
    """An alternation of phrases; ASCII phrases only as whole words, spaces flexible."""
    parts = []
    for word in sorted(words, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in word.split())
        if word.isascii() and word[:1].isalpha():
            body = rf"(?<![a-z]){body}(?![a-z])"
        parts.append(body)
    return "|".join(parts)


@dataclass(frozen=True)
class YearPatterns:
    """The compiled year expressions, built once from the vocabulary."""

    last_n: re.Pattern[str]
    range_: re.Pattern[str]
    since: re.Pattern[str]
    relative: re.Pattern[str]
    single: re.Pattern[str]
    short: re.Pattern[str]
    topic: re.Pattern[str]
    written: re.Pattern[str]


@cache
def patterns() -> YearPatterns:
    vocab = vocabulary()
    year = r"(?<![\d.])((?:19|20)\d\d)(?![\d.])\s*(?:年度|年)?"
    count = count_pattern()
    last_n = "|".join(
        _words([w]).replace(re.escape("{n}"), r"\s*" + count + r"\s*") for w in vocab["last_n"]
    )
    measure = "|".join(re.escape(w) for w in vocab["not_year_after"])
    return YearPatterns(
        last_n=re.compile(last_n),
        range_=re.compile(rf"{year}\s*(?:{_words(vocab['range_joiners'])})\s*{year}"),
        since=re.compile(
            rf"(?:{_words(vocab['since_before'])})\s*{year}|{year}\s*(?:{_words(vocab['since_after'])})"
        ),
        relative=re.compile(_words(list(vocab["relative"]))),
        single=re.compile(
            rf"{_NOT_AFTER_A_NUMBER}((?:19|20)\d\d)(?![\d.])(?!\s*(?:{measure}))\s*(?:年度|年)?"
        ),
        short=re.compile(rf"{_NOT_AFTER_A_NUMBER}(\d\d)\s*(?:年度|年)(?!代)"),
        topic=re.compile(_words(vocab["topic_next_year"])),
        written=re.compile(
            rf"{_NOT_AFTER_A_NUMBER}([-−]?\d{{1,6}})(?![\d.])\s*(?:年度|年)(?!代)"
            r"|(?<![a-z])(?:in|year|for)\s+([-−]?\d{3,6})(?![\d.])"
        ),
    )


@dataclass(frozen=True)
class YearsFound:
    """The report years a question asks for, where it named them, and the years as written.

    ``as_written`` differs from ``years`` only where a year is the subject of the question
    (2019年工作打算 asks for the 2018 report): when that earlier report does not exist, the
    year as written is the next best reading.
    """

    years: tuple[int, ...]
    spans: list[tuple[int, int]]
    as_written: tuple[int, ...]


def find_years(text: str, today: date) -> tuple[tuple[int, ...], list[tuple[int, int]]]:
    """Report years asked for (ascending, unique) and the spans of ``text`` that named them."""
    found = read_years(text, today)
    return found.years, found.spans


def read_years(text: str, today: date) -> YearsFound:
    """Report years asked for, their spans, and the years as written (see ``YearsFound``)."""
    vocab = vocabulary()
    pats = patterns()
    work = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)
    years: set[int] = set()
    written: set[int] = set()
    spans: list[tuple[int, int]] = []

    def plausible(year: int) -> bool:
        return vocab["first_year"] <= year <= today.year + 1

    def take(match: re.Match[str]) -> None:
        nonlocal work
        spans.append(match.span())
        work = work[: match.start()] + " " * (match.end() - match.start()) + work[match.end() :]

    for match in list(pats.last_n.finditer(work)):
        n = parse_count(next(g for g in match.groups() if g))
        if n and 0 < n <= MAX_SPAN:
            years.update(range(today.year - n, today.year))
            take(match)
    for match in list(pats.range_.finditer(work)):
        first, last = sorted((int(match.group(1)), int(match.group(2))))
        if plausible(first) and plausible(last):
            years.update(range(first, last + 1) if last - first <= MAX_SPAN else (first, last))
            take(match)
    for match in list(pats.since.finditer(work)):
        first = int(match.group(1) or match.group(2))
        if plausible(first):
            years.update(range(first, today.year + 1))
            take(match)
    singles: list[tuple[re.Match[str], int]] = []
    for match in pats.single.finditer(work):
        singles.append((match, int(match.group(1))))
    for match in pats.short.finditer(work):
        singles.append((match, 2000 + int(match.group(1))))
    for match in pats.relative.finditer(work):
        singles.append((match, today.year + vocab["relative"][_relative_key(match.group(0))]))
    ranged = set(years)
    for match, year in sorted(singles, key=lambda s: s[0].start()):
        if not plausible(year):
            continue
        years.add(year - 1 if _is_topic(work, match.end()) else year)
        written.add(year)
        spans.append(match.span())
    for match in pats.written.finditer(work):
        if any(a < match.end() and match.start() < b for a, b in spans):
            continue
        number = int((match.group(1) or match.group(2)).replace("−", "-"))
        impossible = number <= 0 or (len(str(number)) >= 3 and not plausible(number))
        if impossible and not _is_topic(work, match.end()):
            # A year no report can cover (0年, 9999年, 1800年): asked all the same, so the
            # answer says there is no such report instead of giving the latest one.
            years.add(number)
            written.add(number)
            spans.append(match.span())
    return YearsFound(tuple(sorted(years)), sorted(spans), tuple(sorted(ranged | written)))


def _relative_key(found: str) -> str:
    squeezed = "".join(found.split())
    return next(k for k in vocabulary()["relative"] if "".join(k.split()) == squeezed)


def _is_topic(text: str, end: int) -> bool:
    """A year followed closely by 工作打算/计划 in the same sentence is a topic."""
    window = text[end : end + vocabulary()["topic_window"]]
    cut = _SENTENCE_END.search(window)
    window = window[: cut.start()] if cut else window
    return bool(patterns().topic.search(window))
