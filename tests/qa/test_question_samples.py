"""The gazetteer built from the ingested sample reports links every seed question's unit."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.qa.question import Gazetteer, parse_question
from ingest.catalogue import load_catalogue
from ingest.store import open_db
from tests.support import SEED_QUESTIONS

SEEDS = [
    json.loads(line) for line in SEED_QUESTIONS.read_text("utf-8").splitlines() if line.strip()
]


@pytest.fixture(scope="module")
def gazetteer(sample_db_path: Path) -> Gazetteer:
    db = open_db(sample_db_path)
    try:
        return Gazetteer.from_db(db)
    finally:
        db.close()


@pytest.mark.parametrize("seed", SEEDS, ids=[s["id"] for s in SEEDS])
def test_seed_units_link_to_the_ingested_units(gazetteer: Gazetteer, seed: dict) -> None:
    q = parse_question(seed["q"], gazetteer, load_catalogue(), today=date(2026, 11, 22))
    assert q.ambiguous == ()
    if "unit" in seed:
        assert [u.unit for u in q.units] == [seed["unit"]]
    elif seed["kind"] in ("ranking", "sum"):
        assert q.units == ()
    assert bool(q.unknown_units) == (seed["id"] == "n001")


def test_every_ingested_unit_is_known(gazetteer: Gazetteer) -> None:
    assert set(gazetteer.units) >= {s["unit"] for s in SEEDS if "unit" in s}
