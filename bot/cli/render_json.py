"""The JSON rendering of an answer: one line, the answer object of ``shared/eval/README.md``."""

from __future__ import annotations

import json

from bot.qa.model import Answer


def render_json(answer: Answer) -> str:
    return json.dumps(answer.to_dict(), ensure_ascii=False)
