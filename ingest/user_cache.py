"""Where nianbao keeps what it can rebuild (jieba dictionaries, unit names, pinyin readings):
the user cache directory, or ``NIANBAO_CACHE_DIR``. Nothing there is needed; everything there
saves time."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path


def cache_dir(kind: str) -> Path:
    """The folder for one kind of cached file (not created here)."""
    root = os.environ.get("NIANBAO_CACHE_DIR")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("nianbao")
    return Path(root) / kind


def package_stamp(name: str) -> str:
    """What changes when an installed package is replaced (every file's size and time), read
    without importing it: part of the name of a file built from what the package computes.
    Empty when the package is not installed."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return ""
    h = hashlib.sha256()
    for path in sorted(Path(spec.origin).parent.rglob("*")):
        if "__pycache__" not in path.parts and path.is_file():
            stat = path.stat()
            h.update(f"{path.name}\x00{stat.st_size}\x00{stat.st_mtime_ns}\x01".encode())
    return h.hexdigest()[:24]


def write_whole(path: Path, write: Callable[[Path], None]) -> bool:
    """Write a cache file in one piece: ``write`` fills a temporary file that is then renamed
    over ``path``, so a reader never sees half of one; False when it could not be written
    (a cache costs only time).  Other errors of ``write`` propagate, the temporary file gone."""
    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_parts(path.parent)
        fd, name = tempfile.mkstemp(dir=path.parent, suffix=".part")
        os.close(fd)
        temp = Path(name)
        write(temp)
        os.replace(temp, path)
        temp = None
        return True
    except OSError:
        return False
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def writable(folder: Path) -> bool:
    """Whether files can be made in ``folder`` (made if missing): asked before work whose only
    use is a file there (a read-only or misplaced cache would waste it)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, suffix=".part")
    except OSError:
        return False
    os.close(fd)
    Path(name).unlink(missing_ok=True)
    return True


STALE_PART_S = 3600.0  # far longer than any cache write takes


def sweep_stale_parts(folder: Path) -> None:
    """Remove temporary files of writers that were killed before renaming them: nothing
    else would, and each is as large as the cache file it was becoming."""
    now = time.time()
    for part in folder.glob("*.part"):
        try:
            if now - part.stat().st_mtime > STALE_PART_S:
                part.unlink()
        except OSError:
            continue  # renamed or removed by its writer meanwhile


def store_pickle(path: Path, value: object, keep: int) -> None:
    """Keep a value for the next process, and only the ``keep`` newest files of its kind;
    failing to write costs only time."""

    def dump(temp: Path) -> None:
        with temp.open("wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        if write_whole(path, dump):
            prune(path.parent, f"*{path.suffix}", keep)
    except pickle.PicklingError:
        pass


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Keep only the ``keep`` newest files matching ``pattern``."""
    files = sorted(folder.glob(pattern), key=_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def write_sqlite(path: Path, fill: Callable[[sqlite3.Connection], None]) -> bool:
    """Write an SQLite cache file in one piece (``write_whole``); ``fill`` makes its tables.
    False when it could not be written; other errors of ``fill`` propagate."""

    def write(temp: Path) -> None:
        conn = sqlite3.connect(temp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            fill(conn)
            conn.commit()
        finally:
            conn.close()

    try:
        return write_whole(path, write)
    except sqlite3.Error:
        return False


class LookupTable:
    """A table of text keys and text or integer values in a small SQLite file, read one key
    at a time: for a process that needs a few hundred entries of a large table (a question's
    words in a dictionary of half a million), where reading all of it would cost tenths of a
    second."""

    def __init__(self, path: Path) -> None:
        """Raises ``sqlite3.Error`` when the file is missing or no such table."""
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self.get("")

    def get(self, key: str) -> int | str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    @staticmethod
    def write(path: Path, entries: Iterable[tuple[str, int | str]]) -> None:
        """Write the table in one piece (it replaces any other); failing costs only time."""

        def fill(conn: sqlite3.Connection) -> None:
            conn.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value) WITHOUT ROWID")
            conn.executemany("INSERT INTO entries VALUES (?, ?)", sorted(entries))

        write_sqlite(path, fill)

    @classmethod
    def open_or_write(
        cls, path: Path, entries: Callable[[], Iterable[tuple[str, int | str]]]
    ) -> LookupTable | None:
        """The table at ``path``, written from ``entries()`` first when it is missing or
        damaged; None when it can be neither read nor written."""
        for attempt in range(2):
            if attempt or not path.exists():
                cls.write(path, entries())
            try:
                return cls(path)
            except sqlite3.Error:
                continue
        return None
