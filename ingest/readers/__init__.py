"""Read one report file into its original text, or refuse it with a one-line reason.

``read_report`` is the only entry point the pipeline uses.  It never raises anything
but ``RefusedFile`` for bad input: every library error is wrapped, and the cheap
checks (size, magic bytes, archive directory, stream sizes) run before any parser.

The HTML, DOCX and PDF parsers are imported with the first file that needs one: together they
take most of a second to import, the whole budget of adding one text report.
"""

from __future__ import annotations

from pathlib import Path

from ingest.readers.base import RawReport, RefusedFile, pipe_row, pipe_rows
from ingest.readers.encoding import decode
from ingest.readers.refusals import check_path, read_bytes, refuse_binary_text, refuse_non_text
from ingest.reasons import Code, described

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "RawReport",
    "RefusedFile",
    "pipe_row",
    "pipe_rows",
    "read_report",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}


def _text_file(data: bytes) -> tuple[str, str]:
    """Plain text exactly as decoded, except no BOM and ``\\n`` line ends only."""
    refuse_non_text(data)
    text, codec = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    refuse_binary_text(text)
    return text, codec


def _read(path: Path, max_bytes: int) -> RawReport:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise RefusedFile(
            Code.UNSUPPORTED_TYPE,
            "unsupported file type {suffix!r}; expected {expected}",
            suffix=path.suffix or "(none)",
            expected=known,
        )
    check_path(path, max_bytes)
    if fmt == "docx":
        from ingest.readers.from_docx import read_docx

        return RawReport(read_docx(path), None, fmt)
    data = read_bytes(path, max_bytes)
    if fmt == "pdf":
        from ingest.readers.from_pdf import read_pdf

        return RawReport(read_pdf(path, data), None, fmt)
    if fmt == "html":
        from ingest.readers.from_html import read_html

        refuse_non_text(data)
        text, codec = read_html(data)
        return RawReport(text, codec, fmt)
    text, codec = _text_file(data)
    return RawReport(text, codec, fmt)


def read_report(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> RawReport:
    """The text of one report file; raises RefusedFile with a one-line reason otherwise."""
    try:
        return _read(Path(path), max_bytes)
    except RefusedFile as exc:
        raise RefusedFile(exc.reason.one_line()) from exc.__cause__
    except Exception as exc:  # last line of defence: a reader bug must not stop a batch
        raise RefusedFile(
            Code.UNREADABLE, "unreadable file ({error})", error=described(exc)
        ) from exc
