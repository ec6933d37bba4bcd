"""Extract a report's statistics: tables first, derived totals, prose, then who is official.

``extract_statistics`` is the one entry point the ingest pipeline calls.  It never raises on
odd text: a row or phrase it cannot read with confidence is skipped (and counted).
"""

from __future__ import annotations

from collections.abc import Sequence

from ingest.catalogue import Catalogue, load_catalogue
from ingest.statistics.checks import run_checks
from ingest.statistics.conflicts import settle, trust_arithmetic
from ingest.statistics.drafts import CheckFailure, Extraction, RowProblem, StatisticDraft
from ingest.statistics.flattened import read_flattened
from ingest.statistics.prose import read_prose
from ingest.statistics.table_rows import read_tables
from ingest.tables import Table, find_tables

__all__ = ["CheckFailure", "Extraction", "RowProblem", "StatisticDraft", "extract_statistics"]


def _prose_regions(text: str, tables: Sequence[Table]) -> list[tuple[int, int]]:
    regions = []
    pos = 0
    for table in sorted(tables, key=lambda t: t.start):
        if table.start > pos:
            regions.append((pos, table.start))
        pos = max(pos, table.end)
    if pos < len(text):
        regions.append((pos, len(text)))
    return regions


def _derive(
    text: str, drafts: list[StatisticDraft], template: str, catalogue: Catalogue
) -> list[StatisticDraft]:
    """Totals the template splits into parts (national 行政诉讼 = 直接起诉 + 复议后起诉)."""
    table: dict[str, StatisticDraft] = {}
    for d in drafts:
        if d.source == "table":
            table.setdefault(d.key, d)
    out = []
    for statistic in catalogue.derived(template):
        if statistic.key in table:
            continue
        parts = [table[k] for k in statistic.derived_from if k in table]
        values = [p.value for p in parts if p.value is not None]
        if len(values) < len(statistic.derived_from):
            continue
        start = min(p.start for p in parts)
        end = max(p.end for p in parts)
        out.append(
            StatisticDraft(
                key=statistic.key,
                value=sum(values),
                measure=statistic.measure,
                source="derived",
                label=statistic.label,
                evidence=text[start:end],
                start=start,
                end=end,
                rule="derived:" + " + ".join(statistic.derived_from),
            )
        )
    return out


def extract_statistics(
    text: str,
    template: str,
    sections: Sequence[tuple[int, int, str]] = (),
    catalogue: Catalogue | None = None,
    tables: Sequence[Table] | None = None,
) -> Extraction:
    """All statistics of one report's original text, with evidence offsets into ``text``.

    ``tables`` are the report's tables when the caller has found them already.
    """
    catalogue = catalogue or load_catalogue()
    if tables is None:
        tables = find_tables(text)
    drafts, skipped = read_tables(text, tables, template, catalogue)
    prose = read_prose(text, _prose_regions(text, tables), template, catalogue, sections)
    read_rows = sorted({(d.start, d.end) for d in drafts})
    flat = read_flattened(text, template, catalogue, read_rows, prose)
    drafts.extend(flat.drafts)
    rows = [(d.start, d.end) for d in flat.drafts] + [(p.start, p.end) for p in flat.problems]
    drafts.extend(_derive(text, drafts, template, catalogue))
    drafts.extend(p for p in prose if not any(s < p.end and p.start < e for s, e in rows))
    drafts.sort(key=lambda d: (d.start, d.end))
    settled, conflicts = settle(drafts, catalogue, sections)
    checks = run_checks(settled, template, catalogue) + flat.checks
    settled, conflicts = trust_arithmetic(settled, conflicts, checks)
    return Extraction(settled, conflicts, checks, skipped + flat.skipped, flat.problems)
