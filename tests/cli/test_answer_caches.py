"""``nianbao ingest`` leaves what a new ``nianbao ask`` reads current: the unit names at the
corpus stamp it leaves and jieba's dictionary with the new unit names, so the next process
loads them instead of building them; a cache it cannot write costs only that time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.qa import gazetteer_cache
from bot.qa.gazetteer import Gazetteer
from bot.qa.report_table import corpus_stamp
from index import tokens
from index.search import PassageIndex
from ingest.store import open_reader
from tests.support import write_report
from tests.support.faults import can_mount, read_only_view
from tests.support.telegram import copy_corpus

QUESTION = "东坪镇2019年收到多少件申请"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NIANBAO_DB", raising=False)
    monkeypatch.delenv("NIANBAO_CONFIG", raising=False)
    return CliRunner()


@pytest.fixture
def db(sample_db_path: Path, tmp_path: Path) -> Path:
    return copy_corpus(sample_db_path, tmp_path / "corpus.db")


def _new_unit(tmp_path: Path) -> Path:
    folder = tmp_path / "new"
    folder.mkdir()
    return write_report(folder, "dongping-2019.txt", "东坪镇2019年政府信息公开工作年度报告", m=7)


def _refuse(*args: object) -> None:
    raise AssertionError("built again by the next process")


def _value(output: str) -> object:
    return json.loads(output)["facts"][0]["value"]


def test_the_next_ask_reads_the_names_and_the_dictionary_the_ingest_left(
    runner: CliRunner, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = runner.invoke(main, ["ask", "西集镇有多少行政诉讼", "--db", str(db)])
    assert asked.exit_code == 0, asked.output  # the caches of the corpus before
    result = runner.invoke(main, ["ingest", str(_new_unit(tmp_path)), "--db", str(db)])
    assert result.exit_code == 0, result.output
    reader = open_reader(db)
    stored = gazetteer_cache.load(db, corpus_stamp(reader))
    reader.close()
    assert stored is not None and "东坪镇" in stored.units
    tokenizer = PassageIndex.open(db, warm=False).tokenizer  # as a new process cuts with
    assert "东坪镇" in tokenizer.extra_words
    assert tokenizer._dictionary_path().exists()
    monkeypatch.setattr(Gazetteer, "from_db", classmethod(_refuse))
    monkeypatch.setattr(tokens, "default_dictionary", _refuse)
    answer = runner.invoke(main, ["ask", "--json", QUESTION, "--db", str(db)])
    assert answer.exit_code == 0, answer.output
    assert _value(answer.output) == 7
    assert "东坪镇" in tokenizer.tokens("东坪镇收到申请")


def test_the_names_are_updated_not_built_again(
    runner: CliRunner, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(main, ["ask", "西集镇有多少行政诉讼", "--db", str(db)]).exit_code == 0
    monkeypatch.setattr(Gazetteer, "from_db", classmethod(_refuse))
    result = runner.invoke(main, ["ingest", str(_new_unit(tmp_path)), "--db", str(db)])
    assert result.exit_code == 0, result.output
    reader = open_reader(db)
    assert gazetteer_cache.load(db, corpus_stamp(reader)) is not None
    reader.close()


def test_an_ingest_that_changes_nothing_writes_nothing(
    runner: CliRunner, db: Path, samples_dir: Path, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["ingest", str(samples_dir / "xiji-2018.txt"), "--db", str(db)])
    assert result.exit_code == 0 and "unchanged 1" in result.output
    assert not (tmp_path / "cache" / "gazetteer").exists()


def test_a_cache_that_cannot_be_written_does_not_stop_the_ingest(
    runner: CliRunner, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(blocker))
    result = runner.invoke(main, ["ingest", str(_new_unit(tmp_path)), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.exception is None and "Traceback" not in result.output
    assert "added 1" in result.output
    answer = runner.invoke(main, ["ask", "--json", QUESTION, "--db", str(db)])
    assert answer.exit_code == 0 and _value(answer.output) == 7


def test_a_cache_that_fails_midway_does_not_stop_the_ingest(
    runner: CliRunner, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong while the caches are written, the ingest stands, in silence."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    assert runner.invoke(main, ["ask", "西集镇有多少行政诉讼", "--db", str(db)]).exit_code == 0
    monkeypatch.setattr(gazetteer_cache, "_take_in", broken)
    monkeypatch.setattr(tokens.Tokenizer, "keep_dictionary", broken)
    result = runner.invoke(main, ["ingest", str(_new_unit(tmp_path)), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.exception is None and "disk on fire" not in result.output
    reader = open_reader(db)
    assert reader.execute("SELECT count(*) FROM reports").fetchone()[0] == 6
    reader.close()


@pytest.mark.skipif(not can_mount(), reason="needs a read-only bind mount (root)")
def test_a_read_only_cache_folder_does_not_stop_the_ingest(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    """The real command in its own process: a cache on a read-only file system (even root
    cannot write there) leaves the ingest whole, and no traceback is printed."""
    assert runner.invoke(main, ["ask", "西集镇有多少行政诉讼", "--db", str(db)]).exit_code == 0
    stored = sorted((tmp_path / "cache" / "gazetteer").glob("*.sqlite"))
    assert stored
    before = [p.read_bytes() for p in stored]
    with read_only_view(tmp_path / "cache", tmp_path / "ro-cache") as view:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest", str(_new_unit(tmp_path)), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "NIANBAO_CACHE_DIR": str(view)},
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "added 1" in done.stdout
    assert [p.read_bytes() for p in stored] == before


def test_a_running_process_takes_the_names_the_ingest_left(
    runner: CliRunner, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process whose names are looked up in a file (``nianbao ask -``, the bot) reads the
    file an ingest left instead of reading every name of its old one to refresh them."""
    from bot.qa.answerer import Answerer

    assert runner.invoke(main, ["ask", "西集镇有多少行政诉讼", "--db", str(db)]).exit_code == 0
    running = Answerer(db, warm=False)
    before = running.gazetteer()
    assert before.looked_up
    result = runner.invoke(main, ["ingest", str(_new_unit(tmp_path)), "--db", str(db)])
    assert result.exit_code == 0, result.output
    monkeypatch.setattr(Gazetteer, "from_db", classmethod(_refuse))
    monkeypatch.setattr(Gazetteer, "refresh", _refuse)
    after = running.gazetteer()
    assert after is not before and after.looked_up
    assert [u.unit for u in running.parse(QUESTION).units] == ["东坪镇"]
    assert running.cache_writer is None  # nothing to write behind
