"""What a new process reads from the user cache instead of computing again: pinyin readings,
folded vocabularies, the typo reader. Each must equal what computing it gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.qa import folded_words as folded_module
from bot.qa import typos
from ingest.text import fold_question


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path))
    typos._reading_table.cache_clear()
    typos._readings.cache_clear()
    folded_module._FOLDED.clear()
    yield tmp_path
    typos._reading_table.cache_clear()
    typos._readings.cache_clear()
    folded_module._FOLDED.clear()


@pytest.mark.parametrize("char", ["行", "重", "诉", "讼", "松", "乐", "〇", "a", "。", "𠀀"])
def test_readings_from_the_table_are_pypinyins(private_cache: Path, char: str) -> None:
    assert typos._readings(char) == typos._pypinyin_readings(char)
    assert list((private_cache / "pinyin").glob("readings-*.sqlite"))


def test_a_heteronym_keeps_every_reading(private_cache: Path) -> None:
    assert {"hang", "xing"} <= set(typos._readings("行"))


WORDS = ["政府信息公開", "ＡＢＣ申請", "於溪镇", "行政复议", "行政复议"]


def test_folded_words_are_folded_as_one_by_one(private_cache: Path) -> None:
    expected = tuple(fold_question(w) for w in WORDS)
    assert folded_module.folded_words(WORDS) == expected
    assert len(list((private_cache / "folded").glob("*.pickle"))) == 1
    folded_module._FOLDED.clear()  # a new process reads the file
    assert folded_module.folded_words(iter(WORDS)) == expected


def test_a_stored_typo_reader_is_the_built_one(private_cache: Path) -> None:
    words = ["行政复议", "行政诉讼", "主动公开", "依申请公开"]
    stored = typos._stored_reader(words)
    again = typos._stored_reader(words)
    built = typos.TypoReader(words)
    assert stored is not again  # read back from the file
    for reader in (stored, again):
        assert reader.words == built.words
        assert reader._exact == built._exact and reader._fuzzy == built._fuzzy
    typed = "行政诉松多少件"
    assert again.corrections(typed) == built.corrections(typed)
    assert [c.word for c in built.corrections(typed)] == ["行政诉讼"]
