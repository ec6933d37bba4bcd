"""Portal chrome is found, kept out of passages, and its page fields are read."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.chrome import find_chrome
from ingest.passages import split_passages
from tests.support import CORPUS

CORPUS_TEXT = CORPUS / "text"

HEAD = (
    "当前位置： 首页政务公开年报 东坝镇2020年度政府信息公开工作年度报告 "
    "来源：东坝镇人民政府 时间：2021-01-20 09:30 --> 微信 微博 QQ空间 全真版 文字版 文件下载 "
    "相关链接： "
)
BODY = "根据《条例》要求，现公布本报告。一、总体情况 2020年，我镇通过政务微博 微信发布信息12条。"


@pytest.mark.parametrize(
    ("text", "chrome", "fields"),
    [
        (
            HEAD + BODY + " 附件下载",
            [
                "当前位置： 首页政务公开年报",
                "来源：东坝镇人民政府 时间：2021-01-20 09:30 --> 微信 微博 QQ空间 全真版 文字版 "
                "文件下载 相关链接：",
                "附件下载",
            ],
            {"source": "东坝镇人民政府", "time": "2021-01-20 09:30"},
        ),
        (
            "您的位置：首页 > 政务公开 > 年报\n某局年度报告\n来源： 时间：2019-02-01\n正文。",
            ["您的位置：首页 > 政务公开 > 年报", "来源： 时间：2019-02-01"],
            {"source": "", "time": "2019-02-01"},
        ),
        (
            "来源：某某县人民政府时间：2013-02-28 00:00\n正文第一句。",
            ["来源：某某县人民政府时间：2013-02-28 00:00"],
            {"source": "某某县人民政府", "time": "2013-02-28 00:00"},
        ),
        ("一、概述\n我镇开通微信 微博两个平台。全年无投诉。", [], {}),
        ("我们在微信 公众号发布信息。结尾的 微信 一句。", [], {}),
        ("正文。 打印本页 关闭窗口", ["打印本页 关闭窗口"], {}),
    ],
)
def test_chrome_spans_and_fields(text: str, chrome: list[str], fields: dict) -> None:
    found = find_chrome(text)
    assert [text[s:e] for s, e in found.spans] == chrome
    assert found.fields == fields


def test_blank_keeps_offsets() -> None:
    text = HEAD + BODY
    found = find_chrome(text)
    blanked = found.blank(text)
    assert len(blanked) == len(text)
    assert "全真版" not in blanked and "当前位置" not in blanked
    assert blanked.endswith(BODY)


def test_passages_skip_chrome() -> None:
    text = HEAD + BODY + " 附件下载"
    passages = split_passages(text, skip=find_chrome(text).spans)
    joined = "".join(p.text for p in passages)
    for word in ("当前位置", "QQ空间", "全真版", "来源", "附件下载", "-->"):
        assert word not in joined
    assert "我镇通过政务微博 微信发布信息12条" in joined
    assert all(text[p.start : p.end] == p.text for p in passages)


@pytest.mark.parametrize("path", sorted(CORPUS_TEXT.glob("*.txt")), ids=lambda p: p.stem)
def test_corpus_passages_hold_no_chrome(path: Path) -> None:
    text = path.read_text("utf-8")
    chrome = find_chrome(text)
    passages = split_passages(text, skip=chrome.spans)
    assert passages
    for p in passages:
        for word in ("当前位置", "QQ空间", "全真版 文字版", "附件下载", "相关链接："):
            assert word not in p.text, (word, p.text[:80])


@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    found = find_chrome(text)
    assert all(0 <= s < e <= len(text) for s, e in found.spans)
    assert len(found.blank(text)) == len(text)
