"""The command line end to end, through click's runner (same process, real database files)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("NIANBAO_DB", raising=False)
    monkeypatch.delenv("NIANBAO_CONFIG", raising=False)
    return CliRunner()


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"{name} help has no example"
        assert command.help


def test_ingest_summary_and_reports(runner: CliRunner, samples_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    result = runner.invoke(main, ["ingest", str(samples_dir), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert (
        "files seen 5: added 5, updated 0, corrected 0, unchanged 0, duplicate 0, refused 0"
        in result.output
    )
    again = runner.invoke(main, ["ingest", str(samples_dir), "--db", str(db)])
    assert "unchanged 5" in again.output
    listing = runner.invoke(main, ["reports", "--db", str(db)])
    assert listing.exit_code == 0
    assert "西集镇\t2018\tpre2020" in listing.output and "5 reports" in listing.output
    rows = [
        json.loads(x)
        for x in runner.invoke(main, ["reports", "--db", str(db), "--json"]).output.splitlines()
    ]
    assert {r["unit"] for r in rows} == {"乌镇镇", "西集镇", "西塘镇", "宜就镇", "於潜镇"}


def test_refusals_make_exit_status_one(
    runner: CliRunner, samples_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples_dir / "xitang-2018.md", folder)
    (folder / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["ingest", str(folder), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 1
    assert "refused 1" in result.output and "empty.txt" in result.output
    assert "added 1" in result.output


def test_check_lists_conflicts_with_evidence(
    runner: CliRunner, samples_dir: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "c.db")
    runner.invoke(main, ["ingest", str(samples_dir), "--db", db])
    result = runner.invoke(main, ["check", "--db", db, "--unit", "西集镇"])
    assert result.exit_code == 0
    assert "conflict  西集镇 2018 lawsuits" in result.output
    assert "发生针对本单位政府信息公开行政诉讼案件0件" in result.output


def test_ask_builds_sample_db_once(runner: CliRunner, tmp_path: Path) -> None:
    first = runner.invoke(main, ["ask", "西集镇有多少行政诉讼？"])
    assert first.exit_code == 0, first.output
    assert "bundled sample reports" in first.stderr
    assert "6" in first.stdout
    second = runner.invoke(main, ["ask", "--json", "西集镇有多少行政诉讼？"])
    assert "bundled sample reports" not in second.stderr
    assert json.loads(second.stdout)["value"] == 6


def test_ask_stdin_one_object_per_line(runner: CliRunner, sample_db_path: Path) -> None:
    result = runner.invoke(
        main,
        ["ask", "--json", "-", "--db", str(sample_db_path)],
        input="西集镇有多少行政诉讼？\n哪个镇主动公开政府信息最多？\n\n",
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    answers = [json.loads(x) for x in lines]
    assert answers[0]["value"] == 6 and answers[1]["kind"] == "ranking"


def test_eval_prints_totals(runner: CliRunner, sample_db_path: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps(
            {"kind": "number", "q": "西集镇有多少行政诉讼？", "expect": 6}, ensure_ascii=False
        )
        + "\n"
        + json.dumps(
            {"kind": "number", "q": "西集镇有多少行政诉讼？", "expect": 7}, ensure_ascii=False
        )
        + "\n",
        "utf-8",
    )
    result = runner.invoke(main, ["eval", str(questions), "--db", str(sample_db_path)])
    assert result.exit_code == 1
    assert result.stdout.strip().endswith("1 passed, 1 failed")
    assert "expected: value 7" in result.stdout
    assert "WRONG" in result.stdout and "wrong figures: 1" in result.stdout
    assert "number" in result.stdout and "1 / 2" in result.stdout


def test_eval_bad_file_is_an_error_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", "utf-8")
    result = runner.invoke(main, ["eval", str(bad)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "bad.jsonl:1" in result.output


def test_commands_without_database_say_what_to_do(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["reports", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "nianbao ingest" in result.output
