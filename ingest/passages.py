"""Split a report into its section tree and into quotable passages.

A passage is what an answer quotes: roughly a paragraph, long paragraphs cut at
sentence ends, and every table row on its own.  Each passage keeps its offsets
into the original text, so quotes are exact even after hard-wrapped PDF lines
(``政府信\\n\\n息公开``) were rejoined in the normalised form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from ingest.flat_layout import Block, clip, flat_layout, paragraphs, table_rows, title_block
from ingest.tables import Table, find_tables
from ingest.text import normalise
from ingest.vocab import load_toml

MAX_PASSAGE_CHARS = 300  # normalised characters; longer paragraphs are cut at sentence ends
TARGET_PASSAGE_CHARS = 200
SECTION_SEPARATOR = " / "

_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』)）]*")
_TERMINAL = re.compile(r"[。！？；：:!?;][”’」』)）]*$")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*)$")
_TITLE_WORDS = re.compile(r"报告|年报")
_CONTENT = re.compile(r"[\w\u4e00-\u9fff]")
_INNER_SENTENCE_END = re.compile(r"[。！？!?]")
_TITLE_MAX_CHARS = 50
WRAP_SHARE = 0.3  # share of prose lines at one width that marks a hard-wrapped document
WRAP_SLACK = 4  # first lines of paragraphs are indented, so wrapped lines run a little short


@dataclass(frozen=True)
class PassageDraft:
    """A passage before it has a database id."""

    ord: int
    kind: str  # heading, paragraph, table_row
    section: str  # section path, outermost first
    text: str  # original text: report_text[start:end]
    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class _HeadingRule:
    name: str
    pattern: re.Pattern[str]
    level: int
    max_chars: int


@dataclass(frozen=True)
class _HeadingRules:
    rules: tuple[_HeadingRule, ...]
    sentence_end: re.Pattern[str]
    value_after_colon: re.Pattern[str]
    markdown_offset: int


@cache
def _heading_rules() -> _HeadingRules:
    data = load_toml("ingest.data", "headings.toml")
    rules = tuple(
        _HeadingRule(h["name"], re.compile(h["pattern"]), h["level"], h["max_chars"])
        for h in data["heading"]
    )
    return _HeadingRules(
        rules,
        re.compile(data["prose"]["sentence_end"]),
        re.compile(data["prose"]["value_after_colon"]),
        data["markdown"]["level_offset"],
    )


def heading_level(line: str) -> int | None:
    """The section depth of a heading line, or None when the line is prose.

    A level of 0 marks a document title (a Markdown ``#`` line).
    """
    rules = _heading_rules()
    markdown = _MARKDOWN_HEADING.match(line)
    body = normalise(markdown.group(2) if markdown else line).rstrip("?")
    if not body or rules.sentence_end.search(body) or rules.value_after_colon.search(body):
        return None
    if _INNER_SENTENCE_END.search(body):
        return None
    for rule in rules.rules:
        if rule.pattern.match(body) and len(body) <= rule.max_chars:
            return rule.level
    if markdown:
        return max(0, len(markdown.group(1)) + rules.markdown_offset)
    return None


@dataclass
class _Span:
    start: int
    end: int


def _lines(text: str, start: int, end: int) -> Iterable[_Span]:
    """Line spans of text[start:end], trimmed of surrounding whitespace (empty lines kept)."""
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        s, e = pos, stop
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        yield _Span(s, e)
        pos = stop + 1


def _sentence_chunks(text: str, start: int, end: int) -> list[_Span]:
    """Cut a long paragraph at sentence ends into pieces of a readable size."""
    cuts = [m.end() for m in _SENTENCE_END.finditer(text, start, end)]
    if not cuts or cuts[-1] != end:
        cuts.append(end)
    chunks: list[_Span] = []
    chunk_start = start
    prev = start
    for cut in cuts:
        if len(normalise(text[chunk_start:cut])) > TARGET_PASSAGE_CHARS and prev > chunk_start:
            chunks.append(_Span(chunk_start, prev))
            chunk_start = prev
        prev = cut
    chunks.append(_Span(chunk_start, end))
    out: list[_Span] = []
    for chunk in chunks:
        s, e = chunk.start, chunk.end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(_Span(s, e))
    return out


class _Builder:
    """Walks the text once, keeping the heading stack and the open paragraph."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.wrap_width = _wrap_width(text)
        self.passages: list[PassageDraft] = []
        self.stack: list[tuple[int, str]] = []
        self.paragraph: _Span | None = None
        self.paragraph_closed = True
        self.layouts: dict[int, list[Block] | None] = {}

    @property
    def section(self) -> str:
        return SECTION_SEPARATOR.join(title for _, title in self.stack)

    def add(self, kind: str, start: int, end: int, section: str, norm: str | None = None) -> None:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        original = self.text[start:end]
        norm = normalise(original) if norm is None else norm
        if not _CONTENT.search(norm):
            return
        self.passages.append(
            PassageDraft(
                ord=len(self.passages),
                kind=kind,
                section=section,
                text=original,
                norm=norm,
                start=start,
                end=end,
            )
        )

    def flush(self) -> None:
        if self.paragraph is None:
            return
        span, self.paragraph = self.paragraph, None
        if len(normalise(self.text[span.start : span.end])) > MAX_PASSAGE_CHARS:
            for chunk in _sentence_chunks(self.text, span.start, span.end):
                self.add("paragraph", chunk.start, chunk.end, self.section)
        else:
            self.add("paragraph", span.start, span.end, self.section)

    def heading(self, level: int, span: _Span, title: str | None = None) -> None:
        self.flush()
        if title is None:
            title = normalise(_MARKDOWN_HEADING.sub(r"\2", self.text[span.start : span.end]))
        if level == 0:
            self.add("heading", span.start, span.end, "", title)
            self.stack.clear()
            return
        self.open_section(level, title)
        self.add("heading", span.start, span.end, self.section, title)

    def open_section(self, level: int, title: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title))

    def prose_line(self, span: _Span) -> None:
        line = self.text[span.start : span.end]
        if self.paragraph is not None and not self.paragraph_closed:
            self.paragraph.end = span.end
        else:
            self.flush()
            self.paragraph = _Span(span.start, span.end)
        self.paragraph_closed = bool(_TERMINAL.search(normalise(line))) or (
            self.wrap_width is not None and not self._is_wrapped(line)
        )

    def _is_wrapped(self, line: str) -> bool:
        """A line as long as the document's wrap width was cut by the page, not by the author."""
        return self.wrap_width is not None and len(normalise(line)) >= self.wrap_width - WRAP_SLACK

    def _title_lines(self, spans: list[_Span]) -> int:
        """How many of the first non-empty lines form the report title (0 when none)."""
        lines = [normalise(self.text[s.start : s.end]) for s in spans[:2]]
        if not lines or _INNER_SENTENCE_END.search(lines[0]) or len(lines[0]) > _TITLE_MAX_CHARS:
            return 0
        if _TITLE_WORDS.search(lines[0]):
            return 1
        if len(lines) == 2 and _TITLE_WORDS.search(lines[1]) and len(lines[1]) <= 20:
            return 2
        return 0

    def prose(self, start: int, end: int) -> None:
        spans = list(_lines(self.text, start, end))
        if not self.passages:
            filled = [s for s in spans if s.end > s.start]
            title = self._title_lines(filled)
            if title:
                self.add("heading", filled[0].start, filled[title - 1].end, "")
                spans = [s for s in spans if s.start > filled[title - 1].end]
        for span in spans:
            if span.start == span.end:
                if self.paragraph_closed:
                    self.flush()
                continue
            blocks = self.flat_blocks(span)
            if blocks is not None:
                self.flat(blocks)
                continue
            line = self.text[span.start : span.end]
            level = heading_level(line)
            continues = self.wrap_width is not None and not self.paragraph_closed
            if level is not None and (continues or self._is_wrapped(line)):
                level = None
            if level is None:
                self.prose_line(span)
            else:
                self.heading(level, span)
                self.paragraph_closed = True

    def flat_blocks(self, span: _Span) -> list[Block] | None:
        """The span's part of its line's layout when the whole line is a flattened report.

        The layout is read from the whole line, so that text between two tables or after a
        skipped span (portal chrome) still knows its headings.
        """
        line_start = self.text.rfind("\n", 0, span.start) + 1
        if line_start not in self.layouts:
            line_end = self.text.find("\n", span.end)
            line_end = len(self.text) if line_end == -1 else line_end
            self.layouts[line_start] = flat_layout(self.text, line_start, line_end)
        blocks = self.layouts[line_start]
        return None if blocks is None else clip(blocks, span.start, span.end)

    def flat(self, blocks: list[Block]) -> None:
        """A line holding a whole flattened report: its headings, paragraphs and table rows.

        A heading with prose after it is run in, as in the source it was copied from: it opens
        its section and starts the first paragraph (its words are what a question names).
        """
        self.flush()
        run_in: int | None = None
        if blocks and blocks[0].kind == "prose" and not self.passages:
            title = title_block(self.text, blocks[0].start, blocks[0].end)
            if title is not None:
                self.add("heading", title.start, title.end, "")
                blocks = [replace(blocks[0], start=title.end), *blocks[1:]]
        for b, after in zip(blocks, [*blocks[1:], None], strict=True):
            if b.kind == "heading":
                name = normalise(self.text[b.start : b.title_end])
                if after is not None and after.kind == "prose":
                    self.open_section(b.level, name)
                    run_in = b.start
                else:
                    self.heading(b.level, _Span(b.start, b.end), name)
            elif b.kind == "table":
                for s, e in table_rows(self.text, b.start, b.end):
                    self.add("table_row", s, e, self.section)
            else:
                for s, e in paragraphs(self.text, b.start, b.end):
                    self.paragraph = _Span(s if run_in is None else run_in, e)
                    run_in = None
                    self.flush()
        self.paragraph_closed = True

    def table(self, table: Table) -> None:
        self.flush()
        self.paragraph_closed = True
        title = normalise(table.title) or self.section or "表格"
        groups: list[tuple[int, str]] = []
        for row in table.rows:
            cells = [normalise(c) for c in row.cells]
            label = next((c for c in cells if c), "")
            has_figures = any(any(ch.isdigit() for ch in c) for c in cells[1:] if c)
            level = heading_level(label) if label else None
            if level and (level == 1 or not has_figures):
                while groups and groups[-1][0] >= level:
                    groups.pop()
                groups.append((level, label))
            section = SECTION_SEPARATOR.join([title, *(g for _, g in groups)])
            norm = " | ".join(c for c in cells if c)
            if norm:
                self.add("table_row", row.start, row.end, section, norm)


def _wrap_width(text: str) -> int | None:
    """The width a PDF conversion wrapped lines at, if most lines share it; else None."""
    lengths = [len(normalise(line)) for line in text.splitlines()]
    lengths = [n for n in lengths if n >= 15]
    if len(lengths) < 10:
        return None
    counts: dict[int, int] = {}
    for n in lengths:
        counts[n] = counts.get(n, 0) + 1
    width = max(counts, key=lambda n: (counts[n], n))
    near = sum(c for n, c in counts.items() if abs(n - width) <= 1)
    return width if near / len(lengths) >= WRAP_SHARE else None


def split_passages(
    text: str,
    tables: Sequence[Table] | None = None,
    skip: Sequence[tuple[int, int]] = (),
) -> list[PassageDraft]:
    """Passages of a report in document order: headings, paragraphs and table rows.

    ``skip`` are spans that are not report text (portal chrome, see ingest/chrome.py): no
    passage covers them, and a paragraph never runs across one.
    """
    if tables is None:
        tables = find_tables(text)
    builder = _Builder(text)
    pos = 0
    for table in sorted(tables, key=lambda t: t.start):
        if table.start < pos:
            continue
        _prose_between(builder, pos, table.start, skip)
        builder.table(table)
        pos = table.end
    _prose_between(builder, pos, len(text), skip)
    builder.flush()
    return builder.passages


def _prose_between(
    builder: _Builder, start: int, end: int, skip: Sequence[tuple[int, int]]
) -> None:
    """The prose of text[start:end] around the skipped spans."""
    pos = start
    for s, e in sorted(skip):
        if e <= pos or s >= end:
            continue
        if s > pos:
            builder.prose(pos, s)
        builder.flush()
        builder.paragraph_closed = True
        pos = max(pos, min(e, end))
    if pos < end:
        builder.prose(pos, end)


def section_spans(passages: Sequence[PassageDraft]) -> list[tuple[int, int, str]]:
    """(start, end, section path) of every passage, for attributing prose figures."""
    return [(p.start, p.end, p.section) for p in passages]
