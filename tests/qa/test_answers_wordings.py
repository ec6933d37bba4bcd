"""Answers to questions as officials word them, over the samples, a mixed corpus and the real
corpus: rankings between named units or years, ties, figures a template lacks, short figure
answers, passages without furniture.  The question files ``tests/data/wordings-*.jsonl`` are
written for these tests (not taken from any evaluation file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.evaluate import load_questions, score
from bot.cli.render_text import render_text
from bot.corpus import ingest_and_index
from bot.qa.answerer import Answerer
from bot.qa.quotable import is_furniture
from tests.support import CORPUS, DATA, NATIONAL, TODAY

SAMPLE_WORDINGS = load_questions(DATA / "wordings-samples.jsonl")
REAL_WORDINGS = load_questions(DATA / "wordings-real.jsonl")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Answerer:
    path = tmp_path_factory.mktemp("mixed") / "mixed.db"
    outcomes = ingest_and_index(path, [samples_dir, NATIONAL])
    assert {o.status for o in outcomes} == {"added"}
    return Answerer(path, today=TODAY)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    path = tmp_path_factory.mktemp("real") / "real.db"
    outcomes = ingest_and_index(path, [CORPUS / "text"])
    assert {o.status for o in outcomes} == {"added"}
    return Answerer(path, today=TODAY)


@pytest.mark.parametrize("item", SAMPLE_WORDINGS, ids=[i["id"] for i in SAMPLE_WORDINGS])
def test_sample_wordings(answerer: Answerer, item: dict) -> None:
    outcome = score(item, answerer.ask(item["q"]))
    assert outcome.passed, f"{item['q']}: expected {outcome.expected}, got {outcome.got}"


@pytest.mark.parametrize("item", REAL_WORDINGS, ids=[i["id"] for i in REAL_WORDINGS])
def test_real_wordings(real: Answerer, item: dict) -> None:
    outcome = score(item, real.ask(item["q"]))
    assert outcome.passed, f"{item['q']}: expected {outcome.expected}, got {outcome.got}"


# -- ties and rankings ---------------------------------------------------------------------------


def test_equal_values_are_a_tie_not_an_order(answerer: Answerer) -> None:
    answer = answerer.ask("哪个镇收的费最多")
    assert answer.kind == "ranking"
    assert "都是" in answer.text and "5 份报告" in answer.text
    assert "从多到少" not in answer.text
    assert {r.value for r in answer.ranking} == {0}


def test_a_shared_first_place_is_named(mixed: Answerer) -> None:
    answer = mixed.ask("哪个镇收到的申请最少")
    assert answer.kind == "ranking"
    assert answer.ranking[0].value == answer.ranking[1].value == 0
    assert "并列第一" in answer.text


def test_the_first_few_sharing_a_value_are_listed_not_called_a_tie_of_all(mixed: Answerer):
    every = mixed.ask("哪个镇收到的申请最少")
    zeros = [r for r in every.ranking if r.value == 0]
    assert 2 <= len(zeros) < len(every.ranking)  # the corpus this test needs
    answer = mixed.ask("收到的申请最少的前两个镇")
    assert answer.kind == "ranking"
    assert [r.value for r in answer.ranking] == [0, 0]
    assert "都是" not in answer.text and "没有多少之分" not in answer.text
    shared = next(line for line in answer.text.splitlines() if "并列第一" in line)
    assert all(r.unit in shared for r in zeros)


def test_which_of_two_named_units_has_more(answerer: Answerer) -> None:
    answer = answerer.ask("西塘镇和西集镇比，谁被起诉得多")
    assert answer.kind == "ranking"
    assert [r.unit for r in answer.ranking] == ["西集镇", "西塘镇"]


def test_which_year_of_one_unit(mixed: Answerer) -> None:
    answer = mixed.ask("东湖街道哪一年收到的申请最多")
    assert answer.kind == "ranking"
    assert [(r.unit, r.year) for r in answer.ranking] == [
        ("东湖街道 2021", 2021),
        ("东湖街道 2020", 2020),
    ]
    fewer = mixed.ask("东湖街道2020年和2021年哪年行政诉讼少")
    assert fewer.ranking[0].year == 2021


def test_a_ranking_reads_the_figure_a_template_lacks_from_the_text(mixed: Answerer) -> None:
    answer = mixed.ask("2020年哪个单位主动公开的信息最多")
    assert answer.kind == "ranking"
    assert (answer.ranking[0].unit, answer.ranking[0].value) == ("东湖街道", 212)
    assert answer.facts[0].source == "text"
    assert "正文所写" in answer.text


def test_asked_years_without_a_report_are_named(mixed: Answerer) -> None:
    answer = mixed.ask("东湖街道2019年到2021年行政诉讼的变化")
    assert answer.kind == "trend"
    assert [f.year for f in answer.facts] == [2020, 2021]
    assert "没有 2019 年的报告" in answer.text


# -- short figure answers -------------------------------------------------------------------------


def test_the_latest_year_note_only_when_there_are_several(mixed: Answerer) -> None:
    assert "未指定年份" in mixed.ask("东湖街道有多少行政诉讼").text
    assert "未指定年份" not in mixed.ask("西集镇有多少行政诉讼").text


def test_related_passages_only_on_request(answerer: Answerer) -> None:
    answer = answerer.ask("西集镇有多少行政诉讼")
    assert answer.passages
    assert "相关原文" not in render_text(answer)
    assert "相关原文" in render_text(answer, related=True)
    english = answerer.ask("how many lawsuits did Xiji town have")
    shown = render_text(english, related=True)
    assert "Related passages" in shown and "相关原文" not in shown


def test_a_plans_question_falls_back_to_the_year_as_written(answerer: Answerer) -> None:
    answer = answerer.ask("西塘镇2018年打算怎么改进")  # plans for 2018: the 2017 report is missing
    assert answer.kind == "passage"
    assert {p.year for p in answer.passages} == {2018}


# -- passages worth quoting ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "section", "furniture"),
    [
        ("五、存在的主要问题及改进情况", "五、存在的主要问题及改进情况", True),
        ("三、其他需要报告的事项", "", True),
        ("北山片区管理局2026年1月20日", "", True),
        ("此函 北山片区管理局 2022年1月7日 党政办公室 2022年1月7日印发", "", True),
        ("当前位置： 首页 > 政务公开 > 年报 分享到: 微信 微博 打印本页 关闭窗口", "", True),
        ("联系电话 0591-1234567", "", False),
        ("2019年，未收到政府信息公开申请。", "", False),
        ("一是信息公开人员少；二是公开内容深度不足。", "四、存在的问题", False),
    ],
)
def test_furniture_is_not_quoted(text: str, section: str, furniture: bool) -> None:
    assert is_furniture(text, section) is furniture


def test_passage_answers_quote_no_furniture(real: Answerer) -> None:
    for question in ("金井片区2025年信息公开还有什么短板", "环保局2010年的不足之处"):
        answer = real.ask(question)
        assert answer.kind == "passage"
        assert not any(is_furniture(p.text, p.section) for p in answer.passages)
        assert "|" not in answer.text and "](" not in answer.text


def test_a_typo_read_as_a_domain_word_is_said(answerer: Answerer) -> None:
    answer = answerer.ask("西集镇行政诉松几件")
    assert answer.value == 6
    assert "「行政诉松」按「行政诉讼」理解" in answer.text
    assert "理解" not in answerer.ask("西集镇行政诉讼几件").text


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("西集镇近三年的行政诉讼", "没有 西集镇 2023、2024、2025 年的报告；已有年份：2018"),
        ("西集镇2023年和2024年哪年诉讼多", "没有西集镇 2023、2024 年的报告；已有年份：2018"),
        ("2024年哪个镇诉讼最多", "没有 2024 年的报告；已有年份：2018"),
        ("which town had the most lawsuits in 2024", "There is no 2024 report"),
    ],
)
def test_years_without_any_report_say_which_there_are(
    answerer: Answerer, question: str, said: str
) -> None:
    answer = answerer.ask(question)
    assert answer.kind == "none" and answer.value is None
    assert said in answer.text


def test_a_year_without_a_report_gives_no_other_years_count(answerer: Answerer) -> None:
    """A count the catalogue does not name, asked of a year the unit has no report for, is
    not read from another year's sentences; words asked of that year come from the years
    there are, saying so."""
    count = answerer.ask("西集镇2016年政务微博发了多少条信息")
    assert count.kind == "none" and count.value is None
    assert "没有 西集镇 2016 年的报告；已有年份：2018" in count.text
    words = answerer.ask("西集镇2016年存在哪些问题")
    assert words.kind == "passage" and {p.year for p in words.passages} == {2018}
    assert "没有 西集镇 2016 年的报告" in words.text
