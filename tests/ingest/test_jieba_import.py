"""jieba's own dictionary from the user cache: the same words and counts jieba reads itself,
so cuts made with it are jieba's; a damaged cache file is read again from jieba."""

from __future__ import annotations

import threading
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


# -- dictionaries looked up word by word -------------------------------------------------------

WORDS = ("东湖镇人民政府", "政务新媒体", "依申请公开")


def _finished(words: tuple[str, ...] = WORDS):
    """jieba's dictionary plus some words, as a tokenizer builds it."""
    jt = jieba_import.jieba_module().Tokenizer()
    freq, total = jieba_import.default_dictionary()
    jt.FREQ, jt.total, jt.initialized = dict(freq), total, True
    for word in words:
        jt.add_word(word, max(jt.suggest_freq(word), 1000))
    return jt


@pytest.mark.parametrize(
    "text", [TEXT, "东湖镇人民政府2020年通过政务新媒体发布信息，依申请公开12件。", "ＡＢＣ abc 123"]
)
def test_a_kept_dictionary_cuts_like_the_whole_one(private_cache: Path, text: str) -> None:
    built = _finished()
    path = private_cache / "finished.marshal"
    jieba_import.store_dictionary(path, built.FREQ, built.total)
    loaded = jieba_import.load_dictionary(path)
    assert loaded is not None
    freq, total = loaded
    assert isinstance(freq, jieba_import.WordCounts) and total == built.total
    jt = jieba_import.attach(jieba_import.jieba_module().Tokenizer(), freq, total)
    assert jt.lcut(text, HMM=False) == built.lcut(text, HMM=False)
    assert path.stat().st_size < 100_000  # the difference, not half a million words


def _from_the_cache(cache: Path):
    """A finished dictionary, and a jieba attached to it as stored in the cache."""
    built = _finished()
    path = cache / "finished.marshal"
    jieba_import.store_dictionary(path, built.FREQ, built.total)
    loaded = jieba_import.load_dictionary(path)
    assert loaded is not None
    return built, jieba_import.attach(jieba_import.jieba_module().Tokenizer(), *loaded)


def test_word_counts_read_the_whole_dictionary_after_many_lookups(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jieba_import, "LOOKUPS_BEFORE_LOADING", 5)
    built, jt = _from_the_cache(private_cache)
    assert isinstance(jt.FREQ, jieba_import.WordCounts)
    cut = jt.lcut(TEXT * 3, HMM=False)
    assert type(jt.FREQ) is dict and jt.FREQ == built.FREQ
    assert cut == built.lcut(TEXT * 3, HMM=False)


def test_a_process_that_reads_the_dictionary_whole_uses_it_from_the_next_lookup(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jieba_import, "_WHOLE", threading.Event())
    built, jt = _from_the_cache(private_cache)
    jieba_import.read_whole_in_background().join()
    assert isinstance(jt.FREQ, jieba_import.WordCounts)
    assert jt.FREQ.get("政府") == built.FREQ["政府"]
    assert type(jt.FREQ) is dict and jt.FREQ == built.FREQ
    assert jt.lcut(TEXT, HMM=False) == built.lcut(TEXT, HMM=False)


def test_a_dictionary_missing_a_word_of_jiebas_is_kept_whole(private_cache: Path) -> None:
    built = _finished()
    del built.FREQ["政府"]
    path = private_cache / "finished.marshal"
    jieba_import.store_dictionary(path, built.FREQ, built.total)
    loaded = jieba_import.load_dictionary(path)
    assert loaded is not None and type(loaded[0]) is dict and "政府" not in loaded[0]


def test_default_counts_are_jiebas(private_cache: Path) -> None:
    jieba_import._TABLES.clear()
    freq, _ = jieba_import.default_dictionary()
    counts = jieba_import.WordCounts({}, create_table=True)
    for word in ("政府", "信息公开", "不是一个词语吧", "行"):
        assert counts.get(word) == freq.get(word)
        assert (word in counts) == (word in freq)
    assert list((private_cache).glob("default-*.sqlite"))
    jieba_import._TABLES.clear()


def test_an_ingest_writes_no_table(private_cache: Path) -> None:
    """Counts of a finished dictionary read it whole while there is no table yet: writing
    one is left to a question, which needs it."""
    jieba_import._TABLES.clear()
    counts = jieba_import.WordCounts({"东湖镇": 1000})
    assert counts.get("政府") == jieba_import.default_dictionary()[0]["政府"]
    assert counts.get("东湖镇") == 1000
    assert not list(private_cache.glob("*.sqlite"))


def test_a_damaged_table_is_written_again(private_cache: Path) -> None:
    jieba_import._TABLES.clear()
    private_cache.mkdir(parents=True, exist_ok=True)
    table = private_cache / f"default-{jieba_import.jieba_module().__version__}.sqlite"
    table.write_bytes(b"not a table")
    assert (
        jieba_import.WordCounts({}, create_table=True).get("政府")
        == jieba_import.default_dictionary()[0]["政府"]
    )
    assert table.stat().st_size > len(b"not a table")
    jieba_import._TABLES.clear()
