"""What a chart or a table picture shows, checked when built, apart from the drawing.

The bot builds these for every /chart and /compare, but draws them (with matplotlib, a slow
import) only when asked: keeping them here lets the bot start without loading matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

KINDS = ("bar", "line")


@dataclass(frozen=True)
class ChartSeries:
    """The figures of one chart; checked on creation so a bad series fails where it is built."""

    title: str
    kind: str
    labels: list[str]
    values: list[float]
    measure: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"chart kind must be one of {KINDS}, not {self.kind!r}")
        if len(self.labels) != len(self.values):
            raise ValueError(
                f"chart {self.title!r} has {len(self.labels)} labels "
                f"but {len(self.values)} values; they must pair up"
            )
        if not self.values:
            raise ValueError(f"chart {self.title!r} has no figures to draw")
        bad = [v for v in self.values if not math.isfinite(v)]
        if bad:
            raise ValueError(f"chart {self.title!r} has values that are not finite: {bad}")


@dataclass(frozen=True)
class TableRows:
    """What the picture shows: a title, the header, the rows, the totals row, a note."""

    title: str
    header: list[str]
    rows: list[list[str]]
    total: list[str]
    note: str = ""

    def __post_init__(self) -> None:
        widths = {len(self.header), len(self.total), *(len(r) for r in self.rows)}
        if len(widths) != 1:
            raise ValueError(f"table {self.title!r}: rows of different widths {sorted(widths)}")
