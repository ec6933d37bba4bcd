"""The unit names a sync puts in the dictionary are every unit name in the database, whatever
changed since the last sync; after reports were only added, only theirs are read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import token_store
from index.token_store import sync, unit_names
from ingest.store import delete_report, open_db

UNITS = ["东湖镇", "南山街道", "北岭乡", "西江镇"]


def _add(db, unit: str, full: str | None) -> None:
    with db.atomic():
        n = db.execute("SELECT count(*) FROM report_history").fetchone()[0]
        last = db.execute("SELECT coalesce(max(id), 0) FROM reports").fetchone()[0]
        db["reports"].insert(
            {"unit": unit, "unit_full": full, "year": 2020, "sha256": f"s{last}-{n}", "text": ""}
        )


def _change(db, step: tuple[str, int, str]) -> None:
    kind, pick, unit = step
    ids = [r[0] for r in db.execute("SELECT id FROM reports ORDER BY id").fetchall()]
    if kind == "add" or not ids:
        _add(db, unit, unit + "人民政府" if pick % 2 else None)
    elif kind == "remove":
        with db.atomic():
            delete_report(db, ids[pick % len(ids)])
    else:  # another official name for a loaded report
        with db.atomic():
            db.execute(
                "UPDATE reports SET unit_full = ? WHERE id = ?",
                [unit + "办事处", ids[pick % len(ids)]],
            )


def _stored_units(db) -> list[str]:
    row = db.execute("SELECT value FROM index_state WHERE key = 'units'").fetchone()
    return json.loads(row[0])


step = st.tuples(
    st.sampled_from(["add", "add", "remove", "rename"]),
    st.integers(0, 20),
    st.sampled_from(UNITS),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(st.lists(step, max_size=3), min_size=1, max_size=4))
def test_synced_names_are_every_name_in_the_database(tmp_path_factory, steps) -> None:
    db = open_db(tmp_path_factory.mktemp("units") / "c.db")
    try:
        for changes in steps:
            for change in changes:
                _change(db, change)
            tokenizer, _ = sync(db, workers=1)
            assert tokenizer.extra_words == unit_names(db)
            assert _stored_units(db) == list(unit_names(db))
    finally:
        db.close()


def test_after_additions_only_the_new_reports_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_db(tmp_path / "c.db")
    try:
        _add(db, "东湖镇", "东湖镇人民政府")
        sync(db, workers=1)
        _add(db, "南山街道", None)
        _add(db, "北岭乡", "北岭乡人民政府")

        def every_report(_db: object) -> tuple[str, ...]:
            raise AssertionError("every report was read")

        monkeypatch.setattr(token_store, "unit_names", every_report)
        tokenizer, _ = sync(db, workers=1)
        assert tokenizer.extra_words == (
            "东湖镇",
            "东湖镇人民政府",
            "北岭乡",
            "北岭乡人民政府",
            "南山街道",
        )
    finally:
        db.close()
