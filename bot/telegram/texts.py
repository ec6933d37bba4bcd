"""The bot's own sentences (``bot/telegram/data/telegram.toml``) and HTML escaping.

Every value in that file is plain text; it is escaped here, with everything that comes from a
report or a user, before it goes into a message.
"""

from __future__ import annotations

from html import escape

from ingest.vocab import load_toml


def texts() -> dict:
    """The whole of ``telegram.toml``: [commands], [admin_commands], [text], [text_en],
    [examples]."""
    return load_toml("bot.telegram.data", "telegram.toml")


def sentence(key: str, /, **fields: object) -> str:
    """A sentence of ``[text]``, filled in, not yet escaped."""
    return texts()["text"][key].format(**fields)


def sentence_in(lang: str, key: str, /, **fields: object) -> str:
    """A sentence in the question's language: of ``[text_en]`` for an English question, where
    it has one; of ``[text]`` otherwise."""
    english = texts().get("text_en", {}) if lang == "en" else {}
    return english.get(key, texts()["text"][key]).format(**fields)


def escape_html(text: object) -> str:
    """Text made safe for Telegram's HTML parse mode (quotes need no escaping there)."""
    return escape(str(text), quote=False)
