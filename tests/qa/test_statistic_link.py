"""Linking a question to the statistic it asks for: the measure, the table and the sub-row must
fit, or the question is left with the words no statistic accounts for (never the parent)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.qa.statistic_link import StatisticLinker, statistic_linker
from ingest.catalogue import load_catalogue
from ingest.text import fold_question


@pytest.fixture(scope="module")
def linker() -> StatisticLinker:
    return statistic_linker(load_catalogue())


@pytest.mark.parametrize(
    ("question", "key"),
    [
        # the measure: 人次 counts persons, 次 sessions
        ("去年参加培训的有多少人次", "trainees"),
        ("举办了几次信息公开培训", "trainings"),
        # the table: 诉讼 is not 复议
        ("被起诉后法院纠错了几件行政诉讼", "lawsuits.corrected"),
        ("复议机关纠错了几件行政复议", "reconsiderations.corrected"),
        ("行政复议结果维持的有几件", "reconsiderations.upheld"),
        ("行政诉讼结果纠正的有几件", "lawsuits.corrected"),
        ("行政诉讼结果维持的有几件", "lawsuits.upheld"),
        # the sub-row or column the question names, not its parent
        ("个人提出的信息公开申请有几件", "requests.received.natural_person"),
        ("法人或者其他组织提出了几件申请", "requests.received.legal_person"),
        ("科研机构提出的申请有多少件", "requests.received.research"),
        ("不予公开的申请一共几件", "requests.withheld"),
        ("用信函邮寄过来的申请有几件", "requests.received.mail"),
        ("结转到下一年度继续办理的申请有几件", "requests.carried_forward"),
        ("结转至2031年的申请有几件", "requests.carried_forward"),
        ("有几件申请结转到了明年", "requests.carried_forward"),
        ("How many lawsuits were still pending", "lawsuits.pending"),
        ("历年累计收到申请数是多少", "requests.received.cumulative"),
        ("How many requests were filed by individuals", "requests.received.natural_person"),
        ("How many requests came from legal persons", "requests.received.legal_person"),
        # words that ask or point, not narrow: 有人, 案子, brought against
        ("有人申请信息公开吗", "requests.received"),
        ("复议的案子有几个", "reconsiderations"),
        ("How many lawsuits were brought against the town", "lawsuits"),
        ("依申请公开的答复中同意部分公开的有几件", "requests.answered.partly_granted"),
        # markup, escape codes and a year in Chinese numerals say nothing about what is counted
        ("<i>有多少</i>行政复议", "reconsiderations"),
        ("\x1b[1m行政复议\x1b[0m有几件", "reconsiderations"),
        ("二〇二〇年度行政复议有几件", "reconsiderations"),
        # who a case was with does not narrow it
        ("跟群众打了几场行政诉讼", "lawsuits"),
        # the same stem for complete and completed
        ("How many requests did the town complete", "requests.completed"),
    ],
)
def test_the_statistic_named_with_everything_the_question_says(linker, question, key):
    link = linker.link(fold_question(question))
    assert (link.key, link.unexplained) == (key, ())


def test_an_english_word_held_by_a_statistic_beats_one_reached_through_the_glossary(linker):
    # 结转下年度继续办理 shares 办理 with 办理结果, but only the handled rows are named "handled"
    link = linker.link(fold_question("How many requests did the bureau handle"))
    assert link.key in {"requests.handled", "requests.completed"}, link


@pytest.mark.parametrize(
    "question",
    ["因涉及国家秘密不予公开的有几件", "How many requests were refused as state secrets"],
)
def test_a_reason_picks_its_own_row_in_either_template(linker, question):
    link = linker.link(fold_question(question))
    keys = {"requests.withheld.state_secret", "requests.answered.refused.state_secret"}
    assert link.key in keys and not link.unexplained, link


@pytest.mark.parametrize(
    ("question", "left"),
    [
        # narrower than 主动公开: a category or a channel the catalogue has no statistic for
        ("规划计划类信息主动公开了多少条", "规划"),
        ("通过电子显示屏公开了多少条信息", "电子显示屏"),
        # a rate is no count of requests
        ("依申请公开的按期办结率是多少", "办结率"),
    ],
)
def test_words_no_statistic_accounts_for_are_left_unexplained(linker, question, left):
    link = linker.link(fold_question(question))
    assert link.unexplained, link
    assert any(left in w or w in left for w in link.unexplained), link


@pytest.mark.parametrize(
    ("question", "keys"),
    [
        ("被依法纠错的有几件", {"lawsuits.corrected", "reconsiderations.corrected"}),
        ("结果纠正的有几件", {"lawsuits.corrected", "reconsiderations.corrected"}),
        ("维持的有几件", {"lawsuits.upheld", "reconsiderations.upheld"}),
    ],
)
def test_a_label_shared_by_two_tables_names_the_other_as_an_alternative(linker, question, keys):
    link = linker.link(fold_question(question))
    assert {link.key, *link.alternatives} == keys


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_linking_never_raises_and_spans_stay_inside_the_question(text):
    linker = statistic_linker(load_catalogue())
    folded = fold_question(text)
    link = linker.link(folded)
    assert all(0 <= a <= b <= len(folded) for a, b in link.spans)
    assert link.key is not None or not link.unexplained
