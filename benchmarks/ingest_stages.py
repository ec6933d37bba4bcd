"""Where ingest spends its CPU, stage by stage, in one process: prints milliseconds per report.

Stages: ``prepare`` (what a worker does: read, metadata, tables, statistics, passages),
``tokens`` (the passage tokens a worker cuts when the database already has an index),
``store`` (what the writer does: the rows, the unit, the review), then the index refresh
(tokenise what is left, build).  CPU time, not wall time, so figures taken on a busy machine
still compare; ``--profile`` adds the functions that cost most in each stage.

    .venv/bin/python -m benchmarks.ingest_stages REPORTS_DIR --reports 300 --db /tmp/stages.db
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from index.ingest_tokens import PassageTokens, passage_tokens_for
from index.search import refresh
from ingest.discovery import discover
from ingest.pipeline import commit
from ingest.store import open_db
from ingest.workers import Job, attempt

STAGES = ("prepare", "tokens", "store")
T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--db", type=Path, required=True, help="a new database (replaced)")
    parser.add_argument("--profile", type=int, default=0, help="top functions per stage")
    args = parser.parse_args()
    for old in args.db.parent.glob(args.db.name + "*"):
        if old.is_file():
            old.unlink()
    files = sorted(e.path for e in discover([args.folder]) if not e.refusal)[: args.reports]
    db = open_db(args.db)
    hook = passage_tokens_for(db) or PassageTokens(())  # creates the token tables
    hook.warm()
    cpu = dict.fromkeys(STAGES, 0.0)
    profiles = {stage: cProfile.Profile() for stage in STAGES}

    def timed(stage: str, work: Callable[..., T], *work_args: object) -> T:
        started = time.process_time()
        if args.profile:
            profiles[stage].enable()
        result = work(*work_args)
        if args.profile:
            profiles[stage].disable()
        cpu[stage] += time.process_time() - started
        return result

    stored = 0
    for path in files:
        report = timed("prepare", attempt, Job(path))
        if not isinstance(report, str):
            report.extras = timed("tokens", hook.prepare, report)
        outcome = timed("store", commit, db, path, report, False, hook)
        stored += outcome.status == "added"
    db.close()
    started, cpu_started = time.perf_counter(), time.process_time()
    stats = refresh(args.db)
    n = len(files) or 1
    print(
        f"{len(files)} reports ({stored} stored): "
        + ", ".join(f"{stage} {cpu[stage] / n * 1000:.1f} ms" for stage in STAGES)
        + f" CPU per report; index refresh {time.perf_counter() - started:.1f} s "
        f"({time.process_time() - cpu_started:.1f} s CPU here; tokenised {stats.tokenized} "
        f"passages in {stats.tokenize_seconds:.1f} s, built in {stats.build_seconds:.1f} s)"
    )
    for stage in STAGES if args.profile else ():
        print(f"== {stage}")
        pstats.Stats(profiles[stage]).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
