"""Finding tables in original report text, in every shape the readers leave them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.tables import find_tables

PIPE = """前言一段文字。
政府信息公开情况统计表
| 统计指标 | 单位 | 统计数 |
|---|---|---|
| 四、行政复议数量 | 件 | 4 |
| （一）维持具体行政行为数 | 件 |  |
| 五、行政诉讼数量 | 件 | — |
结尾文字。
"""

TABS = "说明\n指标\t单位\t统计数\n收到申请数\t件\t6\n按时办结数\t件\t5\n后记\n"

ONE_CELL = (
    "\t政府信息公开情况统计表\n\n"
    "\t统 计 指 标\n\t单位\n\t统计数\n\n"
    "\t  （一）主动公开政府信息数\n       （不同渠道和方式公开相同信息计1条）\n\t条\n\t\u3000654\n\n"
    "\t一、回应解读情况\n\t \n\t\u3000\n\n"
    "\t  （一）收到申请数\n\t件\n\t\u30006\n\n"
    "\t  1.当面申请数\n\t件\n\t\u30003\n\n"
)

NATIONAL_ONE_CELL = (
    "一、本年新收政府信息公开申请数量\n10\n2\n0\n0\n1\n0\n13\n\n"
    "二、上年结转政府信息公开申请数量\n1\n0\n0\n0\n0\n0\n1\n\n"
    "四、结转下年度继续办理\n0\n0\n0\n0\n0\n0\n0\n"
)

LOOSE = (
    "三、收到和处理政府信息公开申请情况\n"
    "一、本年新收政府信息公开申请数量 10 2 0 0 1 0 13\n"
    "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1\n"
    "四、政府信息公开行政复议、行政诉讼情况\n"
    "1 0 0 0 1 2 1 0 0 3 0 0 1 0 1\n"
    "五、存在的主要问题\n"
)


def test_pipe_table_rows_titles_and_offsets():
    (table,) = find_tables(PIPE)
    assert table.title == "政府信息公开情况统计表"
    assert [r.cells for r in table.rows] == [
        ("统计指标", "单位", "统计数"),
        ("四、行政复议数量", "件", "4"),
        ("（一）维持具体行政行为数", "件", ""),
        ("五、行政诉讼数量", "件", "—"),
    ]
    for row in table.rows:
        assert PIPE[row.start : row.end].startswith("|")
        assert row.cells[0] in PIPE[row.start : row.end]
    assert PIPE[table.start : table.end].endswith("| 件 | — |")


def test_tab_rows():
    (table,) = find_tables(TABS)
    assert [r.cells for r in table.rows] == [
        ("指标", "单位", "统计数"),
        ("收到申请数", "件", "6"),
        ("按时办结数", "件", "5"),
    ]


def test_one_cell_per_line_rows_span_all_their_lines():
    (table,) = find_tables(ONE_CELL)
    assert table.title == "政府信息公开情况统计表"
    cells = [r.cells for r in table.rows]
    assert ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "654") in cells
    assert ("一、回应解读情况", "", "") in cells
    assert ("（一）收到申请数", "件", "6") in cells
    row = next(r for r in table.rows if r.cells[-1] == "654")
    assert ONE_CELL[row.start : row.end].endswith("654")
    assert "（一）主动公开政府信息数" in ONE_CELL[row.start : row.end]


def test_one_cell_per_line_wide_rows():
    (table,) = find_tables(NATIONAL_ONE_CELL)
    assert table.rows[0].cells == (
        "一、本年新收政府信息公开申请数量",
        "10",
        "2",
        "0",
        "0",
        "1",
        "0",
        "13",
    )
    assert len(table.rows) == 3


def test_loose_rows_and_a_bare_row_of_numbers():
    tables = find_tables(LOOSE)
    rows = [r.cells for t in tables for r in t.rows]
    assert ("一、本年新收政府信息公开申请数量", "10", "2", "0", "0", "1", "0", "13") in rows
    assert (
        tuple(["1", "0", "0", "0", "1", "2", "1", "0", "0", "3", "0", "0", "1", "0", "1"]) in rows
    )


@pytest.mark.parametrize(
    "text",
    [
        "2018年，我镇主动公开政府信息33条。\n收到申请1件。\n",
        "联系电话：0573 84560616\n传真：0573 84565377\n",
        "| 分享: |\n",
        "第9至12条规定\n20个工作日内\n",
    ],
)
def test_prose_is_not_a_table(text):
    assert find_tables(text) == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("|\t\n 　0123456789一二件条、（）()收到申请数-—/")),
               max_size=300))  # fmt: skip
def test_rows_are_well_formed_on_any_text(text):
    last = -1
    for table in find_tables(text):
        assert 0 <= table.start <= table.end <= len(text)
        assert table.start > last
        for row in table.rows:
            assert table.start <= row.start <= row.end <= table.end
        last = table.end - 1 if table.end > table.start else table.start
