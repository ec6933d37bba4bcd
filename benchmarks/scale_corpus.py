"""A corpus of N realistic report files for the scale benchmark, deterministic for a seed.

    python -m benchmarks.scale_corpus OUT_DIR [--reports N] [--seed S]
    python -m benchmarks.scale_corpus --check WORKDIR     # do the numbers still add up?

Every file is a real report (the bundled samples, multi-line; the copied web pages of
``tests/data/corpus/text``, one long line) rewritten for a new unit of a made-up region:

- **Units at every level.** Each region (某某县, 某某区, 某某市) gets its government, departments
  (某某县公安局, 某某区财政局 …), area bureaus (某某片区管理局) and towns (镇, 乡, 街道). The
  source's unit, its region and their place names are replaced everywhere the text names them
  (title, signature, body, 来源); where the text never names the unit with its region, the
  first mention (usually the title) gets the region, so the region knows its units.
- **Years.** A unit has one to six consecutive years; each year's report comes from a source
  of the same template era (before 2019, the 2019 template, the 2021 template) and every year
  in it moves by the same amount.
- **Numbers.** Every figure of the report (table cells and prose figures with a measure word)
  is multiplied by one random small integer: sums and 勾稽 relations are linear, so they
  still hold. Years, dates, phone numbers, document and article numbers, list numbers and
  percentages stay. A one-line source whose flattened tables run non-zero cells together
  (``行政许可4500``: 45|0|0 or 4|50|0?) cannot be scaled cell by cell, so its figures stay as
  they are (factor 1); only its names and years change.

Writes ``OUT_DIR/reports/NNN/*.txt|md`` (1,000 files a folder) and ``OUT_DIR/manifest.jsonl``,
one line per report: file, unit, kind, level, region, year, source, factor, prose figures.
Nothing here imports the product: the benchmark drives it through its command line only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "ingest" / "samples"
CORPUS = ROOT / "tests" / "data" / "corpus"

# Template eras: a source only moves to years of its own era.
OLD, NEW2019, NEW2021 = "pre2019", "national2019", "national2021"
ERA_YEARS = {OLD: range(2009, 2019), NEW2019: range(2019, 2021), NEW2021: range(2021, 2026)}

# Characters of made-up place names: common in real ones, none a level word or a numeral.
_PLACE_CHARS = (
    "安宝北滨昌城川春德东丰凤福港高古广海和河红华淮黄惠吉江金锦景康乐丽临龙鹿罗马梅明南宁"
    "浦青清庆泉仁荣瑞沙山石双顺松泰桃天通文溪仙新兴秀阳杨永玉元云竹紫白柏碧岑池崇丹枫岗"
    "桂汉禾鹤横虹湖槐桦嘉建蛟洁津晋靖菊兰岚蓝朗黎莲林柳隆芦鲁绿茂美岷宁鸥彭屏萍祁岐琪"
    "秦勤琼秋榕汝邵盛狮舒曙棠陶藤恬童潼湾旺威渭温沃梧峡霞湘祥萧潇晓杏旭轩雁燕瑶宜银盈"
    "榆渔雨玉裕源月岳越韵樟昭臻芝稚舟珠"
)
_REGION_TYPES = ("县", "县", "区", "市")
_NOT_REGION_LAST = "新城山林湖景园郊"
_TOWN_LEVELS = ("镇", "镇", "镇", "乡", "街道")
DEPARTMENTS = (
    "公安局",
    "财政局",
    "教育局",
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "发展和改革局",
    "科学技术局",
    "工业和信息化局",
    "退役军人事务局",
    "林业局",
    "城市管理局",
    "行政审批局",
    "信访局",
    "档案局",
    "体育局",
)
_REGION_SPELLING = re.compile(r"^([\u4e00-\u9fff]{2,}?(?:综合实验区|新区|区|县|市))(.*)$")
_SAMPLE_TITLE_UNIT = re.compile(r"^([\u4e00-\u9fff]{1,4}(?:镇|鎮|乡|鄉|街道))")
_GOVERNMENT_ENDINGS = ("管委会", "管理委员会", "人民政府", "政府")

# -- numbers ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![0-9])[0-9]+(?:[.．][0-9]+)*(?![0-9])")
_SPACE = " \t\r\n\u3000\u00a0"
# What follows a figure of the report (a count, an amount).
_MEASURES = (
    "人次",
    "万元",
    "萬元",
    "条",
    "條",
    "件",
    "篇",
    "次",
    "人",
    "个",
    "個",
    "元",
    "场",
    "場",
    "余",
    "餘",
    "多",
    "项",
    "項",
    "家",
    "份",
    "期",
    "批",
    "名",
    "户",
    "戶",
    "宗",
    "起",
    "笔",
    "筆",
    "张",
    "張",
    "套",
    "轮",
    "輪",
    "万",
    "萬",
    "亿",
    "億",
    "部",
    "本",
    "册",
    "冊",
    "天",
)
# What follows a number that is not a figure: dates, addresses, times, ordinals.
_NOT_FIGURE_AFTER = (
    "年",
    "月",
    "日",
    "号",
    "號",
    "时",
    "時",
    "小时",
    "小時",
    "点",
    "點",
    "分",
    "秒",
    "周年",
    "週年",
    "周岁",
    "岁",
    "歲",
    "楼",
    "樓",
    "层",
    "層",
    "路",
    "届",
    "屆",
    "%",
    "％",
    "‰",
    "至",
)
_PHONE_WORDS = (
    "电话",
    "電話",
    "传真",
    "傳真",
    "邮编",
    "郵編",
    "手机",
    "手機",
    "热线",
    "熱線",
    "电 话",
)
_NEVER_NEXT_TO = "-－–—/@_"  # codes, phone numbers, e-mail, URLs
_LIST_END = ".．、)）"


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    role: str  # year, keep, figure, cell, long (kept)


def _is_year(token: str, before: str, after: str, rest: str) -> bool:
    if not (len(token) == 4 and token.isdigit() and 1990 <= int(token) <= 2035):
        return False
    return rest.startswith("年") or before in "〔([（【" or after in "-－–—/.．〕)]）】"


def _is_code(text: str, start: int, end: int) -> bool:
    """Part of a phone number, date, time, e-mail address, URL or code (2019-56831, 163.com)."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    following = text[end + 1] if end + 1 < len(text) else ""
    if before in _NEVER_NEXT_TO or after in _NEVER_NEXT_TO + ":：":
        return True
    if before in ":：" and start >= 2 and text[start - 2].isdigit():
        return True  # 00:00
    if (before.isascii() and before.isalnum()) or (after.isascii() and after.isalpha()):
        return True
    if after in ".．" and following.isascii() and following.isalpha():
        return True  # 163.com
    return any(w in text[max(0, start - 8) : start] for w in _PHONE_WORDS)


def _is_list_number(text: str, start: int, end: int) -> bool:
    """1. 2、 （3）: a short number closed by a list mark, at a line or clause start."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    following = text[end + 1] if end + 1 < len(text) else ""
    if end - start > 2 or after not in _LIST_END or following.isdigit():
        return False
    return not start or before in _SPACE + "（(，,。；;：:|"


def _role(text: str, start: int, end: int) -> str:
    """What a number is: a year to move, a number to keep, a figure or a table cell to scale."""
    token = text[start:end]
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    rest = text[_skip_space(text, end) : _skip_space(text, end) + 3]
    if token.count(".") + token.count("．") > 1:
        return "keep"  # 2018.12.26, version numbers
    if _is_year(token, before, after, rest):
        return "year"
    if _is_code(text, start, end) or _is_list_number(text, start, end):
        return "keep"
    if before == "计" and start >= 2 and text[start - 2] not in "共合总累统":
        return "keep"  # 不同渠道公开相同信息计1条: a counting rule, not a figure
    if before in "第至" or rest.startswith(_NOT_FIGURE_AFTER):
        return "keep"
    if rest.startswith(_MEASURES):
        return "keep" if len(token.split(".")[0]) >= 9 else "figure"
    if len(token) >= 7:
        return "long"  # a phone or account number, or table cells run together: kept
    return "cell"


def number_tokens(text: str) -> list[_Token]:
    """Every run of ASCII digits in ``text`` with its role."""
    return [
        _Token(m.start(), m.end(), m.group(), _role(text, m.start(), m.end()))
        for m in _NUMBER.finditer(text)
    ]


def _zero_like(token: _Token, text: str) -> bool:
    """0, 0000000, or zeros run into the next row's list number (00000002.)."""
    digits = token.text
    if set(digits) <= {"0", ".", "．"}:
        return True
    after = text[token.end] if token.end < len(text) else ""
    return bool(re.fullmatch(r"0+[1-9]", digits)) and after in _LIST_END


def _scaled(token: str, factor: int) -> str:
    """``token`` times ``factor``; zeros and zero-led runs (000, 01) are several cells: kept."""
    if factor == 1 or (token.startswith("0") and not token.startswith(("0.", "0．"))):
        return token
    value = Decimal(token.replace("．", ".")) * factor
    if "." in token or "．" in token:
        places = len(token.replace("．", ".").split(".")[1])
        return f"{value:.{places}f}"
    return str(int(value))


# -- sources ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One real report used as a template, and how its text names things."""

    slug: str
    path: Path
    text: str
    year: int
    era: str
    kind: str  # town, area, department, government
    unit: str  # the unit as the text spells it (平潭…公安局, 西集镇)
    region: str  # the region prefix of its name or the region written before it ('' if none)
    region_place: str  # 平潭 of 平潭综合实验区
    own: str  # the unit without its region: 公安局, 海坛片区管理局, 西集镇, ''
    own_place: str  # 海坛 of 海坛片区管理局, 西集 of 西集镇
    one_line: bool
    scalable: bool  # its figures can be multiplied cell by cell


def _era(year: int) -> str:
    return OLD if year < 2019 else NEW2019 if year < 2021 else NEW2021


def _place_of(name: str) -> str:
    for ending in (
        "综合实验区",
        "片区管理局",
        "片区",
        "新区",
        "街道",
        "区",
        "县",
        "市",
        "镇",
        "乡",
        "鎮",
        "鄉",
        "區",
        "縣",
    ):
        if name.endswith(ending) and len(name) - len(ending) >= 2:
            return name[: -len(ending)]
    return ""


def _is_scalable(text: str, one_line: bool) -> bool:
    """A multi-line report keeps one cell a line; a one-line one only when no non-zero table
    cell is run together with others (all its table cells are 0 or zeros)."""
    if not one_line:
        return True
    return all(t.role not in ("cell", "long") or _zero_like(t, text) for t in number_tokens(text))


def _source(slug: str, path: Path, unit: str, year: int, era: str) -> Source:
    text = path.read_text("utf-8")
    one_line = sum(1 for line in text.splitlines() if line.strip()) <= 3
    region, own = "", unit
    spelled = _REGION_SPELLING.match(unit)
    if spelled and spelled.group(2):
        region, own = spelled.group(1), spelled.group(2)
    else:
        before = re.search(r"([\u4e00-\u9fff]{2}[区县市區縣])" + re.escape(unit), text)
        region = before.group(1) if before else ""
    if own in _GOVERNMENT_ENDINGS:
        kind, own = "government", ""
    elif own.endswith("片区管理局"):
        kind = "area"
    elif own.endswith(("镇", "乡", "街道", "鎮", "鄉")):
        kind = "town"
    else:
        kind = "department"
    return Source(
        slug=slug,
        path=path,
        text=text,
        year=year,
        era=era,
        kind=kind,
        unit=unit,
        region=region,
        region_place=_place_of(region),
        own=own,
        own_place=_place_of(own) if kind in ("area", "town") else "",
        one_line=one_line,
        scalable=_is_scalable(text, one_line),
    )


def load_sources() -> list[Source]:
    """The bundled samples (unit and year from the title) and the copied corpus texts."""
    sources = []
    for path in sorted(SAMPLES.iterdir()):
        lines = path.read_text("utf-8").splitlines()
        title = next(
            line for line in lines if not line.startswith("|") and re.search(r"20\d\d", line)
        )
        year = int(re.search(r"20\d\d", title).group())
        segments = [s for s in re.split(r"[\s0-9年度#|]+", title) if s]
        unit = next(m.group(1) for s in segments if (m := _SAMPLE_TITLE_UNIT.match(s)))
        sources.append(_source(path.stem, path, unit, year, _era(year)))
    for line in (CORPUS / "sources.jsonl").read_text("utf-8").splitlines():
        meta = json.loads(line)
        era = OLD if meta["format"] == "old" else _era(meta["year"])
        path = CORPUS / meta["text"]
        sources.append(_source(meta["slug"], path, meta["unit"], meta["year"], era))
    return sources


# -- the plan: regions, units, years -----------------------------------------------------------


@dataclass
class PlannedReport:
    file: str
    unit: str  # the name the text gives the unit (its short official name)
    kind: str  # government, department, area, town
    level: str
    region: str
    year: int
    source: str
    factor: int
    figures: list[dict] = field(default_factory=list)  # prose figures: phrase, value


class _Names:
    """Unique made-up place names: two characters while they last, then three."""

    def __init__(self, rng: random.Random) -> None:
        chars = sorted(set(_PLACE_CHARS))
        pairs = [a + b for a in chars for b in chars if a != b]
        rng.shuffle(pairs)
        self._pairs = pairs
        self._rng = rng
        self._chars = chars
        self.used: set[str] = set()

    def take_region(self) -> str:
        """A region's place: not one that makes a category word with 区 (新区, 城区, 山区)."""
        while True:
            name = self.take()
            if name[-1] not in _NOT_REGION_LAST:
                return name

    def take(self) -> str:
        while self._pairs:
            name = self._pairs.pop()
            if name not in self.used:
                self.used.add(name)
                return name
        while True:
            name = "".join(self._rng.sample(self._chars, 3))
            if name not in self.used:
                self.used.add(name)
                return name


def _years(rng: random.Random, first: int, last: int) -> list[int]:
    count = rng.choice((1, 2, 2, 3, 3, 4, 5, 6))
    start = rng.randint(first, max(first, last - count + 1))
    return list(range(start, min(last, start + count - 1) + 1))


def _pools(sources: list[Source]) -> dict[tuple[str, str], list[Source]]:
    """Sources by (unit kind they can play, era). Towns after 2018 borrow the area bureaus'."""
    pools: dict[tuple[str, str], list[Source]] = {}
    for s in sources:
        pools.setdefault((s.kind, s.era), []).append(s)
        if s.kind == "area":
            pools.setdefault(("town", s.era), []).append(s)
    return pools


@dataclass(frozen=True)
class _Unit:
    kind: str
    name: str  # what the report calls the unit
    level: str
    region: str
    region_place: str
    place: str  # a town's or area's own place name
    department: str


def plan(n_reports: int, seed: int = 0) -> Iterator[tuple[_Unit, int, Source, int]]:
    """(unit, year, source, factor) for ``n_reports`` reports, region by region."""
    rng = random.Random(seed)
    names = _Names(rng)
    pools = _pools(load_sources())
    made = 0
    while made < n_reports:
        place = names.take_region()
        region = place + rng.choice(_REGION_TYPES)
        units = [_Unit("government", region, region[-1], region, place, "", "")]
        for department in rng.sample(DEPARTMENTS, rng.randint(4, 12)):
            units.append(
                _Unit("department", region + department, "部门", region, place, "", department)
            )
        for _ in range(rng.randint(0, 3)):
            own = names.take()
            units.append(_Unit("area", f"{region}{own}片区管理局", "片区", region, place, own, ""))
        for _ in range(rng.randint(3, 14)):
            own = names.take()
            level = rng.choice(_TOWN_LEVELS)
            units.append(_Unit("town", own + level, level, region, place, own, ""))
        for unit in units:
            first = 2019 if unit.kind == "area" else 2009
            for year in _years(rng, first, 2025):
                pool = pools.get((unit.kind, _era(year)))
                if not pool:
                    continue
                source = rng.choice(pool)
                factor = rng.randint(2, 9) if source.scalable else 1
                yield unit, year, source, factor
                made += 1
                if made >= n_reports:
                    return


# -- rendering ---------------------------------------------------------------------------------


def _renames(source: Source, unit: _Unit) -> dict[str, str]:
    """Source spellings → the new unit's, longest first when applied."""
    region = unit.region
    out: dict[str, str] = {}
    if source.region_place:
        for ending in ("综合实验区", "新区", "区", "县", "市", "區", "縣"):
            out[source.region_place + ending] = region
        out[source.region_place] = unit.region_place
    if source.region:
        out[source.region] = region
    if unit.kind == "government":
        return out
    if unit.kind == "department":
        if source.own:
            out[source.own] = unit.department
        return out
    new_own = unit.name if unit.kind == "town" else f"{unit.place}片区管理局"
    if source.own:
        out[source.own] = new_own
    if source.own_place:
        out[source.own_place] = unit.place
        if source.kind == "area":
            out[source.own_place + "片区"] = (
                unit.name if unit.kind == "town" else unit.place + "片区"
            )
    return out


def _apply_renames(text: str, renames: dict[str, str]) -> str:
    if not renames:
        return text
    pattern = re.compile("|".join(re.escape(k) for k in sorted(renames, key=len, reverse=True)))
    return pattern.sub(lambda m: renames[m.group()], text)


def _renumber(text: str, tokens: list[_Token], delta: int, factor: int) -> str:
    out, last = [], 0
    for t in tokens:
        out.append(text[last : t.start])
        if t.role == "year":
            out.append(str(int(t.text) + delta))
        elif t.role in ("figure", "cell"):
            out.append(_scaled(t.text, factor))
        else:
            out.append(t.text)
        last = t.end
    out.append(text[last:])
    return "".join(out)


_PROSE_FIGURE = re.compile(
    r"公众号[^。；，0-9]{0,12}?(?:发布|推送)[^。；，0-9]{0,6}?([0-9]+)\s*(篇|条)"
)


def render(source: Source, unit: _Unit, year: int, factor: int) -> tuple[str, list[dict]]:
    """The source's text for ``unit`` and ``year``, its figures multiplied by ``factor``."""
    text = _renumber(source.text, number_tokens(source.text), year - source.year, factor)
    text = _apply_renames(text, _renames(source, unit))
    own = {"town": unit.name, "area": f"{unit.place}片区管理局", "department": unit.department}
    regionless = own.get(unit.kind, "")
    if regionless and unit.region + regionless not in text:
        first = text.find(regionless)  # the title, or the first sentence that names the unit
        if first >= 0:
            text = text[:first] + unit.region + text[first:]
    figures = [
        {"phrase": "公众号发布", "measure": m.group(2), "value": int(m.group(1))}
        for m in _PROSE_FIGURE.finditer(text)
    ]
    return text, figures[:1]


def generate(out_dir: Path, n_reports: int, seed: int = 0) -> list[PlannedReport]:
    """Write ``n_reports`` report files and ``manifest.jsonl`` under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    reports: list[PlannedReport] = []
    with (out_dir / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for i, (unit, year, source, factor) in enumerate(plan(n_reports, seed)):
            text, figures = render(source, unit, year, factor)
            relative = Path("reports") / f"{i // 1000:03d}" / f"r{i:06d}{source.path.suffix}"
            path = out_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            report = PlannedReport(
                file=str(relative),
                unit=unit.name,
                kind=unit.kind,
                level=unit.level,
                region=unit.region,
                year=year,
                source=source.slug,
                factor=factor,
                figures=figures,
            )
            manifest.write(json.dumps(asdict(report), ensure_ascii=False) + "\n")
            reports.append(report)
    return reports


def read_manifest(out_dir: Path) -> list[PlannedReport]:
    lines = (out_dir / "manifest.jsonl").read_text("utf-8").splitlines()
    return [PlannedReport(**json.loads(line)) for line in lines if line.strip()]


# -- checking the generator against the product ---------------------------------------------

_SUMMARY = re.compile(
    r"^\s*(\w+)\s+(\S+): (.+?) (\d{4}) \[(\w+)\] passages (\d+), statistics (\d+), "
    r"conflicts (\d+), failed checks (\d+), skipped rows (\d+), ambiguous rows (\d+)"
)


def nianbao_command() -> list[str]:
    """The installed ``nianbao`` command (next to this Python, else on PATH)."""
    import shutil
    import sys

    beside = Path(sys.executable).with_name("nianbao")
    found = str(beside) if beside.exists() else shutil.which("nianbao")
    if not found:
        raise SystemExit("nianbao is not installed: pip install -e . in the repository first")
    return [found]


def ingest_lines(paths: list[Path], db: Path) -> dict[str, dict]:
    """Run ``nianbao ingest`` and read its per-file lines: file name → figures."""
    import subprocess

    done = subprocess.run(
        [*nianbao_command(), "ingest", *map(str, paths), "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    out = {}
    for line in done.stdout.splitlines():
        if m := _SUMMARY.match(line):
            names = ("status", "file", "unit", "year", "template", "passages", "statistics")
            names += ("conflicts", "failed_checks", "skipped_rows", "ambiguous_rows")
            out[m.group(2)] = dict(zip(names, m.groups(), strict=True))
    return out


def _official_values(db: Path) -> dict[str, dict[str, float]]:
    """source file → {statistic key: official value} (the schema is the product's contract)."""
    import sqlite3

    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT r.source_file, s.key, s.value FROM statistics s JOIN reports r "
        "ON r.id = s.report_id WHERE s.official = 1 AND s.value IS NOT NULL"
    )
    out: dict[str, dict[str, float]] = {}
    for file, key, value in rows:
        out.setdefault(file, {})[key] = value
    conn.close()
    return out


def check(workdir: Path, seed: int = 0) -> list[dict]:
    """One generated report per source, ingested next to the source itself: are the unit and
    year read as generated, and do statistics, failed checks, conflicts and row problems
    stay the source's own (values times the factor)?"""
    rng = random.Random(seed)
    names = _Names(rng)
    sources = load_sources()
    originals, generated = workdir / "sources", workdir / "generated"
    for folder in (originals, generated):
        folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for source in sources:
        place = names.take_region()
        region = place + rng.choice(_REGION_TYPES)
        own = names.take()
        unit = {
            "government": _Unit("government", region, region[-1], region, place, "", ""),
            "department": _Unit(
                "department", region + "审计局", "部门", region, place, "", "审计局"
            ),
            "area": _Unit("area", f"{region}{own}片区管理局", "片区", region, place, own, ""),
            "town": _Unit("town", own + "镇", "镇", region, place, own, ""),
        }[source.kind]
        years = [y for y in ERA_YEARS[source.era] if y != source.year] or [source.year]
        year = rng.choice(years)
        factor = 3 if source.scalable else 1
        name = source.slug + source.path.suffix
        (originals / name).write_text(source.text, encoding="utf-8")
        (generated / name).write_text(render(source, unit, year, factor)[0], encoding="utf-8")
        expected[name] = (unit, year, factor)
    before = ingest_lines([originals], workdir / "sources.db")
    after = ingest_lines([generated], workdir / "generated.db")
    values_before = _official_values(workdir / "sources.db")
    values_after = _official_values(workdir / "generated.db")
    results = []
    for name, (unit, year, factor) in expected.items():
        b, a = before.get(name, {}), after.get(name, {})
        vb, va = values_before.get(name, {}), values_after.get(name, {})
        wrong = sorted(k for k in vb.keys() & va.keys() if abs(va[k] - vb[k] * factor) > 1e-6)
        results.append(
            {
                "file": name,
                "factor": factor,
                "unit": a.get("unit"),
                "unit_expected": unit.name,
                "year": a.get("year"),
                "year_expected": str(year),
                **{
                    f: f"{b.get(f)}→{a.get(f)}"
                    for f in ("statistics", "conflicts", "failed_checks", "ambiguous_rows")
                },
                "values_missing": len(vb.keys() - va.keys()),
                "values_new": len(va.keys() - vb.keys()),
                "values_wrong": len(wrong),
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="check the generator (see check())")
    args = parser.parse_args()
    if args.check:
        rows = check(args.out_dir, args.seed)
        for row in rows:
            print("  ".join(f"{k}={v}" for k, v in row.items()))
        same = [
            r
            for r in rows
            if r["unit"] == r["unit_expected"]
            and r["year"] == r["year_expected"]
            and all(
                len(set(r[f].split("→"))) == 1
                for f in ("statistics", "conflicts", "failed_checks", "ambiguous_rows")
            )
            and r["values_missing"] == r["values_new"] == r["values_wrong"] == 0
        ]
        print(
            f"{len(same)}/{len(rows)} sources: unit and year read as generated; statistics, "
            "conflicts, failed checks and ambiguous rows as the source's own; "
            "every value the source's times the factor"
        )
        return
    reports = generate(args.out_dir, args.reports, args.seed)
    units = {(r.unit, r.region) for r in reports}
    regions = {r.region for r in reports}
    scaled = sum(r.factor > 1 for r in reports)
    print(
        f"{len(reports)} reports of {len(units)} units in {len(regions)} regions "
        f"({scaled} with new figures) in {args.out_dir}"
    )


if __name__ == "__main__":
    main()
