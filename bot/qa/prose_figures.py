"""Figures a report gives only in its sentences: 政务微博发布1288条, 新闻发布会42场.

No catalogue statistic names such figures, so they are read when asked: every number of the
report that carries a measure word (条/件/人次/场/万元…) is a candidate, and the question's key
words are looked for in the words that *govern* it — the clause before the number and the words
right after its measure ("召开6场新闻发布会") — and, at lower weight, further away in the same
sentence, the sentence before and the section title.  A number the matched words do not
govern (a year, a date, a phone or document number, an ordinal, a figure of another clause)
never scores, because only number-plus-measure is a candidate and context stops at the
previous figure.  A clause that negates what the question asks ("本年度未收到政府信息公开
申请") is a candidate for 0.

A wrong figure is worse than none: the best candidate is the answer only when it fits well
and leads every other value clearly; otherwise the close ones are listed, or nothing is.
Every vocabulary is data (``bot/qa/data/prose_figures.toml``); nothing here knows a report.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import repeat

from bot.qa.figure_question import AskedFigure, read_question
from bot.qa.figure_words import (
    CONTENT,
    QUOTED,
    YEAR,
    KeyWord,
    alternation,
    credit,
    fold,
    fold_aligned,
    key_credit,
    longest_first,
    measure_groups,
    neutral_words,
    synonyms,
    tokenizer,
    vocabulary,
)
from ingest.statistics.numbers import parse_number

ANSWER = "answer"
CANDIDATES = "candidates"
NOT_STATED = "not_stated"

_SENTENCE = re.compile(r"(?:[^。！？!?.]|\.(?!\s))*(?:(?:[。！？!?]|\.(?=\s))+[”’」』)）]*|$)")
_CLAUSE_END = ",，:：;；\n"
_CLAUSE = re.compile(rf"[^{_CLAUSE_END}]+")
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CHINESE_NUMERAL = "零〇一二两三四五六七八九十百千"
_CHINESE = rf"[{_CHINESE_NUMERAL}]*[零〇一二两三四五六七八九十][{_CHINESE_NUMERAL}]*"
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")
_COORDINATION = re.compile(r"、|以及|及|和|与|或者|或")
_ENUMERATION = re.compile(r"(?:[^、,;:。\s]{1,12}、)+[^、,;:。\s]{1,12}?等")
# Examples listed in an earlier clause ("推进…招生结果、政策解读等内容公开，全年共发布152条"):
# a key word found only among them governs the figure less.  The first item is kept short so
# that the words before the list (全年主动公开行政许可、…) are not taken for an item.
_EXAMPLES = re.compile(r"[^、,;:。\s]{2,4}(?:、[^、,;:。\s]{1,12}?)+等")
_PER_UNIT = re.compile(r"\s?/\s?([年月日天周人户次件])")


@cache
def _figure_pattern() -> re.Pattern[str]:
    """A number, optionally 余/多 and 万, then a measure word not starting a duration."""
    vocab = vocabulary()
    measures = alternation(list(measure_groups()))
    approx = alternation(vocab["figure"]["approximate"])
    mult = alternation(list(vocab["figure"]["multipliers"]))
    allowed = set(vocab["figure"]["percent_allows"])
    blockers = "|".join(
        (r"(?<!%)" if w in allowed else "") + re.escape(w)
        for w in longest_first(vocab["figure"]["measure_blockers"])
    )
    return re.compile(
        rf"(?P<num>{_ARABIC}|{_CHINESE})\s?(?:(?P<mult>{mult})(?!元))?(?:{approx})?\s?"
        rf"(?P<measure>{measures})(?!{blockers})"
    )


@cache
def _bare_number() -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.])(?:{_ARABIC})(?![\d.])")


@dataclass(frozen=True)
class PassageText:
    """A passage of the asked report, in report order."""

    id: int
    text: str
    section: str = ""


@dataclass(frozen=True)
class _Sentence:
    passage_id: int
    section: str  # the passage's section path and any heading seen inline before
    original: str  # the sentence without the headings it starts with
    folded: str  # ``original`` folded, character for character
    previous: str  # the folded sentence before, in the same report
    heading: str = ""  # the innermost heading above the sentence


@cache
def _heading_pattern() -> re.Pattern[str]:
    """A heading written inline before a sentence: 二、主动公开情况 / (一)行政复议 ."""
    ends = alternation(vocabulary()["headings"]["ends"])
    mark = r"(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])"
    body = rf"(?:[^\s。,;:!?]{{1,40}}?(?:{ends})|[^\s。,;:!?]{{2,40}}(?=\s))"
    return re.compile(rf"\s*({mark}\s*{body})")


def _leading_headings(folded: str) -> tuple[list[str], int]:
    """The headings a sentence starts with (one-line texts run them into the text), and where
    the sentence proper begins."""
    headings: list[str] = []
    start = 0
    while match := _heading_pattern().match(folded, start):
        headings.append(match.group(1).strip())
        start = match.end()
    return headings, start


def _sentences(passages: Sequence[PassageText]) -> Iterator[_Sentence]:
    """The sentences of the passages, each with the headings above it and the one before it.

    Headings run into the text are followed: a chapter heading (三、…) opens a chapter and
    closes its sub-heading ((一)…), which lasts until the next one.
    """
    previous = ""
    chapter = sub = ""
    for passage in passages:
        for match in _SENTENCE.finditer(passage.text):
            folded = fold_aligned(match.group(0))
            headings, start = _leading_headings(folded)
            original = match.group(0)[start:].strip()
            folded = folded[start:].strip()
            for heading in headings:
                if heading[0] in "(（":
                    sub = heading
                else:
                    chapter, sub = heading, ""
            if not CONTENT.search(folded):
                continue
            section = " / ".join(s for s in (passage.section, chapter, sub) if s)
            heading = sub or chapter or passage.section.rsplit(" / ", 1)[-1]
            yield _Sentence(passage.id, section, original, folded, previous, heading)
            previous = folded


@dataclass(frozen=True)
class FigureCandidate:
    """A number of the report with the sentence it stands in and how well it fits."""

    value: float
    measure: str
    evidence: str  # the part of the original sentence that holds the figure
    passage_id: int
    section: str
    score: float
    governing: str  # the folded words right around the number
    stated_as_zero: bool = False  # read from a negation ("未收到…申请"), not a digit


@dataclass(frozen=True)
class FigureFinding:
    """The answer read from the text: one figure, several to choose from, or none."""

    outcome: str  # "answer", "candidates" or "not_stated"
    candidates: tuple[FigureCandidate, ...] = ()
    group: str = ""
    measure: str = ""  # the measure the question asked for, if it named one (for a 0 in words)

    @property
    def headline(self) -> FigureCandidate | None:
        return self.candidates[0] if self.outcome == ANSWER and self.candidates else None

    @property
    def shown(self) -> tuple[FigureCandidate, ...]:
        """The candidates to show: the answer, or those to choose from; none when not stated."""
        return () if self.outcome == NOT_STATED else self.candidates


@dataclass(frozen=True)
class _Mention:
    """A figure in a sentence and the words around it, nearest first."""

    value: float
    measure: str
    before: str  # the clause from the previous figure up to the number
    after: str  # the words right after the measure, up to the next mark ("6场[新闻发布会]")
    earlier: str
    later: str
    small_numeral: bool
    zero_word: bool
    clause: tuple[int, int] = (0, 0)  # the clause the figure stands in, within the sentence
    coordinated: bool = False  # a negation: what it lists (A、B和C) are denied one by one
    rest: str = ""  # the rest of the clause after ``after``, up to the next figure
    per: str = ""  # the unit a rate is per (元/月 → 月)

    @property
    def near(self) -> str:
        return f"{self.before} {self.after}"

    def governing(self, asked: AskedFigure) -> _Mention:
        """A negation listing several things, narrowed to the items the question names."""
        if not self.coordinated:
            return self
        parts = _COORDINATION.split(self.after)
        named = [p for p in parts if any(key_credit(k, p) >= 0.85 for k in asked.words)]
        if not named or len(named) == len(parts):
            return self
        return replace(self, after=" ".join(named), coordinated=False)


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a folded sentence (parted by , : ; and line ends)."""
    return [m.span() for m in _CLAUSE.finditer(sentence)]


def _is_tabular(clause: str) -> bool:
    """Cells of a table flattened into prose: several bare numbers with no measure."""
    bare = list(_bare_number().finditer(clause))
    if len(bare) < 3:
        return False
    measured = {m.start("num") for m in _figure_pattern().finditer(clause)}
    return sum(1 for m in bare if m.start() not in measured) >= 3


def _number_ok(sentence: str, match: re.Match[str]) -> bool:
    """Not part of a longer number, a code, an ordinal (第三) or a word (统一, 一系列)."""
    vocab = vocabulary()
    start = match.start("num")
    before = sentence[max(0, start - 1) : start]
    latin = before.isascii() and before.isalpha()
    if before and (before.isdigit() or before in ".-〔[⁄" or latin):
        return False
    if any(sentence[:start].endswith(w) for w in vocab["figure"]["number_blocked_after"]):
        return False
    if not match.group("num")[0].isdigit():
        rest = sentence[start:]
        if any(rest.startswith(w) for w in vocab["figure"]["numeral_words"]):
            return False
    return True


def _value(match: re.Match[str]) -> float | None:
    """The figure's value: Arabic or Chinese numerals, times 万/亿 written before the measure."""
    value = parse_number(match.group("num"))
    if value is None:
        return None
    if match.group("mult"):
        value *= vocabulary()["figure"]["multipliers"][match.group("mult")]
    return value


def _mentions(sentence: str) -> Iterator[_Mention]:
    """Every number with a measure, with the words that govern it."""
    clauses = _clauses(sentence)
    for a, b in clauses:
        clause = sentence[a:b]
        if _is_tabular(clause):
            continue
        figures = [m for m in _figure_pattern().finditer(clause) if _number_ok(clause, m)]
        previous_end = 0
        for match in figures:
            value = _value(match)
            if value is None:
                continue
            after = clause[match.end() :]
            per = _PER_UNIT.match(after)
            stop = re.search(rf"[、,，。;；:：()（）\s]|{_figure_pattern().pattern}", after)
            if _COORDINATION.match(after):
                stop = re.match("", after)  # the list goes on: the words after are another item
            near_end = stop.start() if stop else len(after)
            following = _figure_pattern().search(after, near_end)
            yield _Mention(
                value=value,
                measure=match.group("measure"),
                before=clause[previous_end : match.start()],
                after=after[:near_end],
                earlier=sentence[:a] + clause[:previous_end],
                later=sentence[b:],
                small_numeral=not match.group("num")[0].isdigit(),
                zero_word=False,
                clause=(a, b),
                rest=after[near_end : following.start() if following else len(after)],
                per=per.group(1) if per else "",
            )
            previous_end = match.end()


@cache
def _any_negation() -> re.Pattern[str]:
    """Any negation word: most clauses hold none, and one search tells."""
    return re.compile(alternation(vocabulary()["zero"]["negations"]))


def _negation(clause: str) -> int | None:
    """Where a negation word starts in the clause, or None."""
    vocab = vocabulary()
    if not _any_negation().search(clause):
        return None
    for word in longest_first(vocab["zero"]["negations"]):
        start = clause.find(word)
        while start >= 0:
            rest = clause[start:]
            if not any(rest.startswith(b) for b in vocab["zero"]["negation_blockers"]):
                return start
            start = clause.find(word, start + 1)
    return None


def _zero_mentions(sentence: str) -> Iterator[_Mention]:
    """Clauses that state in words that the thing did not happen: a 0 for what follows."""
    for a, b in _clauses(sentence):
        clause = sentence[a:b]
        where = _negation(clause)
        if where is None:
            continue
        if _figure_pattern().search(clause) or _bare_number().search(YEAR.sub("", clause)):
            continue
        yield _Mention(
            value=0.0,
            measure="",
            before="",
            after=clause[where:],
            coordinated=True,
            earlier=sentence[:a] + clause[:where],
            later=sentence[b:],
            small_numeral=False,
            zero_word=True,
            clause=(a, b),
        )


class _Report:
    """The sentences of the asked report and how common each word is among them."""

    def __init__(self, sentences: list[_Sentence]) -> None:
        self.sentences = sentences
        self._folded = [s.folded for s in sentences]
        self._df: dict[str, int] = {}
        self._has: dict[KeyWord, bool] = {}
        self.top = math.log(1 + len(sentences))

    def idf(self, word: str) -> float:
        """Rarer in the report weighs more: log(1 + n / (1 + sentences holding it))."""
        if word not in self._df:
            self._df[word] = sum(map(operator.contains, self._folded, repeat(word)))
        return math.log(1 + len(self.sentences) / (1 + self._df[word]))

    def has(self, key: KeyWord) -> bool:
        """Whether the report uses the key word (or a word standing for it) anywhere; asked
        per figure, found once."""
        if key not in self._has:
            self._has[key] = any(key_credit(key, s.folded) >= 0.5 for s in self.sentences)
        return self._has[key]

    def weights(self, asked: AskedFigure) -> list[float]:
        """Key word weights: rarer in the report weighs more; weak and year words less."""
        scores = vocabulary()["scores"]
        weights: list[float] = []
        for key in asked.words:
            present = any(key_credit(key, s.folded) > 0 for s in self.sentences)
            idf = self.idf(key.word) if present else self.top * scores["absent_word"]
            idf += scores["base_weight"]
            factor = {
                "weak": scores["weak_word"],
                "year": scores["year_word"],
                "quoted": scores["quoted_name"],
            }.get(key.kind, 1.0)
            weights.append(idf * factor)
        return weights


def _measure_fit(asked: AskedFigure, mention: _Mention) -> float:
    """How well the figure's measure answers the one asked: 0 when it cannot (人次 for 次)."""
    scores = vocabulary()["scores"]
    if mention.zero_word:
        if asked.group == "percent":
            return 0.0
        return scores["same_group"] if asked.group else scores["unasked"]
    group = measure_groups().get(mention.measure, "")
    if not asked.group:
        return scores["unasked"] if group in vocabulary()["figure"]["unasked_groups"] else 0.0
    if mention.measure == asked.measure or (group == asked.group and not asked.measure):
        return scores["exact_measure"]
    if group == asked.group:
        return scores["same_group"]
    if group in vocabulary()["related"].get(asked.group, ()):
        return scores["related"]
    return 0.0


def _precision(asked: AskedFigure, report: _Report, mention: _Mention) -> float:
    """The share of the words governing the number that the question asks about.

    行政复议案件2件 does not answer 行政诉讼几件 even though 案件 matches: the governing words
    must be explained by the question, not only contain some of its words.  Words weigh by
    rarity in the report and by nearness to the number (the head of a phrase is its last
    word before the number, or its first after the measure); quoted names, enumerated
    examples (A、B等) and the unit's own name say nothing either way.
    """
    scores = vocabulary()["scores"]
    keys = [*_asked_forms(asked), *vocabulary()["implied"].get(asked.measure, [])]
    before = list(reversed(_content_tokens(asked, mention.before)))
    after = _content_tokens(asked, _head(mention) or mention.after)
    total = explained = scores["precision_prior"]
    for tokens in (before, after):
        for distance, token in enumerate(tokens):
            weight = report.idf(token) * scores["precision_decay"] ** distance
            total += weight
            explained += weight * max(max(credit(k, token), credit(token, k)) for k in keys)
    return explained / total


@lru_cache(maxsize=64)
def _asked_forms(asked: AskedFigure) -> tuple[str, ...]:
    """The question's key words and their renderings, as every figure's score reads them."""
    return tuple(w for k in asked.words for w in (k.word, *k.alternatives))


def _content_tokens(asked: AskedFigure, text: str) -> list[str]:
    """The words of a text that could say what a figure counts, in order."""
    neutral = neutral_words()
    plain = _ENUMERATION.sub(" ", QUOTED.sub(" ", text))
    return [
        token
        for token in tokenizer().tokens(plain, prepared=True)
        if len(token) >= 2
        and token not in neutral
        and not _DIGITS.match(token)
        and not YEAR.fullmatch(token)
        and not any(token in d for d in asked.neutral)
    ]


def _is_plan(sentence: _Sentence, mention: _Mention) -> bool:
    """A figure of a plan or a problem (下一步计划开展3次培训), not of what the year saw."""
    vocab = vocabulary()
    return any(w in sentence.section for w in vocab["plans"]["sections"]) or any(
        w in mention.near or w in mention.earlier for w in vocab["plans"]["words"]
    )


def _narrows(asked: AskedFigure, mention: _Mention) -> bool:
    """The governing words make the figure a part or the rest of what is asked (其他…, 原创…),
    or a running total when the question asks for none (截至目前累计…)."""
    subset = vocabulary()["subset"]
    asked_words = " ".join(_asked_forms(asked))
    if any(w in mention.near and w not in asked_words for w in subset["words"]):
        return True
    if any(w in asked_words for w in subset["cumulative_asked"]):
        return False
    return any(w in mention.near + mention.earlier for w in subset["cumulative"])


def _head(mention: _Mention) -> str:
    """What the figure counts when its measure is followed by modifiers and 的 (对29项涉及群众
    切身利益、…的重要政策文件进行解读): the words after the last 的 of its clause."""
    return mention.rest.rsplit("的", 1)[1] if "的" in mention.rest else ""


def _not_running_total(asked: AskedFigure, mention: _Mention) -> bool:
    """The question asks for a running total (累计, 历年) but the words governing the figure
    name none: it is the year's figure next to it ("其中2019年度共主动公开202条")."""
    subset = vocabulary()["subset"]
    asked_words = " ".join(_asked_forms(asked))
    if not any(w in asked_words for w in subset["running_total_asked"]):
        return False
    return not any(w in mention.near for w in subset["running_total"])


def _asks_per(asked: AskedFigure, per: str) -> bool:
    """Whether the question asks for a figure per the same unit (每月 for 元/月)."""
    return any(f"每{per}" in k.word or f"/{per}" in k.word for k in asked.words)


@cache
def _contrast_groups() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fold(w) for w in g) for g in vocabulary()["contrast"]["groups"])


def _contrasts(asked: AskedFigure, near: str) -> bool:
    """The governing words name another thing of a group the question names one of."""
    for key in asked.words:
        if key_credit(key, near) >= 0.85:
            continue
        for group in _contrast_groups():
            if key.word in group and any(w != key.word and w in near for w in group):
                return True
    return False


def _off_topic(asked: AskedFigure, near: str) -> bool:
    """The governing words name a topic of their own that no key word of the question names."""
    keys = _asked_forms(asked)
    for topic in vocabulary()["topics"]["words"]:
        if topic in near and not any(credit(k, topic) >= 0.5 or topic in k for k in keys):
            return True
    return False


@cache
def _phrase_pattern(first: KeyWord, second: KeyWord) -> re.Pattern[str]:
    """The two key words (or their synonyms) in order, at most a few characters apart."""

    def forms(key: KeyWord) -> str:
        words = {key.word, *key.alternatives, *synonyms().get(key.word, ())}
        return alternation(sorted(words))

    gap = vocabulary()["scores"]["phrase_gap"]
    return re.compile(rf"(?:{forms(first)})[^,;:。]{{0,{gap}}}(?:{forms(second)})")


def _score(
    asked: AskedFigure,
    report: _Report,
    weights: list[float],
    sentence: _Sentence,
    mention: _Mention,
) -> float:
    """Coverage of the question's words around the number, times measure fit and precision."""
    scores = vocabulary()["scores"]
    mention = mention.governing(asked)
    fit = _measure_fit(asked, mention)
    total = sum(weights)
    if not fit or not total:
        return 0.0
    near = f"{mention.near} {_head(mention)}"
    whole = f"{mention.earlier} {mention.near} {mention.rest}"
    zones = (
        (near, scores["near"]),
        (_EXAMPLES.sub(" ", whole), scores["sentence"]),
        (mention.later, scores["later"]),
        (sentence.previous, scores["previous"]),
        (sentence.section, scores["section"]),
        (whole, scores["enumerated"]),
        (sentence.heading, scores["heading"]),
    )
    found = 0.0
    anchor = max(
        (i for i, k in enumerate(asked.words) if k.kind in ("plain", "quoted")),
        key=lambda i: weights[i],
        default=None,
    )
    anchored = True
    missing = 0
    for i, (key, weight) in enumerate(zip(asked.words, weights, strict=True)):
        credits = [key_credit(key, text) for text, _w in zones]
        found += weight * max(w * c for (_t, w), c in zip(zones, credits, strict=True))
        if i == anchor:
            anchored = max(credits[0], credits[1]) >= 0.5
        if key.kind == "plain" and max(credits[:4]) < 0.5:
            missing += 1 if report.has(key) else 2
    for i, j in asked.phrases:
        weight = scores["phrase"] * (weights[i] + weights[j]) / 2
        total += weight
        pair = _phrase_pattern(asked.words[i], asked.words[j])
        found += weight * max((w for text, w in zones if pair.search(text)), default=0.0)
    score = found / total * fit * scores["missing"] ** missing
    if not anchored:
        score *= scores["anchor"]
    if _contrasts(asked, mention.near):
        score *= scores["contrast"]
    elif _off_topic(asked, mention.near):
        score *= scores["topic"]
    if mention.small_numeral:
        score *= scores["small_numeral"]
    if _is_plan(sentence, mention):
        score *= scores["plan"]
    if _narrows(asked, mention) or _not_running_total(asked, mention):
        score *= scores["subset"]
    if mention.per and not _asks_per(asked, mention.per):
        score *= scores["per_unit"]
    if not score:
        return 0.0  # no precision makes it more
    floor = scores["precision_floor"]
    return score * (floor + (1 - floor) * _precision(asked, report, mention))


def _quote(sentence: _Sentence, clause: tuple[int, int]) -> str:
    """The part of the sentence (up to ;) that holds the figure; when that part is long, the
    figure's clause with as many clauses before it as fit."""
    limit = vocabulary()["scores"]["quote_chars"]
    text = sentence.folded
    start = max(text.rfind(";", 0, clause[0]), text.rfind("；", 0, clause[0])) + 1
    ends = [i for i in (text.find(";", clause[1]), text.find("；", clause[1])) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    if end - start > limit:
        end = clause[1]
        begin = clause[0]
        for a, _b in reversed(_clauses(text[:begin])):
            if a < start or end - a > limit:
                break
            begin = a
        start = begin
    return sentence.original[start:end].strip(" ,，:：")


def rank_figures(
    question: str, passages: Sequence[PassageText], drop: Sequence[str] = ()
) -> tuple[AskedFigure, list[FigureCandidate]]:
    """Every figure of the report that could answer the question, best first (one per value)."""
    asked = read_question(question, drop)
    report = _Report(list(_sentences(passages)))
    if not asked.words or not report.sentences:
        return asked, []
    most = vocabulary()["scores"]["compound_sentences"]
    written = [
        c
        for c in asked.compounds
        if any(re.search(rf"{re.escape(c)}\s?\d", s.folded) for s in report.sentences)
        and sum(1 for s in report.sentences if c in s.folded) <= most
    ]
    if written:
        asked = replace(asked, words=(*asked.words, *(KeyWord(c, "plain") for c in written)))
    weights = report.weights(asked)
    best: dict[float, FigureCandidate] = {}
    for sentence in report.sentences:
        for mention in (*_mentions(sentence.folded), *_zero_mentions(sentence.folded)):
            score = _score(asked, report, weights, sentence, mention)
            held = best.get(mention.value)
            if score > 0 and (held is None or score > held.score):
                best[mention.value] = FigureCandidate(
                    value=mention.value,
                    measure=mention.measure,
                    evidence=_quote(sentence, mention.clause),
                    passage_id=sentence.passage_id,
                    section=sentence.section,
                    score=round(score, 4),
                    governing=mention.near.strip(),
                    stated_as_zero=mention.zero_word,
                )
    return asked, sorted(best.values(), key=lambda c: (-c.score, c.value))


def find_figures(
    question: str, passages: Sequence[PassageText], drop: Sequence[str] = ()
) -> FigureFinding:
    """The figure a question asks for, read from one report's passages.

    ``drop`` holds the words of the question that name the unit (and anything else that is no
    key word); the year may stay.  Pure: the same question and passages give the same finding.
    """
    asked, ranked = rank_figures(question, passages, drop)
    return replace(decide(ranked, asked.group), measure=asked.measure)


def decide(ranked: list[FigureCandidate], group: str) -> FigureFinding:
    """The answer when the best candidate fits well and clearly leads every other value; the
    close ones when none leads; "not stated" when none fits (a wrong figure is worse)."""
    scores = vocabulary()["scores"]
    shown = [c for c in ranked if c.score >= scores["list_min"]]
    if not shown:
        return FigureFinding(NOT_STATED, tuple(ranked[: scores["shown"]]), group)
    first = shown[0]
    runner = shown[1].score if len(shown) > 1 else 0.0
    leads = first.score - runner >= scores["margin"] or runner <= scores["lead_ratio"] * first.score
    if first.score >= scores["answer_min"] and leads:
        return FigureFinding(ANSWER, (first,), group)
    close = [c for c in shown if c.score >= first.score - 2 * scores["margin"]]
    return FigureFinding(CANDIDATES, tuple(close[: scores["shown"]]), group)
