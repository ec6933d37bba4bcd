"""How the words of a question are found in a report's text, for ``bot.qa.prose_figures``.

Matching runs on a folded form (simplified, half-width, lower case) of both sides; a key word
is found as itself, as a word of its synonym group, as a dictionary word inside it (its head,
申请 of 信息公开申请, counting most) or, when short, as an abbreviation (农机 in 农业机械).
The vocabulary is ``bot/qa/data/prose_figures.toml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from index.tokens import Tokenizer
from ingest.text import CJK, to_halfwidth, to_simplified
from ingest.vocab import load_toml

QUOTED = re.compile(r"[“\"「『‘《]([^”\"」』’》]{2,24})[”\"」』’》]")
YEAR = re.compile(r"(?:(?:19|20)\d{2}|(?<!\d)\d{2})\s*年(?:度|底|末|报)?|(?:19|20)\d{2}")
CONTENT = re.compile(f"[{CJK}a-z0-9]")


def vocabulary() -> dict:
    """``bot/qa/data/prose_figures.toml``."""
    return load_toml("bot.qa.data", "prose_figures.toml")


@cache
def measure_groups() -> dict[str, str]:
    """Measure word → its group (条 → item)."""
    return {m: group for group, words in vocabulary()["measures"].items() for m in words}


def longest_first(words: Sequence[str]) -> list[str]:
    """Longest first; words of one length in the order the data gives them. Callers take the
    first word that fits, so the order must not change from one process to the next (a set's
    order does, with the hash seed)."""
    return sorted(dict.fromkeys(words), key=len, reverse=True)


def alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in longest_first(words))


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Word → the other words of its synonym groups."""
    table: dict[str, list[str]] = {}
    for group in vocabulary()["synonyms"]["groups"]:
        folded = [fold(w) for w in group]
        for word in folded:
            table.setdefault(word, []).extend(w for w in folded if w != word)
    return {w: tuple(dict.fromkeys(others)) for w, others in table.items()}


@cache
def tokenizer() -> Tokenizer:
    """jieba with the domain dictionary, plain cut (inner words are found by ``credit``)."""
    extra = tuple(vocabulary()["words"]["extra"])
    return Tokenizer(mode="precise", use_stop_words=True, catalogue_max=0, extra_words=extra)


def fold(text: str) -> str:
    """The matching form: simplified, half-width, lower case (spaces kept: they part cells)."""
    return to_halfwidth(to_simplified(text)).lower()


def fold_aligned(text: str) -> str:
    """``fold`` character by character, so a position in the result is one in the text."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        simplified = "".join(c if len(c := to_simplified(ch)) == 1 else ch for ch in text)
    return "".join(map(_folded_char, simplified))


@cache
def _folded_char(ch: str) -> str:
    """One character half-width and lower case, or itself when that takes several."""
    wide = unicodedata.normalize("NFKC", ch).lower()
    return wide if len(wide) == 1 else ch


@dataclass(frozen=True)
class KeyWord:
    """A word of the question, with words that mean the same (an English word's renderings)."""

    word: str
    kind: str  # plain, weak, year, quoted
    alternatives: tuple[str, ...] = ()


@cache
def _inner_words(word: str) -> tuple[str, ...]:
    """Dictionary words inside a longer key word, longest first (政务微博 → 微博, 政务)."""
    freq = tokenizer().jieba().FREQ
    found = {
        word[i : i + n]
        for n in range(2, len(word))
        for i in range(len(word) - n + 1)
        if freq.get(word[i : i + n])
    }
    return tuple(sorted(found, key=len, reverse=True))


@lru_cache(maxsize=1 << 16)
def credit(word: str, text: str) -> float:
    """How well a key word is found in a text: itself 1, a synonym or an inner word less.
    Kept per pair: a report's section and heading are matched against the same key words for
    every figure in them."""
    if not text:
        return 0.0
    if word.isdigit():  # a number (12345) is found only as itself, never inside a year
        return 1.0 if re.search(rf"(?<!\d){word}(?!\d)", text) else 0.0
    if word in text:
        return 1.0
    scores = vocabulary()["scores"]
    if any(s in text for s in synonyms().get(word, ())):
        return scores["synonym"]
    best = 0.0
    for inner in _inner_words(word):
        if inner in text or any(s in text for s in synonyms().get(inner, ())):
            share = scores["inner_word"] * len(inner) / len(word)
            head = word.endswith(inner) and inner not in neutral_words() and _bare(inner, text)
            best = max(best, max(share, scores["head_word"]) if head else share)
    if not best and 2 <= len(word) <= 3 and abbreviated(word, text):
        return scores["abbreviation"]
    return best


def _bare(word: str, text: str) -> bool:
    """Whether the word stands in the text on its own somewhere, not as the end of a longer
    dictionary word (申请 in 收到70件申请, not in 依申请; 资金 not in 财政资金)."""
    freq = tokenizer().jieba().FREQ
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if not any(freq.get(text[max(0, start - n) : end]) for n in (1, 2) if start >= n):
            return True
        start = text.find(word, start + 1)
    return False


_CLAUSE_ENDS = frozenset(",;:。")  # an abbreviation's characters never stand across these


def abbreviated(word: str, text: str) -> bool:
    """Whether the characters of a word stand in the text in order, each followed by at most
    one other that ends no clause (农业机械 holds 农机). Plain string steps, not a pattern per
    word: compiling one costs more than the search, and questions bring new words."""
    if not word:
        return True
    start = text.find(word[0])
    while start >= 0:
        if _rest_follows(word, 1, text, start + 1):
            return True
        start = text.find(word[0], start + 1)
    return False


def _rest_follows(word: str, i: int, text: str, at: int) -> bool:
    """Whether ``word[i:]`` continues at ``at``, right there or after one other character."""
    if i == len(word):
        return True
    ch = word[i]
    if text.startswith(ch, at) and _rest_follows(word, i + 1, text, at + 1):
        return True
    return (
        at + 1 < len(text)
        and text[at] not in _CLAUSE_ENDS
        and text[at + 1] == ch
        and _rest_follows(word, i + 1, text, at + 2)
    )


def key_credit(key: KeyWord, text: str) -> float:
    """How well a key word (or one of its renderings) is found; a quoted name only as itself."""
    if key.kind == "quoted":
        return 1.0 if key.word in text else 0.0
    if not key.alternatives:
        return credit(key.word, text)
    return max(credit(w, text) for w in (key.word, *key.alternatives))


@cache
def neutral_words() -> frozenset[str]:
    """Words that neither support nor contradict a figure (question and weak words)."""
    question = vocabulary()["question"]
    words = (
        *question["weak_words"],
        *question["question_words"],
        *question["stop_words"],
        *vocabulary()["zero"]["negations"],
        *vocabulary()["precision"]["neutral"],
    )
    return frozenset(fold(w) for w in words)
