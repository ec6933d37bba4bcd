"""A comparison as an aligned text table for the terminal, written in a stream.

Widths come from a first pass over the rows (nothing is kept), so the table lines up however
many units there are; CJK characters count as two columns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import IO

from bot.qa.comparison import Cell, Comparison, Row, Totals
from bot.qa.wording import number_text
from bot.spreadsheets.comparison_files import value_header, words

_GAP = "  "


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def _parts(cell: Cell | None) -> tuple[str, str]:
    """(figure with its source mark, passage link) of a cell; blank for no figure."""
    if cell is None:
        return "", ""
    mark = words()["marks"].get(cell.source, "")
    link = f"#{cell.passage_id}" if cell.passage_id is not None else ""
    return f"{number_text(cell.value)}{mark}", link


class _Layout:
    """Column widths: the unit and year, then each statistic's figure and link parts."""

    def __init__(self, header: list[str], columns: int) -> None:
        self.header = header
        self.first = [_width(header[0]), _width(header[1])]
        self.figure = [0] * columns
        self.link = [0] * columns

    def see(self, row: Row) -> None:
        self.first = [max(self.first[0], _width(row.unit)), max(self.first[1], 4)]
        for i, cell in enumerate(row.cells):
            figure, link = _parts(cell)
            self.figure[i] = max(self.figure[i], _width(figure))
            self.link[i] = max(self.link[i], _width(link))

    def widths(self, totals: list[str]) -> list[int]:
        cells = [
            max(_width(h), f + 1 + k, _width(t))
            for h, f, k, t in zip(self.header[2:], self.figure, self.link, totals, strict=True)
        ]
        return self.first + cells

    def cell(self, i: int, cell: Cell | None, width: int) -> str:
        figure, link = _parts(cell)
        if not figure:
            return ""
        text = _pad(figure, self.figure[i], right=True) + " " + _pad(link, self.link[i])
        return _pad(text, width, right=True)


def _line(texts: Iterable[str], widths: list[int]) -> str:
    parts = [_pad(t, w, right=i >= 2) for i, (t, w) in enumerate(zip(texts, widths, strict=True))]
    return _GAP.join(parts).rstrip()


def write_table(comparison: Comparison, out: IO[str]) -> Totals:
    """Header, one line per row, the totals line (sum and how many units give a figure)."""
    w = words()["comparison"]
    key = "total_source_years" if comparison.request.by_year else "total_source"
    header = [w["unit"], w["year"]] + [value_header(c) for c in comparison.columns]
    layout = _Layout(header, len(comparison.columns))
    totals = Totals.of(len(comparison.columns))
    for row in comparison.rows():
        layout.see(row)
        totals.add(row)
    sums = [
        f"{number_text(s) if n else '—'} ({w[key].format(count=n)})"
        for s, n in zip(totals.sums, totals.counts, strict=True)
    ]
    widths = layout.widths(sums)
    out.write(_line(header, widths) + "\n")
    out.write(_GAP.join("-" * n for n in widths) + "\n")
    for row in comparison.rows():
        texts = [row.unit, str(row.year)]
        texts += [layout.cell(i, c, widths[i + 2]) for i, c in enumerate(row.cells)]
        out.write(_line(texts, widths) + "\n")
    out.write(_line([w["total"], "", *sums], widths) + "\n")
    out.write(words()["marks"]["legend"] + "\n")
    return totals
