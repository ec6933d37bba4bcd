"""Which report years a question asks for (bot.qa.years)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.qa.years import find_years, parse_count
from ingest.text import fold_question

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("西塘镇2018年行政复议数量是多少", (2018,)),
        (".2018年行政诉讼", (2018,)),  # a point after no digit is punctuation
        (".0年有多少行政诉讼", (0,)),  # asked, so the answer says no report covers it
        ("1.5年", ()),
        ("2018", (2018,)),
        ("２０１８年", (2018,)),
        ("2018年度报告", (2018,)),
        ("18年的行政诉讼", (2018,)),
        ("二〇一八年的行政诉讼", (2018,)),
        ("二零一九年", (2019,)),
        ("去年", (2025,)),
        ("今年", (2026,)),
        ("前年", (2024,)),
        ("大前年", (2023,)),
        ("last year", (2025,)),
        ("lawsuits this year", (2026,)),
        ("近三年", (2023, 2024, 2025)),
        ("近3年的变化", (2023, 2024, 2025)),
        ("最近两年", (2024, 2025)),
        ("over the last 3 years", (2023, 2024, 2025)),
        ("past two years", (2024, 2025)),
        ("2017-2019", (2017, 2018, 2019)),
        ("2017年到2019年", (2017, 2018, 2019)),
        ("2017年至2019年", (2017, 2018, 2019)),
        ("从2017年到2019年", (2017, 2018, 2019)),
        ("from 2017 to 2019", (2017, 2018, 2019)),
        ("2019-2017", (2017, 2018, 2019)),
        ("since 2024", (2024, 2025, 2026)),
        ("2024年以来", (2024, 2025, 2026)),
        ("自2024年起", (2024, 2025, 2026)),
        ("2017年和2019年", (2017, 2019)),
        ("compare 2017 and 2019", (2017, 2019)),
        ("于潜镇2019年有什么工作打算", (2018,)),
        ("2019年的工作计划", (2018,)),
        ("去年有什么打算", (2024,)),
        ("2019年行政诉讼。有什么打算", (2019,)),
        ("主动公开2020条", ()),
        ("2043件", ()),
        ("电话010-61576445", ()),
        ("1985年", (1985,)),  # asked all the same: the answer says no report covers it
        ("2999年", (2999,)),
        ("3.2018", ()),
        ("西集镇有多少行政诉讼", ()),
        ("theyearbeforelast", ()),
        ("lastyear", ()),
        ("the year  before\nlast", (2024,)),
        ("", ()),
    ],
)
def test_find_years(text: str, years: tuple[int, ...]) -> None:
    assert find_years(fold_question(text), TODAY)[0] == years


def test_spans_cover_the_year_words() -> None:
    text = fold_question("西集镇2017年到2019年和去年的行政诉讼")
    _, spans = find_years(text, TODAY)
    assert [text[s:e] for s, e in spans] == ["2017年到2019年", "去年"]


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("3", 3),
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("three", 3),
        ("Five", 5),
        ("x", None),
        ("", None),
    ],
)
def test_parse_count(word: str, count: int | None) -> None:
    assert parse_count(word) == count


@given(st.text(max_size=300))
def test_years_are_plausible_for_any_text(text: str) -> None:
    years, spans = find_years(fold_question(text), TODAY)
    assert all(2000 <= y <= TODAY.year + 1 for y in years)
    assert list(years) == sorted(set(years))
    assert all(0 <= s < e <= len(fold_question(text)) for s, e in spans)


@pytest.mark.parametrize(
    ("text", "years", "written"),
    [
        ("2019年有什么打算", (2018,), (2019,)),
        ("2019年的工作计划和2017年的诉讼", (2017, 2018), (2017, 2019)),
        ("19年行政诉讼", (2019,), (2019,)),
        ("2017年到2019年", (2017, 2018, 2019), (2017, 2018, 2019)),
        ("近两年", (2024, 2025), (2024, 2025)),
        ("没有年份", (), ()),
    ],
)
def test_years_as_written_beside_the_report_years(
    text: str, years: tuple[int, ...], written: tuple[int, ...]
) -> None:
    from bot.qa.years import read_years

    found = read_years(fold_question(text), TODAY)
    assert (found.years, found.as_written) == (years, written)
