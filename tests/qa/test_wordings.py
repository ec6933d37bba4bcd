"""The wordings officials use: typos of a pinyin keyboard, everyday words, short and traditional
questions, "which has more" between named units or years (bot.qa.typos, bot.qa.colloquial,
bot.qa.rewrite, bot.qa.question).  Every question here is written for these tests."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.qa.colloquial import rewrites
from bot.qa.gazetteer import Gazetteer
from bot.qa.question import Question, parse_question
from bot.qa.rewrite import Rewrite, apply
from bot.qa.typos import TypoReader
from ingest.catalogue import load_catalogue
from ingest.text import QUESTION, FoldedText, fold_question

TODAY = date(2026, 11, 22)
CATALOGUE = load_catalogue()

# unit, unit_full, parent, level
UNITS = [
    ("西集镇", "西集镇人民政府", "通州区", "镇"),
    ("西塘镇", "西塘镇人民政府", "嘉善县", "镇"),
    ("於潜镇", "於潜镇人民政府", "临安区", "镇"),
    ("收废镇", "", "", "镇"),  # a unit whose name reads like a domain word: never corrected
]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(
        [{"unit": u, "unit_full": f, "parent": p, "level": lvl} for u, f, p, lvl in UNITS]
    )


def ask(gazetteer: Gazetteer, text: str, today: date = TODAY) -> Question:
    return parse_question(text, gazetteer, CATALOGUE, today=today)


@pytest.fixture(scope="module")
def reader() -> TypoReader:
    return TypoReader(["诉讼", "行政复议", "复议", "收费", "申请", "不存在", "机构", "主动公开"])


# -- typos ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "typed", "meant"),
    [
        ("行政诉松有几件", "诉松", "诉讼"),
        ("被复意了几次", "复意", "复议"),
        ("行政复仪多少", "行政复仪", "行政复议"),
        ("收废多少钱", "收废", "收费"),
        ("主东公开多少条", "主东公开", "主动公开"),
        ("去年申情了几件", "申情", "申请"),  # near sound: qing / qin
        ("主东公开多少", "主东公开", "主动公开"),  # 公开 is written right, 东 is not
    ],
)
def test_a_mistyped_word_is_read_as_the_domain_word(
    reader: TypoReader, text: str, typed: str, meant: str
) -> None:
    found = reader.corrections(fold_question(text))
    assert [(c.typed, c.word) for c in found] == [(typed, meant)]


@pytest.mark.parametrize(
    "text",
    [
        "还存在哪些问题",  # 还 is hai first: never 不 (bu), a negation
        "农机购置补贴公开了几条",  # 机购 is two words' halves (农机 / 购置), not 机构
        "行政诉讼有几件",  # written correctly
        "今年的工作计划",  # common words are meant as written
        "",
        "12345 abc",
    ],
)
def test_words_meant_as_written_stay(reader: TypoReader, text: str) -> None:
    assert reader.corrections(fold_question(text)) == []


def test_a_unit_name_is_never_corrected(gazetteer: Gazetteer) -> None:
    q = ask(gazetteer, "收废镇有几件行政诉讼")
    assert [u.unit for u in q.units] == ["收废镇"]
    assert (q.statistic, q.typos) == ("lawsuits", ())
    typo = ask(gazetteer, "西集镇有几件行政诉松")
    assert [u.unit for u in typo.units] == ["西集镇"]
    assert (typo.statistic, typo.typos) == ("lawsuits", (("行政诉松", "行政诉讼"),))


def test_protected_spans_are_left_alone(reader: TypoReader) -> None:
    assert reader.corrections("诉松几件", protected=[(0, 2)]) == []


def test_a_reader_asked_often_reads_each_text_as_a_new_one_does() -> None:
    """A reader keeps the runs it has read: what it kept never changes a later reading."""
    words = ["诉讼", "行政复议", "复议", "收费", "申请", "主动公开"]
    texts = ["行政诉松有几件", "主东公开多少条", "行政诉讼有几件", "收废多少钱", "诉松几件"]
    fresh = {t: TypoReader(words).corrections(fold_question(t)) for t in texts}
    asked_often = TypoReader(words)
    for text in texts + texts[::-1]:
        assert asked_often.corrections(fold_question(text)) == fresh[text]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="诉松复意议仪申情请收废费行政还存在不机构购农 的几件", max_size=40))
def test_corrections_are_words_of_the_domain_and_never_overlap(text: str) -> None:
    reader = TypoReader(["诉讼", "行政复议", "复议", "收费", "申请", "不存在", "机构"])
    found = reader.corrections(text, protected=[(0, 3)])
    assert all(c.word in reader.words and c.start >= 3 for c in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert all(text[c.start : c.end] == c.typed != c.word for c in found)


# -- everyday words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("收了多少钱", "收取费用了多少"),
        ("一共要了多少钱", "一共收取费用了多少"),
        ("开过两次的会", "召开过两次工作会议"),
        ("开了会议几次", "开了会议几次"),  # reaching into a domain word: as written
        ("当面来申请", "当面申请"),
        ("打了几场官司", "打了几场诉讼"),
        ("有几宗", "有几件"),
        ("开了几次工作会", "开了几次工作会议"),
        ("开了几次工作会议", "开了几次工作会议"),  # inside a longer domain word: as written
        ("按时办完了几件", "按时办结了几件"),
        ("被申请复议几次", "被申请行政复议几次"),
    ],
)
def test_everyday_words_are_read_as_the_reports_words(text: str, read: str) -> None:
    folded = FoldedText.of(text, form=QUESTION)
    found = rewrites(folded.text, [], ["工作会议", "会议", "申请", "复议", "收费"])
    assert apply(folded, found).text == read


def test_a_rewrite_quotes_the_words_as_written() -> None:
    folded = FoldedText.of("西集镇收了多少钱？", form=QUESTION)
    read = apply(folded, [Rewrite(3, 4, "收", "收费"), Rewrite(7, 8, "钱", "")])
    assert read.text == "西集镇收费了多少?"
    assert read.source(3, 5) == "收"
    assert read.source(0, 3) == "西集镇"
    assert read.source(5, 8) == "了多少"
    longer = apply(folded, [Rewrite(3, 8, "收了多少钱", "收费")])
    assert (longer.text, longer.source(3, 5)) == ("西集镇收费?", "收了多少钱")


# -- questions as officials ask them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "statistic", "years"),
    [
        ("西集镇被人告了几次", "西集镇", "lawsuits", ()),
        ("西集镇跟老百姓打过几次官司", "西集镇", "lawsuits", ()),
        ("西塘镇那边有人来申请公开吗", "西塘镇", "requests.received", ()),
        ("西塘镇那边收了多少钱", "西塘镇", "fees", ()),
        ("西集镇 2017 诉讼", "西集镇", "lawsuits", (2017,)),
        ("西集 复议", "西集镇", "reconsiderations", ()),
        ("於潜镇17年行政复意几件", "於潜镇", "reconsiderations", (2017,)),
        ("西集镇2017年度诉松案件", "西集镇", "lawsuits", (2017,)),
        ("西集镇去年收到几个申请", "西集镇", "requests.received", (2025,)),
        ("西塘鎮行政訴訟有幾宗", "西塘镇", "lawsuits", ()),
        ("於潛鎮政府資訊公開申請多少件", "於潜镇", "requests.received", ()),
        ("How many lawsuits did Xiji town face in 2017?", "西集镇", "lawsuits", (2017,)),
        ("Yuqian reconsiderations", "於潜镇", "reconsiderations", ()),
        ("西集镇和上级部门一起办了几件复议", "西集镇", "reconsiderations", ()),
        ("西集镇跟群众打交道时收费多少", "西集镇", "fees", ()),
        # 历年 inside the statistic's own name is no trend: a cumulative figure of one report
        ("截至2017年西集镇历年累计主动公开文件数", "西集镇", "proactive.cumulative", (2017,)),
        # … and so is 历年累计 named after the statistic
        ("西塘镇2017年主动公开文件数的历年累计", "西塘镇", "proactive.cumulative", (2017,)),
        ("於潜镇17年主动公开政府信息数累计数", "於潜镇", "proactive.cumulative", (2017,)),
    ],
)
def test_one_units_question_is_a_number(
    gazetteer: Gazetteer, text: str, unit: str, statistic: str, years: tuple[int, ...]
) -> None:
    q = ask(gazetteer, text)
    assert q.intent == "number", q
    assert [u.unit for u in q.units] == [unit]
    assert (q.statistic, q.years) == (statistic, years)
    assert q.unknown_units == ()


@pytest.mark.parametrize(
    ("text", "order", "units"),
    [
        ("西集镇和西塘镇谁收到的申请多", "desc", ["西集镇", "西塘镇"]),
        ("西集镇跟於潜镇哪个行政复议多", "desc", ["西集镇", "於潜镇"]),
        ("西塘镇的诉讼比西集镇多吗", "desc", ["西塘镇", "西集镇"]),
        ("西塘镇比西集镇的诉讼少吗", "asc", ["西塘镇", "西集镇"]),
        ("西集镇和西塘镇比，谁主动公开得更多", "desc", ["西集镇", "西塘镇"]),
        ("西集镇与於潜镇哪一个收费少", "asc", ["西集镇", "於潜镇"]),
        ("did Xiji have more lawsuits than Xitang", "desc", ["西集镇", "西塘镇"]),
        ("which had fewer lawsuits, Xiji or Yuqian?", "asc", ["西集镇", "於潜镇"]),
    ],
)
def test_which_of_the_named_units_has_more_is_a_ranking(
    gazetteer: Gazetteer, text: str, order: str, units: list[str]
) -> None:
    q = ask(gazetteer, text)
    assert (q.intent, q.order, q.over) == ("ranking", order, "units"), q
    assert [u.unit for u in q.units] == units


@pytest.mark.parametrize(
    "text",
    ["西集镇比西塘镇多几件诉讼", "西集镇和西塘镇的诉讼差多少", "西集镇和西塘镇的复议对比"],
)
def test_by_how_much_is_a_comparison(gazetteer: Gazetteer, text: str) -> None:
    assert ask(gazetteer, text).intent == "compare"


@pytest.mark.parametrize(
    ("text", "order", "years"),
    [
        ("西集镇哪一年收到的申请最多", "desc", ()),
        ("西集镇哪年被起诉得最少", "asc", ()),
        ("西集镇2016年和2017年哪年诉讼多", "desc", (2016, 2017)),
        ("西集镇哪个年度主动公开的信息多", "desc", ()),
        ("in which year did Xiji receive the most requests", "desc", ()),
    ],
)
def test_which_year_of_one_unit_is_a_ranking_of_its_years(
    gazetteer: Gazetteer, text: str, order: str, years: tuple[int, ...]
) -> None:
    q = ask(gazetteer, text)
    assert (q.intent, q.order, q.over, q.years) == ("ranking", order, "years", years), q
    assert [u.unit for u in q.units] == ["西集镇"]


@pytest.mark.parametrize(
    "text",
    [
        "西集镇是由哪些单位合并而来的",
        "西塘镇和哪些单位一起办理申请",
        "西集镇那边的信息公开由哪些部门负责",
    ],
)
def test_a_question_about_one_unit_never_lists_units(gazetteer: Gazetteer, text: str) -> None:
    q = ask(gazetteer, text)
    assert q.intent == "passage"
    assert len(q.units) == 1


def test_the_year_as_written_is_kept_beside_the_plans_year(gazetteer: Gazetteer) -> None:
    q = ask(gazetteer, "西集镇2017年打算怎么改进")
    assert (q.years, q.years_written) == ((2016,), (2017,))
    plain = ask(gazetteer, "西集镇2017年行政诉讼")
    assert plain.years == plain.years_written == (2017,)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "西集镇",
                "西塘",
                "和",
                "跟",
                "那边",
                "谁",
                "哪个",
                "哪一年",
                "比",
                "多",
                "少",
                "诉松",
                "收了",
                "钱",
                "官司",
                "几宗",
                "2017年",
                "更",
                "吗",
                "的",
                "复意",
                "，",
                " ",
            ]
        ),
        max_size=12,
    )
)
def test_wordings_never_break_the_parser(words: list[str]) -> None:
    gazetteer = Gazetteer(
        [{"unit": u, "unit_full": f, "parent": p, "level": lvl} for u, f, p, lvl in UNITS]
    )
    q = parse_question("".join(words), gazetteer, CATALOGUE, today=TODAY)
    assert all(ref.mention in q.text for ref in q.units)
    assert q.statistic_mention in q.text
    if q.over == "years":
        assert q.intent == "ranking" and len(q.units) <= 1
