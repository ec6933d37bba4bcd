"""A quoted passage in its place: the report, the section, the passages around it (/source)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from bot.qa.lookup import REPORT_FIELDS, ReportRef, report_ref


@dataclass(frozen=True)
class ReportPassage:
    """One passage row of a report."""

    id: int
    ord: int
    kind: str
    section: str
    text: str


@dataclass(frozen=True)
class PassageContext:
    """A passage with the passages around it in the same report."""

    passage: ReportPassage
    report: ReportRef
    before: list[ReportPassage]
    after: list[ReportPassage]


def passage_context(
    db: sqlite_utils.Database, passage_id: int, neighbours: int = 1
) -> PassageContext | None:
    """The passage of this id and up to ``neighbours`` passages either side; None when unknown."""
    rows = list(
        db.query(
            f"SELECT p.id, p.ord, p.kind, p.section, p.text, {REPORT_FIELDS} "
            "FROM passages p JOIN reports r ON r.id = p.report_id WHERE p.id = ?",
            [passage_id],
        )
    )
    if not rows:
        return None
    row = rows[0]
    around = [
        ReportPassage(**p)
        for p in db.query(
            "SELECT id, ord, kind, section, text FROM passages "
            "WHERE report_id = ? AND ord BETWEEN ? AND ? AND id != ? ORDER BY ord",
            [row["r_id"], row["ord"] - neighbours, row["ord"] + neighbours, passage_id],
        )
    ]
    passage = ReportPassage(**{k: row[k] for k in ("id", "ord", "kind", "section", "text")})
    return PassageContext(
        passage=passage,
        report=report_ref(row),
        before=[p for p in around if p.ord < passage.ord],
        after=[p for p in around if p.ord > passage.ord],
    )


def first_passage_id(db: sqlite_utils.Database) -> int | None:
    """The lowest passage id, for a usage example that opens a real passage."""
    row = next(iter(db.query("SELECT min(id) AS id FROM passages")), None)
    return row["id"] if row else None
