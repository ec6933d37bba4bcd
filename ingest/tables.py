"""Find the tables in a report's original text, whatever shape the reader left them in.

Shapes seen in the corpus:

- pipe rows (``| label | 件 | 4 |``, Markdown or a reader's rendering of HTML/DOCX/PDF tables);
- tab-separated rows (``label<TAB>件<TAB>4``);
- one cell per line, a row being a block of lines separated by empty lines (a Word table
  pasted as text: label line, measure line, number line; a long label may wrap onto a
  continuation line);
- loose rows of a label followed by whitespace-separated numbers, or a bare row of numbers
  (a flattened national-template table 四 whose header was lost).

Offsets always point into the original text so evidence can quote it exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
_NUMBER = r"(?:[-+－]?\d[\d,，]*(?:\.\d+)?|[-—–/－]{1,2}|/)"
_NUMERIC_CELL = re.compile(rf"^\s*{_NUMBER}?\s*$")
_LOOSE_ROW = re.compile(rf"^(?P<label>.*?[^\d\s.,，])?(?P<nums>(?:[ \t\u3000]+{_NUMBER})+)\s*$")
_BARE_NUMBERS = re.compile(rf"^\s*{_NUMBER}(?:[ \t\u3000]+{_NUMBER}){{2,}}\s*$")
_TITLE_HINT = re.compile(r"表\s*$|统计表|統計表|情况表|情況表")
_BLANKISH = "\u3000\u00a0 \t"
_MAX_LOOSE_LABEL = 60
_MAX_LOOSE_LINE = 300
_MAX_SHORT_LABEL = 12
_MAX_HEADER = 30
_MAX_HEADERS = 3
_MIN_BARE_ROW = 10
MEASURES = frozenset(
    ("条", "件", "次", "个", "人", "人次", "篇", "万元", "元", "项", "家", "期", "场", "份", "户")
)
_MEASURE_CELL = re.compile(r"^[条件次个人篇万元项家期场份户名处/（）()]{1,5}$")


def is_measure_cell(cell: str) -> bool:
    """A measure cell (件, 人次, 万元, 个/人 …), in simplified or traditional characters."""
    body = cell.strip(_BLANKISH).replace("條", "条").replace("萬", "万").replace("個", "个")
    return body in MEASURES or bool(_MEASURE_CELL.match(body))


@dataclass(frozen=True)
class Row:
    """Cells as written (stripped); offsets cover every line of the row."""

    cells: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Table:
    """Consecutive rows of one shape; ``title`` is "" when none is found."""

    title: str
    start: int
    end: int
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class _Line:
    text: str
    start: int
    end: int

    @property
    def blank(self) -> bool:
        return not self.text.strip(_BLANKISH + "\r")


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        body = raw[:-1] if raw.endswith("\r") else raw
        out.append(_Line(body, pos, pos + len(body)))
        pos = end + 1
    return out


def _clean(cell: str) -> str:
    return cell.strip(_BLANKISH + "\r")


def is_numeric_cell(cell: str) -> bool:
    """A number, or a "not given" mark (blank, /, -, —)."""
    return bool(_NUMERIC_CELL.match(cell.strip(_BLANKISH)))


# --- pipe rows ---------------------------------------------------------------------------


def _pipe_cells(line: str) -> tuple[str, ...] | None:
    if line.count("|") < 2:
        return None
    body = line.strip(_BLANKISH + "\r")
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return tuple(_clean(c) for c in body.split("|"))


def _pipe_tables(lines: list[_Line]) -> Iterator[list[Row]]:
    rows: list[Row] = []
    gap = 0
    for line in lines:
        cells = _pipe_cells(line.text)
        if cells is None:
            if line.blank and rows and gap == 0:
                gap += 1
                continue
            if rows:
                yield rows
            rows, gap = [], 0
            continue
        gap = 0
        if all(_SEPARATOR_CELL.match(c) for c in cells if c) and any(cells):
            continue
        rows.append(Row(cells, line.start, line.end))
    if rows:
        yield rows


# --- tab rows ----------------------------------------------------------------------------


def _tab_cells(line: str) -> tuple[str, ...] | None:
    if "\t" not in line.strip(_BLANKISH):
        return None
    cells = tuple(_clean(c) for c in line.strip("\r").split("\t"))
    while cells and not cells[0]:
        cells = cells[1:]
    return cells if sum(1 for c in cells if c) >= 2 else None


def _tab_tables(lines: list[_Line]) -> Iterator[list[Row]]:
    rows: list[Row] = []
    for line in lines:
        cells = _tab_cells(line.text)
        if cells is None:
            if len(rows) >= 2:
                yield rows
            rows = []
            continue
        rows.append(Row(cells, line.start, line.end))
    if len(rows) >= 2:
        yield rows


# --- one cell per line -------------------------------------------------------------------


def _blocks(lines: list[_Line]) -> Iterator[list[_Line]]:
    """Runs of lines separated by truly empty lines (a cell may be whitespace only)."""
    block: list[_Line] = []
    for line in lines:
        if line.text.strip("\r") == "":
            if block:
                yield block
            block = []
        else:
            block.append(line)
    if block:
        yield block


def _split_block(block: list[_Line]) -> list[list[_Line]]:
    """A block holding several rows (no empty line between them) split at each label line."""
    if len(block) <= 4:
        return [block]
    parts: list[list[_Line]] = []
    for line in block:
        cell = _clean(line.text)
        if not parts or (cell and not is_numeric_cell(cell) and not is_measure_cell(cell)):
            parts.append([line])
        else:
            parts[-1].append(line)
    return parts


def _block_row(block: list[_Line]) -> Row | None:
    """A block read as a row: each tab-led line starts a cell, other lines continue one."""
    tabbed = [ln.text.startswith("\t") for ln in block]
    cells: list[str] = []
    if any(tabbed):
        if not tabbed[0]:
            return None
        for line, starts in zip(block, tabbed, strict=True):
            if starts or not cells:
                cells.append(_clean(line.text))
            else:
                cells[-1] += _clean(line.text)
    else:
        cells = [_clean(ln.text) for ln in block]
    if len(cells) < 2 or len(cells) > 20:
        return None
    if len(cells) > 4 and not all(is_numeric_cell(c) or is_measure_cell(c) for c in cells[1:]):
        return None
    if any(len(c) > 120 or "。" in c for c in cells):
        return None
    return Row(tuple(cells), block[0].start, block[-1].end)


def _numeric_row(row: Row) -> bool:
    last = row.cells[-1]
    return bool(last) and is_numeric_cell(last) and not is_numeric_cell(row.cells[0])


def _cell_tables(lines: list[_Line]) -> Iterator[list[Row]]:
    rows: list[Row] = []
    numeric = 0

    def done() -> Iterator[list[Row]]:
        if numeric >= 3:
            while rows and not is_numeric_cell(rows[-1].cells[-1]):
                rows.pop()
            yield list(rows)

    for block in (part for whole in _blocks(lines) for part in _split_block(whole)):
        row = _block_row(block)
        if row is None:
            if len(block) == 1 and rows:
                continue
            yield from done()
            rows, numeric = [], 0
            continue
        if _numeric_row(row):
            numeric += 1
        elif any(c and not is_numeric_cell(c) for c in row.cells[1:]) and all(
            len(c) > 12 for c in row.cells
        ):
            yield from done()
            rows, numeric = [], 0
            continue
        rows.append(row)
    yield from done()


# --- loose rows: label then numbers ------------------------------------------------------


def _loose_cells(line: str) -> tuple[str, ...] | None:
    body = line.strip(_BLANKISH + "\r")
    if not body or "|" in body or "\t" in body or len(body) > _MAX_LOOSE_LINE:
        return None
    if _BARE_NUMBERS.match(body):
        return tuple(body.split())
    m = _LOOSE_ROW.match(body)
    if not m or not m.group("label"):
        return None
    label = m.group("label").strip()
    nums = m.group("nums").split()
    if len(label) > _MAX_LOOSE_LABEL or re.search(r"[。；;：:，,]$|[。；;]", label):
        return None
    with_measure = re.search(r"[\u4e00-\u9fff][ \t\u3000]+\S{1,3}$", label)
    if len(nums) == 1 and len(label) > _MAX_SHORT_LABEL and not with_measure:
        return None
    return (label, *nums)


def _header_line(line: str) -> bool:
    """A short line between loose rows (a block or column heading) that does not end them."""
    body = line.strip(_BLANKISH + "\r")
    return len(body) <= _MAX_HEADER and not re.search(r"[。，,；;]|\d{5,}", body)


def _loose_tables(lines: list[_Line]) -> Iterator[list[Row]]:
    rows: list[Row] = []
    headers = 0
    for line in lines:
        if line.blank:
            continue
        cells = _loose_cells(line.text)
        if cells is None:
            if rows and _header_line(line.text) and headers < _MAX_HEADERS:
                headers += 1
                continue
            if _enough(rows):
                yield rows
            rows, headers = [], 0
            continue
        headers = 0
        rows.append(Row(cells, line.start, line.end))
    if _enough(rows):
        yield rows


def _enough(rows: list[Row]) -> bool:
    """Two loose rows make a table; one alone only if it is a long row of bare numbers."""
    if len(rows) >= 2:
        return True
    return (
        len(rows) == 1
        and len(rows[0].cells) >= _MIN_BARE_ROW
        and all(is_numeric_cell(c) for c in rows[0].cells)
    )


# --- assembly ----------------------------------------------------------------------------


def _title(lines: list[_Line], rows: list[Row]) -> str:
    """The table's own title cell, else a title-like line just above it."""
    first = rows[0]
    for cell in first.cells:
        if cell and _TITLE_HINT.search(cell) and not is_numeric_cell(cell) and len(cell) <= 60:
            return cell
    before = [ln for ln in lines if ln.end <= first.start and not ln.blank][-4:]
    for line in reversed(before):
        body = _clean(line.text).strip("|").strip()
        if body and len(body) <= 40 and _TITLE_HINT.search(body):
            return body
    return ""


def find_tables(text: str) -> list[Table]:
    """Every table in ``text`` in document order; shapes never overlap (first found wins)."""
    lines = _lines(text)
    found: list[list[Row]] = []
    taken: list[tuple[int, int]] = []
    for finder in (_pipe_tables, _tab_tables, _cell_tables, _loose_tables):
        for rows in finder(lines):
            if not rows or all(sum(1 for c in r.cells if c) < 2 for r in rows):
                continue
            span = (rows[0].start, rows[-1].end)
            if any(span[0] < e and s < span[1] for s, e in taken):
                continue
            taken.append(span)
            found.append(rows)
    found.sort(key=lambda rows: rows[0].start)
    return [Table(_title(lines, rows), rows[0].start, rows[-1].end, tuple(rows)) for rows in found]
