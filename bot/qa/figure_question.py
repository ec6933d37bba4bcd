"""What a question asks for when it asks for a figure: the measure and the key words.

多少条 asks for 条 (and accepts 件/项/篇 less well), 多少人次 for 人次 and never for 次, 费用
for 元/万元, 办结率 for a share.  The key words are the question's own words (jieba and the
domain dictionary) without its unit, year and question words; English questions are read
through a glossary.  Every word list is ``bot/qa/data/prose_figures.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.qa.figure_words import (
    CONTENT,
    QUOTED,
    YEAR,
    KeyWord,
    alternation,
    fold,
    longest_first,
    measure_groups,
    synonyms,
    tokenizer,
    vocabulary,
)

_LATIN_WORD = re.compile(r"[a-z][a-z'-]*")


@cache
def _english() -> list[tuple[re.Pattern[str], tuple[str, ...], bool]]:
    """(pattern, Chinese renderings, is a verb) of the English glossary, longest first."""
    vocab = vocabulary()
    entries = {en: (zh, False) for en, zh in vocab["english"].items()}
    entries.update({en: (zh, True) for en, zh in vocab["english_verbs"].items()})
    return [
        (re.compile(rf"(?<![a-z]){re.escape(en)}(?![a-z])"), tuple(entries[en][0]), entries[en][1])
        for en in longest_first(list(entries))
    ]


@dataclass(frozen=True)
class AskedFigure:
    """What a question asks for: the measure group (empty when any count) and its key words."""

    group: str
    measure: str
    words: tuple[KeyWord, ...]
    neutral: tuple[str, ...] = ()  # the words naming the unit: in a report they say nothing
    phrases: tuple[tuple[int, int], ...] = ()  # neighbouring key words (信息公开 + 申请)
    # neighbouring words of which one is weak (工作 + 信息): one plain key word when the report
    # counts them together ("工作信息29条")
    compounds: tuple[str, ...] = ()


@cache
def count_pattern() -> re.Pattern[str]:
    """A count word with the measure it asks for: 多少条, 几场, 多少人次."""
    counts = alternation(vocabulary()["question"]["count_words"])
    return re.compile(rf"(?:{counts})\s*(?P<measure>{alternation(list(measure_groups()))})")


def asked_measure(text: str) -> tuple[str, str]:
    """(group, measure word) asked: 多少条 → item/条, 关注人数 → person, how many staff → person.

    ``text`` is folded (``fold``); the group is empty when the question names no measure."""
    vocab = vocabulary()
    match = count_pattern().search(text)
    if match:
        measure = match.group("measure")
        if measure in vocab["question"]["general_classifiers"]:
            rest = text[match.end() :]
            group = _counted_noun(rest)
            if group:
                # 几个人: 人 is a measure word too, and what it implies (人员) explains figures.
                word = next((m for m in measure_groups() if rest.startswith(m)), "")
                return group, word if measure_groups().get(word) == group else ""
        return measure_groups()[measure], measure
    for word in longest_first(list(vocab["question"]["asked_by_word"])):
        if word in text:
            return vocab["question"]["asked_by_word"][word], ""
    for word in longest_first(list(vocab["question"]["asked_by_word_en"])):
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
            return vocab["question"]["asked_by_word_en"][word], ""
    return "", ""


def _counted_noun(rest: str) -> str:
    """The measure group a noun right after 几个 names (人 → person), '' when it names none;
    a longer measure word there (人次) is the measure itself, not a noun."""
    nouns = vocabulary()["question"]["classifier_nouns"]
    noun = next((n for n in longest_first(list(nouns)) if rest.startswith(n)), "")
    if not noun or any(len(m) > len(noun) and rest.startswith(m) for m in measure_groups()):
        return ""
    return str(nouns[noun])


def asks_for_figure(question: str) -> bool:
    """Whether a question asks for a count, amount or share rather than for words.

    Counts (多少, 几场, how many), amounts and shares (费用, 办结率), counted nouns (决定数量)
    and whether something happened at all (有没有, 过吗, did … any) ask for a figure; words such
    as 电话, 是谁, 哪些 ask for words whatever else the question says.
    """
    words = vocabulary()["question"]
    text = fold(question)

    def english(items: list[str]) -> bool:
        return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", text) for w in items)

    if any(w in text for w in words["not_figure"]) or english(words["not_figure_en"]):
        return False
    if count_pattern().search(text):
        return True
    if any(w in text for w in words["not_figure_topics"]):
        return False
    return (
        any(w in text for w in (*words["count_words"], *words["existence_words"]))
        or text.rstrip("?？!！。. ").endswith(tuple(words["figure_endings"]))
        or any(w in text for w in words["count_nouns"])
        or english([*words["count_words_en"], *words["existence_words_en"]])
        or bool(asked_measure(text)[0])
    )


def years_named(question: str) -> set[int]:
    """The report years a question writes out (2019, 2019年, 19年): a figure of another year's
    report must never answer it, whatever years the question parser understood."""
    years: set[int] = set()
    for match in YEAR.finditer(fold(question)):
        digits = re.sub(r"\D", "", match.group(0))
        years.add(int(digits) if len(digits) == 4 else 2000 + int(digits))
    return years


def _english_spans(text: str) -> list[tuple[int, int, tuple[str, ...], bool]]:
    """English glossary phrases in the text, longest first where they overlap, in text order."""
    taken: list[tuple[int, int, tuple[str, ...], bool]] = []
    for pattern, chinese, verb in _english():
        for match in pattern.finditer(text):
            a, b = match.span()
            if all(b <= s or a >= e for s, e, _c, _v in taken):
                taken.append((a, b, chinese, verb))
    return sorted(taken)


class _Words:
    """Key words as they are read, with the pairs that stand next to each other."""

    def __init__(self) -> None:
        self.words: list[KeyWord] = []
        self.phrases: list[tuple[int, int]] = []
        self.compounds: list[str] = []
        self._last: int | None = None
        self._previous: KeyWord | None = None
        # the joined words up to the last one: (gap before it, word, kind)
        self._chain: list[tuple[str, str, str]] = []
        self._weak = {fold(w) for w in vocabulary()["question"]["weak_words"]}

    def add(
        self, word: str, alternatives: tuple[str, ...] = (), joined: bool = False, gap: str = ""
    ) -> None:
        """Add a plain or weak key word; ``joined``: it follows the previous one directly,
        after ``gap`` (a character such as 的 that is no key word)."""
        kind = "weak" if word in self._weak else "plain"
        if kind == "plain" and joined and self._last is not None:
            self.phrases.append((self._last, len(self.words)))
        previous = self._previous
        joined_on = joined and previous is not None and bool(self._chain)
        self._chain = [*self._chain, (gap, word, kind)] if joined_on else [("", word, kind)]
        for start in range(len(self._chain) - 1):  # every run of joined words ending here,
            run = self._chain[start:]  # as the question writes it (主动公开的政府信息)
            if any(k == "weak" for _, _, k in run):
                written = "".join(g + w for g, w, _ in run[1:])
                self.compounds.append(run[0][1] + written)
        self._last = len(self.words) if kind == "plain" else None
        self.words.append(KeyWord(word, kind, alternatives))
        self._previous = self.words[-1]

    def other(self, word: str, kind: str) -> None:
        """A quoted name or a year: weighed on its own, never part of a phrase."""
        self.words.append(KeyWord(word, kind))
        self._last = None
        self._previous = None
        self._chain = []


def read_question(question: str, drop: Sequence[str] = ()) -> AskedFigure:
    """The measure asked and the key words of a question, without unit names and question words.

    ``drop`` holds the words naming the unit.  An English question whose only understood
    words are verbs has no key words: it is not understood well enough to answer.
    """
    text = fold(question)
    found = _Words()
    for name in QUOTED.findall(text):
        found.other(name.strip(), "quoted")
    text = QUOTED.sub(" ", text)
    for word in sorted((fold(d) for d in drop if d.strip()), key=len, reverse=True):
        text = text.replace(word, " ")
    group, measure = asked_measure(text)
    text = count_pattern().sub(" ", text)
    understood = _english_words(text, found)
    text = _LATIN_WORD.sub(" ", text)
    for match in YEAR.finditer(text):
        found.other(re.sub(r"\D", "", match.group(0)), "year")
    understood = _chinese_words(YEAR.sub(" ", text), found) or understood
    neutral = tuple(fold(d) for d in drop if d.strip())
    if not understood and not any(k.kind == "quoted" for k in found.words):
        return AskedFigure(group, measure, (), neutral)
    return AskedFigure(
        group, measure, tuple(found.words), neutral, tuple(found.phrases), tuple(found.compounds)
    )


def _english_words(text: str, found: _Words) -> bool:
    """Add the Chinese renderings of the English words; whether any was more than a verb."""
    nouns = False
    last_end = -10
    for start, end, chinese, verb in _english_spans(text):
        for spelled in chinese:
            first, *others = spelled.split("|")
            found.add(first, tuple(others), joined=not text[last_end:start].strip())
        nouns = nouns or (not verb and bool(chinese))
        last_end = end
    return nouns


def _chinese_words(text: str, found: _Words) -> bool:
    """Add the Chinese words of the question (jieba with the domain dictionary) without
    question words, measure words and stop words; whether any was added."""
    vocab = vocabulary()["question"]
    for word in longest_first(vocab["relative_years"]):
        text = text.replace(word, " ")
    for phrase in longest_first(list(vocab["rewrite"])):
        text = text.replace(fold(phrase), " " + fold(vocab["rewrite"][phrase]) + " ")
    for word in longest_first(vocab["question_words"]):
        text = text.replace(fold(word), " ")
    measures = set(measure_groups())
    stops = {fold(w) for w in vocab["stop_words"]}
    synonym_table = synonyms()
    seen = {k.word for k in found.words}
    added = False
    position = 0  # where the previous token ended in the text
    for token in tokenizer().tokens(text, prepared=True):
        start = text.find(token, position)
        gap = text[position:start] if start >= 0 else " "
        position = start + len(token) if start >= 0 else position
        if token in seen or token in stops or token in measures or not CONTENT.search(token):
            continue
        if len(token) == 1 and token not in synonym_table:
            continue
        if token.isdigit() and len(token) < 3:  # 01, 12: no name of anything
            continue
        seen.add(token)
        found.add(token, joined=len(gap) <= 1 and not gap.isspace(), gap=gap)
        added = True
    return added
