"""Which files an ingest run tries, and why the other entries of a folder are not tried.

Every entry under the given paths ends up as one ``Entry``: a regular file to read, or a
refusal that says what it is (a FIFO, a device, a dangling link, a link out of the folder,
a folder that cannot be listed).  Nothing is opened here, so a FIFO cannot block the run and a
link to ``/dev/zero`` cannot be read forever.  Hidden entries (``.git``, ``.DS_Store``) are not
reports and are passed over; a sidecar belongs to its report and is read with it.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.reasons import Code, Reason

SIDECAR_SUFFIX = ".meta.toml"

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


_UNPRINTABLE = ("Cc", "Cs", "Zl", "Zp")
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Entry:
    """One entry of the run: a file to read (``refusal`` None) or why it is not read."""

    path: Path
    refusal: Reason | None = None


def shown(text: str | os.PathLike[str]) -> str:
    """Text safe to print on one terminal line: control characters (line breaks, escape
    sequences) as ``\\n``/``\\x1b``, and bytes of a file name that are not UTF-8 as ``\\xNN``."""
    out = []
    for ch in str(text):
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(ch) in _UNPRINTABLE or ch in _BIDI:
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def storable(text: str) -> str:
    """A file name or path as database text: bytes that are not UTF-8 written as ``\\xNN``
    (SQLite stores UTF-8 only; a name read off a foreign disk may hold anything)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _kind_problem(mode: int) -> Reason:
    for test, kind in _KINDS:
        if test(mode):
            return Reason.of(Code.NOT_REGULAR_FILE, "{kind}, not a report file; skipped", kind=kind)
    return Reason.of(Code.NOT_REGULAR_FILE, "not a regular file; skipped", kind="")


def _why_not(exc: OSError, code: Code, what: str) -> Reason:
    """``code`` (cannot access, cannot list) for ``what`` could not be done, or a link loop."""
    if exc.errno == errno.ELOOP:
        return Reason.of(Code.LINK_LOOP, "a symbolic link that loops; skipped")
    return Reason.of(code, "cannot " + what + " ({error}); skipped", error=str(exc.strerror or exc))


def _broken_link(path: Path) -> Reason:
    target = os.readlink(path)
    return Reason.of(
        Code.BROKEN_LINK, "a broken symbolic link (to {target}); skipped", target=target
    )


class _Walk:
    """One walk over the given paths; remembers folders seen so a linked loop ends."""

    def __init__(self, follow_links: bool) -> None:
        self.follow_links = follow_links
        self.seen_dirs: set[tuple[int, int]] = set()

    def given(self, path: Path) -> Iterator[Entry]:
        """A path named by the user: followed even when it is a link (they chose it)."""
        try:
            info = path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                yield Entry(path, _broken_link(path))
            else:
                yield Entry(path, Reason.of(Code.NO_SUCH_FILE, "no such file or folder"))
            return
        except OSError as exc:
            yield Entry(path, _why_not(exc, Code.CANNOT_ACCESS, "access it"))
            return
        if stat.S_ISDIR(info.st_mode):
            yield from self.folder(path, path.resolve())
        elif stat.S_ISREG(info.st_mode):
            yield self.readable(path)
        else:
            yield Entry(path, _kind_problem(info.st_mode))

    def folder(self, folder: Path, root: Path) -> Iterator[Entry]:
        try:
            info = folder.stat()
            key = (info.st_dev, info.st_ino)
            if key in self.seen_dirs:
                return
            self.seen_dirs.add(key)
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            yield Entry(folder, _why_not(exc, Code.CANNOT_LIST, "list the folder"))
            return
        names = {c.name for c in children}
        for child in children:
            if _hidden(child.name):
                continue
            path = Path(child.path)
            if child.name.endswith(SIDECAR_SUFFIX):
                if child.name.removesuffix(SIDECAR_SUFFIX) not in names:
                    orphan = "a sidecar whose report file is not next to it; skipped"
                    yield Entry(path, Reason.of(Code.ORPHAN_SIDECAR, orphan))
                continue
            yield from self.child(path, root)

    def child(self, path: Path, root: Path) -> Iterator[Entry]:
        """An entry found inside a folder: links are followed only within the folder."""
        try:
            link = path.is_symlink()
            if link:
                target = Path(os.path.realpath(path))
                if not target.exists():
                    yield Entry(path, _broken_link(path))
                    return
                if not self.follow_links and not target.is_relative_to(root):
                    out = Reason.of(
                        Code.LINK_OUT_OF_FOLDER,
                        "a symbolic link out of the folder (to {target}); not followed "
                        "(pass --follow-links to read it)",
                        target=str(target),
                    )
                    yield Entry(path, out)
                    return
            info = path.stat()
        except OSError as exc:
            yield Entry(path, _why_not(exc, Code.CANNOT_ACCESS, "access it"))
            return
        if stat.S_ISDIR(info.st_mode):
            yield from self.folder(path, root)
        elif stat.S_ISREG(info.st_mode):
            yield self.readable(path)
        else:
            yield Entry(path, _kind_problem(info.st_mode))

    @staticmethod
    def readable(path: Path) -> Entry:
        if not os.access(path, os.R_OK):
            denied = "cannot read the file ({error}); skipped"
            return Entry(path, Reason.of(Code.CANNOT_READ, denied, error="permission denied"))
        return Entry(path)


def discover(paths: Iterable[Path], follow_links: bool = False) -> Iterator[Entry]:
    """Every entry under the given paths, folders recursively in name order.

    Links inside a folder are followed only when they stay inside it, unless
    ``follow_links``; a folder reached twice (through a link) is walked once.
    """
    walk = _Walk(follow_links)
    for path in paths:
        yield from walk.given(Path(path))
