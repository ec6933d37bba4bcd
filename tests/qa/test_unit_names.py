"""Questions link to units by any of their names: without the region, abbreviated, by the
unit's aliases, in English or pinyin; places not loaded are named, and a question naming no
unit asks about the region's own government."""

from __future__ import annotations

import json

import pytest

from bot.cli.evaluate import same_unit
from bot.qa.english_names import EnglishNames, is_pinyin
from bot.qa.gazetteer import Gazetteer
from bot.qa.question import parse_question
from ingest.catalogue import load_catalogue
from tests.support import REAL_QUESTIONS

UNITS = [
    ("东湖综合实验区", "东湖综合实验区管委会", "", "区"),
    ("东湖综合实验区公安局", "", "东湖综合实验区", "部门"),
    ("东湖综合实验区北山片区管理局", "", "东湖综合实验区", "片区"),
    ("东湖县卫生局", "", "东湖县", "部门"),
    ("东湖综合实验区管委会办公室", "", "东湖综合实验区", "部门"),
    ("西江市公安局", "", "西江市", "部门"),
    ("西塘镇", "西塘镇人民政府", "嘉善县", "镇"),
    ("青山乡", "", "", "乡"),
]


@pytest.fixture
def gazetteer(fresh_db) -> Gazetteer:
    for n, (unit, full, parent, level) in enumerate(UNITS, start=1):
        fresh_db["reports"].insert(
            {
                "id": n,
                "unit": unit,
                "unit_full": full,
                "parent": parent,
                "level": level,
                "year": 2020,
                "sha256": f"h{n}",
                "names": "[]",
            }
        )
    from ingest.units import rebuild_units

    rebuild_units(fresh_db)
    return Gazetteer.from_db(fresh_db)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("东湖公安局2020年收到几件申请", "东湖综合实验区公安局"),
        ("实验区公安局行政复议", "东湖综合实验区公安局"),
        ("东湖公安去年受理多少", "东湖综合实验区公安局"),
        ("北山片区2020年收到几件", "东湖综合实验区北山片区管理局"),
        ("实验区2020年主动公开多少条", "东湖综合实验区"),
        ("管委会2020年被复议几件", "东湖综合实验区"),
        ("区管委会办公室2020年", "东湖综合实验区管委会办公室"),
        ("县卫生局2020年", "东湖县卫生局"),
        ("How many requests did the Donghu police bureau receive?", "东湖综合实验区公安局"),
        ("Did the Beishan area bureau face lawsuits?", "东湖综合实验区北山片区管理局"),
        ("What did the Donghu Comprehensive Experimental Zone publish?", "东湖综合实验区"),
        ("How many lawsuits did Xitang town have", "西塘镇"),
        ("Donghu County Health Bureau requests", "东湖县卫生局"),
        ("Xijiang Public Security Bureau lawsuits", "西江市公安局"),
    ],
)
def test_questions_link_by_any_name(gazetteer: Gazetteer, text: str, unit: str) -> None:
    refs, ambiguous = gazetteer.link(text)
    assert [r.unit for r in refs] == [unit]
    assert ambiguous == []


def test_a_shared_name_asks_which(gazetteer: Gazetteer) -> None:
    refs, ambiguous = gazetteer.link("公安局2020年行政诉讼")
    assert refs == []
    assert ambiguous == [("公安局", ["东湖综合实验区公安局", "西江市公安局"])]


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("东湖综合实验区教育局2020年主动公开多少条", "东湖综合实验区教育局"),
        ("长乐区2020年行政诉讼", "长乐区"),
        ("乌镇存在哪些问题", "乌镇"),  # a one-character place before 镇
        ("周镇2020年收到几件申请", "周镇"),
        ("How many lawsuits did Fuzhou city face?", "Fuzhou city"),
    ],
)
def test_places_not_loaded_are_named(gazetteer: Gazetteer, text: str, unknown: str) -> None:
    q = parse_question(text, gazetteer, load_catalogue())
    assert q.units == ()
    assert q.unknown_units == (unknown,)


@pytest.mark.parametrize(
    "text", ["城镇2020年收到几件申请", "古镇保护有哪些信息公开", "各镇2020年行政诉讼"]
)
def test_category_words_ending_in_town_are_no_places(gazetteer: Gazetteer, text: str) -> None:
    assert parse_question(text, gazetteer, load_catalogue()).unknown_units == ()


def test_collective_words(gazetteer: Gazetteer) -> None:
    catalogue = load_catalogue()
    assert parse_question("各乡镇2020年行政诉讼一共多少件", gazetteer, catalogue).level == "乡,镇"
    q = parse_question("各单位2020年行政诉讼一共多少件", gazetteer, catalogue)
    assert (q.units, q.level) == ((), "")


def test_no_unit_named_means_the_region_government(gazetteer: Gazetteer) -> None:
    assert gazetteer.default_unit is None  # 西江市公安局 and 西塘镇 lie outside 东湖
    rows = [
        {"unit": u, "unit_full": f, "parent": p, "level": lv}
        for u, f, p, lv in UNITS
        if u.startswith("东湖")
    ]
    region = Gazetteer(rows)
    assert region.default_unit == "东湖综合实验区"
    q = parse_question("2020年行政诉讼多少件", region, load_catalogue())
    assert [u.unit for u in q.units] == ["东湖综合实验区"]
    ranking = parse_question("2020年哪个单位行政诉讼最多", region, load_catalogue())
    assert ranking.units == ()


@pytest.mark.parametrize(
    ("word", "pinyin"),
    [("fuzhou", True), ("pingtan", True), ("which", False), ("the", False), ("city", False)],
)
def test_pinyin_words(word: str, pinyin: bool) -> None:
    assert is_pinyin(word) is pinyin


def test_english_names_of_a_science_commission() -> None:
    names = EnglishNames(["上海市科学技术委员会", "上海市公安局"])
    found = names.find("what did shanghai's science and technology commission publish")
    assert [units for _, _, units in found] == [("上海市科学技术委员会",)]


def test_every_real_question_links_to_its_unit(corpus_db) -> None:
    gazetteer = Gazetteer.from_db(corpus_db)
    catalogue = load_catalogue()
    items = [json.loads(x) for x in REAL_QUESTIONS.read_text("utf-8").splitlines() if x.strip()]
    asked = [item for item in items if item.get("unit")]
    missed = []
    for item in asked:
        q = parse_question(item["q"], gazetteer, catalogue)
        units = [u.unit for u in q.units]
        if len(units) != 1 or not same_unit(units[0], item["unit"]):
            missed.append((item["id"], item["q"], units))
    print(f"linked {len(asked) - len(missed)} of {len(asked)} questions to their unit")
    assert missed == []
    assert len(asked) == 310


@pytest.mark.parametrize(
    ("name", "abbreviations"),
    [
        ("投资促进局", {"投促局"}),
        ("旅游与文化体育局", {"旅文体局", "旅文局"}),
        ("财政金融局", {"财金局"}),
        ("国有资产管理局", {"国资局"}),
        ("市场监督管理局", {"市监局"}),
        ("综合执法局", {"执法局", "综执局"}),
        ("行政审批局", {"审批局", "行审局"}),
        ("卫生健康委员会", {"卫健委"}),
        ("人力资源和社会保障局", {"人社局", "人资社保局"}),
        ("公安局", set()),  # one word: nothing to abbreviate
        ("应急管理局", set()),  # one letter left: 应局 is no name
        ("党政办公室", set()),
        ("北山片区", set()),  # no department
    ],
)
def test_department_abbreviations_are_derived(name: str, abbreviations: set[str]) -> None:
    from ingest.units import derived_abbreviations

    assert derived_abbreviations(name) == abbreviations


def test_derived_abbreviations_link_and_a_shared_one_asks(fresh_db) -> None:
    from ingest.units import rebuild_units

    rows = [
        ("东湖综合实验区社会事业局", "东湖综合实验区"),
        ("东湖综合实验区投资促进局", "东湖综合实验区"),
        ("西江市社会事务局", "西江市"),
    ]
    for n, (unit, parent) in enumerate(rows, start=1):
        fresh_db["reports"].insert(
            {
                "id": n,
                "unit": unit,
                "unit_full": "",
                "parent": parent,
                "level": "部门",
                "year": 2020,
                "sha256": f"h{n}",
                "names": "[]",
            }
        )
    rebuild_units(fresh_db)
    gazetteer = Gazetteer.from_db(fresh_db)
    refs, ambiguous = gazetteer.link("投促局2020年收到几件申请")
    assert [r.unit for r in refs] == ["东湖综合实验区投资促进局"] and ambiguous == []
    refs, ambiguous = gazetteer.link("社事局2020年收到几件申请")
    assert refs == []
    assert ambiguous == [("社事局", ["东湖综合实验区社会事业局", "西江市社会事务局"])]
    refs, _ = gazetteer.link("东湖社事局2020年")
    assert [r.unit for r in refs] == ["东湖综合实验区社会事业局"]


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("教育局2020年收到几件申请", ("教育局",)),
        ("卫健委有多少行政复议", ("卫健委",)),
        ("2020年收到几件申请", ()),
        ("党政办公室的电话", ()),  # no department's name alone: the region's own report
    ],
)
def test_a_department_not_loaded_is_no_question_about_the_region(
    text: str, unknown: tuple[str, ...]
) -> None:
    rows = [
        {"unit": u, "unit_full": f, "parent": p, "level": lv}
        for u, f, p, lv in UNITS
        if u.startswith("东湖")
    ]
    q = parse_question(text, Gazetteer(rows), load_catalogue())
    assert q.unknown_units == unknown
    assert [u.unit for u in q.units] == ([] if unknown else ["东湖综合实验区"])


@pytest.mark.parametrize("joiner", ["和", "与", "跟"])
def test_a_short_name_overlapping_a_longer_one_gives_way(joiner: str) -> None:
    """With tens of thousands of units some town's short name (和源 of 和源镇) hides in the
    characters around a conjunction; the longer name it overlaps is the one meant."""
    rows = [
        {"unit": "琼南乡", "unit_full": "琼南乡人民政府", "parent": "源琼市", "level": "乡"},
        {"unit": "源琼市应急管理局", "unit_full": "", "parent": "源琼市", "level": "部门"},
        {"unit": "和源镇", "unit_full": "", "parent": "北江县", "level": "镇"},
        {"unit": "与源镇", "unit_full": "", "parent": "北江县", "level": "镇"},
        {"unit": "跟源镇", "unit_full": "", "parent": "北江县", "level": "镇"},
        {"unit": "北江县应急管理局", "unit_full": "", "parent": "北江县", "level": "部门"},
    ]
    text = f"琼南乡{joiner}源琼市应急管理局2014年行政诉讼相比"
    q = parse_question(text, Gazetteer(rows), load_catalogue())
    assert [u.unit for u in q.units] == ["琼南乡", "源琼市应急管理局"]
    assert q.ambiguous == ()
    alone = parse_question("和源镇2014年行政诉讼", Gazetteer(rows), load_catalogue())
    assert [u.unit for u in alone.units] == ["和源镇"]
