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
    """A relation of the template's arithmetic the table breaks.  ``total`` is the statistic
    whose cell should equal the sum of its parts (``expected`` as printed, ``actual`` the
    sum), when the relation is a total of parts."""

    name: str
    expected: float
    actual: float
    detail: str
    total: str = ""


@dataclass(frozen=True)
class RowProblem:
    """A table row whose cells could not all be read: stated, never guessed.

    ``kind`` is "ambiguous" (run-together digits with several readings the table's arithmetic
    allows; ``readings`` lists them, ``keys`` are the cells given no value), "too_many" or
    "too_few" (values for the row's columns), or "unreadable" (too many readings to list).
    """

    kind: str
    table: str
    label: str
    evidence: str  # the row exactly as written
    start: int
    end: int
    columns: int
    found: int  # value tokens written in the row
    keys: tuple[str, ...] = ()
    readings: tuple[tuple[float | None, ...], ...] = ()


@dataclass(frozen=True)
class Extraction:
    statistics: list[StatisticDraft]
    conflicts: list[tuple[int, int]] = field(default_factory=list)
    checks: list[CheckFailure] = field(default_factory=list)
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
