"""The scale benchmark's add-one step, repeated: how long adding one report takes until a warm
process answers about it, and how much of it is the ingest.

    python -m benchmarks.add_one FOLDER [--runs 5] [--new SEED] [--json FILE]

FOLDER is a size folder of ``benchmarks.scale`` (``corpus.db``, ``manifest.jsonl`` and the
held-back report in ``extra/``). One warm ``nianbao ask --json -`` runs throughout; each run
removes the held-back report (``nianbao remove``, untimed), asks about it once (the warm
process takes in the removal), then times ``nianbao ingest`` of its file and the warm answer
after it, exactly as ``benchmarks.scale`` does once. Each run prints its figures, the CPU time
of the ingest (its process and workers) and of the warm answer (on a busy machine wall times
stretch, CPU times much less) and the load average; the database is left as it was found
(the report removed).

``--new SEED`` adds newly generated reports instead (``FOLDER/add-one-SEED/``, one per run,
seed SEED), and keeps them: no removal between runs (removing a report from a 100,000-report
database takes minutes), so runs follow each other quickly; the database grows by one report
per run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from pathlib import Path

from benchmarks.scale import WarmAsker, _answered_about, _ingest, _remove
from benchmarks.scale_corpus import generate, read_manifest


def _children_cpu() -> float:
    """User + system seconds of the finished child processes (and theirs) so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _process_cpu(pid: int) -> float:
    """User + system seconds a running process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--new", type=int, metavar="SEED", help="add new reports of this seed")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    db = folder / "corpus.db"
    if args.new is None:
        held_back = read_manifest(folder)[-1]
        added = [(held_back, folder / "extra" / Path(held_back.file).name)] * args.runs
    else:
        pool = folder / f"add-one-{args.new}"
        if not (pool / "manifest.jsonl").exists():
            generate(pool, args.runs, args.new)
        added = [(r, pool / r.file) for r in read_manifest(pool)][: args.runs]
    runs: list[dict] = []
    asker = WarmAsker(db, folder)
    try:
        for run, (extra, path) in enumerate(added):
            question = f"{extra.unit}{extra.year}年收到多少件政府信息公开申请"
            if args.new is None:
                _remove(db, path)
            asker.ask(question)
            load = os.getloadavg()[0]
            children = _children_cpu()
            added_at = time.perf_counter()
            ingest_s, _ = _ingest([path], db, folder / "ingest-extra.log")
            ingest_cpu = _children_cpu() - children
            asker_cpu = _process_cpu(asker.process.pid)
            answer_ms, answer = asker.ask(question)
            total_s = time.perf_counter() - added_at
            answer_cpu = _process_cpu(asker.process.pid) - asker_cpu
            figures = {
                "run": run + 1,
                "add_one_s": round(total_s, 3),
                "ingest_s": round(ingest_s, 3),
                "answer_s": round(answer_ms / 1000, 3),
                "ingest_cpu_s": round(ingest_cpu, 3),
                "answer_cpu_s": round(answer_cpu, 3),
                "answered": _answered_about(answer, extra),
                "load_1min": load,
            }
            runs.append(figures)
            print(
                f"run {run + 1}: add one {total_s:.2f} s = ingest {ingest_s:.2f} s + answer "
                f"{answer_ms / 1000:.2f} s; CPU: ingest {ingest_cpu:.2f} s (with its workers), "
                f"answer {answer_cpu:.2f} s; answered {figures['answered']}; load {load:.2f}",
                flush=True,
            )
        if args.new is None:
            _remove(db, added[0][1])
    finally:
        asker.close()
    for name in ("add_one_s", "ingest_s", "answer_s", "ingest_cpu_s", "answer_cpu_s"):
        values = [r[name] for r in runs]
        print(f"{name}: median {statistics.median(values):.2f} s, min {min(values):.2f} s")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1), "utf-8")
    return runs


if __name__ == "__main__":
    main()
