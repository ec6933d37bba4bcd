"""Portal chrome in text copied off a web page: breadcrumbs, page fields, share buttons.

A report copied from a government portal often arrives as one long line that starts with
``当前位置： 首页政务公开… 来源：… 时间：2015-01-30 00:00 --> 微信 微博 QQ空间 全真版 …`` and ends
with ``附件下载``.  None of that is the report: it must not become a passage or a quote, and
its words must not be read as the reporting unit.  But the page fields are worth keeping
as metadata (来源 names the publisher, 时间 the publication date), so they are returned too.

Chrome is looked for only before the report's first sentence and after its last one, and
only as whole tokens, so the same words inside the report's sentences are never touched.
The vocabulary is data (``ingest/data/chrome.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ingest.text import to_halfwidth
from ingest.vocab import load_toml

_SENTENCE_END = re.compile(r"[。！？!?]")
_TOKEN = re.compile(r"\S+")
_DATE_TIME = re.compile(
    r"(?:19|20)\d{2}(?:[-./](?:\d{1,2})[-./]\d{1,2}|年\d{1,2}月\d{1,2}日)"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)


@dataclass(frozen=True)
class Chrome:
    """Where the chrome is (offsets into the text) and the page fields it carried."""

    spans: tuple[tuple[int, int], ...] = ()
    fields: dict[str, str] = field(default_factory=dict)

    def blank(self, text: str) -> str:
        """The text with every chrome span replaced by spaces: offsets stay valid."""
        chars = list(text)
        for start, end in self.spans:
            chars[start:end] = " " * (end - start)
        return "".join(chars)


@dataclass(frozen=True)
class _Vocabulary:
    breadcrumb: re.Pattern[str]
    separators: frozenset[str]
    field_label: re.Pattern[str]
    source_labels: frozenset[str]
    time_labels: frozenset[str]
    strong: frozenset[str]
    weak: frozenset[str]
    head_limit: int
    tail_limit: int


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _vocabulary() -> _Vocabulary:
    data = load_toml("ingest.data", "chrome.toml")
    return _Vocabulary(
        breadcrumb=re.compile(rf"(?:{_alternation(data['breadcrumb_labels'])})\s*[:：]"),
        separators=frozenset(to_halfwidth(s) for s in data["breadcrumb_separators"]),
        field_label=re.compile(rf"(?:{_alternation(data['field_labels'])})\s*[:：]"),
        source_labels=frozenset(data["source_labels"]),
        time_labels=frozenset(data["time_labels"]),
        strong=frozenset(to_halfwidth(t) for t in data["strong_tokens"]),
        weak=frozenset(to_halfwidth(t) for t in data["weak_tokens"]),
        head_limit=data["head_limit"],
        tail_limit=data["tail_limit"],
    )


def _regions(text: str, vocab: _Vocabulary) -> list[tuple[int, int]]:
    """Before the first sentence end and after the last one, within the configured limits."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not ends:
        return [(0, min(len(text), vocab.head_limit))]
    head = (0, min(ends[0], vocab.head_limit))
    tail = (max(ends[-1], len(text) - vocab.tail_limit, head[1]), len(text))
    return [head, tail] if tail[0] < tail[1] else [head]


class _Scanner:
    """Marks chrome tokens in one region, then the weak ones next to them."""

    def __init__(self, text: str, start: int, end: int, vocab: _Vocabulary) -> None:
        self.text = text
        self.vocab = vocab
        self.tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]
        self.marked: list[tuple[int, int]] = []
        self.fields: dict[str, str] = {}
        self._chrome = [False] * len(self.tokens)
        self._field_spans = self._find_fields(start, end)

    def word(self, i: int) -> str:
        s, e = self.tokens[i]
        return to_halfwidth(self.text[s:e])

    def scan(self) -> None:
        i = 0
        while i < len(self.tokens):
            i = self._breadcrumb(i) or self._fields(i) or self._strong(i) or i + 1
        self._weak()
        for i, chrome in enumerate(self._chrome):
            if chrome:
                self.marked.append(self.tokens[i])

    def _mark(self, first: int, last: int) -> int:
        for k in range(first, last + 1):
            self._chrome[k] = True
        return last + 1

    def _breadcrumb(self, i: int) -> int:
        token = self.text[self.tokens[i][0] : self.tokens[i][1]]
        label = self.vocab.breadcrumb.match(token)
        if not label:
            return 0
        last = i
        if label.end() == len(token) and i + 1 < len(self.tokens):
            last = i + 1
        while last + 2 < len(self.tokens) and self.word(last + 1) in self.vocab.separators:
            last += 2
        return self._mark(i, last)

    def _fields(self, i: int) -> int:
        """Token i when it lies inside a page field (来源：X时间：2014-01-10 00:00)."""
        s, e = self.tokens[i]
        if any(fs <= s and e <= fe for fs, fe in self._field_spans):
            return self._mark(i, i)
        return 0

    def _find_fields(self, start: int, end: int) -> list[tuple[int, int]]:
        """Spans of label, colon and value; a value stops at a blank or at the next label."""
        spans: list[tuple[int, int]] = []
        previous_end = -1
        for label in self.vocab.field_label.finditer(self.text, start, end):
            at = label.start()
            if at < previous_end:
                continue
            if at > start and not self.text[at - 1].isspace() and at != previous_end:
                continue
            value_start = label.end()
            while value_start < end and self.text[value_start] in " \t\u3000":
                value_start += 1
            date = _DATE_TIME.match(self.text, value_start, end)
            if date:
                value_end = date.end()
            else:
                value_end = value_start
                while value_end < end and not self.text[value_end].isspace():
                    value_end += 1
                inner = self.vocab.field_label.search(self.text, value_start, value_end)
                if inner:
                    value_end = inner.start()
            name = re.sub(r"\s*[:：]$", "", label.group(0))
            self._remember(name, self.text[value_start:value_end].strip())
            if spans and spans[-1][1] == at:
                spans[-1] = (spans[-1][0], value_end)
            else:
                spans.append((at, value_end))
            previous_end = value_end
        return spans

    def _remember(self, name: str, value: str) -> None:
        if name in self.vocab.source_labels:
            self.fields.setdefault("source", value)
        elif name in self.vocab.time_labels and value:
            self.fields.setdefault("time", value)

    def _strong(self, i: int) -> int:
        if self.word(i) in self.vocab.strong:
            return self._mark(i, i)
        return 0

    def _weak(self) -> None:
        changed = True
        while changed:
            changed = False
            for k, chrome in enumerate(self._chrome):
                if chrome or self.word(k) not in self.vocab.weak:
                    continue
                left = k > 0 and self._chrome[k - 1]
                right = k + 1 < len(self._chrome) and self._chrome[k + 1]
                if left or right:
                    self._chrome[k] = True
                    changed = True


def _merge(spans: list[tuple[int, int]], text: str) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def find_chrome(text: str) -> Chrome:
    """The chrome spans of a report's text and the page fields among them."""
    vocab = _vocabulary()
    spans: list[tuple[int, int]] = []
    fields: dict[str, str] = {}
    for start, end in _regions(text, vocab):
        scanner = _Scanner(text, start, end, vocab)
        scanner.scan()
        spans.extend(scanner.marked)
        for name, value in scanner.fields.items():
            fields.setdefault(name, value)
    return Chrome(_merge(spans, text), fields)
