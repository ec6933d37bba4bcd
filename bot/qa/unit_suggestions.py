"""Loaded units whose names look like an asked one.

A question about a unit that is not loaded used to be answered with the list of every loaded
unit: helpful with twenty units, a wall of text with a thousand and more than a chat message
holds with a hundred thousand.  Past a few dozen units the answer names the count and the
loaded names that share the most of the asked name's characters instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ingest.text import fold_question

COMMON_SHARE = 0.2  # a character in more names than this share (镇, 县, 局) tells nothing


class UnitNameIndex:
    """Which loaded names contain each character, for the names nearest an asked one."""

    def __init__(self, units: Sequence[str]) -> None:
        self.units = list(units)
        self._holding: dict[str, list[int]] = {}
        for i, unit in enumerate(self.units):
            for char in set(fold_question(unit)):
                self._holding.setdefault(char, []).append(i)
        self._common = COMMON_SHARE * len(self.units)

    def similar(self, name: str, k: int) -> list[str]:
        """Up to ``k`` loaded names sharing the most telling characters with ``name`` (a
        character counts the more, the fewer names hold it); best first, then the closest in
        length, then in the order given.  None when no telling character is shared."""
        asked = fold_question(name)
        score: dict[int, float] = {}
        for char in set(asked):
            holders = self._holding.get(char, ())
            if 0 < len(holders) <= self._common:
                weight = math.log(len(self.units) / len(holders))
                for i in holders:
                    score[i] = score.get(i, 0.0) + weight
        ranked = sorted(
            score.items(),
            key=lambda item: (-item[1], abs(len(self.units[item[0]]) - len(asked)), item[0]),
        )
        return [self.units[i] for i, _ in ranked[:k]]
