"""The caption of an admin's upload, written the way people write it: unit, year and replace
are read from Chinese or English keys, any colon, comma or space, full-width or traditional;
what cannot be read whole is refused with the reason, never guessed at."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.caption import Caption, Problem, Unclear, parse_caption, problem_words
from bot.telegram.texts import sentence, texts
from ingest.text import fold_question

VOCABULARY = texts()["caption"]


@pytest.mark.parametrize(
    ("caption", "unit", "year", "replace"),
    [
        # the documented forms
        ("unit=北岭乡 year=2018", "北岭乡", 2018, False),
        ("单位=北岭乡 年份=2018", "北岭乡", 2018, False),
        ("单位：北岭乡 年度：2018", "北岭乡", 2018, False),
        ("unit=东湖镇 year=2020 replace", "东湖镇", 2020, True),
        # as Chinese users write them
        ("单位：北岭乡，年度：2018", "北岭乡", 2018, False),
        ("单位:北岭乡;年份:2018", "北岭乡", 2018, False),
        ("单位 北岭乡 年份 2018年", "北岭乡", 2018, False),
        ("北岭乡 2018年", "北岭乡", 2018, False),
        ("2018年 北岭乡", "北岭乡", 2018, False),
        ("北岭乡2018年", "北岭乡", 2018, False),
        ("北岭乡 2018 年 替换", "北岭乡", 2018, True),
        ("单位名称：东城县民政局、年：2020", "东城县民政局", 2020, False),
        ("单位＝北岭乡　年份＝２０１８", "北岭乡", 2018, False),
        ("单位：北岭乡；年份：二〇一八年", "北岭乡", 2018, False),
        ("单位：北岭乡，年份：2018年度，替换", "北岭乡", 2018, True),
        ("单位 : 北岭乡 , 年份 : 2018", "北岭乡", 2018, False),
        ("单位：“北岭乡”，年份：「2018」", "北岭乡", 2018, False),
        ("发布单位：北岭乡 报告年度：2018", "北岭乡", 2018, False),
        ("单位北岭乡 年份2018", "北岭乡", 2018, False),
        ("单位：北岭乡年份：2018", "北岭乡", 2018, False),
        ("替换 年份：2018 单位：北岭乡", "北岭乡", 2018, True),
        ("单位：北岭乡 单位：北岭乡 年份：2018", "北岭乡", 2018, False),
        # 年 is a key only before a colon or a year, or alone: in 年丰乡 it is part of the name
        ("单位：年丰乡，年：2018", "年丰乡", 2018, False),
        ("年丰乡 2018年", "年丰乡", 2018, False),
        ("年 2018 单位 北岭乡", "北岭乡", 2018, False),
        # English, any case, full-width letters
        ("Unit: 北岭乡, Year: 2018, Replace", "北岭乡", 2018, True),
        ("UNIT=北岭乡 YEAR=2018", "北岭乡", 2018, False),
        ("ｕｎｉｔ＝北岭乡 ｙｅａｒ＝２０１８", "北岭乡", 2018, False),
        # traditional characters, as questions may be written; the name is kept as written
        ("單位：北嶺鄉，年度：2018", "北嶺鄉", 2018, False),
        ("單位名稱=東城縣民政局 年份=2020 替換", "東城縣民政局", 2020, True),
        # a part alone
        ("替换", None, None, True),
        ("replace", None, None, True),
        ("2018", None, 2018, False),
        ("年份：2018", None, 2018, False),
        ("unit=东湖镇", "东湖镇", None, False),
        ("", None, None, False),
        ("  ，  ", None, None, False),
        # out of range years are read, and refused by ingest with its own reason
        ("单位：北岭乡，年份：1800", "北岭乡", 1800, False),
    ],
)
def test_captions_are_read(caption: str, unit: str | None, year: int | None, replace: bool) -> None:
    assert parse_caption(caption) == Caption(unit, year, replace)


@pytest.mark.parametrize(
    ("caption", "problem", "words"),
    [
        ("单位：，年度：2018", Problem.EMPTY, "「单位」后面没有写内容"),
        ("单位：北岭乡，年度：", Problem.EMPTY, "「年度」后面没有写内容"),
        ("單位=", Problem.EMPTY, "「單位」后面没有写内容"),
        ("单位：年份：2018", Problem.EMPTY, "「单位」"),
        ("单位：替换", Problem.EMPTY, "「单位」"),
        ("年份：18", Problem.NOT_A_YEAR, "「18」不是年份"),
        ("单位：北岭乡 年份：去年", Problem.NOT_A_YEAR, "「去年」"),
        ("单位：2018，年份：2018", Problem.YEAR_AS_UNIT, "「2018」是年份"),
        ("单位：北岭乡 单位：南湖镇", Problem.UNIT_TWICE, "「北岭乡」和「南湖镇」"),
        ("年份：2018 2019年", Problem.YEAR_TWICE, "2018 和 2019"),
        ("北岭乡", Problem.UNIT_ALONE, "只写了「北岭乡」"),
        ("北岭乡 替换", Problem.UNIT_ALONE, "「北岭乡」"),
        ("replaced", Problem.UNIT_ALONE, "「replaced」"),
        ("北岭乡 南湖镇 2018", Problem.NOT_UNDERSTOOD, "「南湖镇」"),
        ("单位：北岭乡 2018年 年度报告", Problem.NOT_A_YEAR, "「年度报告」不是年份"),
        ("北岭乡2018年度政府信息公开工作年度报告", Problem.KEY_INSIDE, "含有「年度」"),
        ("单位：北岭乡 请收录 年份：2018", Problem.NOT_UNDERSTOOD, "「请收录」"),
        ("单位：东城县 民政局", Problem.NOT_UNDERSTOOD, "「民政局」"),
        ("replace=东湖镇", Problem.NOT_UNDERSTOOD, "「replace=东湖镇」"),
        ("北岭乡：2018", Problem.NOT_UNDERSTOOD, "「北岭乡：2018」"),
        ("：北岭乡", Problem.NOT_UNDERSTOOD, "「："),
        ("北岭乡年份2018", Problem.KEY_INSIDE, "「北岭乡年份2018」含有「年份」"),
        ("某市事业单位登记管理局 2018", Problem.KEY_INSIDE, "含有「单位」"),
        ("西集镇有多少行政诉讼？", Problem.UNIT_ALONE, "「西集镇有多少行政诉讼？」"),
    ],
)
def test_what_cannot_be_read_is_refused_with_the_words_at_fault(
    caption: str, problem: Problem, words: str
) -> None:
    unclear = parse_caption(caption)
    assert isinstance(unclear, Unclear) and unclear.problem is problem, unclear
    assert words in problem_words(unclear)


def test_every_problem_has_chinese_words_its_values_fill() -> None:
    sentences = texts()["caption_problem"]
    assert set(sentences) == {str(p) for p in Problem}
    for text in sentences.values():
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert fields <= {"key", "given", "first", "second"}, text
        assert not re.search(r"[A-Za-z]", text.format(**dict.fromkeys(fields, "")))
        assert not text.endswith("。")


def test_the_hints_examples_are_read_as_they_say() -> None:
    examples = {
        "ingest_caption_hint": ["单位=南湖镇 年份=2018", "unit=南湖镇 year=2018"],
        "caption_unclear_hint": ["单位：南湖镇，年份：2018"],
    }
    for key, captions in examples.items():
        for caption in captions:
            assert caption in sentence(key)
            assert parse_caption(caption) == Caption("南湖镇", 2018, False)
    assert parse_caption("替换") == Caption(replace=True)


# -- never raises; a unit never holds a separator or a key --------------------------------------

_WORDS = [
    *VOCABULARY["unit_keys"],
    *VOCABULARY["year_keys"],
    *VOCABULARY["replace_words"],
    *VOCABULARY["binders"],
    *VOCABULARY["separators"],
    "單位",
    "年份",
    "UNIT",
    "２０１８",
    "2018",
    "2018年",
    "二〇一八",
    "北岭乡",
    "年丰乡",
    "事业单位",
    " ",
    "\u3000",
    "\n",
]
_captions = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.one_of(
            st.sampled_from(_WORDS), st.text(alphabet="北岭乡年份度单位名称:=，, 2018", max_size=4)
        ),
        max_size=12,
    ).map("".join),
)


def _separators() -> str:
    chars = "".join(fold_question(c) for c in VOCABULARY["separators"] + VOCABULARY["binders"])
    return chars + "".join(VOCABULARY["separators"] + VOCABULARY["binders"])


def _key_in(unit: str) -> str | None:
    """A key word the unit holds where it would be read as a key, or None."""
    folded = fold_question(unit)
    for word in VOCABULARY["unit_keys"] + VOCABULARY["year_keys"] + VOCABULARY["replace_words"]:
        word = fold_question(word)
        if len(word) == 1:  # 年: before a colon, a year's digit or the end
            if re.search(rf"{word}(?:[:=\d{VOCABULARY['year_numerals']}]|$)", folded):
                return word
        elif word.isascii():
            if re.search(rf"(?<![a-z]){word}(?![a-z])", folded):
                return word
        elif word in folded:
            return word
    return None


@settings(max_examples=400, deadline=None)
@given(_captions)
def test_any_caption_is_read_or_refused_and_a_unit_is_only_a_name(caption: str) -> None:
    read = parse_caption(caption)
    if isinstance(read, Unclear):
        assert problem_words(read)
        return
    if read.unit is None:
        return
    unit = read.unit
    assert unit and unit in caption
    assert not any(c.isspace() or c in _separators() for c in unit + fold_question(unit)), unit
    assert _key_in(unit) is None, unit
    # read again with keys around it, the unit is the same: it never ran into its neighbours
    assert parse_caption(f"单位：{unit}，年份：2018") == Caption(unit, 2018, False)
    assert parse_caption(f"{unit} 2018年 替换") == Caption(unit, 2018, True)
