"""jieba's own dictionary from the user cache: the same words and counts jieba reads itself,
so cuts made with it are jieba's; a damaged cache file is read again from jieba."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import jieba_import

TEXT = "本机关全年主动公开政府信息一千二百条，收到行政复议申请三件。"


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path))
    jieba_import.default_dictionary.cache_clear()
    yield tmp_path / "jieba"
    jieba_import.default_dictionary.cache_clear()


def _jieba_itself():
    jt = jieba_import.jieba_module().Tokenizer()
    jt.initialize()
    return jt


def test_the_cached_dictionary_is_jiebas(private_cache: Path) -> None:
    reference = _jieba_itself()
    built = jieba_import.default_dictionary()
    (stored,) = private_cache.glob("default-*")
    jieba_import.default_dictionary.cache_clear()
    loaded = jieba_import.default_dictionary()
    assert loaded is not built
    assert loaded == built == (reference.FREQ, reference.total)
    assert stored.stat().st_size > 0


def test_a_plain_tokenizer_cuts_as_jieba(private_cache: Path) -> None:
    cut = jieba_import.plain_tokenizer().lcut(TEXT, HMM=False)
    assert cut == _jieba_itself().lcut(TEXT, HMM=False)
    assert "行政复议" in cut


def test_a_damaged_cache_file_is_read_again(private_cache: Path) -> None:
    private_cache.mkdir(parents=True)
    path = private_cache / f"default-{jieba_import.jieba_module().__version__}.dictionary"
    path.write_bytes(b"damaged")
    freq, total = jieba_import.default_dictionary()
    assert total > 0 and freq.get("政府")
    assert path.stat().st_size > len(b"damaged")
