"""Vocabularies folded once and kept in the user cache.

Folding a word (traditional → simplified, full → half width, variants) costs tens of
microseconds; the engine folds thousands of vocabulary words (statistic labels and aliases,
everyday words) that never change between processes. A folded list is kept under a name made
of its words and of everything that folds them, so a new version never reads an old file.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

from ingest.text import fold_question
from ingest.user_cache import cache_dir, package_stamp, store_pickle

KEPT = 16  # folded lists kept (a few per vocabulary in use)

_FOLDED: dict[tuple[str, ...], tuple[str, ...]] = {}


@cache
def fold_fingerprint() -> bytes:
    """What folding depends on: ingest.text, its character variants and OpenCC."""
    from ingest import text

    h = hashlib.sha256(Path(str(text.__file__)).read_bytes())
    h.update(resources.files("ingest.data").joinpath("char_variants.toml").read_bytes())
    h.update(package_stamp("opencc").encode())
    return h.digest()


def folded_words(words: Iterable[str]) -> tuple[str, ...]:
    """``fold_question`` of each word, in order."""
    key = tuple(words)
    found = _FOLDED.get(key)
    if found is None:
        found = _FOLDED[key] = _stored(key)
    return found


def _stored(words: tuple[str, ...]) -> tuple[str, ...]:
    h = hashlib.sha256(fold_fingerprint())
    h.update("\x00".join(words).encode())
    path = cache_dir("folded") / f"{h.hexdigest()[:24]}.pickle"
    try:
        folded = pickle.loads(path.read_bytes())
        if isinstance(folded, tuple) and len(folded) == len(words):
            return folded
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        pass
    folded = tuple(fold_question(w) for w in words)
    store_pickle(path, folded, KEPT)
    return folded
