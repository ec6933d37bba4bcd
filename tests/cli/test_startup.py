"""Start-up: ``nianbao --help`` and building the command group load no engine or reader.

Each heavy library costs tenths of a second to import; a command imports what it uses when it
runs. The check runs in a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "jieba",
    "numba",
    "numpy",
    "sqlite_utils",
    "pypinyin",
    "cn2an",
    "tqdm",
    "matplotlib",
    "openpyxl",
    "pdfplumber",
    "docx",
    "bs4",
    "lxml",
    "telegram",
    "bot.qa",
    "ingest",
)

_SCRIPT = """
import sys
from click.testing import CliRunner
from bot.cli.commands import main
CliRunner().invoke(main, {args!r})
print(" ".join(sorted({{m.split(".")[0] if not m.startswith("bot.") else ".".join(m.split(".")[:2])
                      for m in sys.modules}})))
"""


def _loaded(args: list[str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(args=args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["ask", "--help"],
        ["ingest", "--help"],
        ["export", "--help"],
        ["compare", "--help"],
    ],
)
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    assert not _loaded(args) & set(HEAVY)


def test_the_check_sees_a_heavy_import(tmp_path: Path) -> None:
    """Running a command does load what it uses, so the test above can fail."""
    loaded = _loaded(["reports", "--db", str(tmp_path / "missing.db")])
    assert {"sqlite_utils", "ingest"} <= loaded


@pytest.mark.parametrize(
    "question", ["东湖镇2018年行政诉讼多少件", "政府信息公开工作存在的主要问题"]
)
def test_one_question_loads_no_compiled_kernels(sample_db_path: Path, question: str) -> None:
    """A figure or a passage search in a fresh process runs without importing numba."""
    loaded = _loaded(["ask", question, "--db", str(sample_db_path)])
    assert {"bot.qa", "index", "sqlite_utils"} <= loaded
    assert "numba" not in loaded


# What a question in a fresh process must not load: pinyin tables (the typo reader reads its
# table), compiled kernels, drawing and spreadsheet libraries, the report readers, the front
# end of the bot, and the engine's chart, review and comparison modules.
NOT_FOR_A_QUESTION = (
    "pypinyin",
    "numba",
    "matplotlib",
    "openpyxl",
    "telegram",
    "ingest.readers",
    "ingest.workers",
    "bot.qa.chart_figures",
    "bot.qa.findings",
    "bot.qa.comparison",
)

_QUESTION_SCRIPT = """
import sys
from click.testing import CliRunner
from bot.cli.commands import main
from ingest import jieba_import
result = CliRunner().invoke(main, {args!r})
assert result.exit_code == 0, result.output
whole = jieba_import.default_dictionary.cache_info().currsize
print(whole, " ".join(sorted(sys.modules)))
"""


def _question_run(question: str, db: Path) -> tuple[bool, set[str]]:
    """(whether jieba's whole dictionary was read, the modules loaded) of a fresh ``ask``."""
    script = _QUESTION_SCRIPT.format(args=["ask", question, "--db", str(db)])
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    whole, *modules = result.stdout.split()
    return whole != "0", set(modules)


@pytest.mark.parametrize(
    "question", ["东湖镇2018年行政诉讼多少件", "东湖镇2018年行政诉松多少件", "政务公开存在什么问题"]
)
def test_a_question_loads_only_what_it_needs(sample_db_path: Path, question: str) -> None:
    """A figure (also one with a typo) or a passage in a fresh process cuts the question
    with a few look-ups in jieba's dictionary instead of reading it whole, and imports none
    of ``NOT_FOR_A_QUESTION``; the first run of all may build the cached tables."""
    _question_run(question, sample_db_path)
    whole, loaded = _question_run(question, sample_db_path)
    assert not whole
    assert {"jieba", "bot.qa.typos", "index.search"} <= loaded
    assert not loaded & set(NOT_FOR_A_QUESTION)


def test_the_question_check_sees_what_a_chart_loads(sample_db_path: Path) -> None:
    """The same check fails on a command that loads the chart figures, so the test above
    can fail."""
    script = _QUESTION_SCRIPT.format(args=["ask", "东湖镇行政诉讼", "--db", str(sample_db_path)])
    script = script.replace("result = ", "import bot.qa.chart_figures, pypinyin\nresult = ")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    loaded = set(result.stdout.split()[1:])
    assert {"bot.qa.chart_figures", "pypinyin"} <= loaded & set(NOT_FOR_A_QUESTION)


def test_export_formats_offered_are_those_written() -> None:
    """``nianbao export --format`` lists its choices without importing the writers."""
    from bot.cli.table_commands import EXPORT_FORMATS as offered
    from bot.spreadsheets.export_files import EXPORT_FORMATS as written

    assert offered == written


def test_the_bot_starts_without_drawing_libraries() -> None:
    """The bot's application and handlers load matplotlib only with the first /chart or
    /compare picture, not before polling."""
    script = (
        "import sys, bot.telegram.app, bot.telegram.handlers.routing\n"
        "print('matplotlib' in sys.modules, 'bot.telegram.chart' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
