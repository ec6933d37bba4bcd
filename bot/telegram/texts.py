"""The bot's own sentences (``bot/telegram/data/telegram.toml``) and HTML escaping.

Every value in that file is plain text; it is escaped here, with everything that comes from a
report or a user, before it goes into a message.  Ingest's reasons (why a file was refused,
replaced or kept) are codes with values; ``reason_words`` phrases them from the same file.
"""

from __future__ import annotations

import logging
from html import escape

from ingest.reasons import Reason
from ingest.vocab import load_toml

log = logging.getLogger(__name__)


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


def reason_words(reason: Reason) -> str:
    """A reason of ingest in the bot's words: its code's sentence of ``[reason]``, filled in with
    its values; a value named in ``[reason_clause]`` becomes that clause, or nothing when empty.
    A code without a sentence, or a sentence its values do not fill, gives the English line
    (and a warning in the log) rather than no answer."""
    try:
        clauses = texts()["reason_clause"]
        fields = {
            name: (clauses[name].format(**reason.params) if value else "")
            if name in clauses
            else value
            for name, value in reason.params.items()
        }
        return str(texts()["reason"][reason.code].format(**fields))
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        log.warning("no Chinese words for the reason %r: %s", str(reason.code), reason.text)
        return reason.text


def escape_html(text: object) -> str:
    """Text made safe for Telegram's HTML parse mode (quotes need no escaping there)."""
    return escape(str(text), quote=False)
