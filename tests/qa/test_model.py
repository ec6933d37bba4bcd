"""The typed answer: plain text from marked lines, and the JSON contract key by key."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.qa.model import Answer, AnswerKind, Figure, Line, Quote, Text

segments = st.lists(
    st.one_of(
        st.builds(Text, st.text(max_size=8)),
        st.builds(Figure, st.text(max_size=4)),
        st.builds(Quote, st.text(max_size=8)),
    ),
    max_size=8,
)


@given(segments)
def test_line_text_is_its_segments_with_quotes_marked(parts: list) -> None:
    line = Line.of(*parts)
    expected = "".join(f"「{p.text}」" if isinstance(p, Quote) else p.text for p in parts)
    assert line.text == expected
    assert not any(
        isinstance(a, Text) and isinstance(b, Text) for a, b in itertools.pairwise(line.segments)
    )


def test_lines_join_like_strings() -> None:
    joined = Line.joined("、", [Line.of("甲 ", Figure("1")), Line.of("乙 ", Figure("2"))])
    assert joined.text == "甲 1、乙 2"
    assert [s for s in joined.segments if isinstance(s, Figure)] == [Figure("1"), Figure("2")]
    assert (Line.of("a") + Line.of(Quote("b"))).text == "a「b」"


@pytest.mark.parametrize(
    ("kind", "value"), [(AnswerKind.NUMBER, 6), (AnswerKind.NONE, None), (AnswerKind.SUM, 0.5)]
)
def test_answer_dict_is_the_contract_in_order(kind: AnswerKind, value: float | None) -> None:
    answer = Answer(
        question="q", kind=kind, headline=Line.of("head"), value=value, notes=[Line.of("note")]
    )
    data = answer.to_dict()
    assert list(data) == [
        "question",
        "kind",
        "answer",
        "value",
        "facts",
        "ranking",
        "passages",
        "conflicts",
    ]
    assert data["answer"] == "head\nnote" and data["value"] == value
    assert json.loads(json.dumps(data))["kind"] == str(kind.value)
