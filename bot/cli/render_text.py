"""The terminal rendering of an answer: its text, as a person reads it."""

from __future__ import annotations

from bot.qa.model import Answer, AnswerKind
from bot.qa.wording import one_line


def render_text(answer: Answer) -> str:
    """The answer text, followed by further passages when the answer itself is a figure."""
    lines = [answer.text]
    if answer.kind in (AnswerKind.NUMBER, AnswerKind.NONE) and answer.passages:
        lines.append("")
        lines.append("相关原文 / related passages:")
        for i, passage in enumerate(answer.passages, 1):
            lines.append(f"{i}. {passage.unit} {passage.year} · {passage.section or '—'}")
            lines.append(f"   {one_line(passage.text)}")
    return "\n".join(lines)
