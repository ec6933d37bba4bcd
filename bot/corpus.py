"""Opening the corpus a command works on, building it from the bundled samples if needed.

Writing goes through ``ingest_and_index`` and ``remove_and_index``: the database first, then
the passage index.  A run killed in between leaves an index older than the database; every
later open sees it (``index.search.is_current``) and rebuilds it, when the database can be
written.  Reading (``ensure_corpus``) opens the database read-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.reasons import Code, Reason
from ingest.store import open_db, open_reader

if TYPE_CHECKING:  # ingest's readers are imported only when files are loaded
    import sqlite_utils

    from ingest.pipeline import FileOutcome, Outcomes


def sample_reports_dir() -> Path:
    """The sample reports shipped inside the package."""
    return Path(str(resources.files("ingest").joinpath("samples")))


def refresh_index(db_path: Path) -> None:
    """Bring the passage index up to date with the database (after every ingest)."""
    from index.search import refresh

    refresh(db_path)


def index_is_current(db_path: Path) -> bool:
    from index.search import is_current

    return is_current(db_path)


def update_index(db_path: Path) -> Reason | None:
    """Refresh the index when it is older than the database; None or why it could not be."""
    try:
        if not index_is_current(db_path):
            refresh_index(db_path)
    except (sqlite3.Error, OSError) as exc:
        from ingest.pipeline import write_failure

        cause, _ = write_failure(exc)
        return Reason.of(
            Code.INDEX_STALE,
            "the passage index was not brought up to date: {cause}; the next run rebuilds it",
            cause=cause.text,
        )
    return None


def ingest_and_index(
    db_path: Path,
    paths: list[Path],
    on_outcome: Callable[[FileOutcome], None] | None = None,
    **options: Any,
) -> Outcomes:
    """Ingest files, then bring the index up to date; its problems are in ``notes``."""
    from index.ingest_tokens import passage_tokens_for
    from ingest.pipeline import ingest_paths

    db = open_db(db_path)
    try:
        hook = passage_tokens_for(db)
        outcomes = ingest_paths(db, paths, on_outcome=on_outcome, hook=hook, **options)
    finally:
        db.close()
    if outcomes.stopped:
        return outcomes  # the database could not be written: the index cannot be either
    problem = update_index(db_path)
    if problem is not None:
        outcomes.notes.append(problem)
    return outcomes


def remove_and_index(
    db_path: Path, unit: str | None = None, year: int | None = None, path: Path | None = None
) -> list[dict]:
    """Remove reports (by unit and year, or by file), then refresh the index if any went."""
    from ingest.pipeline import remove_reports

    db = open_db(db_path)
    try:
        removed = remove_reports(db, unit=unit, year=year, path=path)
    finally:
        db.close()
    if removed:
        refresh_index(db_path)
    return removed


def index_exists(db_path: Path) -> bool:
    return db_path.with_name(db_path.name + ".index").is_dir()


def ensure_corpus(db_path: Path, notify: Callable[[str], None]) -> sqlite_utils.Database:
    """The database, read-only; when there is none yet, it is built from the sample reports
    first, and an index older than the database (a run killed halfway) is rebuilt."""
    if not db_path.exists():
        samples = sample_reports_dir()
        outcomes = ingest_and_index(db_path, [samples])
        added = sum(o.status == "added" for o in outcomes)
        notify(
            f"No database at {db_path} yet: built one from the {added} bundled sample reports. "
            "Load your own with `nianbao ingest PATH`."
        )
    else:
        problem = update_index(db_path)
        if problem is not None:
            notify(f"{problem.text} (passage answers may miss the latest reports)")
    return open_reader(db_path)
