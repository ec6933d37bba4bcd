"""Report metadata read from the text itself: unit, year, dates, level, parent, title.

File names lie (``report(3).pdf``), so everything comes from the text: the metadata table
many portals print above the report, the title (also when it sits inside one long line of
text copied off a web page), the letter form ``某某局关于报送2020年度…报告的函``, the
signature, the page's 来源 field, and sentences that name the unit (``现将某某局2024年度政府
信息公开工作的有关情况…``, ``2023年，某某管理局坚持…``, ``请联系某某局党政办公室``).

Every candidate name must look like an organisation (a name with an organisation or level
ending, not a pronoun such as 我乡 and not a piece of a sentence); candidates that name the
same unit (公安局 and 某某县公安局) are merged, the fullest form kept and the others remembered
as names the report also uses.  What cannot be found is left as None, with the reasons the
candidates were refused, for the caller to report and ask for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from ingest.chrome import find_chrome
from ingest.text import CJK, to_halfwidth, to_simplified
from ingest.vocab import load_toml

_DIGIT_YEAR = r"(?:19|20)\d{2}"
_CHINESE_DIGITS = "〇零○Ｏ一二三四五六七八九"
_YEAR = rf"(?:{_DIGIT_YEAR}|[{_CHINESE_DIGITS}]{{4}})"
_KIND = r"(?:政府|政务)?(?:信息|资讯)公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
_TITLE_UNIT_FIRST = re.compile(
    rf"(?P<pre>[{CJK}]{{0,40}})\s?(?P<year>{_YEAR})\s?年度?\s?(?:的)?\s?{_KIND}(?P<letter>的函)?"
)
_TITLE_YEAR_FIRST = re.compile(
    rf"(?P<year>{_YEAR})年度?(?P<post>(?![年度的])(?!(?:政府|政务)?(?:信息|资讯)公开)"
    rf"[{CJK}]{{2,30}}?){_KIND}"
)
_REPORT_SENTENCE = re.compile(
    rf"(?P<pre>[{CJK}]{{2,40}})\s?(?P<year>{_DIGIT_YEAR})\s?年度?\s?(?:政府|政务)?信息公开工作"
)
_TITLE_NO_YEAR = re.compile(
    rf"(?<![0-9{_CHINESE_DIGITS}年度])(?![年度的])(?!(?:政府|政务)?(?:信息|资讯)公开)"
    rf"(?P<pre>[{CJK}]{{2,40}}?){_KIND}"
)
# The words every title and report sentence above holds (公开 of its 信息公开…报告 or
# 信息公开工作), and how far after the start of a match they stand at most (40 characters of
# unit words, the year, 年度的 and 政府信息 with a space between each).
_TITLE_TRIGGER = re.compile(r"公开(?=(?:工作)?(?:年度)?(?:工作)?(?:报告|年报))")
_SENTENCE_TRIGGER = re.compile(r"公开(?=工作)")
_TRIGGER_REACH = 60
_PERIOD = re.compile(
    rf"(?:自|从|为|期限|期间|时间段|时段)\s?({_DIGIT_YEAR})\s?年\s?\d{{1,2}}\s?月\s?\d{{1,2}}\s?日"
    rf"\s?(?:起)?\s?(?:至|到|-|—|~)\s?(?:({_DIGIT_YEAR})\s?年\s?)?12\s?月\s?31\s?日"
)
_PERIOD_START = re.compile(rf"自({_DIGIT_YEAR})年0?1月0?1日")
_SUBJECT = re.compile(
    rf"(?:^|[。；;\s])({_DIGIT_YEAR})\s?年度?(?:以来)?\s?[,，]\s?(?P<run>[{CJK}]{{2,40}})"
)
_CONTACT = re.compile(rf"(?:请联系|请与|联系单位[:：]?)\s?(?P<run>[{CJK}]{{2,40}})")
_DATE = re.compile(
    rf"({_DIGIT_YEAR})\s?(?:年|[-./])\s?(\d{{1,2}})\s?(?:月|[-./])\s?(\d{{1,2}})\s?日?"
)
_CHINESE_DATE = re.compile(
    rf"([{_CHINESE_DIGITS}]{{4}})年([一二三四五六七八九十]{{1,3}})月([一二三四五六七八九十]{{1,3}})日"
)
_SIGNED = re.compile(
    rf"(?P<run>[{CJK}]{{2,40}})\s{{0,8}}(?P<date>{_DIGIT_YEAR}\s?年\s?\d{{1,2}}\s?月\s?\d{{1,2}}\s?日"
    rf"|[{_CHINESE_DIGITS}]{{4}}年[一二三四五六七八九十]{{1,3}}月[一二三四五六七八九十]{{1,3}}日)"
    r"(?!\s?印发)"
)
_MARKUP = re.compile(r"^[#>*\s]+|[*_`]+")
_CJK_RUN = re.compile(f"[{CJK}]+")
_HEAD_LINES = 25
_TAIL_LINES = 15
_TAIL_CHARS = 400
_HEAD_CHARS = 1500

# How strongly a source states the unit: a metadata table's 发布单位 beats the title, which
# beats a sentence naming the report, the signature, the page's 来源 field, the subject of a
# sentence, and a contact line.
RANKS = {
    "field": 9,
    "title": 8,
    "sentence": 6,
    "signature": 5,
    "source": 4,
    "subject": 3,
    "contact": 2,
}


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
    matched: str | None = None  # where the unit was read: title, signature, … or override
    names: tuple[str, ...] = ()  # other names the text uses for the same unit
    refused: tuple[str, ...] = ()  # candidates that were not names, with the reason


@dataclass(frozen=True)
class _Candidate:
    name: str
    source: str

    @property
    def rank(self) -> int:
        return RANKS[self.source]


@cache
def _vocabulary() -> dict:
    return load_toml("ingest.data", "units.toml")


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    vocab = _vocabulary()
    regions = _alternation(vocab["region_suffixes"])
    blockers = "".join(f"(?<!{re.escape(b[:-1])})" for b in vocab["region_blockers"])
    region = rf"[{CJK}]{{2,7}}?(?:{blockers})(?:{regions})"
    return {
        "region": re.compile(region),
        "regions": re.compile(rf"(?:{region}){{1,3}}"),
        "lead": re.compile(_alternation(vocab["lead_words"])),
        "not_in_names": re.compile(_alternation(vocab["not_in_names"])),
    }


def _light(text: str) -> str:
    """Simplified, half-width, no whitespace; variant characters kept (they are names)."""
    text = _MARKUP.sub("", to_halfwidth(to_simplified(text, fold_variants=False)))
    return re.sub(r"\s+", "", text)


def _flat(text: str) -> str:
    """Simplified and half-width with blanks folded to one space; lines kept."""
    text = to_halfwidth(to_simplified(text, fold_variants=False))
    return "\n".join(re.sub(r"[ \t]+", " ", _MARKUP.sub("", line)) for line in text.splitlines())


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


# -- names ------------------------------------------------------------------------------------


def _ends_with_any(name: str, endings: list[str]) -> str:
    return max((e for e in endings if name.endswith(e)), key=len, default="")


def organisation_problem(name: str) -> str | None:
    """Why ``name`` is not an organisation's name, or None when it looks like one.

    A unit's name has an organisation or level ending (局, 委员会, 镇, 街道, 人民政府 …) and
    something before it; it does not start with a pronoun (我乡, 本镇) and holds no words of
    a sentence (积极落实, 信息公开).
    """
    vocab = _vocabulary()
    if not name or not _CJK_RUN.fullmatch(name):
        return "not a name"
    if name.startswith(tuple(vocab["pronoun_starts"])):
        return "a pronoun, not a name"
    if name in vocab["generic_names"]:
        return "a category, not a name"
    endings = (
        vocab["official_suffixes"]
        + vocab["department_suffixes"]
        + [entry["suffix"] for entry in vocab["level"]]
    )
    ending = _ends_with_any(name, endings)
    if not ending or len(name) - len(ending) < 1 or len(name) < 2:
        return "no organisation or place ending"
    if len(name) > 30:
        return "too long for a name"
    if _patterns()["not_in_names"].search(name):
        return "part of a sentence, not a name"
    return None


@cache
def official_suffixes() -> tuple[str, ...]:
    """The official endings ``strip_official`` takes off (人民政府, 办事处 …), longest first."""
    return tuple(sorted(_vocabulary()["official_suffixes"], key=len, reverse=True))


def strip_official(name: str) -> str:
    """南湖镇人民政府 → 南湖镇, 新城街道办事处 → 新城街道; other names unchanged."""
    vocab = _vocabulary()
    for suffix in official_suffixes():
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)] + vocab["restore_level"].get(suffix, "")
    return name


def unit_level(unit: str) -> str | None:
    """镇/乡/街道/县/区/市/省/片区 from the name ending, 部门 for departments, None when unclear."""
    vocab = _vocabulary()
    department = _ends_with_any(unit, vocab["department_suffixes"])
    for entry in vocab["level"]:
        if unit.endswith(entry["suffix"]) and len(entry["suffix"]) > len(department):
            return entry["level"]
    return "部门" if department else None


def region_prefix(name: str) -> str | None:
    """The regions a name starts with (嘉兴县 of 嘉兴县南湖镇), when a named unit follows."""
    m = _patterns()["regions"].match(name)
    while m:
        rest = name[m.end() :]
        if len(rest) >= 2 and unit_level(rest) is not None:
            return m.group(0)
        shorter = _patterns()["regions"].match(name[: m.end() - 1])
        m = shorter if shorter and shorter.end() < m.end() else None
    return None


def region_parts(region: str) -> list[str]:
    """杭州市临安区 → ['杭州市', '临安区']; [] when the text is not a chain of regions."""
    parts: list[str] = []
    pos = 0
    while pos < len(region):
        m = _patterns()["region"].match(region, pos)
        if not m:
            return []
        parts.append(m.group(0))
        pos = m.end()
    return parts


def split_region(name: str) -> tuple[str | None, str]:
    """嘉兴县南湖镇 → ('嘉兴县', '南湖镇'); a department keeps its region in its name."""
    region = region_prefix(name)
    if region is None:
        return None, name
    rest = name[len(region) :]
    if unit_level(rest) in ("部门", "片区"):
        return region, name
    return region, rest


def _cut_after_lead(run: str) -> str:
    """A run without its trailing title joiners (关于, 报送) and up to its last lead word."""
    for joiner in sorted(_vocabulary()["title_joiners"], key=len, reverse=True):
        run = run.removesuffix(joiner)
    last = None
    for m in _patterns()["lead"].finditer(run):
        last = m
    return run[last.end() :] if last is not None else run


def _longest_prefix_name(run: str) -> str | None:
    """The longest start of a sentence that is an organisation's name (2023年，某某局坚持…)."""
    for end in range(min(len(run), 25), 1, -1):
        if organisation_problem(run[:end]) is None:
            return run[:end]
    return None


# -- candidates -------------------------------------------------------------------------------


@dataclass
class _Reading:
    """Candidates and refusals gathered from one text."""

    candidates: list[_Candidate]
    refused: list[str]
    title: str | None = None
    title_year: int | None = None

    def offer(self, name: str | None, source: str) -> None:
        if not name:
            return
        problem = organisation_problem(name)
        if problem is None:
            self.candidates.append(_Candidate(name, source))
        elif name not in {r.split(" (")[0] for r in self.refused}:
            self.refused.append(f"{name} ({problem})")


def _year_value(text: str) -> int | None:
    if re.fullmatch(_DIGIT_YEAR, text):
        return int(text)
    try:
        year = chinese_year(text)
    except ValueError:
        return None
    return year if 1990 <= year <= 2100 else None


def _quoted(flat: str, pos: int) -> bool:
    """Inside 《…》: the title of another document cited by the report."""
    return flat.rfind("《", 0, pos) > flat.rfind("》", 0, pos)


def _near_trigger(
    pattern: re.Pattern[str], trigger: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` finds, trying only the places where a match can start.

    Every match holds ``trigger`` within ``_TRIGGER_REACH`` characters of its start, so the
    rest of a long report is never tried: a pattern that opens with up to 40 Chinese
    characters otherwise backtracks through them at every character of the text.
    """
    starts = sorted(
        {
            start
            for hit in trigger.finditer(text)
            for start in range(max(0, hit.start() - _TRIGGER_REACH), hit.start() + 1)
        }
    )
    pos = 0
    for start in starts:
        if start < pos:
            continue
        m = pattern.match(text, start)
        if m:
            yield m
            pos = m.end()  # never empty: every pattern ends in its trigger's words


@lru_cache(maxsize=4)
def _title_phrases(flat: str) -> tuple[tuple[int, str, str | None, int | None, bool], ...]:
    """(offset, words, unit part, year, is a title) of every phrase naming a report.

    Titles end in 报告/年报; sentences such as 现将某某局2024年度政府信息公开工作的有关情况 name
    the unit and year without one.  Phrases inside 《》 cite other documents and are skipped.
    """
    found = []
    for m in _near_trigger(_TITLE_UNIT_FIRST, _TITLE_TRIGGER, flat):
        pre = _cut_after_lead(m.group("pre"))
        start = m.start() + m.group(0).find(pre) if pre else m.start("year")
        found.append(
            (start, flat[start : m.end()].strip(), pre, _year_value(m.group("year")), True)
        )
    for m in _near_trigger(_TITLE_YEAR_FIRST, _TITLE_TRIGGER, flat):
        found.append((m.start(), m.group(0), m.group("post"), _year_value(m.group("year")), True))
    taken = {f[0] for f in found}
    for m in _near_trigger(_TITLE_NO_YEAR, _TITLE_TRIGGER, flat):
        pre = _cut_after_lead(m.group("pre"))
        if m.start() not in taken and pre:
            found.append((m.start(), m.group(0), pre, None, True))
    titles = {f[0] for f in found}
    for m in _near_trigger(_REPORT_SENTENCE, _SENTENCE_TRIGGER, flat):
        pre = _cut_after_lead(m.group("pre"))
        start = m.start() + m.group(0).find(pre) if pre else m.start("year")
        if pre and start not in titles:
            found.append((start, m.group(0), pre, int(m.group("year")), False))
    return tuple(sorted(f for f in found if not _quoted(flat, f[0])))


def _unit_part(part: str | None) -> str | None:
    """A title's unit words with a trailing 政府 kept only when it completes the name."""
    if not part:
        return None
    if part.endswith("政府") and organisation_problem(part[:-2]) is None:
        return part[:-2]
    return part


def _line_title(lines: list[str]) -> str | None:
    """A title on its own line (or over two short lines) among the first lines."""
    for i, line in enumerate(lines[:_HEAD_LINES]):
        if "|" in line or len(line) > 60 or ("信息公开" not in line and "政务公开" not in line):
            continue
        if "报告" in line:
            return line
        if i + 1 < len(lines) and "报告" in lines[i + 1] and len(lines[i + 1]) <= 20:
            return line + lines[i + 1]
    return None


def _read_titles(reading: _Reading, flat: str, lines: list[str]) -> None:
    head_end = _first_sentence_end(flat)
    line_title = _line_title(lines)
    if line_title:
        for _, title, part, year, _is_title in _title_phrases(line_title):
            reading.title, reading.title_year = title, year
            reading.offer(_unit_part(part), "title")
            break
        else:
            reading.title = line_title
    for offset, title, part, year, is_title in _title_phrases(flat):
        in_head = is_title and offset < head_end
        if in_head and reading.title is None:
            reading.title = title
        if in_head and reading.title_year is None and year:
            reading.title_year = year
        reading.offer(_unit_part(part), "title" if in_head else "sentence")


def _first_sentence_end(flat: str) -> int:
    m = re.search(r"[。！？!?]", flat)
    return min(m.end() if m else len(flat), _HEAD_CHARS)


def _read_signature(reading: _Reading, flat: str) -> str | None:
    """The last unit name followed by a date near the end (not a 印发 colophon); its date."""
    tail = flat[-_TAIL_CHARS:]
    signed = None
    for m in _SIGNED.finditer(tail):
        run = _cut_after_lead(m.group("run"))
        if organisation_problem(run) is None:
            signed = (run, m.group("date"))
    if signed:
        reading.offer(signed[0], "signature")
        return signed[1]
    lines = [x for x in tail.splitlines() if x.strip()]
    endings = tuple(_vocabulary()["official_suffixes"])
    for line in reversed(lines[-_TAIL_LINES:]):
        line = re.sub(r"\s+", "", line)
        if len(line) <= 30 and _CJK_RUN.fullmatch(line) and line.endswith(endings):
            reading.offer(line, "signature")
            break
    return None


def _read_sentences(reading: _Reading, flat: str) -> None:
    for m in _SUBJECT.finditer(flat):
        name = _longest_prefix_name(m.group("run"))
        if name:
            reading.offer(name, "subject")
            break
    offices = sorted(_vocabulary()["internal_offices"], key=len, reverse=True)
    for m in _CONTACT.finditer(flat):
        run = _longest_prefix_name(m.group("run")) or ""
        for office in offices:
            if run.endswith(office) and organisation_problem(run[: -len(office)]) is None:
                reading.offer(run[: -len(office)], "contact")
                break


# -- identity ---------------------------------------------------------------------------------


def _core(name: str) -> str:
    """A name without its official ending and its region prefix: what identifies the unit."""
    name = strip_official(name)
    region = region_prefix(name)
    return name[len(region) :] if region else name


def same_unit_names(a: str, b: str) -> bool:
    """Two spellings of one unit: equal without official endings, or one adds regions."""
    a, b = strip_official(a), strip_official(b)
    if a == b:
        return True
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if not longer.endswith(shorter):
        return False
    extra = longer[: -len(shorter)]
    return bool(_patterns()["regions"].fullmatch(extra))


def same_unit_needles(name: str) -> set[str] | None:
    """Pieces of which every name ``same_unit_names`` pairs with ``name`` holds one, whole:
    a table of names is searched for them instead of comparing each name (seconds at tens
    of thousands of units).  None when a piece would be empty (then compare them all).

    The other name, without its official ending, ends with ``name`` without its own, or is
    that without some of its leading regions; its ending may have put back a level
    (``restore_level``), so the pieces leave off as many characters as that can add."""
    vocab = _vocabulary()
    stripped = strip_official(name)
    regions = _patterns()["regions"]
    pieces = {stripped} | {
        stripped[i:] for i in range(1, len(stripped)) if regions.fullmatch(stripped[:i])
    }
    restored = max((len(level) for level in vocab["restore_level"].values()), default=0)
    needles = {p[: len(p) - restored] for p in pieces}
    return None if "" in needles else needles


def _choose(candidates: list[_Candidate]) -> tuple[_Candidate | None, list[str]]:
    """The best-stated candidate, upgraded to its fullest spelling; the other spellings."""
    if not candidates:
        return None, []
    best = max(candidates, key=lambda c: c.rank)
    same = [c for c in candidates if same_unit_names(c.name, best.name)]
    fullest = max(same, key=lambda c: (len(strip_official(c.name)), c.rank))
    names = sorted({c.name for c in same} - {fullest.name, best.name} | {best.name})
    names = [n for n in names if n != fullest.name]
    return _Candidate(fullest.name, best.source), names


def _fuller_in_text(name: str, text: str) -> str | None:
    """The region-prefixed form of a bare department name used most often in the text."""
    region = _patterns()["regions"].pattern
    counts: dict[str, int] = {}
    for m in re.finditer(rf"({region}){re.escape(name)}", text):
        prefix = region_prefix(m.group(1) + name)
        if prefix:
            full = prefix + name
            counts[full] = counts.get(full, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda n: (counts[n], len(n)))


def _unit_full(unit: str, text: str, signature: str | None) -> str | None:
    """The official name (南湖镇人民政府) when the text writes it; departments are already."""
    if unit_level(unit) in ("部门", "片区", None):
        return None
    if signature and unit in signature and signature != unit:
        return signature
    vocab = _vocabulary()
    blocked = tuple(vocab["official_not_before"])
    for suffix in sorted(vocab["official_suffixes"], key=len, reverse=True):
        name = unit + suffix
        at = text.find(name)
        while at >= 0:
            if not text.startswith(blocked, at + len(name)):
                return name
            at = text.find(name, at + len(name))
    return None


@cache
def _parent_pattern() -> re.Pattern[str]:
    """Regions at a word boundary right before the unit named in front of the text.

    The unit is the text's first part, up to a NUL, and the pattern refers back to it: one
    pattern compiled once serves every unit (the region words make a pattern tens of
    milliseconds to compile, too slow to build for each report)."""
    region = _patterns()["region"].pattern
    return re.compile(
        rf"(?P<unit>[^\x00]+)\x00.*?(?:(?<=\x00)|[^{CJK}])"
        rf"(?P<regions>(?:{region}){{1,3}})(?P=unit)",
        re.DOTALL,
    )


def _parent_in_text(unit: str, text: str) -> str | None:
    """A region written right before the unit at a word boundary (地址：嘉兴县南湖镇…)."""
    if not unit or unit not in text:
        return None
    m = _parent_pattern().match(unit + "\x00" + text.replace("\x00", " "))
    return m.group("regions") if m else None


# -- year and dates ---------------------------------------------------------------------------


def _year(reading: _Reading, flat: str) -> int | None:
    """The year reported on: the title's, the statistics period's, a report phrase's."""
    if reading.title_year:
        return reading.title_year
    squeezed = re.sub(r"\s+", "", flat)
    for pattern in (_PERIOD, _PERIOD_START):
        for m in pattern.finditer(squeezed):
            year = int(m.group(1))
            end = m.group(2) if pattern is _PERIOD else None
            if end is None or int(end) == year:
                return year
    for _, _, _, stated, _is_title in _title_phrases(flat):
        if stated:
            return stated
    subject = _SUBJECT.search(flat)
    return int(subject.group(1)) if subject else None


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
    digits = "〇一二三四五六七八九"
    return int("".join(str(digits.index(c) if c not in "零○Ｏ" else 0) for c in text))


def _small_number(text: str) -> int:
    import cn2an  # a few tenths of a second to import; questions naming units never need it

    return int(cn2an.cn2an(text, "smart"))


# -- entry point ------------------------------------------------------------------------------


def detect_metadata(text: str) -> ReportMeta:
    """Everything the text states about the report."""
    chrome = find_chrome(text)
    clean = chrome.blank(text)
    flat = _flat(clean)
    lines = [x for x in (_light(line) for line in clean.splitlines()) if x]
    head = lines[:_HEAD_LINES]
    vocab = _vocabulary()
    reading = _Reading([], [])
    reading.offer(_field(head, vocab["unit_fields"]), "field")
    _read_titles(reading, flat, lines)
    signature_date = _read_signature(reading, flat)
    source = to_simplified(chrome.fields.get("source", ""), fold_variants=False)
    reading.offer(re.sub(r"\s+", "", source) or None, "source")
    _read_sentences(reading, flat)

    best, names = _choose(reading.candidates)
    light_text = _light(clean)
    meta = ReportMeta(
        title=reading.title, year=_year(reading, flat), refused=tuple(reading.refused)
    )
    if best is not None:
        raw = strip_official(best.name)
        if unit_level(raw) in ("部门", "片区") and region_prefix(raw) is None:
            fuller = _fuller_in_text(raw, light_text)
            if fuller:
                names.append(raw)
                raw = fuller
        parent, unit = split_region(raw)
        signature = next((c.name for c in reading.candidates if c.source == "signature"), None)
        meta = replace(
            meta,
            unit=unit,
            parent=parent or _parent_in_text(unit, "\n".join(lines)),
            level=unit_level(unit),
            unit_full=_unit_full(unit, light_text, signature),
            matched=best.source,
            names=tuple(dict.fromkeys(n for n in names if strip_official(n) != unit)),
        )
    date_field = _field(head, vocab["date_fields"])
    published = _date(date_field) if date_field else None
    if published is None and signature_date:
        published = _date(signature_date)
    if published is None:
        for line in reversed(lines[-_TAIL_LINES:]):
            if len(line) <= 20 and (published := _date(line)):
                break
    if published is None and chrome.fields.get("time"):
        published = _date(chrome.fields["time"])
    return replace(meta, published=published)
