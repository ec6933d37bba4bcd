"""Report metadata read from the text itself: unit, year, dates, level, parent, title.

File names lie (``report(3).pdf``), so everything comes from the title lines, the
metadata table many portals print above the report, and the signature at the end.
What cannot be found is left as None for the caller to report and ask for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

import cn2an

from ingest.text import to_halfwidth, to_simplified
from ingest.vocab import load_toml

_YEAR = re.compile(r"((?:19|20)\d{2})年")
_CHINESE_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_PERIOD = re.compile(r"自((?:19|20)\d{2})年0?1月0?1日")
_YEAR_DU = re.compile(r"((?:19|20)\d{2})年度")
_DATE = re.compile(r"((?:19|20)\d{2})(?:年|[-./])(\d{1,2})(?:月|[-./])(\d{1,2})日?")
_CHINESE_DATE = re.compile(
    r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
_YEAR_WORD = re.compile(r"(?:(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})年度?")
_MARKUP = re.compile(r"^[#>*\s]+|[*_`]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_HEAD_LINES = 25
_TAIL_LINES = 15


@dataclass(frozen=True)
class ReportMeta:
    """What the text says about the report; None where it does not say."""

    unit: str | None = None
    unit_full: str | None = None
    year: int | None = None
    published: str | None = None
    level: str | None = None
    parent: str | None = None
    title: str | None = None


@cache
def _vocabulary() -> dict:
    return load_toml("ingest.data", "units.toml")


def _light(text: str) -> str:
    """Simplified, half-width, no whitespace; variant characters kept (they are names)."""
    text = _MARKUP.sub("", to_halfwidth(to_simplified(text, fold_variants=False)))
    return re.sub(r"\s+", "", text)


def _cells(line: str) -> list[str]:
    return [c for c in (cell.strip() for cell in line.split("|")) if c]


def _field(lines: list[str], names: list[str]) -> str | None:
    """The value after a label cell in a metadata table row (| 发布单位 | 青溪镇 | …)."""
    for line in lines:
        cells = _cells(line) if "|" in line else re.split(r"[:]", line, maxsplit=1)
        for i, cell in enumerate(cells[:-1]):
            if cell.rstrip(":") in names and cells[i + 1]:
                return cells[i + 1]
    return None


def _title(lines: list[str]) -> str | None:
    for i, line in enumerate(lines[:_HEAD_LINES]):
        if "|" in line or len(line) > 60 or ("信息公开" not in line and "政务公开" not in line):
            continue
        if "报告" in line:
            return line
        if i + 1 < len(lines) and "报告" in lines[i + 1] and len(lines[i + 1]) <= 20:
            return line + lines[i + 1]
    return None


def _year(title: str | None, text: str) -> int | None:
    if title:
        m = _YEAR.search(title)
        if m:
            return int(m.group(1))
        m = _CHINESE_YEAR.search(title)
        if m:
            return chinese_year(m.group(1))
    head = text[:3000]
    for pattern in (_PERIOD, _YEAR_DU):
        m = pattern.search(head)
        if m:
            return int(m.group(1))
    return None


def _strip_official(name: str) -> str:
    vocab = _vocabulary()
    for suffix in vocab["official_suffixes"]:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)] + vocab["restore_level"].get(suffix, "")
    return name


def _unit_from_title(title: str) -> str | None:
    name = _YEAR_WORD.sub("", title)
    name = re.sub(r"[(（)）《》“”\"]", "", name)
    cut = min((name.find(w) for w in _vocabulary()["title_noise"] if w in name), default=-1)
    if cut >= 0:
        name = name[:cut]
    name = name.removeprefix("关于")
    return name if len(name) >= 2 and _CJK_RUN.fullmatch(name) else None


def unit_level(unit: str) -> str | None:
    """镇/乡/街道/县/区/市/省 from the name ending, 部门 for departments, None when unclear."""
    vocab = _vocabulary()
    if any(unit.endswith(s) for s in vocab["department_suffixes"]):
        return "部门"
    for entry in vocab["level"]:
        if unit.endswith(entry["suffix"]):
            return entry["level"]
    return None


def split_region(name: str) -> tuple[str | None, str]:
    """嘉兴县南湖镇 → ('嘉兴县', '南湖镇'); departments and plain names are kept whole."""
    if unit_level(name) in (None, "部门"):
        return None, name
    suffixes = "|".join(sorted(_vocabulary()["region_suffixes"], key=len, reverse=True))
    m = re.fullmatch(
        rf"((?:[\u4e00-\u9fff]{{2,6}}?(?:{suffixes})){{1,3}})([\u4e00-\u9fff]{{2,10}})", name
    )
    if m and unit_level(m.group(2)) not in (None, "部门"):
        return m.group(1), m.group(2)
    return None, name


def _parent_in_text(unit: str, text: str) -> str | None:
    """A region written right before the unit at a word boundary (地址：嘉兴县南湖镇…)."""
    suffixes = "|".join(sorted(_vocabulary()["region_suffixes"], key=len, reverse=True))
    region = rf"(?:[\u4e00-\u9fff]{{2,6}}?(?:{suffixes}))"
    pattern = rf"(?:^|[^\u4e00-\u9fff])({region}{{1,3}}){re.escape(unit)}"
    m = re.search(pattern, text)
    return m.group(1) if m else None


def _unit_full(unit: str, text: str, signature: str | None) -> str | None:
    if signature and unit in signature:
        return signature
    for suffix in _vocabulary()["official_suffixes"]:
        if unit + suffix in text:
            return unit + suffix
    return None


def _signature(tail: list[str]) -> str | None:
    vocab = _vocabulary()
    endings = tuple(vocab["official_suffixes"])
    for line in reversed(tail):
        if len(line) <= 30 and _CJK_RUN.fullmatch(line) and line.endswith(endings):
            return line
    return None


def _date(value: str) -> str | None:
    m = _DATE.search(value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _CHINESE_DATE.search(value)
        if not m:
            return None
        y = chinese_year(m.group(1))
        mo, d = (_small_number(g) for g in m.groups()[1:])
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def chinese_year(text: str) -> int:
    """二〇一八 → 2018: a year is written digit by digit."""
    return int("".join(str("〇一二三四五六七八九".index(c) if c != "零" else 0) for c in text))


def _small_number(text: str) -> int:
    return int(cn2an.cn2an(text, "smart"))


def detect_metadata(text: str) -> ReportMeta:
    """Everything the text states about the report."""
    lines = [x for x in (_light(line) for line in text.splitlines()) if x]
    head, tail = lines[:_HEAD_LINES], lines[-_TAIL_LINES:]
    vocab = _vocabulary()
    title = _title(lines)
    field_unit = _field(head, vocab["unit_fields"])
    signature = _signature(tail)
    candidates = [field_unit, _unit_from_title(title) if title else None, signature]
    raw = next((_strip_official(c) for c in candidates if c), None)
    meta = ReportMeta(title=title, year=_year(title, _light(text)))
    if raw:
        parent, unit = split_region(raw)
        light_text = _light(text)
        meta = replace(
            meta,
            unit=unit,
            parent=parent or _parent_in_text(unit, "\n".join(lines)),
            level=unit_level(unit),
            unit_full=_unit_full(unit, light_text, signature),
        )
    date_field = _field(head, vocab["date_fields"])
    published = _date(date_field) if date_field else None
    if published is None:
        for line in reversed(tail):
            if len(line) <= 20 and (published := _date(line)):
                break
    return replace(meta, published=published)
