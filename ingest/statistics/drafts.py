"""What extraction produces, before the pipeline gives it database ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FigureSource = Literal["table", "derived", "prose"]  # where a figure was read, most trusted first
SOURCE_RANK: dict[FigureSource, int] = {"table": 0, "derived": 1, "prose": 2}


@dataclass(frozen=True)
class StatisticDraft:
    key: str
    value: float | None
    measure: str
    source: FigureSource
    label: str
    evidence: str
    start: int
    end: int
    rule: str
    official: bool = False


@dataclass(frozen=True)
class CheckFailure:
    name: str
    expected: float
    actual: float
    detail: str


@dataclass(frozen=True)
class Extraction:
    statistics: list[StatisticDraft]
    conflicts: list[tuple[int, int]] = field(default_factory=list)
    checks: list[CheckFailure] = field(default_factory=list)
    skipped: int = 0
