"""Understanding a question without a language model: rules, vocabularies and the database.

A question is folded (simplified, 於→于, half-width, lower case), then read in layers, each
blanking what it understood so later layers do not misread it: units (from the gazetteer),
the statistic (longest catalogue label or alias), years, generic unit words (哪个镇, 各镇),
place names that are no unit, and finally the intent words.  Every vocabulary is a data
file under ``bot/data/``; nothing here knows any particular report.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from bot.gazetteer import (
    CJK,
    Folded,
    Gazetteer,
    GenericWord,
    UnitRef,
    fold_text,
    resolve,
    vocabulary,
)
from bot.when import count_pattern, find_years, parse_count

if TYPE_CHECKING:
    from ingest.catalogue import Catalogue

__all__ = ["INTENTS", "Gazetteer", "Question", "UnitRef", "parse_question"]

MAX_CHARS = 1000
INTENTS = ("number", "sum", "ranking", "compare", "trend", "list", "passage", "none")
_CONTENT = re.compile(f"[{CJK}a-z0-9]")
_LATIN = re.compile("[a-z]")
_CJK_CHAR = re.compile(f"[{CJK}]")


@dataclass(frozen=True)
class Question:
    """What a question asks, in terms of the database: units, years, statistic, intent."""

    text: str
    lang: str = "zh"
    intent: str = "none"
    units: tuple[UnitRef, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unknown_units: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    metric: str | None = None
    metric_mention: str = ""
    order: str = ""
    top: int | None = None
    list_what: str = ""
    level: str = ""


@cache
def metric_vocabulary() -> dict:
    """How questions pick among catalogue labels (``bot/data/metrics.toml``)."""
    text = resources.files("bot.data").joinpath("metrics.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def intent_vocabulary() -> dict:
    """Intent words (``bot/data/intents.toml``)."""
    text = resources.files("bot.data").joinpath("intents.toml").read_text("utf-8")
    return tomllib.loads(text)


def _phrase(word: str) -> str:
    """A regex for one vocabulary phrase: ASCII as whole words, ``{n}`` as a count."""
    folded = fold_text(word)
    parts = [re.escape(p) for p in folded.split()]
    body = r"\s+".join(parts).replace(re.escape("{n}"), r"\s*" + count_pattern() + r"\s*")
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
    for name in ("sum", "compare", "trend", "passage", "count"):
        lists[name] = WordList.of(vocab[name]["zh"] + vocab[name]["en"])
    weak = vocab["passage"]["weak"]
    lists["passage.weak"] = WordList.of(weak["zh"] + weak["en"])
    for name, langs in vocab["list"].items():
        lists[f"list.{name}"] = WordList.of(langs["zh"] + langs["en"])
    for name, langs in vocab["ranking"].items():
        lists[f"ranking.{name}"] = WordList.of(langs["zh"] + langs["en"])
    return lists


# -- statistics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricHit:
    """Where a label or alias was found, the statistics it names, and those it is a label of."""

    start: int
    end: int
    keys: tuple[str, ...]
    labelled: frozenset[str] = frozenset()

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class MetricMatcher:
    """Every label and alias of the catalogue, Chinese as substrings, English as whole words."""

    zh: dict[str, dict[str, bool]] = field(default_factory=dict)
    en: list[tuple[re.Pattern[str], str, bool]] = field(default_factory=list)
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, catalogue: Catalogue) -> MetricMatcher:
        matcher = cls()
        english: dict[str, dict[str, bool]] = {}
        for key, metric in catalogue.metrics.items():
            up = (metric.parent, getattr(metric, "subset_of", None))
            matcher.parents[key] = tuple(p for p in up if p)
            labels = {metric.label, *metric.labels}
            for word in (*labels, *metric.aliases):
                form = fold_text(word or "").strip()
                if len(form) >= 2:
                    target = english if form.isascii() else matcher.zh
                    owners = target.setdefault(form, {})
                    owners[key] = owners.get(key, False) or word in labels
            for word in (metric.label_en, *metric.aliases_en):
                form = " ".join(fold_text(word or "").split())
                if len(form) >= 2:
                    owners = english.setdefault(form, {})
                    owners[key] = owners.get(key, False) or word == metric.label_en
        for form, keys in english.items():
            words = re.findall(f"[a-z0-9]+|[{CJK}]+", form)
            if not words:
                continue
            body = re.escape(words[0])
            for before, word in itertools.pairwise(words):
                gap = r"\W+" if before.isascii() and word.isascii() else r"\W*"
                body += gap + re.escape(word)
            if words[-1][-1:].isascii() and words[-1][-1:].isalpha():
                body += "(?:s|es)?"
            pattern = re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")
            matcher.en.extend((pattern, key, keys[key]) for key in sorted(keys))
        return matcher

    def ancestors(self, key: str) -> list[str]:
        """Parents up the tree (``subset_of`` counts as a parent: 其中 rows belong to it)."""
        found: list[str] = []
        todo = list(self.parents.get(key, ()))
        while todo:
            parent = todo.pop(0)
            if parent not in found:
                found.append(parent)
                todo.extend(self.parents.get(parent, ()))
        return found

    def hits(self, text: str) -> list[MetricHit]:
        spans: dict[tuple[int, int], dict[str, bool]] = {}
        for form, keys in self.zh.items():
            start = text.find(form)
            while start >= 0:
                found = spans.setdefault((start, start + len(form)), {})
                for key, labelled in keys.items():
                    found[key] = found.get(key, False) or labelled
                start = text.find(form, start + 1)
        for pattern, key, labelled in self.en:
            for match in pattern.finditer(text):
                found = spans.setdefault(match.span(), {})
                found[key] = found.get(key, False) or labelled
        return [
            MetricHit(s, e, tuple(sorted(k)), frozenset(x for x, lab in k.items() if lab))
            for (s, e), k in sorted(spans.items())
        ]

    def choose(self, text: str) -> tuple[str, tuple[int, int]] | None:
        """The statistic asked about: longest mention, children over parents.

        A label shared by several statistics (被依法纠错 under both 行政复议 and 行政诉讼) goes
        to the one whose section word the question also names, the nearest one first; then
        to one that has it as a label rather than an alias.
        """
        hits = self.hits(text)
        if not hits:
            return None
        named = {k for h in hits for k in h.keys}
        kept = [
            h
            for h in hits
            if not any(o.start <= h.start and h.end <= o.end and o.length > h.length for o in hits)
        ]
        kept_keys = {k for h in kept for k in h.keys}
        best: tuple[tuple[int, int, int], str, tuple[int, int]] | None = None
        for hit in kept:
            keys = [k for k in hit.keys if not self._has_descendant(k, kept_keys - {k})]
            if not keys:
                continue
            key = self._by_section(keys, hit, hits, named)
            rank = (self._weight(text, hit), len(self.ancestors(key)), -hit.start)
            if best is None or rank > best[0]:
                best = (rank, key, (hit.start, hit.end))
        if best is None:
            return None
        return best[1], best[2]

    @staticmethod
    def _weight(text: str, hit: MetricHit) -> int:
        """The length of a mention without its question words."""
        words = text[hit.start : hit.end]
        for filler in metric_vocabulary()["filler"]:
            words = words.replace(fold_text(filler), "")
        return len(words)

    def _has_descendant(self, key: str, others: set[str]) -> bool:
        return any(key in self.ancestors(o) for o in others)

    def _by_section(
        self, keys: list[str], hit: MetricHit, hits: list[MetricHit], named: set[str]
    ) -> str:
        if len(keys) == 1:
            return keys[0]
        scored = []
        for key in keys:
            ancestors = set(self.ancestors(key)) & named
            distance = min(
                (abs(h.start - hit.start) for h in hits if ancestors & set(h.keys)),
                default=len(self.parents) + 10**6,
            )
            scored.append((distance, key not in hit.labelled, key))
        return min(scored)[2]


_MATCHERS: dict[int, tuple[object, MetricMatcher]] = {}


def metric_matcher(catalogue: Catalogue) -> MetricMatcher:
    """The matcher of a catalogue, built once per catalogue object."""
    cached = _MATCHERS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        cached = (catalogue, MetricMatcher.of(catalogue))
        _MATCHERS[id(catalogue)] = cached
    return cached[1]


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


def _language(folded: str, spans: list[tuple[int, int]]) -> str:
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
    metric: str | None
    units: int
    years: int
    scoped: bool
    which: bool


def _asks_for_words(lists: dict[str, WordList], text: str) -> bool:
    """A passage word, or a weak one (领导, how did) in a question asking no count or trend."""
    if lists["passage"].find(text):
        return True
    if lists["count"].find(text) or lists["trend"].find(text):
        return False
    return bool(lists["passage.weak"].find(text))


def _intent(signals: _Signals) -> tuple[str, dict]:
    """The intent by precedence: list > ranking > sum > passage words > compare > trend > number.

    Two named units with a comparison word (相比, versus) compare even when a total is
    mentioned (两镇行政诉讼总数相比); two named units without one compare too.
    """
    words, metric = signals.words, signals.metric
    for what in ("metrics", "units", "years"):
        if words[f"list.{what}"] and (what == "metrics" or metric is None):
            return "list", {"list_what": what}
    ranking = sorted(words["ranking.desc"] + words["ranking.asc"], key=lambda m: m.start())
    if ranking and (metric or not signals.passage):
        order = "asc" if ranking[0] in words["ranking.asc"] else "desc"
        return "ranking", {"order": order, "top": _top(ranking)}
    if words["compare"] and signals.units >= 2 and metric and not signals.passage:
        return "compare", {}
    several = signals.units != 1 or signals.years > 1 or signals.scoped
    if words["sum"] and not signals.passage and several:
        return "sum", {}
    if signals.passage or not metric:
        return "passage", {}
    if signals.which and signals.units == 0:
        return "ranking", {"order": "desc", "top": None}
    if signals.units >= 2:
        return "compare", {}
    if words["trend"] or (signals.years > 1 and signals.units <= 1):
        return "trend", {}
    return "number", {}


def parse_question(
    text: str, gazetteer: Gazetteer, catalogue: Catalogue, today: date | None = None
) -> Question:
    """Read a question into units, years, statistic and intent; never raises on any text."""
    today = today or date.today()
    text = (text if isinstance(text, str) else str(text or ""))[:MAX_CHARS]
    folded = Folded.of(text)
    if not _CONTENT.search(folded.text):
        return Question(text=text)

    matches = gazetteer.find(folded)
    unit_spans = [(m.start, m.end) for m in matches]
    units, ambiguous = resolve(matches)
    without_units = _blank(folded.text, unit_spans)

    chosen = metric_matcher(catalogue).choose(without_units)
    metric, metric_spans = (chosen[0], [chosen[1]]) if chosen else (None, [])
    without_metric = _blank(without_units, metric_spans)

    years, year_spans = find_years(without_metric, today)
    without_years = _blank(without_units, year_spans)
    unknown_spans = gazetteer.unknown_places(_blank(without_metric, year_spans), unit_spans)

    generic = gazetteer.generic_levels(without_units)
    english = _english_generic(without_units)
    if english is not None:
        generic.append(english)
    level = next((g.level for g in generic if g.kind != "plain" and g.level), "")

    lists = _word_lists()
    intent, fields = _intent(
        _Signals(
            words={name: wl.find(without_years) for name, wl in lists.items()},
            passage=_asks_for_words(lists, _blank(without_years, metric_spans)),
            metric=metric,
            units=len(units) + len(ambiguous),
            years=len(years),
            scoped=any(g.kind != "plain" for g in generic),
            which=any(g.kind == "which" for g in generic),
        )
    )
    scoped = any(g.kind != "plain" for g in generic)
    if (
        not units
        and not ambiguous
        and not unknown_spans
        and not scoped
        and intent in ("number", "passage", "trend")
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
        metric=metric,
        metric_mention=folded.source(*metric_spans[0]) if metric_spans else "",
        level=level,
        **fields,
    )
