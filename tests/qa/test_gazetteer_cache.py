"""A new process reads the gazetteer its database had, instead of rebuilding every unit's
names; only for the exact corpus state it was built at, and only when the database counts its
changes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.qa.answerer import Answerer
from bot.qa.gazetteer import Gazetteer

QUESTION = "西塘镇2018年行政诉讼多少件"


@pytest.fixture
def db_path(sample_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample database that keeps a change counter, and a private cache."""
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "samples.db"
    shutil.copy(sample_db_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS db_state (key TEXT PRIMARY KEY, value INTEGER)")
        conn.execute("INSERT OR IGNORE INTO db_state (key, value) VALUES ('generation', 1)")
    return path


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(cls, db):
        raise AssertionError("the gazetteer was built again")

    monkeypatch.setattr(Gazetteer, "from_db", classmethod(refuse))


def test_a_new_process_reads_the_stored_gazetteer(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Answerer(db_path, warm=False)
    built = first.gazetteer()
    expected = first.parse(QUESTION)
    assert list((db_path.parent / "cache" / "gazetteer").glob("*.sqlite"))
    _no_build(monkeypatch)
    second = Answerer(db_path, warm=False)
    assert second.gazetteer().units == built.units
    assert second.parse(QUESTION) == expected
    assert second.parse(QUESTION).units


def test_a_changed_database_builds_again(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Answerer(db_path, warm=False).gazetteer()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE db_state SET value = value + 1 WHERE key = 'generation'")
    calls = []
    original = Gazetteer.from_db.__func__  # type: ignore[attr-defined]

    def counting(cls, db):
        calls.append(db)
        return original(cls, db)

    monkeypatch.setattr(Gazetteer, "from_db", classmethod(counting))
    Answerer(db_path, warm=False).gazetteer()
    assert len(calls) == 1


def test_nothing_is_stored_without_a_change_counter(
    sample_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "plain.db"
    shutil.copy(sample_db_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE IF EXISTS db_state")
    Answerer(path, warm=False).gazetteer()
    assert not list(tmp_path.glob("cache/gazetteer/*"))


def test_a_damaged_file_is_rebuilt(db_path: Path) -> None:
    Answerer(db_path, warm=False).gazetteer()
    (stored,) = (db_path.parent / "cache" / "gazetteer").glob("*.sqlite")
    stored.write_bytes(b"not a names file")
    assert "西塘镇" in Answerer(db_path, warm=False).gazetteer().units


def test_a_warm_process_keeps_the_refreshed_names_without_making_the_question_wait(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm = _refreshed_in_place(db_path, tmp_path)  # the names written behind
    assert warm.cache_writer is not None
    warm.cache_writer.join(timeout=30)
    _no_build(monkeypatch)
    fresh = Answerer(db_path, warm=False)
    assert [u.unit for u in fresh.parse("东坪镇2019年收到几件申请").units] == ["东坪镇"]


def test_a_process_ending_while_it_writes_the_names_waits_for_the_write(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process whose last question was about a new unit (``nianbao ask -`` at the end of
    its input) ends only when the refreshed names are written: the next process reads them."""
    import subprocess
    import sys

    from tests.support import write_report

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.corpus import ingest_and_index\n"
        "from bot.qa.answerer import Answerer\n"
        "db, report = Path(sys.argv[1]), Path(sys.argv[2])\n"
        "warm = Answerer(db, warm=False)\n"
        "warm.gazetteer()\n"
        "ingest_and_index(db, [report])\n"
        "assert '东坪镇' in warm.gazetteer().units\n"
    )
    folder = tmp_path / "new"
    folder.mkdir()
    report = write_report(folder, "r.txt", "东坪镇2019年政府信息公开工作年度报告")
    done = subprocess.run(
        [sys.executable, "-c", script, str(db_path), str(report)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert list((db_path.parent / "cache" / "gazetteer").glob("*.part")) == []
    _no_build(monkeypatch)
    assert "东坪镇" in Answerer(db_path, warm=False).gazetteer().units


def _refreshed_in_place(
    db_path: Path, tmp_path: Path, then: Callable[[], object] = lambda: None
) -> Answerer:
    """A warm answerer that took in a new unit's report, its names being written behind;
    ``then`` runs once its first names are built (and written, in this process)."""
    from bot.corpus import ingest_and_index
    from tests.support import write_report

    warm = Answerer(db_path, warm=False)
    warm.gazetteer()
    then()
    folder = tmp_path / "new"
    folder.mkdir()
    report = write_report(folder, "r.txt", "东坪镇2019年政府信息公开工作年度报告")
    assert [o.status for o in ingest_and_index(db_path, [report])] == ["added"]
    assert "东坪镇" in warm.gazetteer().units
    assert warm.cache_writer is not None
    return warm


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="written by a thread there")
def test_the_names_are_written_by_another_process(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writing thread would hold the interpreter for seconds at 100,000 units and stretch
    every answer meanwhile; a forked child writes instead."""
    from bot.qa import gazetteer_cache

    writers = tmp_path / "writers"
    store = gazetteer_cache.store

    def noted(*args: object, **kwargs: object) -> None:
        with writers.open("a") as out:
            out.write(f"{os.getpid()}\n")
        store(*args, **kwargs)  # type: ignore[arg-type]

    warm = _refreshed_in_place(
        db_path, tmp_path, lambda: monkeypatch.setattr(gazetteer_cache, "store", noted)
    )
    assert warm.cache_writer is not None
    warm.cache_writer.join(timeout=30)
    assert writers.read_text().split() not in ([], [str(os.getpid())])
    _no_build(monkeypatch)
    assert "东坪镇" in Answerer(db_path, warm=False).gazetteer().units


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="written by a thread there")
def test_a_writer_that_never_ends_is_given_up(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that finds a lock held for ever (another thread held it when it was forked)
    ends itself; the process waiting for it goes on, and the next one builds the names."""
    from bot.qa import gazetteer_cache

    store = gazetteer_cache.store

    def stuck() -> None:
        monkeypatch.setattr(gazetteer_cache, "WRITER_SECONDS", 1)
        monkeypatch.setattr(gazetteer_cache, "store", lambda *args, **kwargs: time.sleep(3600))

    warm = _refreshed_in_place(db_path, tmp_path, stuck)
    assert warm.cache_writer is not None
    warm.cache_writer.join(timeout=30)
    assert not warm.cache_writer.is_alive()
    monkeypatch.setattr(gazetteer_cache, "store", store)
    assert "东坪镇" in Answerer(db_path, warm=False).gazetteer().units
