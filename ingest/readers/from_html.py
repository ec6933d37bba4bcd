"""HTML pages: visible text as lines, data tables as pipe rows, in document order.

Government sites wrap articles in navigation, scripts and sometimes whole-page
layout tables; only the article's words and its real tables are wanted.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, CData, NavigableString, Tag

from ingest.readers.base import RefusedFile, clean_cell, pipe_rows
from ingest.readers.encoding import decode
from ingest.readers.refusals import refuse_binary_text

# fmt: off
NOISE_TAGS = frozenset((
    "script", "style", "nav", "header", "footer", "noscript", "template", "iframe", "object",
    "embed", "svg", "canvas", "head", "select", "button",
))
BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "hgroup", "hr", "html", "legend", "li", "main", "menu", "ol", "p",
    "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul",
))
# fmt: on
MAX_COLSPAN = 64
MAX_ROWSPAN = 1000
SNIFF_BYTES = 4096

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# CSS Text segment-break rule: a source line break between two wide (CJK) characters
# disappears instead of becoming a space, as a browser renders "政府\n信息" as 政府信息.
_WIDE = r"\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SEGMENT_BREAK = re.compile(rf"(?<=[{_WIDE}])[ \t]*[\r\n][ \t\r\n]*(?=[{_WIDE}])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first few KB (meta tag or XML declaration)."""
    head = data[:SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def _span(cell: Tag, name: str, limit: int) -> int:
    try:
        value = int(str(cell.get(name, "1")).strip() or "1")
    except ValueError:
        return 1
    return min(max(value, 1), limit)


def _own_rows(table: Tag) -> list[Tag]:
    """Rows of this table, not of tables nested in it."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _own_cells(row: Tag) -> list[Tag]:
    return [c for c in row.find_all(["td", "th"], recursive=False)]


def _is_data_table(table: Tag) -> bool:
    """A layout table (nesting tables, or one cell around the article) is walked as blocks."""
    if table.find("table") is not None:
        return False
    return sum(len(_own_cells(tr)) for tr in _own_rows(table)) > 1


def _skip_covered(row: list[str], covered: dict[int, int]) -> None:
    """Blank cells for the columns a rowspan from above still covers at the row's end."""
    while covered.get(len(row), 0) > 0:
        covered[len(row)] -= 1
        row.append("")


def table_grid(table: Tag) -> list[list[str]]:
    """Rows of cell texts with spans resolved: a merged cell once, blanks for what it covers."""
    grid: list[list[str]] = []
    covered: dict[int, int] = {}  # column → rows still covered by a rowspan from above
    for tr in _own_rows(table):
        row: list[str] = []
        for cell in _own_cells(tr):
            _skip_covered(row, covered)
            colspan = _span(cell, "colspan", MAX_COLSPAN)
            rowspan = _span(cell, "rowspan", MAX_ROWSPAN)
            start = len(row)
            row.append(clean_cell(" ".join(_render(cell, in_cell=True))))
            row.extend([""] * (colspan - 1))
            if rowspan > 1:
                for col in range(start, start + colspan):
                    covered[col] = rowspan - 1
        while any(n > 0 for col, n in covered.items() if col >= len(row)):
            _skip_covered(row, covered)
            if any(n > 0 for col, n in covered.items() if col > len(row)):
                row.append("")
        grid.append(row)
    return grid


def _hidden(tag: Tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))


def _render(root: Tag, in_cell: bool = False) -> list[str]:
    """Lines of visible text under ``root``; iterative so deep nesting cannot overflow."""
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        line = _CJK_SEGMENT_BREAK.sub("", "".join(buffer))
        line = _HTML_SPACE.sub(" ", line).strip()
        buffer.clear()
        if line:
            lines.append(line)

    stack: list[tuple[object, bool]] = [(child, False) for child in reversed(root.contents)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            flush()
        elif isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):
                buffer.append(str(node))
        elif isinstance(node, Tag) and node.name not in NOISE_TAGS and not _hidden(node):
            if node.name == "br":
                flush()
            elif node.name == "pre":
                flush()
                lines.extend(s.rstrip() for s in node.get_text().splitlines() if s.strip())
            elif node.name == "table" and not in_cell and _is_data_table(node):
                flush()
                lines.extend(pipe_rows(table_grid(node)))
            else:
                if node.name in BLOCK_TAGS:
                    flush()
                    stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return lines


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page: block elements one per line, tables as pipe rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(markup, "lxml")
    lines = _render(soup)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if title and not any(title in line for line in lines):
        lines.insert(0, clean_cell(title))
    return "\n".join(lines)


def read_html(data: bytes) -> tuple[str, str]:
    """Decode (honouring a valid declared charset) and extract; returns (text, codec)."""
    markup, codec = decode(data, declared_charset(data))
    refuse_binary_text(markup)
    try:
        text = html_to_text(markup)
    except Exception as exc:  # parser bugs on hostile markup become a refusal, not a crash
        raise RefusedFile(f"unreadable HTML ({type(exc).__name__})") from exc
    if not text.strip():
        raise RefusedFile("no visible text in the HTML page")
    return text, codec
