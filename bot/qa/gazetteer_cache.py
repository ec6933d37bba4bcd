"""A database's gazetteer kept on disk, so a new process does not rebuild every unit's names.

Building the names of ten thousand units takes seconds, and even reading them all back (a
pickle) takes tenths of a second at tens of thousands of units, while a question needs a few
dozen. So the names are kept in a small SQLite file, indexed by name form, and a new process
looks up only the forms its question contains (``StoredNames``).

A file belongs to one database file and is used only for the exact corpus stamp it was built
at, and only when the database keeps a change counter (``db_state``): counts and ids alone
cannot tell every change apart. The code and vocabularies that build names are part of the
key, so a new version never reads an old file.

A file is never changed once written: a new one is renamed into its place, so a process
reading names from the old one goes on reading the names of its own stamp.  After reports
were added, replaced or removed (or aliases changed), ``update`` makes the new file from a copy
of the old one with only the units that changed read again, as a running process refreshes its
gazetteer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import signal
import sqlite3
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

from bot.qa import gazetteer as gazetteer_module
from bot.qa.gazetteer import REGION_LEVELS, Gazetteer, default_unit
from bot.qa.report_table import CorpusStamp, corpus_stamp, touched_units
from ingest import text as text_module
from ingest.store import open_reader
from ingest.text import fold_question
from ingest.user_cache import cache_dir, prune, writable, write_sqlite, write_whole

KEPT = 8  # gazetteer files kept (one per database in use)
FORMAT = "2"  # bump when the tables below change
BATCH = 500  # keys read in one query (SQLite allows 32,766 parameters)

if TYPE_CHECKING:
    import sqlite_utils

V = TypeVar("V")


@cache
def _code_fingerprint() -> bytes:
    """What builds the names: the gazetteer's code, folding, and their vocabularies."""
    h = hashlib.sha256(FORMAT.encode())
    for module in (gazetteer_module, text_module):
        h.update(Path(str(module.__file__)).read_bytes())
    for package, name in (("bot.qa.data", "gazetteer.toml"), ("ingest.data", "units.toml")):
        h.update(resources.files(package).joinpath(name).read_bytes())
    return h.digest()


def _path(db_path: Path) -> Path | None:
    try:
        real = Path(db_path).resolve()
        inode = real.stat().st_ino
    except OSError:
        return None
    key = hashlib.sha256(f"{real}\x00{inode}".encode() + _code_fingerprint()).hexdigest()[:24]
    return cache_dir("gazetteer") / f"{key}.sqlite"


class LookedUp(MutableMapping[str, V], Generic[V]):
    """A table of a names file as a mapping: keys read when asked (and remembered), the
    whole table only when iterated or changed."""

    def __init__(
        self,
        read: Callable[[list[str]], dict[str, V]],
        read_all: Callable[[], dict[str, V]],
    ) -> None:
        self._read = read
        self._read_all = read_all
        self._seen: dict[str, V | None] = {}
        self._all: dict[str, V] | None = None

    def forget(self) -> None:
        self._seen = {}
        self._all = None

    def prefetch(self, keys: Iterable[str]) -> None:
        if self._all is not None:
            return
        missing = list(dict.fromkeys(k for k in keys if k not in self._seen))
        if missing:
            found = self._read(missing)
            for key in missing:
                self._seen[key] = found.get(key)

    def _whole(self) -> dict[str, V]:
        if self._all is None:
            self._all = self._read_all()
        return self._all

    def __getitem__(self, key: str) -> V:
        if self._all is not None:
            return self._all[key]
        if key not in self._seen:
            self.prefetch([key])
        found = self._seen[key]
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __setitem__(self, key: str, value: V) -> None:
        self._whole()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._whole()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())


class StoredNames:
    """A gazetteer's names file, open for reading (one connection, any thread)."""

    def __init__(self, path: Path) -> None:
        """Raises ``sqlite3.Error`` when the file is missing or not a names file."""
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        meta = dict(self._query("SELECT key, value FROM meta"))
        self.stamp = pickle.loads(meta["stamp"])
        self.longest = int(meta["longest"])
        self.default_unit: str | None = meta["default_unit"]
        self.forms: LookedUp[dict[str, int]] = LookedUp(
            lambda keys: {k: json.loads(v) for k, v in self._many("forms", "form", keys)},
            lambda: {k: json.loads(v) for k, v in self._query("SELECT form, units FROM forms")},
        )
        self.levels: LookedUp[str] = LookedUp(
            lambda keys: dict(self._many("units", "unit", keys, "level")),
            lambda: dict(self._query("SELECT unit, level FROM units")),
        )
        self.parents: LookedUp[str] = LookedUp(
            lambda keys: dict(self._many("units", "unit", keys, "parent", "parent IS NOT NULL")),
            lambda: dict(self._query("SELECT unit, parent FROM units WHERE parent IS NOT NULL")),
        )
        self.alias_counts: LookedUp[int] = LookedUp(
            lambda keys: dict(self._many("units", "unit", keys, "aliases")),
            lambda: dict(self._query("SELECT unit, aliases FROM units")),
        )
        self.folded_parents: LookedUp[bool] = LookedUp(
            lambda keys: {k: True for (k,) in self._many("folded_parents", "name", keys, "")},
            lambda: {k: True for (k,) in self._query("SELECT name FROM folded_parents")},
        )

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, list(params)).fetchall()

    def close(self) -> None:
        """Close the file, and forget the names read from it (a gazetteer kept by a process
        is frozen out of the collector's scans: once dropped, only what it refers to alone
        would be freed)."""
        with self._lock:
            self._conn.close()
        for table in (
            self.forms,
            self.levels,
            self.parents,
            self.alias_counts,
            self.folded_parents,
        ):
            table.forget()

    def _many(
        self, table: str, key: str, keys: list[str], value: str = "units", where: str = ""
    ) -> list[tuple]:
        """Rows of ``table`` whose ``key`` is one of ``keys`` (in batches SQLite accepts)."""
        columns = f"{key}, {value}" if value else key
        extra = f" AND {where}" if where else ""
        sql = f"SELECT {columns} FROM {table} WHERE {key} IN ({{marks}}){extra}"
        with self._lock:
            return _many(self._conn, sql, keys)

    def prefetch(self, text: str, longest: int) -> None:
        """Every form a scan of ``text`` may look up (each piece of 2 to ``longest``
        characters), read at once."""
        pieces = (
            text[i:j]
            for i in range(len(text))
            for j in range(i + 2, min(len(text), i + longest) + 1)
        )
        self.forms.prefetch(pieces)


def _many(conn: sqlite3.Connection, sql: str, keys: list[str]) -> list[tuple]:
    """The rows of ``sql`` (its ``{marks}`` the place of a list of keys) for every key, in
    batches SQLite accepts."""
    rows: list[tuple] = []
    for i in range(0, len(keys), BATCH):
        batch = keys[i : i + BATCH]
        rows.extend(conn.execute(sql.format(marks=",".join("?" * len(batch))), batch))
    return rows


def _open(path: Path | None) -> StoredNames | None:
    """The names file at ``path``; None when there is none or it cannot be read."""
    if path is None or not path.exists():
        return None
    try:
        return StoredNames(path)
    except (sqlite3.Error, KeyError, ValueError, TypeError, EOFError, pickle.UnpicklingError):
        return None


def load(db_path: Path, stamp: CorpusStamp) -> Gazetteer | None:
    """The gazetteer stored for this database at exactly this stamp, if any."""
    names = _open(_path(db_path) if stamp.generation is not None else None)
    if names is None:
        return None
    if names.stamp != stamp:
        names.close()
        return None
    return Gazetteer.stored(names)


class Snapshot(NamedTuple):
    """What a names file keeps of a gazetteer, taken at once (another thread writes it while
    the gazetteer goes on changing)."""

    forms: dict[str, dict[str, int]]
    levels: dict[str, str]
    parents: dict[str, str]
    alias_counts: dict[str, int]
    longest: int
    default_unit: str | None


def snapshot(gazetteer: Gazetteer) -> Snapshot:
    forms, levels, parents = gazetteer.names()
    aliases = dict(gazetteer.alias_counts)
    return Snapshot(forms, levels, parents, aliases, gazetteer._longest, gazetteer.default_unit)


def store(
    db_path: Path, stamp: CorpusStamp, gazetteer: Gazetteer, taken: Snapshot | None = None
) -> bool:
    """Keep the gazetteer for the next process; failing to write costs only time (False).

    ``taken`` is a snapshot taken by a caller that writes from another thread."""
    path = _path(db_path) if stamp.generation is not None else None
    if path is None:
        return False
    names = taken if taken is not None else snapshot(gazetteer)
    try:
        written = write_sqlite(path, lambda conn: _write(conn, stamp, names))
    except (pickle.PicklingError, RuntimeError):
        return False  # RuntimeError: an inner dict changed while another thread wrote it
    if written:
        _pruned(path)
    return written


def _pruned(path: Path) -> None:
    prune(path.parent, "*.sqlite", KEPT)
    prune(path.parent, "*.pickle", 0)  # the former format


class _Rebuild(Exception):
    """The names file cannot be brought up to date by the units that changed alone."""


# Reading a unit again into a file costs two to three times its share of building every
# name: when more than a third of the units changed (and more than a few), all are built.
REBUILT_SHARE = 1 / 3
REBUILT_MIN = 50


def update(db_path: Path) -> str:
    """Leave the names file of this database at its stamp now, for the next process to
    read instead of building every unit's names (after a command-line ingest, which no
    running process watched).

    When the file holds an earlier stamp and reports were added, replaced or removed since
    (or aliases changed), only the units that changed are read again, into a copy of it: at
    100,000 reports building every name takes 13 s.  Returns what was done: ``current`` (nothing
    to do), ``updated``, ``built``, or ``""`` (not kept: no change counter, or a cache
    that cannot be written, where building names would only cost time)."""
    db = open_reader(db_path)
    try:
        db.conn.execute("BEGIN")  # one snapshot: the stamp and every name read
        try:
            return _update(db_path, db)
        finally:
            db.conn.execute("ROLLBACK")
    finally:
        db.close()


def _update(db_path: Path, db: sqlite_utils.Database) -> str:
    stamp = corpus_stamp(db)
    path = _path(db_path) if stamp.generation is not None else None
    if path is None or not writable(path.parent):
        return ""
    old = _open(path)
    if old is not None:
        try:
            if old.stamp == stamp:
                return "current"
        finally:
            old.close()
        try:
            written = write_whole(path, partial(_updated, source=path, db=db, stamp=stamp))
        except _Rebuild:
            pass
        except sqlite3.Error:
            return ""
        else:
            if written:
                _pruned(path)
            return "updated" if written else ""
    return "built" if store(db_path, stamp, Gazetteer.from_db(db)) else ""


def _updated(temp: Path, source: Path, db: sqlite_utils.Database, stamp: CorpusStamp) -> None:
    """Write at ``temp`` the names file ``source`` brought to ``stamp``: a copy of it (files
    are replaced whole, never changed, so the copy is one file at its own stamp), with the
    units that changed since read again."""
    shutil.copyfile(source, temp)
    conn = sqlite3.connect(temp)
    try:
        for pragma in ("journal_mode = OFF", "synchronous = OFF"):
            conn.execute(f"PRAGMA {pragma}")
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            before = pickle.loads(meta["stamp"])
            for count in ("units", "regions", "longest"):
                meta[count] = int(meta[count])
            if "default_unit" not in meta:
                raise KeyError("default_unit")
        except (sqlite3.Error, KeyError, TypeError, ValueError, EOFError, pickle.UnpicklingError):
            raise _Rebuild from None
        if not isinstance(before, CorpusStamp):
            raise _Rebuild
        units = touched_units(db, before, stamp, partial(_aliases_held, conn))
        if units is None or len(units) > max(REBUILT_SHARE * stamp.units, REBUILT_MIN):
            raise _Rebuild
        _take_in(conn, db, stamp, units, meta)
        conn.commit()
    finally:
        conn.close()


def _take_in(
    conn: sqlite3.Connection,
    db: sqlite_utils.Database,
    stamp: CorpusStamp,
    units: set[str],
    meta: dict,
) -> None:
    """Read these units again into the names file of ``conn``, as ``Gazetteer.refresh``
    takes them in: each unit's forms replaced, a unit without reports dropped, then what
    depends on every unit (the default unit, the folded parents, the longest name)."""
    fresh = Gazetteer.of_units(db, units)
    wanted = sorted(units)
    before = {
        unit: (level, parent, json.loads(forms))
        for unit, level, parent, forms in _many(
            conn, "SELECT unit, level, parent, forms FROM units WHERE unit IN ({marks})", wanted
        )
    }
    now = {unit: fresh.forms_of(unit) for unit in wanted if unit in fresh.levels}
    touched_forms = {f for _, _, forms in before.values() for f in forms}
    touched_forms.update(f for forms in now.values() for f in forms)
    rows = {
        form: json.loads(owners)
        for form, owners in _many(
            conn, "SELECT form, units FROM forms WHERE form IN ({marks})", sorted(touched_forms)
        )
    }
    for unit, (_, _, forms) in before.items():
        for form in forms:
            rows.get(form, {}).pop(unit, None)
    for unit, forms in now.items():
        for form, rank in forms.items():
            rows.setdefault(form, {})[unit] = rank
    gone = sorted(f for f in touched_forms if not rows.get(f))
    conn.executemany("DELETE FROM forms WHERE form = ?", [(f,) for f in gone])
    conn.executemany(
        "INSERT OR REPLACE INTO forms VALUES (?, ?)",
        sorted((f, json.dumps(u, ensure_ascii=False)) for f, u in rows.items() if u),
    )
    conn.executemany("DELETE FROM units WHERE unit = ?", [(u,) for u in wanted])
    conn.executemany(
        "INSERT INTO units VALUES (?, ?, ?, ?, ?)",
        [
            (u, fresh.levels[u], fresh.parents.get(u), fresh.alias_counts[u], _form_list(forms))
            for u, forms in now.items()
        ],
    )
    placed = {u: (fresh.levels[u], fresh.parents.get(u)) for u in now}
    placed_before = {u: (level, parent) for u, (level, parent, _) in before.items()}
    counts = {
        "units": meta["units"] + len(placed) - len(placed_before),
        "regions": meta["regions"] + _regions(placed) - _regions(placed_before),
    }
    if counts["units"] != stamp.units:
        raise _Rebuild  # a unit renamed: its old name has no report left, yet was not touched
    if any(len(f) >= meta["longest"] for f in gone):
        longest = conn.execute("SELECT max(length(form)) FROM forms").fetchone()[0] or 0
    else:
        longest = max([meta["longest"], *(len(f) for forms in now.values() for f in forms)])
    default = meta["default_unit"]
    if placed != placed_before:
        default = None
        if counts["regions"] == 1:  # else no unit is the default: no need to read them all
            levels = dict(conn.execute("SELECT unit, level FROM units"))
            parents = dict(conn.execute("SELECT unit, parent FROM units WHERE parent IS NOT NULL"))
            default = default_unit(sorted(levels), levels, parents)
        _take_in_parents(conn, placed_before, placed)
    conn.executemany(
        "UPDATE meta SET value = ? WHERE key = ?",
        [
            (pickle.dumps(stamp, protocol=pickle.HIGHEST_PROTOCOL), "stamp"),
            (longest, "longest"),
            (default, "default_unit"),
            *((value, key) for key, value in counts.items()),
        ],
    )


def _regions(placed: dict[str, tuple[str, str | None]]) -> int:
    """How many of these units are regions' governments (one alone may be the default)."""
    return sum(level in REGION_LEVELS for level, _ in placed.values())


def _take_in_parents(
    conn: sqlite3.Connection,
    before: dict[str, tuple[str, str | None]],
    now: dict[str, tuple[str, str | None]],
) -> None:
    """The folded parents of a file whose units changed from ``before`` to ``now``: the new
    ones added; one no unit has any more goes, unless another parent folds alike (every
    parent folded again only then)."""
    held = {parent for _, parent in before.values() if parent}
    holds = {parent for _, parent in now.values() if parent}
    conn.executemany(
        "INSERT OR IGNORE INTO folded_parents VALUES (?)",
        sorted({(fold_question(p),) for p in holds - held}),
    )
    gone = [
        p
        for p in sorted(held - holds)
        if conn.execute("SELECT 1 FROM units WHERE parent = ? LIMIT 1", [p]).fetchone() is None
    ]
    if gone:
        rows = conn.execute("SELECT DISTINCT parent FROM units WHERE parent IS NOT NULL")
        left = {fold_question(p) for (p,) in rows}
        unused = {fold_question(p) for p in gone} - left
        conn.executemany("DELETE FROM folded_parents WHERE name = ?", [(n,) for n in unused])


def _aliases_held(conn: sqlite3.Connection, units: set[str]) -> int:
    """How many alias rows the names of these units in a names file were read with."""
    sql = "SELECT sum(aliases) FROM units WHERE unit IN ({marks})"
    return sum(row[0] or 0 for row in _many(conn, sql, sorted(units)))


def _form_list(forms: Iterable[str]) -> str:
    return json.dumps(sorted(forms), ensure_ascii=False)


WRITER_SECONDS = 300  # a names file written behind that takes longer is given up


def store_behind(db_path: Path, stamp: CorpusStamp, gazetteer: Gazetteer) -> threading.Thread:
    """Keep the gazetteer for the next process without slowing this one; the thread returned
    ends when the file is written (a process that ends meanwhile waits for it, so the next
    process reads the names instead of building them again).

    On Linux a forked child writes it: it sees the gazetteer as it is now, for free, and a
    writing thread would hold the interpreter for seconds at 100,000 reports, stretching
    every answer meanwhile (each SQLite step and file opened waits its turn: 0.2 s became
    1.4 s).  Elsewhere a thread writes a snapshot taken now."""
    if not sys.platform.startswith("linux"):
        taken = snapshot(gazetteer)
        return _started(lambda: store(db_path, stamp, gazetteer, taken))
    with warnings.catch_warnings():
        # Python warns that a child of a threaded process may find a lock held for ever:
        # this child gives up after WRITER_SECONDS, and a names file not written costs time.
        warnings.filterwarnings("ignore", message=".*fork", category=DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        _write_in_child(db_path, stamp, gazetteer)
    return _started(lambda: _reap(pid))


def _write_in_child(db_path: Path, stamp: CorpusStamp, gazetteer: Gazetteer) -> None:
    """The forked child: write the file and leave at once, running nothing of the parent's
    (no exit handlers, no buffers flushed); a signal meant for the parent is not relayed."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            signal.signal(number, signal.SIG_DFL)
        signal.alarm(WRITER_SECONDS)
        store(db_path, stamp, gazetteer)
        code = 0
    finally:
        os._exit(code)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):  # reaped by someone else
        os.waitpid(pid, 0)


def _started(work: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=work, name="gazetteer-cache", daemon=False)
    thread.start()
    return thread


def _write(conn: sqlite3.Connection, stamp: CorpusStamp, names: Snapshot) -> None:
    conn.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        CREATE TABLE forms (form TEXT PRIMARY KEY, units TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE units (
            unit TEXT PRIMARY KEY, level TEXT NOT NULL, parent TEXT, aliases INTEGER NOT NULL,
            forms TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE folded_parents (name TEXT PRIMARY KEY) WITHOUT ROWID;
        """
    )
    meta = {
        "stamp": pickle.dumps(stamp, protocol=pickle.HIGHEST_PROTOCOL),
        "longest": names.longest,
        "default_unit": names.default_unit,
        "units": len(names.levels),
        "regions": sum(level in REGION_LEVELS for level in names.levels.values()),
    }
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    conn.executemany(
        "INSERT INTO forms VALUES (?, ?)",
        sorted((f, json.dumps(u, ensure_ascii=False)) for f, u in names.forms.items()),
    )
    forms_of: dict[str, list[str]] = {}
    for form, units in names.forms.items():
        for unit in units:
            forms_of.setdefault(unit, []).append(form)
    conn.executemany(
        "INSERT INTO units VALUES (?, ?, ?, ?, ?)",
        sorted(
            (
                u,
                level,
                names.parents.get(u),
                names.alias_counts.get(u, 0),
                _form_list(forms_of.get(u, ())),
            )
            for u, level in names.levels.items()
        ),
    )
    conn.executemany(
        "INSERT INTO folded_parents VALUES (?)",
        sorted((p,) for p in {fold_question(p) for p in names.parents.values()}),
    )
