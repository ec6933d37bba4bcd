"""An ingest run under hostile files and a hostile file system, with real processes: every
entry gets exactly one outcome line (escaped), printed as it finishes; a file over its time or
memory limit, or whose reader dies, is refused and the others go on; a full or read-only disk
ends the run with one line; never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.discovery import discover, shown
from ingest.pipeline import ingest_paths
from ingest.reasons import Code
from ingest.store import open_db
from ingest.workers import Limits
from tests.support import CORPUS, FIXTURES, NATIONAL, SAMPLES
from tests.support.faults import (
    MisbehavingHook,
    can_mount,
    flooded_pdf,
    read_only_view,
    small_disk,
)

MOUNTS = can_mount()


def nianbao(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
    )


def _outcome_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("  ") and line[2:3] != " "]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A folder of what an admin's reports folder may hold besides reports."""
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(SAMPLES / "xiji-2018.txt", folder / "good.txt")
    os.mkfifo(folder / "fifo.txt")
    os.symlink("/nonexistent/report.txt", folder / "dangling.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    os.symlink(SAMPLES / "wuzhen-2018.txt", folder / "outside.txt")
    odd = (SAMPLES / "yijiu-2018.txt").read_text("utf-8")
    (folder / "line\nbreak\x1b[31mred.txt").write_text(odd, "utf-8")
    latin = os.fsencode(folder) + b"/caf\xe9-report.txt"
    Path(os.fsdecode(latin)).write_text((SAMPLES / "yuqian-2018.txt").read_text("utf-8"), "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / ".DS_Store").write_bytes(b"\0\0")
    (folder / "year.txt").write_text("一、总体情况\n本年度主动公开信息5条。\n", "utf-8")
    (folder / "year.txt.meta.toml").write_text('unit = "南湖镇"\nyear = "2018年"\n', "utf-8")
    (folder / "blank.txt").write_text("一、总体情况\n本年度主动公开信息6条。\n", "utf-8")
    (folder / "blank.txt.meta.toml").write_text('unit = ""\nyear = 2019\n', "utf-8")
    (folder / "minus.txt").write_text("一、总体情况\n本年度主动公开信息7条。\n", "utf-8")
    (folder / "minus.txt.meta.toml").write_text('unit = "北岭乡"\nyear = -1\n', "utf-8")
    (folder / "orphan.txt.meta.toml").write_text('unit = "北岭乡"\n', "utf-8")
    (folder / "sub").mkdir()
    os.symlink(folder / "good.txt", folder / "sub" / "inside.txt")
    return folder


def test_every_entry_gets_one_escaped_line_and_the_run_ends_with_status_1(
    hostile: Path, tmp_path: Path
) -> None:
    db = tmp_path / "h.db"
    done = nianbao("ingest", str(hostile), "--db", str(db), "--workers", "2")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = _outcome_lines(done.stdout)
    expected = {e.path.name for e in discover([hostile])}
    assert len(expected) == 13  # .DS_Store is not an entry; sidecars go with their report
    assert len(lines) == len(expected), "\n".join(lines)
    assert all("\x1b" not in line for line in done.stdout.splitlines())
    by_name = {shown(name): [line for line in lines if shown(name) in line] for name in expected}
    assert all(len(found) == 1 for found in by_name.values()), by_name
    status = {name: found[0].split()[0] for name, found in by_name.items()}
    assert status == {
        "good.txt": "added",
        "line\\nbreak\\x1b[31mred.txt": "added",
        "caf\\xe9-report.txt": "added",
        "fifo.txt": "refused",
        "dangling.txt": "refused",
        "zero.txt": "refused",
        "outside.txt": "refused",
        "empty.txt": "refused",
        "year.txt": "refused",
        "blank.txt": "refused",
        "minus.txt": "refused",
        "orphan.txt.meta.toml": "refused",
        "inside.txt": "unchanged",  # a link inside the folder: the same file as good.txt
    }
    reasons = {name: found[0] for name, found in by_name.items()}
    assert "FIFO" in reasons["fifo.txt"] and "broken symbolic link" in reasons["dangling.txt"]
    assert "--follow-links" in reasons["outside.txt"] and "--follow-links" in reasons["zero.txt"]
    assert "2018年" in reasons["year.txt"] and "-1" in reasons["minus.txt"]
    assert "unit must be a name" in reasons["blank.txt"]
    assert "files seen 13:" in done.stdout and "refused 9" in done.stdout
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT source_file FROM reports")}
    assert names == {"good.txt", "line\nbreak\x1b[31mred.txt", "caf\\xe9-report.txt"}

    followed = nianbao(
        "ingest", str(hostile / "outside.txt"), str(hostile), "--db", str(db), "--follow-links"
    )
    assert "Traceback" not in followed.stdout + followed.stderr
    followed_lines = _outcome_lines(followed.stdout)
    assert followed_lines[0].split()[0] == "added"  # the link named on the command line
    zero = next(line for line in followed_lines if "zero.txt" in line)
    assert "character device" in zero


def test_unreadable_files_and_folders_are_refused(tmp_path: Path, monkeypatch) -> None:
    """Root reads everything, so the permission checks are faked here; the CLI test below
    runs them for real when the tests do not run as root."""
    folder = tmp_path / "r"
    (folder / "locked").mkdir(parents=True)
    (folder / "secret.txt").write_text("x", "utf-8")
    real_access, real_scandir = os.access, os.scandir
    monkeypatch.setattr(os, "access", lambda p, m: "secret" not in str(p) and real_access(p, m))

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = {e.path.name: e.refusal.text for e in discover([folder]) if e.refusal}
    assert "permission denied" in found["secret.txt"].lower()
    assert "cannot list the folder" in found["locked"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without permission")
def test_unreadable_entries_for_real(tmp_path: Path) -> None:  # pragma: no cover - non-root CI
    folder = tmp_path / "r"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(SAMPLES / "xiji-2018.txt", folder / "good.txt")
    (folder / "secret.txt").write_text("x", "utf-8")
    (folder / "secret.txt").chmod(0)
    (folder / "locked").chmod(0)
    try:
        done = nianbao("ingest", str(folder), "--db", str(tmp_path / "u.db"))
    finally:
        (folder / "locked").chmod(0o755)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(_outcome_lines(done.stdout)) == 3


def test_a_slow_file_is_stopped_at_its_time_limit_and_lines_come_as_files_finish(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "slow"
    folder.mkdir()
    shutil.copy(SAMPLES / "xiji-2018.txt", folder / "a-good.txt")
    flooded_pdf(folder / "b-flood.pdf")
    shutil.copy(SAMPLES / "wuzhen-2018.txt", folder / "c-good.txt")
    command = [sys.executable, "-m", "bot.cli", "ingest", str(folder)]
    command += ["--db", str(tmp_path / "s.db"), "--time-limit", "4", "--workers", "1"]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = process.stdout.readline()
    first_at = time.monotonic() - started
    rest, errors = process.communicate(timeout=300)
    finished = time.monotonic() - started
    assert first.split()[:2] == ["added", "a-good.txt:"]
    assert first_at < finished - 3  # printed before the slow file was given up
    lines = [first.rstrip("\n"), *_outcome_lines(rest)]
    assert [line.split()[0] for line in lines] == ["added", "refused", "added"]
    assert "took longer than 4 s" in lines[1]
    assert process.returncode == 1 and "Traceback" not in errors


@pytest.mark.parametrize(
    ("name", "reason", "code"),
    [
        ("hog-2018.txt", "needed more than 200 MB of memory", Code.MEMORY_LIMIT),
        ("hang-2018.txt", "took longer than 3 s", Code.TIME_LIMIT),
        ("crash-2018.txt", "died (SIGSEGV)", Code.READER_DIED),
    ],
)
@pytest.mark.parametrize("workers", [1, 2])  # with one, z.txt waits behind it in its worker
def test_a_worker_that_runs_out_of_memory_hangs_or_dies_costs_only_its_file(
    tmp_path: Path, name: str, reason: str, code: Code, workers: int
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "xiji-2018.txt", folder / "a.txt")
    shutil.copy(SAMPLES / "wuzhen-2018.txt", folder / name)
    shutil.copy(SAMPLES / "yijiu-2018.txt", folder / "z.txt")
    db = open_db(tmp_path / "w.db")
    try:
        outcomes = ingest_paths(
            db, [folder], workers=workers, limits=Limits(3, 200), hook=MisbehavingHook()
        )
    finally:
        db.close()
    status = [(o.path.name, o.status) for o in outcomes]
    assert status == [("a.txt", "added"), (name, "refused"), ("z.txt", "added")]
    assert reason in outcomes[1].reason
    why = outcomes[1].why
    assert why is not None and why.code == code  # the code crosses the pipe with the words


def test_a_bomb_and_a_flooded_page_are_refused_and_the_good_report_loaded(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "bombs"
    folder.mkdir()
    for fixture in ("bomb-claims.docx", "bomb-ratio.docx", "truncated.docx", "encrypted.pdf"):
        shutil.copy(FIXTURES / fixture, folder / fixture)
    (folder / "nested.html").write_text(
        "<html><body>" + "<span>" * 150_000 + "西塘镇" + "</span>" * 150_000, "utf-8"
    )
    (folder / "tables.html").write_text(
        "<html><body>" + "<table><tr><td>1</td></tr></table>" * 100_000, "utf-8"
    )
    lines = "\n".join(f"第{i}行 本年度主动公开信息{i}条。" for i in range(200_000))
    (folder / "long.txt").write_text("西集镇2018年政府信息公开工作年度报告\n" + lines, "utf-8")
    shutil.copy(NATIONAL / "donghu-2021.md", folder / "z-good.md")
    done = nianbao(
        "ingest", str(folder), "--db", str(tmp_path / "b.db"), "--time-limit", "20", timeout=600
    )
    assert "Traceback" not in done.stdout + done.stderr
    lines_out = _outcome_lines(done.stdout)
    assert len(lines_out) == 8
    assert [line.split()[0] for line in lines_out].count("refused") == 7
    assert lines_out[-1].split()[:2] == ["added", "z-good.md:"]


@pytest.mark.skipif(not MOUNTS, reason="needs to mount a small tmpfs (root)")
def test_a_full_disk_ends_the_run_with_one_line_and_nothing_corrupt(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1200k") as disk:
        db = disk / "full.db"
        done = nianbao("ingest", str(SAMPLES), str(CORPUS / "text"), "--db", str(db))
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        full = [line for line in done.stdout.splitlines() if "the disk is full" in line]
        assert len(full) == 1 and full[0].split()[0] == "refused"
        assert "stopped at" in done.stdout and "files not tried" in done.stdout
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            empty = conn.execute(
                "SELECT count(*) FROM reports r WHERE NOT EXISTS "
                "(SELECT 1 FROM passages p WHERE p.report_id = r.id)"
            ).fetchone()[0]
        assert empty == 0
        answer = nianbao("ask", "西集镇有多少行政诉讼", "--db", str(db))
        assert answer.returncode == 0 and "6件" in answer.stdout, answer.stderr


@pytest.mark.skipif(not MOUNTS, reason="needs a read-only bind mount (root)")
def test_a_read_only_database_still_answers_and_refuses_ingest_in_one_line(
    tmp_path: Path, sample_db_path: Path
) -> None:
    from tests.support.telegram import copy_corpus

    copy_corpus(sample_db_path, tmp_path / "src" / "r.db")
    with read_only_view(tmp_path / "src", tmp_path / "ro") as view:
        db = view / "r.db"
        answer = nianbao("ask", "--json", "西集镇有多少行政诉讼", "--db", str(db))
        assert answer.returncode == 0 and '"value": 6' in answer.stdout, answer.stderr
        listing = nianbao("reports", "--db", str(db))
        assert listing.returncode == 0 and "5 reports" in listing.stdout
        refused = nianbao("ingest", str(NATIONAL / "donghu-2021.md"), "--db", str(db))
        assert refused.returncode == 1 and "Traceback" not in refused.stdout + refused.stderr
        assert "cannot be written" in refused.stdout or "cannot load" in refused.stderr
