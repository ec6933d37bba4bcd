"""Reading and parsing report files in worker processes, each file under a time and memory limit.

A report file can be hostile: a page of deeply nested tags, a PDF flooded with drawing
operators, a zip bomb.  Parsing runs in a worker process that can be killed, so one such
file costs at most the time limit and never the memory of the machine, and the other files
go on.  Results come back in the order the files were given (the writer stores them in that
order, so which of two copies is "first" does not depend on timing), while up to ``workers``
files are parsed at once.

``workers = 0`` parses in the calling process, without limits (library use and tests).
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ingest.readers import DEFAULT_MAX_BYTES, RefusedFile
from ingest.reasons import Code, Reason, described

if TYPE_CHECKING:
    from ingest.pipeline import PreparedReport

DEFAULT_SECONDS = 60.0  # per file: the slowest real report parses in well under 2 s
DEFAULT_MEMORY_MB = 1024.0  # per file, on top of what the worker holds before it starts
WINDOW_PER_WORKER = 8  # files parsed ahead of the oldest one not yet stored
JOBS_PER_WORKER = 2  # the file being parsed and the next one, so a worker never waits for
# the writer to hand it work
MAX_FAILED_STARTS = 3  # workers that die before they are ready, before the run gives up


class WorkerStartError(RuntimeError):
    """The worker processes cannot start (the message says why and what to do)."""


@dataclass(frozen=True)
class Limits:
    """What one file may cost before its worker is stopped and the file refused."""

    seconds: float = DEFAULT_SECONDS
    memory_mb: float = DEFAULT_MEMORY_MB


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Job:
    """One file to read, with the metadata given for it."""

    path: Path
    unit: str | None = None
    year: int | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


class PassageHook(Protocol):
    """Work on a prepared report done in the worker (``prepare``) and stored in the report's
    own transaction (``store``): the passage index cuts tokens this way, in parallel."""

    def warm(self) -> None: ...

    def prepare(self, report: PreparedReport) -> object: ...

    def store(self, db: Any, report: PreparedReport, passage_ids: list[int]) -> None: ...

    def forget(self) -> None: ...


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# What a worker answers for a file that ran it out of memory: the limit that was hit is the
# parent's to name, and the worker ends after it.
_MEMORY: Literal["MEMORY"] = "MEMORY"


def attempt(
    job: Job, hook: PassageHook | None = None
) -> PreparedReport | Reason | Literal["MEMORY"]:
    """Prepare one file; any failure becomes a refusal reason, never an exception."""
    from ingest.pipeline import prepare

    try:
        report = prepare(job.path, unit=job.unit, year=job.year, max_bytes=job.max_bytes)
        if hook is not None:
            report.extras = hook.prepare(report)
        return report
    except RefusedFile as exc:
        if isinstance(exc.__cause__, MemoryError):
            return _MEMORY
        return exc.reason
    except MemoryError:
        return _MEMORY
    except RecursionError:
        return Reason.of(
            Code.TOO_DEEPLY_NESTED,
            "nested too deeply to read (tags or tables inside each other); skipped",
        )
    except Exception as exc:  # a parser bug must not stop the run; the type says which
        error = described(exc, limit=280)
        return Reason.of(Code.UNREADABLE, "could not be read ({error})", error=error)


def _memory_reason(limits: Limits) -> Reason:
    return Reason.of(
        Code.MEMORY_LIMIT,
        "needed more than {limit:g} MB of memory (the per-file limit); skipped",
        limit=limits.memory_mb,
    )


def _limit_memory(megabytes: float) -> None:
    """Cap the address space at what the worker holds now plus ``megabytes``."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = held + int(megabytes * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))
    except (OSError, ValueError, ImportError):  # not Linux: the time limit still holds
        pass


def _die_with_parent() -> None:
    """Linux: end this worker when the process that started it ends (even by kill -9)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _serve(conn: Connection, memory_mb: float, hook: PassageHook | None) -> None:
    """A worker: warm up, then prepare each file sent until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # A forked worker inherits the parent's crash reporter (pytest's, a debugging session's);
    # a worker's crash is the parent's to report, as the file's refusal.
    faulthandler.disable()
    _die_with_parent()
    if hook is not None:
        hook.warm()
    _limit_memory(memory_mb)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        result = attempt(job, hook)
        try:
            conn.send(result)
        except MemoryError:
            conn.send(_MEMORY)
        except (BrokenPipeError, OSError):
            return
        if result == _MEMORY:
            return  # a worker that ran out of memory may be left in a bad state


class _Worker:
    def __init__(
        self, ctx: multiprocessing.context.BaseContext, memory_mb: float, hook: PassageHook | None
    ) -> None:
        parent, child = ctx.Pipe()
        self.process = ctx.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, memory_mb, hook), daemon=True
        )
        self.process.start()
        child.close()
        self.conn = parent
        self.ready = False
        self.jobs: list[tuple[int, Job]] = []  # sent, not answered: the first is being parsed
        self.deadline = 0.0  # of the first

    def send(self, seq: int, job: Job, seconds: float) -> bool:
        try:
            self.conn.send(job)
        except (BrokenPipeError, OSError):
            return False
        if not self.jobs:
            self.deadline = time.monotonic() + seconds
        self.jobs.append((seq, job))
        return True

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _death_reason(exitcode: int | None) -> Reason:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        if -exitcode == signal.SIGKILL:
            killed = "the reader process died ({signal}) (out of memory?); skipped"
            return Reason.of(Code.READER_KILLED, killed, signal=name)
        died = "the reader process died ({signal}); skipped"
        return Reason.of(Code.READER_DIED, died, signal=name)
    return Reason.of(
        Code.READER_EXITED,
        "the reader process ended unexpectedly (exit status {status}); skipped",
        status=str(exitcode),
    )


def _context() -> multiprocessing.context.BaseContext:
    """How workers start.  A process running only its main thread (a command-line ingest)
    forks them: they are copies of a process that has imported the parsers already, ready in
    milliseconds, where a fork server first imports them again (a second or more, the whole
    time of adding one report).  A process that may be running threads (the bot, a progress
    bar) uses a fork server instead: a copy of it could inherit a lock another thread holds."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    try:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["ingest.workers", "ingest.pipeline"])
        return ctx
    except ValueError:  # no fork server on this platform
        return multiprocessing.get_context("spawn")


def prepared_in_order(
    jobs: Iterable[Job],
    workers: int = 0,
    limits: Limits = DEFAULT_LIMITS,
    hook: PassageHook | None = None,
) -> Generator[tuple[Job, PreparedReport | Reason], None, None]:
    """Each job with its prepared report or refusal reason, in the order given."""
    if workers <= 0:
        for job in jobs:
            result = attempt(job, hook)
            yield job, _memory_reason(limits) if result == _MEMORY else result
        return
    yield from _Pool(workers, limits, hook).run(jobs)


class _Pool:
    """Worker processes that each parse one file at a time, with the next one waiting; a
    worker past its file's time limit is killed and replaced, and the file waiting behind
    it goes to another worker."""

    def __init__(self, workers: int, limits: Limits, hook: PassageHook | None) -> None:
        self.size = workers
        self.limits = limits
        self.hook = hook
        self.ctx = _context()
        self.workers: list[_Worker] = []
        self.failed_starts = 0
        self.todo: Iterator[tuple[int, Job]] = iter(())
        self.upcoming: tuple[int, Job] | None = None
        self.retry: list[tuple[int, Job]] = []  # sent to a worker that was stopped before it

    def _spawn(self) -> _Worker:
        worker = _Worker(self.ctx, self.limits.memory_mb, self.hook)
        self.workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        self.workers.remove(worker)

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, PreparedReport | Reason]]:
        self.todo = iter(enumerate(jobs))
        self.upcoming = next(self.todo, None)
        done: dict[int, tuple[Job, PreparedReport | Reason]] = {}
        next_out = 0
        window = WINDOW_PER_WORKER * self.size
        try:
            for _ in range(self.size):
                self._spawn()
            while True:
                self._dispatch(next_out + window, done)
                if next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
                    self._wait(done, block=False)  # what finished while it was stored
                    continue
                busy = any(w.jobs for w in self.workers)
                if self.upcoming is None and not self.retry and not busy and not done:
                    return
                self._wait(done)
        finally:
            for worker in list(self.workers):
                self._retire(worker)

    def _next_job(self, limit: int) -> tuple[int, Job] | None:
        if self.retry:
            return self.retry.pop(0)
        if self.upcoming is None or self.upcoming[0] >= limit:
            return None
        job, self.upcoming = self.upcoming, next(self.todo, None)
        return job

    def _dispatch(self, limit: int, done: dict[int, tuple[Job, PreparedReport | Reason]]) -> None:
        """Give every idle worker a file, then every worker a next one (files before
        ``limit`` only)."""
        for depth in range(JOBS_PER_WORKER):
            for worker in list(self.workers):
                if not worker.ready or len(worker.jobs) != depth:
                    continue
                item = self._next_job(limit)
                if item is None:
                    return
                if not worker.send(*item, self.limits.seconds):
                    self.retry = sorted([item, *self.retry])
                    self._replace(worker, done, None)

    def _wait(
        self, done: dict[int, tuple[Job, PreparedReport | Reason]], block: bool = True
    ) -> None:
        """Collect what the workers finished; stop those past their deadline."""
        busy = [w for w in self.workers if w.jobs]
        timeout: float | None = 0.0
        if block:
            timeout = None
            if busy:
                timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        handles: list[Any] = [w.conn for w in self.workers]
        handles += [w.process.sentinel for w in self.workers]
        wait(handles, timeout)
        for worker in list(self.workers):
            self._collect(worker, done)
        now = time.monotonic()
        for worker in [w for w in self.workers if w.jobs and w.deadline <= now]:
            if not worker.conn.poll(0):
                reason = Reason.of(
                    Code.TIME_LIMIT,
                    "took longer than {limit:g} s (the per-file time limit); stopped and skipped",
                    limit=self.limits.seconds,
                )
                self._replace(worker, done, reason)

    def _collect(
        self, worker: _Worker, done: dict[int, tuple[Job, PreparedReport | Reason]]
    ) -> None:
        try:
            while worker.conn.poll(0):
                message = worker.conn.recv()
                if message == "ready":
                    worker.ready = True
                    continue
                assert worker.jobs, "a worker answers only the files sent to it"
                seq, job = worker.jobs.pop(0)
                exhausted = message == _MEMORY
                if exhausted:
                    message = _memory_reason(self.limits)
                done[seq] = (job, message)
                worker.deadline = time.monotonic() + self.limits.seconds
                if exhausted:  # the worker ends itself after this: never give it another file
                    self._replace(worker, done, None, parsing=False)
                    return
        except (EOFError, OSError):
            pass
        if not worker.process.is_alive() and worker in self.workers:
            if not worker.ready:
                self.failed_starts += 1
                if self.failed_starts > MAX_FAILED_STARTS:
                    raise WorkerStartError(
                        "could not start the reader processes "
                        f"({_death_reason(worker.process.exitcode).text}); try --workers 0"
                    )
            self._replace(worker, done, _death_reason(worker.process.exitcode))

    def _replace(
        self,
        worker: _Worker,
        done: dict[int, tuple[Job, PreparedReport | Reason]],
        reason: Reason | None,
        parsing: bool = True,
    ) -> None:
        """Stop a worker (the file it was parsing refused with ``reason``; with ``parsing``
        False it was between files) and start another; the files waiting behind go to other
        workers."""
        jobs = worker.jobs
        if parsing and jobs:
            seq, job = jobs.pop(0)
            done[seq] = (job, reason or _death_reason(worker.process.exitcode))
        self.retry = sorted([*jobs, *self.retry])
        worker.jobs = []
        self._retire(worker)
        self._spawn()
