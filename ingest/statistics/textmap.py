"""A matching form of a text that remembers where each character came from.

Statistics are matched on simplified, half-width, whitespace-free text (so 行政復議 and a PDF's
"政府信\\n\\n息 255 条" match plain patterns) but quoted from the original: every character of
the matching form maps back to an offset in the original text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from ingest.normalise import to_simplified

_DROP = frozenset(" \t\r\n\u00a0\u3000\u2002\u2003\u2009\u200b\u202f\ufeff*#`")


@cache
def _simplify_char(ch: str) -> str:
    return to_simplified(ch)


def _simplify(text: str) -> list[str]:
    """Character by character, so the mapping stays one to one; whole-text first (faster)."""
    whole = to_simplified(text)
    if len(whole) == len(text):
        return list(whole)
    return [_simplify_char(ch) if len(_simplify_char(ch)) == 1 else ch for ch in text]


@dataclass(frozen=True)
class FoldedText:
    original: str
    text: str
    index: tuple[int, ...]

    @classmethod
    def of(cls, original: str, start: int = 0, end: int | None = None) -> FoldedText:
        """Fold ``original[start:end]``; offsets stay those of the whole ``original``."""
        end = len(original) if end is None else end
        out: list[str] = []
        index: list[int] = []
        for offset, ch in enumerate(_simplify(original[start:end]), start):
            if ch in _DROP or ch.isspace():
                continue
            for piece in unicodedata.normalize("NFKC", ch):
                if piece in _DROP or piece.isspace():
                    continue
                out.append(piece)
                index.append(offset)
        return cls(original, "".join(out), tuple(index))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of folded characters [start, end)."""
        if not self.index:
            return 0, 0
        end = max(end, start + 1)
        return self.index[start], self.index[min(end, len(self.index)) - 1] + 1

    def quote(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def fold_label(text: str) -> str:
    """The matching form of a short label (no offsets needed)."""
    return FoldedText.of(text).text
