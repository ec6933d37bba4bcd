"""Numbers as reports write them: Arabic, Chinese numerals, and "not given" marks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.statistics.numbers import is_not_given, parse_cell, parse_number, spellings


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0), ("255", 255), ("2,043", 2043), ("12.5", 12.5), ("一", 1), ("两", 2),
        ("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105),
        ("一千二百", 1200), ("三千零五", 3005), ("三万五千", 35000), ("一万零一百", 10100),
        ("零", 0),
    ],
)  # fmt: skip
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "六七", "二〇一八", "万", "1.2.3", "十十", "三三"])
def test_not_a_count(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("cell", ["", " ", "/", "-", "—", "——", "－", "无", "\u3000"])
def test_not_given_cells_are_missing_not_zero(cell):
    assert is_not_given(cell)
    assert parse_cell(cell) == (True, None)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("0", (True, 0.0)), ("12", (True, 12.0)), ("-2", (True, -2.0)), ("+3", (True, 3.0)),
     ("1,200", (True, 1200.0)), ("件", (False, None)), ("三", (False, 3.0))],
)  # fmt: skip
def test_parse_cell(cell, expected):
    assert parse_cell(cell) == expected


@given(st.integers(min_value=0, max_value=99_999_999))
def test_every_chinese_spelling_reads_back(n):
    for form in spellings(n):
        value = parse_number(form)
        assert value is None or value == n, form
    assert parse_number(spellings(n)[0]) == n


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_spelling_with_units_reads_back(n):
    assert parse_number(spellings(n)[-1]) == n


@given(st.text(max_size=20))
def test_parse_never_raises(text):
    parse_number(text)
    parse_cell(text)
