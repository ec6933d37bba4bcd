"""Bytes to text for the text formats, recording the codec actually used.

Order: a byte-order mark decides; then strict UTF-8 (by far the most common, and
GBK or Big5 text is practically never valid UTF-8, while UTF-8 bytes are often
valid GBK, so even a page declaring GBK is taken as UTF-8 when its bytes are);
then a declared charset (HTML meta) if it decodes; then charset-normalizer restricted to
the Chinese codecs, because unrestricted detection reads short GBK snippets as
UTF-16 or Korean; then unrestricted detection for anything else.  A GBK file is
decoded as GB18030, its superset, so rare characters outside GBK survive.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from ingest.readers.base import RefusedFile
from ingest.reasons import Code

# Codecs tried by detection first, in order of preference when scores tie.
CHINESE_CODECS = ("gb18030", "big5", "big5hkscs")
# Declared or detected names that are decoded with a superset codec instead.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030"}
# Damaged files: a decoding with at most this share of undecodable bytes is kept.
MAX_REPLACEMENT_SHARE = 0.001

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def canonical_codec(name: str) -> str | None:
    """Python's name for a codec label (``GBK`` → ``gb18030``), or None if unknown."""
    try:
        python_name = codecs.lookup(name.strip().lower()).name
    except (LookupError, ValueError):
        return None
    return SUPERSETS.get(python_name, python_name)


def bom_codec(data: bytes) -> str | None:
    """The codec a byte-order mark announces (UTF-32 checked before UTF-16: same prefix)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected(data: bytes, chinese_only: bool) -> list[str]:
    """Codecs charset-normalizer finds plausible, best first.

    Among the Chinese codecs a tie in chaos goes to GB18030: a few bytes that are
    valid both ways are far more often mainland GBK than Big5.
    """
    isolation = list(CHINESE_CODECS) if chinese_only else None
    try:
        matches = list(from_bytes(data, cp_isolation=isolation))
    except Exception:  # a detector bug must not escape as anything but "undecodable"
        return []
    if chinese_only:
        order = {codec: rank for rank, codec in enumerate(CHINESE_CODECS)}
        matches.sort(key=lambda m: (round(m.chaos, 3), order.get(m.encoding, len(order))))
    return [m.encoding for m in matches]


def _lenient(data: bytes, codecs_to_try: tuple[str, ...]) -> tuple[str, str] | None:
    """A damaged file: the codec losing fewest bytes, if it loses almost none.

    UTF-8 goes first and alone: GBK or Big5 read as UTF-8 loses nearly every
    character, while GB18030 happily misreads damaged UTF-8 as other characters.
    """
    best: tuple[int, str, str] | None = None
    for codec in codecs_to_try:
        text = data.decode(codec, errors="replace")
        lost = text.count("\ufffd")
        if best is None or lost < best[0]:
            best = (lost, codec, text)
    if best and best[0] <= MAX_REPLACEMENT_SHARE * len(best[2]):
        return best[2], best[1]
    return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode report bytes; returns (text, codec). ``declared`` is e.g. an HTML meta charset."""
    bom = bom_codec(data)
    if bom:
        text = _strict(data, bom)
        if text is None:
            raise RefusedFile(
                Code.BOM_MISMATCH,
                "undecodable: the byte-order mark says {bom} but the bytes are not",
                bom=bom,
            )
        return text.removeprefix("\ufeff"), bom
    if b"\x00" in data:
        raise RefusedFile(Code.BINARY, "binary data (NUL bytes), not a text report")
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    codec = canonical_codec(declared) if declared else None
    text = _strict(data, codec) if codec else None
    if codec and text is not None:
        return text, codec
    damaged = _lenient(data, ("utf-8",))
    if damaged:
        return damaged
    for chinese_only in (True, False):
        for detected in _detected(data, chinese_only):
            codec = SUPERSETS.get(detected, detected)
            text = _strict(data, codec)
            if text is not None:
                return text, codec
    damaged = _lenient(data, CHINESE_CODECS)
    if damaged:
        return damaged
    raise RefusedFile(Code.UNDECODABLE, "undecodable: not UTF-8, GB18030/GBK or Big5 text")
