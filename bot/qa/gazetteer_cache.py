"""A database's gazetteer kept on disk, so a new process does not rebuild every unit's names.

Building the names of ten thousand units takes seconds; reading them back, a fraction of
that. A file belongs to one database file and is used only for the exact corpus stamp it was
built at, and only when the database keeps a change counter (``db_state``): counts and ids
alone cannot tell every change apart. The code and vocabularies that build names are part
of the key, so a new version never reads an old file.
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

from bot.qa import gazetteer as gazetteer_module
from bot.qa.gazetteer import Gazetteer
from bot.qa.report_table import CorpusStamp
from ingest import text as text_module
from ingest.user_cache import cache_dir, prune

KEPT = 8  # gazetteer files kept (one per database in use)


@cache
def _code_fingerprint() -> bytes:
    """What builds the names: the gazetteer's code, folding, and their vocabularies."""
    h = hashlib.sha256()
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
    return cache_dir("gazetteer") / f"{key}.pickle"


def load(db_path: Path, stamp: CorpusStamp) -> Gazetteer | None:
    """The gazetteer stored for this database at exactly this stamp, if any."""
    path = _path(db_path) if stamp.generation is not None else None
    if path is None:
        return None
    try:
        stored_stamp, gazetteer = pickle.loads(path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        return None
    if stored_stamp != stamp or not isinstance(gazetteer, Gazetteer):
        return None
    return gazetteer


def store(db_path: Path, stamp: CorpusStamp, gazetteer: Gazetteer) -> None:
    """Keep the gazetteer for the next process; failing to write costs only time."""
    path = _path(db_path) if stamp.generation is not None else None
    if path is None:
        return
    shallow = copy.copy(gazetteer)
    shallow._english = None  # rebuilt on the first English question
    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((stamp, shallow), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
        temp = None
        prune(path.parent, "*.pickle", KEPT)
    except (OSError, pickle.PicklingError):
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
