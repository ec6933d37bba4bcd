"""The static tokenizer signature comes from the user cache, keyed on what it is computed from:
a cached one is the computed one, a changed input or option gets its own entry, and a damaged
file is computed again."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from index import tokens
from index.tokens import Tokenizer


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path))
    tokens._static_signature.cache_clear()
    yield tmp_path / "signatures"
    tokens._static_signature.cache_clear()


def _options(tokenizer: Tokenizer) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(tokenizer.options().items()))


@pytest.mark.parametrize(
    "options",
    [{}, {"mode": "precise"}, {"use_stop_words": False}, {"catalogue_max": 0}],
)
def test_the_cached_signature_is_the_computed_one(cache: Path, options: dict) -> None:
    computed = Tokenizer(**options)._computed_signature()
    assert Tokenizer(**options).signature == computed
    assert [p.read_text("ascii") for p in cache.glob("*.txt")] == [computed]
    tokens._static_signature.cache_clear()
    assert Tokenizer(**options).signature == computed  # read back from the file


def test_the_signature_is_read_from_the_cache(cache: Path) -> None:
    key = tokens._signature_key(_options(Tokenizer()))
    cache.mkdir(parents=True)
    (cache / f"{key}.txt").write_text("0123456789abcdef", "ascii")
    assert Tokenizer().signature == "0123456789abcdef"


@pytest.mark.parametrize("content", [b"", b"not a signature", b"\xff\xfe", b"0123"])
def test_a_damaged_cache_file_is_computed_again(cache: Path, content: bytes) -> None:
    key = tokens._signature_key(_options(Tokenizer()))
    cache.mkdir(parents=True)
    (cache / f"{key}.txt").write_bytes(content)
    assert Tokenizer().signature == Tokenizer()._computed_signature()


def test_unit_names_are_never_cached(cache: Path) -> None:
    with_units = Tokenizer(extra_words=("东湖镇",))
    assert with_units.signature == with_units._computed_signature() != Tokenizer().signature
    assert len(list(cache.glob("*.txt"))) == 1  # the static one only


def test_each_set_of_options_has_its_own_key() -> None:
    keys = {
        tokens._signature_key(_options(Tokenizer(**o)))
        for o in ({}, {"mode": "precise"}, {"use_stop_words": False}, {"catalogue_max": 0})
    }
    assert len(keys) == 4


@pytest.mark.parametrize(
    "package, name", [("index.data", "stopwords.txt"), ("ingest.data", "char_variants.toml")]
)
def test_a_changed_data_file_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str, name: str
) -> None:
    options = _options(Tokenizer())
    before = tokens._signature_key(options)
    copy = tmp_path / package
    shutil.copytree(Path(str(resources.files(package))), copy)
    with (copy / name).open("a", encoding="utf-8") as f:
        f.write("\n# edited\n")
    real = resources.files
    monkeypatch.setattr(tokens.resources, "files", lambda p: copy if p == package else real(p))
    assert tokens._signature_key(options) not in (None, before)
