"""The bot's own sentences (``bot/telegram/data/telegram.toml``) and HTML escaping.

Every value in that file is plain text; it is escaped here, with everything that comes from a
report or a user, before it goes into a message.
"""

from __future__ import annotations

from html import escape

from ingest.vocab import load_toml


def texts() -> dict:
    """The whole of ``telegram.toml``: [commands], [admin_commands], [text], [examples]."""
    return load_toml("bot.telegram.data", "telegram.toml")


def sentence(key: str, /, **fields: object) -> str:
    """A sentence of ``[text]``, filled in, not yet escaped."""
    return texts()["text"][key].format(**fields)


def escape_html(text: object) -> str:
    """Text made safe for Telegram's HTML parse mode (quotes need no escaping there)."""
    return escape(str(text), quote=False)
