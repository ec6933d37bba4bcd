"""Connectivity: one WARNING when Telegram stops answering and one INFO when it is back, also
when requests begun before the outage (an open long poll) come back during it."""

from __future__ import annotations

import logging
import time
from zoneinfo import ZoneInfo

import pytest

from bot.telegram.observe import Connectivity


def _said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage().split(" since ")[0].split(" after ")[0] for r in caplog.records]


def test_an_outage_is_one_warning_and_one_recovery(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.observe")
    link = Connectivity(ZoneInfo("UTC"))
    before = time.monotonic()
    link.ok(before)  # no outage yet: nothing to say
    link.lost("connection refused")
    link.lost("connection refused")
    link.ok(before)  # a long poll opened before the outage answered late: not a recovery
    link.lost("connection refused")
    link.ok(time.monotonic())
    link.ok(time.monotonic())
    assert _said(caplog) == ["Telegram unreachable", "Telegram reachable again"]
