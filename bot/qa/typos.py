"""Phone-keyboard typos: a character picked from the wrong row of a pinyin keyboard.

A pinyin keyboard offers every character of a syllable, and a hurried official takes the wrong
one (诉松 for 诉讼, 复意 for 复议).  A run of the question that is no word but reads, syllable by
syllable, like a domain word — the same toneless pinyin, or a near sound (zh/z, an/ang …) in
one character — is read as that word.  Targets are the domain's words only (statistic labels
and aliases, the everyday words and the extra words of ``bot/qa/data/typos.toml``); the
spans of unit names are never touched, so a unit is never corrected into another; a run that
is itself a common word is meant as written; a run that reads like two different words is
left alone.
"""

from __future__ import annotations

import hashlib
import itertools
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from bot.qa import colloquial
from bot.qa.folded_words import fold_fingerprint
from bot.qa.word_spans import WordSpans
from ingest.jieba_import import default_counts
from ingest.text import CJK, fold_question
from ingest.user_cache import LookupTable, cache_dir, package_stamp, store_pickle
from ingest.vocab import load_toml

MAX_WORD = 8
READINGS_VERSION = "1"  # bump when _pypinyin_readings changes: the readings are then redone
KEPT_READERS = 4  # typo readers kept in the user cache (one per vocabulary in use)
MAX_READINGS = 16  # combinations of heteronym readings tried for one run
MAX_RUNS_KEPT = 100_000  # runs of questions whose reading a process keeps
_CJK_ONLY = re.compile(f"^[{CJK}]+$")


@cache
def vocabulary() -> dict:
    """``bot/qa/data/typos.toml``."""
    return load_toml("bot.qa.data", "typos.toml")


@dataclass(frozen=True)
class Correction:
    """A run of the folded question read as a domain word."""

    start: int
    end: int
    typed: str
    word: str


@cache
def _readings(char: str) -> tuple[str, ...]:
    """The toneless readings of one character (several for a heteronym), from the table of
    pypinyin's readings; pypinyin itself only for a character the table lacks."""
    table = _reading_table()
    found = table.get(char) if table is not None else None
    if isinstance(found, str):
        return tuple(found.split(",")) if found else ()
    return _pypinyin_readings(char)


def _pypinyin_readings(char: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r for r in found[0] if r)) if found else ()


@cache
def _reading_table() -> LookupTable | None:
    """Every character pypinyin knows and its readings, kept in the user cache: importing
    pypinyin (its phrase dictionary) costs tenths of a second, a question needs a few dozen
    characters. The file is named after ``READINGS_VERSION`` and pypinyin's files, so
    another version of either never reads it."""
    stamp = package_stamp("pypinyin")
    if not stamp:
        return None
    key = hashlib.sha256(f"{READINGS_VERSION}\x00{stamp}".encode()).hexdigest()[:24]
    return LookupTable.open_or_write(cache_dir("pinyin") / f"readings-{key}.sqlite", _all_readings)


def _all_readings() -> list[tuple[str, str]]:
    from pypinyin.pinyin_dict import pinyin_dict

    chars = {chr(c) for c in pinyin_dict} | {chr(c) for c in range(0x4E00, 0xA000)}
    return [(c, ",".join(_pypinyin_readings(c))) for c in chars]


@cache
def _near(syllable: str) -> str:
    """A syllable with its near sounds merged (zhang → zan): the fuzzy reading."""
    vocab = vocabulary()
    initials = sorted((tuple(p) for p in vocab["near_initials"]), key=lambda p: -len(p[0]))
    finals = sorted((tuple(p) for p in vocab["near_finals"]), key=lambda p: -len(p[0]))
    for a, b in initials:
        if syllable.startswith(a):
            syllable = b + syllable[len(a) :]
            break
    for a, b in finals:
        if syllable.endswith(a):
            syllable = syllable[: -len(a)] + b
            break
    return syllable


@cache
def _frequency(word: str) -> int:
    """How common a word is in jieba's dictionary (0 for no word)."""
    found = default_counts().get(word)
    return found if isinstance(found, int) else 0


def _keys(word: str, fuzzy: bool, typed: bool = False) -> list[tuple[str, ...]]:
    """The pinyin spellings of a word: every combination of its characters' readings (a
    bounded number); of a typed run, only each character's first reading, the one a keyboard
    offers it under."""
    readings = [_readings(c)[:1] if typed else _readings(c) for c in word]
    if not all(readings):
        return []
    if fuzzy:
        readings = [tuple(dict.fromkeys(_near(r) for r in rs)) for rs in readings]
    return list(itertools.islice(itertools.product(*readings), MAX_READINGS))


class TypoReader:
    """The domain words indexed by their pinyin, exact and fuzzy."""

    def __init__(self, words: Iterable[str]) -> None:
        vocab = vocabulary()
        self.words = {
            w for w in (fold_question(x).strip() for x in words) if 2 <= len(w) <= MAX_WORD
        }
        self.words = {w for w in self.words if _CJK_ONLY.match(w)}
        self._keep = {fold_question(w) for w in vocab["keep"]}
        self._exact: dict[tuple[str, ...], set[str]] = {}
        self._fuzzy: dict[tuple[str, ...], set[str]] = {}
        for word in self.words:
            for key in _keys(word, fuzzy=False):
                self._exact.setdefault(key, set()).add(word)
            for key in _keys(word, fuzzy=True):
                self._fuzzy.setdefault(key, set()).add(word)
        self._longest = max(map(len, self.words), default=0)
        self._spans = WordSpans(self.words)  # to find them all in a question at once
        self._read: dict[str, str | None] = {}  # runs already read, for a process asked often

    def _allowed(self, length: int) -> int:
        vocab = vocabulary()
        limit = vocab["max_changed"].get(str(length), vocab["max_changed_longer"])
        return min(limit, length - 1)

    def _meant_as_written(self, run: str) -> bool:
        if run in self.words or run in self._keep:
            return True
        return _frequency(run) >= vocabulary()["common_word_frequency"]

    @staticmethod
    def _straddles_a_word(text: str, start: int, end: int) -> bool:
        """A common word crossing either end of the run (农机 of 农机购置 for the run 机购):
        the run is two words' halves, not one mistyped word."""
        common = vocabulary()["common_word_frequency"]
        for length in range(2, 5):
            for a in range(max(0, start - length + 1), min(end, len(text) - length + 1)):
                b = a + length
                crosses = (a < start < b) or (a < end < b)
                if crosses and _frequency(text[a:b]) >= common:
                    return True
        return False

    def _word_for(self, run: str) -> str | None:
        """The one domain word the run reads like, if there is exactly one (kept per run:
        questions repeat their wordings, and spelling a run out costs tens of microseconds)."""
        if run in self._read:
            return self._read[run]
        if len(self._read) >= MAX_RUNS_KEPT:
            self._read.clear()
        meant = self._read[run] = self._read_run(run)
        return meant

    def _read_run(self, run: str) -> str | None:
        if not _CJK_ONLY.match(run) or self._meant_as_written(run):
            return None
        for fuzzy, table in ((False, self._exact), (True, self._fuzzy)):
            allowed = 1 if fuzzy else self._allowed(len(run))
            found = {
                word
                for key in _keys(run, fuzzy, typed=True)
                for word in table.get(key, ())
                if 0 < sum(a != b for a, b in zip(run, word, strict=True)) <= allowed
            }
            if len(found) == 1:
                return found.pop()
            if found:
                return None
        return None

    def corrections(self, text: str, protected: Iterable[tuple[int, int]] = ()) -> list[Correction]:
        """Runs of ``text`` (folded) read as domain words, left to right, longest first.

        No run overlaps a protected span (a unit's name); a domain word written correctly may
        lie inside a run (公开 of 主东公开) but is never changed itself.
        """
        blocked = [False] * len(text)
        for start, end in protected:
            for i in range(max(0, start), min(len(text), end)):
                blocked[i] = True
        correct = [False] * len(text)
        for start, end, _word in self._spans.find(text):
            for i in range(start, end):
                correct[i] = True
        found: list[Correction] = []
        pos = 0
        while pos < len(text):
            for length in range(min(self._longest, len(text) - pos), 1, -1):
                end = pos + length
                if any(blocked[pos:end]) or all(correct[pos:end]):
                    continue
                run = text[pos:end]
                meant = self._word_for(run)
                if meant is None or self._straddles_a_word(text, pos, end):
                    continue
                if any(
                    correct[pos + i]
                    for i, (a, b) in enumerate(zip(run, meant, strict=True))
                    if a != b
                ):
                    continue
                found.append(Correction(pos, end, run, meant))
                pos = end
                break
            else:
                pos += 1
        return found


_READERS: dict[int, tuple[object, TypoReader]] = {}


def typo_reader(owner: object, words: Iterable[str]) -> TypoReader:
    """One reader per vocabulary owner (the catalogue), built on first use."""
    cached = _READERS.get(id(owner))
    if cached is None or cached[0] is not owner:
        extra = [*vocabulary()["words"], *colloquial.targets()]
        cached = (owner, _stored_reader([*words, *extra]))
        _READERS[id(owner)] = cached
    return cached[1]


def _stored_reader(words: list[str]) -> TypoReader:
    """The reader of these words, kept in the user cache: folding and spelling out thousands
    of words takes tenths of a second, reading them back milliseconds. The file is named
    after the words and everything that folds and spells them."""
    h = hashlib.sha256()
    for part in (
        Path(__file__).read_bytes(),
        fold_fingerprint(),
        resources.files("bot.qa.data").joinpath("typos.toml").read_bytes(),
        package_stamp("pypinyin").encode(),
        "\x00".join(words).encode(),
    ):
        h.update(hashlib.sha256(part).digest())
    path = cache_dir("typos") / f"{h.hexdigest()[:24]}.pickle"
    try:
        reader = pickle.loads(path.read_bytes())
        if isinstance(reader, TypoReader):
            return reader
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        pass
    reader = TypoReader(words)
    store_pickle(path, reader, KEPT_READERS)
    return reader
