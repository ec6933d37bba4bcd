"""The answer the engine gives: typed parts that each front end renders its own way.

An answer is worded once, by the engine, in the question's language, but not flattened: every
line is a sequence of segments that say what they are — plain words, the figure asked for, or a
quote from a report. The terminal prints the words and writes quotes in 「」; Telegram sets the
figure in bold and quotes as block quotes; the JSON contract (``to_dict``) carries the plain
text as ``answer`` next to the facts, passages, ranking and conflicts the words came from. No
front end has to read a sentence to find the figure or the quote in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AnswerKind(StrEnum):
    """What an answer gives: the ``kind`` of the JSON contract."""

    NUMBER = "number"
    SUM = "sum"
    RANKING = "ranking"
    COMPARE = "compare"
    TREND = "trend"
    PASSAGE = "passage"
    LIST = "list"
    NONE = "none"


# -- worded lines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Words of the answer itself."""

    text: str


@dataclass(frozen=True)
class Figure:
    """A figure the answer is about (the headline value, each unit's value in a ranking)."""

    text: str


@dataclass(frozen=True)
class Quote:
    """Words quoted from a report, without the quotation marks."""

    text: str


Segment = Text | Figure | Quote


@dataclass(frozen=True)
class Line:
    """One line of an answer: segments in reading order."""

    segments: tuple[Segment, ...] = ()

    @classmethod
    def of(cls, *parts: Segment | Line | str) -> Line:
        """A line from segments, other lines and plain strings; neighbouring words merge."""
        segments: list[Segment] = []
        for part in parts:
            pieces = part.segments if isinstance(part, Line) else (part,)
            for piece in pieces:
                segment = Text(piece) if isinstance(piece, str) else piece
                if not segment.text and not isinstance(segment, Quote):
                    continue
                if isinstance(segment, Text) and segments and isinstance(segments[-1], Text):
                    segments[-1] = Text(segments[-1].text + segment.text)
                else:
                    segments.append(segment)
        return cls(tuple(segments))

    @classmethod
    def joined(cls, separator: str, lines: Iterable[Line]) -> Line:
        """Lines run together with a separator, as ``separator.join`` does for strings."""
        parts: list[Line | str] = []
        for i, line in enumerate(lines):
            if i:
                parts.append(separator)
            parts.append(line)
        return cls.of(*parts)

    def __add__(self, other: Line) -> Line:
        return Line.of(self, other)

    @property
    def text(self) -> str:
        """The line as plain text; quotes in 「」."""
        return "".join(f"「{s.text}」" if isinstance(s, Quote) else s.text for s in self.segments)


# -- what the words are about ------------------------------------------------------------------

Number = int | float


@dataclass(frozen=True)
class StatedFigure:
    """A figure as a report states it, with the evidence an answer quotes."""

    unit: str
    year: int
    statistic: str | None  # None for a figure read from the report's sentences
    label: str
    value: Number | None
    measure: str
    source: str
    evidence: str
    report: str
    passage_id: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "year": self.year,
            "metric": self.statistic,
            "label": self.label,
            "value": self.value,
            "measure": self.measure,
            "source": self.source,
            "evidence": self.evidence,
            "report": self.report,
            "passage_id": self.passage_id,
        }


@dataclass(frozen=True)
class Conflict:
    """Another statement of the answer's figure in the same report that disagrees with it."""

    unit: str
    year: int
    statistic: str
    value: Number | None
    source: str
    evidence: str
    note: Line  # the warning the answer shows

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "year": self.year,
            "metric": self.statistic,
            "value": self.value,
            "source": self.source,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class RankEntry:
    unit: str
    year: int
    value: Number | None

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "year": self.year, "value": self.value}


@dataclass(frozen=True)
class Passage:
    """A passage found for the question, with the question's words it contains."""

    passage_id: int
    unit: str
    year: int
    section: str
    text: str
    score: float
    terms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passage_id": self.passage_id,
            "unit": self.unit,
            "year": self.year,
            "section": self.section,
            "text": self.text,
            "score": self.score,
            "terms": list(self.terms),
        }


@dataclass(frozen=True)
class Source:
    """Where a figure of the answer comes from: the worded line with its quote, and the passage
    that ``/source`` opens."""

    line: Line
    passage_id: int | None


# -- the answer --------------------------------------------------------------------------------


@dataclass
class Answer:
    """One answer; its plain text reads headline, breakdown, notes, sources, conflicts, listing.

    ``passages`` of a figure answer are further reading, shown on request (``ask --related``,
    the bot's 相关段落 button); of a passage or "not stated" answer they are the answer.
    """

    question: str
    kind: AnswerKind
    headline: Line
    value: Number | None = None
    breakdown: Line | None = None
    notes: list[Line] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    listing: list[Line] = field(default_factory=list)
    facts: list[StatedFigure] = field(default_factory=list)
    ranking: list[RankEntry] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    lang: str = "zh"  # the question's language, which every front end answers in

    @property
    def body(self) -> list[Line]:
        """The lines after the headline, in reading order."""
        return [
            *([self.breakdown] if self.breakdown is not None else []),
            *self.notes,
            *(s.line for s in self.sources),
            *(c.note for c in self.conflicts),
            *self.listing,
        ]

    @property
    def text(self) -> str:
        """The answer as plain text: what a person reads, and the contract's ``answer``."""
        return "\n".join(line.text for line in [self.headline, *self.body])

    def to_dict(self) -> dict[str, Any]:
        """The answer object of ``shared/eval/README.md``, keys in the contract's order."""
        return {
            "question": self.question,
            "kind": self.kind.value,
            "answer": self.text,
            "value": self.value,
            "facts": [f.to_dict() for f in self.facts],
            "ranking": [r.to_dict() for r in self.ranking],
            "passages": [p.to_dict() for p in self.passages],
            "conflicts": [c.to_dict() for c in self.conflicts],
        }
