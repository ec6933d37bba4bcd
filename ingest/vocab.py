"""Vocabulary files: the TOML data every package keeps in its ``data/`` folder.

Word lists are data, not code; this is the one way they are read. Files are parsed once per
process (the result is cached), so callers must treat what they get as read-only.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_toml(package: str, name: str) -> dict[str, Any]:
    """The parsed TOML file ``name`` of ``package`` (e.g. ``"ingest.data"``, ``"units.toml"``)."""
    text = resources.files(package).joinpath(name).read_text("utf-8")
    return tomllib.loads(text)
