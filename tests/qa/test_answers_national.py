"""Answers over a mixed corpus: the samples (pre-2020) plus one unit's reports in both
editions of the national template, written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus import ingest_and_index
from bot.qa.answerer import Answerer
from tests.support import NATIONAL, TODAY


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Answerer:
    path = tmp_path_factory.mktemp("mixed") / "mixed.db"
    outcomes = ingest_and_index(path, [samples_dir, NATIONAL])
    assert {o.status for o in outcomes} == {"added"}
    return Answerer(path, today=TODAY)


@pytest.mark.parametrize(
    ("question", "value", "year"),
    [
        ("东湖街道2021年行政许可处理决定数量", 41, 2021),
        ("东湖街道2020年行政许可处理决定数量", 35, 2020),
        ("东湖街道2020年有多少行政诉讼", 4, 2020),
        ("东湖街道有多少行政诉讼", 1, 2021),
        ("东湖街道收到多少申请", 17, 2021),
        ("东湖街道2021年自然人申请多少", 14, 2021),
        ("东湖街道2020年行政复议数量", 1, 2020),
        ("how many lawsuits did 东湖街道 have in 2020", 4, 2020),
    ],
)
def test_national_numbers(mixed: Answerer, question: str, value: int, year: int) -> None:
    answer = mixed.ask(question)
    assert answer.kind == "number", answer.text
    assert answer.value == value
    assert answer.facts[0].year == year


def test_derived_lawsuits_say_which_rows_were_added(mixed: Answerer) -> None:
    answer = mixed.ask("东湖街道2020年有多少行政诉讼")
    assert answer.facts[0].source == "derived"
    assert "未经复议直接起诉总计 3 + 复议后起诉总计 1" in answer.text


def test_breakdown_descends_past_a_missing_subtotal(mixed: Answerer) -> None:
    answer = mixed.ask("东湖街道收到多少申请")
    assert "自然人 14" in answer.text and "商业企业 2" in answer.text
    assert sum(f.value for f in answer.facts[1:]) == 17


def test_trend_over_both_editions(mixed: Answerer) -> None:
    answer = mixed.ask("东湖街道历年行政诉讼变化")
    assert answer.kind == "trend"
    assert [(f.year, f.value) for f in answer.facts] == [(2020, 4), (2021, 1)]


def test_statistic_of_another_edition_is_none(mixed: Answerer) -> None:
    answer = mixed.ask("东湖街道2021年行政许可上一年项目数量")
    assert answer.kind == "none" and answer.value is None
    assert "2019 版" in answer.text


def test_sum_spans_templates_and_latest_years(mixed: Answerer) -> None:
    answer = mixed.ask("各单位行政诉讼一共多少件")
    assert answer.kind == "sum"
    assert answer.value == 7 + 1
    assert {f.unit for f in answer.facts} >= {"东湖街道", "西集镇"}


def test_level_scopes_a_ranking(mixed: Answerer) -> None:
    answer = mixed.ask("哪个镇的行政诉讼最多")
    assert all(r.unit.endswith("镇") for r in answer.ranking)
    answer = mixed.ask("哪个街道的行政诉讼最多")
    assert [r.unit for r in answer.ranking] == ["东湖街道"]


def test_years_listed_per_unit(mixed: Answerer) -> None:
    assert "2020、2021" in mixed.ask("东湖街道有哪些年份").text


def test_missing_year_names_the_available_ones(mixed: Answerer) -> None:
    answer = mixed.ask("东湖街道2019年行政诉讼数量")
    assert answer.kind == "none"
    assert "2020" in answer.text and "2021" in answer.text


@pytest.mark.parametrize(
    ("question", "value", "parts"),
    [
        ("东湖街道2021年法人或其他组织提出了几件申请", 3, "商业企业 2 + 科研机构 0"),
        ("东湖街道2020年法人提出了几件申请", 2, "法律服务机构 1 + 其他 0"),
    ],
)
def test_a_subtotal_the_table_does_not_print_is_the_sum_of_all_its_parts(
    mixed: Answerer, question: str, value: int, parts: str
) -> None:
    answer = mixed.ask(question)
    assert (answer.kind, answer.value) == ("number", value), answer.text
    assert parts in answer.text
    assert sum(f.value for f in answer.facts) == value
