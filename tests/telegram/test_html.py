"""Telegram HTML rendering, message splitting, button state and the rate limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.qa.model import (
    Answer,
    AnswerKind,
    Figure,
    Line,
    Passage,
    Quote,
    Source,
    StatedFigure,
)
from bot.telegram.messages import MESSAGE_LIMIT, split_messages
from bot.telegram.render import answer_blocks, passage_blocks
from bot.telegram.state import ExpiringStore, RateLimiter
from bot.telegram.texts import escape_html
from tests.support.telegram import check_html, visible


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _number_answer(evidence: str = "五、行政诉讼数量 | 件 | 6") -> Answer:
    return Answer(
        question="东湖镇有多少行政诉讼",
        kind=AnswerKind.NUMBER,
        headline=Line.of("东湖镇 2016 年行政诉讼数量：", Figure("6"), "件"),
        value=6,
        breakdown=Line.of("其中 维持 4 · 纠错 2"),
        sources=[Source(Line.of("来源：《东湖镇2016年报告》统计表：", Quote(evidence)), 7)],
        facts=[
            StatedFigure(
                unit="东湖镇",
                year=2016,
                statistic="lawsuits",
                label="行政诉讼数量",
                value=6,
                measure="件",
                source="table",
                evidence=evidence,
                report="东湖镇2016年报告",
                passage_id=7,
            )
        ],
    )


def _passage(passage_id: int, unit: str, section: str, text: str, terms=()) -> Passage:
    return Passage(passage_id, unit, 2018, section, text, 1.0, tuple(terms))


def test_number_answer_bolds_the_figure_not_the_year() -> None:
    html = "\n".join(answer_blocks(_number_answer()))
    assert "<b>6</b>件" in html
    assert "2016" in html and "<b>2016" not in html and "201<b>6" not in html
    assert "<blockquote>五、行政诉讼数量 | 件 | 6</blockquote>" in html
    assert "/source_7" in html
    check_html(html)


def test_report_text_and_question_text_are_escaped() -> None:
    evil = '<a href="x">&amp; <script>alert(1)</script>'
    html = "\n".join(answer_blocks(_number_answer(evil)))
    check_html(html)
    assert "<script>" not in html and '<a href="x">' not in html
    assert evil in visible(html)
    passages = [_passage(1, "<b>镇", "a & b", evil)]
    html = "\n".join(passage_blocks("<i>head</i>", passages, 1))
    check_html(html)
    assert evil in visible(html) and "<b>镇" in visible(html)


def test_passage_answer_marks_question_words() -> None:
    answer = Answer(
        question="q",
        kind=AnswerKind.PASSAGE,
        headline=Line.of("与问题最相关的原文段落："),
        listing=[Line.of("…")],
        passages=[
            _passage(3, "东湖镇", "五、存在的问题", "存在的问题是公开形式单一。", ["问题", "形"])
        ],
    )
    html = "\n".join(answer_blocks(answer))
    assert "存在的<b>问题</b>是公开形式单一" in html
    assert "/source_3" in html


def test_blocks_are_packed_and_split_between_blocks() -> None:
    blocks = [f"<b>{i}.</b> <blockquote>{'字' * 900}</blockquote>" for i in range(12)]
    messages = split_messages(blocks)
    assert len(messages) == 3
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert "\n".join(messages) == "\n".join(blocks)


def test_one_huge_block_is_cut_outside_tags_and_entities() -> None:
    block = "<blockquote>" + "甲乙&amp;丙，" * 3000 + "</blockquote>"
    messages = split_messages([block], 1000)
    assert len(messages) > 10
    for message in messages:
        assert len(message) <= 1000
        check_html(message)
        assert message.startswith("<blockquote>") and message.endswith("</blockquote>")
    assert "".join(visible(m) for m in messages) == visible(block)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "b", "blockquote", "code"]),
            st.text(alphabet="行政诉讼件条&<>\"'，。 \n\tab12", max_size=400),
        ),
        max_size=25,
    ),
    st.integers(min_value=120, max_value=4096),
)
def test_any_blocks_split_into_valid_messages(parts: list[tuple[str, str]], limit: int) -> None:
    blocks = [
        f"<{tag}>{escape_html(text)}</{tag}>" if tag else escape_html(text) for tag, text in parts
    ]
    blocks = [b for b in blocks if b]
    messages = split_messages(blocks, limit)
    for message in messages:
        assert len(message) <= limit
        check_html(message)
    assert "".join(visible(m) for m in messages).replace("\n", "") == "".join(
        visible(b) for b in blocks
    ).replace("\n", "")


def test_expiring_store_forgets_after_ttl_and_capacity() -> None:
    clock = Clock()
    store: ExpiringStore[str] = ExpiringStore(ttl=60, capacity=3, clock=clock)
    token = store.put("first")
    assert store.get(token) == "first" and len(token) <= 20
    clock.now += 61
    assert store.get(token) is None
    tokens = [store.put(str(i)) for i in range(5)]
    assert [store.get(t) for t in tokens] == [None, None, "2", "3", "4"]
    assert len(store) == 3


def test_rate_limiter_window_and_single_notice() -> None:
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert all(limiter.check(1).allowed for _ in range(3))
    refused = limiter.check(1)
    assert not refused.allowed and refused.notify and 1 <= refused.wait_seconds <= 60
    again = limiter.check(1)
    assert not again.allowed and not again.notify
    assert limiter.check(2).allowed
    clock.now += 60.5
    assert limiter.check(1).allowed
    assert RateLimiter(0).check(1).allowed


@pytest.mark.parametrize("per_minute", [1, 5, 20])
def test_rate_limiter_never_allows_more_than_the_limit(per_minute: int) -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute, clock=clock)
    allowed = 0
    for _ in range(200):
        clock.now += 0.25  # 50 s of questions, four a second
        allowed += limiter.check(7).allowed
    assert allowed == per_minute


def test_only_the_marked_figure_is_bold() -> None:
    """The figure is bold because the answer marks it, not because its digits recur: a count
    or a part that happens to equal the total stays plain."""
    answer = Answer(
        question="q",
        kind=AnswerKind.SUM,
        headline=Line.of("total: ", Figure("2"), " over 2 reports: 东湖镇 2018 2件"),
        value=2,
    )
    html = "\n".join(answer_blocks(answer))
    assert html.count("<b>") == 1 and "total: <b>2</b> over 2 reports" in html


def test_the_renderer_reads_no_sentences() -> None:
    """Rendering works from the answer's parts; the module has no regular expressions."""
    from pathlib import Path

    import bot.telegram.render as render

    assert "re" not in vars(render) and "import re" not in Path(render.__file__).read_text()


def test_figures_read_from_report_text_render_from_their_parts() -> None:
    """A figure no statistic holds, read from the report's sentences: the figure bold, the
    sentence quoted, its passage linked; when none leads, each candidate quoted and linked,
    its value not bold (none is the answer)."""
    from bot.qa.figure_answer import text_answer
    from bot.qa.lookup import ReportRef
    from bot.qa.prose_figures import ANSWER, CANDIDATES, FigureCandidate, FigureFinding
    from bot.qa.wording import Phrasebook

    report = ReportRef(1, "东湖镇", 2018, "pre2020", "东湖镇2018年报告", "r.txt", "镇")
    shown = tuple(
        FigureCandidate(v, "场", f"举办培训{v:g}场", i, "", 0.5, "培训")
        for i, v in enumerate((3.0, 5.0), 4)
    )
    one = text_answer("培训了几场", FigureFinding(ANSWER, shown[:1]), report, Phrasebook("zh"))
    html = "\n".join(answer_blocks(one))
    check_html(html)
    assert "<b>3</b>场" in html and "<blockquote>举办培训3场</blockquote>" in html
    assert "/source_4" in html
    several = text_answer("培训了几场", FigureFinding(CANDIDATES, shown), report, Phrasebook("zh"))
    html = "\n".join(answer_blocks(several))
    check_html(html)
    assert "<b>" not in html.split("\n")[0] and "5场" in html and "<b>5" not in html
    assert "<blockquote>举办培训5场</blockquote>" in html
    assert "/source_4" in html and "/source_5" in html


def test_a_figure_answer_keeps_its_related_passages_for_the_button() -> None:
    answer = _number_answer()
    answer.passages = [_passage(9, "东湖镇", "五、诉讼", "相关的一段话。")]
    html = "\n".join(answer_blocks(answer))
    assert "相关的一段话" not in html and "/source_9" not in html
    answer.kind = AnswerKind.NONE
    html = "\n".join(answer_blocks(answer))
    assert "相关的一段话" in html and "相关原文" in html


def test_an_english_answer_is_framed_in_english() -> None:
    answer = _number_answer()
    answer.lang = "en"
    answer.kind = AnswerKind.NONE
    answer.passages = [_passage(9, "东湖镇", "五、诉讼", "相关的一段话。")]
    html = visible("\n".join(answer_blocks(answer)))
    assert "source /source_7" in html and "Related passages" in html
    assert "原文 /source" not in html and "相关原文" not in html
