"""Structures a process keeps for the whole corpus, taken out of the cycle collector's scans.

At 100,000 reports the report table and the unit names are millions of objects.  Python's
collector scans every tracked object in a full collection, which the allocations of the next
answer set off: 100–170 ms added to one answer, at random.  ``gc.freeze`` moves what is
alive now to a generation the collector never scans; those objects are still freed when no
longer referenced (reference counting), only cycles among them would stay.  The young
generations are collected first (a few thousand objects at most), so the cycles an answer or
an ingest just dropped are freed, not kept.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Call after building a corpus-wide structure that will be kept."""
    gc.collect(1)
    gc.freeze()
