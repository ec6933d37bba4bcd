"""Numbers as reports write them: Arabic (with thousands commas), Chinese numerals, and the
marks that mean "not given".

A blank, ``/``, ``-`` or ``—`` cell is "not given", never zero: it must stay missing so it is
not counted in a sum or a ranking.
"""

from __future__ import annotations

import re

CHINESE_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CHINESE_PLACES = {"十": 10, "百": 100, "千": 1000}
CHINESE_BIG = {"万": 10_000, "亿": 100_000_000}
_CHINESE_CHARS = "".join(CHINESE_DIGITS) + "".join(CHINESE_PLACES) + "".join(CHINESE_BIG)

ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CHINESE = rf"[{_CHINESE_CHARS}]+"
NUMBER = rf"(?:{ARABIC}|{CHINESE})"
NOT_GIVEN = frozenset(("", "/", "-", "—", "——", "–", "－", "―", "\\", "无", "空", "—/—"))

_ARABIC_RE = re.compile(rf"^(?:{ARABIC})$")
_CHINESE_RE = re.compile(rf"^{CHINESE}$")
_SIGNED_RE = re.compile(rf"^[-+](?:{ARABIC})$")


def parse_chinese(text: str) -> int | None:
    """一千二百 → 1200, 两 → 2, 十二 → 12, 三万五千 → 35000; None if not a count."""
    if not text or not _CHINESE_RE.match(text):
        return None
    if all(ch in CHINESE_DIGITS for ch in text) and len(text) > 1:
        return None  # 六七 is "six or seven", 二〇一八 a year: not a count
    total, section, digit = 0, 0, None
    last_place, last_big = 10**9, 10**12
    for ch in text:
        if ch in CHINESE_DIGITS:
            if digit and CHINESE_DIGITS[ch] != 0:
                return None
            digit = CHINESE_DIGITS[ch]
        elif ch in CHINESE_PLACES:
            size = CHINESE_PLACES[ch]
            if size >= last_place or digit == 0 or (digit is None and section):
                return None
            section += (1 if digit is None else digit) * size
            digit, last_place = None, size
        else:
            section += digit or 0
            if section == 0 or CHINESE_BIG[ch] >= last_big:
                return None
            total += section * CHINESE_BIG[ch]
            section, digit = 0, None
            last_place, last_big = 10**9, CHINESE_BIG[ch]
    return total + section + (digit or 0)


def parse_number(text: str) -> float | None:
    """A figure written in Arabic or Chinese numerals; None when it is not one."""
    body = text.strip().replace("，", ",")
    if _ARABIC_RE.match(body):
        return float(body.replace(",", ""))
    value = parse_chinese(body)
    return float(value) if value is not None else None


def is_not_given(cell: str) -> bool:
    """A table cell that gives no figure (blank or a dash/slash mark)."""
    return cell.strip(" \t\u3000\u00a0") in NOT_GIVEN


def parse_cell(cell: str) -> tuple[bool, float | None]:
    """(is a value cell, value): not-given marks are value cells with value None.

    Table cells may be signed (table 二's 本年增/减 column); Chinese numerals are not cells.
    """
    body = cell.strip(" \t\u3000\u00a0").replace("－", "-").replace("＋", "+")
    if body in NOT_GIVEN:
        return True, None
    if _SIGNED_RE.match(body):
        value = parse_number(body[1:])
        return value is not None, (-value if body[0] == "-" and value else value)
    value = parse_number(body)
    return (value is not None and not _CHINESE_RE.match(body)), value


def spellings(value: float) -> list[str]:
    """Ways a value can be written, for checking that evidence really shows it."""
    forms = []
    if value == int(value):
        n = int(value)
        forms.append(str(n))
        forms.append(f"{n:,}")
        forms.extend(_chinese_forms(n))
    else:
        forms.append(f"{value:g}")
    return forms


def _chinese_forms(n: int) -> list[str]:
    if n < 0 or n >= 100_000_000:
        return []
    digits = "零一二三四五六七八九"
    plain = "".join(digits[int(d)] for d in str(n))
    out = [plain]
    if n == 2:
        out.append("两")
    if n < 10:
        return out
    words = ""
    parts = [(n // 10_000, "万"), (n % 10_000, "")]
    for part, big in parts:
        if not part:
            continue
        s = ""
        for place, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
            d = (part // size) % 10
            if d:
                bare_ten = place == "十" and d == 1 and not s and not words
                s += ("" if bare_ten else digits[d]) + place
            elif s and not s.endswith("零") and part % size:
                s += "零"
        words += s + big
    out.append(words)
    return out
