"""Understanding a question without a language model: rules, vocabularies and the database.

A question is folded (simplified, 於→于, half-width, lower case), then read in layers, each
blanking what it understood so later layers do not misread it: units (from the gazetteer),
the statistic (longest catalogue label or alias), years, generic unit words (哪个镇, 各镇),
place names that are no unit, and finally the intent words.  Every vocabulary is a data
file under ``bot/qa/data/``; nothing here knows any particular report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, Literal

from bot.qa import colloquial
from bot.qa.gazetteer import Gazetteer, GenericWord, UnitMatch, UnitRef, resolve, vocabulary
from bot.qa.rewrite import Rewrite, apply
from bot.qa.statistic_match import statistic_matcher
from bot.qa.typos import typo_reader
from bot.qa.wording import Lang
from bot.qa.years import count_pattern, parse_count, read_years
from ingest.catalogue import Catalogue
from ingest.text import CJK, QUESTION, FoldedText, fold_question
from ingest.vocab import load_toml

__all__ = ["INTENTS", "Gazetteer", "Intent", "Question", "UnitRef", "parse_question"]


class Intent(StrEnum):
    """What a question wants done with the figures or passages it names."""

    NUMBER = "number"
    SUM = "sum"
    RANKING = "ranking"
    COMPARE = "compare"
    TREND = "trend"
    LIST = "list"
    PASSAGE = "passage"
    NONE = "none"


INTENTS = tuple(Intent)
Order = Literal["asc", "desc", ""]
ListWhat = Literal["statistics", "units", "years", ""]
Over = Literal["units", "years"]

MAX_CHARS = 1000
_CONTENT = re.compile(f"[{CJK}a-z0-9]")
_LATIN = re.compile("[a-z]")
_CJK_CHAR = re.compile(f"[{CJK}]")


@dataclass(frozen=True)
class Question:
    """What a question asks, in terms of the database: units, years, statistic, intent."""

    text: str
    lang: Lang = "zh"
    intent: Intent = Intent.NONE
    units: tuple[UnitRef, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unknown_units: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    statistic: str | None = None
    statistic_mention: str = ""
    order: Order = ""
    top: int | None = None
    list_what: ListWhat = ""
    level: str = ""
    over: Over = "units"  # what a ranking ranks: units, or the years of one unit
    years_written: tuple[int, ...] = ()  # the years as written (see ``years.YearsFound``)
    typos: tuple[tuple[str, str], ...] = ()  # (typed, read as): the answer says so


def intent_vocabulary() -> dict:
    """Intent words (``bot/qa/data/intents.toml``)."""
    return load_toml("bot.qa.data", "intents.toml")


_GAP = r"[^,.;!?，。；！？]{0,12}?"


def _phrase(word: str) -> str:
    """A regex for one vocabulary phrase: ASCII as whole words, ``{n}`` as a count, ``{x}`` as a
    few characters; a phrase ending in 多 never ends a 多少 (a count word)."""
    folded = fold_question(word)
    parts = [re.escape(p) for p in folded.split()]
    body = r"\s+".join(parts).replace(re.escape("{n}"), r"\s*" + count_pattern() + r"\s*")
    body = body.replace(r"\s+" + re.escape("{x}") + r"\s+", r"\s+(?:\S+\s+){0,3}")
    body = body.replace(re.escape("{x}"), _GAP)
    if folded.endswith("多"):
        body += "(?!少)"
    if folded.isascii() and folded[:1].isalpha():
        body = rf"(?<![a-z]){body}(?![a-z])"
    return body


@dataclass(frozen=True)
class WordList:
    """One list of intent words, matched as a single longest-first alternation."""

    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, words: list[str]) -> WordList:
        ordered = sorted({w for w in words if w.strip()}, key=len, reverse=True)
        return cls(re.compile("|".join(_phrase(w) for w in ordered)) if ordered else None)

    def find(self, text: str) -> list[re.Match[str]]:
        return list(self.pattern.finditer(text)) if self.pattern else []


@cache
def _word_lists() -> dict[str, WordList]:
    vocab = intent_vocabulary()
    lists: dict[str, WordList] = {}
    for name in ("sum", "compare", "trend", "passage", "count", "which_year"):
        lists[name] = WordList.of(vocab[name]["zh"] + vocab[name]["en"])
    for name, langs in vocab["more"].items():
        lists[f"more.{name}"] = WordList.of(langs["zh"] + langs["en"])
    weak = vocab["passage"]["weak"]
    lists["passage.weak"] = WordList.of(weak["zh"] + weak["en"])
    for name, langs in vocab["list"].items():
        lists[f"list.{name}"] = WordList.of(langs["zh"] + langs["en"])
    for name, langs in vocab["ranking"].items():
        lists[f"ranking.{name}"] = WordList.of(langs["zh"] + langs["en"])
    return lists


# -- helpers ----------------------------------------------------------------------------------


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@cache
def _english_level_pattern() -> re.Pattern[str]:
    vocab = vocabulary()
    words = [*vocab["english_which"], *vocab["english_scope"]]
    scope = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    levels = "|".join(re.escape(w) for w in sorted(vocab["english_levels"], key=len, reverse=True))
    return re.compile(rf"(?<![a-z])({scope})\s+(?:\w+\s+)?({levels})(?![a-z])")


def _english_generic(text: str) -> GenericWord | None:
    """which town → 镇 (a "which" word), all districts → 区 (a "scope" word)."""
    vocab = vocabulary()
    match = _english_level_pattern().search(text)
    if not match:
        return None
    kind = "which" if match.group(1) in vocab["english_which"] else "scope"
    return GenericWord(*match.span(), vocab["english_levels"][match.group(2)], kind)


def _language(folded: str, spans: list[tuple[int, int]]) -> Lang:
    """English when Latin letters clearly outnumber Chinese characters outside unit names."""
    rest = _blank(folded, spans)
    latin = len(_LATIN.findall(rest))
    cjk = len(_CJK_CHAR.findall(rest))
    return "en" if latin >= 3 and latin >= 2 * cjk else "zh"


def _top(matches: list[re.Match[str]]) -> int | None:
    for match in matches:
        for group in match.groups():
            if group:
                return parse_count(group)
    return None


# -- the parser -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Signals:
    """What the intent decision looks at."""

    words: dict[str, list[re.Match[str]]]
    passage: bool
    statistic: str | None
    units: int
    years: int
    scoped: bool
    which: bool
    bare_more: Order = ""  # 多 / 少 standing alone after 哪一年 (哪一年被起诉得多)


def _asks_for_words(lists: dict[str, WordList], text: str) -> bool:
    """A passage word, or a weak one (领导, how did) in a question asking no count or trend."""
    if lists["passage"].find(text):
        return True
    if lists["count"].find(text) or lists["trend"].find(text):
        return False
    return bool(lists["passage.weak"].find(text))


_BARE_MORE = re.compile(r"(?<!多)(?P<asc>少)|(?P<desc>多)(?![少几])")


def _bare_more(lists: dict[str, WordList], text: str) -> Order:
    """多 or 少 after a which-year word (哪一年收到的申请多): which year has more, or fewer."""
    which = lists["which_year"].find(text)
    if not which:
        return ""
    match = _BARE_MORE.search(text, which[0].end())
    if not match:
        return ""
    return "asc" if match.group("asc") else "desc"


def _first_order(desc: list[re.Match[str]], asc: list[re.Match[str]]) -> Order:
    found = sorted([(m.start(), "desc") for m in desc] + [(m.start(), "asc") for m in asc])
    return "asc" if found and found[0][1] == "asc" else "desc"


def _intent(signals: _Signals) -> tuple[Intent, dict[str, Any]]:
    """The intent by precedence: list > ranking > sum > passage words > compare > trend > number.

    A units list word in a question naming a unit (某片区是由哪些单位整合成的, 和哪些部门一起)
    asks about that unit in words.  Two named units with a comparison word (相比, versus)
    compare even when a total is
    mentioned (两镇行政诉讼总数相比); two named units without one compare too.  Which of them
    has more (谁多, 比…多) is a ranking of those units; which year has most, of one unit
    (某镇哪一年…最多, 2021年和2023年哪年多), a ranking of its years.
    """
    words, statistic = signals.words, signals.statistic
    if words["list.units"] and signals.units and not words["list.statistics"]:
        return Intent.PASSAGE, {}
    for what in ("statistics", "units", "years"):
        if words[f"list.{what}"] and (what == "statistics" or statistic is None):
            return Intent.LIST, {"list_what": what}
    ranking = sorted(words["ranking.desc"] + words["ranking.asc"], key=lambda m: m.start())
    more = words["more.desc"] + words["more.asc"]
    more_order = _first_order(words["more.desc"], words["more.asc"]) if more else ""
    asks_years = bool(words["which_year"]) or (bool(more) and signals.years > 1)
    if statistic and signals.units <= 1 and not signals.which and asks_years:
        if ranking:
            order = "asc" if ranking[0] in words["ranking.asc"] else "desc"
            return Intent.RANKING, {"order": order, "top": _top(ranking), "over": "years"}
        if more_order or signals.bare_more:
            return Intent.RANKING, {"order": more_order or signals.bare_more, "over": "years"}
    if ranking and (statistic or not signals.passage):
        order = "asc" if ranking[0] in words["ranking.asc"] else "desc"
        return Intent.RANKING, {"order": order, "top": _top(ranking)}
    if words["compare"] and signals.units >= 2 and statistic and not signals.passage:
        return Intent.COMPARE, {}
    if more and signals.units >= 2 and statistic and not signals.passage:
        return Intent.RANKING, {"order": more_order}
    several = signals.units != 1 or signals.years > 1 or signals.scoped
    if words["sum"] and not signals.passage and several:
        return Intent.SUM, {}
    if signals.passage or not statistic:
        return Intent.PASSAGE, {}
    if signals.which and signals.units == 0:
        return Intent.RANKING, {"order": "desc", "top": None}
    if signals.units >= 2:
        return Intent.COMPARE, {}
    if words["trend"] or (signals.years > 1 and signals.units <= 1):
        return Intent.TREND, {}
    return Intent.NUMBER, {}


def _read_as_reports_do(
    folded: FoldedText, gazetteer: Gazetteer, domain_words: list[str], owner: object
) -> tuple[FoldedText, list[UnitMatch], list[Rewrite]]:
    """The folded question with typos and everyday words read as the reports' words, the unit
    mentions in it, and the typos corrected (unit names are never touched)."""
    matches = gazetteer.find(folded)
    typos = typo_reader(owner, domain_words).corrections(
        folded.text, [(m.start, m.end) for m in matches]
    )
    read: list[Rewrite] = [Rewrite(t.start, t.end, t.typed, t.word) for t in typos]
    if typos:
        folded = apply(folded, read)
        matches = gazetteer.find(folded)
    everyday = colloquial.rewrites(folded.text, [(m.start, m.end) for m in matches], domain_words)
    if everyday:
        folded = apply(folded, everyday)
        matches = gazetteer.find(folded)
    return folded, matches, read


def parse_question(
    text: str, gazetteer: Gazetteer, catalogue: Catalogue, today: date | None = None
) -> Question:
    """Read a question into units, years, statistic and intent; never raises on any text."""
    today = today or date.today()
    text = (text if isinstance(text, str) else str(text or ""))[:MAX_CHARS]
    # Undecodable bytes reach here as lone surrogates (a file name, a pipe): they cannot be
    # encoded, so they become U+FFFD before any converter sees them.
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    folded = FoldedText.of(text, form=QUESTION)
    if not _CONTENT.search(folded.text):
        return Question(text=text)

    matcher = statistic_matcher(catalogue)
    folded, matches, read = _read_as_reports_do(folded, gazetteer, list(matcher.zh), catalogue)
    unit_spans = [(m.start, m.end) for m in matches]
    units, ambiguous = resolve(matches)
    without_units = _blank(folded.text, unit_spans)

    chosen = matcher.choose(without_units)
    statistic, statistic_spans = (chosen[0], [chosen[1]]) if chosen else (None, [])
    without_statistic = _blank(without_units, statistic_spans)

    found_years = read_years(without_statistic, today)
    years, year_spans = found_years.years, found_years.spans
    without_years = _blank(without_units, year_spans)
    masked = _blank(without_statistic, year_spans)
    unknown_spans = gazetteer.unknown_places(masked, unit_spans)
    if not matches and not unknown_spans:
        unknown_spans = gazetteer.unknown_departments(masked)

    generic = gazetteer.generic_levels(without_units)
    english = _english_generic(without_units)
    if english is not None:
        generic.append(english)
    level = next((g.level for g in generic if g.kind != "plain" and g.level), "")

    lists = _word_lists()
    intent, fields = _intent(
        _Signals(
            words={
                name: wl.find(_blank(without_years, statistic_spans)) for name, wl in lists.items()
            },
            passage=_asks_for_words(lists, _blank(without_years, statistic_spans)),
            statistic=statistic,
            units=len(units) + len(ambiguous),
            years=len(years),
            scoped=any(g.kind != "plain" for g in generic),
            which=any(g.kind == "which" for g in generic),
            bare_more=_bare_more(lists, _blank(without_years, statistic_spans)),
        )
    )
    scoped = any(g.kind != "plain" for g in generic)
    own_report = intent in (Intent.NUMBER, Intent.PASSAGE, Intent.TREND) or (
        intent == Intent.RANKING and fields.get("over") == "years"
    )
    if (
        not units
        and not ambiguous
        and not unknown_spans
        and not scoped
        and own_report
        and gazetteer.default_unit
    ):
        units = [UnitRef(gazetteer.default_unit, gazetteer.default_unit)]
    return Question(
        text=text,
        lang=_language(folded.text, unit_spans + unknown_spans),
        intent=intent,
        units=tuple(units),
        ambiguous=tuple((m, tuple(c)) for m, c in ambiguous),
        unknown_units=tuple(dict.fromkeys(folded.source(s, e) for s, e in unknown_spans)),
        years=years,
        statistic=statistic,
        statistic_mention=folded.source(*statistic_spans[0]) if statistic_spans else "",
        level=level,
        years_written=found_years.as_written,
        typos=tuple((folded_typo.typed, folded_typo.word) for folded_typo in read),
        **fields,
    )
