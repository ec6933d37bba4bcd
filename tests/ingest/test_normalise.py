from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.normalise import fold, normalise, strip_markup, to_halfwidth, to_simplified


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("於潛鎮行政復議數量", "于潜镇行政复议数量"),
        ("政務微信公開政府信息數", "政务微信公开政府信息数"),
        ("ＡＢＣ１２３，（一）", "abc123,(一)".upper().replace("ABC", "ABC")),
        ("我镇主动公开政府信\n\n息 255 条", "我镇主动公开政府信息255条"),
        ("\t　654", "654"),
        ("**三是按时保质**", "三是按时保质"),
        ("### 一是加强领导", "一是加强领导"),
        ("邮件：[xtzgov@163.com](mailto:xtzgov@163.com)", "邮件:xtzgov@163.com"),
        ("<p>行政<b>诉讼</b></p>", "行政诉讼"),
        ("hello  world", "hello world"),
        ("收到\u00a0申请\u3000数", "收到申请数"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_simplified_keeps_variants_when_asked() -> None:
    assert to_simplified("於潛鎮", fold_variants=False) == "於潜镇"
    assert to_simplified("於潛鎮") == "于潜镇"


def test_halfwidth_digits_and_spaces() -> None:
    assert to_halfwidth("２０１８年\u3000度") == "2018年 度"


def test_strip_markup_keeps_words() -> None:
    assert strip_markup("<http://e.weibo.com/u/1>") == "http://e.weibo.com/u/1"


def test_fold_matches_eval_rules() -> None:
    assert fold("四、行政復議數量 | 件 | 4 |") == "四、行政复议数量|件|4|"
    assert fold("於潜镇") == fold("于潜镇")


def test_mojibake_survives() -> None:
    text = "??。ㄒ唬┗貞婈P注熱點或重大輿情數 | 次 | 12 |"
    assert "12" in normalise(text)
    assert "热点" in normalise(text)


@given(st.text())
def test_normalise_never_raises_and_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert "\n" not in once
    assert normalise(once) == once
