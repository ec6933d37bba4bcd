"""The answer layer over the sample corpus: the seed questions and the contract."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.evaluate import load_questions, score
from ingest.text import fold
from tests.support import SEED_QUESTIONS

SEED = load_questions(SEED_QUESTIONS)
CONTRACT_KEYS = {"question", "kind", "answer", "value", "facts", "ranking", "passages", "conflicts"}


@pytest.mark.parametrize("item", SEED, ids=[i["id"] for i in SEED])
def test_seed_question(answerer, item: dict) -> None:
    answer = answerer.ask(item["q"])
    outcome = score(item, answer)
    assert outcome.passed, f"{item['q']}: expected {outcome.expected}, got {outcome.got}"


@pytest.mark.parametrize(
    "item",
    [i for i in SEED if i["kind"] == "number"],
    ids=[i["id"] for i in SEED if i["kind"] == "number"],
)
def test_number_answers_quote_their_evidence(answerer, item: dict) -> None:
    answer = answerer.ask(item["q"])
    headline = answer.facts[0]
    assert headline.source == item["source_kind"]
    assert fold(item["evidence"]) in fold(headline.evidence)
    if item.get("conflict"):
        assert any(fold(item["conflict"]) in fold(c.evidence) for c in answer.conflicts)


def test_answer_object_matches_contract(answerer) -> None:
    answer = answerer.ask("西集镇有多少行政诉讼？").to_dict()
    assert set(answer) == CONTRACT_KEYS
    json.dumps(answer, ensure_ascii=False)
    fact = answer["facts"][0]
    assert set(fact) == {
        "unit",
        "year",
        "metric",
        "label",
        "value",
        "measure",
        "source",
        "evidence",
        "report",
        "passage_id",  # beyond the contract: what /source and the source buttons open
    }
    assert answer["kind"] == "number" and answer["value"] == 6
    assert all(
        {"unit", "year", "section", "text", "score", "passage_id"} <= set(p)
        for p in answer["passages"]
    )


def test_breakdown_and_conflict_are_shown(answerer) -> None:
    text = answerer.ask("西集镇有多少行政诉讼？").text
    assert "6" in text and "4" in text and "1" in text
    assert "0" in text and "发生针对本单位政府信息公开行政诉讼案件0件" in text


def test_english_question_gets_english_sentences(answerer) -> None:
    answer = answerer.ask("how many lawsuits did 西集镇 have")
    assert answer.value == 6
    assert re.search(r"[A-Za-z]{4,}", answer.text.split("「")[0])


def test_latest_year_is_said(answerer) -> None:
    assert "2018" in answerer.ask("西集镇有多少行政诉讼？").text


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        "？",
        "🙂🙂🙂",
        "<script>alert(1)</script>",
        "'; DROP TABLE reports; --",
        "x" * 20000,
        "今天天气怎么样",
        "西集镇" * 3000,
        "\x00\x01",
        "2018",
    ],
)
def test_odd_input_gets_a_helpful_reply(answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert answer.text.strip()
    assert answer.kind in {
        "number",
        "sum",
        "ranking",
        "compare",
        "trend",
        "passage",
        "list",
        "none",
    }


def _figures_in(answer) -> list[float]:
    values = [answer.value] if answer.value is not None else []
    values += [f.value for f in answer.facts if f.value is not None]
    values += [r.value for r in answer.ranking if r.value is not None]
    return values


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=80) | st.sampled_from([i["q"] for i in SEED]))
def test_any_text_never_raises_and_figures_have_evidence(answerer, text: str) -> None:
    answer = answerer.ask(text)
    db = answerer.db
    for fact in answer.facts:
        if fact.source == "text":  # read from the report's sentences: the quote is in them
            texts = db.query("SELECT text FROM passages WHERE id = ?", [fact.passage_id])
            assert fact.evidence and any(fact.evidence in r["text"] for r in texts), fact
            continue
        rows = list(
            db.query(
                "SELECT s.value, s.evidence FROM statistics s JOIN reports r ON r.id = s.report_id "
                "WHERE r.unit = ? AND r.year = ? AND s.key = ?",
                [fact.unit, fact.year, fact.statistic],
            )
        )
        assert any(r["value"] == fact.value and r["evidence"] for r in rows), fact
    if answer.kind in {"number"}:
        assert answer.value in [f.value for f in answer.facts]
    if answer.kind == "sum":
        assert answer.value == sum(f.value for f in answer.facts)
    if answer.kind == "none":
        assert answer.value is None
    assert all(isinstance(v, int | float) for v in _figures_in(answer))


@pytest.mark.parametrize(
    ("question", "section_word", "unit"),
    [
        ("乌镇存在哪些问题", "问题", "乌镇镇"),
        ("What problems did 乌镇 report?", "问题", "乌镇镇"),
        ("宜就镇明年有什么打算", "今后", "宜就镇"),
        ("西塘镇有什么不足", "不足", "西塘镇"),
        ("於潛鎮下一步工作打算", "打算", "於潜镇"),
    ],
)
def test_questions_about_a_part_of_the_report_quote_that_part(
    answerer, question: str, section_word: str, unit: str
) -> None:
    answer = answerer.ask(question)
    assert answer.kind == "passage"
    assert len(answer.passages) == 3
    assert all(p.unit == unit for p in answer.passages)
    assert section_word in answer.passages[0].section.split(" / ")[-1]


def test_passages_never_leak_across_units(answerer) -> None:
    for question in ("西集镇的信息公开受理电话是多少", "西塘镇的联系邮箱", "宜就镇有什么不足"):
        answer = answerer.ask(question)
        unit = answer.passages[0].unit
        assert all(p.unit == unit for p in answer.passages)
        assert unit in question


def test_english_number_question_has_english_sentences_and_chinese_quotes(answerer) -> None:
    answer = answerer.ask("How many information disclosure requests did 西塘镇 receive in 2018?")
    assert answer.value == 1
    assert answer.text.startswith("西塘镇, 2018:")
    assert "Source:" in answer.text and "「" in answer.text
