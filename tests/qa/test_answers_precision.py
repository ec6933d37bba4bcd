"""Answers that must not give a figure of another statistic: a cell whose row runs its digits
together, a label two tables share, a question narrower than the statistic it names."""

from __future__ import annotations

import pytest

from bot.corpus import ingest_and_index
from bot.qa.answerer import Answerer
from tests.ingest.test_flattened import national_text, zero_values
from tests.support import TODAY


@pytest.fixture(scope="module")
def run_together(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    folder = tmp_path_factory.mktemp("run-together")
    reports = folder / "reports"
    reports.mkdir()
    text = national_text(zero_values(), table2="规章000行政规范性文件2433")
    (reports / "beishan-2021.txt").write_text("北山镇人民政府" + text, encoding="utf-8")
    unbalanced = zero_values()
    unbalanced["requests.received.natural_person"] = 1.0  # the printed total stays 0
    text = national_text(unbalanced, separator=" ")
    (reports / "nanshan-2021.txt").write_text("南山镇人民政府" + text, encoding="utf-8")
    outcomes = ingest_and_index(folder / "r.db", [reports])
    assert [o.status for o in outcomes] == ["added", "added"]
    return Answerer(folder / "r.db", today=TODAY)


@pytest.mark.parametrize(
    ("question", "candidates"),
    [
        ("北山镇2021年行政规范性文件本年制发件数", "2、24"),
        ("北山镇2021年现行有效的行政规范性文件有几件", "33、3"),
    ],
)
def test_a_cell_of_a_run_together_row_quotes_its_readings(run_together, question, candidates):
    answer = run_together.ask(question)
    assert answer.kind == "none" and answer.value is None, answer.text
    assert "行政规范性文件2433" in answer.text
    assert f"可能是：{candidates}" in answer.text


def test_a_readable_row_of_the_same_table_is_answered(run_together):
    answer = run_together.ask("北山镇2021年行政许可处理决定数量")
    assert (answer.kind, answer.value) == ("number", 16)


def test_a_total_failing_its_own_arithmetic_is_given_as_printed_with_a_warning(run_together):
    answer = run_together.ask("南山镇2021年收到几件申请")
    assert (answer.kind, answer.value) == ("number", 0), answer.text
    assert "与其分项之和不符" in answer.text and "= 1" in answer.text
    english = run_together.ask("How many requests did 南山镇 receive in 2021?")
    assert english.value == 0, english.text
    assert "printed 0, the parts add up to 1" in english.text, english.text


def test_a_question_narrower_than_its_statistic_gets_no_figure_of_it(answerer):
    answer = answerer.ask("西集镇2018年通过电子显示屏主动公开了多少条信息")
    assert answer.value is None or "电子显示屏" in (answer.facts[0].evidence or ""), answer.text


def test_a_label_two_tables_share_names_the_one_chosen_and_offers_the_other(answerer):
    answer = answerer.ask("西集镇2018年被依法纠错的有几件")
    assert answer.kind == "number", answer.text
    assert "也可以指" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "How many requests did 西集镇 handle in 2018",
        "How many requests did 西集镇 complete in 2018",
    ],
)
def test_a_statistic_of_another_edition_is_read_as_its_english_twin(answerer, question):
    answer = answerer.ask(question)
    assert (answer.kind, answer.value) == ("number", 6), answer.text
    assert "申请办结数" in answer.text
