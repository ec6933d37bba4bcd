"""Constants shared by test modules (conftest fixtures cannot be imported as a module)."""

from __future__ import annotations

from datetime import date

TODAY = date(2026, 11, 22)
