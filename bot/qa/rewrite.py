"""Reading a question's words as the reports' words, without losing where they were written.

Typos (诉松) and everyday words (收了多少钱) are read as domain words before the statistic is
looked up; a ``Rewrite`` says which run of the folded question is read as which word, and
``apply`` returns the folded question with those runs replaced, its offsets still pointing at
the original text, so a mention is quoted as the user wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ingest.text import FoldedText


@dataclass(frozen=True)
class Rewrite:
    """The run ``[start, end)`` of the folded question, read as ``word``."""

    start: int
    end: int
    typed: str
    word: str


def apply(folded: FoldedText, rewrites: Iterable[Rewrite]) -> FoldedText:
    """The folded text with each rewrite's run replaced by its word (an empty word deletes
    the run; a run overlapping an earlier one is left out).

    A replacing word's characters point at the run's characters in turn, the last of them
    at the run's end, so ``source`` of the word quotes the whole run as written.
    """
    chosen = sorted(rewrites, key=lambda r: r.start)
    if not chosen:
        return folded
    text: list[str] = []
    index: list[int] = []
    pos = 0
    for rewrite in chosen:
        if rewrite.start < pos or rewrite.end <= rewrite.start:
            continue
        text.append(folded.text[pos : rewrite.start])
        index.extend(folded.index[pos : rewrite.start])
        run = folded.index[rewrite.start : rewrite.end]
        if rewrite.word:
            text.append(rewrite.word)
            index.extend(run[min(i, len(run) - 1)] for i in range(len(rewrite.word) - 1))
            index.append(run[-1])
        pos = rewrite.end
    text.append(folded.text[pos:])
    index.extend(folded.index[pos:])
    return FoldedText(folded.original, "".join(text), tuple(index))
