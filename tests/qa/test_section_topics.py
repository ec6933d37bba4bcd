"""Question words that point at a part of a report (存在哪些差距 → the problems section)."""

from __future__ import annotations

import pytest

from bot.qa.wording import section_words


@pytest.mark.parametrize(
    ("question", "included", "excluded"),
    [
        ("东湖县水利局2022年信息公开还有哪些差距", ["问题", "不足"], ["措施"]),
        ("东湖县水利局哪些工作比较薄弱", ["问题"], ["打算"]),
        ("东湖县水利局准备怎么加强政策解读", ["打算", "措施"], ["问题"]),
        ("东湖县水利局今后如何推进政务公开", ["打算", "措施"], ["问题"]),
        ("东湖县水利局采取了哪些整改措施", ["措施"], ["问题"]),
        ("东湖县水利局主动公开了多少条信息", [], ["问题", "措施"]),
    ],
)
def test_section_topics(question: str, included: list[str], excluded: list[str]) -> None:
    words = section_words(question)
    assert all(w in words for w in included)
    assert not any(w in words for w in excluded)
