"""Finding the passages to quote: BM25 from the index, then the report's own structure.

A question about a part of a report (存在哪些问题, 下一步打算) is answered by that part, whose
paragraphs may share no word with the question: passages in sections whose own title carries
the topic come first, and the section's paragraphs fill in when BM25 finds too few of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from bot.qa.wording import section_words
from index.search import Hit, PassageIndex

CANDIDATES = 12  # passages fetched per filter before section preference picks the shown ones


@dataclass(frozen=True)
class SectionPassage:
    id: int
    report_id: int
    unit: str
    year: int
    section: str
    text: str


def section_passages(
    db: sqlite_utils.Database,
    words: list[str],
    units: list[str] | None = None,
    year: int | None = None,
    limit: int = 3,
) -> list[SectionPassage]:
    """Paragraphs in sections whose own (deepest) title contains one of the words, in order.

    For questions like 存在哪些问题 the answer is the section itself, whatever its words.
    """
    if not words:
        return []
    sql = """SELECT p.id, p.report_id, r.unit, r.year, p.section, p.text FROM passages p
             JOIN reports r ON r.id = p.report_id WHERE p.kind = 'paragraph'"""
    params: list = []
    if units:
        sql += f" AND r.unit IN ({','.join('?' * len(units))})"
        params += units
    if year is not None:
        sql += " AND r.year = ?"
        params.append(year)
    sql += " AND (" + " OR ".join("p.section LIKE ?" for _ in words) + ")"
    params += [f"%{w}%" for w in words]
    sql += " ORDER BY r.year DESC, r.unit, p.ord"
    found = []
    for row in db.query(sql, params):
        deepest = row["section"].split(" / ")[-1]
        if any(w in deepest for w in words):
            found.append(SectionPassage(**row))
            if len(found) == limit:
                break
    return found


def _on_topic(hit: Hit, topics: list[str]) -> bool:
    return any(t in hit.section.split(" / ")[-1] for t in topics)


class PassageFinder:
    """Top passages for a query within units and a year."""

    def __init__(self, db: sqlite_utils.Database, index: PassageIndex) -> None:
        self.db = db
        self.index = index

    def find(self, query: str, units: list[str], year: int | None, k: int) -> list[Hit]:
        topics = section_words(query)
        hits = self._best(query, units or [None], year, topics)
        if topics:
            hits.sort(key=lambda h: not _on_topic(h, topics))
            hits = self._with_section_text(hits, topics, units, year, k)
        hits = hits[:k]
        if len(hits) < k:
            seen = {h.passage_id for h in hits}
            more = self._best(query, units or [None], year, [None])
            hits += [h for h in more if h.passage_id not in seen][: k - len(hits)]
        return hits

    def _with_section_text(
        self, hits: list[Hit], topics: list[str], units: list[str], year: int | None, k: int
    ) -> list[Hit]:
        """Fill the top with the paragraphs of the asked-for section when too few matched words.

        Such paragraphs score 0: they are shown because of where they stand, not what they say.
        """
        on_topic = [h for h in hits if _on_topic(h, topics)]
        if len(on_topic) >= k:
            return hits
        seen = {h.passage_id for h in hits}
        extra = [
            Hit(p.id, p.report_id, p.unit, p.year, p.section, p.text, 0.0, ())
            for p in section_passages(self.db, topics, units, year, limit=k)
            if p.id not in seen
        ]
        return on_topic + extra[: k - len(on_topic)] + hits[len(on_topic) :]

    def _best(
        self,
        query: str,
        units: Sequence[str | None],
        year: int | None,
        sections: Sequence[str | None],
    ) -> list[Hit]:
        """Passages over several unit and section filters, best first.

        Filters never change a BM25 score, so hits of different filters compare directly.
        """
        found: dict[int, Hit] = {}
        for unit in units:
            for section in sections:
                for hit in self.index.search(
                    query, unit=unit, year=year, section=section, k=CANDIDATES
                ):
                    found[hit.passage_id] = hit
        return sorted(found.values(), key=lambda h: (-h.score, h.passage_id))
