"""Which report template a text follows: pre-2020 free form, or a national-template edition.

The template decides which catalogue statistics a table row can be and which arithmetic
checks apply.  The text's own wording wins over the year: some 2019 reports still use the old
form, and a 2020 report may already carry the 2021 table 二.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from ingest.text import normalise
from ingest.vocab import load_toml

Template = Literal["pre2020", "national2019", "national2021", "unknown"]


@cache
def _markers() -> dict:
    return load_toml("ingest.data", "templates.toml")


def _hits(norm: str, name: str) -> bool:
    spec = _markers()[name]
    found = sum(1 for phrase in spec["phrases"] if phrase in norm)
    return found >= spec.get("min_hits", 1)


def detect_template(text: str, year: int | None) -> Template:
    """ "pre2020" | "national2019" | "national2021" | "unknown"."""
    norm = normalise(text)
    years = _markers()["years"]
    national = _hits(norm, "national")
    ed2021 = _hits(norm, "national2021")
    ed2019 = _hits(norm, "national2019")
    if national or ed2021 or ed2019:
        if ed2021 and not ed2019:
            return "national2021"
        if ed2019 and not ed2021:
            return "national2019"
        if year is not None:
            return "national2021" if year >= years["edition2021_from"] else "national2019"
        return "national2021" if ed2021 else "unknown"
    if _hits(norm, "pre2020"):
        return "pre2020"
    if year is not None:
        return "pre2020" if year < years["national_from"] else "unknown"
    return "unknown"
