"""Word (.docx) files: paragraphs and tables in body order, after a zip-bomb check.

A .docx is a zip archive; the archive's own directory is checked before any XML
is parsed, so a small upload cannot expand into gigabytes in memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl, CT_Tc
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement

from ingest.readers.base import RefusedFile, pipe_rows
from ingest.reasons import Code, described

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all members together
MAX_RATIO = 100  # uncompressed : compressed, checked on members larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 10_000
MAX_GRID_SPAN = 64

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_RUNS = "w:r | w:hyperlink | w:ins/w:r | w:smartTag/w:r | w:fldSimple/w:r | w:sdt/w:sdtContent/w:r"


def check_archive(path: Path) -> None:
    """Refuse a file that is not a zip, is damaged, or would expand beyond the limits."""
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            head = handle.read(8)
        if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise RefusedFile(
                Code.DOC_OR_PROTECTED,
                "password-protected or old-format (.doc) Word file; save it as a plain .docx",
            )
        if head.startswith(b"PK\x03\x04"):
            raise RefusedFile(
                Code.DOCX_TRUNCATED, "damaged or truncated .docx (the zip directory is missing)"
            )
        raise RefusedFile(Code.DOCX_NOT_ZIP, "not a .docx: the file is not a zip archive")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise RefusedFile(
            Code.DOCX_DAMAGED, "damaged .docx archive ({error})", error=str(exc)
        ) from exc
    if len(members) > MAX_MEMBERS:
        raise RefusedFile(
            Code.ZIP_BOMB_MEMBERS,
            "zip bomb? the .docx holds {members:,} members",
            members=len(members),
            limit=MAX_MEMBERS,
        )
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise RefusedFile(
            Code.ZIP_BOMB_SIZE,
            "zip bomb? the .docx expands to {size:,} bytes (limit {limit:,})",
            size=total,
            limit=MAX_UNCOMPRESSED,
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise RefusedFile(
                Code.ZIP_BOMB_RATIO,
                "zip bomb? {member} expands {ratio:,.0f}:1 (limit {limit}:1)",
                member=member.filename,
                ratio=ratio,
                limit=MAX_RATIO,
            )
    if "[Content_Types].xml" not in {m.filename for m in members}:
        raise RefusedFile(
            Code.DOCX_NOT_WORD, "not a Word document: the zip has no [Content_Types].xml"
        )


def _paragraph_text(p: CT_P) -> str:
    """Runs, hyperlinks, tracked insertions and smart tags: all the words Word shows."""
    return "".join(run.text for run in p.xpath(_RUNS))


def _blocks(container: BaseOxmlElement) -> Iterator[BaseOxmlElement]:
    """Paragraphs and tables directly in a body or cell, content controls opened up."""
    stack = list(reversed(container))
    while stack:
        child = stack.pop()
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            stack.extend(reversed(child.findall(_SDT_CONTENT)))
        elif child.tag == _SDT_CONTENT:
            stack.extend(reversed(child))


def _cell_text(tc: CT_Tc) -> str:
    """All paragraphs of a cell, nested tables included, as one line."""
    return " ".join(_paragraph_text(p) for p in tc.iter(_P))


def table_rows(tbl: CT_Tbl) -> list[list[str]]:
    """Cells in grid order: a merged cell once, blank cells for the columns or rows it covers."""
    rows: list[list[str]] = []
    for tr in tbl.tr_lst:
        row = [""] * min(tr.grid_before, MAX_GRID_SPAN)
        for tc in tr.tc_lst:
            row.append("" if tc.vMerge == "continue" else _cell_text(tc))
            row.extend([""] * (min(tc.grid_span, MAX_GRID_SPAN) - 1))
        rows.append(row)
    return rows


def docx_to_text(path: Path) -> str:
    """The body of a Word file as lines: one per paragraph, tables as pipe rows."""
    body = docx.Document(str(path)).element.body
    lines: list[str] = []
    for block in _blocks(body):
        if block.tag == _TBL:
            lines.extend(pipe_rows(table_rows(block)))
        else:
            text = _paragraph_text(block).strip()
            if text:
                lines.append(text)
    return "\n".join(lines)


def read_docx(path: Path) -> str:
    """Check the archive, then extract; any parser failure becomes a refusal."""
    check_archive(path)
    try:
        text = docx_to_text(path)
    except Exception as exc:  # python-docx/lxml/zipfile errors on damaged files
        if isinstance(exc, ValueError) and "not a Word file" in str(exc):  # the real type named
            reason = "not a Word document (a spreadsheet or slides renamed .docx?)"
            raise RefusedFile(Code.DOCX_OTHER_OFFICE, reason) from exc
        raise RefusedFile(
            Code.DOCX_UNREADABLE, "unreadable .docx ({error})", error=described(exc)
        ) from exc
    if not text.strip():
        raise RefusedFile(Code.DOCX_NO_TEXT, "no text in the Word document")
    return text
