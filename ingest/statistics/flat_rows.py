"""Template rows in text that lost its table layout, with the numbers that follow each label.

A report copied off a web page is often one long line: every table row is its label followed
by its numbers, separated by spaces or run together ("规章000行政规范性文件8855698").  Rows are
found here by the template's own labels (``ingest/data/flat_tables.toml``), in the template's
order, and the characters between a label and the next row are read as value tokens.  How
the digits of a token divide into cells is decided later (``splits``), for a whole table at
once.  Offsets always point into the original text: evidence quotes it exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ingest.catalogue import Catalogue
from ingest.text import FoldedText, fold_label
from ingest.vocab import load_toml

_VALUE_TOKEN = re.compile(
    r"[ \t\r\n\u3000\u00a0]*(?:(?P<num>[-+]?\d+(?:\.\d+)?)"
    r"(?P<measure>万元|人次|元|笔|条|件|个|项|次|人)?|(?P<blank>[—–―/]+|-+(?!\d)))"
)
_ORDINAL_MARK = ".、"
_LABEL_END = "。；;！？!?"
_HAS_VALUE, _FOUND = 3, 1
MAX_TOKEN_DIGITS = 60


@dataclass(frozen=True)
class Token:
    """A run of value characters: digits (maybe signed, maybe decimal) or a not-given mark."""

    text: str  # half-width; "" for a not-given mark (—, /, -)
    start: int
    end: int
    measure: str = ""  # a measure word written after the number (元, 万元, 笔 …)

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class FlatRow:
    """One template row read from flattened text."""

    table: str  # table name in flat_tables.toml, or "pre2020"
    keys: tuple[str, ...]  # one statistic key per column, left to right
    label: str  # the label as written
    start: int  # evidence: original text from the label to the last value
    end: int
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class _RowSpec:
    table: str
    keys: tuple[str, ...]
    labels: tuple[str, ...]  # folded
    ordinal: int | None = None
    tail: bool = False  # the printed label may go on past the words matched


def flat_spec() -> dict:
    return load_toml("ingest.data", "flat_tables.toml")


class _HalfwidthTable(dict[int, str]):
    """Each character's half-width form when that is one character (else itself), for
    ``str.translate``; filled in as characters are first seen."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        self[code] = form = folded if len(folded) == 1 else ch
        return form


_HALFWIDTH = _HalfwidthTable()


def _halfwidth(text: str) -> str:
    """Half-width, one character for one: offsets in the result are offsets in ``text``."""
    return text.translate(_HALFWIDTH)


@lru_cache(maxsize=4)
def _halfwidth_report(text: str) -> str:
    """``_halfwidth`` of a whole report, kept: its rows are read one by one."""
    return _halfwidth(text)


def read_tokens(text: str, start: int, end: int) -> tuple[list[Token], int]:
    """Value tokens at ``text[start:end]`` from its beginning; and where they stop."""
    body = _halfwidth_report(text)[start:end]
    tokens: list[Token] = []
    pos = 0
    while pos < len(body):
        m = _VALUE_TOKEN.match(body, pos)
        if not m or m.end() == pos:
            break
        if m.group("num") is not None:
            tokens.append(
                Token(
                    m.group("num"), start + m.start("num"), start + m.end("num"), m["measure"] or ""
                )
            )
        else:
            tokens.append(Token("", start + m.start("blank"), start + m.end("blank")))
        pos = m.end()
    return tokens, (tokens[-1].end if tokens else start)


def strip_ordinal(text: str, tokens: list[Token], ordinal: int | None) -> list[Token]:
    """Take the next row's number ("2." of "00000002.其他…") off the end of the tokens.

    Only when the tokens are followed by an ordinal mark and then a label (a value never
    ends in "."): the number that row is expected to carry, else its last digit.
    """
    if not tokens or tokens[-1].blank or tokens[-1].measure:
        return tokens
    last = tokens[-1]
    after = _halfwidth(text[last.end : last.end + 2])
    if not after or after[0] not in _ORDINAL_MARK or (len(after) > 1 and after[1].isdigit()):
        return tokens
    digits = last.text
    if "." in digits:
        return tokens
    suffix = str(ordinal) if ordinal is not None and digits.endswith(str(ordinal)) else digits[-1:]
    kept = digits[: len(digits) - len(suffix)]
    head = tokens[:-1]
    if kept:
        head.append(Token(kept, last.start, last.end - len(suffix)))
    return head


# --- national template tables --------------------------------------------------------------


def _table_specs(template: str, catalogue: Catalogue) -> list[list[_RowSpec]]:
    """Rows of each national table for ``template``, in printed order."""
    out = []
    for table in flat_spec()["table"]:
        if template not in table["templates"]:
            continue
        name = table["name"]
        rows: list[_RowSpec] = []
        if "layout" in table and "labels" in table:
            (layout,) = catalogue.layouts[table["layout"]]
            labels = tuple(fold_label(lbl) for lbl in table["labels"])
            rows.append(_RowSpec(name, layout.keys, labels))
        elif "layout" in table:
            for layout in catalogue.layouts.get(table["layout"], []):
                rows.append(_RowSpec(name, layout.keys, tuple(fold_label(r) for r in layout.row)))
        else:
            for row in table["rows"]:
                if template not in catalogue.statistics[row["key"]].templates:
                    continue
                labels = tuple(fold_label(lbl) for lbl in row["labels"])
                rows.append(
                    _RowSpec(
                        name, (row["key"],), labels, row.get("ordinal"), row.get("tail", False)
                    )
                )
        out.append(rows)
    return out


@dataclass(frozen=True)
class _Hit:
    row: int  # index into the chain of row specs
    start: int  # folded offsets of the label
    end: int
    score: int


def _hits(folded: FoldedText, text: str, specs: list[_RowSpec]) -> list[_Hit]:
    hits: list[_Hit] = []
    for index, spec in enumerate(specs):
        spans: list[tuple[int, int]] = []
        for label in sorted(spec.labels, key=len, reverse=True):
            pos = folded.text.find(label)
            while pos >= 0:
                span = (pos, pos + len(label))
                if not any(s <= span[0] and span[1] <= e for s, e in spans):
                    spans.append(span)
                pos = folded.text.find(label, pos + 1)
        for s, e in spans:
            after = folded.index[e] if e < len(folded.index) else len(text)
            tokens, _ = read_tokens(text, after, min(len(text), after + 400))
            score = _FOUND + (_HAS_VALUE if any(not t.blank for t in tokens) else 0)
            hits.append(_Hit(index, s, e, score))
    return sorted(hits, key=lambda h: (h.start, h.row))


def _best_chain(hits: list[_Hit]) -> list[_Hit]:
    """The hits that keep the template's row order with the best total score (labels that
    also occur in prose are thus taken where the table has them)."""
    best: list[int] = []
    back: list[int] = []
    for i, hit in enumerate(hits):
        score, prev = hit.score, -1
        for j in range(i):
            other = hits[j]
            if other.row < hit.row and other.end <= hit.start and best[j] + hit.score > score:
                score, prev = best[j] + hit.score, j
        best.append(score)
        back.append(prev)
    if not hits:
        return []
    i = max(range(len(hits)), key=lambda k: (best[k], -k))
    chain = []
    while i >= 0:
        chain.append(hits[i])
        i = back[i]
    return chain[::-1]


def _ordinal_start(text: str, start: int, ordinal: int | None) -> int:
    """Where a numbered row really starts: in front of its "2." if that is written."""
    if ordinal is None:
        return start
    head = _halfwidth(text[max(0, start - 6) : start])
    m = re.search(rf"{ordinal}\s*[.、]\s*$", head)
    return start - (len(head) - m.start()) if m else start


_TAIL = re.compile(r"[^\d。；;|\n]{1,40}(?=\s*\d)")


def _tail_end(text: str, start: int, limit: int) -> int:
    """End of the rest of a long label written in a unit's own words, up to its numbers."""
    m = _TAIL.match(_halfwidth(text[start:limit]))
    return start + m.end() if m else start


def national_rows(
    text: str, template: str, catalogue: Catalogue, skip: list[tuple[int, int]]
) -> list[list[FlatRow]]:
    """Rows of each national table found in ``text``, one list per table.

    ``skip`` are original spans already read as real table rows: labels there are ignored.
    """
    folded = FoldedText.of(text)
    tables = []
    for specs in _table_specs(template, catalogue):
        hits = [
            h
            for h in _hits(folded, text, specs)
            if not any(s <= folded.index[h.start] < e for s, e in skip)
        ]
        chain = _best_chain(hits)
        rows: list[FlatRow] = []
        for n, hit in enumerate(chain):
            spec = specs[hit.row]
            label_start, label_end = folded.span(hit.start, hit.end)
            label_start = _ordinal_start(text, label_start, spec.ordinal)
            limit = len(text)
            next_ordinal = None
            if n + 1 < len(chain):
                nxt = chain[n + 1]
                next_ordinal = specs[nxt.row].ordinal
                limit = folded.span(nxt.start, nxt.end)[0]
            if spec.tail:
                label_end = _tail_end(text, label_end, limit)
            tokens, _ = read_tokens(text, label_end, limit)
            tokens = strip_ordinal(text, tokens, next_ordinal)
            if not tokens or all(t.blank for t in tokens):
                continue
            if any(s < tokens[-1].end and label_start < e for s, e in skip):
                continue
            rows.append(
                FlatRow(
                    spec.table,
                    spec.keys,
                    text[label_start:label_end],
                    label_start,
                    tokens[-1].end,
                    tuple(tokens),
                )
            )
        if rows:
            tables.append(rows)
    return tables


def has_subtotal(text: str, rows: list[FlatRow]) -> bool:
    """A table 三 whose header (just before its first row) has a 小计 column."""
    if not rows:
        return False
    marks = flat_spec()["table"]
    words: list[str] = next((t.get("subtotal_marks", []) for t in marks if t.get("grid")), [])
    head = fold_label(text[max(0, rows[0].start - 200) : rows[0].start])
    return any(fold_label(w) in head for w in words)


# --- the pre-2020 统计表 ------------------------------------------------------------------


def _pre2020_pattern() -> re.Pattern[str]:
    measures = "|".join(
        re.escape(m) for m in sorted(flat_spec()["pre2020"]["measures"], key=len, reverse=True)
    )
    return re.compile(rf"(?P<measure>{measures})(?=[ \t\u3000\u00a0]*\d)")


_HEADER_WORDS = re.compile(r"累计|统计|年度|\d{4}\s*年|计量单位|单位")
_LEAD_ORDINAL = re.compile(r"^(?:其中[:：]?)?\s*(\d+)\s*[.、]?")


def pre2020_rows(text: str, skip: list[tuple[int, int]]) -> tuple[list[FlatRow], int]:
    """Rows of a flattened 统计表 and its number of value columns (1 or 2; 0 if none).

    Each row is a label, a measure word (条, 件, 元 …) and its numbers; the table ends where
    that pattern stops.  Keys are left empty: the caller matches the labels.
    """
    spec = flat_spec()["pre2020"]
    folded = FoldedText.of(text)
    heads = [(folded.text.find(fold_label(h)), len(fold_label(h))) for h in spec["header"]]
    heads = [h for h in heads if h[0] >= 0]
    if not heads:
        return [], 0
    at, size = min(heads)
    head_end = folded.span(at, at + size)[1]
    measure = _pre2020_pattern()
    body = _halfwidth(text)
    first = measure.search(body, head_end)
    if not first:
        return [], 0
    header = fold_label(text[head_end : first.start()])
    columns = 2 if any(fold_label(m) in header for m in spec["cumulative_marks"]) else 1
    rows: list[FlatRow] = []
    pos = head_end
    while True:
        m = measure.search(body, pos)
        if not m:
            break
        label = body[pos : m.start()].strip(" \t\r\n\u3000\u00a0")
        if rows and not label:
            break
        if len(fold_label(label)) > spec["max_label"] or any(c in label for c in _LABEL_END):
            break
        if not rows:
            label = _HEADER_WORDS.split(label)[-1].strip(" \t\r\n\u3000\u00a0")
        lead = _LEAD_ORDINAL.match(label)
        ordinal_next = int(lead.group(1)) + 1 if lead else 1
        tokens, _ = read_tokens(text, m.end(), len(text))
        tokens = strip_ordinal(text, tokens, ordinal_next)
        if not tokens:
            break
        label_start = body.rfind(label, pos, m.start()) if label else m.start()
        if label and not any(s < tokens[-1].end and label_start < e for s, e in skip):
            rows.append(FlatRow("pre2020", (), label, label_start, tokens[-1].end, tuple(tokens)))
        pos = tokens[-1].end
    return rows, columns
