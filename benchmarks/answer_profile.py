"""Where a warm answer's time goes, per question kind of the scale benchmark, in counts that do
not depend on the machine's load.

    python -m benchmarks.answer_profile FOLDER [FOLDER ...] [--per-kind 20] [--seed 0]
                                        [--json FILE] [--cprofile KIND] [--calls]

FOLDER is a size folder of ``benchmarks.scale`` (``corpus.db`` and ``manifest.jsonl``); the
questions are the benchmark's own (``benchmarks.scale_questions``, same seed and count). One
process answers them all through the engine's facade (``bot.qa.answerer.Answerer``, as
``nianbao ask --json -`` does, and renders each as JSON), after one untimed question of each
kind. For every answer it counts, on every SQLite connection the engine opens:

- SQL statements run (``set_trace_callback``);
- rows returned to Python (a counting cursor);
- SQLite virtual-machine steps in thousands (``set_progress_handler``): the work of reading
  rows, indexed or scanned, that never reaches Python;

and times the stages: parsing the question, composing the answer (of which SQL), rendering
the JSON, and the process's CPU time per answer (on a busy machine wall times stretch, CPU
times much less). Counts are per answer, mean and maximum per kind; a count that grows with the
corpus is work that grows with it. ``--cprofile KIND`` also prints the functions that took
the most time over that kind's questions; ``--calls`` counts each answer's Python function
calls, a measure of the engine's own work that no other process bends (its stage times then
include the profiler's overhead).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.scale_corpus import read_manifest
from benchmarks.scale_questions import KINDS, Question, build, warm_up

_STEPS_PER_TICK = 1000  # VM instructions per progress-handler call


@dataclass
class Tally:
    """What the engine's connections did since the last reset."""

    statements: int = 0
    rows: int = 0
    ticks: int = 0
    sql_s: float = 0.0
    seen: set[str] | None = None  # the statements run, with their values, when kept

    def reset(self) -> None:
        self.statements = self.rows = self.ticks = 0
        self.sql_s = 0.0


TALLY = Tally()


class _CountingCursor(sqlite3.Cursor):
    """Counts the rows it hands to Python and the time spent stepping them."""

    def execute(self, *args: Any, **kwargs: Any) -> _CountingCursor:  # type: ignore[override]
        started = time.perf_counter()
        try:
            return super().execute(*args, **kwargs)  # type: ignore[return-value]
        finally:
            TALLY.sql_s += time.perf_counter() - started

    def __next__(self) -> Any:
        started = time.perf_counter()
        try:
            row = super().__next__()
        finally:
            TALLY.sql_s += time.perf_counter() - started
        TALLY.rows += 1
        return row

    def fetchone(self) -> Any:
        started = time.perf_counter()
        row = super().fetchone()
        TALLY.sql_s += time.perf_counter() - started
        TALLY.rows += row is not None
        return row

    def fetchmany(self, size: int | None = None) -> list[Any]:
        started = time.perf_counter()
        rows = super().fetchmany(size if size is not None else self.arraysize)
        TALLY.sql_s += time.perf_counter() - started
        TALLY.rows += len(rows)
        return rows

    def fetchall(self) -> list[Any]:
        started = time.perf_counter()
        rows = super().fetchall()
        TALLY.sql_s += time.perf_counter() - started
        TALLY.rows += len(rows)
        return rows


class _CountingConnection(sqlite3.Connection):
    """A connection whose cursors count, and which counts statements and VM steps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_trace_callback(_statement)
        self.set_progress_handler(_tick, _STEPS_PER_TICK)

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or _CountingCursor)

    def execute(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:  # type: ignore[override]
        return self.cursor().execute(*args, **kwargs)


def _statement(sql: str) -> None:
    if not sql.startswith("--"):  # trigger sub-statements are reported with a comment
        TALLY.statements += 1
        if TALLY.seen is not None:
            TALLY.seen.add(sql)


def _tick() -> int:
    TALLY.ticks += 1
    return 0


def _count_connections() -> None:
    """Every connection opened from now on counts (the engine's reader, the index's)."""
    plain = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs.setdefault("factory", _CountingConnection)
        return plain(*args, **kwargs)

    sqlite3.connect = connect  # type: ignore[assignment]


@dataclass
class Measure:
    """One answer's counts and stage times (ms)."""

    statements: int
    rows: int
    ksteps: int
    parse_ms: float
    compose_ms: float
    sql_ms: float
    render_ms: float
    chars: int
    cpu_ms: float  # the process's CPU time for the whole answer: less bent by other processes
    calls: int | None = None  # Python function calls (``--calls``): not bent by load at all

    @property
    def total_ms(self) -> float:
        return self.parse_ms + self.compose_ms + self.render_ms


@dataclass
class SizeProfile:
    folder: str
    reports: int
    by_kind: dict[str, list[Measure]] = field(default_factory=dict)
    answers: list[dict] = field(default_factory=list)
    scans: dict[str, set[str]] = field(default_factory=dict)  # kind → "plan: statement"


def _timed(run: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = run()
    return value, (time.perf_counter() - started) * 1000


def profile(
    folder: Path,
    per_kind: int,
    seed: int,
    cprofile_kind: str | None = None,
    count_calls: bool = False,
) -> SizeProfile:
    from bot.cli.render_json import render_json
    from bot.qa.answerer import Answerer
    from bot.qa.compose import compose
    from ingest.jieba_import import read_whole_in_background

    manifest = read_manifest(folder)
    corpus = manifest[:-1]
    answerer = Answerer(folder / "corpus.db", warm=True)
    read_whole_in_background()  # as ``nianbao ask --json -`` does
    result = SizeProfile(str(folder), len(corpus))
    for q in warm_up(corpus, seed):
        render_json(answerer.ask(q.text))
    kind_stats: pstats.Stats | None = None
    for q in build(corpus, per_kind, seed):
        profiled = count_calls or q.kind == cprofile_kind
        profiler = cProfile.Profile() if profiled else None
        if profiler is not None:
            profiler.enable()
        TALLY.reset()
        TALLY.seen = set()
        cpu = time.process_time()
        parsed, parse_ms = _timed(lambda q=q: answerer.parse(q.text))  # type: ignore[misc]
        answer, compose_ms = _timed(lambda p=parsed: compose(answerer._context, p))  # type: ignore[misc]
        sql_ms = TALLY.sql_s * 1000
        counts = (TALLY.statements, TALLY.rows, TALLY.ticks)
        rendered, render_ms = _timed(lambda a=answer: render_json(a))  # type: ignore[misc]
        cpu_ms = (time.process_time() - cpu) * 1000
        calls = None
        if profiler is not None:
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stdout)
            calls = stats.total_calls if count_calls else None
            if q.kind == cprofile_kind:
                kind_stats = stats if kind_stats is None else kind_stats.add(stats)
        measure = Measure(
            *counts, parse_ms, compose_ms, sql_ms, render_ms, len(rendered), cpu_ms, calls
        )
        result.by_kind.setdefault(q.kind, []).append(measure)
        result.scans.setdefault(q.kind, set()).update(_scans(answerer.db.conn, TALLY.seen))
        TALLY.seen = None
        result.answers.append(_answer_line(q, answer.kind, measure))
    if kind_stats is not None:
        print(f"\n{folder}: functions by cumulative time over the {cprofile_kind} questions")
        kind_stats.sort_stats("cumulative").print_stats(30)
    return result


_TABLE_SCAN = re.compile(r"^SCAN (?!.*(VIRTUAL TABLE|CONSTANT ROW))")
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def _scans(conn: sqlite3.Connection, statements: set[str]) -> set[str]:
    """The statements whose plan reads a whole table or index (SCAN), each as
    "plan step: statement" with its values masked."""
    found = set()
    for sql in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        try:
            plan = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        except sqlite3.Error:
            continue
        for step in plan:
            if _TABLE_SCAN.match(step[-1]):
                masked = " ".join(_LITERAL.sub("?", sql).split())
                found.add(f"{step[-1]}: {masked[:160]}")
    return found


def _answer_line(q: Question, kind: object, m: Measure) -> dict:
    return {
        "kind": q.kind,
        "q": q.text,
        "answer_kind": str(kind),
        "statements": m.statements,
        "rows": m.rows,
        "ksteps": m.ksteps,
        "ms": round(m.total_ms, 2),
        "cpu_ms": round(m.cpu_ms, 2),
        "chars": m.chars,
        "calls": m.calls,
    }


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _mean_max(values: list[float], digits: int = 0) -> str:
    return f"{statistics.mean(values):.{digits}f} / {max(values):.{digits}f}"


def table(profiles: list[SizeProfile]) -> Iterator[str]:
    """One block per size: counts (mean / max per answer) and stage times (median ms)."""
    for p in profiles:
        yield f"\n{p.folder} ({p.reports:,} reports)"
        yield _row(
            [
                "kind",
                "n",
                "SQL statements",
                "rows to Python",
                "VM steps (k)",
                "answer chars",
                "parse ms",
                "compose ms",
                "of which SQL",
                "render ms",
                "total p50 / max",
                "CPU p50 / max",
                "Python calls (k)",
            ]
        )
        yield _row(["---"] * 13)
        for kind in KINDS:
            ms = p.by_kind.get(kind)
            if not ms:
                continue
            totals = sorted(m.total_ms for m in ms)
            cpus = sorted(m.cpu_ms for m in ms)
            calls = [m.calls / 1000 for m in ms if m.calls is not None]
            yield _row(
                [
                    kind,
                    str(len(ms)),
                    _mean_max([m.statements for m in ms], 1),
                    _mean_max([m.rows for m in ms]),
                    _mean_max([m.ksteps for m in ms]),
                    _mean_max([m.chars for m in ms]),
                    f"{statistics.median(m.parse_ms for m in ms):.1f}",
                    f"{statistics.median(m.compose_ms for m in ms):.1f}",
                    f"{statistics.median(m.sql_ms for m in ms):.1f}",
                    f"{statistics.median(m.render_ms for m in ms):.1f}",
                    f"{statistics.median(totals):.1f} / {totals[-1]:.1f}",
                    f"{statistics.median(cpus):.1f} / {cpus[-1]:.1f}",
                    _mean_max(calls, 1) if calls else "—",
                ]
            )


def _jsonable(p: SizeProfile) -> dict:
    return {
        "folder": p.folder,
        "reports": p.reports,
        "answers": p.answers,
        "scans": {kind: sorted(s) for kind, s in p.scans.items()},
    }


def main(argv: list[str] | None = None) -> list[SizeProfile]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="size folders of benchmarks.scale")
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write every answer's counts here")
    parser.add_argument("--cprofile", choices=KINDS, help="profile this kind's questions")
    parser.add_argument(
        "--calls",
        action="store_true",
        help="count each answer's Python function calls (its times then include the profiler's)",
    )
    args = parser.parse_args(argv)
    _count_connections()
    profiles = [
        profile(f, args.per_kind, args.seed, args.cprofile, args.calls) for f in args.folders
    ]
    for line in table(profiles):
        print(line)
    for p in profiles:
        print(f"\n{p.folder}: statements that read a whole table or index")
        for kind, scans in p.scans.items():
            for scan in sorted(scans):
                print(f"  {kind}: {scan}")
    if args.json:
        args.json.write_text(
            json.dumps([_jsonable(p) for p in profiles], ensure_ascii=False),
            "utf-8",
        )
    return profiles


if __name__ == "__main__":
    main()
