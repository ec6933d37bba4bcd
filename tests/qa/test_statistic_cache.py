"""A new process reads the statistic matcher from the user cache; it chooses exactly what a
freshly built one chooses, and a catalogue with other names gets a matcher of its own."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

from bot.qa import statistic_match
from bot.qa.statistic_match import StatisticMatcher, statistic_matcher
from ingest.catalogue import load_catalogue
from ingest.text import fold_question

QUESTIONS = [
    "东湖镇2020年行政复议多少件",
    "how many lawsuits did the town face",
    "主动公开政府信息多少条",
    "依申请公开被依法纠错几件",
]


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(statistic_match, "_MATCHERS", {})
    return tmp_path / "statistics"


def test_a_stored_matcher_chooses_as_a_built_one(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue = load_catalogue()
    built = statistic_matcher(catalogue)
    expected = [built.choose(fold_question(q)) for q in QUESTIONS]
    assert all(expected)
    assert len(list(private_cache.glob("*.pickle"))) == 1
    monkeypatch.setattr(statistic_match, "_MATCHERS", {})

    def refuse(cls, catalogue):
        raise AssertionError("built again")

    monkeypatch.setattr(StatisticMatcher, "of", classmethod(refuse))
    stored = statistic_matcher(catalogue)
    assert stored is not built
    assert [stored.choose(fold_question(q)) for q in QUESTIONS] == expected


def test_other_names_make_another_key() -> None:
    catalogue = load_catalogue()
    key, statistic = next(iter(catalogue.statistics.items()))
    other = copy.copy(catalogue)
    other.statistics = {
        **catalogue.statistics,
        key: dataclasses.replace(statistic, aliases=(*statistic.aliases, "一个新的说法")),
    }
    assert statistic_match._catalogue_key(other) != statistic_match._catalogue_key(catalogue)


def test_a_damaged_file_is_rebuilt(private_cache: Path) -> None:
    catalogue = load_catalogue()
    statistic_matcher(catalogue)
    (stored,) = private_cache.glob("*.pickle")
    stored.write_bytes(b"\x80not a pickle")
    statistic_match._MATCHERS.clear()
    assert statistic_matcher(catalogue).choose(fold_question(QUESTIONS[0]))
