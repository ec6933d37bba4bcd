"""What every composer shares: the database, the catalogue, the phrasebooks, and the way a
fact, its source line, a disagreement and a passage become parts of an answer."""

from __future__ import annotations

from collections.abc import Iterable

from bot.qa.lookup import Fact, ReportRef
from bot.qa.model import Answer, AnswerKind, Conflict, Line, Passage, Quote, Source, StatedFigure
from bot.qa.official import OfficialFigures
from bot.qa.passage_search import PassageFinder
from bot.qa.question import Question
from bot.qa.wording import (
    Lang,
    Phrasebook,
    english_to_chinese,
    measure_shown,
    number_text,
    one_line,
    plain_number,
)
from index.search import Hit
from ingest.catalogue import Catalogue, Statistic
from ingest.statistics.drafts import FigureSource

PASSAGES_SHOWN = 3
# Entries an answer lists (the parts of a total, the places of a ranking, the reports without
# a figure, the loaded units): at 100,000 reports a year holds thousands, which no reader reads
# and no answer should carry; the answer says how many there are and lists the first.
LISTED = 30
ALIKE_UNITS = 8  # loaded units named like an asked one that is not loaded

_SOURCE_PHRASES: dict[FigureSource, str] = {
    "table": "source_table",
    "prose": "source_prose",
    "derived": "source_derived",
}
_CONFLICT_SOURCES: dict[FigureSource, str] = {
    "table": "conflict_source_table",
    "prose": "conflict_source_prose",
    "derived": "conflict_source_derived",
}


class ComposeContext:
    """The engine's state for composing answers over one database."""

    def __init__(self, figures: OfficialFigures, finder: PassageFinder) -> None:
        self.figures = figures
        self.db = figures.db
        self.catalogue: Catalogue = figures.catalogue
        self.finder = finder
        self._phrasebooks: dict[Lang, Phrasebook] = {}

    def words(self, q: Question) -> Phrasebook:
        """The phrases of the question's language."""
        if q.lang not in self._phrasebooks:
            self._phrasebooks[q.lang] = Phrasebook(q.lang)
        return self._phrasebooks[q.lang]

    def statistic(self, q: Question) -> Statistic | None:
        """The catalogue entry of the statistic the question names."""
        return self.catalogue.statistics.get(q.statistic) if q.statistic else None

    def examples(self, words: Phrasebook) -> str:
        """Example questions about a unit that is actually loaded."""
        subject = self.figures.example_subject()
        return words.text("examples", unit=subject.unit if subject else "…")

    def nothing(self, q: Question, headline: Line) -> Answer:
        """An answer with no figure: what is missing and what to ask instead."""
        return Answer(question=q.text, kind=AnswerKind.NONE, headline=headline)

    def year_unknown(
        self, q: Question, unit: str, asked: Iterable[int], available: Iterable[ReportRef]
    ) -> Line:
        """ "No report of ``unit`` for the asked years; these years there are", in the question's
        language (the years there are in the order given)."""
        words = self.words(q)
        sep = words.separator
        return words.line(
            "year_unknown",
            unit=unit,
            years=sep.join(str(y) for y in asked),
            available=sep.join(str(r.year) for r in available) or "—",
        )

    # -- facts ------------------------------------------------------------------------------

    def stated(self, fact: Fact, statistic: Statistic) -> StatedFigure:
        return StatedFigure(
            unit=fact.report.unit,
            year=fact.report.year,
            statistic=fact.key,
            label=statistic.label,
            value=plain_number(fact.value),
            measure=fact.measure or statistic.measure,
            source=fact.source,
            evidence=fact.evidence,
            report=fact.report.title,
            passage_id=fact.passage_id,
        )

    def source(self, words: Phrasebook, fact: Fact, lead: str = "") -> Source:
        """The line naming the report and quoting the evidence of a fact, after ``lead``."""
        line = words.line(
            _SOURCE_PHRASES.get(fact.source, "source_derived"),
            title=fact.report.title,
            evidence=Quote(one_line(fact.evidence)),
            rule=self._derivation(words, fact),
        )
        return Source(Line.of(lead, line), fact.passage_id)

    def _derivation(self, words: Phrasebook, fact: Fact) -> str:
        """Which rows a derived figure adds up: 未经复议直接起诉总计 3 + 复议后起诉总计 1."""
        statistic = self.catalogue.statistics.get(fact.key)
        if fact.source != "derived" or statistic is None or not statistic.derived_from:
            return fact.rule
        parts = self.figures.derivation_parts(fact)
        return " + ".join(
            words.text(
                "part",
                name=self.label(words, self.catalogue.get(k)),
                value=number_text(parts[k].value),
            )
            for k in statistic.derived_from
            if k in parts
        )

    @staticmethod
    def label(words: Phrasebook, statistic: Statistic) -> str:
        return statistic.label if words.lang == "zh" else statistic.label_en

    def conflict(
        self, words: Phrasebook, other: Fact, measure: str, official: Fact | None = None
    ) -> Conflict:
        """Another statement of the figure that disagrees, with the warning the answer shows.

        A table cell that is not the official figure failed its own arithmetic (ingest trusts
        a table otherwise): the warning says so.
        """
        unbalanced = official is not None and official.source != "table" and other.source == "table"
        note = words.line(
            "conflict_unbalanced" if unbalanced else "conflict",
            source=words.text(_CONFLICT_SOURCES[other.source]),
            value=number_text(other.value),
            measure=measure_shown(other.measure or measure, words.lang).strip(),
            evidence=Quote(one_line(other.evidence)),
        )
        return Conflict(
            unit=other.report.unit,
            year=other.report.year,
            statistic=other.key,
            value=plain_number(other.value),
            source=other.source,
            evidence=other.evidence,
            note=note,
        )

    # -- passages ---------------------------------------------------------------------------

    def search(
        self, q: Question, units: list[str], year: int | None, k: int = PASSAGES_SHOWN
    ) -> list[Hit]:
        """Best passages for the question; unit names are filters, so they leave the query."""
        query = q.text
        for ref in q.units:
            query = query.replace(ref.mention, " ")
        if q.lang == "en":
            query = " ".join([query, *english_to_chinese(query)])
        statistic = self.statistic(q)
        if statistic is not None:
            query = " ".join([query, statistic.label])
        return self.finder.find(query, units, year, k)

    def with_passages(
        self, q: Question, answer: Answer, units: list[str], year: int | None
    ) -> Answer:
        """Attach the passages that best match the question, as further reading."""
        answer.passages = passages(self.search(q, units, year))
        return answer


def passages(hits: list[Hit]) -> list[Passage]:
    return [
        Passage(
            passage_id=h.passage_id,
            unit=h.unit,
            year=h.year,
            section=h.section,
            text=h.text,
            score=round(h.score, 6),
            terms=tuple(h.terms),
        )
        for h in hits
    ]
