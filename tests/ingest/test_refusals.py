"""Files that are not reports are refused with one clear reason, and nothing else escapes."""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import lzma
import pickle
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.readers import FORMATS, RawReport, RefusedFile, from_pdf, read_report
from ingest.reasons import PARAMETERS, Code, Reason
from tests.support import FIXTURES, SAMPLES

HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def refusal(path: Path, max_bytes: int | None = None) -> str:
    with pytest.raises(RefusedFile) as caught:
        if max_bytes is None:
            read_report(path)
        else:
            read_report(path, max_bytes=max_bytes)
    reason = str(caught.value)
    assert reason and "\n" not in reason
    return reason


def zipped(name: str = "report.txt", data: bytes = "年报".encode()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fixture", "reason", "code"),
    [
        ("image.txt", "PNG image", Code.IMAGE),
        ("archive.txt", "zip archive", Code.ARCHIVE),
        ("empty.txt", "empty file", Code.EMPTY),
        ("whitespace.txt", "only whitespace", Code.ONLY_WHITESPACE),
        ("junk.txt", "binary data", Code.BINARY),
        ("not-a-zip.docx", "not a zip archive", Code.DOCX_NOT_ZIP),
        ("truncated.docx", "damaged or truncated", Code.DOCX_TRUNCATED),
        ("no-body.docx", "no [Content_Types].xml", Code.DOCX_NOT_WORD),
        ("bomb-ratio.docx", "zip bomb", Code.ZIP_BOMB_RATIO),
        ("bomb-claims.docx", "zip bomb", Code.ZIP_BOMB_SIZE),
        ("encrypted.pdf", "encrypted PDF (needs a password)", Code.PDF_ENCRYPTED),
        ("scanned.pdf", "no text layer", Code.PDF_NO_TEXT),
    ],
)
def test_fixture_refused(fixture: str, reason: str, code: Code) -> None:
    assert reason in refusal(FIXTURES / fixture)
    with pytest.raises(RefusedFile) as caught:
        read_report(FIXTURES / fixture)
    assert caught.value.reason.code == code
    assert caught.value.reason.text == str(caught.value)


def test_a_reason_carries_the_values_its_code_names_and_words_them_in_english() -> None:
    reason = Reason.of(
        Code.TOO_LARGE, "file too large ({size:,} bytes; limit {limit:,})", size=2048, limit=1024
    )
    assert reason.text == "file too large (2,048 bytes; limit 1,024)"
    assert dict(reason.params) == {"size": 2048, "limit": 1024}
    with pytest.raises(ValueError, match="too_large"):
        Reason.of(Code.TOO_LARGE, "file too large ({size})", size=2048)
    with pytest.raises(ValueError, match="empty"):
        Reason.of(Code.EMPTY, "empty file", size=0)
    assert set(PARAMETERS) <= set(Code)


def test_a_refusal_survives_a_copy_to_another_process() -> None:
    refused = RefusedFile(Code.PDF_TOO_MANY_PAGES, "{pages} pages", pages=600, limit=500)
    copy = pickle.loads(pickle.dumps(refused))
    assert copy.reason == refused.reason and str(copy) == "600 pages"


IMAGES = {
    "PNG": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "JPEG": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "GIF": b"GIF89a\x01\x00\x01\x00",
    "BMP": b"BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00",
    "TIFF": b"II*\x00\x08\x00\x00\x00",
    "WEBP": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
}


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf"])
@pytest.mark.parametrize("kind", sorted(IMAGES))
def test_images_refused_whatever_their_name(tmp_path: Path, kind: str, suffix: str) -> None:
    path = tmp_path / f"scan{suffix}"
    path.write_bytes(IMAGES[kind] + bytes(range(256)))
    assert refusal(path).startswith(f"{kind} image")


ARCHIVES = {
    "zip": zipped(),
    "gzip": gzip.compress("年报".encode(), mtime=0),
    "bzip2": bz2.compress("年报".encode()),
    "xz": lzma.compress("年报".encode()),
    "RAR": b"Rar!\x1a\x07\x01\x00" + bytes(32),
    "7z": b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(32),
}


@pytest.mark.parametrize("suffix", [".txt", ".md", ".htm"])
@pytest.mark.parametrize("kind", sorted(ARCHIVES))
def test_archives_refused_in_text_files(tmp_path: Path, kind: str, suffix: str) -> None:
    path = tmp_path / f"report{suffix}"
    path.write_bytes(ARCHIVES[kind])
    assert refusal(path).startswith(f"{kind} archive")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document; name it .pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old Office document"),
        (b"\x00\x01\x02\x03" * 64, "binary data (NUL bytes)"),
        (
            bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 16 + "年报".encode(),
            "binary data (control characters)",
        ),
        (b"\x80\xff\xfe" * 30, "undecodable"),
        (b"\xef\xbb\xbf\xff\xfe", "undecodable"),
        ("\u3000 \n\t".encode(), "only whitespace"),
    ],
)
def test_not_text_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(data)
    assert reason in refusal(path)


@pytest.mark.parametrize(
    "text",
    [
        "BMW 2018年报",  # starts like a BMP header but is text
        "GIF 动图 2018",
        "PK 比赛 2018",
        "BZh 2018",
        "RIFF 年报",
        "7z 年报",
    ],
)
def test_text_that_starts_like_a_signature_is_read(tmp_path: Path, text: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode())
    assert read_report(path).text == text


@pytest.mark.parametrize(
    "name", ["report.doc", "report.xls", "report.rtf", "report.jpg", "report", "report.txt.bak"]
)
def test_unknown_extension_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("政府信息公开工作年度报告", "utf-8")
    assert "unsupported file type" in refusal(path)


def test_directory_refused(tmp_path: Path) -> None:
    (tmp_path / "reports.txt").mkdir()
    assert refusal(tmp_path / "reports.txt") == "is a directory, not a file"


def test_missing_file_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path / "missing.pdf") == "no such file"


@pytest.mark.parametrize("name", ["xiji-2018.txt", "xitang-2018.md"])
def test_size_limit_checked_before_reading(name: str) -> None:
    size = (SAMPLES / name).stat().st_size
    assert "file too large" in refusal(SAMPLES / name, max_bytes=size - 1)
    assert read_report(SAMPLES / name, max_bytes=size).encoding == "utf-8"


@pytest.mark.parametrize("fixture", ["xiji-2018.docx", "xiji-2018.pdf", "wuzhen-2018.gbk.html"])
def test_size_limit_applies_to_every_format(fixture: str) -> None:
    assert "file too large" in refusal(FIXTURES / fixture, max_bytes=1000)


def test_docx_that_is_an_ole_container_refused(tmp_path: Path) -> None:
    path = tmp_path / "protected.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "password-protected or old-format" in refusal(path)


def test_docx_with_corrupted_member_refused(tmp_path: Path) -> None:
    data = bytearray((FIXTURES / "xiji-2018.docx").read_bytes())
    start = data.index(b"word/document.xml") + len(b"word/document.xml")
    for i in range(start + 20, start + 220):
        data[i] ^= 0x55
    path = tmp_path / "corrupt.docx"
    path.write_bytes(bytes(data))
    assert "unreadable .docx" in refusal(path)


def test_docx_entity_bomb_refused_without_expanding(tmp_path: Path) -> None:
    source = zipfile.ZipFile(FIXTURES / "xiji-2018.docx")
    declaration, body = source.read("word/document.xml").decode().split("?>", 1)
    entities = '<!ENTITY a "年报年报年报年报年报">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">' for i in range(9)
    )
    body = body.replace("<w:t>一、概述</w:t>", "<w:t>&j;</w:t>", 1)
    assert "&j;" in body
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                data = f"{declaration}?><!DOCTYPE w:document [{entities}]>{body}".encode()
            archive.writestr(member.filename, data)
    path = tmp_path / "laughs.docx"
    path.write_bytes(buffer.getvalue())
    assert "unreadable .docx" in refusal(path)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def test_spreadsheet_renamed_docx_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    path = tmp_path / "table.docx"
    path.write_bytes(buffer.getvalue())
    assert "spreadsheet or slides renamed .docx" in refusal(path)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a pdf at all", "no %PDF- header"),
        (b"%PDF-1.4\n" + bytes(range(256)) * 4, "unreadable PDF"),
    ],
)
def test_broken_pdf_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    assert reason in refusal(path)


def test_truncated_pdf_refused_or_read(tmp_path: Path) -> None:
    data = (FIXTURES / "xiji-2018.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    try:
        report = read_report(path)
    except RefusedFile as exc:
        assert str(exc)
    else:
        assert report.format == "pdf"


WRAPPERS = {
    "flate": lambda stream: stream,
    "ascii85": lambda stream: base64.a85encode(stream, wrapcol=72) + b"~>",
    "hex": lambda stream: stream.hex().encode() + b">",
}


def flate_pdf(payload: bytes, wrapper: str = "flate") -> bytes:
    stream = WRAPPERS[wrapper](zlib.compress(payload, 9))
    return (
        b"%%PDF-1.4\n1 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n"
    )


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
def test_pdf_decompression_bomb_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrapper: str
) -> None:
    monkeypatch.setattr(from_pdf, "MAX_INFLATED", 1024 * 1024)
    path = tmp_path / "bomb.pdf"
    path.write_bytes(flate_pdf(bytes(2 * 1024 * 1024), wrapper))
    assert "decompression bomb" in refusal(path)
    path.write_bytes(flate_pdf(bytes(512 * 1024), wrapper))
    assert "decompression bomb" not in refusal(path)  # within budget: refused for other reasons


def test_pdf_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(from_pdf, "MAX_PAGES", 1)
    assert refusal(FIXTURES / "xiji-2018.pdf") == "PDF has 2 pages; the limit is 1"


def test_pdf_without_unicode_map_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(from_pdf, "page_lines", lambda page: ["(cid:12)(cid:34)(cid:56) x"])
    assert "no Unicode map" in refusal(FIXTURES / "xiji-2018.pdf")


def test_library_errors_become_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(page: object) -> list[str]:
        raise KeyError("/Resources")

    monkeypatch.setattr(from_pdf, "page_lines", broken)
    assert refusal(FIXTURES / "xiji-2018.pdf") == "unreadable PDF (KeyError: '/Resources')"


# --- property tests: arbitrary or damaged bytes never escape as anything but RefusedFile -----


def outcome(path: Path) -> RawReport | RefusedFile:
    try:
        report = read_report(path)
    except RefusedFile as exc:
        assert str(exc) and "\n" not in str(exc)
        return exc
    assert isinstance(report.text, str) and report.text.strip()
    assert report.format == FORMATS[path.suffix.lower()]
    return report


@settings(max_examples=150, deadline=None, suppress_health_check=HEALTH)
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(sorted(FORMATS)))
def test_arbitrary_bytes_never_crash(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    outcome(path)


@settings(max_examples=150, deadline=None, suppress_health_check=HEALTH)
@given(
    text=st.text(st.characters(exclude_categories=["Cs"]), max_size=2000),
    suffix=st.sampled_from([".txt", ".md", ".html", ".htm"]),
)
def test_arbitrary_text_never_crashes(tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(text.encode("utf-8"))
    result = outcome(path)
    if isinstance(result, RawReport) and suffix in (".txt", ".md"):
        assert result.text == text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


DAMAGEABLE = ["xiji-2018.docx", "xiji-2018.pdf", "wuzhen-2018.gbk.html", "yuqian-2018.big5.txt"]


@settings(max_examples=60, deadline=None, suppress_health_check=HEALTH)
@given(
    fixture=st.sampled_from(DAMAGEABLE),
    cut=st.one_of(st.just(1.0), st.floats(min_value=0.0, max_value=1.0)),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)), max_size=8),
)
def test_damaged_fixtures_never_crash(
    tmp_path: Path, fixture: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray((FIXTURES / fixture).read_bytes())
    for where, mask in flips:
        data[int(where * (len(data) - 1))] ^= mask
    path = tmp_path / fixture
    path.write_bytes(bytes(data[: max(1, int(cut * len(data)))]))
    outcome(path)


def docx_with_body(body: bytes) -> bytes:
    """The fixture re-zipped with another word/document.xml (flipped bytes would fail the CRC)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(FIXTURES / "xiji-2018.docx") as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for member in source.infolist():
            data = body if member.filename == "word/document.xml" else source.read(member)
            archive.writestr(member.filename, data)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=HEALTH)
@given(
    edits=st.lists(
        st.tuples(st.floats(0.0, 1.0), st.sampled_from(list(b"<>/=\"' :&;#\x00\xffwxyz"))),
        min_size=1,
        max_size=6,
    )
)
def test_damaged_docx_xml_never_crashes(tmp_path: Path, edits: list[tuple[float, int]]) -> None:
    with zipfile.ZipFile(FIXTURES / "xiji-2018.docx") as source:
        body = bytearray(source.read("word/document.xml"))
    for where, byte in edits:
        body[int(where * (len(body) - 1))] = byte
    path = tmp_path / "damaged.docx"
    path.write_bytes(docx_with_body(bytes(body)))
    outcome(path)
