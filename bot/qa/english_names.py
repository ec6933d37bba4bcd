"""Units named in English or pinyin: "Donghu police bureau", "Xitang town", "the Beishan area".

Each loaded unit's Chinese name is taken apart into its region, its proper name, its
organisation words and its ending; proper names and places become pinyin (pypinyin), the
rest English words from ``bot/qa/data/english_names.toml``.  A question's English words are
then matched as a bag within a run of name words: a unit matches when every part it needs
is there (its proper name or place, its organisation words, a department's ending), and
the unit covering most of the run wins; equal best matches are ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from ingest.metadata import region_parts, region_prefix, strip_official, unit_level
from ingest.vocab import load_toml

_TOKEN = re.compile(r"[a-z0-9]+(?:'s)?")
Phrase = tuple[str, ...]


def vocabulary() -> dict:
    """``bot/qa/data/english_names.toml``."""
    return load_toml("bot.qa.data", "english_names.toml")


@cache
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable."""
    from pypinyin.constants import PINYIN_DICT  # imported by the first English question

    found: set[str] = set()
    for readings in PINYIN_DICT.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFKD", reading)
            found.add("".join(c for c in plain if not unicodedata.combining(c)))
    return frozenset(found)


def is_pinyin(word: str) -> bool:
    """A word that splits into pinyin syllables (fuzhou, donghu), not an English word."""
    if word in vocabulary()["not_names"] or not word.isalpha():
        return False
    known = syllables()
    reachable = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reachable[end] = any(
            reachable[start] and word[start:end] in known for start in range(max(0, end - 6), end)
        )
    return reachable[-1]


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-case words with their offsets; a possessive 's is dropped."""
    found = []
    for m in _TOKEN.finditer(text):
        word = m.group(0).removesuffix("'s")
        found.append((word, m.start(), m.start() + len(word)))
    return found


def _phrase(text: str) -> Phrase:
    return tuple(w for w, _, _ in tokens(text.lower().replace("-", " ")))


def _pinyin(chinese: str) -> set[Phrase]:
    from pypinyin import lazy_pinyin

    syllables_ = [s for s in lazy_pinyin(chinese) if s.isalpha()]
    if not syllables_:
        return set()
    return {("".join(syllables_),), tuple(syllables_)}


@dataclass(frozen=True)
class Part:
    """One part of a unit's English name: its alternatives, and whether it must be named."""

    alternatives: frozenset[Phrase]
    required: bool


def _longest_key(text: str, table: Mapping[str, object], at_end: bool) -> str:
    keys = [k for k in table if (text.endswith(k) if at_end else text.startswith(k))]
    return max(keys, key=len, default="")


def _segment(stem: str) -> tuple[list[Part], bool]:
    """Organisation words by the longest dictionary word; other characters are proper names
    (in pinyin).  Also whether there was a proper name."""
    words = vocabulary()["words"]
    parts: list[Part] = []
    pos, name, proper = 0, "", False
    while pos < len(stem):
        word = _longest_key(stem[pos:], words, at_end=False)
        if not word:
            name += stem[pos]
            pos += 1
            continue
        if name:
            parts.append(Part(frozenset(_pinyin(name)), True))
            name, proper = "", True
        options = {_phrase(e) for e in words[word]}
        optional = () in options
        options.discard(())
        if options:
            parts.append(Part(frozenset(options), not optional))
        pos += len(word)
    if name:
        parts.append(Part(frozenset(_pinyin(name)), True))
        proper = True
    return parts, proper


def _region_parts(region: str, required: bool) -> list[Part]:
    """A region: its place in pinyin and its type words (the type may be left out)."""
    types = vocabulary()["region_types"]
    parts: list[Part] = []
    for piece in region_parts(region) or [region]:
        kind = _longest_key(piece, types, at_end=True)
        place = piece[: -len(kind)] if kind and len(piece) > len(kind) + 1 else piece
        if place:
            parts.append(Part(frozenset(_pinyin(place)), required))
        if kind and place != piece:
            parts.append(Part(frozenset(_phrase(e) for e in types[kind]), False))
    return parts


def _best_reading(core: str, endings: Mapping[str, object]) -> tuple[str, str, list[Part], bool]:
    """The ending and segmentation that leave the fewest characters as proper names
    (市场监督管理局 is 市场监督管理 + 局, not 市场监督 + 管理局)."""
    readings = []
    for ending in sorted((k for k in endings if core.endswith(k)), key=len, reverse=True) or [""]:
        stem = core[: -len(ending)] if ending and len(core) > len(ending) else core
        parts, proper = _segment(stem)
        named = sum(1 for p in parts if p.required and _is_proper(p))
        readings.append((named, len(parts), -len(ending), ending, stem, parts, proper))
    _, _, _, ending, stem, parts, proper = min(readings, key=lambda r: r[:3])
    return ending, stem, parts, proper


def _is_proper(part: Part) -> bool:
    return any(len(a) == 1 and is_pinyin(a[0]) for a in part.alternatives) and all(
        " ".join(a) not in _dictionary_phrases() for a in part.alternatives
    )


@cache
def _dictionary_phrases() -> frozenset[str]:
    found: set[str] = set()
    for table in ("words", "endings", "region_types"):
        for options in vocabulary()[table].values():
            found.update(" ".join(_phrase(o)) for o in options)
    return frozenset(found)


@cache
def english_parts(name: str) -> tuple[Part, ...]:
    """The parts of a unit's English name, from its Chinese name (kept: names are rebuilt
    whenever units change, and pinyin is the slow part)."""
    endings = vocabulary()["endings"]
    base = strip_official(name)
    region = region_prefix(base)
    if region is None and unit_level(base) in ("县", "区", "市", "省"):
        government = [Part(frozenset({("government",), ("management", "committee")}), False)]
        return (*_region_parts(base, True), *government)
    core = base[len(region) :] if region else base
    ending, stem, parts, proper = _best_reading(core, endings)
    if ending and stem != core:
        options = frozenset(_phrase(e) for e in endings[ending])
        parts.append(Part(options, not proper))
    if region:
        parts.extend(_region_parts(region, False))
    return tuple(parts)


def _find_phrase(words: list[str], phrase: Phrase) -> tuple[int, int] | None:
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) == phrase:
            return i, i + n
    return None


class EnglishNames:
    """The English names of the loaded units, matched in a question's words."""

    def __init__(self, units: Iterable[str]) -> None:
        self.parts = {unit: english_parts(unit) for unit in units}
        vocab: set[str] = set(vocabulary()["connectors"])
        for parts in self.parts.values():
            for part in parts:
                for phrase in part.alternatives:
                    vocab.update(phrase)
        self.vocab = frozenset(vocab)
        self.connectors = frozenset(vocabulary()["connectors"])
        self._by_word: dict[str, set[str]] = {}
        self._always: list[str] = []
        for unit, parts in self.parts.items():
            self._index(unit, parts)

    def _index(self, unit: str, parts: tuple[Part, ...]) -> None:
        """File a unit under the first words that any match of it must contain: those of its
        first required part, or of any part when none is required. A question's words then
        pick the few units worth checking instead of all of them."""
        required = [p for p in parts if p.required]
        keyed = required[:1] or parts
        if any(not phrase for part in keyed for phrase in part.alternatives):
            self._always.append(unit)
            return
        for part in keyed:
            for phrase in part.alternatives:
                self._by_word.setdefault(phrase[0], set()).add(unit)

    def _candidates(self, words: list[str]) -> list[str]:
        """Units whose names could be covered by ``words`` (the others cannot score)."""
        found = set(self._always)
        for word in set(words):
            found |= self._by_word.get(word, set())
        return sorted(found)

    def _runs(self, words: list[str]) -> list[tuple[int, int]]:
        runs, start = [], None
        for i, word in enumerate([*words, ""]):
            inside = word in self.vocab
            if inside and start is None:
                start = i
            elif not inside and start is not None:
                runs.append((start, i))
                start = None
        trimmed = []
        for s, e in runs:
            while s < e and words[s] in self.connectors:
                s += 1
            while e > s and words[e - 1] in self.connectors:
                e -= 1
            if e > s:
                trimmed.append((s, e))
        return trimmed

    def _cover(self, words: list[str], parts: tuple[Part, ...]) -> set[int] | None:
        covered: set[int] = set()
        for part in parts:
            best = None
            for phrase in sorted(part.alternatives, key=len, reverse=True):
                span = _find_phrase(words, phrase)
                if span:
                    best = span
                    break
            if best is None:
                if part.required:
                    return None
                continue
            covered.update(range(*best))
        return covered or None

    def find(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, units) character spans of the units named in English in ``text``."""
        found_tokens = tokens(text)
        words = [w for w, _, _ in found_tokens]
        found = []
        for run_start, run_end in self._runs(words):
            todo = [(run_start, run_end)]
            while todo:
                s, e = todo.pop()
                window = words[s:e]
                scored: dict[str, set[int]] = {}
                for unit in self._candidates(window):
                    cover = self._cover(window, self.parts[unit])
                    if cover:
                        scored[unit] = cover
                if not scored:
                    continue
                best = max(len(c) for c in scored.values())
                winners = tuple(sorted(u for u, c in scored.items() if len(c) == best))
                cover = set().union(*(scored[u] for u in winners))
                first, last = s + min(cover), s + max(cover)
                found.append((found_tokens[first][1], found_tokens[last][2], winners))
                if first > s:
                    todo.append((s, first))
                if last + 1 < e:
                    todo.append((last + 1, e))
        return sorted(found)

    def unknown_places(self, text: str, levels: Iterable[str]) -> list[tuple[int, int]]:
        """Spans like "Fuzhou city": a pinyin word before a level word, naming no loaded unit."""
        found_tokens = tokens(text)
        level_words = set(levels)
        spans = []
        for i in range(1, len(found_tokens)):
            word, _, end = found_tokens[i]
            previous, start, _ = found_tokens[i - 1]
            if word in level_words and is_pinyin(previous):
                spans.append((start, end))
        return spans
