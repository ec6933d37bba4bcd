"""A database's gazetteer kept on disk, so a new process does not rebuild every unit's names.

Building the names of ten thousand units takes seconds, and even reading them all back (a
pickle) takes tenths of a second at tens of thousands of units, while a question needs a few
dozen. So the names are kept in a small SQLite file, indexed by name form, and a new process
looks up only the forms its question contains (``StoredNames``).

A file belongs to one database file and is used only for the exact corpus stamp it was built
at, and only when the database keeps a change counter (``db_state``): counts and ids alone
cannot tell every change apart. The code and vocabularies that build names are part of the
key, so a new version never reads an old file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import signal
import sqlite3
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from bot.qa import gazetteer as gazetteer_module
from bot.qa.gazetteer import Gazetteer
from bot.qa.report_table import CorpusStamp
from ingest import text as text_module
from ingest.text import fold_question
from ingest.user_cache import cache_dir, prune, write_sqlite

KEPT = 8  # gazetteer files kept (one per database in use)
FORMAT = "1"  # bump when the tables below change

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
        self.folded_parents: LookedUp[bool] = LookedUp(
            lambda keys: {k: True for (k,) in self._many("folded_parents", "name", keys, "")},
            lambda: {k: True for (k,) in self._query("SELECT name FROM folded_parents")},
        )

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, list(params)).fetchall()

    def _many(
        self, table: str, key: str, keys: list[str], value: str = "units", where: str = ""
    ) -> list[tuple]:
        """Rows of ``table`` whose ``key`` is one of ``keys`` (in batches SQLite accepts)."""
        columns = f"{key}, {value}" if value else key
        rows: list[tuple] = []
        for i in range(0, len(keys), 500):
            batch = keys[i : i + 500]
            marks = ",".join("?" * len(batch))
            extra = f" AND {where}" if where else ""
            sql = f"SELECT {columns} FROM {table} WHERE {key} IN ({marks}){extra}"
            rows.extend(self._query(sql, batch))
        return rows

    def prefetch(self, text: str, longest: int) -> None:
        """Every form a scan of ``text`` may look up (each piece of 2 to ``longest``
        characters), read at once."""
        pieces = (
            text[i:j]
            for i in range(len(text))
            for j in range(i + 2, min(len(text), i + longest) + 1)
        )
        self.forms.prefetch(pieces)


def load(db_path: Path, stamp: CorpusStamp) -> Gazetteer | None:
    """The gazetteer stored for this database at exactly this stamp, if any."""
    path = _path(db_path) if stamp.generation is not None else None
    if path is None or not path.exists():
        return None
    try:
        names = StoredNames(path)
    except (sqlite3.Error, KeyError, ValueError, TypeError, EOFError, pickle.UnpicklingError):
        return None
    if names.stamp != stamp:
        return None
    return Gazetteer.stored(names)


class Snapshot(NamedTuple):
    """What a names file keeps of a gazetteer, taken at once (another thread writes it while
    the gazetteer goes on changing)."""

    forms: dict[str, dict[str, int]]
    levels: dict[str, str]
    parents: dict[str, str]
    longest: int
    default_unit: str | None


def snapshot(gazetteer: Gazetteer) -> Snapshot:
    forms, levels, parents = gazetteer.names()
    return Snapshot(forms, levels, parents, gazetteer._longest, gazetteer.default_unit)


def store(
    db_path: Path, stamp: CorpusStamp, gazetteer: Gazetteer, taken: Snapshot | None = None
) -> None:
    """Keep the gazetteer for the next process; failing to write costs only time.

    ``taken`` is a snapshot taken by a caller that writes from another thread."""
    path = _path(db_path) if stamp.generation is not None else None
    if path is None:
        return
    names = taken if taken is not None else snapshot(gazetteer)
    try:
        written = write_sqlite(path, lambda conn: _write(conn, stamp, names))
    except (pickle.PicklingError, RuntimeError):
        return  # RuntimeError: an inner dict changed while another thread wrote it
    if written:
        prune(path.parent, "*.sqlite", KEPT)
        prune(path.parent, "*.pickle", 0)  # the former format


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
        CREATE TABLE units (unit TEXT PRIMARY KEY, level TEXT NOT NULL, parent TEXT)
            WITHOUT ROWID;
        CREATE TABLE folded_parents (name TEXT PRIMARY KEY) WITHOUT ROWID;
        """
    )
    meta = {
        "stamp": pickle.dumps(stamp, protocol=pickle.HIGHEST_PROTOCOL),
        "longest": names.longest,
        "default_unit": names.default_unit,
    }
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    conn.executemany(
        "INSERT INTO forms VALUES (?, ?)",
        sorted((f, json.dumps(u, ensure_ascii=False)) for f, u in names.forms.items()),
    )
    conn.executemany(
        "INSERT INTO units VALUES (?, ?, ?)",
        sorted((u, level, names.parents.get(u)) for u, level in names.levels.items()),
    )
    conn.executemany(
        "INSERT INTO folded_parents VALUES (?)",
        sorted((p,) for p in {fold_question(p) for p in names.parents.values()}),
    )
