"""What an admin's caption says about the report file it comes with: the unit, the year, and
whether the file may replace the loaded report.

Admins write captions the way they write Chinese (单位：北岭乡，年度：2018; 单位 北岭乡 年份
2018年; 北岭乡 2018年) or the documented ``unit=… year=… replace``.  A caption is folded as
questions are (``ingest.text``: simplified, half-width, lower case), so 單位, ＵＮＩＴ and ２０１８
need no words of their own, and cut into keys, values and separators whose words are data
(``[caption]`` in ``telegram.toml``).  A value ends at the next separator or key, so a unit
never swallows what follows it.  A caption that cannot be read whole is not guessed at: it
is ``Unclear``, with the words at fault, and the admin is told why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from bot.telegram.texts import texts
from ingest.text import QUESTION, FoldedText, fold_question


@dataclass(frozen=True)
class Caption:
    """What a caption asks for: ``None`` where it says nothing."""

    unit: str | None = None
    year: int | None = None
    replace: bool = False


class Problem(StrEnum):
    """Why a caption cannot be read; each has a sentence in ``[caption_problem]``."""

    EMPTY = "empty"
    NOT_A_YEAR = "not_a_year"
    YEAR_AS_UNIT = "year_as_unit"
    UNIT_TWICE = "unit_twice"
    YEAR_TWICE = "year_twice"
    UNIT_ALONE = "unit_alone"
    KEY_INSIDE = "key_inside"
    NOT_UNDERSTOOD = "not_understood"


@dataclass(frozen=True)
class Unclear:
    """A caption that cannot be read, and the words (as written) that show why."""

    problem: Problem
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Token:
    kind: str  # sep, bind, year, key, flag or text
    text: str  # folded
    start: int  # offsets in the folded caption
    end: int


@dataclass(frozen=True)
class _Grammar:
    """The caption's words, folded, and the pattern that cuts a folded caption into tokens."""

    keys: dict[str, str]  # folded key word → "unit" or "year"
    tokens: re.Pattern[str]
    year: re.Pattern[str]  # a whole value that is a year; group 1 digits, group 2 numerals


def _words(words: list[str]) -> list[str]:
    """Folded as captions are, longest first: a longer key wins over the key it starts with."""
    return sorted({fold_question(w) for w in words}, key=len, reverse=True)


def _alternation(words: list[str]) -> str:
    """ASCII words only as whole words (replaced is not replace), others anywhere."""
    return "|".join(
        rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w) for w in words
    )


@cache
def _grammar() -> _Grammar:
    data = texts()["caption"]
    seps = r"\s" + "".join(re.escape(c) for c in _words(data["separators"]))
    binders = "".join(re.escape(c) for c in _words(data["binders"]))
    suffix = _alternation(_words(data["year_suffixes"]))
    numerals = re.escape(fold_question(data["year_numerals"]))
    # A year: four digits, or four Chinese numerals (二〇一八), maybe with 年 or 年度.
    year = (
        rf"(?<!\d)\d{{4}}(?!\d)(?:\s?(?:{suffix}))?"
        rf"|(?<![{numerals}])[{numerals}]{{4}}(?![{numerals}])(?:\s?(?:{suffix}))?"
    )
    keys = {w: "unit" for w in _words(data["unit_keys"])}
    keys.update({w: "year" for w in _words(data["year_keys"])})
    flags = _alternation(_words(data["replace_words"]))
    long_keys = _alternation([w for w in keys if len(w) > 1])
    # A one-character key (年) is a key only where a name cannot go on: before a colon, a year,
    # a separator, another key or the end; in 年丰乡 it is part of the name.
    ends = "|".join(e for e in (rf"\s?[{binders}]|[\d{numerals}{seps}]|$", flags, long_keys) if e)
    short = "".join(re.escape(w) for w in keys if len(w) == 1)
    short_keys = rf"[{short}](?=[{short}]*(?:{ends}))" if short else ""
    key = "|".join(k for k in (long_keys, short_keys) if k)
    stop = rf"[{seps}{binders}]|{year}|{flags}|{key}"
    tokens = re.compile(
        rf"(?P<sep>[{seps}]+)|(?P<bind>[{binders}])|(?P<year>{year})|(?P<flag>{flags})"
        rf"|(?P<key>{key})|(?P<text>(?:(?!{stop}).)+)",
        re.DOTALL,
    )
    whole_year = re.compile(rf"(?:(\d{{4}})|([{numerals}]{{4}}))(?:\s?(?:{suffix}))?")
    return _Grammar(keys, tokens, whole_year)


def _fold(caption: str) -> tuple[str, list[int]]:
    """The caption folded as questions are, each run of whitespace one space, and for each
    folded character the offset in ``caption`` of the character it came from."""
    text: list[str] = []
    origin: list[int] = []
    for chunk in re.finditer(r"\S+", caption):
        if text:
            text.append(" ")
            origin.append(chunk.start() - 1)
        folded = FoldedText.of(caption, chunk.start(), chunk.end(), QUESTION)
        text.append(folded.text)
        origin.extend(folded.index)
    return "".join(text), origin


class _Reader:
    """One caption being read: its tokens and what they have said so far."""

    def __init__(self, caption: str) -> None:
        self.caption = caption
        self.folded, self.origin = _fold(caption)
        grammar = _grammar()
        self.keys = grammar.keys
        self.whole_year = grammar.year
        self.tokens = [
            _Token(m.lastgroup or "text", m.group(), m.start(), m.end())
            for m in grammar.tokens.finditer(self.folded)
            if m.group()
        ]
        self.unit: str | None = None
        self.year: int | None = None
        self.replace = False
        self.bare: list[_Token] = []

    def written(self, first: _Token, last: _Token | None = None) -> str:
        """The caption's own words behind tokens ``first`` to ``last``."""
        last = last or first
        return self.caption[self.origin[first.start] : self.origin[last.end - 1] + 1].strip()

    def next_word(self, i: int) -> int:
        """The index of the first token from ``i`` on that is not a separator."""
        while i < len(self.tokens) and self.tokens[i].kind == "sep":
            i += 1
        return i

    def read(self) -> Caption | Unclear:
        """Token by token: a key takes the next word (after a binder, if any) as its value; a
        year or replace stands anywhere; any other word waits for ``finish``."""
        i = self.next_word(0)
        while i < len(self.tokens):
            token = self.tokens[i]
            after = self.next_word(i + 1)
            binds = after < len(self.tokens) and self.tokens[after].kind == "bind"
            if token.kind == "key" and not binds and i and self.tokens[i - 1].kind == "text":
                return self.key_inside(i)
            if token.kind == "key":
                outcome = self.read_value(token, self.next_word(after + 1) if binds else after)
                if isinstance(outcome, Unclear):
                    return outcome
                after = self.next_word(outcome + 1)
            elif token.kind == "bind" or binds:  # 北岭乡：2018, replace=…, a lone colon
                end = self.next_word(after + 1) if binds else after
                last = self.tokens[min(end, len(self.tokens) - 1)]
                return Unclear(Problem.NOT_UNDERSTOOD, {"given": self.written(token, last)})
            elif token.kind == "flag":
                self.replace = True
            elif token.kind == "year":
                problem = self.take_year(token, i)
                if problem:
                    return problem
            else:
                self.bare.append(token)
            i = after
        return self.finish()

    def word(self, i: int) -> str:
        """The caption's own words of the word token ``i`` is in: the tokens around it up to a
        separator or binder on either side."""
        first = last = i
        while first and self.tokens[first - 1].kind not in ("sep", "bind"):
            first -= 1
        while last + 1 < len(self.tokens) and self.tokens[last + 1].kind not in ("sep", "bind"):
            last += 1
        return self.written(self.tokens[first], self.tokens[last])

    def key_inside(self, i: int) -> Unclear:
        """A key inside a word, with no colon after it (某市事业单位登记管理局, 北岭乡年份2018):
        where the unit's name ends cannot be told."""
        return Unclear(
            Problem.KEY_INSIDE, {"given": self.word(i), "key": self.written(self.tokens[i])}
        )

    def read_value(self, key: _Token, at: int) -> int | Unclear:
        """Take the value of ``key`` from token ``at``; the index of the value taken."""
        value = self.tokens[at] if at < len(self.tokens) else None
        given = {"key": self.written(key)}
        if value is None or value.kind not in ("text", "year"):
            return Unclear(Problem.EMPTY, given)
        given["given"] = self.written(value)
        if self.keys[key.text] == "year":
            return self.take_year(value, at) or at
        if value.kind == "year":
            return Unclear(Problem.YEAR_AS_UNIT, given)
        return self.take_unit(value) or at

    def year_of(self, token: _Token) -> int | None:
        """The year a value or a year token stands for; None when it is no year."""
        match = self.whole_year.fullmatch(token.text)
        if match is None:
            return None
        if match.group(1):
            return int(match.group(1))
        from ingest.metadata import chinese_year  # only for a year in Chinese numerals

        return chinese_year(match.group(2))

    def take_year(self, token: _Token, at: int) -> Unclear | None:
        """Take the year of ``token``, token ``at`` of the caption, or say why not."""
        year = self.year_of(token)
        if year is None:  # 去年 is 去 and the key 年: say the whole word
            return Unclear(Problem.NOT_A_YEAR, {"given": self.word(at)})
        if self.year is not None and self.year != year:
            return Unclear(Problem.YEAR_TWICE, {"first": str(self.year), "second": str(year)})
        self.year = year
        return None

    def take_unit(self, token: _Token) -> Unclear | None:
        """Take ``token`` as the unit, as written, or say why not."""
        unit = self.written(token)
        if _fold(unit)[0] != token.text:  # a character folded into several was cut apart
            return Unclear(Problem.NOT_UNDERSTOOD, {"given": unit})
        if self.unit is not None and self.unit != unit:
            return Unclear(Problem.UNIT_TWICE, {"first": self.unit, "second": unit})
        self.unit = unit
        return None

    def finish(self) -> Caption | Unclear:
        """A bare word is the unit only beside a year (北岭乡 2018年) and when no key named
        one: alone it may be any remark, and two of them cannot both be the unit."""
        if self.bare:
            first = self.bare[0]
            if len(self.bare) > 1 or self.unit is not None:
                stray = self.bare[1] if self.unit is None else first
                return Unclear(Problem.NOT_UNDERSTOOD, {"given": self.written(stray)})
            if self.year is None:
                return Unclear(Problem.UNIT_ALONE, {"given": self.written(first)})
            problem = self.take_unit(first)
            if problem:
                return problem
        return Caption(self.unit, self.year, self.replace)


def parse_caption(caption: str) -> Caption | Unclear:
    """The unit, year and replace a caption gives, or why it cannot be read; never raises.
    An empty caption gives nothing."""
    return _Reader(caption).read()


def problem_words(unclear: Unclear) -> str:
    """Why a caption cannot be read, in the bot's words (``[caption_problem]``)."""
    return str(texts()["caption_problem"][unclear.problem].format(**unclear.params))
