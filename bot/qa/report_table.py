"""What a question needs about the corpus as a whole, kept in memory while it does not change.

A ranking over every town, the list of loaded units, the subject of example questions: each
would read the whole ``reports`` or ``statistics`` table per question, which at 100,000
reports costs more than the answer.  They are read once per state of the database instead.
The state is told by a stamp that costs a few index look-ups (``corpus_stamp``), checked only
when SQLite says another connection committed (``PRAGMA data_version``, free).  The units
whose reports were added, replaced or removed are read alone; anything else (a report changed
in place, a renamed unit) reads all again.
"""

from __future__ import annotations

import bisect
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlite_utils

from bot.qa.long_lived import settle
from bot.qa.lookup import ReportRef
from bot.qa.unit_suggestions import UnitNameIndex
from ingest.text import fold_question

T = TypeVar("T")
MERGED_KEPT = 16  # merged scopes kept per state of the corpus

_REPORT_SQL = """SELECT id, unit, year, template, title, source_file, level, parent
                 FROM reports"""


@dataclass(frozen=True)
class CorpusStamp:
    """What changes whenever the reports or the names of units change.

    ``generation`` is the database's own change counter when it keeps one (a ``db_state``
    table raised by triggers on ``reports``); the counts and last ids catch the rest.
    ``last_history`` is the last row of ``report_history``, where every report replaced or
    removed is written down with its unit.
    """

    generation: int | None
    reports: int
    last_report: int
    units: int
    aliases: int
    last_alias: int
    last_history: int = 0


def _one(conn: sqlite3.Connection, sql: str) -> tuple:
    try:
        return tuple(conn.execute(sql).fetchone() or ())
    except sqlite3.OperationalError:  # a table this database does not have (yet)
        return ()


def corpus_stamp(db: sqlite_utils.Database) -> CorpusStamp:
    """The stamp of the database now: counts over indexes and the largest ids, no table scan."""
    conn = db.conn
    generation = _one(conn, "SELECT value FROM db_state WHERE key = 'generation'")
    reports = _one(conn, "SELECT count(*), max(id) FROM reports")
    units = _one(conn, "SELECT count(*) FROM units")
    aliases = _one(conn, "SELECT count(*), max(rowid) FROM unit_aliases")
    history = _one(conn, "SELECT max(id) FROM report_history")
    return CorpusStamp(
        generation=int(generation[0]) if generation and generation[0] is not None else None,
        reports=int(reports[0] or 0) if reports else 0,
        last_report=int(reports[1] or 0) if reports else 0,
        units=int(units[0] or 0) if units else 0,
        aliases=int(aliases[0] or 0) if aliases else 0,
        last_alias=int(aliases[1] or 0) if aliases else 0,
        last_history=int(history[0] or 0) if history else 0,
    )


def changed_reports(
    db: sqlite_utils.Database, old: CorpusStamp | None, new: CorpusStamp
) -> set[str] | None:
    """Units whose reports were added, replaced or removed between two stamps; None when
    only reading everything again can tell (a report changed in place, a unit renamed, a
    report removed without its history).  Callers check their own counts afterwards.

    Each added report is a row after the last id of ``old``, each removed one a row of
    ``report_history``; the generation must have risen by exactly one for each, else some
    report changed otherwise: the counts and last ids alone take the newest report removed
    and another added (its id used again) for no change."""
    if old is None or (old.generation is None) != (new.generation is None):
        return None
    if new.last_history < old.last_history:
        return None
    conn = db.conn
    added = conn.execute("SELECT unit FROM reports WHERE id > ?", [old.last_report]).fetchall()
    removed: list[tuple] = []
    if new.generation is None:  # no count of changes: only additions can be told apart
        if new.last_report < old.last_report or new.last_history > old.last_history:
            return None
    else:
        if new.last_history > old.last_history:
            removed = conn.execute(
                "SELECT unit FROM report_history WHERE id > ?", [old.last_history]
            ).fetchall()
        if new.generation - (old.generation or 0) != len(added) + len(removed):
            return None
    if new.reports != old.reports + len(added) - len(removed):
        return None
    return {row[0] for row in added} | {row[0] for row in removed}


def touched_units(
    db: sqlite_utils.Database,
    old: CorpusStamp | None,
    new: CorpusStamp,
    aliases_held: Callable[[set[str]], int] | None = None,
) -> set[str] | None:
    """Units whose reports (``changed_reports``) or names changed between two stamps; None
    when only reading everything again can tell.

    Aliases are found by their row ids, above the last one of ``old``; but the unit whose
    alias rows are the newest has them written again at the same ids (fewer of them when a
    report or an admin's alias changed its names).  ``aliases_held`` (how many alias rows
    the caller's names of some units were read with) tells: every other unit must still
    have as many."""
    units = changed_reports(db, old, new)
    if units is None or old is None:
        return None
    if aliases_held is None and new.last_alias < old.last_alias:
        return None  # alias rows written again at lower ids: only counting them can tell
    conn = db.conn
    # by row id alone: asked for DISTINCT units, SQLite walks the whole index on the unit
    aliased = conn.execute("SELECT unit FROM unit_aliases WHERE rowid > ?", [old.last_alias])
    units.update(row[0] for row in aliased)
    if aliases_held is not None:
        others_now = new.aliases - _alias_rows(conn, units)
        if others_now != old.aliases - aliases_held(units):
            return None
    return units


def _alias_rows(conn: sqlite3.Connection, units: set[str]) -> int:
    """How many alias rows these units have (by the index on the unit)."""
    wanted = sorted(units)
    total = 0
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        marks = ",".join("?" * len(batch))
        sql = f"SELECT count(*) FROM unit_aliases WHERE unit IN ({marks})"
        total += int(conn.execute(sql, batch).fetchone()[0])
    return total


class CorpusWatch:
    """The current stamp of one connection's database, recomputed only after another
    connection committed."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._version: int | None = None
        self._stamp: CorpusStamp | None = None

    def stamp(self) -> CorpusStamp:
        version = int(self.db.conn.execute("PRAGMA data_version").fetchone()[0])
        if self._stamp is None or version != self._version:
            self._stamp = corpus_stamp(self.db)
            self._version = version
        return self._stamp


class PerCorpus(Generic[T]):
    """A value computed from the whole corpus, recomputed when the stamp changes."""

    def __init__(self, watch: CorpusWatch, compute: Callable[[], T]) -> None:
        self.watch = watch
        self.compute = compute
        self._stamp: CorpusStamp | None = None
        self._value: T | None = None

    def get(self) -> T:
        stamp = self.watch.stamp()
        if self._stamp != stamp or self._value is None:
            self._value = self.compute()
            self._stamp = stamp
        return self._value


@dataclass(frozen=True)
class ReportRow:
    """A report as scopes pick them: its reference, and the parent region it states."""

    ref: ReportRef
    parent: str


def _ref(row: tuple) -> ReportRow:
    rid, unit, year, template, title, source_file, level, parent = row
    ref = ReportRef(
        id=rid,
        unit=unit,
        year=year,
        template=template or "unknown",
        title=title or f"{unit} {year}",
        source_file=source_file,
        level=level,
    )
    return ReportRow(ref, (parent or "").strip())


class ReportTable:
    """Every report's reference by unit, newest year first, kept in step with the database."""

    def __init__(self, watch: CorpusWatch) -> None:
        self.watch = watch
        self._stamp: CorpusStamp | None = None
        self._by_unit: dict[str, list[ReportRow]] = {}
        self._unit_of: dict[int, str] = {}
        self._units: list[str] = []
        self._regions: RegionIndex | None = None
        self._names: UnitNameIndex | None = None
        # Per (level or None, year or None): each unit's newest such report, by unit, and how
        # many such reports there are; made when first asked, per state of the corpus.
        self._scopes: dict[tuple[str | None, int | None], tuple[list[ReportRef], int]] = {}
        # Scopes of several such keys merged (a few kept): a year-wide answer asks for its
        # scope twice, and merging sorts each unit's reports of every key again.
        self._merged: dict[tuple[tuple[str | None, int | None], ...], list[ReportRef]] = {}
        self._years: Counter[int] = Counter()  # reports per year
        # Each year's reports in scope order, and each year's at each level ('' for none): a
        # scope of a year (and level) is a copy of its list.  At 100,000 reports even reading
        # each report of a year (thousands, scattered in memory) took milliseconds.
        self._by_year: dict[int, list[ReportRef]] = {}
        self._by_year_level: dict[tuple[int, str], list[ReportRef]] = {}
        # The years (and years and levels) where some unit has several reports: only their
        # scopes keep each unit's newest alone.  Kept when a unit's reports are read again.
        self._several_years: set[int] = set()
        self._several_kinds: set[tuple[int, str]] = set()
        self._templates: set[str] = set()  # of the reports loaded (and of some removed)
        # Each unit's newest stated parent region, and the units of each, for region scopes.
        self._parent_of: dict[str, str] = {}
        self._units_of_parent: dict[str, set[str]] = {}

    # -- keeping in step ----------------------------------------------------------------------

    def _current(self) -> None:
        stamp = self.watch.stamp()
        if stamp == self._stamp:
            return
        units = changed_reports(self.watch.db, self._stamp, stamp)  # names do not matter
        if units is None or not self._reread(units, stamp):
            self._load()
        self._stamp = stamp
        self._regions = None
        self._names = None
        self._scopes = {}
        self._merged = {}

    def _reread(self, units: set[str], stamp: CorpusStamp) -> bool:
        """Read these units' reports again; False when the result cannot be right (a report
        moved to another unit, a count that does not add up): then all is read again."""
        conn = self.watch.db.conn
        years: set[int] = set()  # whose lists took in reports, to put back in scope order
        for unit in units:
            for old in self._by_unit.pop(unit, ()):
                self._unit_of.pop(old.ref.id, None)
                self._years[old.ref.year] -= 1
                if not self._years[old.ref.year]:
                    del self._years[old.ref.year]
                year = self._by_year.get(old.ref.year, [])
                self._by_year[old.ref.year] = [r for r in year if r.id != old.ref.id]
                kind = _kind(old.ref)
                level = self._by_year_level.get(kind, [])
                self._by_year_level[kind] = [r for r in level if r.id != old.ref.id]
            rows = conn.execute(_REPORT_SQL + " WHERE unit = ?", [unit]).fetchall()
            if any(row[0] in self._unit_of for row in rows):
                return False
            self._add(rows)
            self._set_parent(unit)
            self._note_several(unit)
            years.update(row[2] for row in rows)
        for added_to in years:
            self._by_year[added_to].sort(key=_ref_order)
        for (of_year, _level), reports in self._by_year_level.items():
            if of_year in years:
                reports.sort(key=_ref_order)
        self._units = sorted(self._by_unit)
        return len(self._unit_of) == stamp.reports

    def _load(self) -> None:
        self._by_unit = {}
        self._unit_of = {}
        self._years = Counter()
        self._by_year = {}
        self._by_year_level = {}
        self._several_years = set()
        self._several_kinds = set()
        self._parent_of = {}
        self._units_of_parent = {}
        self._add(self.watch.db.conn.execute(_REPORT_SQL).fetchall(), by_year=False)
        self._units = sorted(self._by_unit)
        for unit in self._units:  # each year's list in scope order: a scope is one pass
            for row in self._by_unit[unit]:
                self._by_year.setdefault(row.ref.year, []).append(row.ref)
                self._by_year_level.setdefault(_kind(row.ref), []).append(row.ref)
            if len(self._by_unit[unit]) > 1:
                self._note_several(unit)
        settle()

    def _add(self, rows: Iterable[tuple], by_year: bool = True) -> None:
        """Take in these reports; ``by_year``: also append them to their year's list (a load
        makes those lists afterwards, in unit order)."""
        touched: set[str] = set()
        for row in rows:
            report = _ref(row)
            self._by_unit.setdefault(report.ref.unit, []).append(report)
            self._unit_of[report.ref.id] = report.ref.unit
            self._years[report.ref.year] += 1
            if by_year:
                self._by_year.setdefault(report.ref.year, []).append(report.ref)
                self._by_year_level.setdefault(_kind(report.ref), []).append(report.ref)
            self._templates.add(report.ref.template)
            touched.add(report.ref.unit)
        for unit in touched:
            self._by_unit[unit].sort(key=lambda r: (-r.ref.year, -r.ref.id))
            self._set_parent(unit)

    def _note_several(self, unit: str) -> None:
        """Note the years (and years and levels) where the unit has several reports."""
        years: Counter[int] = Counter()
        kinds: Counter[tuple[int, str]] = Counter()
        for row in self._by_unit.get(unit, ()):
            years[row.ref.year] += 1
            kinds[_kind(row.ref)] += 1
        self._several_years.update(year for year, count in years.items() if count > 1)
        self._several_kinds.update(kind for kind, count in kinds.items() if count > 1)

    def _set_parent(self, unit: str) -> None:
        """Note the unit's newest stated parent region (none when it has no report)."""
        old = self._parent_of.pop(unit, "")
        if old:
            self._units_of_parent[old].discard(unit)
            if not self._units_of_parent[old]:
                del self._units_of_parent[old]
        parent = next((r.parent for r in self._by_unit.get(unit, ()) if r.parent), "")
        if parent:
            self._parent_of[unit] = parent
            self._units_of_parent.setdefault(parent, set()).add(unit)

    # -- reading ------------------------------------------------------------------------------

    def units(self) -> list[str]:
        """Every loaded unit, sorted."""
        self._current()
        return self._units

    def years(self) -> set[int]:
        """Every year some report covers."""
        self._current()
        return set(self._years)

    def of_unit(self, unit: str) -> list[ReportRow]:
        """A unit's reports, newest year first."""
        self._current()
        return self._by_unit.get(unit, [])

    def similar_units(self, name: str, k: int) -> list[str]:
        """Up to ``k`` loaded units whose names share the most characters with ``name``."""
        self._current()
        if self._names is None:
            self._names = UnitNameIndex(self._units)
        return self._names.similar(name, k)

    def units_in(self, region: str) -> list[str]:
        """Units inside a region: those whose newest stated parent region is ``region`` or ends
        with it (某省某县), or whose name starts with it (某某县教育局); sorted."""
        self._current()
        if self._regions is None:
            self._regions = RegionIndex(self._units, self._units_of_parent)
        return self._regions.inside(region)

    def scope(self, levels: list[str], years: tuple[int, ...]) -> list[ReportRef]:
        """One report per unit, by unit: its newest of the levels and years asked (any when
        none are).  A year's list is made from that year's reports, once per corpus, so the
        cost is that of the scope, not of the corpus."""
        self._current()
        keys = tuple(_scope_keys(levels, years))
        if len(keys) == 1:
            return list(self._scope_of(keys[0])[0])
        if keys not in self._merged:
            found = sorted(
                (r for key in keys for r in self._scope_of(key)[0]),
                key=lambda r: (r.unit, -r.year, -r.id),
            )
            chosen: list[ReportRef] = []
            for report in found:
                if not chosen or chosen[-1].unit != report.unit:
                    chosen.append(report)
            if len(self._merged) >= MERGED_KEPT:
                del self._merged[next(iter(self._merged))]
            self._merged[keys] = chosen
        return list(self._merged[keys])

    def whole_scope(self, levels: list[str], years: tuple[int, ...]) -> bool:
        """Whether ``scope(levels, years)`` holds every report of those levels and years (no
        unit has two of them), so that a filter on year and level selects it exactly."""
        self._current()
        keys = _scope_keys(levels, years)
        lists = [self._scope_of(key) for key in keys]
        chosen = sum(len(reports) for reports, _count in lists)
        if chosen != sum(count for _reports, count in lists):
            return False
        return len(keys) == 1 or len(self.scope(levels, years)) == chosen

    def refs(self, report_ids: Iterable[int]) -> dict[int, ReportRef]:
        """Reports by id (those loaded)."""
        self._current()
        found: dict[int, ReportRef] = {}
        for report_id in report_ids:
            unit = self._unit_of.get(report_id)
            for row in self._by_unit.get(unit, ()) if unit is not None else ():
                if row.ref.id == report_id:
                    found[report_id] = row.ref
        return found

    def templates(self) -> set[str]:
        """The templates of the reports loaded (a removed report's may stay)."""
        self._current()
        return self._templates

    def _scope_of(self, key: tuple[str | None, int | None]) -> tuple[list[ReportRef], int]:
        """Each unit's newest report of a (level or None, year or None), by unit, and how
        many reports there are of it."""
        if key in self._scopes:
            return self._scopes[key]
        level, year = key
        matching: list[ReportRef]  # in scope order (unit, newest year, newest id)
        if year is None:
            rows = (row.ref for unit in self._units for row in self._by_unit[unit])
            matching = [r for r in rows if level is None or (r.level or "") == level]
            several = True
        elif level is None:
            matching = self._by_year.get(year, [])
            several = year in self._several_years
        else:
            matching = self._by_year_level.get((year, level), [])
            several = (year, level) in self._several_kinds
        newest = matching
        if several:
            newest = []
            last = None
            for ref in matching:  # a unit's first is its newest
                if ref.unit != last:
                    newest.append(ref)
                    last = ref.unit
        self._scopes[key] = (newest, len(matching))
        return self._scopes[key]

    def rows(self, units: Iterable[str] | None = None) -> Iterator[ReportRow]:
        """Reports by unit (sorted), newest year first within each; every unit when None."""
        self._current()
        chosen = self._units if units is None else sorted(set(units))
        for unit in chosen:
            yield from self._by_unit.get(unit, ())


def _kind(ref: ReportRef) -> tuple[int, str]:
    """A report's year and level, as ``_by_year_level`` files it."""
    return (ref.year, ref.level or "")


def _ref_order(ref: ReportRef) -> tuple[str, int, int]:
    """Scope order: by unit, then newest year and newest report first."""
    return (ref.unit, -ref.year, -ref.id)


def _scope_keys(levels: list[str], years: tuple[int, ...]) -> list[tuple[str | None, int | None]]:
    level_keys: list[str | None] = [*levels] or [None]
    year_keys: list[int | None] = [*years] or [None]
    return [(level, year) for level in level_keys for year in year_keys]


class RegionIndex:
    """Which units lie in a region, from their parents and names, for look-ups by region.

    Names are folded when a question asks, and only those that can match: the units whose
    first character folds to the region's first (a range of the sorted units per character),
    the parents whose last character folds to its last (folding every name of 100,000
    reports would take a second).  A name whose character folds to no or several characters
    is always folded and compared.
    """

    def __init__(self, units: list[str], units_of_parent: dict[str, set[str]]) -> None:
        self._units = units  # sorted
        self._units_of = units_of_parent  # parent region as written → its units
        self._parents_by_last = _by_folded_char(list(units_of_parent), -1)
        self._by_first: dict[str, list[tuple[int, int]]] | None = None

    def inside(self, region: str) -> list[str]:
        name = fold_question(region)
        found: set[str] = set()
        if len(name) >= 2:
            for parent in (*self._parents_by_last.get(name[-1], ()), *self._parents_by_last[""]):
                folded = fold_question(parent)
                if len(folded) >= len(name) and folded.endswith(name):
                    found |= self._units_of[parent]
        if not name:
            candidates: list[str] = self._units
        else:
            ranges = self._first_chars()
            candidates = [
                unit
                for start, end in (*ranges.get(name[0], ()), *ranges.get("", ()))
                for unit in self._units[start:end]
            ]
        found.update(unit for unit in candidates if fold_question(unit).startswith(name))
        found.discard(region)
        return sorted(found)

    def _first_chars(self) -> dict[str, list[tuple[int, int]]]:
        """The ranges of the sorted units by what their first character folds to ('' when
        to no or several characters)."""
        if self._by_first is None:
            self._by_first = {}
            units, at = self._units, 0
            while at < len(units):
                first = units[at][:1]
                if not first:
                    end = bisect.bisect_right(units, "", at)
                elif ord(first) < sys.maxunicode:
                    end = bisect.bisect_left(units, chr(ord(first) + 1), at)
                else:
                    end = len(units)
                folded = fold_question(first) if first else ""
                self._by_first.setdefault(folded if len(folded) == 1 else "", []).append((at, end))
                at = end
        return self._by_first


def _by_folded_char(names: list[str], at: int) -> dict[str, list[str]]:
    """Names by what their character ``at`` folds to ('' when to no or several characters,
    or when the name is empty): each distinct character is folded once."""
    by_char: dict[str, list[str]] = {}
    for name in names:
        by_char.setdefault(name[at] if name else "", []).append(name)
    found: dict[str, list[str]] = {"": []}
    for char, chosen in by_char.items():
        folded = fold_question(char) if char else ""
        found.setdefault(folded if len(folded) == 1 else "", []).extend(chosen)
    return found
