"""Unit identity: one row per unit, whatever its reports call it, with the names people use.

Reports spell one unit differently across years (东山片区管理局, 某某区东山片区管理局), and
people name it differently again (公安局, 某某公安局, 实验区公安局, 财金局).  The ``units``
table keeps one canonical name per unit (the fullest spelling seen, the value of
``reports.unit`` for all its reports), its official name, level and parent region; the
``unit_aliases`` table every other name, from the spellings of its reports, from the alias
rules of ``ingest/data/unit_aliases.toml`` and from admins (``nianbao alias``).

Aliases carry a rank like the question side's: 3 for a full name, 2 for a name without its
region, 1 for a bare place or region word (东湖 for 东湖综合实验区, 管委会) that longer
names beat.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from ingest.jieba_import import (
    attach,
    default_dictionary,
    jieba_module,
    load_dictionary,
    store_dictionary,
)
from ingest.metadata import (
    official_suffixes,
    organisation_problem,
    region_parts,
    region_prefix,
    same_unit_names,
    strip_official,
    unit_level,
)
from ingest.text import to_simplified
from ingest.user_cache import cache_dir
from ingest.vocab import load_toml

if TYPE_CHECKING:  # imported when a name is first cut: a question never needs it
    import jieba

FULL, REGIONLESS, PLACE = 3, 2, 1
ADMIN = "admin"
REGION_LEVELS = ("县", "区", "市", "省")


class AliasError(ValueError):
    """An alias that cannot be added; the message says why and what to do."""


@dataclass(frozen=True)
class _RegionType:
    full: str
    short: tuple[str, ...]


def _rules() -> dict:
    return load_toml("ingest.data", "unit_aliases.toml")


@cache
def _region_types() -> tuple[_RegionType, ...]:
    types = [_RegionType(t["full"], tuple(t["short"])) for t in _rules()["region_type"]]
    return tuple(sorted(types, key=lambda t: len(t.full), reverse=True))


def _split_type(region: str) -> tuple[str, _RegionType | None]:
    """东湖综合实验区 → ('东湖', 综合实验区); a region whose place would be one character
    keeps its type (东区 is not 东)."""
    for kind in _region_types():
        if region.endswith(kind.full) and len(region) - len(kind.full) >= 2:
            return region[: -len(kind.full)], kind
    return region, None


def place_of(region: str) -> str:
    """The place a region is named after: 东湖 of 东湖综合实验区, 临安 of 临安区."""
    return _split_type(_last_region(region))[0]


def _last_region(region: str) -> str:
    """The region nearest the unit: 临安区 of 杭州市临安区."""
    parts = region_parts(region)
    return parts[-1] if parts else region


@cache
def _segmenter() -> jieba.Tokenizer:
    """A jieba of its own (the default dictionary), so no other dictionary changes its cuts.

    A unit's name needs a few dozen of the dictionary's half a million words: kept as an
    empty difference from jieba's own (``store_dictionary``), the dictionary is looked up
    word by word where jieba's table exists, instead of read whole (adding one report)."""
    path = cache_dir("jieba") / f"plain-{jieba_module().__version__}.dictionary"
    loaded = load_dictionary(path)
    if loaded is None:
        freq, total = default_dictionary()
        store_dictionary(path, freq, total)
        return attach(jieba_module().Tokenizer(), freq, total)
    return attach(jieba_module().Tokenizer(), *loaded)


def _morphemes(part: str) -> list[str]:
    """The words of a name part, long words in two-character halves (财政金融 → 财政, 金融)."""
    found: list[str] = []
    for word in _segmenter().lcut(part, HMM=False):
        if len(word) >= 4 and len(word) % 2 == 0:
            found.extend(word[i : i + 2] for i in range(0, len(word), 2))
        else:
            found.append(word)
    return found


def derived_abbreviations(core: str) -> set[str]:
    """Abbreviations of a department's name by the rules of ``[derived]``: 投资促进局 → 投促局,
    旅游与文化体育局 → 旅文体局 (and 旅文局), 综合执法局 → 执法局.  Empty for a name that is no
    department's or has a single word."""
    rules = _rules()["derived"]
    ending = next(
        (e for e in sorted(rules["endings"], key=len, reverse=True) if core.endswith(e)), ""
    )
    stem = core[: -len(ending)] if ending else ""
    if not stem or not re.fullmatch(r"[\u4e00-\u9fff]+", stem):
        return set()
    short_ending = rules["endings"][ending]
    found: set[str] = set()
    for word in rules["droppable"]:
        if stem.startswith(word) and len(stem) - len(word) >= 2:
            found.add(stem[len(word) :] + ending)
    connectors = "|".join(re.escape(c) for c in rules["connectors"])
    parts = [p for p in re.split(connectors, stem) if p]
    words = [[w for w in _morphemes(p) if w not in rules["silent"]] for p in parts]
    readings = ["".join(w[0] for ws in words for w in ws)]
    if len(parts) > 1:
        readings.append("".join(ws[0][0] for ws in words if ws))
    for letters in readings:
        if rules["min_chars"] <= len(letters) <= rules["max_chars"] and letters != stem:
            found.add(letters + short_ending)
    return found


def _core_variants(core: str) -> set[str]:
    """A unit's name without its region, and its shorter endings and abbreviations."""
    rules = _rules()
    variants = {core}
    if unit_level(core) == "部门":
        variants |= derived_abbreviations(core)
    for ending, shorter in rules["endings"].items():
        if core.endswith(ending) and len(core) > len(ending):
            variants.update(core[: -len(ending)] + s for s in shorter)
    for word, shorts in rules["abbreviations"].items():
        for variant in list(variants):
            if word in variant:
                variants.update(variant.replace(word, s) for s in shorts)
    return {v for v in variants if len(v) >= 2}


def _add(forms: dict[str, int], form: str, rank: int) -> None:
    if len(form) >= 2:
        forms[form] = max(forms.get(form, 0), rank)


def _region_unit_forms(forms: dict[str, int], base: str, official: Iterable[str]) -> None:
    """A region's own government: 某某综合实验区 is 某某, 实验区, 某某实验区, 某某管委会 …"""
    rules = _rules()
    place, kind = _split_type(base)
    shorts = kind.short if kind else ()
    if kind:
        _add(forms, place, PLACE)
        for short in shorts:
            _add(forms, short, PLACE)
            _add(forms, place + short, FULL)
    for suffix in rules["government_suffixes"]:
        _add(forms, base + suffix, FULL)
        if kind:
            _add(forms, place + suffix, REGIONLESS)
            for short in shorts:
                _add(forms, short + suffix, REGIONLESS)
    for name in official:
        for suffix in rules["standalone_suffixes"]:
            if name.endswith(suffix):
                _add(forms, suffix, PLACE)


def alias_forms(names: Iterable[str]) -> dict[str, int]:
    """Every name people may use for a unit known by ``names``, with its rank."""
    forms: dict[str, int] = {}
    names = [n for n in dict.fromkeys(names) if n]
    for name in names:
        base = strip_official(name)
        _add(forms, name, FULL)
        _add(forms, base, FULL)
        region = region_prefix(base)
        if region is None and unit_level(base) in REGION_LEVELS:
            _region_unit_forms(forms, base, names)
            continue
        core = base[len(region) :] if region else base
        last = _last_region(region) if region else ""
        place, kind = _split_type(last) if last else ("", None)
        for variant in _core_variants(core):
            _add(forms, variant, FULL if variant == base else REGIONLESS)
            if region:
                _add(forms, region + variant, FULL)
                _add(forms, last + variant, FULL)
                if kind:
                    _add(forms, place + variant, FULL)
                    for short in kind.short:
                        _add(forms, short + variant, FULL)
                        if len(short) >= 2:
                            _add(forms, place + short + variant, FULL)
            stem = variant.removesuffix("局")
            if place and kind and stem != variant and len(stem) >= 2 and not stem.endswith("管理"):
                _add(forms, place + stem, REGIONLESS)
    return forms


# -- the tables -------------------------------------------------------------------------------

UNIT_COLUMNS = {
    "name": str,  # canonical name: reports.unit of every report of the unit
    "full_name": str,  # official full name when a report states one
    "level": str,
    "parent": str,
    "aliases": str,  # JSON list of every other name, for display
    "reports": int,
}

ALIAS_COLUMNS = {
    "unit": str,  # units.name
    "alias": str,
    "rank": int,  # 3 full name, 2 without region, 1 bare place word
    "kind": str,  # spelling (a report's own), rule, admin
}


def ensure_tables(db: sqlite_utils.Database) -> None:
    """Create the identity tables if missing."""
    if "units" not in db.table_names():
        db.table("units").create(UNIT_COLUMNS, pk="name")
    if "unit_aliases" not in db.table_names():
        db.table("unit_aliases").create(ALIAS_COLUMNS)
        db.table("unit_aliases").create_index(["alias"])
        db.table("unit_aliases").create_index(["unit"])


def _fuller(a: str, b: str) -> str:
    """The fuller of two spellings of one unit: the one with its region, then the longer."""
    return max((a, b), key=lambda n: (region_prefix(strip_official(n)) is not None, len(n), n))


def _spelling_candidates(name: str) -> tuple[str, list[str | int]]:
    """A query for the loaded units that may spell ``name`` (``same_unit_names`` decides).

    Two spellings of one unit are, once official endings are stripped, equal or one ends
    with the other: a unit can only match if its name is an ending of ``name`` stripped,
    ends with ``name`` stripped, or ends in an official ending.  The test runs in SQLite over
    the names' index: reading every unit into Python for each report cost tens of
    milliseconds at ten thousand reports.
    """
    stripped = strip_official(name)
    if not stripped:
        return "SELECT name FROM units", []
    endings = [stripped[i:] for i in range(len(stripped))]
    tests = " OR ".join("substr(name, -?) = ?" for _ in official_suffixes())
    return (
        f"SELECT name FROM units WHERE name IN ({', '.join('?' * len(endings))}) "
        f"OR substr(name, -?) = ? OR {tests}",
        [
            *endings,
            len(stripped),
            stripped,
            *(value for ending in official_suffixes() for value in (len(ending), ending)),
        ],
    )


def identify(db: sqlite_utils.Database, name: str) -> str | None:
    """The canonical name of the loaded unit that ``name`` spells, if exactly one is."""
    ensure_tables(db)
    matches = {
        unit
        for (unit,) in db.execute(*_spelling_candidates(name)).fetchall()
        if same_unit_names(unit, name)
    }
    if len(matches) == 1:
        return matches.pop()
    if matches:
        return None
    owners = {
        row["unit"]
        for row in db.query(
            "SELECT unit FROM unit_aliases WHERE alias = ? AND rank >= ?", [name, REGIONLESS]
        )
    }
    return owners.pop() if len(owners) == 1 else None


def canonical(db: sqlite_utils.Database, name: str) -> tuple[str, str | None]:
    """(name to store, existing unit it renames or None) for a report's unit ``name``.

    A spelling of a loaded unit joins it; a fuller spelling (with its region) becomes the
    unit's canonical name, and the caller renames the unit's reports.
    """
    existing = identify(db, name)
    if existing is None:
        return name, None
    fuller = _fuller(existing, name)
    return fuller, (existing if fuller != existing else None)


def rename_unit(db: sqlite_utils.Database, old: str, new: str) -> None:
    """Move every report and admin alias of unit ``old`` to ``new`` (inside a transaction)."""
    db.execute("UPDATE reports SET unit = ? WHERE unit = ?", [new, old])
    db.execute("UPDATE unit_aliases SET unit = ? WHERE unit = ? AND kind = ?", [new, old, ADMIN])
    db.execute("DELETE FROM unit_aliases WHERE unit = ? AND kind != ?", [old, ADMIN])
    db.execute("DELETE FROM units WHERE name = ?", [old])


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def refresh_unit(db: sqlite_utils.Database, name: str) -> None:
    """Rebuild one unit's row and rule aliases from its reports (inside a transaction)."""
    ensure_tables(db)
    rows = list(
        db.query(
            "SELECT unit_full, level, parent, names FROM reports WHERE unit = ? ORDER BY year DESC",
            [name],
        )
    )
    db.execute("DELETE FROM unit_aliases WHERE unit = ? AND kind != ?", [name, ADMIN])
    db.execute("DELETE FROM units WHERE name = ?", [name])
    if not rows:
        return
    spellings: list[str] = [name]
    for row in rows:
        spellings.extend(json.loads(row["names"] or "[]"))
    full_name = _most_common(r["unit_full"] for r in rows)
    if full_name:
        spellings.append(full_name)
    forms = alias_forms(spellings)
    own = set(spellings)
    forms.pop(name, None)
    db.table("unit_aliases").insert_all(
        {"unit": name, "alias": alias, "rank": rank, "kind": "spelling" if alias in own else "rule"}
        for alias, rank in sorted(forms.items())
    )
    admin = [
        r["alias"]
        for r in db.query(
            "SELECT alias FROM unit_aliases WHERE unit = ? AND kind = ?", [name, ADMIN]
        )
    ]
    db.table("units").insert(
        {
            "name": name,
            "full_name": full_name,
            "level": _most_common(r["level"] for r in rows),
            "parent": _most_common(r["parent"] for r in rows),
            "aliases": json.dumps(sorted(set(forms) | set(admin)), ensure_ascii=False),
            "reports": len(rows),
        }
    )


def rebuild_units(db: sqlite_utils.Database) -> None:
    """Every unit's row from the reports table (after an upgrade or a removal)."""
    ensure_tables(db)
    with db.atomic():
        names = [row["unit"] for row in db.query("SELECT DISTINCT unit FROM reports")]
        known = {row["name"] for row in db.query("SELECT name FROM units")}
        for gone in known - set(names):
            refresh_unit(db, gone)
        for name in names:
            refresh_unit(db, name)


# -- admin aliases ----------------------------------------------------------------------------


def add_alias(db: sqlite_utils.Database, unit: str, alias: str) -> str:
    """Add an admin alias to a loaded unit (named by any of its names); returns the unit."""
    ensure_tables(db)
    alias = to_simplified("".join(alias.split()), fold_variants=False)
    if len(alias) < 2:
        raise AliasError(f"alias {alias!r} is too short: give at least two characters")
    target = _loaded_unit(db, unit)
    taken = {
        row["unit"]
        for row in db.query(
            "SELECT unit FROM unit_aliases WHERE alias = ? AND kind = ?", [alias, ADMIN]
        )
    }
    if taken - {target}:
        raise AliasError(
            f"alias {alias} already names {', '.join(sorted(taken))}; "
            f"remove it there first with: nianbao alias --remove {alias}"
        )
    with db.atomic():
        db.execute("DELETE FROM unit_aliases WHERE alias = ? AND kind = ?", [alias, ADMIN])
        db.table("unit_aliases").insert(
            {"unit": target, "alias": alias, "rank": FULL, "kind": ADMIN}
        )
        refresh_unit(db, target)
    return target


def remove_alias(db: sqlite_utils.Database, alias: str) -> int:
    """Remove an admin alias; returns how many rows went."""
    ensure_tables(db)
    with db.atomic():
        units = [
            r["unit"]
            for r in db.query(
                "SELECT unit FROM unit_aliases WHERE alias = ? AND kind = ?", [alias, ADMIN]
            )
        ]
        db.execute("DELETE FROM unit_aliases WHERE alias = ? AND kind = ?", [alias, ADMIN])
        for unit in units:
            refresh_unit(db, unit)
    return len(units)


def load_alias_file(db: sqlite_utils.Database, path: Path) -> list[tuple[str, str]]:
    """Admin aliases from a TOML file: ``"unit name" = ["alias", …]``; returns what was added."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AliasError(f"cannot read {path}: {exc}") from exc
    table = data.get("aliases", data)
    added = []
    for unit, aliases in table.items():
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list):
            raise AliasError(f'{path}: {unit} needs a list of aliases, e.g. "{unit}" = ["…"]')
        for alias in aliases:
            added.append((add_alias(db, unit, str(alias)), str(alias)))
    return added


def _loaded_unit(db: sqlite_utils.Database, name: str) -> str:
    name = to_simplified("".join(name.split()), fold_variants=False)
    if db.table("units").count and next(
        iter(db.query("SELECT 1 AS x FROM units WHERE name = ?", [name])), None
    ):
        return name
    owners = {r["unit"] for r in db.query("SELECT unit FROM unit_aliases WHERE alias = ?", [name])}
    if len(owners) == 1:
        return owners.pop()
    if owners:
        raise AliasError(
            f"{name} names several units ({', '.join(sorted(owners))}): give one of those"
        )
    problem = organisation_problem(name)
    hint = f" ({problem})" if problem else ""
    raise AliasError(f"no loaded unit is called {name}{hint}; see the units with: nianbao units")


def units_rows(db: sqlite_utils.Database) -> list[dict]:
    """The units table, for ``nianbao units`` and the question side."""
    ensure_tables(db)
    return list(db.query("SELECT * FROM units ORDER BY name"))
