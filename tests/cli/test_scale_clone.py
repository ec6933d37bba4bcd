"""The cloned scale corpus: a tiny generated corpus (the bundled samples and corpus texts with
new names), ingested, then copied 3× inside SQLite, answers about the copies with their new
unit names and the source's figures, and stores what ``nianbao ingest`` stores."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from benchmarks import scale, scale_clone
from benchmarks.scale_corpus import nianbao_command
from tests.ingest.test_year_figures import DIRECT

SOURCE_REPORTS = 8


@pytest.fixture(scope="module")
def cloned(tmp_path_factory: pytest.TempPathFactory) -> scale_clone.CloneResult:
    root = tmp_path_factory.mktemp("clone")
    source = root / f"n{SOURCE_REPORTS}"
    scale._prepare(source, SOURCE_REPORTS, 5, False, scale.SizeResult(SOURCE_REPORTS))
    return scale_clone.clone(source, root / "n24", 3 * SOURCE_REPORTS, seed=1)


def _ask(db: Path, questions: list[str]) -> list[dict]:
    done = subprocess.run(
        [*nianbao_command(), "ask", "--json", "-", "--db", str(db)],
        input="".join(q + "\n" for q in questions),
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_every_copy_has_new_unique_unit_names(cloned: scale_clone.CloneResult) -> None:
    manifest = cloned.manifest[:-1]
    assert len(manifest) == 3 * SOURCE_REPORTS
    copies = [manifest[i : i + SOURCE_REPORTS] for i in range(0, len(manifest), SOURCE_REPORTS)]
    names = [{r.unit for r in copy} | {r.region for r in copy} for copy in copies]
    assert names[0].isdisjoint(names[1]) and names[0].isdisjoint(names[2])
    assert names[1].isdisjoint(names[2])
    for original, clone in zip(copies[0], copies[1], strict=True):
        assert (clone.year, clone.source, clone.factor) == (
            original.year,
            original.source,
            original.factor,
        )
        text = (cloned.out / clone.file).read_text("utf-8")
        assert clone.unit in text and original.unit not in text


@pytest.mark.parametrize(
    "table", ["reports", "passages", "statistics", "findings", "passage_tokens", "year_figures"]
)
def test_each_copy_holds_the_source_rows(cloned: scale_clone.CloneResult, table: str) -> None:
    conn = sqlite3.connect(cloned.out / "corpus.db")
    top = conn.execute("SELECT max(id) FROM reports").fetchone()[0] // 3  # ids 1…8, 9…16, …
    column = {"reports": "id", "passage_tokens": "passage_id"}.get(table, "report_id")
    if table == "passage_tokens":
        rows = conn.execute(
            "SELECT p.report_id FROM passage_tokens t JOIN passages p ON p.id = t.passage_id"
        ).fetchall()
    else:
        rows = conn.execute(f"SELECT {column} FROM {table}").fetchall()
    per_copy = [sum(1 for (r,) in rows if k * top < r <= (k + 1) * top) for k in range(3)]
    assert per_copy[0] > 0 and per_copy == [per_copy[0]] * 3


def test_the_copies_figures_are_filed_by_year(cloned: scale_clone.CloneResult) -> None:
    conn = sqlite3.connect(cloned.out / "corpus.db")
    filed = conn.execute("SELECT * FROM year_figures ORDER BY 1, 2, 3, 4, 5").fetchall()
    assert filed and filed == conn.execute(DIRECT).fetchall()


def test_copies_answer_with_their_names_and_the_source_figures(
    cloned: scale_clone.CloneResult,
) -> None:
    originals = cloned.manifest[:SOURCE_REPORTS]
    clones = cloned.manifest[2 * SOURCE_REPORTS : 3 * SOURCE_REPORTS]
    asked = "年收到多少件政府信息公开申请"
    answers = _ask(
        cloned.out / "corpus.db",
        [f"{r.unit}{r.year}{asked}" for r in [*originals, *clones]],
    )
    answered = 0
    for i, clone in enumerate(clones):
        before, after = answers[i], answers[SOURCE_REPORTS + i]
        assert after["kind"] == before["kind"]
        figures = [(f["metric"], f["year"], f["value"]) for f in before["facts"]]
        assert [(f["metric"], f["year"], f["value"]) for f in after["facts"]] == figures
        units = {f["unit"] for f in after["facts"]}
        assert all(u.endswith(clone.unit) for u in units)
        answered += bool(figures)
    assert answered


def test_nianbao_ingest_of_a_cloned_file_stores_what_the_clone_holds(
    cloned: scale_clone.CloneResult,
) -> None:
    lines = scale_clone.check_ingest(cloned, 3)
    assert len(lines) == 3
    assert all(line.endswith("→ as its source") for line in lines), lines
