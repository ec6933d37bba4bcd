"""numba's kernel cache lives beside the package, or in the user cache when that is read-only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index import kernels


@pytest.fixture
def environment(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_read_only_package_sends_the_cache_to_the_user_cache(environment: Path, monkeypatch):
    monkeypatch.setattr(kernels, "_package_writable", lambda: False)
    kernels._choose_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(environment / "numba")


def test_writable_package_keeps_numbas_own_place(environment: Path, monkeypatch):
    monkeypatch.setattr(kernels, "_package_writable", lambda: True)
    kernels._choose_cache_dir()
    assert "NUMBA_CACHE_DIR" not in os.environ


def test_the_users_choice_stands(environment: Path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/somewhere/else")
    monkeypatch.setattr(kernels, "_package_writable", lambda: False)
    kernels._choose_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == "/somewhere/else"


def test_package_writable_follows_the_folder(monkeypatch, tmp_path: Path):
    """A folder the process cannot write (checked as the kernels module's folder)."""
    monkeypatch.setattr(kernels, "__file__", str(tmp_path / "kernels.py"))
    assert kernels._package_writable()
    monkeypatch.setattr(kernels.os, "access", lambda path, mode: False)
    assert not kernels._package_writable()
