"""Tokens for BM25: one normalisation and one jieba segmentation for passages and questions.

A question only finds a passage when both were cut into the same words, so both go through
``Tokenizer.tokens``: the ingest normalisation (traditional → simplified, full → half width,
markup and line breaks gone), Latin lower-cased, jieba with the domain dictionary, then
punctuation, whitespace and stop words dropped.  Numbers stay tokens (phone numbers, years).

jieba keeps one global dictionary per ``jieba.Tokenizer``; every ``Tokenizer`` here owns its
own instance, so unit names loaded for one database never leak into another.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ingest.jieba_import import (
    attach,
    default_dictionary,
    jieba_module,
    load_dictionary,
    store_dictionary,
)
from ingest.text import CJK, search_form
from ingest.user_cache import cache_dir, package_stamp, prune, write_whole
from ingest.vocab import load_toml

if TYPE_CHECKING:  # imported on first use: a question that cuts no text never loads it
    import jieba
    from jieba import Tokenizer as _JiebaTokenizer

TOKENIZER_VERSION = "1"  # bump when the rules below change: stored tokens are then rebuilt

_JIEBA_CHARS = re.compile(r"[\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]+")
# jieba's own first cut (``re_han_default``): it segments each such block on its own, so the
# tokens of a text are those of its blocks, one after the other.
_JIEBA_BLOCK = re.compile(r"([\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]+)")
CACHED_BLOCKS = 200_000  # blocks whose tokens a tokenizer remembers (template phrases recur)
_WORD_CHAR = re.compile(f"[{CJK}a-z0-9]")
USER_WORD_FREQ = 1000  # high enough that a neighbouring common word cannot swallow it
CACHED_DICTIONARIES = 4  # finished jieba dictionaries kept, the last used


def _jieba() -> ModuleType:
    return jieba_module()


def _data_lines(name: str) -> list[str]:
    """Non-comment lines of a file in index/data."""
    text = resources.files("index.data").joinpath(name).read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@cache
def domain_words() -> tuple[str, ...]:
    """The shipped domain dictionary (words only)."""
    return tuple(line.split()[0] for line in _data_lines("domain_words.txt"))


@cache
def settings() -> dict:
    """Tokenizer choices from index/data/tokenizer.toml."""
    return load_toml("index.data", "tokenizer.toml")["tokenizer"]


@cache
def stop_words() -> frozenset[str]:
    return frozenset(search_form(w) for w in _data_lines("stopwords.txt"))


@cache
def catalogue_words() -> tuple[str, ...]:
    """Labels and aliases of the statistics catalogue, when ingest provides one."""
    try:
        from ingest.catalogue import load_catalogue
    except ImportError:
        return ()
    words: list[str] = []
    for statistic in load_catalogue().statistics.values():
        words.extend(getattr(statistic, "labels", ()))
        words.extend(getattr(statistic, "aliases", ()))
    return tuple(words)


def dictionary_entries(words: Iterable[str]) -> list[str]:
    """Words as jieba can hold them: normalised, split where jieba would split them anyway.

    jieba cuts text into blocks of CJK, Latin, digits and ``+#&._%-`` before it looks words
    up, so a word with other punctuation inside can never come out whole; its pieces can.
    Single characters add nothing (they are tokens already).
    """
    seen: dict[str, None] = {}
    for word in words:
        for piece in _JIEBA_CHARS.findall(search_form(word)):
            if len(piece) >= 2 and _WORD_CHAR.search(piece):
                seen.setdefault(piece)
    return list(seen)


@cache
def _static_entries(catalogue_max: int) -> tuple[str, ...]:
    """The domain and catalogue entries (the same for every tokenizer; normalising them
    costs tenths of a second, once per process)."""
    catalogue = [w for w in dictionary_entries(catalogue_words()) if len(w) <= catalogue_max]
    return tuple(dictionary_entries((*domain_words(), *catalogue)))


@dataclass
class Tokenizer:
    """jieba plus the domain dictionary and stop words; picklable by its word list."""

    extra_words: tuple[str, ...] = ()
    mode: str = field(default_factory=lambda: settings()["mode"])
    use_stop_words: bool = field(default_factory=lambda: settings()["stop_words"])
    catalogue_max: int = field(default_factory=lambda: settings()["catalogue_word_max_chars"])
    grows_from: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    _jieba: jieba.Tokenizer | None = field(default=None, init=False, repr=False)
    _blocks: dict[str, list[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __getstate__(self) -> dict:
        return {
            **self.options(),
            "extra_words": self.extra_words,
            "grows_from": self.grows_from,
            "_jieba": None,
            "_blocks": {},
        }

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def options(self) -> dict:
        """The choices besides the word list (stored with an index to cut questions alike)."""
        return {
            "mode": self.mode,
            "use_stop_words": self.use_stop_words,
            "catalogue_max": self.catalogue_max,
        }

    @property
    def words(self) -> list[str]:
        """Every dictionary entry this tokenizer adds to jieba, normalised."""
        static = _static_entries(self.catalogue_max)
        return list(dict.fromkeys((*static, *dictionary_entries(self.extra_words))))

    @property
    def signature(self) -> str:
        """Changes whenever the same text could be cut differently (then tokens are redone).

        Without unit names (the signature stored tokens are checked against) it comes from
        the cache: normalising the domain and catalogue words takes tenths of a second, at
        every ingest, while what they are made from hardly ever changes.
        """
        if not self.extra_words:
            return _static_signature(tuple(sorted(self.options().items())))
        return self._computed_signature()

    def _computed_signature(self) -> str:
        h = hashlib.sha256()
        for part in (
            TOKENIZER_VERSION,
            self.mode,
            str(self.use_stop_words),
            *sorted(stop_words()),
            "\x00",
            *sorted(self.words),
        ):
            h.update(part.encode() + b"\x01")
        return h.hexdigest()[:16]

    def _inputs_key(self) -> str:
        """The dictionary cache's key: what the word list is made from, and the code that
        makes it. Unlike ``signature`` it needs no normalising of every word, which takes
        tenths of a second at thousands of unit names."""
        h = hashlib.sha256()
        for module in (__file__, _text_module_file()):
            h.update(Path(module).read_bytes())
        for part in (
            _jieba().__version__,
            repr(sorted(self.options().items())),
            "\x00".join(domain_words()),
            "\x00".join(catalogue_words()),
            "\x00".join(self.extra_words),
        ):
            h.update(part.encode() + b"\x01")
        return h.hexdigest()[:24]

    def jieba(self) -> jieba.Tokenizer:
        """jieba with this tokenizer's words, from the dictionary cache when it has them.

        Else grown from the cached dictionary of ``grows_from`` (unit names of an earlier
        tokenizer, all of them among these), as a running process grows its own when a
        report of a new unit arrives (``add_words``), else built from jieba's own.
        """
        if self._jieba is None:
            path = self._dictionary_path()
            jt = _cached_jieba(path)
            if jt is None:
                jt = self._grown()
                if jt is None:
                    jt = _jieba().Tokenizer()
                    freq, total = default_dictionary()
                    jt.FREQ, jt.total, jt.initialized = dict(freq), total, True  # a copy
                    for word in self.words:
                        jt.add_word(word, max(jt.suggest_freq(word), USER_WORD_FREQ))
                _store_jieba(jt, path)
            self._jieba = jt
        return self._jieba

    def keep_dictionary(self) -> bool:
        """Have the dictionary cache hold this tokenizer's dictionary, grown from the cached
        one of ``grows_from``, so that the next process reads it instead of building it
        (seconds: jieba's own dictionary read whole, every word added); True when it was
        grown now.  Nothing is built without the earlier dictionary: a cache that lost it
        (or cannot be written) would only be made to wait."""
        if self._dictionary_path().exists():
            return False
        jt = self._grown()
        if jt is None:
            return False
        _store_jieba(jt, self._dictionary_path())
        return True

    def _dictionary_path(self) -> Path:
        return dictionary_cache() / f"{self._inputs_key()}.marshal"

    def _grown(self) -> _JiebaTokenizer | None:
        """The cached dictionary of ``grows_from`` plus the words of the unit names added
        since; None when it is not cached or a name was dropped since."""
        if self.grows_from is None:
            return None
        earlier = Tokenizer(extra_words=self.grows_from, **self.options())
        now = set(self.extra_words)
        if not now.issuperset(earlier.extra_words):
            return None
        jt = _cached_jieba(dictionary_cache() / f"{earlier._inputs_key()}.marshal")
        if jt is not None:
            added = set(self.extra_words) - set(earlier.extra_words)
            add_words(jt, earlier, [w for w in self.extra_words if w in added])
        return jt

    def tokens(self, text: str, prepared: bool = False) -> list[str]:
        """The tokens of a passage or question, in text order (repeats kept).

        Reports repeat their template's phrases: each block jieba would cut on its own is
        cut once and remembered, which gives exactly the tokens of cutting the whole text.
        """
        text = text if prepared else search_form(text)
        blocks = self._blocks
        out: list[str] = []
        for block in _JIEBA_BLOCK.split(text):
            if not block:
                continue
            cut = blocks.get(block)
            if cut is None:
                if len(blocks) >= CACHED_BLOCKS:
                    blocks.clear()
                cut = blocks[block] = self._cut(block)
            out.extend(cut)
        return out

    def _cut(self, text: str) -> list[str]:
        """The tokens of a search-form text, cut by jieba."""
        jt = self.jieba()
        cut = jt.cut(text, HMM=False)
        if self.mode == "search":
            cut = _with_inner_words(cut, jt.FREQ)
        stops = stop_words() if self.use_stop_words else frozenset()
        return [t for t in cut if _WORD_CHAR.search(t) and t not in stops and t != " "]

    def many(self, texts: Sequence[str], prepared: bool = False) -> list[list[str]]:
        return [self.tokens(t, prepared) for t in texts]


SIGNATURE = re.compile(r"[0-9a-f]{16}")
CACHED_SIGNATURES = 8  # static signatures kept (one per set of options and inputs)


@cache
def _static_signature(options: tuple[tuple[str, object], ...]) -> str:
    """The signature of a tokenizer without unit names, kept in the user cache under a key
    of everything it is computed from: this code and the normalising code, the data files
    (domain words, stop words, the catalogue), OpenCC as installed, and the options."""
    key = _signature_key(options)
    if key is None:
        return Tokenizer(**dict(options))._computed_signature()  # type: ignore[arg-type]
    path = cache_dir("signatures") / f"{key}.txt"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        stored = path.read_text("ascii").strip()
        if SIGNATURE.fullmatch(stored):
            return stored
    value = Tokenizer(**dict(options))._computed_signature()  # type: ignore[arg-type]

    def write(temp: Path) -> None:
        temp.write_text(value, "ascii")

    if write_whole(path, write):
        with contextlib.suppress(OSError):
            prune(path.parent, "*.txt", CACHED_SIGNATURES)
    return value


def _signature_key(options: tuple[tuple[str, object], ...]) -> str | None:
    """None when the inputs cannot all be read as files (then nothing is cached)."""
    h = hashlib.sha256(repr(options).encode() + b"\x01")
    try:
        for module in (__file__, _text_module_file(), _catalogue_module_file()):
            h.update(Path(module).read_bytes() + b"\x01")
        for package, patterns in _SIGNATURE_DATA:
            folder = resources.files(package)
            if not isinstance(folder, Path):
                return None
            for pattern in patterns:
                for entry in sorted(folder.glob(pattern)):
                    h.update(entry.name.encode() + b"\x00" + entry.read_bytes() + b"\x01")
    except OSError:
        return None
    h.update(package_stamp("opencc").encode())
    return h.hexdigest()[:24]


# The data files a static signature is computed from (package, file patterns).
_SIGNATURE_DATA = (
    ("index.data", ("*.txt", "*.toml")),
    ("ingest.data", ("char_variants.toml", "catalogue/*.toml")),
)


@cache
def _catalogue_module_file() -> str:
    spec = importlib.util.find_spec("ingest.catalogue")
    return str(spec.origin) if spec is not None and spec.origin else __file__


@cache
def _text_module_file() -> str:
    from ingest import text

    return str(text.__file__)


def dictionary_cache() -> Path:
    """Where finished jieba dictionaries are kept, one file per word list."""
    return cache_dir("jieba")


def _cached_jieba(path: Path) -> jieba.Tokenizer | None:
    """A jieba from a finished dictionary: its words looked up as a question needs them,
    instead of parsing jieba's own dictionary and adding every domain and unit word again
    (seconds at many units).

    The file is marked used: only the newest are kept, and every ingest that brings a new
    unit writes one, so a dictionary each question reads (the figure words') would
    otherwise go after a few ingests, and the next question would build it again (1 s)."""
    loaded = load_dictionary(path)
    if loaded is None:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return attach(_jieba().Tokenizer(), *loaded)


def _store_jieba(jt: jieba.Tokenizer, path: Path) -> None:
    """Keep a finished dictionary for the next process, and only the few newest (each new
    unit changes the word list); a cache that cannot be written (read-only home, full disk)
    only costs the next process the same build."""
    store_dictionary(path, jt.FREQ, jt.total)
    with contextlib.suppress(OSError):
        prune(path.parent, "*.marshal", CACHED_DICTIONARIES)


def add_words(jt: jieba.Tokenizer, holding: Tokenizer, names: Sequence[str]) -> None:
    """Add the dictionary entries of unit names to a jieba that holds ``holding``'s words,
    as building it with them would: each entry ``holding`` lacks, in order, at the same
    frequency rule.  Only the new names are normalised (all of them take seconds at many
    units); an entry that may already be one of ``holding``'s (jieba counts it at the user
    frequency or above: a word it holds, or one of jieba's own) is checked against them all."""
    held: set[str] | None = None
    for word in dictionary_entries(names):
        if jt.FREQ.get(word, 0) >= USER_WORD_FREQ:
            if held is None:
                held = set(holding.words)
            if word in held:
                continue
        jt.add_word(word, max(jt.suggest_freq(word), USER_WORD_FREQ))


def _with_inner_words(words: Iterable[str], freq: dict[str, int]) -> Iterable[str]:
    """Search mode: every dictionary word inside a longer word, then the word itself.

    Unlike ``jieba.cut_for_search`` (inner words of 2 and 3 characters only) this keeps
    行政复议 inside 行政复议数量, so a question with the short word meets the long one.
    """
    for word in words:
        for n in range(2, len(word)):
            for i in range(len(word) - n + 1):
                if freq.get(word[i : i + n]):
                    yield word[i : i + n]
        yield word


_WORKER: Tokenizer | None = None


def _init_worker(tokenizer: Tokenizer) -> None:
    global _WORKER
    _WORKER = tokenizer
    tokenizer.jieba()


def _work(batch: Sequence[str]) -> list[list[str]]:
    assert _WORKER is not None
    return _WORKER.many(batch)


def tokenize_all(
    tokenizer: Tokenizer, texts: Sequence[str], workers: int = 1, batch: int = 500
) -> Iterable[list[str]]:
    """Tokens of many texts in order; a pool of processes when ``workers`` > 1.

    Not ``jieba.enable_parallel``: that one is global, POSIX-only and re-splits by lines.
    A pool that cannot start (e.g. no importable ``__main__``) raises instead of hanging.
    """
    if workers <= 1 or len(texts) <= batch:
        yield from tokenizer.many(texts)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [texts[i : i + batch] for i in range(0, len(texts), batch)]
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(tokenizer,)
    ) as pool:
        for result in pool.map(_work, chunks):
            yield from result
