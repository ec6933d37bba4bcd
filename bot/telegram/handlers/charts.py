"""/chart: one statistic across units, or across years for one unit, drawn as a PNG.

The engine and the drawing are imported with the first /chart (or the warm-up), not before
the bot polls."""

from __future__ import annotations

import asyncio
import logging

from telegram.constants import ChatAction

from bot.telegram.handlers.turn import Turn, on_message
from bot.telegram.messages import split_messages
from bot.telegram.texts import escape_html, sentence

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024


@on_message
async def on_chart(turn: Turn) -> None:
    text = " ".join(turn.context.args or []).strip()
    if not text:
        await turn.say("chart_usage", example=turn.bot.chart_example())
        return
    if await turn.limited():
        return
    from bot.telegram.chart_data import caption_lines, chart_series, problem_sentence

    figures = turn.bot.answerer.chart_figures(text)
    if figures.problem is not None:
        await turn.message.reply_text(
            escape_html(problem_sentence(figures, turn.bot.chart_example()))
        )
        return
    await turn.show(ChatAction.UPLOAD_PHOTO)
    from bot.telegram.chart import render_chart  # matplotlib: when first asked

    series = chart_series(figures)
    caption = caption_lines(figures, series.title)
    try:
        image = await asyncio.to_thread(render_chart, series, turn.bot.settings.chart_fonts)
    except Exception:
        log.exception("chart for %r failed", text)
        await turn.send([escape_html(sentence("chart_failed")), *caption])
        return
    if image.legend:
        caption.append(escape_html(sentence("chart_legend") + " " + " · ".join(image.legend)))
    parts = split_messages(caption, CAPTION_LIMIT)
    await turn.message.reply_photo(image.png, caption=parts[0])
    if len(parts) > 1:
        await turn.send(parts[1:])
