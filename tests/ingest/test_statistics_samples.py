"""The sample reports: every gold `number` question has its figure, source and evidence."""

from __future__ import annotations

import json

import pytest

from ingest.statistics import extract_statistics
from ingest.template import detect_template
from ingest.text import fold
from tests.support import SAMPLES, SEED_QUESTIONS

FILES = {
    "西集镇": "xiji-2018.txt",
    "西塘镇": "xitang-2018.md",
    "乌镇镇": "wuzhen-2018.txt",
    "於潜镇": "yuqian-2018.txt",
    "宜就镇": "yijiu-2018.txt",
}

KEYS = {
    "s001": "lawsuits", "s002": "lawsuits", "s003": "reconsiderations", "s004": "proactive",
    "s005": "proactive", "s006": "requests.received", "s007": "reconsiderations",
    "s008": "channels.wechat", "s009": "channels.website", "s010": "staff", "s011": "funding",
    "s012": "trainees", "s013": "requests.received", "s014": "requests.received.in_person",
    "s015": "requests.completed.extended", "s016": "requests.completed.on_time",
    "s017": "requests.answered.refused.privacy", "s018": "requests.answered.nonexistent",
    "s019": "meetings", "s020": "channels.wechat", "s021": "lawsuits.corrected",
    "s022": "proactive", "s023": "channels.wechat", "s024": "requests.received",
    "s025": "lawsuits", "s026": "trainings", "s027": "trainees", "s028": "responses",
    "s029": "reconsiderations", "s030": "complaints", "s031": "requests.received",
    "s032": "responses", "s033": "fees", "s034": "key_areas", "s035": "meetings",
    "s036": "channels.weibo",
}  # fmt: skip

QUESTIONS = [
    q
    for q in (json.loads(line) for line in SEED_QUESTIONS.read_text("utf-8").splitlines() if line)
    if q["kind"] == "number"
]


@pytest.fixture(scope="module")
def extractions():
    out = {}
    for unit, name in FILES.items():
        text = (SAMPLES / name).read_text("utf-8")
        out[unit] = (text, extract_statistics(text, detect_template(text, 2018)))
    return out


def test_every_number_question_is_mapped():
    assert {q["id"] for q in QUESTIONS} == set(KEYS)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["id"])
def test_gold_figure_is_the_official_statistic(extractions, question):
    _, extraction = extractions[question["unit"]]
    key = KEYS[question["id"]]
    official = [s for s in extraction.statistics if s.key == key and s.official]
    assert len(official) == 1, [s for s in extraction.statistics if s.key == key]
    assert official[0].value == question["expect"]
    assert official[0].source == question["source_kind"]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["id"])
def test_gold_evidence_is_inside_a_matching_statistic(extractions, question):
    text, extraction = extractions[question["unit"]]
    key = KEYS[question["id"]]
    gold = fold(question["evidence"])
    matching = [
        s
        for s in extraction.statistics
        if s.key == key and s.value == question["expect"] and s.source == question["source_kind"]
    ]
    assert any(gold in fold(s.evidence) for s in matching), [s.evidence for s in matching]
    for s in matching:
        assert text[s.start : s.end] == s.evidence
        assert s.rule


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.get("conflict")], ids=lambda q: q["id"]
)
def test_gold_conflicts_are_recorded(extractions, question):
    _, extraction = extractions[question["unit"]]
    key = KEYS[question["id"]]
    pairs = [
        (extraction.statistics[a], extraction.statistics[b])
        for a, b in extraction.conflicts
        if extraction.statistics[a].key == key
    ]
    assert pairs
    official, other = pairs[0]
    assert official.official and official.source == "table"
    assert not other.official and other.source == "prose"
    assert any(fold(question["conflict"]) in fold(o.evidence) for _, o in pairs)


def test_one_official_per_key_and_conflicts_disagree(extractions):
    for _, extraction in extractions.values():
        stats = extraction.statistics
        officials = [s.key for s in stats if s.official]
        assert len(officials) == len(set(officials))
        for a, b in extraction.conflicts:
            assert stats[a].official and stats[a].key == stats[b].key
            assert stats[a].value != stats[b].value


def test_no_conflicts_beyond_the_real_ones(extractions):
    found = {
        (unit, e.statistics[a].key) for unit, (_, e) in extractions.items() for a, _ in e.conflicts
    }
    assert found == {
        ("西集镇", "lawsuits"),
        ("西集镇", "requests.completed.on_time"),
        ("於潜镇", "reconsiderations"),
    }


def test_blank_table_cell_is_missing_not_zero(extractions):
    _, extraction = extractions["於潜镇"]
    (cell,) = [
        s for s in extraction.statistics if s.key == "requests.answered.refused.commercial_secret"
    ]
    assert cell.value is None and not cell.official


def test_mojibake_label_that_cannot_be_read_is_skipped_and_counted(extractions):
    _, extraction = extractions["於潜镇"]
    assert extraction.skipped >= 2
    keys = {s.key for s in extraction.statistics if s.source == "table"}
    assert "reconsiderations.corrected" not in keys


def test_failed_arithmetic_is_recorded(extractions):
    _, extraction = extractions["西集镇"]
    names = {c.name for c in extraction.checks}
    assert names == {"sum:requests.answered"}
    (check,) = extraction.checks
    assert (check.expected, check.actual) == (6, 5)


def test_arithmetic_that_holds_is_not_a_failure(extractions):
    _, extraction = extractions["於潜镇"]
    assert extraction.checks == []


def test_topical_section_decides_which_prose_is_official():
    text = (SAMPLES / FILES["宜就镇"]).read_text("utf-8")
    heading = text.index("五、申请行政复议和提起行政诉讼情况")
    sections = [
        (0, heading, "一、主要做法及成效"),
        (heading, len(text), "五、申请行政复议和提起行政诉讼情况"),
    ]
    extraction = extract_statistics(text, "pre2020", sections)
    (official,) = [s for s in extraction.statistics if s.key == "lawsuits" and s.official]
    assert official.evidence == "本年度无申请行政复议和提起行政诉讼情况"


@pytest.mark.parametrize("unit", list(FILES))
def test_sections_from_the_passage_splitter_change_no_gold_figure(extractions, unit):
    from ingest.passages import section_spans, split_passages

    text, plain = extractions[unit]
    with_sections = extract_statistics(text, "pre2020", section_spans(split_passages(text)))
    values = {s.key: s.value for s in plain.statistics if s.official}
    assert {s.key: s.value for s in with_sections.statistics if s.official} == values
    assert len(with_sections.conflicts) == len(plain.conflicts)
