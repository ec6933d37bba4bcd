"""Faults for tests: hostile files written on the fly, passage hooks that misbehave inside an
ingest worker process, and the privileges a test needs (a small disk, a read-only folder)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from ingest.pipeline import PreparedReport


def flooded_pdf(path: Path, operators: int = 400_000) -> Path:
    """A one-page PDF whose content stream is a flood of drawing operators (slow to parse)."""
    ops = b"0 0 m 1 1 l S\n" * operators
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Report 2018) Tj ET\n" + ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(out)
    return path


class MisbehavingHook:
    """A passage hook that, in the worker, hogs memory, hangs or crashes on files whose name
    says so ("hog", "hang", "crash"); other files pass untouched."""

    def warm(self) -> None:
        pass

    def prepare(self, report: PreparedReport) -> object:
        name = report.path.name
        if "hog" in name:
            hoard = []
            for _ in range(64):
                hoard.append(bytearray(256 * 1024 * 1024))  # 16 GB if nothing stops it
        if "hang" in name:
            time.sleep(3600)
        if "crash" in name:
            os.kill(os.getpid(), signal.SIGSEGV)
        return None

    def store(self, db: object, report: PreparedReport, passage_ids: list[int]) -> None:
        pass

    def forget(self) -> None:
        pass


def can_mount() -> bool:
    """Whether this process may mount file systems (root in a container that allows it)."""
    if os.geteuid() != 0:
        return False
    probe = Path(f"/tmp/nianbao-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True
        )
        if done.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], capture_output=True)
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` for the duration."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextlib.contextmanager
def read_only_view(source: Path, view: Path) -> Iterator[Path]:
    """``source`` seen read-only at ``view`` (a read-only bind mount: even root cannot write)."""
    view.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "--bind", str(source), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)
