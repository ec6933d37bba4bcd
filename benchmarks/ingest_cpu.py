"""CPU per report of a real parallel ingest, for the workers and the writer separately.

Wall time on a shared machine says little; CPU seconds do not depend on the load.  Runs
what ``nianbao ingest`` runs (``ingest_paths`` with the worker processes, then the index
refresh) into a new database and prints, every 1,000 files, the writer's CPU so far (what
grows with the corpus shows there), then the workers' and the writer's CPU per report.

    .venv/bin/python -m benchmarks.ingest_cpu REPORTS_DIR --db /tmp/cpu.db --workers 2
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import time
from pathlib import Path

from index.ingest_tokens import passage_tokens_for
from index.search import refresh
from ingest.pipeline import FileOutcome, ingest_paths
from ingest.store import open_db
from ingest.workers import default_workers

STEP = 1000


def _cpu() -> tuple[float, float]:
    """(this process, its finished children): user and system seconds."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--db", type=Path, required=True, help="a new database (replaced)")
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    for old in args.db.parent.glob(args.db.name + "*"):
        if old.is_file():
            old.unlink()
    shutil.rmtree(args.db.with_name(args.db.name + ".index"), ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.2f}")
    started, (writer0, workers0) = time.perf_counter(), _cpu()
    seen = 0

    def tell(_: FileOutcome) -> None:
        nonlocal seen
        seen += 1
        if seen % STEP == 0:
            print(
                f"  {seen} files at {time.perf_counter() - started:.0f} s, "
                f"writer CPU {_cpu()[0] - writer0:.1f} s",
                flush=True,
            )

    db = open_db(args.db)
    try:
        outcomes = ingest_paths(
            db, [args.folder], on_outcome=tell, hook=passage_tokens_for(db), workers=args.workers
        )
    finally:
        db.close()
    ingested, (writer1, workers1) = time.perf_counter(), _cpu()
    n = len(outcomes) or 1
    print(
        f"ingest: {len(outcomes)} files in {ingested - started:.0f} s; CPU per report: "
        f"workers {(workers1 - workers0) / n * 1000:.1f} ms, "
        f"writer {(writer1 - writer0) / n * 1000:.1f} ms"
    )
    stats = refresh(args.db)
    print(
        f"index refresh: {time.perf_counter() - ingested:.0f} s (tokenised {stats.tokenized} "
        f"passages in {stats.tokenize_seconds:.0f} s, built in {stats.build_seconds:.0f} s); "
        f"{n / (time.perf_counter() - started):.1f} reports/s in all; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
