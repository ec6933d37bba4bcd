"""The command line end to end, through click's runner (same process, real database files)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.support import SEED_QUESTIONS, write_report


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
    assert f"database {db}: 5 reports, 5 units" in result.output
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


def test_corpus_line_of_an_unreadable_database_names_it_once(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from bot.cli.commands import _corpus_line

    missing = tmp_path / "missing.db"
    line = _corpus_line(missing, ZoneInfo("Asia/Shanghai"))
    assert line.count(str(missing)) == 1, line


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


def test_a_bad_bot_setting_does_not_stop_other_commands(
    runner: CliRunner, sample_db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_TELEGRAM_MODE", "bogus")
    answer = runner.invoke(
        main, ["ask", "--json", "西集镇有多少行政诉讼？", "--db", str(sample_db_path)]
    )
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["value"] == 6
    listing = runner.invoke(main, ["reports", "--db", str(sample_db_path)])
    assert listing.exit_code == 0 and "5 reports" in listing.output
    bot = runner.invoke(main, ["bot", "--db", str(sample_db_path)])
    assert bot.exit_code == 1
    assert "telegram.mode" in bot.output and "'bogus'" in bot.output
    assert "Traceback" not in bot.output


@pytest.mark.parametrize("where", ["group", "command"])
def test_config_option_works_for_every_command(
    runner: CliRunner, sample_db_path: Path, tmp_path: Path, where: str
) -> None:
    db = tmp_path / "copy.db"  # alias and remove write: a copy of the shared database
    with sqlite3.connect(sample_db_path) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    index = sample_db_path.with_name(sample_db_path.name + ".index")
    shutil.copytree(index, db.with_name(db.name + ".index"))
    config = tmp_path / "elsewhere.toml"
    config.write_text(f'[database]\npath = "{db}"\n', "utf-8")
    calls = {
        "ask": ["ask", "--json", "西集镇有多少行政诉讼？"],
        "reports": ["reports"],
        "check": ["check", "--unit", "西集镇"],
        "eval": ["eval", str(SEED_QUESTIONS)],
        "units": ["units"],
        "alias": ["alias", "西集镇", "西集老镇"],
        "review": ["review", "--unit", "西集镇"],
        "compare": ["compare", "--stat", "行政诉讼"],
        "export": ["export", "-o", str(tmp_path / "export.csv")],
        "remove": ["remove", "--unit", "西塘镇"],
        "reindex": ["reindex"],
    }
    outputs = {}
    for name, args in calls.items():
        given = (
            ["--config", str(config), *args]
            if where == "group"
            else [*args, "--config", str(config)]
        )
        result = runner.invoke(main, given)
        assert result.exit_code == 0, (name, result.output)
        outputs[name] = result.stdout
    assert json.loads(outputs["ask"])["value"] == 6
    assert "5 reports" in outputs["reports"]
    assert "conflict  西集镇 2018 lawsuits" in outputs["check"]
    assert outputs["eval"].strip().endswith("56 passed, 0 failed")
    assert outputs["units"].strip().endswith("5 units")
    assert "西集老镇 → 西集镇" in outputs["alias"]
    assert "西集镇 2018 (xiji-2018.txt)" in outputs["review"]
    assert outputs["compare"].splitlines()[-2].startswith("合计")
    assert (tmp_path / "export.csv").stat().st_size > 0
    assert "1 reports removed" in outputs["remove"]
    assert "passage index rebuilt" in outputs["reindex"]
    assert set(calls) | {"ingest", "bot"} == set(main.commands)


def test_a_missing_config_file_is_an_error_for_any_command(
    runner: CliRunner, tmp_path: Path
) -> None:
    missing = str(tmp_path / "nowhere.toml")
    for args in (["--config", missing, "reports"], ["reports", "--config", missing]):
        result = runner.invoke(main, args)
        assert result.exit_code == 1 and "does not exist" in result.output
        assert "Traceback" not in result.output


def test_db_option_on_the_command_overrides_the_group(
    runner: CliRunner, sample_db_path: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        main, ["--db", str(tmp_path / "none.db"), "reports", "--db", str(sample_db_path)]
    )
    assert result.exit_code == 0 and "5 reports" in result.output


def test_cli_remove_units_alias(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "c.db"
    a = write_report(tmp_path, "a.txt", "东城县民政局2020年政府信息公开工作年度报告")
    assert runner.invoke(main, ["ingest", str(a), "--db", str(db)]).exit_code == 0
    listing = runner.invoke(main, ["reports", "--db", str(db)])
    assert "matched by title" in listing.output
    alias = runner.invoke(main, ["alias", "东城民政局", "老民政", "--db", str(db)])
    assert alias.exit_code == 0 and "老民政 → 东城县民政局" in alias.output
    units = runner.invoke(main, ["units", "--db", str(db)])
    assert "东城县民政局" in units.output and "老民政" in units.output
    missing = runner.invoke(main, ["alias", "北城县民政局", "x民政", "--db", str(db)])
    assert missing.exit_code != 0 and "nianbao units" in missing.output
    removed = runner.invoke(main, ["remove", "--unit", "东城民政局", "--db", str(db)])
    assert removed.exit_code == 0 and "1 reports removed" in removed.output
    again = runner.invoke(main, ["remove", "--unit", "东城民政局", "--db", str(db)])
    assert again.exit_code != 0 and "nianbao reports" in again.output
