"""Times as the people reading them keep them: the configured time zone (Asia/Shanghai unless
set), whatever zone the server runs in.  The database stores UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def local_time(stored: str | None, zone: ZoneInfo) -> str:
    """``2026-01-05 14:03 Asia/Shanghai`` for a stored ISO time; '—' when there is none."""
    if not stored:
        return "—"
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"
