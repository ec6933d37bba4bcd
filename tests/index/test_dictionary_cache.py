"""The finished jieba dictionary is cached per word list: a process that loads it
cuts text exactly as one that built it, and a cache that cannot be used is only slower."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index import tokens
from index.tokens import Tokenizer

TEXTS = [
    "2020年青川县东湖镇收到政府信息公开申请12件，行政复议0件。",
    "本机关主动公开政府信息1234条，其中主动公开规范性文件5件。",
    "政务新媒体发布信息，门户网站访问量达到十万人次。",
]
WORDS = ("青川县东湖镇", "东湖镇", "门户网站访问量")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path))
    return tmp_path / "jieba"


def test_a_cached_dictionary_cuts_like_a_built_one(cache_dir: Path) -> None:
    built = Tokenizer(extra_words=WORDS)
    expected = [built.tokens(t) for t in TEXTS]
    files = list(cache_dir.glob("*.marshal"))
    assert len(files) == 1 and built._inputs_key() in files[0].name
    loaded = Tokenizer(extra_words=WORDS)
    jt = tokens._cached_jieba(files[0])
    assert jt is not None and jt.FREQ == built.jieba().FREQ
    assert [loaded.tokens(t) for t in TEXTS] == expected
    assert "青川县东湖镇" in expected[0]


def test_other_words_get_their_own_dictionary(cache_dir: Path) -> None:
    Tokenizer(extra_words=WORDS).jieba()
    Tokenizer(extra_words=(*WORDS, "西山镇")).jieba()
    assert len(list(cache_dir.glob("*.marshal"))) == 2


def test_only_the_newest_dictionaries_are_kept(cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True)
    for i in range(tokens.CACHED_DICTIONARIES + 2):
        old = cache_dir / f"old{i}.marshal"
        old.write_bytes(b"")
        os.utime(old, (i, i))
    Tokenizer(extra_words=WORDS).jieba()
    kept = sorted(p.name for p in cache_dir.glob("*.marshal"))
    assert len(kept) == tokens.CACHED_DICTIONARIES
    assert "old0.marshal" not in kept and "old5.marshal" in kept


@pytest.mark.parametrize("content", [b"", b"not marshal", b"\xe9\x00\x00\x00"])
def test_a_damaged_cache_file_is_rebuilt(cache_dir: Path, content: bytes) -> None:
    tokenizer = Tokenizer(extra_words=WORDS)
    cache_dir.mkdir(parents=True)
    path = cache_dir / f"{tokenizer._inputs_key()}.marshal"
    path.write_bytes(content)
    assert "青川县东湖镇" in tokenizer.tokens(TEXTS[0])
    assert tokens._cached_jieba(path) is not None  # rewritten


def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(blocker))
    assert "青川县东湖镇" in Tokenizer(extra_words=WORDS).tokens(TEXTS[0])


EARLIER = ("青川县东湖镇", "东湖镇", "西山镇")
GROWN = [
    ("南湖街道", "青川县南湖街道"),  # a new unit, short and full name
    ("東湖鎮",),  # a spelling whose entry the dictionary holds already
    ("门户网站访问量", "青川县西山镇人民政府"),  # a domain word; a name of known words
]


def _freq(jt: object) -> dict[str, int]:
    counts = jt.FREQ  # type: ignore[attr-defined]
    return dict(counts.whole() if hasattr(counts, "whole") else counts)


@pytest.mark.parametrize("added", GROWN)
def test_a_grown_dictionary_is_the_built_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, added: tuple[str, ...]
) -> None:
    words = tuple(sorted({*EARLIER, *added}))
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "built"))
    built_tokenizer = Tokenizer(extra_words=words)
    built = built_tokenizer.jieba()
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "grown"))
    Tokenizer(extra_words=EARLIER).jieba()  # the earlier dictionary, cached
    grown_tokenizer = Tokenizer(extra_words=words, grows_from=EARLIER)
    grown = grown_tokenizer.jieba()
    assert grown_tokenizer._grown() is not None  # grown, not built
    assert (_freq(grown), grown.total) == (_freq(built), built.total)
    assert [grown_tokenizer.tokens(t) for t in TEXTS] == [built_tokenizer.tokens(t) for t in TEXTS]
    kept = Tokenizer(extra_words=words).jieba()  # the grown dictionary, from the cache
    assert (_freq(kept), kept.total) == (_freq(built), built.total)


def test_a_dictionary_that_lost_a_name_is_built_again(cache_dir: Path) -> None:
    Tokenizer(extra_words=EARLIER).jieba()
    fewer = Tokenizer(extra_words=EARLIER[1:], grows_from=EARLIER)
    assert fewer._grown() is None
    assert "青川县东湖镇" not in fewer.jieba().FREQ


def test_without_the_earlier_dictionary_it_is_built(cache_dir: Path) -> None:
    more = Tokenizer(extra_words=(*EARLIER, "南湖街道"), grows_from=EARLIER)
    assert more._grown() is None
    assert "南湖街道" in more.tokens("南湖街道收到申请")


def test_a_grown_word_jieba_knows_differs_by_rounding_at_most(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that is a word of jieba's own (人民政府) gets jieba's count plus one, and the
    plus one is a float rounding that depends on the running total, so on the order words
    were added: a grown dictionary may differ from a built one there by one, no more."""
    words = tuple(sorted({*EARLIER, "人民政府"}))
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "built"))
    built_tokenizer = Tokenizer(extra_words=words)
    built = _freq(built_tokenizer.jieba())
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "grown"))
    Tokenizer(extra_words=EARLIER).jieba()
    grown_tokenizer = Tokenizer(extra_words=words, grows_from=EARLIER)
    grown = _freq(grown_tokenizer.jieba())
    assert built.keys() == grown.keys()
    assert max(abs(built[w] - grown[w]) for w in built) <= 1
    assert [grown_tokenizer.tokens(t) for t in TEXTS] == [built_tokenizer.tokens(t) for t in TEXTS]


def test_a_dictionary_kept_for_the_next_process_is_grown_not_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``nianbao ingest`` leaves for the next ``nianbao ask``: the earlier dictionary
    grown by the new names, the one a tokenizer of these words finds, equal to a built one."""
    words = (*EARLIER, "南湖街道", "青川县南湖街道")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "built"))
    built = Tokenizer(extra_words=words).jieba()
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "kept"))
    Tokenizer(extra_words=EARLIER).jieba()
    assert Tokenizer(extra_words=words, grows_from=EARLIER).keep_dictionary()
    assert not Tokenizer(extra_words=words, grows_from=EARLIER).keep_dictionary()  # kept
    monkeypatch.setattr(tokens, "default_dictionary", _no_build)
    kept = Tokenizer(extra_words=words).jieba()
    assert (_freq(kept), kept.total) == (_freq(built), built.total)


def _no_build() -> None:
    raise AssertionError("jieba's dictionary was read to build one")


def test_no_dictionary_is_built_for_the_next_process_without_the_earlier_one(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building one takes seconds (jieba's own dictionary read whole): an ingest does not
    wait for that; the next process builds it if it needs it."""
    monkeypatch.setattr(tokens, "default_dictionary", _no_build)
    assert not Tokenizer(extra_words=(*EARLIER, "南湖街道"), grows_from=EARLIER).keep_dictionary()
    assert not Tokenizer(extra_words=EARLIER).keep_dictionary()
    assert list(cache_dir.glob("*.marshal")) == []


def test_a_dictionary_in_use_outlives_newer_ones(cache_dir: Path) -> None:
    """Every ingest of a new unit writes a dictionary; one read by every question (the
    figure words') is kept by being read, not lost to them."""
    read_often = Tokenizer(extra_words=("门户网站访问量",))
    read_often.jieba()
    path = read_often._dictionary_path()
    for i in range(tokens.CACHED_DICTIONARIES + 1):
        os.utime(path, (i, i))  # written long ago
        assert tokens._cached_jieba(path) is not None  # read by a question
        Tokenizer(extra_words=(*WORDS, f"新镇{i}")).jieba()
        assert path.exists()
