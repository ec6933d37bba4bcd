"""Figures stated in prose: phrases, numerals, negations, and what is not a statistic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.statistics import extract_statistics
from ingest.statistics.numbers import spellings
from ingest.statistics.prose_rules import prose_rules
from ingest.text import fold


def prose(text: str, template: str = "pre2020") -> dict[str, list[float | None]]:
    out: dict[str, list[float | None]] = {}
    for s in extract_statistics(text, template).statistics:
        assert s.source == "prose"
        out.setdefault(s.key, []).append(s.value)
    return out


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("4.行政复议数量：1件。", "reconsiderations", 1),
        ("自2018年1月1日起，累计主动公开政府信息33条，全文电子化率达100%。", "proactive", 33),
        ("2018年度我镇收到公众关于政府信息依申请公开1件。", "requests.received", 1),
        ("其中，工作动态 56条、走进本镇 2 条，微信公众平台 103条，", "channels.wechat", 103),
        ("2018 年度，我镇主动公开政府信\n\n息 255 条，其中", "proactive", 255),
        ("举办政府信息公开培训班两次。", "trainings", 2),
        ("全年收到政府信息公开申请三件。", "requests.received", 3),
        ("主动公开政府信息一千二百条。", "proactive", 1200),
        ("主動公開政府信息２０４３條。", "proactive", 2043),
        ("6.举报投诉数量：无\n7.其他", "complaints", 0),
        ("本年度无依申请公开政府信息情况", "requests.received", 0),
        ("2018年度我镇未发生政府信息公开收取费用的情况。", "fees", 0),
        ("依申请公开信息收取的费用：0.5万元。", "fees", 0.5),
        ("收取费用3000元。", "fees", 0.3),
        ("发生针对本单位政府信息公开行政诉讼案件0件。", "lawsuits", 0),
        ("接受培训人员320人次。", "trainees", 320),
        ("2018年，共召开政府信息公开工作会议3次。", "meetings", 3),
        ("3.回应公众关注热点或重大舆情数：8 件", "responses", 8),
        ("按时办结 1 件。", "requests.completed.on_time", 1),
        ("我镇尚未收到依申请公开事项。", "requests.received", 0),
    ],
)
def test_prose_figures(text, key, value):
    found = prose(text)
    assert found.get(key) == [pytest.approx(value)], found


@pytest.mark.parametrize(
    ("text", "zeros"),
    [
        ("本年度无申请行政复议和提起行政诉讼情况", {"reconsiderations", "lawsuits"}),
        ("未发生针对本部门有关政府信息公开事务的行政复议和行政诉讼数。",
         {"reconsiderations", "lawsuits"}),
        ("2018年度，未出现因政府信息公开申请行政复议、提起行政诉讼的情况。",
         {"reconsiderations", "lawsuits"}),
        ("未出现依申请公开政府信息收费情况和收费减免情况。", {"fees"}),
        ("未发生一例因有关政府信息公开事务而引起的行政复议、诉讼和申诉情况。",
         {"reconsiderations", "lawsuits"}),
    ],
)  # fmt: skip
def test_negations_state_zero_for_exactly_the_statistics_named(text, zeros):
    found = prose(text)
    assert found == {k: [0.0] for k in zeros}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("行政复议、行政诉讼各1件。", {"reconsiderations": [1.0], "lawsuits": [1.0]}),
        ("行政复议和行政诉讼均为0件。", {"reconsiderations": [0.0], "lawsuits": [0.0]}),
        ("共收到信息公开申请12件。", {"requests.received": [12.0]}),
    ],
)
def test_one_figure_shared_by_two_statistics(text, expected):
    assert prose(text) == expected


def prose_or_table(text: str) -> dict[str, list[float | None]]:
    out: dict[str, list[float | None]] = {}
    for s in extract_statistics(text, "pre2020").statistics:
        out.setdefault(s.key, []).append(s.value)
    return out


def test_value_cells_with_units_and_odd_measures():
    text = "| 1.当面申请数 | 个/人 | 3 |\n| （一）收到申请数 | 6件 |\n"
    assert prose_or_table(text) == {
        "requests.received.in_person": [3.0],
        "requests.received": [6.0],
    }


@pytest.mark.parametrize(
    "text",
    [
        "2018年，我镇认真贯彻《条例》第9至12条的规定。",
        "确保信息生成之日起20个工作日内在网络平台上公开。",
        "联系电话：0573—84560616，传真：63888035。",
        "全文电子化率达100%。",
        "对无法提供的依申请公开事项，按规定答复。",
        "主动公开政府信息的工作机制不断完善。",
        "开通政务微博2个。",
        "2019年我镇计划将政务公开的电子化率提高到85%。",
        "依申请公开工作流程不断完善，无其他事项。",
        "此外还通过电话、口头等方式解决群众咨询80余次。",
        "于海申请公开西集镇2018年预算等6件。",
        "¼条主动公开政府信息",  # a fraction (folded to 1⁄4) counts nothing; found by hypothesis
    ],
)
def test_not_statistics(text):
    assert prose(text) == {}


def test_implied_all_on_time_takes_the_received_figure():
    text = "发生依申请公开6件。甲申请公开拆迁计划。所有申请均已按规定时限按时办结。"
    stats = extract_statistics(text, "pre2020").statistics
    (on_time,) = [s for s in stats if s.key == "requests.completed.on_time"]
    assert on_time.value == 6
    assert on_time.rule == "prose:implied=requests.received"
    assert on_time.evidence.startswith("发生依申请公开6件")
    assert on_time.evidence.endswith("按时办结")


def test_implied_needs_a_figure_before_it():
    assert prose("所有申请均已按规定时限按时办结。") == {}


def test_statistics_outside_the_template_are_not_taken():
    text = "收取信息处理费 380 元。行政许可处理决定1500件。"
    assert prose(text, "national2021") == {"processing_fees": [380.0]}
    assert "processing_fees" not in prose(text, "pre2020")


def test_table_beats_prose_and_disagreement_is_a_conflict():
    text = "| 五、行政诉讼数量 | 件 | 6 |\n| 六、举报投诉数量 | 件 | 0 |\n发生行政诉讼案件0件。本年度无举报投诉情况。"
    extraction = extract_statistics(text, "pre2020")
    stats = extraction.statistics
    officials = {s.key: (s.value, s.source) for s in stats if s.official}
    assert officials == {"lawsuits": (6, "table"), "complaints": (0, "table")}
    assert [(stats[a].key, stats[b].value) for a, b in extraction.conflicts] == [("lawsuits", 0)]


NEGATION_WORDS = (*prose_rules().negations, *prose_rules().zero_words)


def value_shown(value: float, evidence: str) -> bool:
    """The figure is written in the evidence, or it is a zero stated by a word."""
    folded = fold(evidence).replace("，", ",")
    if any(form in folded for form in spellings(value)):
        return True
    return value == 0 and any(word in folded for word in NEGATION_WORDS)


FRAGMENTS = [
    "主动公开政府信息", "行政复议", "行政诉讼", "依申请公开", "举报投诉数量", "收取费用", "微信公众平台",
    "培训班", "接受培训人员", "本年度无", "未发生", "所有申请均已按时办结", "收到申请", "33", "0", "两",
    "一千二百", "条", "件", "次", "人次", "元", "万元", "：", "，", "。", "\n", "\n\n", " ", "|", "\t",
    "2018年", "第9条", "100%", "20个工作日", "（一）", "1.", "无", "——", "/", "四、行政复议数量",
    "五、行政诉讼数量", "（二）被依法纠错数", "一、本年新收政府信息公开申请数量", "结果维持",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=40).map("".join),
    st.sampled_from(["pre2020", "national2019", "national2021", "unknown"]),
)
def test_extraction_never_raises_and_every_value_is_in_its_evidence(text, template):
    extraction = extract_statistics(text, template)
    for s in extraction.statistics:
        assert text[s.start : s.end] == s.evidence
        if s.value is None or s.source == "derived":
            continue
        assert value_shown(s.value, s.evidence), (s.key, s.value, s.evidence)
    keys = [s.key for s in extraction.statistics if s.official]
    assert len(keys) == len(set(keys))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["pre2020", "national2021", "unknown"]))
def test_extraction_never_raises_on_any_text(text, template):
    extract_statistics(text, template)


SECTIONED = (
    "五、复议和诉讼情况\n（一）行政复议\n本年度未发生此类情况。\n"
    "（二）行政诉讼\n本年度共发生2件。\n（三）其他事项\n本年度共发生3件。\n"
    "（四）举报投诉\n未出现不予公开情况。\n"
)


def sections_of(text: str) -> list[tuple[int, int, str]]:
    heads = [text.index(h) for h in ("（一）", "（二）", "（三）", "（四）")]
    names = ["（一）行政复议", "（二）行政诉讼", "（三）其他事项", "（四）举报投诉"]
    ends = [*heads[1:], len(text)]
    top = "五、复议和诉讼情况"
    return [(0, heads[0], top)] + [
        (a, b, f"{top} / {n}") for a, b, n in zip(heads, ends, names, strict=True)
    ]


def test_a_section_named_after_a_statistic_attributes_unnamed_figures():
    stats = extract_statistics(SECTIONED, "pre2020", sections_of(SECTIONED)).statistics
    got = {(s.key, s.value, s.rule, s.evidence) for s in stats}
    assert got == {
        ("reconsiderations", 0.0, "prose:section-negation", "本年度未发生此类情况"),
        ("lawsuits", 2.0, "prose:section", "本年度共发生2件"),
    }


def test_without_sections_unnamed_figures_are_not_guessed():
    assert extract_statistics(SECTIONED, "pre2020").statistics == []


@pytest.mark.parametrize(
    "text",
    [
        "主动公开政府信息" + "共计" * 60 + "x",
        "行政复议" + "均为" * 60 + "x",
        "1 " * 3000 + "x",
        "| " + "1 | " * 2000,
    ],
)
def test_adversarial_text_is_read_quickly(text):
    import time

    began = time.perf_counter()
    extract_statistics(text, "unknown")
    assert time.perf_counter() - began < 5


RECONSIDERATION_TABLE = (
    "| 四、行政复议数量 | 件 | 0 |\n| 维持具体行政行为数 | 件 | 2 |\n"
    "| 被依法纠错数 | 件 | 1 |\n| 其他情形数 | 件 | 0 |\n"
)


@pytest.mark.parametrize(
    ("prose_text", "official", "conflict"),
    [
        # the text states what the parts add up to: two statements against one printed cell
        ("全年被申请行政复议3件。", (3, "prose"), ("prose", "table")),
        # the text agrees with neither: the table stays official, the text is the conflict
        ("全年被申请行政复议5件。", (0, "table"), ("table", "prose")),
    ],
)
def test_a_total_failing_its_own_arithmetic_yields_to_prose_equal_to_its_parts(
    prose_text, official, conflict
):
    extraction = extract_statistics(RECONSIDERATION_TABLE + prose_text, "pre2020")
    stats = extraction.statistics
    chosen = [(s.value, s.source) for s in stats if s.key == "reconsiderations" and s.official]
    assert chosen == [official]
    pairs = [(stats[a].source, stats[b].source) for a, b in extraction.conflicts]
    assert pairs == [conflict]
    assert [f.total for f in extraction.checks] == ["reconsiderations"]


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        # the figure before the phrase it counts
        ("本年度收到1份有关政府信息公开行政复议申请。", "reconsiderations", 1),
        ("全年召开3次政府信息公开工作会议。", "meetings", 3),
    ],
)
def test_a_figure_may_stand_before_the_phrase_it_counts(text, key, value):
    assert prose(text).get(key) == [pytest.approx(value)]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # 累计 with a mark of "since": the running total of the 统计表's 历年累计 column
        ("截至2018年底，共主动公开政府信息累计257条。", "proactive.cumulative"),
        # 累计 alone: the year's figure
        ("2018年累计主动公开政府信息33条。", "proactive"),
    ],
)
def test_running_totals_in_prose_need_a_mark_of_since(text, key):
    found = prose(text)
    assert key in found, found
    other = "proactive" if key != "proactive" else "proactive.cumulative"
    assert other not in found, found
