"""A comparison table drawn as a PNG for a phone screen, with the chart renderer's fonts.

Like the charts, the picture is drawn on a ``Figure`` of its own (no pyplot state), so it can be
made in a worker thread, and a unit name the font cannot show is numbered, with the numbers
named in ``TableImage.legend`` for the caption. Every figure in the picture is also in the XLSX
sent with it, with its source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.telegram.chart import DPI, text_fonts
from bot.telegram.picture_data import TableRows

WIDTH_IN = 8.0
ROW_IN = 0.32
HEAD_IN = 0.9  # title and header row
FOOT_IN = 0.45  # the note under the table
HEADER_COLOR = "#dde7f3"
TOTAL_COLOR = "#f2f2f2"
STRIPE_COLOR = "#fafafa"
NOTE_COLOR = "#666666"
CELL_EM = 14.0  # widest text of a cell; longer unit names are cut
TITLE_EM = 44.0


@dataclass(frozen=True)
class TableImage:
    png: bytes
    font: str | None
    legend: list[str]  # "<number> <name>" for names drawn as numbers


def render_table(
    table: TableRows, font_paths: Sequence[str | Path] = (), force_no_cjk: bool = False
) -> TableImage:
    """Draw the table: the header shaded at the top, the totals shaded at the bottom."""
    fonts = text_fonts(font_paths, force_no_cjk)
    legend: list[str] = []
    body: list[list[str]] = []
    for number, values in enumerate(table.rows, 1):
        first = " ".join(values[0].split())
        if all(map(fonts.covers, first)):
            first = fonts.fit(first, CELL_EM)
        else:
            legend.append(f"{number} {first}")
            first = str(number)
        body.append([first, *values[1:]])

    def shown(text: str) -> str:
        clean = " ".join(text.split())
        return fonts.fit(clean, CELL_EM) if all(map(fonts.covers, clean)) else ""

    header = [shown(h) or f"#{i}" for i, h in enumerate(table.header)]
    total = [shown(t) for t in table.total]
    clean_title = " ".join(table.title.split())
    title = clean_title if all(map(fonts.covers, clean_title)) else "Table"
    note = " ".join(table.note.split()) if all(map(fonts.covers, table.note)) else ""

    height = HEAD_IN + ROW_IN * (len(body) + 1) + (FOOT_IN if note else 0.2)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    ax = figure.add_axes((0.02, (FOOT_IN if note else 0.2) / height, 0.96, 1 - HEAD_IN / height))
    ax.axis("off")
    text: dict[str, Any] = {"fontfamily": fonts.families}
    cells = ax.table(cellText=[*body, total], colLabels=header, loc="upper center", cellLoc="right")
    cells.auto_set_font_size(False)
    cells.set_fontsize(9 if len(header) <= 4 else 8)
    cells.auto_set_column_width(list(range(len(header))))
    for (row, col), cell in cells.get_celld().items():
        cell.set_height(1.0 / (len(body) + 2))
        cell.get_text().set_fontfamily(fonts.families)
        cell.set_edgecolor("#cccccc")
        if col == 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.03
        if row == 0:
            cell.set_facecolor(HEADER_COLOR)
        elif row == len(body) + 1:
            cell.set_facecolor(TOTAL_COLOR)
        elif row % 2 == 0:
            cell.set_facecolor(STRIPE_COLOR)
    figure.suptitle(fonts.fit(title, TITLE_EM), fontsize=12, y=1 - 0.25 / height, **text)
    if note:
        figure.text(0.02, 0.12 / height, note, fontsize=7, color=NOTE_COLOR, **text)
    buffer = BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return TableImage(png=buffer.getvalue(), font=fonts.family, legend=legend)
