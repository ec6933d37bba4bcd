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
