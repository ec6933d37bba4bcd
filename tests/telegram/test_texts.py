"""The bot's own sentences: every one is used by the Telegram front end."""

from __future__ import annotations

import ast

from bot.telegram.texts import sentence, texts
from tests.support import ROOT


def test_every_sentence_is_used() -> None:
    used: set[str] = set()
    for path in (ROOT / "bot" / "telegram").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.add(node.value)
    unused = sorted(k for k in texts()["text"] if k not in used)
    assert not unused, f"telegram.toml [text] keys no code uses: {unused}"


def test_sentences_fill_in() -> None:
    assert sentence("source_link", id=12) == "原文 /source_12"


def test_english_sentences_stand_for_chinese_ones() -> None:
    from bot.telegram.texts import sentence_in

    assert set(texts()["text_en"]) <= set(texts()["text"])
    assert sentence_in("en", "source_link", id=3) == "source /source_3"
    assert sentence_in("zh", "source_link", id=3) == "原文 /source_3"
    assert sentence_in("en", "units_none") == sentence("units_none")  # none in English: Chinese
