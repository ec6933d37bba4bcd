"""Template tables whose layout was lost: every cell read, no digit guessed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.catalogue import load_catalogue
from ingest.statistics import extract_statistics
from ingest.statistics.flat_rows import Token
from ingest.statistics.splits import Relation, readings, solve

CAT = load_catalogue()
ORGS = ("business", "research", "social_welfare", "legal_service", "other_org")
COLUMNS = ("natural_person", *ORGS, "")
HEADER_3 = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加"
    "第四项之和）申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
)
HEADER_4 = (
    "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
    "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
)
# Table 三 of the 2021 edition as printed: (label, key); None keys are headings.
ROWS_3 = [
    ("一、本年新收政府信息公开申请数量", "requests.received"),
    ("二、上年结转政府信息公开申请数量", "requests.carried_over"),
    ("三、本年度办理结果（一）予以公开", "requests.disclosed"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "requests.partly_disclosed"),
    ("（三）不予公开1.属于国家秘密", "requests.withheld.state_secret"),
    ("2.其他法律行政法规禁止公开", "requests.withheld.prohibited"),
    ("3.危及“三安全一稳定”", "requests.withheld.three_security"),
    ("4.保护第三方合法权益", "requests.withheld.third_party"),
    ("5.属于三类内部事务信息", "requests.withheld.internal"),
    ("6.属于四类过程性信息", "requests.withheld.process"),
    ("7.属于行政执法案卷", "requests.withheld.enforcement_files"),
    ("8.属于行政查询事项", "requests.withheld.query"),
    ("（四）无法提供1.本机关不掌握相关政府信息", "requests.unavailable.not_held"),
    ("2.没有现成信息需要另行制作", "requests.unavailable.needs_creation"),
    ("3.补正后申请内容仍不明确", "requests.unavailable.unclear"),
    ("（五）不予处理1.信访举报投诉类申请", "requests.not_processed.petition"),
    ("2.重复申请", "requests.not_processed.repeated"),
    ("3.要求提供公开出版物", "requests.not_processed.publications"),
    ("4.无正当理由大量反复申请", "requests.not_processed.mass_repeated"),
    ("5.要求行政机关确认或重新出具已获取信息", "requests.not_processed.confirmation"),
    (
        "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "requests.other_handling.no_correction",
    ),
    (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "requests.other_handling.unpaid_fees",
    ),
    ("3.其他", "requests.other_handling.other"),
    ("（七）总计", "requests.handled"),
    ("四、结转下年度继续办理", "requests.carried_forward"),
]
OUTCOMES = [k for _, k in ROWS_3[2:-2]]
TABLE4 = CAT.layouts["table4"][0].keys


def cell_key(row: str, column: str) -> str:
    return CAT.cell_key(row, column)


def stored(text: str, template: str = "national2021"):
    extraction = extract_statistics(text, template)
    values = {s.key: s.value for s in extraction.statistics if s.source == "table"}
    return values, extraction


# --- one row at a time ---------------------------------------------------------------------


def tokens(*texts: str) -> list[Token]:
    return [Token(t, 0, len(t)) for t in texts]


@pytest.mark.parametrize(
    ("written", "columns", "expected"),
    [
        (("713000074",), 7, None),  # 71,3,0,0,0,0,74 is one of several readings
        (("0000000",), 7, [(0.0,) * 7]),
        (("71", "3", "0", "0", "0", "0", "74"), 7, [(71.0, 3.0, 0, 0, 0, 0, 74.0)]),
        (("10",), 2, [(1.0, 0.0)]),
        (("01",), 2, [(0.0, 1.0)]),
        (("00",), 1, []),  # a leading zero is never a number
        (("0", "0"), 3, []),  # too few digits
        (("1", "2", "3"), 2, []),  # too many values
        (("152.2",), 1, [(152.2,)]),
        (("9", "152.2"), 2, [(9.0, 152.2)]),
    ],
)
def test_readings_of_a_row(written, columns, expected):
    found = readings(tokens(*written), columns)
    if expected is None:
        assert (71.0, 3.0, 0.0, 0.0, 0.0, 0.0, 74.0) in found and len(found) > 1
    else:
        assert found == expected


def test_hostile_token_is_left_unread_quickly():
    assert readings(tokens("1" * 5000), 7) is None
    assert readings(tokens("1" * 40), 15) is None


def test_relation_that_no_reading_satisfies_is_reported_not_forced():
    # total = a + b, but the only reading says 5 = 1 + 0
    outcome = solve([[(1.0, 0.0, 5.0)]], [Relation("sum", ((0, 2, 1), (0, 0, -1), (0, 1, -1)))])
    assert outcome.readings == [[(1.0, 0.0, 5.0)]]
    assert [r.name for r in outcome.failed] == ["sum"]


def test_preference_chooses_but_never_contradicts():
    domain = [[(1.0, 58169.0), (158.0, 169.0), (1581.0, 69.0)]]
    chosen = solve(domain, [], [Relation("prose", ((0, 0, 1),), frozenset({158.0, 7.0}))])
    assert chosen.readings == [[(158.0, 169.0)]]
    ignored = solve(domain, [], [Relation("prose", ((0, 0, 1),), frozenset({99.0}))])
    assert ignored.readings == domain


# --- whole reports -------------------------------------------------------------------------


def national_text(
    values: dict[str, float], separator: str = "", table2: str = "", prose: str = ""
) -> str:
    """A 2021-edition report copied off a web page as one line."""
    parts = [
        "2021年政府信息公开工作年度报告 一、总体情况",
        prose,
        "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数",
        table2 or "规章000行政规范性文件303",
        "第二十条第（五）项信息内容本年处理决定数量行政许可16",
        HEADER_3,
    ]
    for label, key in ROWS_3:
        cells = [values[cell_key(key, c)] for c in COLUMNS]
        parts.append(label + separator.join(str(int(v)) for v in cells))
    parts.append(HEADER_4 + separator.join(str(int(values[k])) for k in TABLE4))
    parts.append("五、存在的主要问题及改进情况 无。")
    return "".join(parts)


def zero_values() -> dict[str, float]:
    values = {cell_key(k, c): 0.0 for _, k in ROWS_3 for c in COLUMNS}
    values.update({k: 0.0 for k in TABLE4})
    return values


def set_row(values: dict[str, float], key: str, cells: list[int]) -> None:
    for column, value in zip(COLUMNS[:-1], cells, strict=True):
        values[cell_key(key, column)] = float(value)
    values[key] = float(sum(cells))


def test_run_together_row_resolved_by_the_table_arithmetic():
    values = zero_values()
    set_row(values, "requests.received", [71, 3, 0, 0, 0, 0])
    set_row(values, "requests.disclosed", [71, 3, 0, 0, 0, 0])
    set_row(values, "requests.handled", [71, 3, 0, 0, 0, 0])
    got, extraction = stored(national_text(values))
    assert {k: got.get(k) for k in values} == values
    received = next(s for s in extraction.statistics if s.key == "requests.received")
    assert received.evidence == "本年新收政府信息公开申请数量713000074"
    assert received.rule == "table-digits-split:table3"
    assert got["normative_documents.in_force"] == 3 and got["licensing.decisions"] == 16


def test_numbered_row_whose_number_runs_into_the_values_before():
    values = zero_values()
    set_row(values, "requests.unavailable.not_held", [17, 0, 0, 0, 0, 0])
    set_row(values, "requests.handled", [17, 0, 0, 0, 0, 0])
    set_row(values, "requests.received", [17, 0, 0, 0, 0, 0])
    text = national_text(values)
    assert "1700000172.没有现成信息" in text
    got, _ = stored(text)
    assert got["requests.unavailable.not_held"] == 17
    assert got["requests.unavailable.needs_creation.natural_person"] == 0


def test_table_four_and_space_separated_cells():
    values = zero_values()
    table4 = [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]
    values.update(dict(zip(TABLE4, map(float, table4), strict=True)))
    got, extraction = stored(national_text(values, separator=" "))
    assert [got[k] for k in TABLE4] == table4
    rules = {s.rule for s in extraction.statistics if s.key in TABLE4}
    assert rules == {"table-flattened:table4"}
    lawsuits = next(s for s in extraction.statistics if s.key == "lawsuits" and s.official)
    assert lawsuits.value == 12


def test_ambiguous_row_stores_no_value_and_lists_its_readings():
    got, extraction = stored(national_text(zero_values(), table2="规章000行政规范性文件2433"))
    for key in ("normative_documents.issued", "normative_documents.in_force"):
        assert key not in got
    (problem,) = [p for p in extraction.problems if p.kind == "ambiguous"]
    assert problem.evidence == "行政规范性文件2433"
    assert (2.0, 4.0, 33.0) in problem.readings and (24.0, 3.0, 3.0) in problem.readings
    assert problem.keys == (
        "normative_documents.issued",
        "normative_documents.repealed",
        "normative_documents.in_force",
    )


def test_prose_figure_of_the_same_report_chooses_the_reading():
    text = national_text(
        zero_values(), table2="规章000行政规范性文件2433", prose="本年度制发规范性文件24件。"
    )
    got, extraction = stored(text)
    if "normative_documents.issued" in {
        s.key for s in extraction.statistics if s.source == "prose"
    }:
        assert (got["normative_documents.issued"], got["normative_documents.in_force"]) == (24, 3)


def test_row_with_too_few_digits_is_skipped_and_counted():
    text = national_text(zero_values()).replace(
        "四、结转下年度继续办理0000000", "四、结转下年度继续办理0 00000"
    )
    got, extraction = stored(text)
    assert "requests.carried_forward" not in got
    assert [p.kind for p in extraction.problems] == ["too_few"]
    assert extraction.skipped == 1


def test_arithmetic_that_fails_under_every_split_keeps_the_printed_values():
    values = zero_values()
    set_row(values, "requests.received", [5, 1, 0, 0, 0, 0])
    values["requests.received"] = 0.0  # the report's own total column says 0
    got, extraction = stored(national_text(values))
    assert got["requests.received.natural_person"] == 5 and got["requests.received"] == 0
    assert "columns:requests.received" in {c.name for c in extraction.checks}


PRE2020 = (
    "附表 指标名称计量单位2015年度历年累计主动公开文件数条294981916其中：1、政府网站公开数条2949819162、"
    "政府公报公开数条00受理依申请公开信息总数条01行政复议数件00行政诉讼数件00 附件下载"
)


def test_pre2020_table_with_a_cumulative_column():
    text = "2015年主动公开政府信息2949条。" + PRE2020
    got, extraction = stored(text, "pre2020")
    assert (got["proactive"], got["proactive.cumulative"]) == (2949, 81916)
    assert (got["requests.received"], got["requests.received.cumulative"]) == (0, 1)
    assert got["lawsuits.cumulative"] == 0
    (problem,) = extraction.problems  # 网站公开 has no prose figure to choose with
    assert problem.kind == "ambiguous" and problem.evidence == "其中：1、政府网站公开数条294981916"
    assert "channels.website" not in got


def test_pre2020_table_without_prose_leaves_the_split_open():
    got, _ = stored(PRE2020, "pre2020")
    assert "proactive" not in got and got["reconsiderations"] == 0


def test_pre2020_spaced_row_with_one_value_for_two_columns_is_skipped():
    text = "指标名称 计量单位 2013年度 历年累计 主动公开信息数 条 72804 76424 2、政府公报公开 条 0 行政复议数 件 0 0"
    got, extraction = stored(text, "pre2020")
    assert got["proactive"] == 72804 and got["proactive.cumulative"] == 76424
    assert "channels.gazette" not in got and got["reconsiderations.cumulative"] == 0
    assert [p.kind for p in extraction.problems] == ["too_few"]


# --- property: random tables that keep the template's arithmetic ----------------------------


@st.composite
def consistent_tables(draw):
    """Table 三 and 四 values with every 勾稽 relation true, small and large numbers."""
    number = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 120))
    values = zero_values()
    totals = [0] * 6
    for key in OUTCOMES:
        cells = [draw(number) if draw(st.booleans()) else 0 for _ in range(6)]
        set_row(values, key, cells)
        totals = [a + b for a, b in zip(totals, cells, strict=True)]
    set_row(values, "requests.handled", totals)
    forward = [draw(st.integers(0, t)) if t else 0 for t in totals]
    set_row(values, "requests.carried_forward", forward)
    over = [draw(st.integers(0, t + f)) for t, f in zip(totals, forward, strict=True)]
    set_row(values, "requests.carried_over", over)
    set_row(
        values,
        "requests.received",
        [t + f - o for t, f, o in zip(totals, forward, over, strict=True)],
    )
    groups = []
    for _ in range(3):
        parts = [draw(number) for _ in range(4)]
        groups.extend([*parts, sum(parts)])
    values.update(dict(zip(TABLE4, map(float, groups), strict=True)))
    separators = draw(st.sampled_from(["", " ", "mixed"]))
    return values, separators, draw(st.randoms(use_true_random=False))


def flatten(values: dict[str, float], separators: str, rng) -> str:
    if separators != "mixed":
        return national_text(values, separator=separators)
    text = national_text(values, separator="\x00")
    return "".join(" " if ch == "\x00" and rng.random() < 0.5 else ch for ch in text).replace(
        "\x00", ""
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_tables())
def test_flattened_tables_read_back_exactly_or_reported_ambiguous(case):
    values, separators, rng = case
    got, extraction = stored(flatten(values, separators, rng))
    unread = {k for p in extraction.problems for k in p.keys}
    for key, value in values.items():
        if key in got:
            assert got[key] == value, key  # never a wrong value
        else:
            assert key in unread, key  # never silently missing
    assert {p.kind for p in extraction.problems} <= {"ambiguous", "unreadable"}
    if separators == " ":
        assert not extraction.problems
