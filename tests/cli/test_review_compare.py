"""nianbao review, compare and export end to end: the files are read back and checked against
the database; bad names get suggestions; nothing is written when there is nothing to write; a
comparison of ten thousand units streams with bounded memory."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bot.cli import main
from bot.qa.answerer import Answerer
from bot.qa.comparison import ComparisonRequest
from bot.spreadsheets.comparison_files import write_csv, write_xlsx
from ingest.pipeline import ingest_paths
from ingest.store import open_db
from tests.support import NATIONAL, SAMPLES


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five samples and the two national reports of one street (two years)."""
    path = tmp_path_factory.mktemp("review") / "c.db"
    db = open_db(path)
    ingest_paths(db, [SAMPLES, NATIONAL])
    db.close()
    return path


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("NIANBAO_DB", raising=False)
    monkeypatch.delenv("NIANBAO_CONFIG", raising=False)
    monkeypatch.delenv("NIANBAO_REVIEW_JUMP_FACTOR", raising=False)
    return CliRunner()


def _official(db_path: Path, unit: str, key: str, year: int | None = None) -> float | None:
    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            "SELECT s.value FROM statistics s JOIN reports r ON r.id = s.report_id "
            "WHERE r.unit = ? AND s.key = ? AND s.official = 1 AND s.value IS NOT NULL "
            "AND (? IS NULL OR r.year = ?) ORDER BY r.year DESC LIMIT 1",
            [unit, key, year, year],
        ).fetchone()
    return row[0] if row else None


# -- review ------------------------------------------------------------------------------------


def test_review_json_lists_findings_with_their_evidence(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(main, ["review", "--json", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert findings
    for finding in findings:
        assert {"kind", "severity", "unit", "year", "message", "evidence"} <= set(finding)
    failed = [f for f in findings if f["kind"] == "failed_check"]
    assert [(f["unit"], f["year"], f["severity"]) for f in failed] == [("西集镇", 2018, "error")]
    assert "（三）申请答复数 件 6" in failed[0]["evidence"]
    severities = [f["severity"] for f in findings]
    assert severities == sorted(severities, key=["error", "warning", "question"].index)


def test_review_text_for_one_unit_and_year(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(
        main, ["review", "--unit", "西集镇", "--year", "2018", "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    assert "西集镇 2018 (xiji-2018.txt): 1 error, 2 warnings, 0 questions" in result.output
    assert "「（三）申请答复数 件 6」" in result.output
    assert "/source_" in result.output
    assert "1 report reviewed" in result.output
    assert "於潜镇" not in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--unit", "西吉镇"], "Did you mean: 西集镇"),
        (["--unit", "西集镇", "--year", "2030"], "for the year '2030'. Did you mean: 2018"),
        (["--unit", "北极镇"], "no loaded unit is called '北极镇'"),
    ],
)
def test_review_of_what_is_not_loaded(runner: CliRunner, db_path: Path, args, words: str) -> None:
    result = runner.invoke(main, ["review", *args, "--db", str(db_path)])
    assert result.exit_code == 1
    assert words in result.output


def test_the_jump_factor_can_be_set(runner: CliRunner, db_path: Path, tmp_path: Path) -> None:
    private = tmp_path / "private.db"
    with sqlite3.connect(db_path) as src, sqlite3.connect(private) as dst:
        src.backup(dst)

    def jumps(*extra: str) -> int:
        result = runner.invoke(main, ["review", "--json", "--db", str(private), *extra])
        return sum(json.loads(x)["kind"] == "jump" for x in result.stdout.splitlines())

    assert jumps() == 0
    assert jumps("--jump-factor", "1.1") > 0
    runner.env = {"NIANBAO_REVIEW_JUMP_FACTOR": "1000"}
    assert jumps() == 0
    refused = runner.invoke(main, ["review", "--jump-factor", "0.5", "--db", str(private)])
    assert refused.exit_code == 1 and "must be more than 1" in refused.output


# -- compare -----------------------------------------------------------------------------------


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_compare_csv_holds_the_database_figures(runner: CliRunner, db_path: Path) -> None:
    out = Path("towns.csv")
    result = runner.invoke(
        main,
        ["compare", "--stat", "行政诉讼", "--stat", "proactive", "--format", "csv", "-o", str(out),
         "--db", str(db_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = _csv_rows(out.read_text("utf-8"))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[:4] == ["单位", "年份", "层级", "地区"]
    assert header[4] == "行政诉讼数量（件）" and header[7] == "主动公开政府信息数（条）"
    units = {r[0]: r for r in body}
    assert set(units) == {"东湖街道", "乌镇镇", "西集镇", "西塘镇", "宜就镇", "於潜镇"}
    for unit, row in units.items():
        lawsuits, proactive = (
            _official(db_path, unit, "lawsuits"),
            _official(db_path, unit, "proactive"),
        )
        assert row[4] == ("" if lawsuits is None else str(int(lawsuits)))
        assert row[7] == ("" if proactive is None else str(int(proactive)))
        assert row[5] in ("table", "prose", "derived")
        assert row[6].isdigit()
    assert units["东湖街道"][1] == "2021" and units["东湖街道"][7:10] == ["", "", ""]
    assert total[0] == "合计"
    assert total[4] == str(sum(int(r[4]) for r in body))
    assert total[5] == "6 个单位合计" and total[8] == "5 个单位合计"


def test_compare_xlsx_opens_and_matches_the_database(runner: CliRunner, db_path: Path) -> None:
    out = Path("c.xlsx")
    result = runner.invoke(
        main,
        ["compare", "--stat", "requests.received", "--stat", "行政复议", "--level", "镇",
         "--format", "xlsx", "-o", str(out), "--db", str(db_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    table, sources = book["比较"], book["sources"]
    assert table.freeze_panes == "A2" and sources.freeze_panes == "A2"
    rows = list(table.iter_rows(values_only=True))
    assert rows[0][:5] == ("单位", "年份", "层级", "地区", "收到申请数（件）")
    body = rows[1:-2]
    assert {r[0] for r in body} == {"乌镇镇", "西集镇", "西塘镇", "宜就镇", "於潜镇"}
    for row in body:
        assert row[4] == _official(db_path, row[0], "requests.received")
        assert row[5] == _official(db_path, row[0], "reconsiderations")
    assert rows[-2][0] == "合计"
    assert rows[-2][4] == sum(r[4] for r in body if r[4] is not None)
    assert rows[-1][4] == sum(r[4] is not None for r in body)
    number = next(c for c in table[2] if isinstance(c.value, int))
    assert number.number_format == "#,##0"
    evidence = list(sources.iter_rows(values_only=True))[1:]
    assert len(evidence) == sum(v is not None for r in body for v in r[4:])
    with sqlite3.connect(db_path) as conn:
        for _unit, _year, _label, _key, value, _m, _source, passage, stat_id, quote, _r in evidence:
            stored = conn.execute(
                "SELECT s.value, s.evidence, s.passage_id FROM statistics s WHERE s.id = ?",
                [stat_id],
            ).fetchone()
            assert stored[0] == value and stored[2] == passage
            assert " ".join(stored[1].split()) == quote


def test_compare_by_year(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(
        main,
        ["compare", "--unit", "东湖街道", "--by-year", "--stat", "上年结转", "--stat", "结转下年度",
         "--format", "json", "--db", str(db_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert [r["year"] for r in table["rows"]] == [2020, 2021]
    keys = [s["key"] for s in table["statistics"]]
    assert keys == ["requests.carried_over", "requests.carried_forward"]
    cell = table["rows"][1]["cells"]["requests.carried_over"]
    assert cell["value"] == _official(db_path, "东湖街道", "requests.carried_over", 2021)
    assert cell["source"] == "table" and cell["passage_id"] and cell["evidence"]
    assert table["total"]["requests.carried_over"]["count"] == 2


def test_compare_table_for_the_terminal(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(main, ["compare", "--stat", "行政诉讼", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["单位", "年份", "行政诉讼数量（件）"]
    xiji = next(line for line in lines if line.startswith("西集镇"))
    assert xiji.split()[1:] == ["2018", "6", f"#{_passage(db_path)}"]
    assert next(line for line in lines if line.startswith("西塘镇")).split()[2] == "1*"
    assert lines[-2].startswith("合计") and "(6 个单位合计)" in lines[-2]


def _passage(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT s.passage_id FROM statistics s JOIN reports r ON r.id = s.report_id "
            "WHERE r.unit = '西集镇' AND s.key = 'lawsuits' AND s.official = 1"
        ).fetchone()[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--stat", "行政诉X"], "Did you mean: 行政诉讼"),
        (["--stat", "行政诉讼", "--unit", "西吉镇"], "Did you mean: 西集镇"),
        (["--stat", "行政诉讼", "--level", "村"], "has the level '村'. Did you mean: 街道, 镇"),
        (["--stat", "行政诉讼", "--region", "火星县"], "no loaded report lies in '火星县'"),
        (["--stat", "行政诉讼", "--year", "1999"], "for the year '1999'"),
        (["--stat", "行政诉讼", "--by-year"], "add --unit NAME"),
        (["--stat", "行政诉讼", "--format", "xlsx"], "add -o FILE.xlsx"),
    ],
)
def test_compare_bad_input(runner: CliRunner, db_path: Path, args: list[str], words: str) -> None:
    result = runner.invoke(main, ["compare", *args, "--db", str(db_path)])
    assert result.exit_code == 1
    assert words in result.output


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "table"])
def test_a_comparison_without_figures_writes_no_file(
    runner: CliRunner, db_path: Path, fmt: str
) -> None:
    out = Path(f"empty.{fmt}")
    result = runner.invoke(
        main,
        ["compare", "--stat", "行政许可", "--year", "2018", "--format", fmt, "-o", str(out),
         "--db", str(db_path)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "no loaded report in this scope gives a figure" in result.output
    assert not out.exists()
    assert list(Path().glob("*.part")) == [] and list(Path().glob(".empty*")) == []


# -- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_writes_every_statistic_with_its_provenance(
    runner: CliRunner, db_path: Path, fmt: str
) -> None:
    out = Path(f"statistics.{fmt}")
    result = runner.invoke(main, ["export", "--format", fmt, "-o", str(out), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    elif fmt == "xlsx":
        values = list(load_workbook(out, read_only=True)["statistics"].iter_rows(values_only=True))
        rows = [dict(zip(values[0], r, strict=True)) for r in values[1:]]
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
    with sqlite3.connect(db_path) as conn:
        stored = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT id, key, value, source, evidence, passage_id FROM statistics"
            )
        }
    assert len(rows) == len(stored)
    for row in rows:
        key, value, source, evidence, passage = stored[int(row["statistic_id"])]
        assert row["key"] == key and row["source"] == source
        got = row["value"]
        assert (got in ("", None) and value is None) or float(got) == value
        assert (row["evidence"] or "") == (evidence or "")
        assert str(row["passage_id"] or "") == str(passage or "")
        assert row["unit"] and row["year"]


def test_export_of_an_empty_database_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    open_db(empty).close()
    result = runner.invoke(main, ["export", "-o", "x.csv", "--db", str(empty)])
    assert result.exit_code == 1
    assert "no statistics loaded" in result.output
    assert not Path("x.csv").exists()


# -- ten thousand units ------------------------------------------------------------------------


def _many_units(path: Path, count: int) -> Path:
    """A database of ``count`` town reports of 2023, each with two figures (half with one)."""
    open_db(path).close()
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO reports (id, unit, year, level, parent, title, sha256, template, text, "
            "source_file) VALUES (?, ?, 2023, '镇', '某某县', ?, ?, 'national2021', '', ?)",
            [
                (i, f"第{i}镇", f"第{i}镇2023年报告", f"h{i}", f"{i}.txt")
                for i in range(1, count + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO statistics (report_id, key, value, measure, source, label, evidence, "
            "official) VALUES (?, ?, ?, '件', ?, ?, ?, 1)",
            [(i, "requests.received", i % 50, "table", "本年新收", f"新收 {i % 50}") for i in range(1, count + 1)]
            + [(i, "lawsuits", i % 3, "derived", "行政诉讼", "诉讼") for i in range(1, count + 1, 2)],
        )  # fmt: skip
    return path


def test_ten_thousand_units_stream_to_the_file(runner: CliRunner, tmp_path: Path) -> None:
    db = _many_units(tmp_path / "many.db", 10_000)
    out = Path("many.csv")
    result = runner.invoke(
        main,
        ["compare", "--year", "2023", "--stat", "requests.received", "--stat", "行政诉讼",
         "--format", "csv", "-o", str(out), "--db", str(db)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = _csv_rows(out.read_text("utf-8"))
    assert len(rows) == 10_002
    assert rows[-1][4] == str(sum(i % 50 for i in range(1, 10_001)))
    assert rows[-1][5] == "10000 个单位合计" and rows[-1][8] == "5000 个单位合计"
    assert rows[2][7:10] == ["", "", ""]


def _peak(write) -> float:
    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_units(tmp_path: Path) -> None:
    request = ComparisonRequest(("requests.received", "行政诉讼"), year=2023)
    small = Answerer(_many_units(tmp_path / "small.db", 300)).compare(request)
    large = Answerer(_many_units(tmp_path / "large.db", 10_000)).compare(request)
    with (tmp_path / "a.csv").open("w") as a, (tmp_path / "b.csv").open("w") as b:
        csv_small, csv_large = (
            _peak(lambda: write_csv(small, a)),
            _peak(lambda: write_csv(large, b)),
        )
    assert csv_large < csv_small * 1.5 + 200_000
    xlsx_small = _peak(lambda: write_xlsx(small, tmp_path / "a.xlsx"))
    large_xlsx = Answerer(_many_units(tmp_path / "mid.db", 2_000)).compare(request)
    xlsx_large = _peak(lambda: write_xlsx(large_xlsx, tmp_path / "b.xlsx"))
    assert xlsx_large < xlsx_small * 1.5 + 200_000
