"""Statistics stated in running text, with the clause they came from as evidence.

Four rules, all driven by ``ingest/data/prose.toml``:

- ``prose:number`` — a statistic's phrase, filler words, then a number with a measure word
  ("累计主动公开政府信息33条", "4.行政复议数量:1件", "微信公众平台 103条");
- ``prose:zero-word`` — a phrase then a word stating zero ("6.举报投诉数量:无");
- ``prose:negation`` — a negation and, later in the same clause, the phrases of one or more
  statistics ("本年度无申请行政复议和提起行政诉讼情况" → 行政复议 0, 行政诉讼 0);
- ``prose:implied`` — a statement that one figure equals another stated just before it
  ("所有申请均已按时办结" after "发生依申请公开6件");
- ``prose:section`` / ``prose:section-negation`` — in a section named after a statistic
  ("（二）行政诉讼"), a clause that gives a figure or a bare negation without naming it
  ("本年度共发生2件", "本年度未发生").
- ``prose:each`` — "行政复议、行政诉讼各1件": one figure for both statistics named.

Matching runs on folded text (see ``ingest.text``) so traditional characters, full-width digits
and PDF line breaks inside a phrase do not matter.  A figure needs its measure word: bare numbers
(years, article numbers, phone numbers, percentages) are never statistics.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from ingest.catalogue import Catalogue
from ingest.statistics.drafts import StatisticDraft
from ingest.statistics.numbers import parse_number
from ingest.statistics.prose_rules import (
    StatisticPhrases,
    negation_pattern,
    number_first_pattern,
    number_pattern,
    prose_rules,
    section_pattern,
    zero_pattern,
)
from ingest.statistics.table_rows import strip_ordinal
from ingest.text import FoldedText, fold_label, to_simplified

_SENTENCE_END = "。;!?"
_CLAUSE_END = _SENTENCE_END + ","
_HARD_LINE_END = re.compile(r"[。；;！？!?：:]\s*$")
_MAX_HEADING = 40
_INNER_PUNCT = re.compile(r"[。，,；;]")
_MONEY = {"元": 1.0, "万元": 10_000.0}
_EACH = re.compile("各|均")
_JOINERS = "、和及与"


def _is_heading(line: str) -> bool:
    return any(p.search(line) for p in prose_rules().heading_marks)


def _hard_breaks(text: str, start: int, end: int) -> list[int]:
    """Original offsets of line starts that begin a new clause (headings, numbered items)."""
    breaks = []
    prev = ""
    pos = start
    for line in text[start:end].split("\n"):
        body = to_simplified(line.strip(" \t\r\u3000\u00a0"))
        if body:
            prev_heading = (
                _is_heading(prev) and len(prev) <= _MAX_HEADING and not _INNER_PUNCT.search(prev)
            )
            if prev and (_HARD_LINE_END.search(prev) or _is_heading(body) or prev_heading):
                breaks.append(pos)
            prev = body
        pos += len(line) + 1
    return breaks


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _pieces(folded: FoldedText, breaks: list[int], enders: str) -> Iterator[_Span]:
    """Folded spans split at hard line breaks and at the given punctuation."""
    index = folded.index
    # a break falls before the first folded character at or after it
    cut = {i for b in breaks if 0 < (i := bisect_left(index, b)) < len(index)}
    ends = {m.start() for m in _enders(enders).finditer(folded.text)}
    begin = 0
    for i in sorted(cut | ends):
        if i in cut and i > begin:
            yield _Span(begin, i)
            begin = i
        if i in ends:
            yield _Span(begin, i + 1)
            begin = i + 1
    if begin < len(folded.text):
        yield _Span(begin, len(folded.text))


@cache
def _enders(enders: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(enders)}]")


class ProseReader:
    """Reads the prose of one report (everything outside its tables)."""

    def __init__(
        self,
        text: str,
        template: str,
        catalogue: Catalogue,
        sections: Sequence[tuple[int, int, str]] = (),
    ) -> None:
        self.text = text
        self.sections = sorted(sections)
        self.catalogue = catalogue
        self.rules = prose_rules()
        self.statistics = [
            s
            for s in self.rules.statistics
            if s.key in catalogue.statistics
            and (template == "unknown" or template in catalogue.statistics[s.key].templates)
        ]
        self._phrases = frozenset(p for s in self.statistics for p in s.phrases)
        self._keys = {
            k
            for k, statistic in catalogue.statistics.items()
            if template == "unknown" or template in statistic.templates
        }
        self.drafts: list[StatisticDraft] = []

    def read(self, regions: Sequence[tuple[int, int]]) -> list[StatisticDraft]:
        for start, end in regions:
            folded = FoldedText.of(self.text, start, end)
            if not folded.text:
                continue
            breaks = _hard_breaks(self.text, start, end)
            clauses = list(_pieces(folded, breaks, _CLAUSE_END))
            for clause in clauses:
                before = len(self.drafts)
                self._numbers(folded, clause)
                self._negations(folded, clause)
                if len(self.drafts) == before:
                    self._by_section(folded, clause)
            for sentence in _pieces(folded, breaks, _SENTENCE_END):
                self._implied(folded, sentence)
        return self.drafts

    def _draft(
        self, folded: FoldedText, key: str, value: float, a: int, b: int, label: str, rule: str
    ) -> None:
        start, end = folded.span(a, b)
        evidence = self.text[start:end]
        self.drafts.append(
            StatisticDraft(
                key=key,
                value=value,
                measure=self.catalogue.statistics[key].measure,
                source="prose",
                label=label,
                evidence=evidence,
                start=start,
                end=end,
                rule=f"prose:{rule}",
            )
        )

    def _numbers(self, folded: FoldedText, clause: _Span) -> None:
        body = folded.text[clause.start : clause.end]
        found: dict[tuple[int, int], tuple[int, int, str, re.Match[str]]] = {}
        # Every pattern below holds one of the statistic's phrases as written: a clause
        # without any of them cannot match (most clauses name no statistic at all).
        present = {p for p in self._phrases if p in body}
        named = [s for s in self.statistics if not present.isdisjoint(s.phrases)] if present else []
        for stat in named:
            for pattern, kind in (
                (number_pattern(stat.phrases), "number"),
                (zero_pattern(stat.phrases), "zero-word"),
            ):
                for m in pattern.finditer(body):
                    target = m.span("num") if kind == "number" else m.span("zero")
                    rank = (m.end("phrase"), len(m.group("phrase")))
                    held = found.get(target)
                    if held is None or rank > held[:2]:
                        found[target] = (*rank, f"{stat.key}|{kind}", m)
        claimed = list(found)
        for stat in named:
            for m in number_first_pattern(stat.phrases).finditer(body):
                target = m.span("num")
                if any(a < target[1] and target[0] < b for a, b in claimed):
                    continue
                rank = (m.end("phrase"), len(m.group("phrase")))
                held = found.get(target)
                if held is None or rank > held[:2]:
                    found[target] = (*rank, f"{stat.key}|number", m)
        for _target, (_, _, tag, m) in sorted(found.items()):
            key, kind = tag.split("|")
            if kind == "number":
                value = parse_number(m.group("num"))
                allowed = self.rules.allowed_measures.get(self.catalogue.statistics[key].measure)
                if value is None or (allowed and m.group("measure") not in allowed):
                    continue
                value = self._convert(key, value, m.group("measure"))
            else:
                value = 0.0
            end = clause.start + m.end()
            phrase = to_simplified(m.group("phrase"))
            key = self._running_total(folded, clause, m, key)
            self._draft(folded, key, value, clause.start, end, phrase, kind)
            if kind == "number":
                partner = self._shared_with(body, m)
                if partner and partner[0] != key:
                    self._draft(folded, partner[0], value, clause.start, end, partner[1], "each")

    def _running_total(self, folded: FoldedText, clause: _Span, m: re.Match[str], key: str) -> str:
        """The statistic's 历年累计 twin when the figure is a running total: 累计 with the
        figure and a mark of "since" (截至, 至今, 历年…) earlier in its sentence."""
        twin = f"{key}.cumulative"
        if twin not in self.catalogue.statistics or twin not in self._keys:
            return key
        body = folded.text[clause.start : clause.end]
        near = body[max(0, m.start() - 4) : m.end()]
        if not any(w in near for w in self.rules.cumulative_words):
            return key
        start = clause.start + m.start()
        sentence_start = max(folded.text.rfind(e, 0, start) for e in _SENTENCE_END) + 1
        before = folded.text[sentence_start:start]
        return twin if any(w in before for w in self.rules.cumulative_marks) else key

    def _shared_with(self, body: str, m: re.Match[str]) -> tuple[str, str] | None:
        """ "行政复议、行政诉讼各1件": the statistic named just before, sharing the figure."""
        between = body[m.end("phrase") : m.start("num")]
        before = body[: m.start("phrase")]
        if not _EACH.search(between) or not before or before[-1] not in _JOINERS:
            return None
        before = before[:-1]
        found = [
            (len(p), stat.key, p)
            for stat in self.statistics
            for p in stat.phrases
            if before.endswith(p)
        ]
        if not found:
            return None
        _, key, phrase = max(found)
        return key, phrase

    def _convert(self, key: str, value: float, written: str) -> float:
        """Money stated in 元 for a statistic kept in 万元 (and back)."""
        measure = self.catalogue.statistics[key].measure
        if written in _MONEY and measure in _MONEY and written != measure:
            return value * _MONEY[written] / _MONEY[measure]
        return value

    def _negations(self, folded: FoldedText, clause: _Span) -> None:
        body = folded.text[clause.start : clause.end]
        m = negation_pattern().search(body)
        if not m:
            return
        scope = body[m.end() :]
        if re.search(r"\d", scope):
            return
        hits = [s for s in self.statistics if any(p in scope for p in s.negated)]
        suppressed = {k for s in hits for k in s.suppresses}
        end = clause.end
        while end > clause.start and folded.text[end - 1] in _CLAUSE_END:
            end -= 1
        for stat in hits:
            if stat.key in suppressed:
                continue
            label = next(p for p in stat.negated if p in scope)
            self._draft(folded, stat.key, 0.0, clause.start, end, label, "negation")

    def _section_statistic(self, offset: int) -> StatisticPhrases | None:
        path = ""
        for start, end, name in self.sections:
            if start <= offset < end:
                path = name
        if not path:
            return None
        last = strip_ordinal(fold_label(path.rsplit(" / ", 1)[-1]))
        return next((s for s in self.statistics if last in s.section_titles), None)

    def _by_section(self, folded: FoldedText, clause: _Span) -> None:
        """A clause in a section named after a statistic that gives its figure unnamed."""
        if not self.sections:
            return
        stat = self._section_statistic(folded.index[clause.start])
        if stat is None:
            return
        body = folded.text[clause.start : clause.end]
        m = section_pattern().match(body)
        if m:
            value = parse_number(m.group("num"))
            allowed = self.rules.allowed_measures.get(self.catalogue.statistics[stat.key].measure)
            if value is not None and (not allowed or m.group("measure") in allowed):
                end = clause.start + m.end("measure")
                self._draft(folded, stat.key, value, clause.start, end, stat.key, "section")
            return
        neg = negation_pattern().search(body)
        if not neg:
            return
        rest = body[neg.end() :]
        for word in sorted(self.rules.bare_negation_rest, key=len, reverse=True):
            rest = rest.replace(word, "")
        if not rest.strip(_CLAUSE_END):
            end = clause.end
            while end > clause.start and folded.text[end - 1] in _CLAUSE_END:
                end -= 1
            label = to_simplified(neg.group(0))
            self._draft(folded, stat.key, 0.0, clause.start, end, label, "section-negation")

    def _implied(self, folded: FoldedText, sentence: _Span) -> None:
        body = folded.text[sentence.start : sentence.end]
        for rule in self.rules.implied:
            if rule.key not in self.catalogue.statistics:
                continue
            for m in rule.pattern.finditer(body):
                _, orig_end = folded.span(sentence.start + m.start(), sentence.start + m.end())
                orig_start, _ = folded.span(sentence.start + m.start(), sentence.start + m.end())
                before = [
                    d
                    for d in self.drafts
                    if d.key == rule.equals
                    and d.value is not None
                    and d.end <= orig_start
                    and orig_start - d.start <= rule.window
                ]
                if not before:
                    continue
                source = before[-1]
                self.drafts.append(
                    StatisticDraft(
                        key=rule.key,
                        value=source.value,
                        measure=self.catalogue.statistics[rule.key].measure,
                        source="prose",
                        label=to_simplified(m.group(0)),
                        evidence=self.text[source.start : orig_end],
                        start=source.start,
                        end=orig_end,
                        rule=f"prose:implied={rule.equals}",
                    )
                )


def read_prose(
    text: str,
    regions: Sequence[tuple[int, int]],
    template: str,
    catalogue: Catalogue,
    sections: Sequence[tuple[int, int, str]] = (),
) -> list[StatisticDraft]:
    """Prose statistics found in the given (start, end) regions of ``text``."""
    return ProseReader(text, template, catalogue, sections).read(regions)
