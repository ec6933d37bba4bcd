"""/review and /compare, and the review in an admin's upload reply.

/review UNIT [YEAR] lists a unit's findings, the evidence folded in expandable blockquotes;
/compare STATISTIC[、STATISTIC…] [YEAR] sends the comparison as a picture and as an XLSX
document whose "sources" sheet gives every figure's evidence.

The engine's reviews and comparisons and their rendering (openpyxl among them) are imported
with the first request, not before the bot polls.
"""

from __future__ import annotations

import asyncio
import logging
import re
from io import BytesIO
from typing import TYPE_CHECKING

from telegram.constants import ChatAction

from bot.telegram.conversation import NianbaoBot
from bot.telegram.handlers.turn import Turn, on_message
from bot.telegram.messages import split_messages
from bot.telegram.texts import escape_html

if TYPE_CHECKING:
    from ingest.pipeline import FileOutcome

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
_YEAR = re.compile(r"^((?:19|20)\d{2})(?:年度?)?$")
_LIST = re.compile(r"[、,，;；]")


def _year_last(args: list[str]) -> tuple[str, int | None]:
    """The words, and a year when the last word is one (2021, 2021年)."""
    if args and (m := _YEAR.match(args[-1])):
        return " ".join(args[:-1]).strip(), int(m.group(1))
    return " ".join(args).strip(), None


def _example_year(bot: NianbaoBot) -> int:
    years = [y for ys in bot.answerer.overview().units.values() for y in ys]
    return max(years) if years else 2021


@on_message
async def on_review(turn: Turn) -> None:
    unit, year = _year_last(list(turn.context.args or []))
    if not unit:
        overview = turn.bot.answerer.overview()
        example = next(iter(overview.units), "…")
        await turn.say("review_usage", example=example, year=_example_year(turn.bot))
        return
    if await turn.limited():
        return
    from bot.telegram.review_render import not_found_sentence, review_blocks

    review = turn.bot.answerer.review(unit, year)
    if review.problem is not None:
        await turn.message.reply_text(escape_html(not_found_sentence(review.problem)))
        return
    await turn.send(review_blocks(review))


@on_message
async def on_compare(turn: Turn) -> None:
    text, year = _year_last(list(turn.context.args or []))
    names = tuple(n.strip() for n in _LIST.split(text) if n.strip())
    if not names:
        example = turn.bot.chart_example()
        await turn.say("compare_usage", example=example, year=_example_year(turn.bot))
        return
    if await turn.limited():
        return
    from bot.qa.comparison import ComparisonRequest
    from bot.telegram.review_render import (
        comparison_caption,
        comparison_file_name,
        comparison_picture,
        comparison_scope,
        comparison_title,
        not_found_sentence,
    )

    comparison = turn.bot.answerer.compare(ComparisonRequest(names, year=year))
    if comparison.problem is not None:
        await turn.message.reply_text(escape_html(not_found_sentence(comparison.problem)))
        return
    if not comparison.has_figures():
        labels = "、".join(c.label for c in comparison.columns)
        await turn.say("compare_no_data", scope=comparison_scope(comparison), labels=labels)
        return
    await turn.show(ChatAction.UPLOAD_PHOTO)
    rows = list(comparison.rows())  # one chat's table: read here, where the database lives
    table, totals = comparison_picture(comparison, rows)
    document = BytesIO()
    from bot.spreadsheets.comparison_files import write_xlsx  # openpyxl: when first asked

    write_xlsx(comparison, document)
    document.seek(0)
    fonts = turn.bot.settings.chart_fonts
    try:
        from bot.telegram.table_image import render_table  # matplotlib: when first asked

        image = await asyncio.to_thread(render_table, table, fonts)
    except Exception:
        log.exception("comparison picture for %r failed", text)
        await turn.say("compare_failed")
        image = None
    caption = comparison_caption(comparison, totals, image.legend if image else [])
    parts = split_messages(caption, CAPTION_LIMIT)
    if image is not None:
        await turn.message.reply_photo(image.png, caption=parts[0])
    else:
        await turn.send(parts[:1])
    title = f"<b>{escape_html(comparison_title(comparison))}</b>"
    await turn.message.reply_document(
        document, filename=comparison_file_name(comparison), caption=title
    )
    if len(parts) > 1:
        await turn.send(parts[1:])


def upload_review(bot: NianbaoBot, outcome: FileOutcome) -> list[str]:
    """The review lines of an admin's upload reply: the count and the top findings."""
    if outcome.status not in ("added", "updated", "corrected") or outcome.report_id is None:
        return []
    from bot.telegram.review_render import upload_review_blocks

    return upload_review_blocks(bot.answerer.report_review(outcome.report_id))
