from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.text import (
    LABEL,
    QUESTION,
    FoldedText,
    Form,
    _plain_nfkc,
    fold,
    fold_label,
    fold_question,
    nfkc,
    normalise,
    search_form,
    strip_markup,
    to_halfwidth,
    to_simplified,
)
from tests.support import CORPUS


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


# -- the named forms and the offset-mapped text ------------------------------------------------


@pytest.mark.parametrize(
    ("form", "text", "expected"),
    [
        (normalise, "於潛鎮  行政\n復議", "于潜镇行政复议"),
        (search_form, "ＡＢＣ 行政復議", "abc行政复议"),
        (fold, "西 塘 鎮\t人民政府", "西塘镇人民政府"),
        (fold_label, "**行政\u3000復議**數量", "行政复议数量"),
        (fold_label, "ＡＢ #1", "AB1"),
        (fold_question, "How  Many 行政 訴訟", "how  many行政诉讼"),
        (fold_question, "  於溪鎮  ", "于溪镇"),
    ],
)
def test_named_forms(form, text: str, expected: str) -> None:
    assert form(text) == expected


@pytest.mark.parametrize("form", [LABEL, QUESTION], ids=lambda f: f.name)
@given(text=st.text(max_size=200))
def test_folded_text_maps_every_character_back(form: Form, text: str) -> None:
    folded = FoldedText.of(text, form=form)
    assert len(folded.text) == len(folded.index)
    assert list(folded.index) == sorted(folded.index)
    assert all(0 <= i < len(text) for i in folded.index)
    for start in range(len(folded.text)):
        assert folded.quote(start, start + 1) in text
        assert folded.source(start, start + 1) == folded.quote(start, start + 1)
    assert folded.source(3, 3) == ""


@given(text=st.text(max_size=100), start=st.integers(0, 100))
def test_a_slice_keeps_the_offsets_of_the_whole(text: str, start: int) -> None:
    start = min(start, len(text))
    part = FoldedText.of(text, start)
    assert all(start <= i < len(text) for i in part.index)
    assert part.text == FoldedText.of(text[start:]).text


@pytest.mark.parametrize("form", [LABEL, QUESTION], ids=lambda f: f.name)
def test_a_long_text_folds_like_its_pieces(form: Form) -> None:
    """Whole reports take the remembered path: same folding, offsets into the whole."""
    piece = "於潛鎮主动公开政府信\n\n息 255 条，ＡＢＣ㈠ "
    text = piece * 200
    whole = FoldedText.of(text, 7, form=form)
    assert FoldedText.of(text, 7, len(text), form=form) is whole
    assert whole.text == FoldedText.of(text[7:], form=form).text
    assert whole.index[0] >= 7 and whole.index[-1] < len(text)


def test_quote_gives_the_original_words() -> None:
    folded = FoldedText.of("我镇主动公开政府信\n\n息 255 条")
    at = folded.text.index("政府信息")
    assert folded.quote(at, at + 4) == "政府信\n\n息"
    question = FoldedText.of("於潛鎮有多少行政訴訟", form=QUESTION)
    assert question.text.startswith("于潜镇") and question.source(0, 3) == "於潛鎮"


_MIXED = st.text(
    alphabet=st.one_of(
        st.sampled_from("，。：；（）、“”《》〇一二三四五六七八九十ＡＢ１２％　 \n\t·×①㈠﹐"),
        st.characters(min_codepoint=0x20, max_codepoint=0x33FF),
        st.characters(min_codepoint=0xFE30, max_codepoint=0xFFEE),
    ),
    max_size=60,
)


@given(_MIXED)
def test_nfkc_is_the_library_s(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_the_corpus_is_the_library_s() -> None:
    for path in sorted((CORPUS / "text").iterdir()):
        text = path.read_text("utf-8")
        assert nfkc(text) == unicodedata.normalize("NFKC", text), path.name


def test_no_plain_character_composes_with_the_one_before() -> None:
    """NFKC of plain characters is theirs one by one only if none of them (nor what they
    become) is the second half of a composed character: checked against every one."""
    other, _, changed = _plain_nfkc()
    seconds = set()
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    plain = {chr(c) for c in range(0x10000) if not other.match(chr(c))}
    produced = {o for out in changed.values() for o in out}
    assert not (plain | produced) & seconds
