"""Charts of one statistic as PNG bytes, with Chinese labels a phone screen can read.

Drawing uses a ``Figure`` on the Agg canvas directly, never pyplot's global figure state, so
charts can be rendered from a worker thread. Matplotlib's own fonts have no Chinese glyphs,
so a CJK font is looked up (``bot/telegram/data/fonts.toml``). Without one the chart is drawn
in ASCII only: Chinese unit names become numbers and ``ChartImage.legend`` names them for the
caption, so a chart never shows tofu boxes.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from matplotlib import font_manager, ft2font
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import MaxNLocator

from bot.qa.wording import number_text
from bot.telegram.picture_data import ChartSeries
from ingest.vocab import load_toml

log = logging.getLogger(__name__)

FIGSIZE = (8.0, 4.5)
DPI = 150
LATIN = "DejaVu Sans"  # bundled with matplotlib, so always there
COLOR = "#3a6ea5"
NOTE_COLOR = "#666666"
GRID_COLOR = "#dddddd"
PLOT_WIDTH_PT = FIGSIZE[0] * 72 * 0.85  # about the width of the axes
LABEL_EM = 12.0  # widest x label; longer unit names are cut
TITLE_EM = 44.0
NOTE_EM = 110.0
FALLBACK_TITLE = "Chart"


@dataclass(frozen=True)
class ChartImage:
    """A rendered chart.

    ``legend`` lists the x labels the font could not show, as ``"<number> <label>"`` lines in
    the order of the numbers drawn in their place; it is [] when every label was drawn.
    """

    png: bytes
    font: str | None
    legend: list[str]


@dataclass(frozen=True)
class _Font:
    family: str
    path: str
    index: int = 0


_lock = threading.Lock()


@cache
def _font_config() -> dict:
    return load_toml("bot.telegram.data", "fonts.toml")


def find_cjk_font(extra_paths: Sequence[str | Path] = ()) -> str | None:
    """Family name of a font with CJK glyphs: configured file paths first, then installed
    families named in bot/telegram/data/fonts.toml, then its file locations, then any installed font
    that can render the probe characters. None when there is none; the answer is cached."""
    font = _cjk_font(_path_key(extra_paths))
    return font.family if font else None


def _path_key(paths: Sequence[str | Path]) -> tuple[str, ...]:
    return tuple(os.path.expanduser(os.fspath(p)) for p in paths)


@cache
def _cjk_font(extra_paths: tuple[str, ...]) -> _Font | None:
    with _lock:
        font = _discover(extra_paths)
    if font is None:
        log.warning("no CJK font found; charts will number their labels instead")
    else:
        log.info("chart font: %s (%s)", font.family, font.path)
    return font


def _discover(extra_paths: tuple[str, ...]) -> _Font | None:
    config = _font_config()
    probe: str = config["probe"]
    for path in _expand(extra_paths):
        if font := _register(path, probe):
            return font
    known = list(font_manager.fontManager.ttflist)
    for family in config["families"]:
        for entry in known:
            if entry.name.casefold() == family.casefold():
                font = _Font(entry.name, str(entry.fname), getattr(entry, "index", 0))
                if _has_glyphs(font.path, font.index, probe):
                    return font
    for path in _expand(config["files"]):
        if font := _register(path, probe):
            return font
    for entry in sorted(known, key=lambda e: (e.name, str(e.fname))):
        font = _Font(entry.name, str(entry.fname), getattr(entry, "index", 0))
        if _has_glyphs(font.path, font.index, probe):
            return font
    return None


def _expand(patterns: Sequence[str]) -> Iterator[str]:
    """Existing files for paths and glob patterns, regular weights before bold ones."""
    for pattern in patterns:
        pattern = os.path.expanduser(pattern)
        if glob.has_magic(pattern):
            matches = glob.glob(pattern, recursive=True)
            heavy = re.compile(r"bold|black|heavy|medium|semibold|demi", re.IGNORECASE)
            yield from sorted(
                (m for m in matches if os.path.isfile(m)),
                key=lambda m: (bool(heavy.search(os.path.basename(m))), m),
            )
        elif os.path.isfile(pattern):
            yield pattern


def _register(path: str, probe: str) -> _Font | None:
    """Make a font file known to matplotlib (once) when it really has the probe glyphs."""
    if not _has_glyphs(path, 0, probe):
        return None
    name = font_manager.ttfFontProperty(_open(path, 0)).name
    manager = font_manager.fontManager
    real = os.path.realpath(path)
    known = any(e.name == name and os.path.realpath(str(e.fname)) == real for e in manager.ttflist)
    if not known:
        manager.addfont(path)
    return _Font(name, path, 0)


def _open(path: str, index: int) -> ft2font.FT2Font:
    return ft2font.FT2Font(path, face_index=index) if index else ft2font.FT2Font(path)


@cache
def _has_glyphs(path: str, index: int, probe: str) -> bool:
    """Whether the font has a real glyph for every probe character. A placeholder font such as
    matplotlib's Last Resort maps every code point (even U+10FFFF) and draws boxes: refused."""
    try:
        font = _open(path, index)
    except (OSError, RuntimeError, ValueError):
        return False
    if font.get_char_index(0x10FFFF):
        return False
    return all(font.get_char_index(ord(ch)) for ch in probe)


@cache
def _charmap(path: str, index: int) -> frozenset[int]:
    return frozenset(_open(path, index).get_charmap())


@cache
def _latin_path() -> str:
    return str(font_manager.findfont(font_manager.FontProperties(family=LATIN)))


def _ascii(ch: str) -> bool:
    return " " <= ch <= "~"


def _covered_by(font: _Font) -> Callable[[str], bool]:
    """Characters the CJK font, or DejaVu Sans behind it, has glyphs for."""
    codes = _charmap(font.path, font.index) | _charmap(_latin_path(), 0)
    return lambda ch: ch.isprintable() and ord(ch) in codes


def _em_width(text: str) -> float:
    """Rough width in em: CJK characters are square, Latin ones about half as wide."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def _cut(text: str, limit: float, ellipsis: str) -> str:
    if _em_width(text) <= limit:
        return text
    kept = ""
    for ch in text:
        if _em_width(kept + ch + ellipsis) > limit:
            break
        kept += ch
    return kept.rstrip() + ellipsis


def _value_text(value: float) -> str:
    """Figures as the text answers write them; huge ones short enough to sit on a bar."""
    return number_text(value) if abs(value) < 1e9 else f"{value:.3g}"


def _clean(text: str, covers: Callable[[str], bool]) -> str:
    """The part of a title the font can show, e.g. 'Lawsuits (件)' → 'Lawsuits' in ASCII;
    '' when nothing readable (no letter or digit) is left."""
    kept = "".join(ch if covers(ch) else " " for ch in " ".join(text.split()))
    kept = re.sub(r"\(\s*\)|\[\s*\]|\{\s*\}|（\s*）|【\s*】", " ", kept)
    kept = " ".join(kept.split()).strip(" :;,.-_/|·")
    return kept if any(ch.isalnum() for ch in kept) else ""


def _whole(text: str, covers: Callable[[str], bool]) -> str:
    """The text when the font can show all of it, else '' (half a footnote misleads)."""
    text = " ".join(text.split())
    return text if all(map(covers, text)) else ""


@dataclass(frozen=True)
class TextFonts:
    """The fonts a picture's text is drawn in, which characters they can show, and the
    ellipsis to cut long labels with; shared by charts and table pictures."""

    font: _Font | None
    families: list[str]
    covers: Callable[[str], bool]
    ellipsis: str

    @property
    def family(self) -> str | None:
        return self.font.family if self.font else None

    def fit(self, text: str, limit_em: float) -> str:
        """The text cut to about ``limit_em`` em with the ellipsis."""
        return _cut(text, limit_em, self.ellipsis)


def text_fonts(font_paths: Sequence[str | Path] = (), force_no_cjk: bool = False) -> TextFonts:
    """A CJK font when there is one (configured files first), else DejaVu Sans in ASCII."""
    font = None if force_no_cjk else _cjk_font(_path_key(font_paths))
    if font is None:
        return TextFonts(None, [LATIN], _ascii, "...")
    covers = _covered_by(font)
    return TextFonts(font, [font.family, LATIN], covers, "…" if covers("…") else "...")


def render_chart(
    series: ChartSeries, font_paths: Sequence[str | Path] = (), force_no_cjk: bool = False
) -> ChartImage:
    """Draw the series as a PNG for a phone screen (8x4.5 in at 150 dpi).

    ``font_paths`` are configured font files tried first; ``force_no_cjk`` draws the ASCII
    fallback even when a CJK font is installed.
    """
    fonts = text_fonts(font_paths, force_no_cjk)
    font, families, covers, ellipsis = fonts.font, fonts.families, fonts.covers, fonts.ellipsis

    shown: list[str] = []
    legend: list[str] = []
    for number, label in enumerate(series.labels, 1):
        text = " ".join(str(label).split())
        if all(map(covers, text)):
            shown.append(_cut(text, LABEL_EM, ellipsis))
        else:
            shown.append(str(number))
            legend.append(f"{number} {''.join(ch for ch in text if ch.isprintable())}")
    title = _cut(_clean(series.title, covers) or FALLBACK_TITLE, TITLE_EM, ellipsis)
    measure = _cut(_whole(series.measure, covers), LABEL_EM, ellipsis)
    note = _cut(_whole(series.note, covers), NOTE_EM, ellipsis)

    figure = _draw(series, shown, title, measure, note, families)
    buffer = BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return ChartImage(png=buffer.getvalue(), font=font.family if font else None, legend=legend)


def _draw(
    series: ChartSeries,
    labels: list[str],
    title: str,
    measure: str,
    note: str,
    families: list[str],
) -> Figure:
    values = [float(v) for v in series.values]
    count = len(values)
    xs = list(range(count))
    text: dict[str, Any] = {"fontfamily": families, "parse_math": False}  # '$' is no mathtext
    tick_size = 10 if count <= 12 else 9 if count <= 20 else 8 if count <= 35 else 6
    value_size = tick_size - 1
    slot = PLOT_WIDTH_PT / count
    value_texts = [_value_text(v) for v in values]
    upright_values = max(_em_width(t) for t in value_texts) * value_size <= slot * 0.95

    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    if series.kind == "bar":
        bars = ax.bar(xs, values, width=0.7, color=COLOR)
        ax.bar_label(
            bars,
            labels=value_texts,
            padding=2,
            fontsize=value_size,
            rotation=0 if upright_values else 90,
            **text,
        )
    else:
        ax.plot(xs, values, color=COLOR, marker="o", linewidth=2)
        for x, y, label in zip(xs, values, value_texts, strict=True):
            ax.annotate(
                label,
                (x, y),
                xytext=(0, 5),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=value_size,
                rotation=0 if upright_values else 90,
                **text,
            )

    widest = max((_em_width(label) for label in labels), default=0.0) * tick_size
    if widest <= slot * 0.95:
        rotation, ha, va = 0, "center", "top"
    elif count <= 30:
        rotation, ha, va = 45, "right", "top"
    else:
        rotation, ha, va = 90, "right", "center"
    ax.set_xticks(
        xs,
        labels,
        fontsize=tick_size,
        rotation=rotation,
        ha=ha,
        va=va,
        rotation_mode="anchor",
        **text,
    )
    ax.set_xlim(-0.6, count - 0.4)

    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    headroom = 0.12 if upright_values else 0.25
    ax.set_ylim(low - (span * 0.08 if low < 0 else 0.0), high + span * headroom)
    if all(v.is_integer() for v in values):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if span < 1e7:
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    ax.tick_params(axis="y", labelsize=9, labelfontfamily=LATIN)
    if measure:
        upright = _em_width(measure) <= 2
        ax.set_ylabel(
            measure,
            fontsize=10,
            rotation=0 if upright else 90,
            ha="right" if upright else "center",
            va="center",
            **text,
        )
    ax.set_title(title, fontsize=13, **text)
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.grid(True, color=GRID_COLOR, linewidth=0.8)
    ax.set_axisbelow(True)
    if note:
        engine = figure.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):  # always: the figure is "constrained"
            engine.set(rect=(0, 0.05, 1, 0.95))
        figure.text(0.01, 0.01, note, fontsize=7, color=NOTE_COLOR, ha="left", va="bottom", **text)
    return figure
