"""HTML pages: the article's text as lines, its data tables as pipe rows, in document order.

Government sites wrap articles in navigation, scripts and sometimes whole-page layout tables;
only the article's words and its real tables are wanted.  The article is picked by
readability-lxml (chosen over trafilatura and jusText by measurement on saved portal pages: it
kept every sentence of the report, no site chrome, and the tables with their rowspan/colspan,
which trafilatura drops and jusText does not keep as tables); its tables are then read cell by
cell here, merged cells expanded.

Hostile pages are refused before any parser runs, with one line: over ``MAX_HTML_BYTES``
(5 MB; a report page is well under 1 MB), over ``MAX_TAGS`` tags (100,000) or tables nested
deeper than ``MAX_TABLE_DEPTH`` (32).  Within those limits a page reads in a few seconds and a
few hundred MB at most.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, CData, NavigableString, Tag
from readability import Document

from ingest.readers.base import RefusedFile, clean_cell, pipe_rows
from ingest.readers.encoding import decode
from ingest.readers.refusals import refuse_binary_text
from ingest.reasons import Code

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
MAX_HTML_BYTES = 5 * 1024 * 1024
MAX_TAGS = 100_000
MAX_TABLE_DEPTH = 32
# An article shorter than this (visible characters) is taken for a failed pick: the whole
# page is read instead, as a page of bare content would be.
MIN_ARTICLE_CHARS = 200
MAX_TITLE_CHARS = 80

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
_TAG = re.compile(r"<[A-Za-z/!]")
_TABLE_TAG = re.compile(r"<(/?)table\b", re.IGNORECASE)
_TITLE_CLASS = re.compile(r"title|biaoti|bt", re.IGNORECASE)
_REPORT_TITLE = re.compile(r"报\s*告|報\s*告")  # 年 度 报 告, spaced out by old editors


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


def _soup(markup: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(markup, "lxml")


def _with_title(lines: list[str], titles: list[str]) -> list[str]:
    for title in titles:
        if title and not any(title in line for line in lines):
            return [clean_cell(title), *lines]
        if title:
            break
    return lines


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page: block elements one per line, tables as pipe rows."""
    soup = _soup(markup)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    return "\n".join(_with_title(_render(soup), [title]))


def _report_title(soup: BeautifulSoup) -> str:
    """The article's own heading: an h1/h2 or a "title" cell that names a report (old
    portals put it in ``<div class="title">`` outside the article's cell)."""
    for tag in soup.find_all(["h1", "h2", "div", "td", "p", "span"]):
        if tag.name in ("div", "td", "p", "span"):
            classes: str | list[str] = tag.get("class") or []
            names = " ".join([*classes, str(tag.get("id", ""))])
            if not _TITLE_CLASS.search(names):
                continue
        text = clean_cell(tag.get_text(" ", strip=True))
        if text and len(text) <= MAX_TITLE_CHARS and _REPORT_TITLE.search(text):
            return text
    return ""


def article_to_text(markup: str) -> str:
    """The article of a saved page (readability-lxml picks it), titled, tables as pipe rows.

    A page readability cannot find an article in is read whole, as ``html_to_text`` does.
    """
    soup = _soup(markup)
    article = _soup(Document(markup).summary(html_partial=True))
    lines = _render(article)
    if sum(len(line) for line in lines) < MIN_ARTICLE_CHARS:
        return html_to_text(markup)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    return "\n".join(_with_title(lines, [_report_title(soup), title]))


_SAVE_OTHERWISE = "save the report as text, PDF or DOCX instead"


def check_limits(markup: str) -> None:
    """Refuse pages that would cost unbounded time or memory, before any parser sees them."""
    size = len(markup.encode("utf-8", "replace"))
    if size > MAX_HTML_BYTES:
        raise RefusedFile(
            Code.HTML_TOO_LARGE,
            "HTML page of {size_mb:.1f} MB is over the {limit_mb} MB limit for web pages; "
            + _SAVE_OTHERWISE,
            size_mb=size / 1e6,
            limit_mb=MAX_HTML_BYTES // 2**20,
        )
    tags = sum(1 for _ in _TAG.finditer(markup))
    if tags > MAX_TAGS:
        raise RefusedFile(
            Code.HTML_TOO_MANY_TAGS,
            "HTML page has {tags} tags, over the limit of {limit}; " + _SAVE_OTHERWISE,
            tags=tags,
            limit=MAX_TAGS,
        )
    depth = deepest = 0
    for m in _TABLE_TAG.finditer(markup):
        depth = max(0, depth - 1) if m.group(1) else depth + 1
        deepest = max(deepest, depth)
        if deepest > MAX_TABLE_DEPTH:
            raise RefusedFile(
                Code.HTML_TOO_DEEP,
                "HTML page nests tables more than {limit} deep; " + _SAVE_OTHERWISE,
                limit=MAX_TABLE_DEPTH,
            )


def read_html(data: bytes) -> tuple[str, str]:
    """Decode (honouring a valid declared charset) and extract; returns (text, codec)."""
    markup, codec = decode(data, declared_charset(data))
    refuse_binary_text(markup)
    check_limits(markup)
    try:
        text = article_to_text(markup)
    except Exception as exc:  # parser bugs on hostile markup become a refusal, not a crash
        error = type(exc).__name__
        raise RefusedFile(Code.HTML_UNREADABLE, "unreadable HTML ({error})", error=error) from exc
    if not text.strip():
        raise RefusedFile(Code.HTML_NO_TEXT, "no visible text in the HTML page")
    return text, codec
