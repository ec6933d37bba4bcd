"""Statistics of a report: table cells and prose figures, with provenance, conflicts, checks."""

from __future__ import annotations

from ingest.statistics.extract import (
    CheckFailure,
    Extraction,
    StatisticDraft,
    extract_statistics,
)

__all__ = ["CheckFailure", "Extraction", "StatisticDraft", "extract_statistics"]
