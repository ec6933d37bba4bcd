"""The years a report states besides its own: in its title, its statistics period, the year
column of the pre-2020 统计表, the sentences that state a figure, and its signature date.

A report copied from last year's often keeps last year's period or sentences (``2015年未收到
申请`` in the report on 2016): the review compares these with the title.  Each function reads
the original text through its label form (no spaces, half-width, simplified) and returns
offsets into the original, so every year found can be quoted as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ingest.metadata import chinese_year
from ingest.text import FoldedText, fold_label

_YEAR = r"(?:19|20)\d{2}"
_DATE = rf"({_YEAR})年\d{{1,2}}月\d{{1,2}}日"
_FIGURE_YEAR = re.compile(rf"(?<!\d)({_YEAR})年度?(?!\d)")
_CHINESE_YEAR = re.compile("[〇零○一二三四五六七八九]{4}")


@dataclass(frozen=True)
class StatedYears:
    """Years stated at ``text[start:end]``: one year (``first == last``) or a period."""

    first: int
    last: int
    start: int
    end: int


@lru_cache(maxsize=2)
def _folded(text: str) -> FoldedText:
    """The label form of a report's text, folded once for the several readings of it."""
    return FoldedText.of(text)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted({fold_label(w) for w in words}, key=len)[::-1])


def title_year(title: str) -> int | None:
    """The year a title names (2018 of 某某镇2018年…报告, also 二〇一八), or None."""
    folded = fold_label(title or "")
    match = re.search(_YEAR, folded)
    if match:
        return int(match.group(0))
    chinese = _CHINESE_YEAR.search(folded)
    if chinese:
        try:
            return chinese_year(chinese.group(0))
        except ValueError:
            return None
    return None


def periods(text: str, period_words: Iterable[str]) -> list[StatedYears]:
    """Statistics periods: 统计期限自2021年1月1日起至2021年12月31日止 → 2021–2021."""
    words = _alternation(period_words)
    if not words:
        return []
    pattern = re.compile(
        rf"(?:{words}).{{0,6}}?{_DATE}起?(?:至|到|-|—|~|－)({_YEAR})年(?:\d{{1,2}}月(?:\d{{1,2}}日)?)?止?"
    )
    folded = _folded(text)
    found = []
    for m in pattern.finditer(folded.text):
        start, end = folded.span(m.start(), m.end())
        found.append(StatedYears(int(m.group(1)), int(m.group(2)), start, end))
    return found


def table_years(text: str, headers: Iterable[str]) -> list[StatedYears]:
    """The year column of a 统计表 written before its cumulative column (2015年度 历年累计)."""
    words = _alternation(headers)
    if not words:
        return []
    folded = _folded(text)
    found = []
    for m in re.finditer(rf"({_YEAR})年度?(?:{words})", folded.text):
        start, end = folded.span(m.start(), m.end())
        year = int(m.group(1))
        found.append(StatedYears(year, year, start, end))
    return found


def sentence_years(sentence: str, not_after: Iterable[str], not_before: Iterable[str]) -> list[int]:
    """Years a figure's sentence says it describes (2015年未收到申请 → 2015); not years it
    compares with (较2015年) or counts from (2008年以来)."""
    after = tuple(fold_label(w) for w in not_after if w)
    before = tuple(fold_label(w) for w in not_before if w)
    folded = fold_label(sentence or "")
    years = []
    for m in _FIGURE_YEAR.finditer(folded):
        if after and folded[: m.start()].endswith(after):
            continue
        if before and folded[m.end() :].startswith(before):
            continue
        years.append(int(m.group(1)))
    return years


def date_spans(text: str, year: int, month: int, day: int) -> list[tuple[int, int]]:
    """Where the text writes this date (2021年1月25日, also with spaces or leading zeros)."""
    folded = _folded(text)
    pattern = re.compile(rf"(?<!\d){year}年0?{month}月0?{day}日")
    return [folded.span(m.start(), m.end()) for m in pattern.finditer(folded.text)]
