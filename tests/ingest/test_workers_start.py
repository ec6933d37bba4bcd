"""How reader workers start: forked from a process with one thread, else from a fork server."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from ingest import workers

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform"
)


@pytest.mark.parametrize(("threads", "method"), [(1, "fork"), (2, "forkserver"), (5, "forkserver")])
def test_workers_are_forked_only_from_a_process_with_one_thread(
    monkeypatch: pytest.MonkeyPatch, threads: int, method: str
) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: threads)
    assert workers._context().get_start_method() == method


def test_a_running_thread_is_counted() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    before = threading.active_count()
    thread.start()
    try:
        assert threading.active_count() == before + 1
        assert workers._context().get_start_method() != "fork"
    finally:
        stop.set()
        thread.join()
