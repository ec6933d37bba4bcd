"""PDF files: text outside tables in reading order, ruled tables as pipe rows.

pdfminer inflates every compressed stream fully in memory, so the Flate streams
(also behind an ASCII85 or hex wrapper) are test-inflated first against a budget;
a small file cannot exhaust the machine.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pdfplumber
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.page import Page

from ingest.readers.base import RefusedFile, pipe_rows
from ingest.readers.refusals import refuse_images
from ingest.reasons import Code

MAX_PAGES = 500
MAX_INFLATED = 512 * 1024 * 1024  # bytes, all Flate streams together
HEADER_WINDOW = 1024  # the %PDF- marker may follow a little junk
MAX_CID_SHARE = 0.5  # above this share of "(cid:N)" glyphs the text layer is unusable

_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
_CID = re.compile(r"\(cid:\d+\)")
_CHUNK = 1024 * 1024


def _inflated_size(raw: bytes, budget: int) -> int:
    """Bytes a Flate stream inflates to, counting no further than ``budget``; 0 if not Flate."""
    inflater = zlib.decompressobj()
    total = 0
    pending = raw
    try:
        while pending and total <= budget:
            total += len(inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
    except zlib.error:
        return total
    return total


def _unwrapped(raw: bytes) -> list[bytes]:
    """The stream as stored, and as it reads through an ASCII85 or hex wrapper around Flate."""
    views = [raw]
    for unwrap in (ascii85decode, asciihexdecode):
        try:
            views.append(unwrap(raw))
        except Exception:  # not that wrapper: the stream is judged as stored
            continue
    return views


def check_streams(data: bytes) -> None:
    """Refuse a PDF whose Flate streams inflate beyond MAX_INFLATED (a decompression bomb)."""
    total = 0
    for match in _STREAM_START.finditer(data):
        end = data.find(b"endstream", match.end())
        raw = data[match.end() : end if end != -1 else len(data)]
        budget = MAX_INFLATED - total
        total += max(_inflated_size(view, budget) for view in _unwrapped(raw))
        if total > MAX_INFLATED:
            raise RefusedFile(
                Code.PDF_BOMB,
                "PDF streams inflate beyond {limit:,} bytes (decompression bomb?)",
                limit=MAX_INFLATED,
            )


def _single_cell(rows: list[list[str | None]]) -> bool:
    return sum(1 for row in rows for cell in row if cell is not None) <= 1


def page_lines(page: Page) -> list[str]:
    """Lines of one page: tables at their position, text around them in reading order."""
    tables = []
    for table in page.find_tables():
        rows = table.extract()
        if not _single_cell(rows):  # a frame around a paragraph is not a table
            tables.append((table.bbox, rows))
    boxes = [bbox for bbox, _ in tables]

    def outside_tables(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        h_mid = (obj["x0"] + obj["x1"]) / 2
        v_mid = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= h_mid < x1 and top <= v_mid < bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside_tables) if boxes else page
    items: list[tuple[float, int, list[str]]] = [
        (line["top"], 1, [line["text"]])
        for line in text_page.extract_text_lines(return_chars=False)
        if line["text"].strip()
    ]
    items += [(bbox[1], 0, pipe_rows(rows)) for bbox, rows in tables]
    items.sort(key=lambda item: (item[0], item[1]))
    return [line for _, _, lines in items for line in lines]


def _encryption_error(exc: BaseException) -> BaseException | None:
    """The pdfminer encryption error inside pdfplumber's wrapper, if that is what failed."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, PDFEncryptionError):
            return current
        todo.extend([*current.args, current.__cause__, current.__context__])
    return None


def _unreadable(exc: BaseException) -> RefusedFile:
    """The library's own error inside pdfplumber's wrapper, as a short reason."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    detail = " ".join(str(inner).split())[:120]
    error = f"{type(inner).__name__}{': ' + detail if detail else ''}"
    return RefusedFile(Code.PDF_UNREADABLE, "unreadable PDF ({error})", error=error)


def _declared_pages(pdf: pdfplumber.PDF) -> int:
    """The page count the catalogue claims, read before pdfplumber builds every page."""
    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except Exception:  # a missing or odd count: the real page list decides
        return 0


def pdf_to_text(path: Path) -> str:
    """All pages' lines; refuses encrypted, oversized and text-less PDFs."""
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfplumber wraps every pdfminer failure in PdfminerException
        encryption = _encryption_error(exc)
        if isinstance(encryption, PDFPasswordIncorrect):
            raise RefusedFile(Code.PDF_ENCRYPTED, "encrypted PDF (needs a password)") from exc
        if encryption is not None:
            raise RefusedFile(
                Code.PDF_ENCRYPTION_UNSUPPORTED, "encrypted PDF (unsupported encryption)"
            ) from exc
        raise _unreadable(exc) from exc
    with pdf:
        for pages in (_declared_pages(pdf), len(pdf.pages)):
            if pages > MAX_PAGES:
                raise RefusedFile(
                    Code.PDF_TOO_MANY_PAGES,
                    "PDF has {pages:,} pages; the limit is {limit}",
                    pages=pages,
                    limit=MAX_PAGES,
                )
        lines: list[str] = []
        for page in pdf.pages:
            lines.extend(page_lines(page))
            page.close()
    text = "\n".join(lines)
    visible = "".join(text.split())
    if not visible:
        raise RefusedFile(Code.PDF_NO_TEXT, "no text layer (scanned images?); OCR it first")
    if sum(len(m) for m in _CID.findall(visible)) > MAX_CID_SHARE * len(visible):
        raise RefusedFile(
            Code.PDF_NO_UNICODE,
            "PDF fonts have no Unicode map (text reads as (cid:N)); OCR it first",
        )
    return text


def read_pdf(path: Path, data: bytes) -> str:
    """Check the header and the streams' inflated size, then extract."""
    refuse_images(data)
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise RefusedFile(Code.PDF_NO_HEADER, "not a PDF: no %PDF- header")
    check_streams(data)
    try:
        return pdf_to_text(path)
    except RefusedFile:
        raise
    except Exception as exc:  # pdfminer raises assorted errors on damaged files
        raise _unreadable(exc) from exc
