"""Linking the units a question names to the units in the database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.qa.gazetteer import Gazetteer, UnitRef
from ingest.text import QUESTION, FoldedText, fold_question

# unit, unit_full, parent, level
UNITS = [
    ("西集镇", "西集镇人民政府", "通州区", "镇"),
    ("西塘镇", "西塘镇人民政府", "嘉善县", "镇"),
    ("乌镇镇", "乌镇镇人民政府", "桐乡市", "镇"),
    ("於潜镇", "於潜镇人民政府", "临安区", "镇"),
    ("宜就镇", "", "", "镇"),
    ("新城镇", "", "", "镇"),
    ("新城街道", "新城街道办事处", "", "街道"),
    ("杭州市教育局", "", "杭州市", "部门"),
    ("上海市教育局", "", "上海市", "部门"),
]


def insert_units(db, units) -> None:
    for n, (unit, full, parent, level) in enumerate(units, start=1):
        db["reports"].insert(
            {
                "id": n,
                "unit": unit,
                "unit_full": full,
                "parent": parent,
                "level": level,
                "year": 2018,
                "sha256": f"h{n}",
            }
        )


@pytest.fixture
def gazetteer(fresh_db) -> Gazetteer:
    insert_units(fresh_db, UNITS)
    return Gazetteer.from_db(fresh_db)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("西集镇有多少行政诉讼", [("西集镇", "西集镇")]),
        ("西集镇人民政府的报告", [("西集镇", "西集镇人民政府")]),
        ("西集镇政府的报告", [("西集镇", "西集镇")]),
        ("于潜镇政府网站", [("於潜镇", "于潜镇")]),
        ("西集有多少行政诉讼", [("西集镇", "西集")]),
        ("乌镇收到几件依申请公开", [("乌镇镇", "乌镇")]),
        ("乌镇镇行政复议数量", [("乌镇镇", "乌镇镇")]),
        ("於潛鎮行政復議數量是多少", [("於潜镇", "於潛鎮")]),
        ("于潜镇政务微信", [("於潜镇", "于潜镇")]),
        ("於潜镇政务微信", [("於潜镇", "於潜镇")]),
        ("ＦＵＬＬ于潜镇", [("於潜镇", "于潜镇")]),
        ("嘉善县西塘镇主动公开", [("西塘镇", "嘉善县西塘镇")]),
        ("how many lawsuits did 西集镇 have", [("西集镇", "西集镇")]),
        ("西 集 镇 有多少", [("西集镇", "西 集 镇")]),
        ("西集镇和西塘镇相比", [("西集镇", "西集镇"), ("西塘镇", "西塘镇")]),
        ("西塘镇和西集镇相比", [("西塘镇", "西塘镇"), ("西集镇", "西集镇")]),
        ("西集镇西集镇西集", [("西集镇", "西集镇")]),
        ("新城街道办事处", [("新城街道", "新城街道办事处")]),
        ("新城街道主动公开", [("新城街道", "新城街道")]),
        ("新城镇主动公开", [("新城镇", "新城镇")]),
        ("杭州市教育局", [("杭州市教育局", "杭州市教育局")]),
        ("西集乡行政诉讼", []),
        ("西", []),
        ("", []),
        ("南京市鼓楼区", []),
    ],
)
def test_link(gazetteer: Gazetteer, text: str, units: list[tuple[str, str]]) -> None:
    refs, ambiguous = gazetteer.link(text)
    assert refs == [UnitRef(u, m) for u, m in units]
    assert ambiguous == []


@pytest.mark.parametrize(
    ("text", "mention", "candidates"),
    [
        ("新城有多少行政诉讼", "新城", ["新城街道", "新城镇"]),
        ("教育局行政诉讼", "教育局", ["上海市教育局", "杭州市教育局"]),
    ],
)
def test_ambiguous(gazetteer: Gazetteer, text: str, mention: str, candidates: list[str]) -> None:
    refs, ambiguous = gazetteer.link(text)
    assert refs == []
    assert ambiguous == [(mention, candidates)]


def test_new_unit_known_after_ingest(fresh_db) -> None:
    insert_units(fresh_db, UNITS[:1])
    assert Gazetteer.from_db(fresh_db).link("西塘镇") == ([], [])
    fresh_db["reports"].insert({"id": 99, "unit": "西塘镇", "year": 2019, "sha256": "x"})
    assert Gazetteer.from_db(fresh_db).link("西塘镇")[0] == [UnitRef("西塘镇", "西塘镇")]


def test_empty_database(fresh_db) -> None:
    gazetteer = Gazetteer.from_db(fresh_db)
    assert gazetteer.units == ()
    assert gazetteer.link("西集镇有多少行政诉讼") == ([], [])


def test_units_levels_and_parents(gazetteer: Gazetteer) -> None:
    assert "於潜镇" in gazetteer.units
    assert gazetteer.levels["新城街道"] == "街道"
    assert gazetteer.parents["西塘镇"] == "嘉善县"


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("南京市鼓楼区2018年行政诉讼数量是多少", ["南京市鼓楼区"]),
        ("请问张家港市的行政诉讼", ["张家港市"]),
        ("西集乡行政诉讼", ["西集乡"]),
        ("西塘镇和新城区相比", ["新城区"]),
        ("哪个镇主动公开最多", []),
        ("各镇行政复议总数", []),
        ("这几个镇一共有多少件", []),
        ("全镇主动公开", []),
        ("本镇的乡镇政府", []),
        ("各区县的情况", []),
        ("嘉兴市嘉善县西塘镇", []),
        ("嘉善县的西塘镇", []),
        ("沈旭东镇长是谁", []),
        ("城区和社区", []),
        ("行政诉讼数量", []),
    ],
)
def test_unknown_places(gazetteer: Gazetteer, text: str, unknown: list[str]) -> None:
    folded = FoldedText.of(text, form=QUESTION)
    spans = [(m.start, m.end) for m in gazetteer.find(folded)]
    masked = "".join(
        " " if any(s <= i < e for s, e in spans) else c for i, c in enumerate(folded.text)
    )
    found = gazetteer.unknown_places(masked, spans)
    assert [folded.source(s, e) for s, e in found] == unknown


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("哪个镇主动公开最多", [("哪个镇", "镇", "which")]),
        ("哪些街道有报告", [("哪些街道", "街道", "which")]),
        ("哪个单位", [("哪个单位", "", "which")]),
        ("各街道收到申请", [("各街道", "街道", "scope")]),
        ("这几个镇一共", [("这几个镇", "镇", "scope")]),
        ("三个县", [("三个县", "县", "scope")]),
        ("各乡镇", [("各乡镇", "乡,镇", "scope")]),
        ("本镇和全县", [("本镇", "镇", "plain"), ("全县", "县", "plain")]),
        ("西集镇", []),
        ("两个镇的区别", [("两个镇", "镇", "scope")]),
    ],
)
def test_generic_levels(gazetteer: Gazetteer, text: str, found: list) -> None:
    folded = fold_question(text)
    words = gazetteer.generic_levels(folded)
    assert [(folded[w.start : w.end], w.level, w.kind) for w in words] == found


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("於潛鎮", "于潜镇"),
        ("２０１８年", "2018年"),
        ("行政 诉讼", "行政诉讼"),
        ("How  Many", "how  many"),
        ("  西集镇  ", "西集镇"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold_question(text) == folded


@given(st.text(max_size=200))
def test_folded_maps_back_to_the_original(text: str) -> None:
    folded = FoldedText.of(text, form=QUESTION)
    assert len(folded.text) == len(folded.index)
    assert list(folded.index) == sorted(folded.index)
    for start in range(len(folded.text)):
        assert folded.source(start, start + 1) in text


@given(st.text(max_size=300))
def test_link_never_raises(text: str) -> None:
    gazetteer = Gazetteer(
        [{"unit": u, "unit_full": f, "parent": p, "level": lvl} for u, f, p, lvl in UNITS]
    )
    refs, ambiguous = gazetteer.link(text)
    for ref in refs:
        assert ref.mention in text
    for mention, candidates in ambiguous:
        assert mention in text and len(candidates) >= 2


def test_questions_and_reports_share_one_unit_vocabulary() -> None:
    """The endings questions drop are the endings ingest reads levels from."""
    from bot.qa.gazetteer import unit_names, vocabulary
    from ingest.metadata import unit_level

    shared = {"official_suffixes", "restore_level", "region_suffixes", "level", "level_suffixes"}
    assert not shared & set(vocabulary()), "unit-name endings belong in ingest/data/units.toml"
    regions = tuple(unit_names()["region_suffixes"])
    parts = tuple(unit_names()["region_blockers"])
    for entry in unit_names()["level"]:
        unit = "青溪" + entry["suffix"]
        assert unit_level(unit) is not None, unit
        if unit.endswith(regions):
            continue  # a county or city is itself a region name: asked for by its full name
        if any(part in entry["suffix"] for part in parts):
            continue  # a part of a region (青溪片区) keeps that word: its aliases (ingest.units)
        refs, _ = Gazetteer([{"unit": unit}]).link("青溪有多少行政诉讼")
        assert [r.unit for r in refs] == [unit]


AREA_UNITS = [
    ("东湖新区", "", "", "区"),
    ("东湖新区北山片区管理局", "", "", "片区"),
    ("东湖新区南岭片区管理局", "", "", "片区"),
]


@pytest.mark.parametrize(
    ("text", "units"),
    [
        # 北山片区 is no region of which 管理局 is the unit: the area's own name links
        ("北山2021年收到几件申请", [("东湖新区北山片区管理局", "北山")]),
        (
            "东湖新区北山片区管理局收到几件申请",
            [("东湖新区北山片区管理局", "东湖新区北山片区管理局")],
        ),
        ("管理局收到几件申请", []),
        # the outer unit's name right before the inner one's short name names the inner one
        ("“东湖新区北山”公众号发布了多少篇", [("东湖新区北山片区管理局", "东湖新区北山")]),
        ("东湖新区收到几件申请", [("东湖新区", "东湖新区")]),
    ],
)
def test_an_area_bureau_is_named_by_its_area(fresh_db, text: str, units: list) -> None:
    insert_units(fresh_db, AREA_UNITS)
    refs, ambiguous = Gazetteer.from_db(fresh_db).link(text)
    assert refs == [UnitRef(u, m) for u, m in units]
    assert ambiguous == []
