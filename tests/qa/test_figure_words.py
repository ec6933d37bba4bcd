"""A short key word found as an abbreviation: its characters in order, each followed by at
most one other that ends no clause."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.qa.figure_words import abbreviated, longest_first


def _as_pattern(word: str, text: str) -> bool:
    """The rule written as a regular expression, as it once was."""
    pattern = "".join(re.escape(ch) + "[^,;:。]?" for ch in word[:-1]) + re.escape(word[-1])
    return re.search(pattern, text) is not None


@pytest.mark.parametrize(
    ("word", "text", "found"),
    [
        ("农机", "购置农业机械补贴", True),
        ("农机", "农机具", True),
        ("农机", "农业用的机械", False),  # two characters between
        ("农机", "农,机", False),  # across a clause end
        ("政务", "政政务", True),  # the first 政 fails, the second holds
        ("公开", "", False),
    ],
)
def test_abbreviated(word: str, text: str, found: bool) -> None:
    assert abbreviated(word, text) is found


@given(
    st.text(alphabet="农业机械,。政务", min_size=1, max_size=3),
    st.text(alphabet="农业机械,。政务x", max_size=20),
)
def test_same_as_the_pattern(word: str, text: str) -> None:
    assert abbreviated(word, text) == _as_pattern(word, text)


@pytest.mark.parametrize(
    "words",
    [
        ["也无", "无因", "暂无", "没有收到", "无"],
        ["无", "暂无", "无因", "也无", "没有收到"],
    ],
)
def test_longest_first_keeps_the_data_order_within_a_length(words: list[str]) -> None:
    """Callers take the first word that fits: among words of one length the data's order
    decides, the same in every process (a set's order changes with the hash seed)."""
    ordered = longest_first([*words, words[0]])
    assert ordered == sorted(words, key=lambda w: (-len(w), words.index(w)))
