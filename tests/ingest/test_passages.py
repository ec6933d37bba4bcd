from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.passages import MAX_PASSAGE_CHARS, heading_level, split_passages


def _find(passages, needle: str):
    return next(p for p in passages if needle in p.norm)


def test_hard_wrapped_lines_are_rejoined(sample_texts: dict[str, str]) -> None:
    passages = split_passages(sample_texts["yijiu-2018.txt"])
    p = _find(passages, "我镇主动公开政府信息255条")
    assert "我镇主动公开政府信\n\n息 255 条" in p.text
    assert p.section == "二、主动公开政府信息情况"


@pytest.mark.parametrize(
    ("name", "needle", "section"),
    [
        (
            "xiji-2018.txt",
            "发生针对本单位政府信息公开行政诉讼案件0件",
            "七、复议和诉讼情况 / (二)行政诉讼",
        ),
        ("xitang-2018.md", "成立了以镇长沈旭东为组长", "二、主要做法 / 一是加强领导,落实工作责任"),
        (
            "wuzhen-2018.txt",
            "政府信息公开的主动意识有待进一步加强",
            "六、存在的主要问题和下一步工作打算 / (一)存在的问题",
        ),
        ("yuqian-2018.txt", "电子化率提高到85%", "七、政府信息公开工作下步打算?"),
    ],
)
def test_sections(sample_texts: dict[str, str], name: str, needle: str, section: str) -> None:
    assert _find(split_passages(sample_texts[name]), needle).section == section


def test_table_rows_are_passages_under_the_table_title(sample_texts: dict[str, str]) -> None:
    passages = split_passages(sample_texts["xiji-2018.txt"])
    row = next(p for p in passages if p.kind == "table_row" and "行政诉讼数量" in p.norm)
    assert "统计表" in row.section
    assert "6" in row.norm
    yuqian = split_passages(sample_texts["yuqian-2018.txt"])
    row = next(p for p in yuqian if p.kind == "table_row" and "政务微信公开政府信息数" in p.norm)
    assert "398" in row.norm and "统计表" in row.section


def test_every_sample_passage_is_an_exact_slice(sample_texts: dict[str, str]) -> None:
    for text in sample_texts.values():
        passages = split_passages(text)
        assert [p.ord for p in passages] == list(range(len(passages)))
        for p in passages:
            assert text[p.start : p.end] == p.text
            assert len(p.norm) <= MAX_PASSAGE_CHARS + 120 or p.kind == "table_row"


def test_long_paragraph_is_cut_at_sentence_ends() -> None:
    sentence = "本单位进一步加强政府信息公开工作的组织领导和制度建设。"
    text = "一、概述\n" + sentence * 30 + "\n"
    paragraphs = [p for p in split_passages(text) if p.kind == "paragraph"]
    assert len(paragraphs) > 1
    assert all(p.text.endswith("。") for p in paragraphs)
    assert all(len(p.norm) <= MAX_PASSAGE_CHARS for p in paragraphs)


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("一、概述", 1),
        ("（二）行政诉讼", 2),
        ("## 一、情况概述", 1),
        ("### 一是加强领导，落实工作责任", 4),
        ("1.主动公开政府信息数量：2043 件。", None),
        ("6.举报投诉数量：无", None),
        ("2018年，西集镇政府积极落实区委、区政府关于全面推进政务公开工作的决策部署。", None),
        ("# 2018 年度西塘镇政府信息公开年度报告", 0),
    ],
)
def test_heading_level(line: str, level: int | None) -> None:
    assert heading_level(line) == level


@settings(max_examples=80, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("一二、（）()1.。\n\t |#公开信息数件：")), max_size=300)
)
def test_arbitrary_text_gives_exact_slices(text: str) -> None:
    for p in split_passages(text):
        assert text[p.start : p.end] == p.text
        assert p.text.strip() == p.text and p.text
