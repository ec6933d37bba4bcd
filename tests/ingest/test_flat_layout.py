"""Reports copied off a web page as one long line: headings, paragraphs and tables inside it."""

from __future__ import annotations

import re
from itertools import pairwise

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.flat_layout import bare_numbers, flat_layout, table_rows, title_block
from ingest.passages import split_passages
from ingest.tables import Row, Table

# A made-up report in the 2021 national template, flattened the way portal copies are: no
# line breaks, no spaces, tables run together with their figures.
NATIONAL = (
    "东湖县水利局2022年度政府信息公开工作年度报告"
    " 根据《中华人民共和国政府信息公开条例》要求，编制本报告。本报告由总体情况、主动公开政府信息情况"
    "等六个部分组成。如对本报告有疑问，请与局办公室联系，电话：0571-88776655，邮编：311100。"
    "一、总体情况2022年，我局坚持以公开为常态、不公开为例外，扎实推进政务公开。"
    "（一）主动公开情况。全年主动公开政府信息326条，其中水利工程建设信息41条。"
    "（二）依申请公开情况。全年收到政府信息公开申请5件，均按时答复。"
    "（三）政府信息管理情况。一是健全发布审核制度；二是定期清理失效文件。"
    "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
    "规章000行政规范性文件3112第二十条第（五）项信息内容本年处理决定数量行政许可57"
    "第二十条第（六）项信息内容本年处理决定数量行政处罚9行政强制0"
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
    "一、本年新收政府信息公开申请数量4100005二、上年结转政府信息公开申请数量0000000"
    "三、本年度办理结果（一）予以公开3100004（二）部分公开0000000（三）不予公开1.属于国家秘密0000000"
    "2.其他法律行政法规禁止公开0000000（七）总计4100005四、结转下年度继续办理0000000"
    "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
    "100010000000000"
    "五、存在的主要问题及改进情况（一）存在问题。一是公开内容不够全面，部分栏目更新不及时；"
    "二是政策解读形式单一。（二）改进措施。2023年，我局将加强业务培训，丰富图解等解读形式。"
    "六、其他需要报告的事项无其他需要报告的事项。 东湖县水利局 2023年1月20日"
)

# The same kind of report from before 2019, copied with spaces where the lines were.
SPACED = (
    "南山镇2015年度政府信息公开工作年度报告 本报告由概述、主动公开政府信息情况等部分组成。"
    " 一、 概述 2015年，我镇认真贯彻落实《条例》，不断深化公开内容。"
    " 二、主动公开政府信息情况 （一）主动公开政府信息的数量 2015年主动公开政府信息88条。"
    " （二）主动公开政府信息的主要形式 1.门户网站 在镇政府网站设立信息公开专栏。"
    " 2.公开栏 在镇便民服务中心设立公开栏。"
    " 三、存在的主要问题和改进措施 目前仍存在人员兼职、业务不熟的问题。"
    " 四、附表 指标名称 计量单位 年末统计 主动公开信息数 条 88 其中：1、网站公开 条 80"
    " 2、政府公报公开 条 8 受理依申请公开信息总数 条 2 行政复议数 件 0"
)


def _passage(passages, needle: str):
    return next(p for p in passages if needle in p.text)


def _headings(text: str) -> list[tuple[int, str]]:
    blocks = flat_layout(text, 0, len(text)) or []
    return [(b.level, text[b.start : b.title_end]) for b in blocks if b.kind == "heading"]


def test_national_headings_follow_the_numbering() -> None:
    assert _headings(NATIONAL) == [
        (1, "一、总体情况"),
        (2, "（一）主动公开情况"),
        (2, "（二）依申请公开情况"),
        (2, "（三）政府信息管理情况"),
        (1, "二、主动公开政府信息情况"),
        (1, "三、收到和处理政府信息公开申请情况"),
        (1, "四、政府信息公开行政复议、行政诉讼情况"),
        (1, "五、存在的主要问题及改进情况"),
        (2, "（一）存在问题"),
        (2, "（二）改进措施"),
        (1, "六、其他需要报告的事项"),
    ]


def test_traditional_characters_give_the_same_layout() -> None:
    traditional = opencc.OpenCC("s2t").convert(NATIONAL)
    assert traditional != NATIONAL
    simplified = [(p.kind, p.section, p.start, p.end) for p in split_passages(NATIONAL, [])]
    assert [
        (p.kind, p.section, p.start, p.end) for p in split_passages(traditional, [])
    ] == simplified


def test_spaced_headings_end_at_the_space() -> None:
    assert _headings(SPACED) == [
        (1, "一、 概述"),
        (1, "二、主动公开政府信息情况"),
        (2, "（一）主动公开政府信息的数量"),
        (2, "（二）主动公开政府信息的主要形式"),
        (3, "1.门户网站"),
        (3, "2.公开栏"),
        (1, "三、存在的主要问题和改进措施"),
        (1, "四、附表"),
    ]


@pytest.mark.parametrize(
    ("needle", "section"),
    [
        ("全年主动公开政府信息326条", "一、总体情况 / (一)主动公开情况"),
        ("二是定期清理失效文件", "一、总体情况 / (三)政府信息管理情况"),
        ("部分栏目更新不及时", "五、存在的主要问题及改进情况 / (一)存在问题"),
        ("丰富图解等解读形式", "五、存在的主要问题及改进情况 / (二)改进措施"),
        ("电话：0571-88776655", ""),
        ("行政规范性文件3112", "二、主动公开政府信息情况"),
        ("属于国家秘密", "三、收到和处理政府信息公开申请情况"),
    ],
)
def test_national_passages_sit_in_their_sections(needle: str, section: str) -> None:
    assert _passage(split_passages(NATIONAL, []), needle).section == section


def test_run_in_heading_opens_its_first_paragraph() -> None:
    passages = split_passages(NATIONAL, [])
    p = _passage(passages, "部分栏目更新不及时")
    assert p.kind == "paragraph" and p.text.startswith("（一）存在问题。一是公开内容")
    assert not p.text.endswith("（二）改进措施。")


def test_report_title_and_heading_before_a_table_stand_alone() -> None:
    passages = split_passages(NATIONAL, [])
    assert (
        passages[0].kind == "heading"
        and passages[0].text == "东湖县水利局2022年度政府信息公开工作年度报告"
    )
    heading = _passage(passages, "二、主动公开政府信息情况")
    assert heading.kind == "heading" and heading.text == "二、主动公开政府信息情况"


def test_flattened_table_rows_stay_out_of_prose() -> None:
    passages = split_passages(NATIONAL, [])
    rows = [p for p in passages if p.kind == "table_row"]
    assert any(p.text == "行政许可57" or p.text.endswith("行政许可57") for p in rows)
    assert any(p.text == "2.其他法律行政法规禁止公开0000000" for p in rows)
    assert any(p.text.startswith("三、本年度办理结果（一）予以公开3100004") for p in rows)
    for p in passages:
        if p.kind == "paragraph":
            assert "0000000" not in p.text
        else:
            assert len(p.text) < 120


def test_spaced_table_rows_keep_their_measure() -> None:
    rows = [p.text for p in split_passages(SPACED, []) if p.kind == "table_row"]
    assert "其中：1、网站公开 条 80" in rows
    assert "行政复议数 件 0" in rows


def test_spaced_paragraphs_break_where_lines_were() -> None:
    p = _passage(split_passages(SPACED, []), "在镇政府网站设立")
    assert p.section == "二、主动公开政府信息情况 / (二)主动公开政府信息的主要形式 / 1.门户网站"
    assert "公开栏 在镇便民" not in p.text


@pytest.mark.parametrize(
    "text",
    [
        # lists inside sentences, references, ordinals and dates: one paragraph, no headings
        "根据《条例》第二十条第（一）项和第（二）项，我局公开了一、二类事项，第一、二季度各发布12条。"
        "主要做法有：（一）网站公开；（二）公开栏公开；（三）新媒体公开。" * 8,
        "一是加强领导，二是完善制度，三是强化监督。2023年1月1日至2023年12月31日，共发布1.5万条。"
        * 12,
        "全年受理申请12件，其中1、2月各3件，3月6件。" * 40,
    ],
)
def test_sentences_with_numbering_are_not_headings(text: str) -> None:
    assert flat_layout(text, 0, len(text)) is None
    assert all(p.section == "" and p.kind == "paragraph" for p in split_passages(text, []))


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("一、总体情况2022年，我局…二、主动公开情况全年…", "一、总体情况"),
        ("一、总体情况本单位坚持…二、主动公开情况全年…", "一、总体情况"),
        (
            "一、存在的主要问题及改进情况一是…二、其他需要报告的事项无。",
            "一、存在的主要问题及改进情况",
        ),
        ("一、其他需要报告的事项无其他事项。二、附表 …", "一、其他需要报告的事项"),
        ("一、 概述 推进公开…二、主动公开情况 …", "一、 概述"),
        ("第一部分总体情况2022年我局公开12条。第二部分主动公开情况全年…", "第一部分总体情况"),
        ("一、主动公开情况（有关情况见附表）二、依申请公开情况（见附表）", "一、主动公开情况"),
    ],
)
def test_title_ends_before_the_body(text: str, title: str) -> None:
    assert _headings(text)[0] == (1, title)


def test_table_label_followed_by_figures_is_not_a_heading() -> None:
    text = "一、总体情况全年公开12条。二、申请情况一、本年新收申请数量0 0 0二、上年结转数量1 0 1三、其他情况无。"
    assert [t for _, t in _headings(text)] == ["一、总体情况", "二、申请情况", "三、其他情况"]


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("规范性文件000第二十条", ["000"]),
        ("禁止公开00000002.其他", ["0000000"]),
        ("电话：0591-23163551，邮箱ab12@163.com，共12条，2023年", []),
        ("主动公开信息数 条 51 其中：1、网站公开 条 7", ["51", "7"]),
    ],
)
def test_bare_numbers_are_table_cells_only(text: str, figures: list[str]) -> None:
    assert [text[s:e] for s, e in bare_numbers(text, 0, len(text))] == figures


def test_table_rows_are_labels_with_their_figures() -> None:
    """Cut after figures and before numbering marks; a short header joins the row after it."""
    text = "申请人情况自然人法人总计一、本年新收数量3003二、上年结转数量0000三、办理结果（一）予以公开2002"
    rows = list(table_rows(text, 0, len(text)))
    assert [text[s:e] for s, e in rows] == [
        "申请人情况自然人法人总计一、本年新收数量3003",
        "二、上年结转数量0000",
        "三、办理结果（一）予以公开2002",
    ]


def test_tables_found_inside_the_line_keep_the_sections_around_them() -> None:
    """Another reader may cut the flattened tables out; the prose between keeps its headings."""
    spans = [
        (NATIONAL.index("第二十条第（一）项"), NATIONAL.index("三、收到和处理")),
        (NATIONAL.index("申请人情况"), NATIONAL.index("四、政府信息公开行政复议")),
    ]
    tables = [Table("", s, e, (Row((NATIONAL[s:e],), s, e),)) for s, e in spans]
    passages = split_passages(NATIONAL, tables)
    heading = _passage(passages, "三、收到和处理政府信息公开申请情况")
    assert heading.kind == "heading" and heading.section == "三、收到和处理政府信息公开申请情况"
    assert _passage(passages, "行政规范性文件3112").section == "二、主动公开政府信息情况"
    p = _passage(passages, "部分栏目更新不及时")
    assert p.section == "五、存在的主要问题及改进情况 / (一)存在问题"


@pytest.mark.parametrize(
    ("start", "title"),
    [
        (
            "东湖县水利局2022年度政府信息公开工作年度报告 根据《条例》",
            "东湖县水利局2022年度政府信息公开工作年度报告",
        ),
        ("东湖县2022年政府信息公开年报根据《条例》", "东湖县2022年政府信息公开年报"),
        ("本报告根据《条例》编制。", None),
        ("来源：东湖县 时间：2023-01-01 东湖县2022年度报告", None),
    ],
)
def test_report_title_at_the_start(start: str, title: str | None) -> None:
    block = title_block(start, 0, len(start))
    assert (start[block.start : block.end] if block else None) == title


def test_skipped_chrome_gives_no_passage_and_the_title_after_it_is_found() -> None:
    chrome = "当前位置：首页 政务公开 微信 微博 文字版 "
    text = chrome + NATIONAL
    passages = split_passages(text, [], skip=[(0, len(chrome))])
    assert passages[0].start >= len(chrome) and passages[0].kind == "heading"
    assert all(p.start >= len(chrome) for p in passages)


def test_numbered_list_in_a_paragraph_of_a_multi_line_report_stays_a_paragraph() -> None:
    item = "进一步规范公开流程，落实审核制度，定期开展自查，及时更新栏目内容。"
    paragraph = (
        f"主要做法：一、建立制度。{item * 4}二、加强培训。{item * 4}三、强化监督。{item * 4}"
    )
    text = "一、总体情况\n" + paragraph + "\n" + ("本年度公开信息120条，均按时发布。\n" * 40)
    start = text.index("主要做法")
    assert flat_layout(text, start, start + len(paragraph)) is None
    p = _passage(split_passages(text, []), "一、建立制度")
    assert p.kind == "paragraph" and p.section == "一、总体情况"


def _top_sections(passages) -> list[str]:
    tops = (p.section.split(" / ")[0] for p in passages if p.kind == "paragraph" and p.section)
    return [t.rstrip("?") for t in dict.fromkeys(tops)]


@pytest.mark.parametrize(
    ("name", "separator"),
    [
        ("wuzhen-2018.txt", ""),
        ("wuzhen-2018.txt", " "),
        ("xiji-2018.txt", " "),
        ("yijiu-2018.txt", ""),
        ("yijiu-2018.txt", " "),
        ("yuqian-2018.txt", " "),
        ("xitang-2018.md", " "),
    ],
)
def test_a_sample_with_its_line_breaks_removed_keeps_its_sections(
    sample_texts: dict[str, str], name: str, separator: str
) -> None:
    """The samples, flattened the way a web page copy is, give the sections their lines give
    (the flattened statistics tables may add a last one)."""
    text = sample_texts[name]
    expected = _top_sections(split_passages(text))
    flat = re.sub(r"\s*\n\s*", separator, text)
    assert _top_sections(split_passages(flat, []))[: len(expected)] == expected


def test_numbered_sentences_stay_in_their_section() -> None:
    text = (
        "一、总体情况全年公开信息56条。二、存在的主要问题及改进措施（一）存在的问题"
        "1、主动公开意识有待加强。部分科室重视不够。2、公开内容不够全面。（二）改进措施"
        "1.加强培训。每季度组织一次业务培训。2.完善制度。"
    )
    passages = split_passages(text, [])
    problems = "二、存在的主要问题及改进措施 / (一)存在的问题"
    assert _passage(passages, "主动公开意识有待加强").section == problems
    assert _passage(passages, "公开内容不够全面").section == problems
    assert _passage(passages, "每季度组织").section == "二、存在的主要问题及改进措施 / (二)改进措施"


def test_multi_line_reports_are_read_by_lines(sample_texts: dict[str, str]) -> None:
    for text in sample_texts.values():
        for start, end in ((m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)):
            assert flat_layout(text, start, end) is None


_PIECES = st.sampled_from(
    [
        "一、",
        "二、",
        "三、",
        "（一）",
        "（二）",
        "(三)",
        "1.",
        "2、",
        "（1）",
        "总体情况",
        "存在的主要问题及改进情况",
        "其他需要报告的事项",
        "2023年，我局",
        "第二十条第（一）项",
        "一是",
        "公开信息12条",
        "0000000",
        "0 0 1",
        " 条 5",
        "0591-2316",
        "。",
        "；",
        "，",
        " ",
        "\n",
        "报告",
        "无",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=120).map("".join))
def test_arbitrary_text_passages_are_exact_ordered_and_complete(text: str) -> None:
    passages = split_passages(text, [])
    covered = 0
    for p in passages:
        assert text[p.start : p.end] == p.text and p.text.strip() == p.text
        assert p.start >= covered
        assert not re.search(r"[\w]", text[covered : p.start])
        covered = p.end
    assert not re.search(r"[\w]", text[covered:])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=120).map("".join), st.integers(0, 20))
def test_arbitrary_line_blocks_tile_it(text: str, offset: int) -> None:
    start = min(offset, len(text))
    blocks = flat_layout(text, start, len(text))
    if blocks is None:
        return
    pos = start
    for b in blocks:
        assert b.start == pos and b.end > b.start
        if b.kind == "heading":
            assert b.start < b.title_end <= b.end
        if b.kind == "table":
            rows = list(table_rows(text, b.start, b.end))
            assert rows[0][0] == b.start and rows[-1][1] == b.end
            assert all(e1 == s2 for (_, e1), (s2, _) in pairwise(rows))
        pos = b.end
    assert pos == len(text)
