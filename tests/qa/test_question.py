"""Understanding a question: units, years, statistic, intent, language (bot.qa.question).

These tests use a small catalogue of their own, so they pin the parser's rules; the real
catalogue is exercised by ``test_question_catalogue.py``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.qa.question import INTENTS, Gazetteer, Question, UnitRef, parse_question

TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class FakeStatistic:
    key: str
    label: str
    label_en: str
    labels: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()
    measure: str = "件"
    templates: tuple[str, ...] = ("pre2020",)
    parent: str | None = None
    subset_of: str | None = None
    derived_from: tuple[str, ...] = ()
    column: str | None = None


class FakeCatalogue:
    """The shape of ``ingest.catalogue.Catalogue`` with a handful of statistics."""

    def __init__(self, statistics: list[FakeStatistic]) -> None:
        self.statistics = {m.key: m for m in statistics}

    def get(self, key: str) -> FakeStatistic | None:
        return self.statistics.get(key)

    def children(self, key: str) -> list[FakeStatistic]:
        return [m for m in self.statistics.values() if m.parent == key]


CATALOGUE = FakeCatalogue(
    [
        FakeStatistic(
            "disclosed",
            "主动公开政府信息数",
            "proactively disclosed items",
            aliases=("主动公开",),
            aliases_en=("disclosed information",),
            measure="条",
        ),
        FakeStatistic(
            "disclosed.wechat",
            "政务微信公开政府信息数",
            "items published via WeChat",
            aliases=("政务微信", "微信公众平台", "微信公众号"),
            parent="disclosed",
            measure="条",
        ),
        FakeStatistic(
            "requests.received",
            "收到申请数",
            "information disclosure requests",
            aliases=("依申请公开", "政府信息公开申请", "信息公开申请", "申请"),
            aliases_en=("requests",),
        ),
        FakeStatistic(
            "requests.on_time",
            "按时办结数",
            "requests closed on time",
            aliases=("按时办结",),
            parent="requests.received",
        ),
        FakeStatistic(
            "requests.refused",
            "不同意公开答复数",
            "requests refused",
            aliases=("不同意公开",),
            parent="requests.received",
        ),
        FakeStatistic(
            "requests.refused.privacy",
            "涉及个人隐私",
            "refused: personal privacy",
            parent="requests.refused",
        ),
        FakeStatistic(
            "reconsiderations",
            "行政复议数量",
            "administrative reconsiderations",
            aliases=("行政复议", "复议"),
        ),
        FakeStatistic(
            "reconsiderations.corrected",
            "被依法纠错数",
            "reconsiderations corrected",
            aliases=("被依法纠错", "依法纠错"),
            parent="reconsiderations",
        ),
        FakeStatistic(
            "lawsuits",
            "行政诉讼数量",
            "administrative lawsuits",
            aliases=("行政诉讼", "诉讼", "被起诉"),
            aliases_en=("lawsuits",),
        ),
        FakeStatistic(
            "lawsuits.corrected",
            "被依法纠错数",
            "lawsuits corrected",
            aliases=("被依法纠错", "依法纠错"),
            parent="lawsuits",
        ),
        FakeStatistic(
            "fees",
            "依申请公开信息收取的费用",
            "fees charged",
            aliases=("依申请公开收费", "收费"),
            measure="万元",
        ),
    ]
)

# unit, unit_full, parent, level
UNITS = [
    ("西集镇", "西集镇人民政府", "通州区", "镇"),
    ("西塘镇", "西塘镇人民政府", "嘉善县", "镇"),
    ("乌镇镇", "乌镇镇人民政府", "桐乡市", "镇"),
    ("於潜镇", "於潜镇人民政府", "临安区", "镇"),
    ("宜就镇", "", "", "镇"),
    ("新城镇", "", "", "镇"),
    ("新城街道", "新城街道办事处", "", "街道"),
]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(
        [{"unit": u, "unit_full": f, "parent": p, "level": lvl} for u, f, p, lvl in UNITS]
    )


def ask(gazetteer: Gazetteer, text: str) -> Question:
    return parse_question(text, gazetteer, CATALOGUE, today=TODAY)


# -- the seed questions: who, when, which language, which level ---------------------------------

SEED = [
    # question, units, years, lang
    ("西集镇有多少行政诉讼？", ["西集镇"], (), "zh"),
    ("how many lawsuits did 西集镇 have", ["西集镇"], (), "en"),
    ("西塘镇2018年行政复议数量是多少", ["西塘镇"], (2018,), "zh"),
    ("西塘镇主动公开了多少条政府信息", ["西塘镇"], (), "zh"),
    ("乌镇镇2018年主动公开政府信息多少条？", ["乌镇镇"], (2018,), "zh"),
    ("乌镇收到几件依申请公开？", ["乌镇镇"], (), "zh"),
    ("於潛鎮行政復議數量是多少", ["於潜镇"], (), "zh"),
    ("于潜镇政务微信公开了多少条信息", ["於潜镇"], (), "zh"),
    ("于潜镇政府网站公开政府信息数", ["於潜镇"], (), "zh"),
    ("于潜镇从事政府信息公开工作的人员有几个", ["於潜镇"], (), "zh"),
    ("于潜镇政府信息公开专项经费多少万元", ["於潜镇"], (), "zh"),
    ("于潜镇接受培训人员数", ["於潜镇"], (), "zh"),
    ("西集镇收到多少政府信息公开申请", ["西集镇"], (), "zh"),
    ("西集镇当面申请数", ["西集镇"], (), "zh"),
    ("西集镇延期办结了几件申请", ["西集镇"], (), "zh"),
    ("西集镇按时办结了多少件", ["西集镇"], (), "zh"),
    ("西集镇因涉及个人隐私不同意公开的有几件", ["西集镇"], (), "zh"),
    ("西集镇申请信息不存在的有几件", ["西集镇"], (), "zh"),
    ("西集镇召开了几次政府信息公开工作会议", ["西集镇"], (), "zh"),
    ("西集镇政务微信公开政府信息数", ["西集镇"], (), "zh"),
    ("西集镇的行政诉讼中被依法纠错的有几件", ["西集镇"], (), "zh"),
    ("宜就镇主动公开政府信息多少条", ["宜就镇"], (), "zh"),
    ("宜就镇通过微信公众平台公开了多少条", ["宜就镇"], (), "zh"),
    ("宜就镇有多少件依申请公开", ["宜就镇"], (), "zh"),
    ("宜就镇行政诉讼数量", ["宜就镇"], (), "zh"),
    ("西塘镇举办了几次政府信息公开培训班", ["西塘镇"], (), "zh"),
    ("西塘镇接受培训多少人次", ["西塘镇"], (), "zh"),
    ("西塘镇回应公众关注热点或重大舆情多少件", ["西塘镇"], (), "zh"),
    ("乌镇镇行政复议数量", ["乌镇镇"], (), "zh"),
    ("西塘镇举报投诉数量", ["西塘镇"], (), "zh"),
    (
        "How many information disclosure requests did 西塘镇 receive in 2018?",
        ["西塘镇"],
        (2018,),
        "en",
    ),
    ("于潜镇回应公众关注热点或重大舆情数", ["於潜镇"], (), "zh"),
    ("乌镇镇依申请公开收费多少", ["乌镇镇"], (), "zh"),
    ("西集镇重点领域公开政府信息数", ["西集镇"], (), "zh"),
    ("西塘镇召开了几次政府信息公开工作会议", ["西塘镇"], (), "zh"),
    ("于潜镇的政务微博发了多少条", ["於潜镇"], (), "zh"),
    ("哪个镇主动公开政府信息最多？", [], (), "zh"),
    ("哪个镇的行政诉讼最多", [], (), "zh"),
    ("哪个镇主动公开的政府信息最少", [], (), "zh"),
    ("哪个镇收到的信息公开申请最多", [], (), "zh"),
    ("which town had the most administrative reconsiderations?", [], (), "en"),
    ("这几个镇一共有多少件行政诉讼？", [], (), "zh"),
    ("各镇行政复议总数是多少", [], (), "zh"),
    ("乌镇镇信息公开工作存在哪些问题？", ["乌镇镇"], (), "zh"),
    ("西塘镇信息公开领导小组组长是谁", ["西塘镇"], (), "zh"),
    ("西集镇的信息公开受理电话是多少", ["西集镇"], (), "zh"),
    ("于潜镇2019年有什么工作打算", ["於潜镇"], (2018,), "zh"),
    ("宜就镇的信息公开有什么不足", ["宜就镇"], (), "zh"),
    ("西集镇有哪些人申请了信息公开", ["西集镇"], (), "zh"),
    ("乌镇镇通过哪些渠道公开政府信息", ["乌镇镇"], (), "zh"),
    ("西塘镇的联系邮箱", ["西塘镇"], (), "zh"),
    ("于潜镇通过微信公众号发布了多少政务信息", ["於潜镇"], (), "zh"),
    ("西塘镇请谁做了保密工作辅导", ["西塘镇"], (), "zh"),
    ("南京市鼓楼区2018年行政诉讼数量是多少", [], (2018,), "zh"),
    ("西塘镇2015年主动公开了多少条信息", ["西塘镇"], (2015,), "zh"),
    ("西集镇2018年行政许可处理决定数量", ["西集镇"], (2018,), "zh"),
]


@pytest.mark.parametrize(("text", "units", "years", "lang"), SEED)
def test_seed_units_years_language(
    gazetteer: Gazetteer, text: str, units: list[str], years: tuple[int, ...], lang: str
) -> None:
    q = ask(gazetteer, text)
    assert [u.unit for u in q.units] == units
    assert q.years == years
    assert q.lang == lang
    assert q.ambiguous == ()
    assert q.unknown_units == (("南京市鼓楼区",) if text.startswith("南京") else ())
    for ref in q.units:
        assert ref.mention in q.text


# -- intent and its details ---------------------------------------------------------------------

INTENT_CASES = [
    # question, intent, statistic, extra fields
    ("西集镇有多少行政诉讼？", "number", "lawsuits", {}),
    ("how many lawsuits did 西集镇 have", "number", "lawsuits", {}),
    ("西集镇的行政诉讼中被依法纠错的有几件", "number", "lawsuits.corrected", {}),
    ("行政复议中被依法纠错的有几件", "number", "reconsiderations.corrected", {}),
    ("行政复议和行政诉讼中被依法纠错的有几件", "number", "lawsuits.corrected", {}),
    ("西集镇因涉及个人隐私不同意公开的有几件", "number", "requests.refused.privacy", {}),
    ("西集镇按时办结了多少件", "number", "requests.on_time", {}),
    ("乌镇收到几件依申请公开？", "number", "requests.received", {}),
    ("乌镇镇依申请公开收费多少", "number", "fees", {}),
    ("宜就镇通过微信公众平台公开了多少条", "number", "disclosed.wechat", {}),
    (
        "How many information disclosure requests did 西塘镇 receive in 2018?",
        "number",
        "requests.received",
        {},
    ),
    ("西集镇 行政 诉讼", "number", "lawsuits", {}),
    ("哪个镇主动公开政府信息最多？", "ranking", "disclosed", {"order": "desc", "level": "镇"}),
    ("哪个镇的行政诉讼最多", "ranking", "lawsuits", {"order": "desc", "level": "镇"}),
    ("哪个镇主动公开的政府信息最少", "ranking", "disclosed", {"order": "asc", "level": "镇"}),
    ("哪个镇收到的信息公开申请最多", "ranking", "requests.received", {"order": "desc"}),
    (
        "which town had the most administrative reconsiderations?",
        "ranking",
        "reconsiderations",
        {"order": "desc", "level": "镇"},
    ),
    ("行政诉讼最多的前三个街道", "ranking", "lawsuits", {"top": 3, "level": "街道"}),
    ("top 5 units by lawsuits", "ranking", "lawsuits", {"top": 5, "order": "desc"}),
    ("the three towns with the fewest lawsuits", "ranking", "lawsuits", {"order": "asc"}),
    ("哪些镇有行政诉讼", "ranking", "lawsuits", {"order": "desc", "level": "镇"}),
    ("which district had lawsuits", "ranking", "lawsuits", {"level": "区"}),
    ("哪个镇的组长是谁", "passage", None, {"level": "镇"}),
    ("这几个镇一共有多少件行政诉讼？", "sum", "lawsuits", {"level": "镇"}),
    ("各镇行政复议总数是多少", "sum", "reconsiderations", {"level": "镇"}),
    ("西集镇和西塘镇一共有多少行政诉讼", "sum", "lawsuits", {}),
    ("total lawsuits of all towns", "sum", "lawsuits", {"level": "镇"}),
    ("西集镇一共有多少行政诉讼", "number", "lawsuits", {}),
    ("西集镇和西塘镇的行政诉讼相比", "compare", "lawsuits", {}),
    ("西集镇与西塘镇行政复议", "compare", "reconsiderations", {}),
    ("compare the lawsuits of 西集镇 and 西塘镇", "compare", "lawsuits", {}),
    ("西集镇和西塘镇的行政诉讼总数相比", "compare", "lawsuits", {}),
    ("西集镇和西塘镇的行政诉讼总数", "sum", "lawsuits", {}),
    ("西集镇历年行政诉讼", "trend", "lawsuits", {}),
    ("西集镇行政诉讼的变化趋势", "trend", "lawsuits", {}),
    ("西集镇2016-2018年行政诉讼", "trend", "lawsuits", {}),
    ("lawsuits of 西集镇 over the years", "trend", "lawsuits", {}),
    ("How did lawsuits of 西集镇 change over the years?", "trend", "lawsuits", {}),
    ("what is the number of lawsuits of 西集镇", "number", "lawsuits", {}),
    ("what are the problems of 西集镇", "passage", None, {}),
    ("什么是依申请公开", "passage", "requests.received", {}),
    ("西集镇信息公开的领导", "passage", None, {}),
    ("西集镇的市民申请了什么", "passage", "requests.received", {}),
    ("西集镇主要领导参加了几次行政诉讼", "number", "lawsuits", {}),
    ("有哪些单位", "list", None, {"list_what": "units"}),
    ("收录了哪些镇的报告？有哪些单位", "list", None, {"list_what": "units"}),
    ("西集镇有哪些年份的报告", "list", None, {"list_what": "years"}),
    ("能查什么", "list", None, {"list_what": "statistics"}),
    ("What can I ask?", "list", None, {"list_what": "statistics"}),
    ("which years are available", "list", None, {"list_what": "years"}),
    ("乌镇镇信息公开工作存在哪些问题？", "passage", None, {}),
    ("西塘镇信息公开领导小组组长是谁", "passage", None, {}),
    ("西集镇的信息公开受理电话是多少", "passage", None, {}),
    ("于潜镇2019年有什么工作打算", "passage", None, {}),
    ("宜就镇的信息公开有什么不足", "passage", None, {}),
    ("西集镇有哪些人申请了信息公开", "passage", "requests.received", {}),
    ("乌镇镇通过哪些渠道主动公开政府信息", "passage", "disclosed", {}),
    ("西塘镇的联系邮箱", "passage", None, {}),
    ("西塘镇请谁做了保密工作辅导", "passage", None, {}),
    ("who leads the disclosure work in 西塘镇", "passage", None, {}),
    ("西集镇", "passage", None, {}),
]


@pytest.mark.parametrize(("text", "intent", "statistic", "extra"), INTENT_CASES)
def test_intent(
    gazetteer: Gazetteer, text: str, intent: str, statistic: str | None, extra: dict
) -> None:
    q = ask(gazetteer, text)
    assert (q.intent, q.statistic) == (intent, statistic)
    for name, value in extra.items():
        assert getattr(q, name) == value, name
    if q.statistic:
        assert q.statistic_mention and q.statistic_mention in q.text
    if intent != "ranking":
        assert (q.order, q.top) == ("", None)
    if intent != "list":
        assert q.list_what == ""


def test_statistic_mention_is_the_original_words(gazetteer: Gazetteer) -> None:
    q = ask(gazetteer, "於潛鎮行政復議數量是多少")
    assert (q.statistic, q.statistic_mention) == ("reconsiderations", "行政復議數量")
    assert q.units == (UnitRef("於潜镇", "於潛鎮"),)


# -- ambiguity and unknown units ----------------------------------------------------------------


def test_ambiguous_unit(gazetteer: Gazetteer) -> None:
    q = ask(gazetteer, "新城有多少行政诉讼")
    assert q.ambiguous == (("新城", ("新城街道", "新城镇")),)
    assert q.units == ()
    assert q.unknown_units == ()


@pytest.mark.parametrize(
    ("text", "units", "unknown"),
    [
        ("南京市鼓楼区2018年行政诉讼数量是多少", [], ("南京市鼓楼区",)),
        ("西集镇和张家港市的行政诉讼相比", ["西集镇"], ("张家港市",)),
        ("西集乡有多少行政诉讼", [], ("西集乡",)),
        ("上海市浦东新区的行政诉讼", [], ("上海市浦东新区",)),
        ("内蒙古自治区行政复议", [], ("内蒙古自治区",)),
        ("区政府网站公开了多少", [], ()),
        ("西集镇所在的通州区", ["西集镇"], ()),
        ("北京市通州区西集镇有多少行政诉讼", ["西集镇"], ()),
        ("哪个镇的行政诉讼最多", [], ()),
        ("全镇主动公开了多少条", [], ()),
        ("各乡镇行政复议总数", [], ()),
        ("西集镇镇长是谁", ["西集镇"], ()),
    ],
)
def test_unknown_units(
    gazetteer: Gazetteer, text: str, units: list[str], unknown: tuple[str, ...]
) -> None:
    q = ask(gazetteer, text)
    assert [u.unit for u in q.units] == units
    assert q.unknown_units == unknown


# -- language -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("西集镇有多少行政诉讼", "zh"),
        ("how many lawsuits did 西集镇 have", "en"),
        ("Lawsuits in 於潛鎮?", "en"),
        ("西集镇 lawsuits", "en"),
        ("西集镇有多少 lawsuit 案件数量是多少", "zh"),
        ("2018", "zh"),
        ("ok", "zh"),
    ],
)
def test_language(gazetteer: Gazetteer, text: str, lang: str) -> None:
    assert ask(gazetteer, text).lang == lang


# -- years relative to today ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "years"),
    [
        ("西集镇去年的行政诉讼", date(2019, 3, 1), (2018,)),
        ("西集镇去年的行政诉讼", date(2026, 1, 1), (2025,)),
        ("西集镇前年的行政诉讼", date(2020, 6, 1), (2018,)),
        ("西集镇近三年行政诉讼", date(2020, 6, 1), (2017, 2018, 2019)),
        ("lawsuits of 西集镇 last year", date(2019, 1, 1), (2018,)),
    ],
)
def test_relative_years(gazetteer: Gazetteer, text: str, today: date, years: tuple) -> None:
    assert parse_question(text, gazetteer, CATALOGUE, today=today).years == years


def test_today_defaults_to_the_clock(gazetteer: Gazetteer) -> None:
    assert parse_question("今年", gazetteer, CATALOGUE).years == (date.today().year,)


# -- robustness ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("", "none"),
        ("   \n\t", "none"),
        ("？？！！", "none"),
        ("😀🎉", "none"),
        ("<script>alert('西集镇')</script>", "passage"),
        ("西集镇'; DROP TABLE reports; --", "passage"),
        ("SELECT * FROM statistics WHERE 1=1", "passage"),
        ("\x00\x01西集镇行政诉讼\ufeff", "number"),
    ],
)
def test_robust_input(gazetteer: Gazetteer, text: str, intent: str) -> None:
    assert ask(gazetteer, text).intent == intent


def test_empty_question_sets_nothing(gazetteer: Gazetteer) -> None:
    assert ask(gazetteer, "") == Question(text="")


def test_huge_question_is_truncated(gazetteer: Gazetteer) -> None:
    q = ask(gazetteer, "西集镇有多少行政诉讼" + "啊" * 20_000)
    assert len(q.text) <= 1000
    assert (q.intent, q.statistic, [u.unit for u in q.units]) == ("number", "lawsuits", ["西集镇"])


def test_none_text_is_tolerated(gazetteer: Gazetteer) -> None:
    assert parse_question(None, gazetteer, CATALOGUE, today=TODAY).intent == "none"  # type: ignore[arg-type]


def test_empty_gazetteer_and_catalogue() -> None:
    q = parse_question("西集镇有多少行政诉讼", Gazetteer([]), FakeCatalogue([]), today=TODAY)
    assert (q.intent, q.units, q.statistic) == ("passage", (), None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_parse_never_raises(text: str) -> None:
    gazetteer = Gazetteer(
        [{"unit": u, "unit_full": f, "parent": p, "level": lvl} for u, f, p, lvl in UNITS]
    )
    q = parse_question(text, gazetteer, CATALOGUE, today=TODAY)
    assert q.intent in INTENTS
    assert q.lang in {"zh", "en"}
    assert all(ref.mention in q.text for ref in q.units)
    assert all(unit in gazetteer.units for ref in q.units for unit in [ref.unit])
    assert q.statistic is None or q.statistic in CATALOGUE.statistics


def _vocabulary_words() -> list[str]:
    """Every word of the question vocabularies, to be glued together in random ways."""
    words: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            words.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                words.add(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    data = resources.files("bot.qa.data")
    for name in ("gazetteer", "intents", "years", "numbers", "statistics"):
        walk(tomllib.loads(data.joinpath(f"{name}.toml").read_text("utf-8")))
    extra = {"2018", "18", "三", "3", "南京市", "<b>", "'", "🎉", "行政诉讼", "lawsuits"}
    return sorted(words | {u for row in UNITS for u in row if u} | extra)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_vocabulary_words()), st.sampled_from(["", " ", "\n", "，"])),
        max_size=10,
    )
)
def test_parse_never_raises_on_vocabulary_words(pieces: list[tuple[str, str]]) -> None:
    gazetteer = Gazetteer(
        [{"unit": u, "unit_full": f, "parent": p, "level": lvl} for u, f, p, lvl in UNITS]
    )
    q = parse_question("".join(w + sep for w, sep in pieces), gazetteer, CATALOGUE, today=TODAY)
    assert q.intent in INTENTS
    assert all(2000 <= y <= TODAY.year + 1 for y in q.years)
    assert all(ref.mention in q.text for ref in q.units)
