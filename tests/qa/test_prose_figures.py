"""Figures read from report sentences: questions of our own over the samples, the corpus texts
and small made-up passages (none copied from the evaluation files)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.qa.figure_answer import text_answer
from bot.qa.figure_question import asks_for_figure, read_question, years_named
from bot.qa.figure_words import longest_first, vocabulary
from bot.qa.lookup import ReportRef
from bot.qa.model import AnswerKind, Figure, Quote
from bot.qa.prose_figures import (
    ANSWER,
    CANDIDATES,
    NOT_STATED,
    FigureCandidate,
    FigureFinding,
    PassageText,
    _clauses,
    _negation,
    find_figures,
)
from bot.qa.wording import Phrasebook
from tests.support import CORPUS, SAMPLES


def passages_of(text: str) -> list[PassageText]:
    """One passage per non-blank line, as a report without section detection gives them."""
    lines = [line for line in text.splitlines() if line.strip()]
    return [PassageText(i, line) for i, line in enumerate(lines, 1)]


def report(name: str) -> list[PassageText]:
    folder = SAMPLES if (SAMPLES / name).exists() else CORPUS / "text"
    return passages_of((folder / name).read_text("utf-8"))


# (report file, question, the unit words of the question, expected headline)
ANSWERED = [
    ("xitang-2018.md", "西塘镇2018年接受培训的有多少人次", ["西塘镇"], 320),
    ("xitang-2018.md", "西塘镇去年办了几次培训班", ["西塘镇"], 2),
    ("xitang-2018.md", "西塘镇2018年开过几次政府信息公开工作会议", ["西塘镇"], 3),
    ("xiji-2018.txt", "西集镇微信公众号新增了多少条信息", ["西集镇"], 840),
    ("xiji-2018.txt", "“通州信息网”上西集镇新增信息多少条", ["西集镇"], 654),
    ("yuqian-2018.txt", "於潛鎮選派了幾名年輕同志負責政務公開", ["於潛鎮"], 2),
    ("yuqian-2018.txt", "通过问政面对面回应了多少次公众关注热点", [], 12),
    ("yuqian-2018.txt", "电话和口头解决群众咨询多少次", [], 80),
    ("pingtan-gaj-2019.txt", "公安局2019年开了几场警媒座谈会", ["公安局"], 2),
    ("pingtan-gaj-2019.txt", "公安局2019年电台直播活动搞了多少场", ["公安局"], 12),
    ("pingtan-lyy-2025.txt", "“平潭文旅政务”公众号累计发布了多少条", [], 462),
    ("pingtan-jtj-2023.txt", "交建局公众号里开设了几个链接菜单", ["交建局"], 3),
    ("pingtan-jtj-2023.txt", "交建局公众号截至目前累计发送多少条信息", ["交建局"], 1063),
    ("pingtan-scj-2020.txt", "市场监管局2020年食品安全栏公开了几条", ["市场监管局"], 32),
    ("pingtan-scj-2020.txt", "市场监管局专门安排了几名业务人员", ["市场监管局"], 1),
    ("pingtan-shs-2019.txt", "社会事业局2019年选认了多少名省级个人科技特派员", [], 21),
    (
        "pingtan-shs-2019.txt",
        "How many district-level science and technology commissioners were chosen?",
        [],
        47,
    ),
]


@pytest.mark.parametrize(("name", "question", "drop", "expected"), ANSWERED)
def test_figure_read_from_the_text(name: str, question: str, drop: list, expected: int) -> None:
    finding = find_figures(question, report(name), drop)
    assert finding.outcome == ANSWER, finding
    assert finding.headline is not None and finding.headline.value == expected
    assert str(expected) in finding.headline.evidence or finding.headline.stated_as_zero


# Questions whose figure the report does not give, or gives ambiguously: never a headline
# other than the value allowed (None: no headline at all).
NO_WRONG_HEADLINE = [
    ("xitang-2018.md", "西塘镇2018年政务微博发了多少条", ["西塘镇"], None),
    ("xitang-2018.md", "西塘镇2018年的新闻发布会开了几场", ["西塘镇"], None),
    ("pingtan-gaj-2019.txt", "公安局2019年微博粉丝有多少人", ["公安局"], None),
    ("pingtan-jtj-2023.txt", "交建局公众号关注用户多少人", ["交建局"], 1255),
    ("pingtan-lyy-2025.txt", "“平潭文旅”公众号累计发布了多少条信息", [], 2242),
    ("pingtan-shs-2019.txt", "社会事业局2019年收到多少件行政复议", [], None),
]


@pytest.mark.parametrize(("name", "question", "drop", "allowed"), NO_WRONG_HEADLINE)
def test_no_wrong_headline(name: str, question: str, drop: list, allowed: int | None) -> None:
    finding = find_figures(question, report(name), drop)
    if finding.outcome == ANSWER:
        assert finding.headline is not None and finding.headline.value == allowed


def one(text: str) -> list[PassageText]:
    return [PassageText(1, text)]


# Made-up sentences for the rules of what is a figure: (text, question, expected headline or
# None for no headline).
RULES = [
    # 人次 is not 次; 多少人次 asks for visits and 几次 for sessions.
    ("全年举办培训班2次，培训人员320人次。", "培训了多少人次", 320),
    ("全年举办培训班2次，培训人员320人次。", "培训班办了几次", 2),
    # Chinese numerals count.
    ("在互动交流栏目中发布调查问卷四次。", "发布了几次调查问卷", 4),
    # A zero stated in words, only for what the question asks.
    ("本年度没有产生信息公开处理费。", "收了多少信息处理费", 0),
    ("本年度没有产生信息公开处理费。", "收到多少件行政复议申请", None),
    ("本年度未收到政府信息公开申请，也未发生行政复议。", "收到几件政府信息公开申请", 0),
    # A year, a date, a phone number, a document number, an ordinal: never a figure.
    (
        "根据岚综管办〔2021〕12号文件，于2021年3月5日召开会议，联系电话0591-23153022。",
        "召开了几次会议",
        None,
    ),
    ("召开第三次全体会议。", "召开了几次全体会议", None),
    # A percentage only when a share is asked.
    ("全年办结申请12件，办结率达100%。", "办结了多少件申请", 12),
    ("全年办结申请12件，办结率达100%。", "办结率是多少", 100),
    # Money in 元 and 万元.
    ("政府集中采购2笔，金额984361元。", "集中采购金额多少钱", 984361),
    ("政府集中采购项目总金额45.82万元。", "采购总金额多少万元", 45.82),
    # The rest of a whole is not the whole; a part is not its sibling.
    (
        "主动公开政府信息56条，其中机构职能类信息4条，其他应主动公开政府信息17条。",
        "主动公开政府信息多少条",
        56,
    ),
    ("因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。", "行政诉讼案件有几件", 7),
    ("因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。", "被申请行政复议几件", 2),
    # Approximate figures keep their number.
    ("微信公众号全年推送文章1100余篇。", "公众号推送了多少篇文章", 1100),
    # A figure of a plan is no result.
    ("下一步计划于明年开展培训3次。", "开展了几次培训", None),
    # A rate per a unit (元/月) answers only a question asking per that unit.
    ("最低生活保障标准提高至800元/月，全年发放保障金共计9600元。", "全年发放了多少元保障金", 9600),
    (
        "最低生活保障标准为每人800元/月，特困人员供养标准为每人13000元。",
        "最低生活保障标准是多少元",
        None,
    ),
    # A word found only among the examples of a list (A、B等内容) does not govern the total.
    (
        "推进招生结果、政策解读、财政预决算等内容公开，全年共发布152条。",
        "政策解读发布了多少条",
        None,
    ),
    # What a figure counts may follow its modifiers and 的.
    (
        "全年对12项涉及群众切身利益、社会关注度高的重要政策文件进行解读。",
        "解读了几项重要政策文件",
        12,
    ),
    # A running total asked: the figure 累计 governs, not the year's figure beside it.
    ("截至目前累计公开政府信息2500条，其中2021年公开320条。", "累计公开政府信息多少条", 2500),
    # 几个人 asks for people, not for the year's count of items beside them.
    ("全年制发政府信息487条。办公室安排1名业务人员负责日常工作。", "几个人负责日常工作", 1),
    ("全年制发政府信息487条，确保信息公开工作稳步推进。", "几个人做信息公开工作", None),
    # A share may be a floor.
    ("群众满意率达98.5%以上。", "群众满意率是多少", 98.5),
]


@pytest.mark.parametrize(("text", "question", "expected"), RULES)
def test_rules_of_a_figure(text: str, question: str, expected: float | None) -> None:
    finding = find_figures(question, one(text))
    if expected is None:
        assert finding.outcome != ANSWER, finding
    else:
        assert finding.outcome == ANSWER, finding
        assert finding.headline is not None and finding.headline.value == expected


def test_equal_candidates_are_listed_without_a_headline() -> None:
    text = "一是通过门户网站发布信息120条。二是通过门户网站发布信息85条。"
    finding = find_figures("通过门户网站发布了多少条信息", one(text))
    assert finding.outcome == CANDIDATES
    assert {c.value for c in finding.candidates} == {120, 85}


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("公众号发了多少篇文章", True),
        ("召开了几场新闻发布会", True),
        ("依申请公开办结率", True),
        ("有人申请过信息公开吗", True),
        ("被起诉过吗", True),
        ("行政处罚决定数量", True),
        ("How many press conferences were held?", True),
        ("What share of requests was answered on time?", True),
        ("受理群众反映问题几个", True),
        ("存在哪些问题", False),
        ("联系电话是多少", False),
        ("年报的文号是多少", False),
        ("领导小组组长是谁", False),
        ("下一步有什么打算", False),
        ("What is the phone number of the office?", False),
    ],
)
def test_asks_for_figure(question: str, asks: bool) -> None:
    assert asks_for_figure(question) is asks


@pytest.mark.parametrize(
    ("question", "group", "measure"),
    [
        ("培训了多少人次", "visit", "人次"),
        ("培训了多少次", "event", "次"),
        ("发布了几场", "event", "场"),
        ("公众号关注人数", "person", ""),
        ("收了多少钱", "money", ""),
        ("依申请公开办结率", "percent", ""),
        ("发了多少条", "item", "条"),
        ("How many staff work on disclosure?", "person", ""),
        ("有几个人做这项工作", "person", "人"),
        ("配备了几个工作人员", "person", ""),
        ("建了几个网站", "account", "个"),
        ("有多少", "", ""),
    ],
)
def test_measure_asked(question: str, group: str, measure: str) -> None:
    asked = read_question(question)
    assert (asked.group, asked.measure) == (group, measure)


def test_key_words_leave_out_unit_year_and_question_words() -> None:
    asked = read_question("西塘镇2018年一共召开了几场新闻发布会？", drop=["西塘镇"])
    plain = [k.word for k in asked.words if k.kind == "plain"]
    assert "新闻发布会" in plain and "西塘镇" not in plain
    assert not any(w in plain for w in ("几", "几场", "了", "2018"))


def test_years_named() -> None:
    assert years_named("2019年收到几件申请") == {2019}
    assert years_named("19年和2020年") == {2019, 2020}
    assert years_named("收到几件申请") == set()


def _report(unit: str) -> ReportRef:
    return ReportRef(1, unit, 2018, "pre2020", f"{unit} 2018", "r.txt", "镇")


def test_text_answer_marks_its_figure_and_source() -> None:
    finding = find_figures("培训了多少人次", one("全年培训人员320人次。"))
    read = text_answer("培训了多少人次", finding, _report("西塘镇"), Phrasebook("zh"))
    assert read.kind == AnswerKind.NUMBER and read.value == 320
    assert Figure("320") in read.headline.segments
    fact = read.facts[0]
    assert fact.source == "text" and fact.measure == "人次" and fact.statistic is None
    assert "320人次" in fact.evidence and fact.passage_id == 1
    assert read.sources[0].passage_id == 1
    assert Quote(fact.evidence) in read.sources[0].line.segments
    assert read.to_dict()["facts"][0]["metric"] is None
    english = text_answer("trainees", finding, _report("Xitang"), Phrasebook("en"))
    assert "visits" in english.text and "正文" not in english.text
    none = text_answer(
        "微博发了多少条",
        find_figures("微博发了多少条", one("全年培训人员320人次。")),
        _report("西塘镇"),
        Phrasebook("zh"),
    )
    assert none.kind == AnswerKind.NONE and none.facts == []


def test_candidates_are_listed_with_their_figures_and_quotes() -> None:
    shown = tuple(
        FigureCandidate(value, "条", f"发布信息{value:g}条", i, "", 0.5, "发布信息")
        for i, value in enumerate((12.0, 30.0), 1)
    )
    finding = FigureFinding(CANDIDATES, shown, "item")
    read = text_answer("发布了多少条信息", finding, _report("西塘镇"), Phrasebook("zh"))
    assert read.kind == AnswerKind.NUMBER and read.value is None
    assert [f.value for f in read.facts] == [12, 30]
    for source, value, passage_id in zip(read.sources, ("12", "30"), (1, 2), strict=True):
        assert Figure(value) not in source.line.segments  # a candidate is not the answer
        assert Quote(f"发布信息{value}条") in source.line.segments
        assert source.passage_id == passage_id
    assert read.text.splitlines()[1] == "1. 12条：「发布信息12条」"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(
        alphabet=st.sampled_from(list("发布信息条件人次场2018年〇一二三。，；、：的未收到申请")),
        max_size=80,
    ),
    question=st.text(max_size=30),
)
def test_any_text_any_question(text: str, question: str) -> None:
    finding = find_figures(question, one(text))
    assert finding.outcome in (ANSWER, CANDIDATES, NOT_STATED)
    for candidate in finding.shown:
        assert candidate.evidence and candidate.evidence in text


def test_vocabulary_tables_hold_what_the_code_reads() -> None:
    """Each table of the data file has the shape its reader expects (a key written under the
    wrong TOML table header would otherwise be silently ignored)."""
    from bot.qa.figure_words import vocabulary

    vocab = vocabulary()
    for table in ("english", "english_verbs"):
        assert all(k.isascii() and isinstance(v, list) for k, v in vocab[table].items()), table
    assert set(vocab["headings"]) == {"ends"}
    assert set(vocab["words"]) == {"extra"}
    groups = set(vocab["measures"])
    assert set(vocab["related"]) == groups
    assert all(set(v) <= groups for v in vocab["related"].values())
    asked = {**vocab["question"]["asked_by_word"], **vocab["question"]["asked_by_word_en"]}
    assert set(asked.values()) <= groups
    assert all(isinstance(v, float | int) for v in vocab["scores"].values())


@pytest.mark.parametrize(
    ("question", "compound"),
    [
        # a run of joined words with a weak one, as the question writes it (的 kept)
        ("全区共公布政府信息多少条", "共公布政府信息"),
        ("其他应主动公开的政府信息有几条", "主动公开的政府信息"),
    ],
)
def test_joined_words_are_also_read_as_written(question: str, compound: str) -> None:
    assert compound in read_question(question).compounds


def _clauses_char_by_char(sentence: str) -> list[tuple[int, int]]:
    """The clause rule as a loop over characters, as it was first written."""
    spans, start = [], 0
    for i, ch in enumerate(sentence):
        if ch in ",，:：;；\n":
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(sentence)))
    return [(a, b) for a, b in spans if b > a]


@given(st.text(alphabet=st.sampled_from("ab无未,，:：;；\n 。1"), max_size=40))
def test_clauses_as_the_character_loop(sentence: str) -> None:
    assert _clauses(sentence) == _clauses_char_by_char(sentence)


@given(st.text(alphabet=st.sampled_from("无也因暂法论需没有收到未接,a"), max_size=30))
def test_negation_found_as_the_plain_search(clause: str) -> None:
    """The quick check for any negation word changes nothing: the first word (longest
    first) that stands unblocked, or None."""
    vocab = vocabulary()
    expected = None
    for word in longest_first(vocab["zero"]["negations"]):
        starts = [i for i in range(len(clause)) if clause.startswith(word, i)]
        unblocked = [
            i
            for i in starts
            if not any(clause[i:].startswith(b) for b in vocab["zero"]["negation_blockers"])
        ]
        if unblocked:
            expected = unblocked[0]
            break
    assert _negation(clause) == expected


def test_a_fraction_counts_nothing() -> None:
    """1⁄4条 (a fraction written with the fraction slash, as ¼ folds) is no count of 4."""
    finding = find_figures(
        "主动公开政府信息多少条", [PassageText(1, "全年主动公开政府信息1⁄4条。")]
    )
    assert finding.outcome == NOT_STATED
