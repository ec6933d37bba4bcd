"""Why a file was refused, replaced or kept, as data: a code and its values beside the English line.

The command line prints the English line.  A front end in another language (the Telegram bot,
in Chinese) phrases the code with its values from its own data, so it never has to read meaning
out of English text and ingest never words a sentence for it.  Each code names the values it
carries in ``PARAMETERS``: a phrasing may use any of them, and a reason built with other values
is a programming error, caught where it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

Value = str | int | float


class Code(StrEnum):
    """What happened to a file, or what to know about it, whatever the words."""

    # What the file is: the readers' cheap checks, before any parser.
    UNSUPPORTED_TYPE = "unsupported_type"
    IS_DIRECTORY = "is_directory"
    NO_SUCH_FILE = "no_such_file"
    CANNOT_ACCESS = "cannot_access"
    CANNOT_READ = "cannot_read"
    TOO_LARGE = "too_large"
    TOO_LARGE_WHEN_READ = "too_large_when_read"
    EMPTY = "empty"
    ONLY_WHITESPACE = "only_whitespace"
    BINARY = "binary"
    IMAGE = "image"
    ARCHIVE = "archive"
    PDF_AS_TEXT = "pdf_as_text"
    OLD_OFFICE = "old_office"
    BOM_MISMATCH = "bom_mismatch"
    UNDECODABLE = "undecodable"
    UNREADABLE = "unreadable"
    TOO_DEEPLY_NESTED = "too_deeply_nested"
    # Word files.
    DOC_OR_PROTECTED = "doc_or_protected"
    DOCX_TRUNCATED = "docx_truncated"
    DOCX_NOT_ZIP = "docx_not_zip"
    DOCX_DAMAGED = "docx_damaged"
    ZIP_BOMB_MEMBERS = "zip_bomb_members"
    ZIP_BOMB_SIZE = "zip_bomb_size"
    ZIP_BOMB_RATIO = "zip_bomb_ratio"
    DOCX_NOT_WORD = "docx_not_word"
    DOCX_OTHER_OFFICE = "docx_other_office"
    DOCX_UNREADABLE = "docx_unreadable"
    DOCX_NO_TEXT = "docx_no_text"
    # Web pages.
    HTML_TOO_LARGE = "html_too_large"
    HTML_TOO_MANY_TAGS = "html_too_many_tags"
    HTML_TOO_DEEP = "html_too_deep"
    HTML_UNREADABLE = "html_unreadable"
    HTML_NO_TEXT = "html_no_text"
    # PDF files.
    PDF_NO_HEADER = "pdf_no_header"
    PDF_BOMB = "pdf_bomb"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_ENCRYPTION_UNSUPPORTED = "pdf_encryption_unsupported"
    PDF_UNREADABLE = "pdf_unreadable"
    PDF_TOO_MANY_PAGES = "pdf_too_many_pages"
    PDF_NO_TEXT = "pdf_no_text"
    PDF_NO_UNICODE = "pdf_no_unicode"
    # The per-file limits of the worker processes.
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    READER_KILLED = "reader_killed"
    READER_DIED = "reader_died"
    READER_EXITED = "reader_exited"
    # Entries of a folder that are not tried.
    NOT_REGULAR_FILE = "not_regular_file"
    BROKEN_LINK = "broken_link"
    LINK_LOOP = "link_loop"
    LINK_OUT_OF_FOLDER = "link_out_of_folder"
    CANNOT_LIST = "cannot_list"
    ORPHAN_SIDECAR = "orphan_sidecar"
    # Metadata: given (option, caption, sidecar) or missing from the text.
    SIDECAR_INVALID = "sidecar_invalid"
    YEAR_INVALID = "year_invalid"
    UNIT_INVALID = "unit_invalid"
    UNIT_NOT_ORGANISATION = "unit_not_organisation"
    FIELD_NOT_TEXT = "field_not_text"
    MISSING_UNIT = "missing_unit"
    MISSING_YEAR = "missing_year"
    MISSING_UNIT_AND_YEAR = "missing_unit_and_year"
    UNIT_OVERRIDDEN = "unit_overridden"
    YEAR_OVERRIDDEN = "year_overridden"
    # A report already loaded: the same, another form, a replacement, a correction.
    SAME_REPORT = "same_report"
    NEW_VERSION = "new_version"
    OTHER_FORM_REPLACES = "other_form_replaces"
    OTHER_FORM_KEPT = "other_form_kept"
    REPLACES_AS_ASKED = "replaces_as_asked"
    REPLACES = "replaces"
    LESS_COMPLETE = "less_complete"
    CORRECTION_CLASH = "correction_clash"
    CORRECTED = "corrected"
    # Writing the database and the index.
    DISK_FULL = "disk_full"
    DB_READ_ONLY = "db_read_only"
    DB_BUSY = "db_busy"
    DB_WRITE_FAILED = "db_write_failed"
    INDEX_STALE = "index_stale"


_COUNTS = ("file", "statistics", "passages")
_NEW_COUNTS = ("new_statistics", "new_passages")

# The values each code carries (codes not named here carry none).  ``error`` is a library's or
# the system's own words, in English; ``given`` a value as it was given, quoted; ``sidecar`` the
# sidecar file a value came from, empty when it came from an option or a caption; ``names`` the
# words the text uses in place of a unit's name, joined by 、, empty when there are none.
PARAMETERS: Mapping[Code, tuple[str, ...]] = {
    Code.UNSUPPORTED_TYPE: ("suffix", "expected"),
    Code.CANNOT_ACCESS: ("error",),
    Code.CANNOT_READ: ("error",),
    Code.TOO_LARGE: ("size", "limit"),
    Code.TOO_LARGE_WHEN_READ: ("limit",),
    Code.IMAGE: ("kind",),
    Code.ARCHIVE: ("kind",),
    Code.BOM_MISMATCH: ("bom",),
    Code.UNREADABLE: ("error",),
    Code.DOCX_DAMAGED: ("error",),
    Code.ZIP_BOMB_MEMBERS: ("members", "limit"),
    Code.ZIP_BOMB_SIZE: ("size", "limit"),
    Code.ZIP_BOMB_RATIO: ("member", "ratio", "limit"),
    Code.DOCX_UNREADABLE: ("error",),
    Code.HTML_TOO_LARGE: ("size_mb", "limit_mb"),
    Code.HTML_TOO_MANY_TAGS: ("tags", "limit"),
    Code.HTML_TOO_DEEP: ("limit",),
    Code.HTML_UNREADABLE: ("error",),
    Code.PDF_BOMB: ("limit",),
    Code.PDF_UNREADABLE: ("error",),
    Code.PDF_TOO_MANY_PAGES: ("pages", "limit"),
    Code.TIME_LIMIT: ("limit",),
    Code.MEMORY_LIMIT: ("limit",),
    Code.READER_KILLED: ("signal",),
    Code.READER_DIED: ("signal",),
    Code.READER_EXITED: ("status",),
    Code.NOT_REGULAR_FILE: ("kind",),
    Code.BROKEN_LINK: ("target",),
    Code.LINK_OUT_OF_FOLDER: ("target",),
    Code.CANNOT_LIST: ("error",),
    Code.SIDECAR_INVALID: ("sidecar", "error"),
    Code.YEAR_INVALID: ("given", "low", "high", "sidecar"),
    Code.UNIT_INVALID: ("given", "sidecar"),
    Code.UNIT_NOT_ORGANISATION: ("unit", "problem", "sidecar"),
    Code.FIELD_NOT_TEXT: ("field", "given", "sidecar"),
    Code.MISSING_UNIT: ("file", "named", "names"),
    Code.MISSING_YEAR: ("file",),
    Code.MISSING_UNIT_AND_YEAR: ("file", "named", "names"),
    Code.UNIT_OVERRIDDEN: ("named", "unit"),
    Code.YEAR_OVERRIDDEN: ("reported", "year"),
    Code.SAME_REPORT: ("file",),
    Code.NEW_VERSION: ("file",),
    Code.OTHER_FORM_REPLACES: (*_COUNTS, "format", *_NEW_COUNTS),
    Code.OTHER_FORM_KEPT: (*_COUNTS, "format", *_NEW_COUNTS),
    Code.REPLACES_AS_ASKED: _COUNTS,
    Code.REPLACES: _COUNTS,
    Code.LESS_COMPLETE: ("unit", "year", *_COUNTS, *_NEW_COUNTS),
    Code.CORRECTION_CLASH: ("unit", "year", "file"),
    Code.CORRECTED: ("unit", "year"),
    Code.DISK_FULL: ("error",),
    Code.DB_READ_ONLY: ("error",),
    Code.DB_BUSY: ("error",),
    Code.DB_WRITE_FAILED: ("error",),
    Code.INDEX_STALE: ("cause",),
}


@dataclass(frozen=True)
class Reason:
    """One reason: its code, the English line the command line prints, and the values."""

    code: Code
    text: str
    params: Mapping[str, Value] = field(default_factory=dict)

    @classmethod
    def of(cls, code: Code, english: str, /, **params: Value) -> Reason:
        """The reason ``code`` with ``params``; ``english`` is a ``str.format`` template over
        them, so the English line and the values cannot say different things."""
        wanted = set(PARAMETERS.get(code, ()))
        if set(params) != wanted:
            raise ValueError(f"{code} carries {sorted(wanted)}, not {sorted(params)}")
        return cls(code, english.format(**params), params)

    def followed_by(self, english: str) -> Reason:
        """The same reason with more words in English (what became of the file)."""
        return replace(self, text=self.text + english)

    def one_line(self) -> Reason:
        """The same reason with the English on one line (a library's message may span lines)."""
        return replace(self, text=" ".join(self.text.split()))


def described(exc: BaseException, limit: int = 180) -> str:
    """A library's error as ``Type: message`` on one line, at most ``limit`` characters."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:limit]
