"""Cheap checks that turn away files which are not reports before any parser sees them.

Magic bytes decide what a file is, whatever its name says: a photo of a report
saved as ``.txt`` must be refused with a reason, not decoded into nonsense.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.readers.base import RefusedFile
from ingest.reasons import Code

# (pattern matched at the start of the file, what it is); patterns are long enough
# that no plausible text file starts with one ("BM" alone would catch "BMW").
IMAGE_SIGNATURES: tuple[tuple[re.Pattern[bytes], str], ...] = tuple(
    (re.compile(magic, re.DOTALL), name)
    for magic, name in (
        (rb"\x89PNG\r\n\x1a\n", "PNG"),
        (rb"\xff\xd8\xff", "JPEG"),
        (rb"GIF8[79]a", "GIF"),
        (rb"BM.{4}\x00\x00\x00\x00", "BMP"),
        (rb"II\*\x00|MM\x00\*", "TIFF"),
        (rb"RIFF.{4}WEBP", "WEBP"),
    )
)
ARCHIVE_SIGNATURES: tuple[tuple[re.Pattern[bytes], str], ...] = tuple(
    (re.compile(magic, re.DOTALL), name)
    for magic, name in (
        (rb"PK(\x03\x04|\x05\x06|\x07\x08)", "zip"),
        (rb"Rar!\x1a\x07", "RAR"),
        (rb"7z\xbc\xaf\x27\x1c", "7z"),
        (rb"\x1f\x8b", "gzip"),
        (rb"BZh[1-9]1AY&SY", "bzip2"),
        (rb"\xfd7zXZ\x00", "xz"),
    )
)
DOCUMENT_SIGNATURES: tuple[tuple[re.Pattern[bytes], Code, str], ...] = tuple(
    (re.compile(magic, re.DOTALL), code, text)
    for magic, code, text in (
        (rb"%PDF-", Code.PDF_AS_TEXT, "PDF document; name it .pdf"),
        (
            rb"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            Code.OLD_OFFICE,
            "old Office document (.doc/.xls); save it as .docx",
        ),
    )
)

# Share of control characters above which decoded "text" is taken for binary data.
MAX_CONTROL_SHARE = 0.01
# Control characters (category Cc) other than tab, line ends, form feed and escape.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


def check_path(path: Path, max_bytes: int) -> int:
    """Refuse what is not a regular, non-empty file within the size limit; return its size."""
    try:
        if path.is_dir():
            raise RefusedFile(Code.IS_DIRECTORY, "is a directory, not a file")
        if not path.exists():
            raise RefusedFile(Code.NO_SUCH_FILE, "no such file")
        size = path.stat().st_size
    except OSError as exc:
        error = str(exc.strerror or exc)
        raise RefusedFile(
            Code.CANNOT_ACCESS, "cannot access the file ({error})", error=error
        ) from exc
    if size > max_bytes:
        raise RefusedFile(
            Code.TOO_LARGE,
            "file too large ({size:,} bytes; the limit is {limit:,})",
            size=size,
            limit=max_bytes,
        )
    if size == 0:
        raise RefusedFile(Code.EMPTY, "empty file")
    return size


READ_CHUNK = 1024 * 1024


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` (+1 to notice a file that grew after the size check), in
    chunks: ``read(max_bytes + 1)`` would reserve the whole limit in memory at once."""
    chunks: list[bytes] = []
    size = 0
    try:
        with path.open("rb") as handle:
            while size <= max_bytes:
                chunk = handle.read(min(READ_CHUNK, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        error = str(exc.strerror or exc)
        raise RefusedFile(Code.CANNOT_READ, "cannot read the file ({error})", error=error) from exc
    if len(data) > max_bytes:
        raise RefusedFile(
            Code.TOO_LARGE_WHEN_READ,
            "file too large (over the {limit:,}-byte limit)",
            limit=max_bytes,
        )
    if not data:
        raise RefusedFile(Code.EMPTY, "empty file")
    return data


def _matches(head: bytes, signatures: tuple[tuple[re.Pattern[bytes], str], ...]) -> str | None:
    for magic, name in signatures:
        if magic.match(head):
            return name
    return None


def refuse_images(head: bytes) -> None:
    """Refuse an image whatever its extension says."""
    kind = _matches(head, IMAGE_SIGNATURES)
    if kind:
        raise RefusedFile(
            Code.IMAGE, "{kind} image, not a text report (scanned? OCR it first)", kind=kind
        )


def refuse_non_text(head: bytes) -> None:
    """Refuse images, archives and binary documents that were given a text file's name."""
    refuse_images(head)
    kind = _matches(head, ARCHIVE_SIGNATURES)
    if kind:
        raise RefusedFile(
            Code.ARCHIVE, "{kind} archive, not a text report (unpack it first)", kind=kind
        )
    for magic, code, text in DOCUMENT_SIGNATURES:
        if magic.match(head):
            raise RefusedFile(code, text)


def refuse_binary_text(text: str) -> None:
    """Refuse decoded text that is really binary junk or holds no words at all."""
    if not text.strip():
        raise RefusedFile(Code.ONLY_WHITESPACE, "no text: the file holds only whitespace")
    controls = len(_CONTROLS.findall(text))
    if "\x00" in text or controls > MAX_CONTROL_SHARE * len(text):
        raise RefusedFile(Code.BINARY, "binary data (control characters), not a text report")
