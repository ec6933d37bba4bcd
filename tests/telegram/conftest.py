"""Fixtures of the bot tests: one fake Bot API server and one bot over the samples per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import RunningBot, settings_for


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


@pytest.fixture(scope="module")
def bot(api: FakeBotApi, sample_db_path: Path) -> Iterator[RunningBot]:
    """One running bot over the sample corpus, for the tests that only ask."""
    with RunningBot(api, sample_db_path, settings_for(api)) as running:
        yield running
