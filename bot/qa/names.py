"""Names given on a command line or after a chat command: a statistic, a unit, a region, a level.

A statistic is named by its catalogue key (``requests.received``) or any of its Chinese or
English labels and aliases; a unit by any name people use for it. What names nothing loaded
comes back as ``NotFound`` with the closest names that do exist, so the user can try again.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sqlite_utils

from bot.qa.gazetteer import Gazetteer
from bot.qa.statistic_match import statistic_matcher
from ingest.catalogue import Catalogue, Statistic
from ingest.text import fold_question
from ingest.units import identify

SUGGESTIONS = 5
_CUTOFF = 0.4

NameKind = Literal["statistic", "unit", "year", "level", "region"]


@dataclass(frozen=True)
class NotFound:
    """A name that matches nothing loaded, and the closest ones that do."""

    kind: NameKind
    name: str
    suggestions: tuple[str, ...] = ()


def suggestions(name: str, candidates: Iterable[str], limit: int = SUGGESTIONS) -> tuple[str, ...]:
    """The candidates closest to ``name``: those containing it or contained in it first, then
    the most similar; compared in question form (simplified, lower case)."""
    wanted = fold_question(name)
    forms: dict[str, str] = {}
    for candidate in candidates:
        forms.setdefault(fold_question(candidate), candidate)
    if not wanted:
        return tuple(list(forms.values())[:limit])
    near = [c for f, c in forms.items() if f and (wanted in f or f in wanted)]
    similar = difflib.get_close_matches(wanted, list(forms), n=limit, cutoff=_CUTOFF)
    ordered = dict.fromkeys([*near, *(forms[f] for f in similar)])
    return tuple(list(ordered)[:limit])


def _statistic_names(statistic: Statistic) -> list[str]:
    return [
        statistic.label,
        *statistic.labels,
        *statistic.aliases,
        statistic.label_en,
        *statistic.aliases_en,
    ]


def resolve_statistic(catalogue: Catalogue, name: str) -> Statistic | NotFound:
    """The statistic a key, label or alias names; the longest label in the words otherwise."""
    text = (name or "").strip()
    if text in catalogue.statistics:
        return catalogue.statistics[text]
    wanted = fold_question(text)
    for statistic in catalogue.statistics.values():
        if any(fold_question(n) == wanted for n in _statistic_names(statistic) if n):
            return statistic
    chosen = statistic_matcher(catalogue).choose(wanted) if wanted else None
    if chosen is not None:
        return catalogue.statistics[chosen[0]]
    tops = [s for s in catalogue.statistics.values() if not s.column]
    names = [s.label for s in tops] + [a for s in tops for a in s.aliases[:1]]
    return NotFound("statistic", text, suggestions(text, names))


def resolve_unit(db: sqlite_utils.Database, gazetteer: Gazetteer, name: str) -> str | NotFound:
    """The loaded unit a name spells or people call it; several candidates are suggestions."""
    text = "".join((name or "").split())
    known = identify(db, text) if text else None
    if known is not None:
        return known
    refs, ambiguous = gazetteer.link(text)
    if len(refs) == 1 and not ambiguous:
        return refs[0].unit
    if ambiguous:
        return NotFound("unit", text, tuple(ambiguous[0][1]))
    aliases = [r["alias"] for r in db.query("SELECT alias FROM unit_aliases")]
    close = suggestions(text, [*gazetteer.units, *aliases])
    owners = [identify(db, c) or c for c in close]
    return NotFound("unit", text, tuple(dict.fromkeys(owners)))
