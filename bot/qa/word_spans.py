"""Where any of thousands of fixed words stand in a short text, in one pass over the text.

The engine looks for its whole vocabulary (every statistic label and alias, the domain
words) in each question. One ``str.find`` per word costs thousands of searches a question;
looking up the words that start with each position's first two characters costs a few
dictionary reads a character.
"""

from __future__ import annotations

from collections.abc import Iterable


class WordSpans:
    """Fixed words grouped by how they begin; ``find`` gives every occurrence of each."""

    def __init__(self, words: Iterable[str]) -> None:
        self._by_two: dict[str, list[str]] = {}
        self._by_one: dict[str, list[str]] = {}  # words of one character
        for word in dict.fromkeys(words):
            if len(word) >= 2:
                self._by_two.setdefault(word[:2], []).append(word)
            elif word:
                self._by_one.setdefault(word, []).append(word)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of every occurrence, overlapping ones included, by start.

        The same occurrences as ``text.find(word, start + 1)`` repeated for each word; the
        empty word is never found.
        """
        found = []
        for i in range(len(text)):
            for word in self._by_two.get(text[i : i + 2], ()):
                if text.startswith(word, i):
                    found.append((i, i + len(word), word))
            for word in self._by_one.get(text[i], ()):
                found.append((i, i + 1, word))
        return found
