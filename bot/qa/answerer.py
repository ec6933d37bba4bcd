"""The engine's one entry point: questions in, typed answers out; also what front ends show
besides answers (examples, the corpus overview, a source passage, chart figures).

Every number an answer carries is a statistics row with its evidence; missing data is said,
not guessed. Front ends never query the database themselves: they ask the ``Answerer``.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.qa import gazetteer_cache
from bot.qa.compose import PASSAGES_SHOWN, ComposeContext, compose, more_passages
from bot.qa.long_lived import settle
from bot.qa.model import Answer, Passage
from bot.qa.official import OfficialFigures
from bot.qa.passage_search import PassageFinder
from bot.qa.question import Gazetteer, Question, parse_question
from bot.qa.report_table import CorpusStamp, CorpusWatch, touched_units
from index.search import PassageIndex
from ingest.catalogue import Catalogue, load_catalogue
from ingest.store import open_reader

if TYPE_CHECKING:  # what only other requests than a question use, imported when asked
    from bot.qa.chart_figures import ChartFigures
    from bot.qa.comparison import Comparison, ComparisonRequest
    from bot.qa.findings import Review
    from bot.qa.overview import ConflictRecord, CorpusOverview, ExampleSubject
    from bot.qa.sources import PassageContext


class Answerer:
    """Answers questions over one database; cheap to call many times in one process."""

    def __init__(self, db_path: Path, today: date | None = None, warm: bool = True) -> None:
        """``warm``: prepare the passage search in the background, for a process that will
        answer many questions; one question loads only what it needs."""
        self.db_path = Path(db_path)
        self.db = open_reader(self.db_path)
        self.catalogue: Catalogue = load_catalogue()
        self.today = today
        self.watch = CorpusWatch(self.db)
        finder = PassageFinder(self.db, PassageIndex.open(self.db_path, warm))
        figures = OfficialFigures(self.db, self.catalogue, self.watch)
        self._context = ComposeContext(figures, finder)
        self._gazetteer: Gazetteer | None = None
        self._gazetteer_stamp: CorpusStamp | None = None
        self.cache_writer: threading.Thread | None = None  # the last names written behind

    def gazetteer(self) -> Gazetteer:
        """Kept in step with the reports and aliases, so new units and names are known at
        once: the units that changed are read again, everything only when units went.

        Names looked up in a names file give way to the file of the new stamp when there is
        one (``nianbao ingest`` leaves it): refreshing them reads every name first, 1.7 s at
        100,000 reports."""
        stamp = self.watch.stamp()
        if self._gazetteer is not None and stamp == self._gazetteer_stamp:
            return self._gazetteer
        if self._gazetteer is None or self._gazetteer.looked_up:
            stored = gazetteer_cache.load(self.db_path, stamp)
            if stored is not None:
                if self._gazetteer is not None:
                    self._gazetteer.close()
                return self._settled(stored, stamp)
        held = self._gazetteer.aliases_held if self._gazetteer is not None else None
        units = touched_units(self.db, self._gazetteer_stamp, stamp, held)
        if self._gazetteer is not None and units is not None:
            self._gazetteer.refresh(self.db, units)
            if len(self._gazetteer.units) != stamp.units:
                self._gazetteer = None
            else:
                self._store_later(stamp, self._gazetteer)
        if self._gazetteer is None or units is None:
            self._gazetteer = Gazetteer.from_db(self.db)
            gazetteer_cache.store(self.db_path, stamp, self._gazetteer)
        return self._settled(self._gazetteer, stamp)

    def _settled(self, gazetteer: Gazetteer, stamp: CorpusStamp) -> Gazetteer:
        """Keep the names of this stamp, frozen out of the collector's scans."""
        self._gazetteer, self._gazetteer_stamp = gazetteer, stamp
        settle()
        return gazetteer

    def _store_later(self, stamp: CorpusStamp, gazetteer: Gazetteer) -> None:
        """Keep the refreshed names for the next process without making this question wait:
        at 100,000 reports writing them takes seconds (``gazetteer_cache.store_behind``).
        Written to a temporary file renamed into place.  A process that ends meanwhile
        (``ask -`` at the end of its input) waits for the write: killed halfway, it left the
        next process to build the names again, 13 s at 100,000 reports."""
        self.cache_writer = gazetteer_cache.store_behind(self.db_path, stamp, gazetteer)

    def parse(self, text: str) -> Question:
        """What the question asks, against the units loaded now."""
        return parse_question(text or "", self.gazetteer(), self.catalogue, today=self.today)

    def ask(self, text: str) -> Answer:
        return compose(self._context, self.parse(text))

    def more_passages(self, text: str, offset: int, count: int = PASSAGES_SHOWN) -> list[Passage]:
        """Passages ``offset`` to ``offset + count`` of the question's ranking ("more results")."""
        return more_passages(self._context, self.parse(text), offset, count)

    def examples(self) -> ExampleSubject | None:
        """What example questions should ask about; None when nothing is loaded."""
        return self._context.figures.example_subject()

    def example_passage_id(self) -> int | None:
        """A passage id that exists, for usage examples of ``/source``."""
        from bot.qa.sources import first_passage_id

        return first_passage_id(self.db)

    def overview(self) -> CorpusOverview:
        from bot.qa.overview import corpus_overview

        return corpus_overview(self.db)

    def conflicts(self) -> list[ConflictRecord]:
        """Every table/prose disagreement of the corpus."""
        from bot.qa.overview import conflict_records

        return conflict_records(self.db, self.catalogue)

    def source(self, passage_id: int) -> PassageContext | None:
        """A passage with its report and neighbours; None for an unknown id."""
        from bot.qa.sources import passage_context

        return passage_context(self.db, passage_id)

    def chart_figures(self, text: str) -> ChartFigures:
        """The figures a chart of the question's statistic shows."""
        from bot.qa.chart_figures import chart_figures

        return chart_figures(self._context, self.parse(text))

    def review(self, unit: str | None = None, year: int | None = None) -> Review:
        """The findings of a unit's reports (or one year, or all), most serious first."""
        from bot.qa.findings import review

        return review(self.db, self.catalogue, self.gazetteer(), unit, year)

    def report_review(self, report_id: int) -> Review:
        """The findings of one report."""
        from bot.qa.findings import report_review

        return report_review(self.db, self.catalogue, report_id)

    def compare(self, request: ComparisonRequest) -> Comparison:
        """A comparison table of statistics across units or years, ready to stream."""
        from bot.qa.comparison import compare

        return compare(self.db, self.catalogue, self.gazetteer(), request)
