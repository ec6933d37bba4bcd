"""Opening the corpus a command works on, building it from the bundled samples if needed."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.store import open_db

if TYPE_CHECKING:  # ingest's readers are imported only when files are loaded
    import sqlite_utils

    from ingest.pipeline import FileOutcome


def sample_reports_dir() -> Path:
    """The sample reports shipped inside the package."""
    return Path(str(resources.files("ingest").joinpath("samples")))


def refresh_index(db_path: Path) -> None:
    """Bring the passage index up to date with the database (after every ingest)."""
    from index.search import refresh

    refresh(db_path)


def ingest_and_index(
    db_path: Path,
    paths: list[Path],
    progress: Callable[[Path], None] | None = None,
    **options: Any,
) -> list[FileOutcome]:
    """Ingest files, then refresh the index if anything changed."""
    from ingest.pipeline import ingest_paths

    db = open_db(db_path)
    try:
        outcomes = ingest_paths(db, paths, progress=progress, **options)
    finally:
        db.close()
    changed = ("added", "updated", "corrected")
    if any(o.status in changed for o in outcomes) or not index_exists(db_path):
        refresh_index(db_path)
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
    """Open the database; when there is none yet, build it from the sample reports first."""
    if not db_path.exists():
        samples = sample_reports_dir()
        outcomes = ingest_and_index(db_path, [samples])
        added = sum(o.status == "added" for o in outcomes)
        notify(
            f"No database at {db_path} yet: built one from the {added} bundled sample reports. "
            "Load your own with `nianbao ingest PATH`."
        )
    elif not index_exists(db_path):
        refresh_index(db_path)
    return open_db(db_path)
