"""What a question asks for when it asks for a figure: the measure and the key words.

多少条 asks for 条 (and accepts 件/项/篇 less well), 多少人次 for 人次 and never for 次, 费用
for 元/万元, 办结率 for a share.  The key words are the question's own words (jieba and the
domain dictionary) without its unit, year and question words; English questions are read
through a glossary.  Every word list is ``bot/data/prose_figures.toml``.
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
def _english() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    entries = vocabulary()["english"]
    return [
        (re.compile(rf"(?<![a-z]){re.escape(en)}(?![a-z])"), tuple(entries[en]))
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


@cache
def count_pattern() -> re.Pattern[str]:
    """A count word with the measure it asks for: 多少条, 几场, 多少人次."""
    counts = alternation(vocabulary()["question"]["count_words"])
    return re.compile(rf"(?:{counts})\s*(?P<measure>{alternation(list(measure_groups()))})")


def _asked_measure(text: str) -> tuple[str, str]:
    """(group, measure word) asked: 多少条 → item/条, 关注人数 → person, how many staff → person."""
    vocab = vocabulary()
    match = count_pattern().search(text)
    if match:
        return measure_groups()[match.group("measure")], match.group("measure")
    for word in longest_first(list(vocab["question"]["asked_by_word"])):
        if word in text:
            return vocab["question"]["asked_by_word"][word], ""
    for word in longest_first(list(vocab["question"]["asked_by_word_en"])):
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
            return vocab["question"]["asked_by_word_en"][word], ""
    return "", ""


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
        or bool(_asked_measure(text)[0])
    )


def years_named(question: str) -> set[int]:
    """The report years a question writes out (2019, 2019年, 19年): a figure of another year's
    report must never answer it, whatever years the question parser understood."""
    years: set[int] = set()
    for match in YEAR.finditer(fold(question)):
        digits = re.sub(r"\D", "", match.group(0))
        years.add(int(digits) if len(digits) == 4 else 2000 + int(digits))
    return years


def _english_spans(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """English glossary phrases in the text, longest first where they overlap, in text order."""
    taken: list[tuple[int, int, tuple[str, ...]]] = []
    for pattern, chinese in _english():
        for match in pattern.finditer(text):
            a, b = match.span()
            if all(b <= s or a >= e for s, e, _c in taken):
                taken.append((a, b, chinese))
    return sorted(taken)


def read_question(question: str, drop: Sequence[str] = ()) -> AskedFigure:
    """The measure asked and the key words of a question, without unit names and question words."""
    vocab = vocabulary()
    text = fold(question)
    for word in sorted((fold(d) for d in drop if d.strip()), key=len, reverse=True):
        text = text.replace(word, " ")
    group, measure = _asked_measure(text)
    text = count_pattern().sub(" ", text)
    words: list[KeyWord] = []
    for name in QUOTED.findall(text):
        words.append(KeyWord(name.strip(), "quoted"))
    text = QUOTED.sub(" ", text)
    weak = {fold(w) for w in vocab["question"]["weak_words"]}
    phrases: list[tuple[int, int]] = []
    last, last_end = None, -10
    for start, end, chinese in _english_spans(text):
        for spelled in chinese:
            first, *others = spelled.split("|")
            kind = "weak" if first in weak else "plain"
            if kind == "plain" and last is not None and not text[last_end:start].strip():
                phrases.append((last, len(words)))
            last = len(words) if kind == "plain" else None
            words.append(KeyWord(first, kind, tuple(others)))
        last_end = end
    text = _LATIN_WORD.sub(" ", text)
    for match in YEAR.finditer(text):
        words.append(KeyWord(re.sub(r"\D", "", match.group(0)), "year"))
    text = YEAR.sub(" ", text)
    for word in longest_first(vocab["question"]["relative_years"]):
        text = text.replace(word, " ")
    rewrite = vocab["question"]["rewrite"]
    for phrase in longest_first(list(rewrite)):
        text = text.replace(fold(phrase), " " + fold(rewrite[phrase]) + " ")
    for word in longest_first(vocab["question"]["question_words"]):
        text = text.replace(fold(word), " ")
    measures = set(measure_groups())
    stops = {fold(w) for w in vocab["question"]["stop_words"]}
    synonym_table = synonyms()
    seen = {w.word for w in words}
    position, last = 0, None  # where the previous key word ended in the text, and its index
    for token in tokenizer().tokens(text, prepared=True):
        start = text.find(token, position)
        gap = text[position:start] if start >= 0 else " "
        position = start + len(token) if start >= 0 else position
        if token in seen or token in stops or token in measures or not CONTENT.search(token):
            continue
        if len(token) == 1 and token not in synonym_table:
            continue
        seen.add(token)
        kind = "weak" if token in weak else "plain"
        if last is not None and kind == "plain" and len(gap) <= 1 and not gap.isspace():
            phrases.append((last, len(words)))
        last = len(words) if kind == "plain" else None
        words.append(KeyWord(token, kind))
    neutral = tuple(fold(d) for d in drop if d.strip())
    return AskedFigure(group, measure, tuple(words), neutral, tuple(phrases))
