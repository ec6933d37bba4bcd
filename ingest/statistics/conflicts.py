"""One official figure per statistic, and the disagreements with it.

Order of trust: a table cell, then a figure derived from table cells, then prose — except a
table total that fails its own arithmetic (总计 0 beside parts adding up to 6) when the prose
states exactly what the arithmetic implies: then the prose is official and the printed cell
is kept as the disagreement (``trust_arithmetic``).  Among prose
figures, one in a section named after the statistic (五、行政诉讼情况) beats one elsewhere, an
explicit figure beats a negation, and an earlier one beats a later one.  Prose that agrees with
the official figure is kept (it is more evidence, not a conflict); prose that disagrees is
kept too and recorded as a conflict with the official figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from ingest.catalogue import Catalogue
from ingest.statistics.drafts import SOURCE_RANK, CheckFailure, StatisticDraft
from ingest.text import fold_label

_RULE_RANK = {"number": 0, "zero-word": 1, "negation": 2}
_MIN_TOPIC = 2


def _section_of(sections: Sequence[tuple[int, int, str]], offset: int) -> str:
    for start, end, path in sections:
        if start <= offset < end:
            return path
    return ""


@lru_cache(maxsize=4096)
def _topic_words(catalogue: Catalogue, key: str) -> tuple[str, ...]:
    """A statistic's words long enough to name a section's topic (the same for every report)."""
    statistic = catalogue.statistics[key]
    words = {fold_label(w) for w in (statistic.label, *statistic.labels, *statistic.aliases)}
    return tuple(w for w in words if len(w) > _MIN_TOPIC)


def _rank(
    draft: StatisticDraft, catalogue: Catalogue, sections: Sequence[tuple[int, int, str]]
) -> tuple[int, int, int, int]:
    rule = draft.rule.split(":", 1)[-1].split("=", 1)[0]
    section = fold_label(_section_of(sections, draft.start))
    in_topic = any(w in section for w in _topic_words(catalogue, draft.key)) if section else False
    return (
        SOURCE_RANK.get(draft.source, 9),
        0 if in_topic or draft.source != "prose" else 1,
        _RULE_RANK.get(rule, 3),
        draft.start,
    )


def settle(
    drafts: list[StatisticDraft],
    catalogue: Catalogue,
    sections: Sequence[tuple[int, int, str]] = (),
) -> tuple[list[StatisticDraft], list[tuple[int, int]]]:
    """Drafts with ``official`` set, and (official index, other index) conflict pairs."""
    seen: set[tuple[str, int, int, float | None]] = set()
    unique: list[StatisticDraft] = []
    for d in drafts:
        mark = (d.key, d.start, d.end, d.value)
        if mark not in seen:
            seen.add(mark)
            unique.append(replace(d, official=False) if d.official else d)  # drafts are frozen
    by_key: dict[str, list[int]] = {}
    for i, d in enumerate(unique):
        by_key.setdefault(d.key, []).append(i)
    conflicts: list[tuple[int, int]] = []
    for indexes in by_key.values():
        given = [i for i in indexes if unique[i].value is not None]
        if not given:
            continue
        best = (
            given[0]
            if len(given) == 1
            else min(given, key=lambda i: _rank(unique[i], catalogue, sections))
        )
        unique[best] = replace(unique[best], official=True)
        value = unique[best].value
        assert value is not None  # ``given`` holds only drafts with a value
        conflicts.extend(
            (best, i) for i in given if i != best and abs((unique[i].value or 0) - value) > 1e-9
        )
    return unique, sorted(conflicts)


def trust_arithmetic(
    drafts: list[StatisticDraft],
    conflicts: list[tuple[int, int]],
    failures: Sequence[CheckFailure],
) -> tuple[list[StatisticDraft], list[tuple[int, int]]]:
    """Settled drafts and conflicts after the table's failed sums are weighed against prose.

    A total cell whose parts add up to something else is not trusted over a prose figure
    equal to that sum: two independent statements (the parts and the text) agree against one
    printed cell.  Without such a prose figure the table stays official; the failed check
    is recorded either way.
    """
    drafts = list(drafts)
    pairs = set(conflicts)
    for failure in failures:
        if not failure.total:
            continue
        table = next(
            (
                i
                for i, d in enumerate(drafts)
                if d.key == failure.total and d.official and d.source == "table"
            ),
            None,
        )
        prose = next(
            (
                i
                for i, d in enumerate(drafts)
                if d.key == failure.total
                and d.source == "prose"
                and d.value is not None
                and abs(d.value - failure.actual) <= 1e-9
            ),
            None,
        )
        if table is None or prose is None:
            continue
        drafts[table] = replace(drafts[table], official=False)
        drafts[prose] = replace(drafts[prose], official=True)
        moved = {(prose if a == table else a, b) for a, b in pairs if a == table}
        pairs = {(a, b) for a, b in pairs if a != table} | moved
        pairs = {(a, b) for a, b in pairs if a != b}
        pairs.add((prose, table))
        value = drafts[prose].value or 0.0
        pairs = {
            (a, b)
            for a, b in pairs
            if a != prose or abs((drafts[b].value or 0.0) - value) > 1e-9 or b == table
        }
    return drafts, sorted(pairs)
