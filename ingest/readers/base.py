"""What every reader returns or raises, and the one way tables become text.

Tables are rendered as pipe rows so the downstream table parser sees rows of
cells in column order whatever the source format was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.reasons import Code, Reason, Value

_CELL_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class RawReport:
    """The original text of one report file and how it was read."""

    text: str  # tables rendered one row per line as "| cell | cell | cell |"
    encoding: str | None  # codec used for text formats; None for docx/pdf
    format: str  # "txt", "md", "html", "docx", "pdf"


class RefusedFile(Exception):
    """A file that cannot be read as a report.  ``reason`` says why: a code with its values,
    for a front end to phrase, and a one-line English text, which is also the message."""

    def __init__(self, code: Code | Reason, english: str = "", /, **params: Value) -> None:
        """``RefusedFile(code, english, **values)``: ``english`` a template over the values
        (``Reason.of``); or ``RefusedFile(reason)`` for a reason built elsewhere."""
        self.reason = code if isinstance(code, Reason) else Reason.of(code, english, **params)
        super().__init__(self.reason)  # the arguments a copy is made from (pickle)

    def __str__(self) -> str:
        return self.reason.text


def clean_cell(text: str | None) -> str:
    """One line per cell: whitespace runs become one space, a literal pipe becomes ｜."""
    if not text:
        return ""
    return _CELL_SPACE.sub(" ", text).strip().replace("|", "｜")


def pipe_row(cells: Iterable[str | None]) -> str:
    """``| a |  | c |``: blank cells stay in place so columns keep their positions."""
    return "| " + " | ".join(clean_cell(c) for c in cells) + " |"


def pipe_rows(rows: Iterable[Iterable[str | None]]) -> list[str]:
    """Render a table, dropping rows whose cells are all blank (they carry nothing)."""
    rendered = []
    for row in rows:
        cells = [clean_cell(c) for c in row]
        if any(cells):
            rendered.append(pipe_row(cells))
    return rendered
