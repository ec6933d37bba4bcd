"""The layout of a report flattened to one line: headings, paragraphs and table stretches.

Reports copied off a web page lose their line breaks: "…现编制完成本报告。一、总体情况2023年，
我局…（一）主动公开情况。2023年…二、主动公开政府信息情况第二十条第（一）项信息内容…".  Read
line by line, such a report is one paragraph with no sections.  Here the numbering marks inside
the line count as headings only when they form a numbering sequence within their parent section
(一 then 二 …, (一) then (二) …) and stand like headings: not inside a list of a sentence
(…；（二）…；), not a table row label followed by its figures (一、本年新收…数量0000000), not a
reference (第二十条第（一）项).  A title ends at its punctuation, where the body's first words
start (2023年，我局…) or, failing both, after a word titles end with (情况, 措施 …).  The
vocabularies are data (``ingest/data/headings.toml``, table ``inline``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise
from string import ascii_letters

from ingest.text import to_simplified
from ingest.vocab import load_toml

_CHINESE_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", 1)}
_FULL_STOPS = "。！？!?"
_SENTENCE_END = re.compile(r"[。！？!?][”’」』)）]*")
_PARAGRAPH_BREAK = re.compile(r"[。！？!?；;][”’」』)）]*(?=\s)")
_DIGIT_RUN = re.compile(r"\d+")
_MARK_AFTER_RUN = re.compile(r"[.．、](?![\d.．A-Za-z])")
_CONTENT = re.compile(r"[\w\u4e00-\u9fff]")
# Digits next to these are part of a phone number, date, address or e-mail, not a table cell; a
# dot after digits may also be a list mark (…00000002.其他), which bare_numbers reads apart.
_JOINED = "-—－–~～@＠._/:" + ascii_letters
_JOINED_AFTER = "-—－–~～@＠_/:" + ascii_letters
_SHORT_LABEL_CHARS = 20  # a table label shorter than this with no figures joins the next row
_TITLE_MAX_CHARS = 60
_TITLE_MIN_CHARS = 10  # 本报告根据… is a sentence; a report title names unit, year and kind
_JOINED_WORD_CHARS = 6  # 及改进情况: words between a joiner and the end word it leads to
_CHAIN_GAP_PENALTY = 1.5  # per numeral skipped (一、二、四、): allowed, but a full sequence wins
_MAX_GAP = 3


@dataclass(frozen=True)
class Block:
    """A piece of a flattened line: ``heading``, ``prose`` or ``table`` (or the report's own
    ``title``).  Headings keep where their title text ends (``title_end``); ``end`` may take in
    the punctuation that closes the title."""

    kind: str
    start: int
    end: int
    level: int = 0
    title_end: int = 0


@dataclass(frozen=True)
class _MarkStyle:
    name: str
    pattern: re.Pattern[str]
    level: int
    max_title: int
    soft_titles: bool
    run_in: bool


@dataclass(frozen=True)
class _Rules:
    styles: tuple[_MarkStyle, ...]
    min_top_headings: int
    min_headings: int
    min_chars: int
    min_share: float
    topic_words: tuple[str, ...]
    strong_end_words: re.Pattern[str]
    end_words: re.Pattern[str]
    joiners: re.Pattern[str]
    long_title: int
    body_cue: re.Pattern[str]
    sentence_start: re.Pattern[str]
    closers: str
    openers: str
    report_title_ends: tuple[str, ...]
    min_bare_numbers: int
    max_chars_per_number: int
    min_run_digits: int
    measure_chars: str
    label_measure: re.Pattern[str]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _rules() -> _Rules:
    data = load_toml("ingest.data", "headings.toml")["inline"]
    title, table = data["title"], data["table"]
    return _Rules(
        styles=tuple(
            _MarkStyle(
                m["name"],
                re.compile(m["pattern"]),
                m["level"],
                m["max_title"],
                m["soft_titles"],
                m["run_in"],
            )
            for m in data["mark"]
        ),
        min_top_headings=data["min_top_headings"],
        min_headings=data["min_headings"],
        min_chars=data["min_chars"],
        min_share=data["min_share"],
        topic_words=tuple(title["topic_words"]),
        strong_end_words=re.compile(_alternation(title["strong_end_words"])),
        end_words=re.compile(_alternation(title["end_words"])),
        joiners=re.compile(_alternation(title["joiners"])),
        long_title=title["long_title"],
        body_cue=re.compile("|".join(title["body_cues"])),
        sentence_start=re.compile("|".join(title["sentence_starts"])),
        closers=title["closers"],
        openers=title["openers"],
        report_title_ends=tuple(title["report_title_ends"]),
        min_bare_numbers=table["min_bare_numbers"],
        max_chars_per_number=table["max_chars_per_number"],
        min_run_digits=table["min_run_digits"],
        measure_chars=table["measure_chars"],
        label_measure=re.compile(rf"(?:{_alternation(table['label_measures'])})(?=[\s\d])"),
    )


def _numeral(token: str) -> int | None:
    """一…九十九 or 1…99 as an int."""
    if token.isdigit():
        return int(token)
    if "十" in token:
        tens, _, ones = token.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        return _CHINESE_DIGITS.get(tens, 1 if not tens else 0) * 10 + _CHINESE_DIGITS.get(ones, 0)
    return _CHINESE_DIGITS.get(token) if len(token) == 1 else None


@dataclass
class _Mark:
    style: int  # index into the rules' styles
    level: int
    number: int
    start: int
    body: int  # first character after the mark and its spaces
    title_end: int = 0
    end: int = 0  # after the title and the punctuation closing it
    score: float = 0.0  # 0: cannot be a heading


def _marks(text: str, start: int, end: int) -> list[_Mark]:
    rules = _rules()
    found: dict[int, _Mark] = {}
    for i, style in enumerate(rules.styles):
        for m in style.pattern.finditer(text, start, end):
            number = _numeral(m.group(1))
            if number is None or m.start() in found:
                continue
            body = m.end()
            while body < end and text[body].isspace():
                body += 1
            found[m.start()] = _Mark(i, style.level, number, m.start(), body)
    return sorted(found.values(), key=lambda k: k.start)


def _bare_number_at(text: str, pos: int, end: int) -> bool:
    """A figure with no measure word after it starts at pos: a table cell, not a count."""
    run = _DIGIT_RUN.match(text, pos, end)
    if not run:
        return False
    after = run.end()
    return after >= end or text[after] not in _rules().measure_chars


def _title_span(text: str, mark: _Mark, end: int) -> tuple[int, int, str]:
    """(title end, heading end, how the title was closed): ``text`` when punctuation, a space,
    the body's first words or the next mark close it; ``word`` when it was cut after an end
    word; ``none`` when neither could be found within the longest title."""
    rules = _rules()
    s = mark.body
    stop = min(end, s + rules.styles[mark.style].max_title)
    closed = None
    for i in range(s, stop):
        ch = text[i]
        if ch in rules.closers:
            j = i + 1
            while j < end and text[j] in rules.closers:
                j += 1
            closed = (i, j)
            break
        if i - s >= 2 and (
            ch.isspace()
            or ch in rules.openers
            or (ch.isdigit() and not text[i - 1].isdigit())
            or rules.body_cue.match(text, i)
        ):
            closed = (i, i)
            break
    else:
        if stop < s + rules.styles[mark.style].max_title:
            closed = (stop, stop)
    if closed and closed[0] - s <= rules.long_title:
        cut = _run_on(text, mark, closed[0])
        return (closed[0], closed[1], "text") if cut is None else (cut, cut, "text")
    limit = closed[0] if closed else stop
    word = rules.strong_end_words.search(text, s + 2, limit) or rules.end_words.search(
        text, s + 2, limit
    )
    if not word:
        return (closed[0], closed[1], "text") if closed else (stop, stop, "none")
    cut = _end_word_run(text, word.end(), limit)
    return cut, cut, "word"


def _run_on(text: str, mark: _Mark, title_end: int) -> int | None:
    """Where a title closed by its body actually ends, when body words ran on after its end
    word: 一、总体情况实验区管委会办公室坚持… / （一）主动公开情况北山片区管理局严格…  A top-level
    title ends with its last end word, a lower one with its first strong end word (情况 …)."""
    rules = _rules()
    if mark.level == 1:
        words = list(rules.end_words.finditer(text, mark.body + 2, title_end))
        word = words[-1] if words else None
    else:
        word = rules.strong_end_words.search(text, mark.body + 2, title_end)
    if word is None:
        return None
    cut = _end_word_run(text, word.end(), title_end)
    return cut if len(_CONTENT.findall(text[cut:title_end])) >= 2 else None


def _end_word_run(text: str, pos: int, limit: int) -> int:
    """After an end word, the end of the words that continue it: 平台|建设情况, 问题|及改进情况."""
    rules = _rules()
    while True:
        nxt = rules.end_words.match(text, pos, limit)
        if not nxt:
            joiner = rules.joiners.match(text, pos, limit)
            if joiner:
                nxt = rules.end_words.search(text, joiner.end(), limit)
                if nxt and nxt.start() - joiner.end() > _JOINED_WORD_CHARS:
                    nxt = None
        if not nxt:
            return pos
        pos = nxt.end()


def _is_table_label(text: str, pos: int, end: int) -> bool:
    """Figures follow right after: 一、本年新收…数量0000000 / 1.网站公开 条 6."""
    while pos < end and text[pos].isspace():
        pos += 1
    measure = _rules().label_measure.match(text, pos, end)
    if measure:
        pos = measure.end()
        while pos < end and text[pos].isspace():
            pos += 1
    return _bare_number_at(text, pos, end)


def _score(text: str, mark: _Mark, start: int, end: int) -> float:
    """How much a mark looks like a heading (its title runs at most to end); 0 when it cannot
    be one."""
    rules = _rules()
    mark.title_end, mark.end, closed = _title_span(text, mark, end)
    title = text[mark.body : mark.title_end].rstrip()
    if len(_CONTENT.findall(title)) < 2 or _is_table_label(text, mark.title_end, end):
        return 0.0
    if (
        closed == "none"
        or (closed == "word" and not rules.styles[mark.style].soft_titles)
        or rules.sentence_start.match(text, mark.body)
    ):
        return 0.0  # a numbered sentence of a list: （一）2018年我局未接到申请…
    closer = text[mark.title_end] if mark.end > mark.title_end else ""
    if closer and closer in "；;":
        return 0.0  # an item of a list inside a sentence: （一）…；（二）…；
    if closer and closer in _FULL_STOPS and not rules.styles[mark.style].run_in:
        return 0.0  # a numbered sentence: 1、公开意识有待加强。…
    p = mark.start
    while p > start and text[p - 1].isspace():
        p -= 1
    before = text[p - 1] if p > start else ""
    if before and before in "，,、；;":
        return 0.0
    score = 1.0
    if before == "" or p < mark.start or before in "。！？!?：:”’」』)）" or before.isdigit():
        score += 1.0
    if closed == "word":
        score -= 0.5
    if mark.level == 1 and any(w in title for w in rules.topic_words):
        score += 2.0
    return score


def _best_chain(marks: list[_Mark], top: bool) -> list[_Mark]:
    """The highest-scoring numbering sequence (一、二、三… or (一)(二)…).  It starts at one,
    except at the top level, where a first heading may have lost its mark (一总体情况…二、)."""
    best: list[float] = []
    back: list[int] = []
    ending: dict[int, tuple[float, int]] = {}  # numeral → best chain so far ending with it
    for i, m in enumerate(marks):
        value, prev = float("-inf"), -1
        if m.number == 1 or (top and m.number <= 1 + _MAX_GAP):
            value = m.score - _CHAIN_GAP_PENALTY * (m.number - 1)
        for step in range(1, _MAX_GAP + 1):
            before = ending.get(m.number - step)
            if before is not None:
                v = before[0] + m.score - _CHAIN_GAP_PENALTY * (step - 1)
                if v > value:
                    value, prev = v, before[1]
        best.append(value)
        back.append(prev)
        if value > ending.get(m.number, (float("-inf"), -1))[0]:
            ending[m.number] = (value, i)
    if not marks or max(best) == float("-inf"):
        return []
    i = max(range(len(marks)), key=lambda k: (best[k], -k))
    chain = []
    while i >= 0:
        chain.append(marks[i])
        i = back[i]
    return chain[::-1]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _headings(text: str, start: int, end: int) -> list[_Mark]:
    """Accepted headings in order: each style's best sequence within its parent sections."""
    marks = _marks(text, start, end)
    following = [*(n.start for n in marks[1:]), end][: len(marks)]
    accepted: list[_Mark] = []
    for style_index, style in enumerate(_rules().styles):
        bounds = sorted({start, end, *(h.start for h in accepted if h.level < style.level)})
        taken = sorted((h.start, h.end) for h in accepted)
        regions: dict[int, list[_Mark]] = {}
        for m, nxt in zip(marks, following, strict=True):
            if m.style != style_index or _inside(taken, m.start):
                continue
            k = bisect_right(bounds, m.start) - 1
            m.score = _score(text, m, start, min(bounds[k + 1], nxt))
            if m.score > 0:
                regions.setdefault(k, []).append(m)
        for own in regions.values():
            accepted += _best_chain(own, style.level == 1)
    return sorted(accepted, key=lambda h: h.start)


def _is_flattened(text: str, headings: list[_Mark], start: int, end: int, share: float) -> bool:
    """Whether a line holds a report's sections rather than a paragraph with a numbered list:
    top-level headings named like report sections, or many headings in a line that is most of
    the document (a multi-line report's long paragraph keeps its lines' structure)."""
    rules = _rules()
    named = sum(
        1
        for h in headings
        if h.level == 1 and any(w in text[h.body : h.title_end] for w in rules.topic_words)
    )
    return named >= rules.min_top_headings or (
        len(headings) >= rules.min_headings
        and end - start >= rules.min_chars
        and share >= rules.min_share
    )


def title_block(text: str, start: int, end: int) -> Block | None:
    """The report's own title at the start of a stretch: short, ends with 报告 or the like,
    then a space or the first words of the body (根据…)."""
    rules = _rules()
    view = _simplified(text, start, min(end, start + _TITLE_MAX_CHARS))
    for i in range(_TITLE_MIN_CHARS, len(view) + 1):
        head = view[:i]
        if any(c in head for c in rules.closers) or head[-1].isspace():
            return None
        ends = i == len(view) or view[i].isspace() or rules.body_cue.match(view, i)
        if ends and head.endswith(rules.report_title_ends):
            return Block("title", start, start + i)
    return None


def bare_numbers(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of figures with no measure word after them (table cells), a trailing list mark of
    a run-together row cut off (…00000002.其他 → 0000000 and the mark 2.).  Digits joined to
    others by a dash or dot, or to letters, are phone numbers, dates or addresses."""
    spans = []
    measures = _rules().measure_chars
    for run in _DIGIT_RUN.finditer(text, start, end):
        s, e = run.span()
        if (s > start and text[s - 1] in _JOINED) or (e < end and text[e] in _JOINED_AFTER):
            continue
        if e < end and _MARK_AFTER_RUN.match(text, e):
            if e - s <= 2:
                continue
            e -= 1
        else:
            after = e
            while after < end and text[after] in " \t":
                after += 1
            if after < end and text[after] in measures:
                continue
        spans.append((s, e))
    return spans


def _is_table(text: str, start: int, end: int, closed: bool) -> bool:
    """A stretch of many bare figures; one closed by a sentence end must be dense."""
    rules = _rules()
    numbers = bare_numbers(text, start, end)
    if not closed and any(e - s >= rules.min_run_digits for s, e in numbers):
        return True
    if len(numbers) < rules.min_bare_numbers:
        return False
    per = rules.max_chars_per_number if not closed else rules.max_chars_per_number / 4
    return (end - start) / len(numbers) <= per


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        yield pos, m.end(), True
        pos = m.end()
    if pos < end:
        yield pos, end, False


def _body_blocks(text: str, start: int, end: int) -> Iterator[Block]:
    """Prose and table stretches of a section body, in order."""
    kind, open_at = None, start
    for s, e, closed in _sentences(text, start, end):
        k = "table" if _is_table(text, s, e, closed) else "prose"
        if k != kind and kind is not None:
            yield Block(kind, open_at, s)
            open_at = s
        kind = k
    if kind is not None:
        yield Block(kind, open_at, end)


def _simplified(text: str, start: int, end: int) -> str:
    """text[start:end] in simplified characters when that keeps every offset, else as it is:
    the vocabularies (body cues, end words, measure words) are written in simplified."""
    part = text[start:end]
    simple = to_simplified(part)
    return simple if len(simple) == len(part) else part


def _shifted(blocks: list[Block], by: int) -> list[Block]:
    return [
        replace(b, start=b.start + by, end=b.end + by, title_end=b.title_end + by) for b in blocks
    ]


def flat_layout(text: str, start: int, end: int) -> list[Block] | None:
    """Blocks covering text[start:end] in order, or None when it is not a flattened report."""
    view = _simplified(text, start, end)
    headings = _headings(view, 0, len(view))
    share = (end - start) / max(1, len(text.strip()))
    if not _is_flattened(view, headings, 0, len(view), share):
        return None
    blocks: list[Block] = []
    pos = 0
    for h in headings:
        blocks += _body_blocks(view, pos, h.start)
        blocks.append(Block("heading", h.start, h.end, h.level, h.title_end))
        pos = h.end
    blocks += _body_blocks(view, pos, len(view))
    return _shifted([b for b in blocks if b.end > b.start], start)


def clip(blocks: list[Block], start: int, end: int) -> list[Block]:
    """The blocks of a line seen through a window (the text between two tables or around an
    skipped span): prose and tables cut to it, headings kept only when they start inside."""
    out = []
    for b in blocks:
        if b.end <= start or b.start >= end:
            continue
        if b.kind == "heading":
            if b.start >= start:
                out.append(replace(b, end=min(b.end, end), title_end=min(b.title_end, end)))
        else:
            out.append(replace(b, start=max(b.start, start), end=min(b.end, end)))
    return out


def paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A prose stretch cut where a sentence end is followed by a space (a lost line break)."""
    pos = start
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        yield pos, m.end()
        pos = m.end()
    if pos < end:
        yield pos, end


def table_rows(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A flattened table cut into rows: a label with its figures, cut after the figures and
    before the next numbering mark; a short label with no figures joins the row after it."""
    view = _simplified(text, start, end)
    for s, e in _rows(view, 0, len(view)):
        yield s + start, e + start


def _rows(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cuts = {start, end}
    numbers = bare_numbers(text, start, end)
    for k, (_, e) in enumerate(numbers):
        nxt = numbers[k + 1][0] if k + 1 < len(numbers) else end
        if text[e:nxt].strip():
            cuts.add(e)
    for h in _marks(text, start, end):
        cuts.add(h.start)
    edges = sorted(cuts)
    pending = None
    for s, e in pairwise(edges):
        if pending is not None:
            s = pending
        label_only = not any(a >= s and b <= e for a, b in numbers)
        if e < end and label_only and e - s < _SHORT_LABEL_CHARS:
            pending = s
            continue
        pending = None
        yield s, e
