"""Nothing lost under faults, with real processes: an ingest killed with SIGKILL at any moment
leaves a database that passes integrity_check and holds no half report, and the passage index
agrees with it after the next open (``ask``) or re-run; questions asked while another process
ingests are answered from the last committed state, never with "database is locked"."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.search import index_dir
from tests.support import CORPUS, NATIONAL, SAMPLES

INDEXED = "kind IN ('paragraph', 'table_row')"


def _start_ingest(db: Path, *paths: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot.cli", "ingest", *map(str, paths), "--db", str(db)]
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run and its worker processes (its own process group)."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def _passages_by_file(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(
            conn.execute(
                "SELECT r.sha256, (SELECT count(*) FROM passages p WHERE p.report_id = r.id) "
                "FROM reports r"
            ).fetchall()
        )


def _assert_whole(db: Path, complete: dict[str, int]) -> None:
    """integrity_check passes and every report stored has all its passages."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for sha, passages in _passages_by_file(db).items():
        assert passages == complete[sha], "a report was stored in part"


def _assert_index_agrees(db: Path) -> None:
    root = index_dir(db)
    meta = json.loads((root / (root / "CURRENT").read_text().strip() / "meta.json").read_text())
    with sqlite3.connect(db) as conn:
        indexed = conn.execute(f"SELECT count(*) FROM passages WHERE {INDEXED}").fetchone()[0]
        generation = conn.execute("SELECT value FROM db_state WHERE key = 'generation'")
        assert meta["n_docs"] == indexed
        assert meta["db_generation"] == generation.fetchone()[0]


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Passages per report file when nothing goes wrong."""
    db = tmp_path_factory.mktemp("whole") / "whole.db"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", str(SAMPLES), str(NATIONAL), "--db", str(db)],
        capture_output=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return _passages_by_file(db)


def _when_index_appears(db: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait until the run starts writing the index (its folder appears), or ends."""
    root = index_dir(db)
    while process.poll() is None and not root.exists():
        time.sleep(0.005)


@pytest.mark.parametrize("moment", ["early", "midway", "late", "index"])
def test_kill_9_at_any_moment_loses_nothing_committed(
    tmp_path: Path, complete: dict[str, int], moment: str
) -> None:
    db = tmp_path / "k.db"
    process = _start_ingest(db, SAMPLES, NATIONAL)
    if moment == "index":
        _when_index_appears(db, process)
    else:
        time.sleep({"early": 2.5, "midway": 5.0, "late": 8.0}[moment])
    _kill(process)
    if db.exists():
        _assert_whole(db, complete)
    asked = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "存在的主要问题", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert asked.returncode == 0, asked.stderr
    _assert_whole(db, complete)
    _assert_index_agrees(db)  # the next open repaired the index
    if _passages_by_file(db):
        assert json.loads(asked.stdout)["passages"], "passage questions find nothing"
    rerun = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", str(SAMPLES), str(NATIONAL), "--db", str(db)],
        capture_output=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert _passages_by_file(db) == complete
    _assert_index_agrees(db)


def test_kill_9_between_commit_and_index_is_repaired_by_the_rerun(
    tmp_path: Path, complete: dict[str, int]
) -> None:
    """The audit's case: the database holds every report, the index only some."""
    db = tmp_path / "r.db"
    first = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", str(SAMPLES), "--db", str(db)],
        capture_output=True,
        timeout=600,
    )
    assert first.returncode == 0
    process = _start_ingest(db, NATIONAL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if len(_passages_by_file(db)) == len(complete):
            break
        time.sleep(0.01)
    _kill(process)  # every report committed, the index may be the old one or half written
    rerun = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", str(NATIONAL), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0 and "unchanged" in rerun.stdout
    _assert_whole(db, complete)
    _assert_index_agrees(db)


def test_questions_while_another_process_ingests(tmp_path: Path, sample_db_path: Path) -> None:
    from bot.qa.answerer import Answerer
    from tests.support.telegram import copy_corpus

    db = copy_corpus(sample_db_path, tmp_path / "busy.db")
    answerer = Answerer(db)
    process = _start_ingest(db, CORPUS / "text")
    batch = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "-", "--db", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    asked = 0
    kinds: set[str] = set()
    try:
        while process.poll() is None and asked < 3000:
            for question in ("西集镇有多少行政诉讼", "哪个单位主动公开信息最多", "存在的主要问题"):
                kinds.add(str(answerer.ask(question).kind))
                asked += 1
            answerer.overview()
    finally:
        if process.poll() is None:
            _kill(process)
    lines = "平潭综合实验区2023年主动公开了多少条信息\n西集镇有多少行政诉讼\n存在的主要问题\n" * 50
    out, err = batch.communicate(lines, timeout=600)
    assert process.returncode == 0
    assert asked > 10 and kinds >= {"number", "ranking", "passage"}
    assert batch.returncode == 0 and "locked" not in err, err[-2000:]
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == 150 and all(a["kind"] != "none" for a in answers[1:3])
