"""Which units a question names, in the database's own spelling.

Users write 北山 for 北山镇, 東湖鎮 for 东湖镇, 于溪镇 for 於溪镇,
嘉兴县南湖镇 or 南湖镇人民政府 for 南湖镇.
The gazetteer is built from the ``reports`` table, so a unit is known as soon as its first
report is ingested; all comparison happens in folded form (simplified, 於→于, half-width,
lower case) while mentions are returned as the user wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import sqlite_utils

from bot.qa.english_names import EnglishNames
from ingest.metadata import organisation_problem
from ingest.text import CJK, QUESTION, FoldedText, fold_question
from ingest.units import place_of
from ingest.vocab import load_toml

if TYPE_CHECKING:
    from bot.qa.gazetteer_cache import StoredNames

_CJK_RUN = re.compile(f"[{CJK}]+")
_COUNT = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"

# How a name was derived from the database row: an exact name beats a name without its region,
# which beats a short form without the level suffix (北山 for 北山镇).
EXACT, REGIONLESS, SHORT = 3, 2, 1
# The ranks of ``unit_aliases`` rows (ingest/units.py) in the same terms.
_ALIAS_RANKS = {3: EXACT, 2: REGIONLESS, 1: SHORT}
REGION_LEVELS = ("县", "区", "市", "省")
_LATIN = re.compile("[a-z]")
_ROWS_SQL = "SELECT unit, unit_full, parent, level FROM reports"
_ALIASES_SQL = "SELECT unit, alias, rank FROM unit_aliases"
_BATCH = 500  # units read in one query (SQLite allows 32,766 parameters)
MIN_DEPARTMENT_CHARS = (
    3  # 教育局: shorter words ending in 局/委 are rarely departments (布局, 党委)
)


@cache
def vocabulary() -> dict:
    """The gazetteer vocabulary (``bot/qa/data/gazetteer.toml``); compared after folding."""
    return load_toml("bot.qa.data", "gazetteer.toml")


def unit_names() -> dict:
    """How unit names are built (official, region and level endings): the vocabulary ingest
    reads names with (``ingest/data/units.toml``), so questions and reports agree."""
    return load_toml("ingest.data", "units.toml")


@dataclass(frozen=True)
class UnitRef:
    """A unit the question names: ``unit`` is exactly ``reports.unit``."""

    unit: str
    mention: str


@dataclass(frozen=True)
class UnitMatch:
    """A mention found in a folded question; one unit is a link, several are ambiguous."""

    start: int
    end: int
    mention: str
    units: tuple[str, ...]
    rank: int = EXACT


GENERIC_KINDS = ("which", "scope", "plain")


@dataclass(frozen=True)
class GenericWord:
    """哪个镇 (kind "which"), 各街道 ("scope"), 本镇 ("plain"): a unit word naming no unit."""

    start: int
    end: int
    level: str
    kind: str


def resolve(
    matches: Iterable[UnitMatch],
) -> tuple[list[UnitRef], list[tuple[str, tuple[str, ...]]]]:
    """Matches to links (each unit once, first mention kept) and ambiguous mentions (each once)."""
    refs: list[UnitRef] = []
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    for match in matches:
        if len(match.units) == 1:
            if match.units[0] not in {r.unit for r in refs}:
                refs.append(UnitRef(match.units[0], match.mention))
        elif match.mention not in {m for m, _ in ambiguous}:
            ambiguous.append((match.mention, match.units))
    return refs, ambiguous


def default_unit(
    units: Iterable[str], levels: Mapping[str, str], parents: Mapping[str, str]
) -> str | None:
    """The government of the region every other loaded unit lies in, if it is loaded.

    A question that names no unit and asks no ranking is about that government's own
    report (a county's database: "去年收到几件申请" asks about the county).
    """
    units = list(units)
    regions = [u for u in units if levels.get(u) in REGION_LEVELS]
    region_set = set(regions)
    others = [u for u in units if u not in region_set]
    if len(regions) != 1 or len(others) < 2:
        return None
    region = regions[0]
    place = place_of(region)
    prefixes = (region, place) if len(place) >= 2 else (region,)
    inside = all(
        u.startswith(prefixes) or (parents.get(u) or "").startswith(prefixes) for u in others
    )
    return region if inside else None


def _rows_of(
    db: sqlite_utils.Database, units: Iterable[str]
) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """The report rows (newest first, as ``from_db`` orders them) and the alias rows of these
    units, by unit; a few queries for many units."""
    wanted = sorted(set(units))
    with_aliases = "unit_aliases" in db.table_names()
    rows: dict[str, list[dict]] = {}
    aliases: dict[str, list[dict]] = {}
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        marks = ",".join("?" * len(batch))
        for row in db.query(
            f"{_ROWS_SQL} WHERE unit IN ({marks}) ORDER BY year DESC, id DESC", batch
        ):
            rows.setdefault(row["unit"], []).append(row)
        if with_aliases:
            for row in db.query(f"{_ALIASES_SQL} WHERE unit IN ({marks})", batch):
                aliases.setdefault(row["unit"], []).append(row)
    return rows, aliases


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)


class Gazetteer:
    """Unit names and their variants, matched longest first.

    Built per unit, so a unit's names can be rebuilt alone when its reports or aliases
    change (``refresh``): at 100,000 reports a full build takes seconds, one unit's a
    fraction of a millisecond.
    """

    def __init__(
        self,
        rows: Iterable[Mapping[str, object]],
        aliases: Iterable[Mapping[str, object]] = (),
    ) -> None:
        vocab, names = vocabulary(), unit_names()
        self._forms: MutableMapping[str, dict[str, int]] = {}
        self._unit_forms: dict[str, set[str]] = {}
        self.levels: MutableMapping[str, str] = {}
        self.parents: MutableMapping[str, str] = {}
        # How many alias rows each unit's names were read with: a later change of its
        # aliases that leaves no other trace is told by their number (``touched_units``).
        self.alias_counts: MutableMapping[str, int] = {}
        self._stored: StoredNames | None = None
        self._level_suffixes = tuple(fold_question(e["suffix"]) for e in names["level"])
        self._short_suffixes = tuple(sorted(self._level_suffixes, key=len, reverse=True))
        self._official_suffixes = tuple(sorted(names["official_suffixes"], key=len, reverse=True))
        self._folded_official = {fold_question(x) for x in names["official_suffixes"]}
        # 北山片区 is no region of which 管理局 is a unit: a region ending after a blocker's
        # first characters (片 of 片区) is not one, as ingest reads unit names.
        blockers = "".join(f"(?<!{re.escape(b[:-1])})" for b in names["region_blockers"])
        regions = _alternation(names["region_suffixes"])
        self._region = re.compile(f"^(?:[{CJK}]{{{vocab['min_short']},}}?{blockers}(?:{regions}))+")
        self._longest = 0
        self._longest_gone = False
        by_unit: dict[str, list[Mapping[str, object]]] = {}
        for row in rows:
            unit = str(row.get("unit") or "").strip()
            if unit:
                by_unit.setdefault(unit, []).append(row)
        aliases_of: dict[str, list[Mapping[str, object]]] = {}
        for alias in aliases:
            aliases_of.setdefault(str(alias.get("unit") or ""), []).append(alias)
        for unit, unit_rows in by_unit.items():
            self._index(unit, unit_rows, aliases_of.get(unit, ()))
        self._init_places(vocab)
        self._finish()

    @classmethod
    def from_db(cls, db: sqlite_utils.Database) -> Gazetteer:
        """All units with a report in the database."""
        if "reports" not in db.table_names():
            return cls([])
        rows = db.query(f"{_ROWS_SQL} ORDER BY year DESC, id DESC")
        aliases: list[dict] = []
        if "unit_aliases" in db.table_names():
            aliases = list(db.query(_ALIASES_SQL))
        return cls(rows, aliases)

    @classmethod
    def of_units(cls, db: sqlite_utils.Database, units: Iterable[str]) -> Gazetteer:
        """These units alone, read as ``refresh`` reads them: what a names file updated for
        them takes in (``gazetteer_cache.update``)."""
        rows, aliases = _rows_of(db, units)
        return cls(
            (row for unit in sorted(rows) for row in rows[unit]),
            (alias for unit in sorted(aliases) for alias in aliases[unit]),
        )

    def refresh(self, db: sqlite_utils.Database, units: Iterable[str]) -> None:
        """Read the names of these units again (their reports or aliases changed); a unit
        without reports any more is forgotten."""
        self._materialize()
        units = sorted(set(units))
        rows, aliases = _rows_of(db, units)
        for unit in units:
            self._index(unit, rows.get(unit, ()), aliases.get(unit, ()))
        self._finish()

    def _finish(self) -> None:
        """What depends on every unit at once."""
        if self._longest_gone:  # the longest name went: as built afresh, the longest left
            self._longest = max(map(len, self._forms), default=0)
            self._longest_gone = False
        self._units: tuple[str, ...] | None = tuple(sorted(self.levels))
        self.default_unit = self._default_unit()
        self._english: EnglishNames | None = None
        self._folded_parents: Container[str] = {fold_question(p) for p in self.parents.values()}

    @classmethod
    def stored(cls, names: StoredNames) -> Gazetteer:
        """The gazetteer kept in a names file (``gazetteer_cache``): each name is looked up
        there when a question needs it, so a new process reads a few rows, not every unit's
        names. Changing it (``refresh``) reads everything first."""
        gazetteer = cls([])
        gazetteer._stored = names
        gazetteer._forms = names.forms
        gazetteer.levels = names.levels
        gazetteer.parents = names.parents
        gazetteer.alias_counts = names.alias_counts
        gazetteer._folded_parents = names.folded_parents
        gazetteer._longest = names.longest
        gazetteer.default_unit = names.default_unit
        gazetteer._units = None
        return gazetteer

    @property
    def looked_up(self) -> bool:
        """Whether its names are looked up in a names file as questions need them."""
        return self._stored is not None

    def close(self) -> None:
        """Close the names file it looks names up in: it is not asked again."""
        if self._stored is not None:
            self._stored.close()

    @property
    def units(self) -> tuple[str, ...]:
        """Every loaded unit, sorted."""
        if self._units is None:
            self._units = tuple(sorted(self.levels))
        return self._units

    def names(self) -> tuple[dict[str, dict[str, int]], dict[str, str], dict[str, str]]:
        """Every name form with its units and ranks, every unit's level and every parent:
        what a names file keeps."""
        self._materialize()
        return dict(self._forms), dict(self.levels), dict(self.parents)

    def aliases_held(self, units: Iterable[str]) -> int:
        """How many alias rows these units' names were read with."""
        return sum(self.alias_counts.get(unit, 0) for unit in units)

    @property
    def folded_parents(self) -> frozenset[str]:
        return frozenset(fold_question(p) for p in self.parents.values())

    def _materialize(self) -> None:
        """Read a stored gazetteer whole, as one built from the database holds it."""
        if self._stored is None:
            return
        self._forms = dict(self._forms)
        self.levels = dict(self.levels)
        self.parents = dict(self.parents)
        self.alias_counts = dict(self.alias_counts)
        self._folded_parents = set(self.folded_parents)
        self._unit_forms = {}
        for form, units in self._forms.items():
            for unit in units:
                self._unit_forms.setdefault(unit, set()).add(form)
        self._units = tuple(sorted(self.levels))
        self._stored.close()  # every name read: the file is not asked again
        self._stored = None

    def _default_unit(self) -> str | None:
        return default_unit(self.units, self.levels, self.parents)

    def forms_of(self, unit: str) -> dict[str, int]:
        """A unit's name forms with their ranks (of a gazetteer built from rows, not one
        read from a names file): what a names file keeps of it."""
        return {form: self._forms[form][unit] for form in self._unit_forms.get(unit, ())}

    @property
    def english(self) -> EnglishNames:
        """English and pinyin names of the loaded units, built on the first English question."""
        if self._english is None:
            self._english = EnglishNames(self.units)
        return self._english

    # -- building ---------------------------------------------------------------------------

    def _index(
        self,
        unit: str,
        rows: Iterable[Mapping[str, object]],
        aliases: Iterable[Mapping[str, object]],
    ) -> None:
        """A unit's names from its reports (newest first) and its aliases, replacing any
        it had."""
        self._drop(unit)
        seen: set[tuple[str, str]] = set()
        for row in rows:
            self.levels.setdefault(unit, str(row.get("level") or ""))
            parent = str(row.get("parent") or "").strip()
            if parent:
                self.parents.setdefault(unit, parent)
            names = (str(row.get("unit_full") or "").strip(), parent)
            if names not in seen:
                seen.add(names)
                self._index_unit(unit, *names)
        if unit not in self.levels:
            return
        aliases = list(aliases)
        self.alias_counts[unit] = len(aliases)
        for alias in aliases:
            rank = alias.get("rank")
            self._add(
                str(alias.get("alias") or ""),
                unit,
                _ALIAS_RANKS.get(rank, SHORT) if isinstance(rank, int) else SHORT,
            )

    def _drop(self, unit: str) -> None:
        for form in self._unit_forms.pop(unit, ()):
            units = self._forms.get(form)
            if units is not None:
                units.pop(unit, None)
                if not units:
                    del self._forms[form]
                    self._longest_gone |= len(form) >= self._longest
        self.levels.pop(unit, None)
        self.parents.pop(unit, None)
        self.alias_counts.pop(unit, None)

    def _add(self, form: str, unit: str, rank: int) -> None:
        form = fold_question(form).strip()
        if len(form) < 2:
            return
        units = self._forms.setdefault(form, {})
        units[unit] = max(units.get(unit, 0), rank)
        self._unit_forms.setdefault(unit, set()).add(form)
        self._longest = max(self._longest, len(form))

    def _without_official_suffix(self, name: str) -> str:
        restore = unit_names()["restore_level"]
        for suffix in self._official_suffixes:
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)] + restore.get(suffix, "")
        return name

    def _short(self, name: str) -> str | None:
        folded = fold_question(name)
        for suffix in self._short_suffixes:
            if folded.endswith(suffix) and len(folded) - len(suffix) >= vocabulary()["min_short"]:
                return folded[: -len(suffix)]
        return None

    def _loose(self, name: str) -> bool:
        """Ends in 政府 but not in a longer official ending such as 人民政府."""
        longest = next((s for s in self._official_suffixes if name.endswith(s)), "")
        return longest in vocabulary()["loose_suffixes"]

    def _index_unit(self, unit: str, unit_full: str, parent: str) -> None:
        names = {unit}
        if unit_full:
            names |= {unit_full, self._without_official_suffix(unit_full)}
        for suffix in self._official_suffixes:
            names.add(unit + suffix)
        folded_parent = fold_question(parent) if parent else ""
        for name in sorted(names):
            if self._loose(name):
                continue
            self._add(name, unit, EXACT)
            folded = fold_question(name)
            if parent and not folded.startswith(folded_parent):
                self._add(parent + name, unit, EXACT)
            region = self._region.match(folded)
            bare = folded[region.end() :] if region else folded
            if (
                bare != folded
                and len(bare) >= vocabulary()["min_short"]
                and bare not in self._folded_official
            ):
                self._add(bare, unit, REGIONLESS)
            short = self._short(bare)
            if short:
                self._add(short, unit, SHORT)

    def _init_places(self, vocab: dict) -> None:
        suffixes = _alternation(fold_question(s) for s in vocab["place_suffixes"])
        short = _alternation(fold_question(s) for s in vocab["one_char_place_suffixes"])
        self._place = re.compile(
            f"^(?:[{CJK}]{{2,{vocab['place_max_chars']}}}?(?:{suffixes})|[{CJK}](?:{short}))+"
        )
        generic = vocab["generic"]
        prefixes = {
            kind: _alternation(fold_question(p) for p in generic[kind]).replace(
                re.escape("{n}"), _COUNT
            )
            for kind in GENERIC_KINDS
        }
        levels = _alternation(fold_question(w) for w in generic["levels"])
        self._generic = re.compile(f"(?:{'|'.join(prefixes.values())})(?:{levels})")
        self._generic_kinds = {kind: re.compile(prefixes[kind]) for kind in GENERIC_KINDS}
        self._not_places = tuple(fold_question(w) for w in vocab["not_places"])
        self._stop = re.compile(_alternation(fold_question(w) for w in vocab["stop_words"]))
        self._title_after = tuple(fold_question(w) for w in vocab["title_after"])
        endings = _alternation(fold_question(w) for w in vocab["department_endings"])
        self._department = re.compile(f"[{CJK}]{{1,6}}?(?:{endings})")
        self._department_name = re.compile(f"[{CJK}]{{2,8}}?(?:{endings})")
        self._own_offices = {fold_question(w) for w in vocab["own_offices"]}

    # -- matching ---------------------------------------------------------------------------

    def find(self, folded: FoldedText) -> list[UnitMatch]:
        """Unit mentions in order; the longest name wins at each position.

        Dictionary look-ups of every length at every position: the cost does not grow with
        the number of units, which a regex alternation's would.
        """
        text = folded.text
        if self._stored is not None:  # every name the loop below may look up, in one read
            self._stored.prefetch(text, self._longest)
        found: list[UnitMatch] = []
        pos = 0
        while pos < len(text):
            match = self._longest_at(text, pos)
            if match is None:
                pos += 1
                continue
            end, units, rank = match
            inner = self._longer_inside(text, pos, end)
            if inner is not None:  # 和源 of 乡和源琼市应急管理局 gives way to 源琼市应急管理局
                pos = inner
                continue
            if not self._names_a_part(text, end, units):
                found.append(UnitMatch(pos, end, folded.source(pos, end), units, rank))
            pos = end
        if _LATIN.search(text):
            blanked = self._blank_spans(text, [(m.start, m.end) for m in found])
            for start, end, units in self.english.find(blanked):
                found.append(UnitMatch(start, end, folded.source(start, end), units))
            found.sort(key=lambda m: m.start)
        return self._without_bare_places(self._joined_to_parts(found, folded))

    def _joined_to_parts(self, found: list[UnitMatch], folded: FoldedText) -> list[UnitMatch]:
        """A unit's name right before the short name of a unit within it (东湖 + 北山 of
        东湖新区北山片区管理局, 嘉善 + 西塘 of 嘉善县西塘镇) names the inner unit alone."""
        joined: list[UnitMatch] = []
        for match in found:
            outer = joined[-1] if joined else None
            if (
                outer is not None
                and outer.end == match.start
                and len(outer.units) == 1
                and len(match.units) == 1
                and self._within(match.units[0], outer.units[0])
            ):
                mention = folded.source(outer.start, match.end)
                joined[-1] = UnitMatch(outer.start, match.end, mention, match.units, match.rank)
                continue
            joined.append(match)
        return joined

    def _within(self, inner: str, outer: str) -> bool:
        """Whether ``inner`` is a unit within ``outer`` (its name starts with it, or its parent
        is it)."""
        if inner == outer:
            return False
        return (
            fold_question(inner).startswith(fold_question(outer))
            or self.parents.get(inner) == outer
        )

    def _without_bare_places(self, found: list[UnitMatch]) -> list[UnitMatch]:
        """A bare place word (东湖 of 东湖网站, 管委会 of 管委会门户网站) beside a unit named in
        full is a modifier, not a second unit."""
        if not any(m.rank > SHORT for m in found):
            return found
        return [
            m
            for m in found
            if m.rank > SHORT or any(self.levels.get(u) not in REGION_LEVELS for u in m.units)
        ]

    def _names_a_part(self, text: str, end: int, units: tuple[str, ...]) -> bool:
        """A region's government followed by a department's name (某某区教育局): the question
        names that department, which is not loaded, not the region."""
        if any(self.levels.get(u) not in REGION_LEVELS for u in units):
            return False
        return self._department_after(text, end) is not None

    def _department_after(self, text: str, end: int) -> int | None:
        """The end of a department name starting at ``end`` (教育局 after a region), if any."""
        match = self._department.match(text, end)
        if not match or self._stop.search(match.group(0)):
            return None
        name = match.group(0)
        if organisation_problem(name) is not None or self._longest_at(text, end):
            return None
        return match.end()

    @staticmethod
    def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
        chars = list(text)
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        return "".join(chars)

    def _longer_inside(self, text: str, start: int, end: int) -> int | None:
        """Where a longer name starts inside ``text[start:end]`` and runs past its end: a
        short name overlapping a longer one is a coincidence of characters (with tens of
        thousands of units, some town's short name hides in most runs of characters)."""
        for pos in range(start + 1, end):
            match = self._longest_at(text, pos)
            if match is not None and match[0] > end and match[0] - pos > end - start:
                return pos
        return None

    def _longest_at(self, text: str, pos: int) -> tuple[int, tuple[str, ...], int] | None:
        for end in range(min(len(text), pos + self._longest), pos + 1, -1):
            ranks = self._forms.get(text[pos:end])
            if not ranks:
                continue
            best = max(ranks.values())
            if best == SHORT and text.startswith(self._level_suffixes, end):
                continue
            return end, tuple(sorted(u for u, r in ranks.items() if r == best)), best
        return None

    def link(self, text: str) -> tuple[list[UnitRef], list[tuple[str, list[str]]]]:
        """Linked units in order of mention (each once) and ambiguous mentions with candidates."""
        refs, ambiguous = resolve(self.find(FoldedText.of(text, form=QUESTION)))
        return refs, [(mention, list(units)) for mention, units in ambiguous]

    def generic_levels(self, text: str) -> list[GenericWord]:
        """Generic unit words (哪个镇, 各街道, 本镇) in folded text, with the level they name."""
        levels = {fold_question(k): v for k, v in vocabulary()["generic"]["levels"].items()}
        found = []
        for match in self._generic.finditer(text):
            word = match.group(0)
            level_word = max((w for w in levels if word.endswith(w)), key=len, default="")
            prefix = word[: len(word) - len(level_word)]
            kind = next(
                (k for k, pattern in self._generic_kinds.items() if pattern.fullmatch(prefix)),
                "plain",
            )
            found.append(GenericWord(match.start(), match.end(), levels.get(level_word, ""), kind))
        return found

    def unknown_places(self, masked: str, known: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Spans of ``masked`` that look like place names but are no unit in the database.

        ``masked`` is the folded question with everything already understood (units,
        statistics, years) blanked out; ``known`` are the spans of the units found in it.
        """
        text = self._blank(self._blank(masked, self._generic), self._stop)
        starts = {start for start, _ in known}
        ends = {end for _, end in known}
        found = []
        for run in _CJK_RUN.finditer(text):
            match = self._place.match(run.group(0))
            if not match:
                # A department right after a loaded unit is a part of it (某局党政办公室).
                department = 0 if run.start() in ends else self._unknown_department(run.group(0))
                if department:
                    found.append((run.start(), run.start() + department))
                continue
            start, end = run.start(), run.start() + match.end()
            if end in starts or text.startswith(self._title_after, end):
                continue
            longer = self._department_after(text, end)
            if longer is not None:
                found.append((start, longer))
                continue
            name = text[start:end]
            # A loaded unit's region beside that unit (嘉善县的西塘镇) qualifies it; alone it is
            # a unit of its own, and no report of it is loaded.
            if (name in self._folded_parents and known) or self._not_place(name):
                continue
            found.append((start, end))
        if _LATIN.search(text):
            found.extend(self.english.unknown_places(text, vocabulary()["english_levels"]))
        return sorted(found)

    def _unknown_department(self, run: str) -> int:
        """The length of a department's name at the start of ``run`` (国家税务总局 of
        国家税务总局有…), 0 when there is none: a department no report is loaded for."""
        match = self._department.match(run)
        if not match or len(match.group(0)) < MIN_DEPARTMENT_CHARS:
            return 0
        name = match.group(0)
        if name in self._own_offices or organisation_problem(name) is not None:
            return 0
        if self._stop.search(name):
            return 0
        return match.end()

    def unknown_departments(self, masked: str) -> list[tuple[int, int]]:
        """Spans of ``masked`` that name a department (教育局, 卫健委) no loaded unit is called.

        Asked of a question that links no unit: without it, such a question would be read as
        one about the region's own government, and answered with that government's figure.
        """
        text = self._blank(self._blank(masked, self._generic), self._stop)
        found = []
        for run in _CJK_RUN.finditer(text):
            name = run.group(0)
            if name in self._own_offices or not self._department_name.fullmatch(name):
                continue
            if organisation_problem(name) is None:
                found.append(run.span())
        return found

    def _not_place(self, name: str) -> bool:
        """乡镇, 城区, 县级市: category words, also at the end of a longer word (某县级市)."""
        return any(name == w or (len(w) >= 3 and name.endswith(w)) for w in self._not_places)

    @staticmethod
    def _blank(text: str, pattern: re.Pattern[str]) -> str:
        if not pattern.pattern:
            return text
        return pattern.sub(lambda m: " " * len(m.group(0)), text)
