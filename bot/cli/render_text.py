"""The terminal rendering of an answer: its text, as a person reads it."""

from __future__ import annotations

from bot.qa.model import Answer, AnswerKind
from bot.qa.wording import Phrasebook, one_line


def render_text(answer: Answer, related: bool = False) -> str:
    """The answer text; a "not stated" answer's passages after it, and a figure answer's
    related passages when ``related`` is asked for (``ask --related``)."""
    lines = [answer.text]
    shown = answer.kind == AnswerKind.NONE or (related and answer.kind != AnswerKind.PASSAGE)
    if shown and answer.passages:
        words = Phrasebook("en" if answer.lang == "en" else "zh")
        lines += ["", words.text("related")]
        for i, passage in enumerate(answer.passages, 1):
            lines.append(f"{i}. {passage.unit} {passage.year} · {passage.section or '—'}")
            lines.append(f"   {one_line(passage.text)}")
    return "\n".join(lines)
