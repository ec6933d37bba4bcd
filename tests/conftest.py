"""Shared fixtures: the bundled sample reports and databases built from them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.store import open_db
from tests.support import CORPUS, SAMPLES, TODAY


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dictionary caches go to the session's temp folder, not the user's cache directory."""
    os.environ.setdefault("NIANBAO_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def sample_texts() -> dict[str, str]:
    """File name → text of each bundled sample report."""
    return {p.name: p.read_text("utf-8") for p in sorted(SAMPLES.iterdir()) if p.is_file()}


@pytest.fixture
def fresh_db(tmp_path: Path):
    db = open_db(tmp_path / "fresh.db")
    yield db
    db.close()


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the five sample reports ingested and indexed (built once)."""
    from bot.corpus import ingest_and_index

    path = tmp_path_factory.mktemp("corpus") / "samples.db"
    outcomes = ingest_and_index(path, [SAMPLES])
    assert [o.status for o in outcomes] == ["added"] * 5, [o.reason for o in outcomes]
    return path


@pytest.fixture(scope="session")
def answerer(sample_db_path: Path):
    from bot.qa.answerer import Answerer

    return Answerer(sample_db_path, today=TODAY)


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory):
    """The 46 corpus texts ingested as they are, with no sidecars (built once)."""
    from ingest.pipeline import ingest_paths

    path = tmp_path_factory.mktemp("corpus") / "real.db"
    db = open_db(path)
    outcomes = ingest_paths(db, [CORPUS / "text"])
    assert [o.status for o in outcomes] == ["added"] * 46, [o.reason for o in outcomes]
    yield db
    db.close()
