"""jieba, imported on first use by whoever cuts text (ingest's unit names, index's tokens, the
typo reader), and jieba's own dictionary read from the user cache in one piece.

jieba's loader imports ``pkg_resources`` only to find its own data files, which costs a few
tenths of a second; it falls back to a plain path when that import fails, so the import is
refused while jieba loads (and nowhere else). jieba reads its own dictionary cache through a
file object, two to three times slower than reading the bytes first.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ingest.user_cache import cache_dir

if TYPE_CHECKING:
    import jieba


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


def default_tokenizer() -> jieba.Tokenizer:
    """jieba's global tokenizer with its own dictionary, loaded from the cache."""
    dt = jieba_module().dt
    if not dt.initialized:
        with dt.lock:
            if not dt.initialized:
                dt.FREQ, dt.total = default_dictionary()
                dt.initialized = True
    return dt


def plain_tokenizer() -> jieba.Tokenizer:
    """A jieba of its own with jieba's dictionary only (no other words change its cuts)."""
    jt = jieba_module().Tokenizer()
    jt.FREQ, jt.total = default_dictionary()
    jt.initialized = True
    return jt


def _store(path: Path, value: tuple[dict[str, int], int]) -> None:
    """Keep a dictionary for the next process; failing to write costs only time."""
    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as f:
            marshal.dump(value, f)
        os.replace(temp, path)
        temp = None
    except OSError:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
