"""Scale benchmark: N generated reports through the real ``nianbao`` command line.

    python -m benchmarks.scale [--sizes 1000 10000 100000] [--workdir DIR] [--keep] [--reuse]
                               [--per-kind 20] [--fresh 3] [--no-bot] [--json FILE]

For each size it generates N realistic reports (``benchmarks.scale_corpus``), ingests them
with ``nianbao ingest``, then measures, each through the command a user runs:

- ingest throughput (reports/s, the whole ``nianbao ingest`` run);
- warm answers: one long-running ``nianbao ask --json -``, each question timed from writing
  it to reading its answer line; p50 / p99 per kind of the fixed mix
  (``benchmarks.scale_questions``), after one untimed question of each kind;
- ``nianbao ask "Q"`` in a fresh process, and ``nianbao --help``;
- ``nianbao bot`` against the fake Bot API server of the tests (127.0.0.1): from starting
  the process to its first getUpdates, then its RSS after answering one question per kind;
- adding one report: ``nianbao ingest`` of one more file, then the warm process's answer
  about it (time until it answers with the new report's year);
- database + index size per 1,000 reports.

It also counts the answers of the expected kind per question kind: a check that the
generated corpus answers, not a score. Only the product's command line is used, so the
benchmark keeps working while the code behind it changes. 100,000 reports take hours
(ingest alone at the pre-optimisation rate); the default sizes are 1,000 and 10,000.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.scale_corpus import ROOT, PlannedReport, generate, nianbao_command, read_manifest
from benchmarks.scale_questions import KINDS, Question, build, warm_up

TARGETS = {
    "ingest": "≥ 40 reports/s (10,000)",
    "warm": "p99 ≤ 30 ms (100,000)",
    "fresh": "≤ 1.0 s (10,000)",
    "help": "≤ 0.3 s",
    "bot_start": "≤ 3 s",
    "add_one": "≤ 2 s (100,000)",
    "bot_rss": "≤ 2 GB (100,000)",
    "size": "stated",
}
_BOT_CHAT = 4242


@dataclass
class SizeResult:
    """Everything measured for one corpus size (times in seconds unless named _ms)."""

    reports: int
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    generate_s: float | None = None
    ingest_s: float | None = None
    ingest_summary: str = ""
    warm_ms: dict[str, list[float]] = field(default_factory=dict)
    expected: dict[str, list[int]] = field(default_factory=dict)  # kind → [as expected, asked]
    region_expected: list[int] = field(default_factory=lambda: [0, 0])
    fresh_s: list[float] = field(default_factory=list)
    help_s: list[float] = field(default_factory=list)
    bot_start_s: float | None = None
    bot_rss_mb: float | None = None
    bot_peak_mb: float | None = None
    add_one_s: float | None = None
    add_one_ingest_s: float | None = None
    add_one_answered: bool | None = None
    db_mb: float = 0.0
    index_mb: float = 0.0
    wall_s: float = 0.0


def _log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _timed(command: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(command, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started, done


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 20 values is the largest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# -- the long-running ask process -------------------------------------------------------------


class WarmAsker:
    """``nianbao ask --json - --db DB``: one question per line in, one JSON answer per line out."""

    def __init__(self, db: Path, workdir: Path) -> None:
        self._stderr = (workdir / "ask-stderr.log").open("w")
        self.process = subprocess.Popen(
            [*nianbao_command(), "ask", "--json", "-", "--db", str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
            bufsize=1,
            cwd=workdir,
        )

    def ask(self, question: str) -> tuple[float, dict]:
        """(milliseconds from writing the question to reading its answer, the answer)."""
        assert self.process.stdin and self.process.stdout
        started = time.perf_counter()
        self.process.stdin.write(question.replace("\n", " ") + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        elapsed = (time.perf_counter() - started) * 1000
        if not line:
            raise RuntimeError(f"nianbao ask stopped; see {self._stderr.name}")
        return elapsed, json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._stderr.close()


# -- the bot ----------------------------------------------------------------------------------


def _rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def _fake_bot_api() -> type:
    """The fake Bot API server of the tests (tests/support/, or tests/ in older layouts)."""
    try:
        from tests.support.fake_bot_api import FakeBotApi
    except ImportError:
        sys.path.insert(0, str(ROOT / "tests"))
        from fake_bot_api import FakeBotApi
    return FakeBotApi


def measure_bot(db: Path, workdir: Path, questions: list[Question], result: SizeResult) -> None:
    """Start ``nianbao bot`` against the fake Bot API; time to its first getUpdates, then RSS
    after it answered ``questions`` in a private chat."""
    with _fake_bot_api()() as api:
        env = {
            **os.environ,
            "NIANBAO_TELEGRAM_TOKEN": api.token,
            "NIANBAO_TELEGRAM_BASE_URL": api.base_url,
            "NIANBAO_TELEGRAM_BASE_FILE_URL": api.base_file_url,
            "NIANBAO_TELEGRAM_QUESTIONS_PER_MINUTE": "0",
            "NIANBAO_TELEGRAM_GROUP_MESSAGES_PER_MINUTE": "0",
        }
        log = (workdir / "bot.log").open("w")
        started = time.perf_counter()
        bot = subprocess.Popen(
            [*nianbao_command(), "bot", "--db", str(db)],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            while not api.sent("getUpdates"):
                if bot.poll() is not None:
                    raise RuntimeError(f"nianbao bot exited ({bot.returncode}); see {log.name}")
                time.sleep(0.01)
            result.bot_start_s = time.perf_counter() - started
            chat, user = api.private_chat(_BOT_CHAT), api.user(_BOT_CHAT)
            for q in questions:
                mark = api.mark()
                api.send_text(chat, user, q.text)
                api.wait_for(
                    "sendMessage",
                    lambda p: str(p.get("chat_id")) == str(_BOT_CHAT),
                    timeout=600,
                    since=mark,
                )
            result.bot_rss_mb, result.bot_peak_mb = _rss_mb(bot.pid)
        finally:
            bot.send_signal(signal.SIGINT)
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
                bot.wait()
            log.close()


# -- one size ---------------------------------------------------------------------------------


def _ingest(paths: list[Path], db: Path, log: Path) -> tuple[float, str]:
    with log.open("w") as out:
        elapsed, done = _timed(
            [*nianbao_command(), "ingest", *map(str, paths), "--db", str(db)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    lines = log.read_text("utf-8").splitlines()
    if done.returncode != 0:
        raise RuntimeError(f"nianbao ingest failed ({done.returncode}); see {log}")
    summary = " / ".join(
        line.strip() for line in lines if line.startswith(("files seen", "passages"))
    )
    return elapsed, summary


def _sizes_mb(db: Path) -> tuple[float, float]:
    """(database files, index) in MB: corpus.db, its -wal/-shm, and corpus.db.index/."""
    db_bytes = index_bytes = 0
    for path in db.parent.iterdir():
        if not path.name.startswith(db.name):
            continue
        if path.is_dir():
            index_bytes += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        else:
            db_bytes += path.stat().st_size
    return db_bytes / 1e6, index_bytes / 1e6


def _prepare(folder: Path, n: int, seed: int, reuse: bool, result: SizeResult) -> Path:
    """Generated reports (N in reports/, one more in extra/) and their database."""
    db = folder / "corpus.db"
    if reuse and db.exists() and (folder / "manifest.jsonl").exists():
        _log(f"N={n}: reusing {db}")
        return db
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    reports = generate(folder, n + 1, seed)
    extra = folder / "extra" / Path(reports[-1].file).name
    extra.parent.mkdir(parents=True)
    (folder / reports[-1].file).rename(extra)
    result.generate_s = time.perf_counter() - started
    _log(f"N={n}: generated in {result.generate_s:.1f} s; ingesting")
    result.ingest_s, result.ingest_summary = _ingest(
        [folder / "reports"], db, folder / "ingest.log"
    )
    _log(f"N={n}: ingested in {result.ingest_s:.1f} s: {result.ingest_summary}")
    return db


def _answered_about(answer: dict, report: PlannedReport) -> bool:
    """The answer gives a figure or passage of the new report (its unit, its year)."""
    for item in [*answer.get("facts", []), *answer.get("passages", [])]:
        unit = str(item.get("unit") or "")
        same_unit = bool(unit) and (unit.endswith(report.unit) or report.unit.endswith(unit))
        if same_unit and str(item.get("year")) == str(report.year):
            return True
    return False


def _ask_mix(asker: WarmAsker, questions: list[Question], result: SizeResult, folder: Path) -> None:
    """Time each question; count answers of the expected kind; keep them in answers.jsonl."""
    answers = []
    for q in questions:
        ms, answer = asker.ask(q.text)
        result.warm_ms.setdefault(q.kind, []).append(ms)
        good = answer.get("kind") == q.expected
        counts = result.expected.setdefault(q.kind, [0, 0])
        counts[0] += good
        counts[1] += 1
        if q.names == "region":
            result.region_expected[0] += good
            result.region_expected[1] += 1
        answers.append(
            {
                "kind": q.kind,
                "q": q.text,
                "answer_kind": answer.get("kind"),
                "ms": round(ms, 2),
                "answer": answer.get("answer", "")[:200],
            }
        )
    (folder / "answers.jsonl").write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), "utf-8"
    )


def _remove(db: Path, path: Path) -> None:
    subprocess.run(
        [*nianbao_command(), "remove", "--file", str(path), "--db", str(db)], capture_output=True
    )


def _add_one(
    asker: WarmAsker, db: Path, folder: Path, extra: PlannedReport, result: SizeResult
) -> None:
    """Ingest the held-back report; time until the warm process answers about it."""
    path = folder / "extra" / Path(extra.file).name
    if result.ingest_s is None:
        _remove(db, path)  # a reused database may still hold it
    question = f"{extra.unit}{extra.year}年收到多少件政府信息公开申请"
    asker.ask(question)
    added_at = time.perf_counter()
    result.add_one_ingest_s, _ = _ingest([path], db, folder / "ingest-extra.log")
    _, answer = asker.ask(question)
    result.add_one_s = time.perf_counter() - added_at
    result.add_one_answered = _answered_about(answer, extra)


def measure_size(
    n: int,
    workdir: Path,
    seed: int,
    per_kind: int,
    fresh: int,
    help_runs: int,
    bot: bool,
    reuse: bool,
    keep: bool,
) -> SizeResult:
    result = SizeResult(reports=n, load_before=os.getloadavg())
    started = time.perf_counter()
    folder = workdir / f"n{n}"
    db = _prepare(folder, n, seed, reuse, result)
    manifest = read_manifest(folder)
    corpus, extra = manifest[:-1], manifest[-1]
    questions = build(corpus, per_kind, seed)

    _log(f"N={n}: {len(questions)} warm questions")
    asker = WarmAsker(db, folder)
    try:
        for q in warm_up(corpus, seed):
            asker.ask(q.text)
        _ask_mix(asker, questions, result, folder)
        _log(f"N={n}: adding one report ({extra.unit} {extra.year})")
        _add_one(asker, db, folder, extra, result)
    finally:
        asker.close()

    _log(f"N={n}: fresh processes")
    numbers = [q for q in questions if q.kind == "number"] or questions
    for q in numbers[:fresh]:
        elapsed, _ = _timed(
            [*nianbao_command(), "ask", q.text, "--db", str(db)], capture_output=True, cwd=folder
        )
        result.fresh_s.append(elapsed)
    for _ in range(help_runs):
        elapsed, _ = _timed([*nianbao_command(), "--help"], capture_output=True, cwd=folder)
        result.help_s.append(elapsed)
    if bot:
        _log(f"N={n}: bot")
        measure_bot(db, folder, warm_up(corpus, seed), result)
    if keep or reuse:
        _remove(db, folder / "extra" / Path(extra.file).name)  # as generated, for --reuse
    result.db_mb, result.index_mb = _sizes_mb(db)
    result.load_after = os.getloadavg()
    result.wall_s = time.perf_counter() - started
    return result


# -- the table --------------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{percentile(values, 50):.0f} / {percentile(values, 99):.0f} ms"


def _s(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f} s"


def table(results: list[SizeResult]) -> str:
    """The issue's table: one column per size, then the target."""
    head = "| measure | " + " | ".join(f"{r.reports:,} reports" for r in results) + " | target |"
    rows = [head, "|" + "---|" * (len(results) + 2)]

    def row(name: str, cells: list[str], target: str = "") -> None:
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {target} |")

    row(
        "ingest throughput",
        [
            "—"
            if r.ingest_s is None
            else f"{r.reports / r.ingest_s:.1f} reports/s ({r.ingest_s:,.0f} s)"
            for r in results
        ],
        TARGETS["ingest"],
    )
    for kind in KINDS:
        row(
            f"warm answer p50 / p99: {kind}",
            [_ms(r.warm_ms.get(kind, [])) for r in results],
            TARGETS["warm"] if kind != "none" else "",
        )
    row(
        "`nianbao ask` fresh process, median (max)",
        [
            f"{statistics.median(r.fresh_s):.2f} s ({max(r.fresh_s):.2f} s)" if r.fresh_s else "—"
            for r in results
        ],
        TARGETS["fresh"],
    )
    row(
        "`nianbao --help`, median",
        [_s(statistics.median(r.help_s), 2) if r.help_s else "—" for r in results],
        TARGETS["help"],
    )
    row("bot start → polling", [_s(r.bot_start_s) for r in results], TARGETS["bot_start"])
    row(
        "add 1 report, answer about it (of which ingest)",
        [
            "—"
            if r.add_one_s is None
            else f"{r.add_one_s:.1f} s ({r.add_one_ingest_s:.1f} s)"
            + ("" if r.add_one_answered else ", not answered")
            for r in results
        ],
        TARGETS["add_one"],
    )
    row(
        "bot RSS after one question per kind (peak)",
        [
            "—" if r.bot_rss_mb is None else f"{r.bot_rss_mb:,.0f} MB ({r.bot_peak_mb:,.0f} MB)"
            for r in results
        ],
        TARGETS["bot_rss"],
    )
    row(
        "database + index per 1,000 reports",
        [
            f"{(r.db_mb + r.index_mb) * 1000 / r.reports:,.0f} MB "
            f"({r.db_mb * 1000 / r.reports:,.0f} + {r.index_mb * 1000 / r.reports:,.0f})"
            for r in results
        ],
        TARGETS["size"],
    )
    lines = ["\n".join(rows), ""]
    for r in results:
        kinds = ", ".join(
            f"{k} {r.expected[k][0]}/{r.expected[k][1]}" for k in KINDS if k in r.expected
        )
        lines.append(
            f"N={r.reports:,}: answers of the expected kind: {kinds}; "
            f"naming a region {r.region_expected[0]}/{r.region_expected[1]}"
        )
        lines.append(
            f"N={r.reports:,}: {r.wall_s / 60:.1f} min in all (generate {_s(r.generate_s)}, "
            f"ingest {_s(r.ingest_s, 0)}); load average {r.load_before[0]:.2f} before, "
            f"{r.load_after[0]:.2f} after (1 min), {os.cpu_count()} cores"
        )
        if r.ingest_summary:
            lines.append(f"N={r.reports:,}: ingest: {r.ingest_summary}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[SizeResult]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--workdir", type=Path, help="where corpora are built (default: a temp dir)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated files and databases"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a kept database of the same size (ingest is then not timed)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-kind", type=int, default=20, help="timed questions of each kind")
    parser.add_argument("--fresh", type=int, default=3, help="fresh `nianbao ask` processes")
    parser.add_argument("--help-runs", type=int, default=5, help="`nianbao --help` runs")
    parser.add_argument("--no-bot", action="store_true", help="skip the bot measurements")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="nianbao-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env_home = workdir / ".xdg"
    os.environ.setdefault("XDG_DATA_HOME", str(env_home / "data"))
    os.environ.setdefault("XDG_CACHE_HOME", str(env_home / "cache"))
    results: list[SizeResult] = []
    try:
        for n in args.sizes:
            results.append(
                measure_size(
                    n,
                    workdir,
                    args.seed,
                    args.per_kind,
                    args.fresh,
                    args.help_runs,
                    not args.no_bot,
                    args.reuse,
                    args.keep,
                )
            )
            print(table(results), flush=True)
            print(flush=True)
            if args.json:
                args.json.write_text(
                    json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1), "utf-8"
                )
    finally:
        if not args.keep and not args.reuse:
            if args.workdir is None:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                for n in args.sizes:
                    shutil.rmtree(workdir / f"n{n}", ignore_errors=True)
    return results


if __name__ == "__main__":
    main()
