"""Hostile questions: each gets a valid answer object, and none carries a figure that is made
up or belongs to another unit or year than the one asked.  A fixed table of the kinds an audit
tries (empty, 20k characters, control characters, undecodable bytes, SQL, LIKE wildcards,
regex metacharacters, HTML, format strings, impossible years, units not loaded), hypothesis
over their combinations, and the table through one real ``nianbao ask --json -`` process,
which must answer every line and leave the database as it was."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.text import fold

LOADED = ["西集镇", "西塘镇", "乌镇镇", "宜就镇", "於潜镇"]
NOT_LOADED = ["嘉善县", "北山镇", "东湖街道", "国家税务总局", "南湖乡", "平安街道办事处"]
IMPOSSIBLE_YEARS = ["0年", "9999年", "-1年", "1800年", "０年", "2999年", "−1年"]
KINDS = {"number", "sum", "ranking", "compare", "trend", "passage", "list", "none"}

# (question, the only unit whose figures may appear; None: no figure at all may appear)
FIXED: list[tuple[str, str | None]] = [
    ("", None),
    (" ", None),
    ("\n", None),
    ("\t\t", None),
    ("？？？", None),
    ("!!!", None),
    ("西集镇有多少行政诉讼" + "啊" * 20_000, "西集镇"),
    ("x" * 20_000, None),
    ("行政诉讼" * 5_000, "*"),
    ("\x00西集镇有多少行政诉讼", "西集镇"),
    ("西集镇\x1b[31m有多少行政诉讼\x1b[0m", "西集镇"),
    ("\u202e西集镇有多少行政诉讼", "西集镇"),
    ("西集镇\u200b有多少\ufeff行政诉讼", "西集镇"),
    ("西集镇\udcff\udcfe有多少行政诉讼", "西集镇"),
    ("\udc80\udc81", None),
    ("西集镇'; DROP TABLE reports; --有多少行政诉讼", "西集镇"),
    ("' OR 1=1 --", None),
    ('西集镇" OR "1"="1 行政诉讼', "西集镇"),
    ("1; DELETE FROM statistics WHERE 1=1", None),
    ("西塘镇 UNION SELECT * FROM reports 行政复议", "西塘镇"),
    ("%有多少行政诉讼", "*"),
    ("西集_镇有多少行政诉讼", "*"),
    ("%%%", None),
    ("_", None),
    ("西塘镇%行政诉讼", "西塘镇"),
    (".*有多少行政诉讼", "*"),
    ("西集镇(有多少|)行政诉讼", "西集镇"),
    ("[西集镇]+行政诉讼", "*"),
    ("\\d+年行政诉讼", "*"),
    ("(?P<x>西集镇)行政诉讼", "西集镇"),
    ("西集镇有多少行政诉讼)", "西集镇"),
    ("西塘镇*+?{}[]^$|\\行政复议", "西塘镇"),
    ("<b>西集镇</b>有多少行政诉讼", "西集镇"),
    ("<script>alert(1)</script>西集镇行政诉讼", "西集镇"),
    ("西集镇&amp;行政诉讼&lt;", "西集镇"),
    ("<a href='javascript:x'>西塘镇</a>行政诉讼", "西塘镇"),
    ("{unit}有多少{label}", "*"),
    ("%s%s%s%d%n", None),
    ("{0}{1}{__class__.__mro__}", None),
    ("西集镇{year}年行政诉讼", "西集镇"),
    ("%(unit)s行政诉讼", "*"),
    ("how many lawsuits did {unit} have", "*"),
    *[(f"西集镇{year}有多少行政诉讼", None) for year in IMPOSSIBLE_YEARS],
    *[(f"西塘镇{year}行政复议多少件", None) for year in IMPOSSIBLE_YEARS],
    ("西集镇1800年主动公开了多少条信息", None),
    ("哪个镇9999年行政诉讼最多", None),
    ("9999年共有多少行政诉讼", None),
    (".0年有多少行政诉讼", None),  # found by the generated questions below
    ("how many lawsuits did 西集镇 have in 9999", None),
    *[(f"{unit}有多少行政诉讼", None) for unit in NOT_LOADED],
    *[(f"{unit}2018年主动公开了多少条信息", None) for unit in NOT_LOADED],
    ("how many lawsuits did Beishan town have", None),
    ("嘉善县哪个镇行政诉讼最多", None),
]


def _facts_in(db: Path) -> set[tuple[str, int, str, float | None]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT r.unit, r.year, s.key, s.value FROM statistics s "
            "JOIN reports r ON r.id = s.report_id"
        ).fetchall()
    return {(fold(u), y, k, v) for u, y, k, v in rows}


@pytest.fixture(scope="module")
def stored(sample_db_path: Path) -> set[tuple[str, int, str, float | None]]:
    return _facts_in(sample_db_path)


def _mentions(question: str) -> list[str]:
    folded = fold(question.encode("utf-8", "replace").decode())
    return [u for u in LOADED if fold(u) in folded]


def check(answer: dict, question: str, allowed: str | None, stored: set) -> None:
    """The answer object is whole, its figures exist, and they are the asked unit's."""
    assert set(answer) >= {"question", "kind", "answer", "value", "facts", "ranking"}, answer
    assert answer["kind"] in KINDS and isinstance(answer["answer"], str) and answer["answer"]
    json.dumps(answer, ensure_ascii=False)
    figures = answer["facts"] + answer["ranking"]
    if allowed is None:
        assert answer["value"] is None and not figures, (question[:80], answer["answer"][:200])
        return
    for fact in answer["facts"]:
        key = (fold(fact["unit"]), fact["year"], fact["metric"], fact["value"])
        assert key in stored, ("made-up figure", question[:80], fact)
    if allowed != "*":
        for figure in figures:
            assert fold(figure["unit"]) == fold(allowed), (question[:80], figure)
    if answer["kind"] == "number":
        assert answer["value"] in {f["value"] for f in answer["facts"]}, answer["answer"][:200]


@pytest.mark.parametrize(("question", "allowed"), FIXED, ids=range(len(FIXED)))
def test_fixed_hostile_questions(answerer, stored: set, question: str, allowed: str | None) -> None:
    check(answerer.ask(question).to_dict(), question, allowed, stored)


_SYMBOLS = "'\"%_*.+?()[]{}^$|\\<>&;:-=/#!~` \t\n\r\x00\x07\x1b\u200b\u202e\ufeff"
_TOKENS = ["%s", "{0}", "%d", "<b>", "</b>", "--", "/*", "*/", "OR", "的", "了", "吗", "呢"]
_ODD = ["\udcff", "\ufffd", "𠀀", "é"]
_NOISE = st.lists(st.sampled_from([*_SYMBOLS, *_TOKENS, *_ODD]), max_size=12).map("".join)
_STATISTICS = ["有多少行政诉讼", "主动公开了多少条信息", "行政复议多少件", "收到多少申请", ""]
_YEARS = ["", "2018年", "18年", "去年", *IMPOSSIBLE_YEARS]


@settings(
    max_examples=220,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    unit=st.sampled_from(["", *LOADED, *NOT_LOADED]),
    year=st.sampled_from(_YEARS),
    statistic=st.sampled_from(_STATISTICS),
    noise=_NOISE,
    at=st.integers(min_value=0, max_value=3),
)
def test_generated_hostile_questions(
    answerer, stored: set, unit: str, year: str, statistic: str, noise: str, at: int
) -> None:
    parts = [unit, year, statistic]
    parts.insert(at, noise)
    question = "".join(parts)
    nothing = unit in NOT_LOADED or year in IMPOSSIBLE_YEARS
    named = _mentions(question)
    allowed = None if nothing else (named[0] if len(named) == 1 else "*")
    check(answerer.ask(question).to_dict(), question, allowed, stored)


def _digest(db: Path) -> str:
    """The database file and its write-ahead log (an empty log is no log)."""
    h = hashlib.sha256(db.read_bytes())
    wal = db.with_name(db.name + "-wal")
    h.update(wal.read_bytes() if wal.exists() else b"")
    return h.hexdigest()


def test_one_ask_process_answers_every_hostile_line_and_changes_nothing(
    sample_db_path: Path, tmp_path: Path
) -> None:
    from tests.support.telegram import copy_corpus

    db = copy_corpus(sample_db_path, tmp_path / "hostile.db")
    lines = [
        q.encode("utf-8", "surrogateescape").replace(b"\n", b" ").replace(b"\r", b" ")
        for q, _ in FIXED
    ]
    lines += [b"\xff\xfe\xfd", "西集镇有多少".encode() + b"\xc3\x28" + "行政诉讼".encode()]
    before = _digest(db)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "-", "--db", str(db)],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    answers = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(answers) == len(lines)
    assert b"failed" not in done.stderr, done.stderr.decode(errors="replace")[-2000:]
    stored = _facts_in(db)
    for (question, allowed), answer in zip(FIXED, answers, strict=False):
        allowed = allowed if "\n" not in question and "\r" not in question else "*"
        check(answer, question, allowed, stored)
    assert _digest(db) == before
