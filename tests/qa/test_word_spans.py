"""WordSpans finds exactly what one ``str.find`` loop per word finds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.qa.word_spans import WordSpans


def _one_find_per_word(text: str, words: list[str]) -> list[tuple[int, int, str]]:
    found = []
    for word in dict.fromkeys(w for w in words if w):
        start = text.find(word)
        while start >= 0:
            found.append((start, start + len(word), word))
            start = text.find(word, start + 1)
    return sorted(found)


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("行政复议多少件", ["行政复议", "复议"], [(0, 4, "行政复议"), (2, 4, "复议")]),
        ("啊啊啊", ["啊啊"], [(0, 2, "啊啊"), (1, 3, "啊啊")]),  # overlapping occurrences
        ("申请", ["申", "请", "申请书"], [(0, 1, "申"), (1, 2, "请")]),
        ("复议", ["", "议"], [(1, 2, "议")]),  # the empty word is never found
        ("", ["复议"], []),
    ],
)
def test_finds_every_occurrence(
    text: str, words: list[str], expected: list[tuple[int, int, str]]
) -> None:
    assert WordSpans(words).find(text) == expected


@given(
    st.text(alphabet="行政复议诉讼ab申请", max_size=30),
    st.lists(st.text(alphabet="行政复议诉讼ab申请", max_size=4), max_size=12),
)
def test_same_as_one_find_per_word(text: str, words: list[str]) -> None:
    assert sorted(WordSpans(words).find(text)) == _one_find_per_word(text, words)
