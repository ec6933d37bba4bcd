"""The look-up indexes answers rely on: made with a new database, added to an older one."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.store import (
    FOREIGN_KEY_INDEXES,
    LOOKUP_INDEXES,
    SCHEMA_VERSION,
    open_db,
    open_reader,
)


def index_columns(path: Path) -> set[tuple[str, tuple[str, ...]]]:
    db = open_reader(path)
    found = set()
    for table, _ in LOOKUP_INDEXES:
        for index in db.table(table).indexes:
            found.add((table, tuple(index.columns)))
    db.conn.close()
    return found


def test_a_new_database_has_the_lookup_indexes(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_db(path).close()
    assert set(LOOKUP_INDEXES) <= index_columns(path)


@pytest.mark.parametrize("version", [3, 5])
def test_an_older_database_gets_them_when_opened_for_writing(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    db = open_db(path)
    for table, columns in LOOKUP_INDEXES:
        db.execute(f"DROP INDEX idx_{table}_{'_'.join(columns)}")
    db.table("statistics").create_index(["report_id", "key"])  # what version 5 had
    db.execute(f"PRAGMA user_version = {version}")
    db.close()
    assert not set(LOOKUP_INDEXES) & index_columns(path)
    reopened = open_db(path)
    assert reopened.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    reopened.close()
    assert set(LOOKUP_INDEXES) <= index_columns(path)
    assert ("statistics", ("report_id", "key")) not in index_columns(path)


def test_every_foreign_key_is_looked_up_by_an_index(tmp_path: Path) -> None:
    """Removing a report checks each removed row's children; a child column no index leads
    with is a scan of its whole table per row removed."""
    db = open_db(tmp_path / "new.db")
    unindexed = []
    for table in db.table_names():
        leading = {index.columns[0] for index in db.table(table).indexes}
        for key in db.table(table).foreign_keys:
            if key.column not in leading:
                unindexed.append((table, key.column))
    db.close()
    assert unindexed == []


def test_a_version_6_database_gets_the_foreign_key_indexes(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path)
    for table, columns in FOREIGN_KEY_INDEXES:
        db.execute(f"DROP INDEX idx_{table}_{'_'.join(columns)}")
    db.execute("PRAGMA user_version = 6")
    db.close()
    reopened = open_db(path)
    found = {(t, tuple(i.columns)) for t, _ in FOREIGN_KEY_INDEXES for i in reopened[t].indexes}
    reopened.close()
    assert set(FOREIGN_KEY_INDEXES) <= found


def test_no_index_leads_with_the_key_alone(tmp_path: Path) -> None:
    """Each report's hundred keys would land on a hundred pages of such an index: the
    writer's cost per report doubled with it."""
    path = tmp_path / "new.db"
    open_db(path).close()
    assert ("statistics", ("key",)) not in index_columns(path)


def test_a_version_7_database_loses_the_key_index(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path)
    db.table("statistics").create_index(["key"])
    db.execute("PRAGMA user_version = 7")
    db.close()
    assert ("statistics", ("key",)) in index_columns(path)
    open_db(path).close()
    assert ("statistics", ("key",)) not in index_columns(path)
