"""The vocabulary of prose statistics (``ingest/data/prose.toml``) and the patterns built
from it.  Kept apart from the reader so the data's shape is visible in one place."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from ingest.statistics.numbers import NUMBER
from ingest.text import fold_label
from ingest.vocab import load_toml


@dataclass(frozen=True)
class StatisticPhrases:
    key: str
    phrases: tuple[str, ...]
    negated: tuple[str, ...]
    suppresses: tuple[str, ...]
    section_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImpliedRule:
    key: str
    equals: str
    pattern: re.Pattern[str]
    window: int


@dataclass(frozen=True)
class ProseRules:
    statistics: tuple[StatisticPhrases, ...]
    implied: tuple[ImpliedRule, ...]
    fillers: tuple[str, ...]
    measures: tuple[str, ...]
    measure_blockers: tuple[str, ...]
    zero_words: tuple[str, ...]
    negations: tuple[str, ...]
    negation_blockers: tuple[str, ...]
    heading_marks: tuple[re.Pattern[str], ...]
    allowed_measures: dict[str, tuple[str, ...]]
    section_leads: tuple[str, ...] = ()
    section_lead_patterns: tuple[str, ...] = ()
    bare_negation_rest: tuple[str, ...] = ()
    between: tuple[str, ...] = ()
    cumulative_marks: tuple[str, ...] = ()
    cumulative_words: tuple[str, ...] = ()


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def prose_rules() -> ProseRules:
    data = load_toml("ingest.data", "prose.toml")
    return ProseRules(
        statistics=tuple(
            StatisticPhrases(
                s["key"],
                tuple(s.get("phrases", ())),
                tuple(s.get("negated", ())),
                tuple(s.get("suppresses", ())),
                tuple(fold_label(t) for t in s.get("section_titles", ())),
            )
            for s in data["statistic"]
        ),
        implied=tuple(
            ImpliedRule(i["key"], i["equals"], re.compile(i["pattern"]), int(i.get("window", 300)))
            for i in data.get("implied", [])
        ),
        fillers=tuple(data["fillers"]),
        measures=tuple(data["measures"]),
        measure_blockers=tuple(data["measure_blockers"]),
        zero_words=tuple(data["zero_words"]),
        negations=tuple(data["negations"]),
        negation_blockers=tuple(data["negation_blockers"]),
        heading_marks=tuple(re.compile(p) for p in data["heading_marks"]),
        allowed_measures={m: tuple(w) for m, w in data.get("allowed_measures", {}).items()},
        section_leads=tuple(data.get("section_leads", ())),
        section_lead_patterns=tuple(data.get("section_lead_patterns", ())),
        bare_negation_rest=tuple(data.get("bare_negation_rest", ())),
        between=tuple(data.get("between", ())),
        cumulative_marks=tuple(data.get("cumulative_marks", ())),
        cumulative_words=tuple(data.get("cumulative_words", ())),
    )


@cache
def number_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    rules = prose_rules()
    return re.compile(
        rf"(?P<phrase>{_alternation(phrases)})(?:{_alternation(rules.fillers)})*+"
        rf"(?P<num>{NUMBER})(?P<measure>{_alternation(rules.measures)})"
        rf"(?!{_alternation(rules.measure_blockers)})"
    )


@cache
def number_first_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """A number and measure, then only the ``between`` words, then a phrase
    ("收到1份有关政府信息公开行政复议申请").  A number right after a fraction slash is the
    denominator of a fraction (¼ folds to 1⁄4), not a count."""
    rules = prose_rules()
    between = f"(?:{_alternation(rules.between)})*" if rules.between else ""
    return re.compile(
        rf"(?<![\d.⁄])(?P<num>{NUMBER})(?P<measure>{_alternation(rules.measures)})"
        rf"{between}(?P<phrase>{_alternation(phrases)})"
    )


@cache
def zero_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    rules = prose_rules()
    return re.compile(
        rf"(?P<phrase>{_alternation(phrases)})(?:{_alternation(rules.fillers)})*+"
        rf"[:为是]?(?P<zero>{_alternation(rules.zero_words)})(?=$|[,、;。])"
    )


@cache
def section_pattern() -> re.Pattern[str]:
    rules = prose_rules()
    leads = "|".join([*rules.section_lead_patterns, _alternation(rules.section_leads)])
    return re.compile(
        rf"^(?:{leads})*(?P<num>{NUMBER})(?P<measure>{_alternation(rules.measures)})[。,;]?$"
    )


@cache
def negation_pattern() -> re.Pattern[str]:
    rules = prose_rules()
    blockers = "|".join(re.escape(b) for b in rules.negation_blockers)
    return re.compile(rf"(?!{blockers})(?:{_alternation(rules.negations)})")
