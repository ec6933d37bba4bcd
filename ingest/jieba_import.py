"""jieba, imported on first use by whoever cuts text (ingest's unit names, index's tokens, the
typo reader), and jieba's dictionaries kept in the user cache.

jieba's loader imports ``pkg_resources`` only to find its own data files, which costs a few
tenths of a second; it falls back to a plain path when that import fails, so the import is
refused while jieba loads (and nowhere else). jieba reads its own dictionary cache through a
file object, two to three times slower than reading the bytes first.

A question is cut with a few hundred dictionary look-ups, yet reading a whole dictionary
(half a million words) costs tenths of a second. So jieba's own dictionary is also kept as an
indexed table, and a finished dictionary (jieba's plus the domain and unit words) is kept as
its difference from jieba's: a process looks words up one by one (``WordCounts``) and reads
the whole dictionary only once it cuts much text (an ingest, a long-running bot).
"""

from __future__ import annotations

import logging
import marshal
import sys
import threading
from collections.abc import Iterator, MutableMapping
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ingest.user_cache import LookupTable, cache_dir, write_whole

if TYPE_CHECKING:
    import jieba

LOOKUPS_BEFORE_LOADING = 20_000  # table look-ups after which the whole dictionary is read
_MISSING = object()
_WHOLE = threading.Event()  # set: every WordCounts reads the whole dictionary at once


def jieba_module() -> ModuleType:
    """The jieba module, quiet (its INFO lines are not ours to print)."""
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@cache
def default_dictionary() -> tuple[dict[str, int], int]:
    """jieba's own dictionary, ``(FREQ, total)``: shared, never to be changed."""
    module = jieba_module()
    path = cache_dir("jieba") / f"default-{module.__version__}.dictionary"
    try:
        freq, total = marshal.loads(path.read_bytes())
        if isinstance(freq, dict) and isinstance(total, int):
            return freq, total
    except (OSError, EOFError, ValueError, TypeError):
        pass
    built = module.Tokenizer()
    built.initialize()
    _store(path, (built.FREQ, built.total))
    return built.FREQ, built.total


def read_whole_in_background() -> threading.Thread:
    """For a process that will answer many questions: read jieba's dictionary in a daemon
    thread, then let every ``WordCounts`` use it whole. Looked up word by word, a long
    report's new words cost hundreds of table reads in the question that first cuts them."""

    def read() -> None:
        default_dictionary()
        _WHOLE.set()

    thread = threading.Thread(target=read, name="jieba-dictionary", daemon=True)
    thread.start()
    return thread


def plain_tokenizer() -> jieba.Tokenizer:
    """A jieba of its own with jieba's dictionary only (no other words change its cuts)."""
    jt = jieba_module().Tokenizer()
    jt.FREQ, jt.total = default_dictionary()
    jt.initialized = True
    return jt


_TABLES: dict[Path, LookupTable | None] = {}


def _default_table(create: bool = False) -> LookupTable | None:
    """jieba's own dictionary as an indexed table; None when there is none and ``create`` is
    not asked (an ingest reads the whole dictionary anyway and leaves writing the table to
    the first question), or when it can be neither read nor written."""
    path = cache_dir("jieba") / f"default-{jieba_module().__version__}.sqlite"
    if path not in _TABLES:
        if not create and not path.exists():
            return None
        _TABLES[path] = LookupTable.open_or_write(path, lambda: default_dictionary()[0].items())
    return _TABLES[path]


class WordCounts(MutableMapping[str, int]):
    """A jieba ``FREQ``: jieba's own dictionary looked up in its table, and the words that
    differ from it (``changed``) in memory. After ``LOOKUPS_BEFORE_LOADING`` table look-ups
    (much text cut) the whole dictionary is read, and the jieba this belongs to is given a
    plain dict again, the fastest for cutting many texts."""

    def __init__(
        self,
        changed: dict[str, int],
        owner: jieba.Tokenizer | None = None,
        create_table: bool = False,
    ) -> None:
        self.changed = changed
        self._owner = owner
        self._create_table = create_table
        self._read: dict[str, int | None] = {}
        self._whole: dict[str, int] | None = None
        self._lookups = 0
        self._table: object = _MISSING  # found on the first look-up

    def _base(self, word: str) -> int | None:
        if self._whole is not None:
            return self._whole.get(word)
        found = self._read.get(word, _MISSING)
        if found is _MISSING:
            self._lookups += 1
            if self._table is _MISSING:  # finding it names jieba's version: not per word
                self._table = _default_table(self._create_table)
            table = self._table
            if (
                not isinstance(table, LookupTable)
                or self._lookups > LOOKUPS_BEFORE_LOADING
                or _WHOLE.is_set()
            ):
                return self.whole().get(word)
            found = self._read[word] = table.get(word)  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    def whole(self) -> dict[str, int]:
        """Every word as one dict (read once, then handed to the owning jieba)."""
        if self._whole is None:
            merged = dict(default_dictionary()[0])
            merged.update(self.changed)
            self._whole = merged
            if self._owner is not None and self._owner.FREQ is self:
                self._owner.FREQ = merged
        return self._whole

    def get(self, word: str, default: object = None) -> object:  # type: ignore[override]
        if self._whole is not None:
            return self._whole.get(word, default)
        found = self.changed.get(word, _MISSING)
        if found is _MISSING:
            found = self._base(word)
        return default if found is None else found

    def __getitem__(self, word: str) -> int:
        found = self.get(word, _MISSING)
        if found is _MISSING:
            raise KeyError(word)
        return found  # type: ignore[return-value]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word, _MISSING) is not _MISSING

    def __setitem__(self, word: str, count: int) -> None:
        self.changed[word] = count
        if self._whole is not None:
            self._whole[word] = count

    def __delitem__(self, word: str) -> None:
        self.whole()
        assert self._whole is not None
        del self._whole[word]
        self.changed.pop(word, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.whole())

    def __len__(self) -> int:
        return len(self.whole())


@cache
def default_counts() -> WordCounts:
    """jieba's own dictionary, looked up word by word (its table written on first use):
    shared, never to be changed."""
    return WordCounts({}, create_table=True)


def store_dictionary(path: Path, freq: MutableMapping[str, int], total: int) -> None:
    """Keep a finished dictionary as the words where it differs from jieba's own (each word
    added, with its prefixes); one that lost any of jieba's words is kept whole.

    Counts still looked up word by word (a cached dictionary grown by a few words) already
    hold their differences: comparing all of jieba's words would take seconds."""
    if isinstance(freq, WordCounts) and freq._whole is None:
        _store(path, (dict(freq.changed), total, False))
        return
    base = default_dictionary()[0]
    changed = {w: n for w, n in freq.items() if base.get(w, _MISSING) != n}
    new = sum(1 for w in changed if w not in base)
    whole = len(freq) != len(base) + new
    _store(path, (freq if whole else changed, total, whole))


def load_dictionary(path: Path) -> tuple[MutableMapping[str, int], int] | None:
    """A dictionary ``store_dictionary`` kept, as ``(FREQ, total)``; None when there is
    none or it cannot be read. Assign the counts to a jieba with ``attach``."""
    try:
        words, total, whole = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(words, dict) or not isinstance(total, int) or not isinstance(whole, bool):
        return None
    return (words if whole else WordCounts(words)), total


def attach(jt: jieba.Tokenizer, freq: MutableMapping[str, int], total: int) -> jieba.Tokenizer:
    """Give a jieba its dictionary, ready to cut."""
    if isinstance(freq, WordCounts):
        freq._owner = jt
    jt.FREQ, jt.total, jt.initialized = freq, total, True
    return jt


def _store(path: Path, value: tuple) -> None:
    """Keep a dictionary for the next process; failing to write costs only time."""

    def dump(temp: Path) -> None:
        with temp.open("wb") as f:
            marshal.dump(value, f)

    write_whole(path, dump)
