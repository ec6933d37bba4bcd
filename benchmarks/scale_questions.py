"""The fixed question mix of the scale benchmark, built from a generated corpus's manifest.

Nine kinds, each asked ``per_kind`` times: a figure (number), a sub-statistic, a sum, a
ranking, a comparison, a trend, a passage, an open figure from prose (公众号发布多少篇) and
questions the corpus cannot answer (an unknown unit, a year the unit has no report for).
About half name a unit, some name a region (its government's reports, or the region as the
scope of a sum or ranking). Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from benchmarks.scale_corpus import PlannedReport

KINDS = ("number", "sub", "sum", "ranking", "compare", "trend", "passage", "figure", "none")
EXPECTED = {"sub": "number", "figure": "number"}  # the answer kind each question kind wants

# (how a figure question asks, how a comparison or trend names it). The national templates'
# tables count applications, 复议 and 诉讼 but hold no 主动公开 total, so that one is asked of
# years before 2019 only.
_STATISTICS = (
    ("收到多少件政府信息公开申请", "收到的政府信息公开申请"),
    ("行政复议多少件", "行政复议"),
    ("行政诉讼多少件", "行政诉讼"),
)
_PUBLISHED = ("主动公开政府信息多少条", "主动公开政府信息")
# Sub-statistics by template era: the pre-2019 统计表 and the national template's tables.
_SUB_OLD = (
    "政务微信公开政府信息数",
    "当面申请数",
    "行政复议维持具体行政行为数",
    "举办各类培训班数",
)
_SUB_NEW = ("予以公开多少件", "行政许可处理决定数量", "行政处罚处理决定数量", "部分公开多少件")


@dataclass(frozen=True)
class Question:
    kind: str  # one of KINDS
    text: str
    names: str  # unit, region or - (what the question names)

    @property
    def expected(self) -> str:
        return EXPECTED.get(self.kind, self.kind)


class _Corpus:
    """The manifest by unit, region and year."""

    def __init__(self, reports: list[PlannedReport]) -> None:
        self.reports = reports
        self.years: dict[str, set[int]] = defaultdict(set)
        self.kind: dict[str, str] = {}
        self.region: dict[str, str] = {}
        self.by_region_year: dict[tuple[str, int], list[str]] = defaultdict(list)
        for r in reports:
            self.years[r.unit].add(r.year)
            self.kind[r.unit] = r.kind
            self.region[r.unit] = r.region
            self.by_region_year[(r.region, r.year)].append(r.unit)
        self.units = sorted(self.years)
        self.governments = [u for u in self.units if self.kind[u] == "government"]
        self.all_years = sorted({r.year for r in reports})


def _statistic(rng: random.Random, year: int) -> tuple[str, str]:
    return rng.choice(_STATISTICS + ((_PUBLISHED,) if year < 2019 else ()))


def _unit_year(rng: random.Random, c: _Corpus, units: list[str]) -> tuple[str, int]:
    unit = rng.choice(units)
    return unit, rng.choice(sorted(c.years[unit]))


def _number(rng: random.Random, c: _Corpus, i: int) -> Question:
    by_region = i % 3 == 2 and c.governments
    unit, year = _unit_year(rng, c, c.governments if by_region else c.units)
    asked = _statistic(rng, year)[0]
    return Question("number", f"{unit}{year}年{asked}", "region" if by_region else "unit")


def _sub(rng: random.Random, c: _Corpus, i: int) -> Question:
    unit, year = _unit_year(rng, c, c.units)
    asked = rng.choice(_SUB_OLD if year < 2019 else _SUB_NEW)
    names = "region" if c.kind[unit] == "government" else "unit"
    return Question("sub", f"{unit}{year}年{asked}", names)


def _pair(rng: random.Random, c: _Corpus) -> tuple[str, str, int]:
    """Two units of one region with a report for the same year (or any two)."""
    groups = [units for units in c.by_region_year.values() if len(set(units)) >= 2]
    year_of = {id(units): key[1] for key, units in c.by_region_year.items()}
    if not groups:
        a, b = rng.sample(c.units, 2) if len(c.units) > 1 else (c.units[0], c.units[0])
        return a, b, rng.choice(sorted(c.years[a]))
    units = rng.choice(groups)
    a, b = rng.sample(sorted(set(units)), 2)
    return a, b, year_of[id(units)]


def _sum(rng: random.Random, c: _Corpus, i: int) -> Question:
    year = rng.choice(c.all_years)
    if i % 4 == 0:
        a, b, year = _pair(rng, c)
        return Question("sum", f"{a}和{b}{year}年行政诉讼一共多少件", "unit")
    if i % 4 == 1:
        region = c.region[rng.choice(c.governments or c.units)]
        asked = _statistic(rng, year)[1]
        return Question("sum", f"{region}各镇{year}年{asked}一共多少", "region")
    if i % 4 == 2:
        return Question("sum", f"{year}年各单位新收的政府信息公开申请一共多少件", "-")
    return Question("sum", f"{year}年各镇{_statistic(rng, year)[1]}一共多少", "-")


def _ranking(rng: random.Random, c: _Corpus, i: int) -> Question:
    year = rng.choice(c.all_years)
    if i % 4 == 1:
        region = c.region[rng.choice(c.governments or c.units)]
        asked = _statistic(rng, year)[1]
        return Question("ranking", f"{region}{year}年哪个镇{asked}最多", "region")
    level = ("镇", "部门", "乡", "单位")[i % 4]
    asked = _statistic(rng, year)[1]
    extreme = "最少" if i % 5 == 4 else "最多"
    return Question("ranking", f"{year}年哪个{level}{asked}{extreme}", "-")


def _compare(rng: random.Random, c: _Corpus, i: int) -> Question:
    a, b, year = _pair(rng, c)
    asked = _statistic(rng, year)[1]
    return Question("compare", f"{a}和{b}{year}年{asked}相比", "unit")


def _trend(rng: random.Random, c: _Corpus, i: int) -> Question:
    by_region = i % 4 == 3 and c.governments
    unit = rng.choice(c.governments if by_region else c.units)
    asked = _statistic(rng, min(c.years[unit]))[1]
    return Question("trend", f"{unit}历年{asked}", "region" if by_region else "unit")


def _passage(rng: random.Random, c: _Corpus, i: int) -> Question:
    by_region = i % 4 == 3 and c.governments
    unit, year = _unit_year(rng, c, c.governments if by_region else c.units)
    names = "region" if by_region else "unit"
    if i % 2:
        return Question("passage", f"{unit}的信息公开工作联系电话是多少", names)
    return Question("passage", f"{unit}{year}年政务公开存在什么问题", names)


def _figure(rng: random.Random, c: _Corpus, i: int) -> Question | None:
    with_figures = [r for r in c.reports if r.figures]
    if not with_figures:
        return None
    report = rng.choice(with_figures)
    measure = report.figures[0]["measure"]
    return Question("figure", f"{report.unit}{report.year}年公众号发布多少{measure}", "unit")


def _none(rng: random.Random, c: _Corpus, i: int) -> Question:
    if i % 2 == 0:
        unit = "无此" + rng.choice("东西南北") + "镇"
        return Question("none", f"{unit}{rng.choice(c.all_years)}年行政诉讼多少件", "unit")
    unit = rng.choice(c.units)
    missing = [y for y in range(2009, 2026) if y not in c.years[unit]]
    year = rng.choice(missing) if missing else 2008
    return Question("none", f"{unit}{year}年行政诉讼多少件", "unit")


_BUILDERS = {
    "number": _number,
    "sub": _sub,
    "sum": _sum,
    "ranking": _ranking,
    "compare": _compare,
    "trend": _trend,
    "passage": _passage,
    "figure": _figure,
    "none": _none,
}


def build(reports: list[PlannedReport], per_kind: int, seed: int = 0) -> list[Question]:
    """``per_kind`` questions of each kind, interleaved in a fixed shuffled order."""
    rng = random.Random(seed)
    corpus = _Corpus(reports)
    questions = []
    for kind in KINDS:
        for i in range(per_kind):
            q = _BUILDERS[kind](rng, corpus, i)
            if q is not None:
                questions.append(q)
    rng.shuffle(questions)
    return questions


def warm_up(reports: list[PlannedReport], seed: int = 0) -> list[Question]:
    """One question of each kind, asked before the timed ones (not timed)."""
    return build(reports, 1, seed + 7919)
