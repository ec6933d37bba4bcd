"""Admins load reports by sending the file to the bot, privately or in a group it is in
(``group_uploads``); the caption may give unit and year, and ``replace`` to let a less complete
file replace the loaded report (``bot.telegram.caption``; a caption that cannot be read refuses
the file before it is downloaded, and says why).  Files from anyone else are not taken: in a
private chat they are told so, in a group they are ignored (chatter has attachments), unless
the caption asks the bot a question.

The file is downloaded into a folder next to the database and ingested in a worker process
with the per-file time and memory limits, one upload at a time; questions are answered
meanwhile. An upload that adds nothing leaves no file.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import Message
from telegram.constants import ChatAction, ChatType

from bot.corpus import ingest_and_index
from bot.qa.wording import Phrasebook
from bot.telegram.caption import Caption, Unclear, parse_caption, problem_words
from bot.telegram.handlers.questions import answer, caption_question
from bot.telegram.handlers.review import upload_review
from bot.telegram.handlers.turn import Turn, addressed, on_message
from bot.telegram.settings import PUBLIC_API, TelegramSettings
from bot.telegram.texts import escape_html, reason_words, sentence, texts
from ingest.reasons import Code, Reason

if TYPE_CHECKING:
    from ingest.pipeline import FileOutcome

PUBLIC_DOWNLOAD_LIMIT_MB = 20


@on_message
async def on_document(turn: Turn) -> None:
    message = turn.message
    document = message.document
    if document is None:
        return
    private = message.chat.type == ChatType.PRIVATE
    if not turn.is_admin:
        question = caption_question(turn)
        if question:
            await answer(turn, question)
        elif private:
            turn.note(answer="upload refused: not an admin")
            await turn.say("not_admin")
        return
    if not private:
        from ingest.readers import FORMATS  # the readers: with the first upload

        if Path(document.file_name or "").suffix.lower() not in FORMATS:
            return  # an admin's spreadsheet or photo in a group is chatter, not a report
        if not turn.bot.settings.group_uploads:
            turn.note(answer="upload refused: group uploads off")
            await turn.say("upload_in_private")
            return
    refusal = upload_refusal(message, turn.bot.settings)
    if refusal:
        turn.note(answer="upload refused")
        await message.reply_text(escape_html(refusal))
        return
    name = Path(document.file_name or "report").name
    caption = upload_caption(turn)
    if isinstance(caption, Unclear):
        turn.note(answer="upload refused: caption unclear")
        refused = sentence("ingest_refused", name=name, reason=problem_words(caption))
        await turn.send([escape_html(refused), escape_html(sentence("caption_unclear_hint"))])
        return
    await turn.say("ingest_start", name=name)
    await turn.show(ChatAction.TYPING)
    db_path = turn.bot.db_path
    folder = db_path.with_name(db_path.name + ".uploads") / secrets.token_hex(6)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    try:
        telegram_file = await document.get_file()
        await telegram_file.download_to_drive(path)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    max_mb = turn.bot.settings.max_upload_mb
    from ingest.readers import DEFAULT_MAX_BYTES

    async with turn.bot.ingesting:
        outcomes = await asyncio.to_thread(
            ingest_and_index,
            db_path,
            [path],
            unit=caption.unit,
            year=caption.year,
            max_bytes=max(DEFAULT_MAX_BYTES, int(max_mb * 1024 * 1024)),
            replace_older=caption.replace,
            workers=1,  # a worker process that can be stopped: the per-file limits hold
            limits=turn.bot.limits,
        )
    outcome = outcomes[0]
    turn.note(answer=f"ingest {outcome.status}")
    if outcome.status in ("refused", "unchanged", "duplicate"):
        shutil.rmtree(folder, ignore_errors=True)  # nothing in the database points at it
    lines = ingest_summary(outcome, name) + [
        sentence("ingest_warning", warning=reason_words(note)) for note in outcomes.notes
    ]
    await turn.send([escape_html(line) for line in lines] + upload_review(turn.bot, outcome))


def upload_caption(turn: Turn) -> Caption | Unclear:
    """What the caption of an admin's file says, the mention of the bot left out (a group's
    @bot 单位：北岭乡 is the caption 单位：北岭乡)."""
    message = turn.message
    mentioned = addressed(turn.bot, message) if message.caption else None
    return parse_caption(mentioned if mentioned is not None else message.caption or "")


def upload_refusal(message: Message, settings: TelegramSettings) -> str:
    """Why an upload is refused before downloading it; '' when it may be downloaded."""
    document = message.document
    assert document is not None
    name = document.file_name or "?"
    from ingest.readers import FORMATS

    if Path(name).suffix.lower() not in FORMATS:
        return sentence("file_type", name=name)
    size_mb = (document.file_size or 0) / 1024 / 1024
    limit = settings.max_upload_mb
    if limit and size_mb > limit:
        return sentence("file_too_big", name=name, size=f"{size_mb:.1f}", limit=f"{limit:g}")
    public = settings.base_url.rstrip("/") == PUBLIC_API.rstrip("/")
    if public and size_mb > PUBLIC_DOWNLOAD_LIMIT_MB:
        return sentence("file_too_big_public")
    return ""


_OUTCOME_SENTENCES = {
    "added": "ingest_added",
    "updated": "ingest_updated",
    "corrected": "ingest_corrected",
    "unchanged": "ingest_unchanged",
    "duplicate": "ingest_duplicate",
}


# Reasons an admin can answer from Telegram: by sending the file again with the unit and year
# in the caption (单位：… 年份：…), or with the caption replace.
CAPTION_HINTED = frozenset(
    {
        Code.MISSING_UNIT,
        Code.MISSING_YEAR,
        Code.MISSING_UNIT_AND_YEAR,
        Code.YEAR_INVALID,
        Code.UNIT_INVALID,
        Code.UNIT_NOT_ORGANISATION,
    }
)
REPLACE_HINTED = frozenset({Code.LESS_COMPLETE, Code.OTHER_FORM_KEPT})


def _hints(why: Reason | None) -> list[str]:
    """What the admin can do about a reason in Telegram, chosen by its code."""
    if why is None:
        return []
    if why.code in CAPTION_HINTED:
        return [sentence("ingest_caption_hint")]
    if why.code in REPLACE_HINTED:
        return [sentence("ingest_replace_hint")]
    return []


def ingest_summary(outcome: FileOutcome, name: str) -> list[str]:
    """What the ingest did, in the bot's sentences: ingest's reasons in its words, and what
    the admin can do about them."""
    why = reason_words(outcome.why) if outcome.why else ""
    if outcome.status == "refused":
        return [sentence("ingest_refused", name=name, reason=why), *_hints(outcome.why)]
    fields = {
        "unit": outcome.unit,
        "year": outcome.year,
        "template": Phrasebook("zh").template_name(outcome.template) if outcome.template else "—",
        "passages": outcome.passages,
        "statistics": outcome.statistics,
        "conflicts": outcome.conflicts,
        "checks": outcome.failed_checks,
        "reason": why,
        "previous": outcome.previous,
    }
    lines = [sentence(_OUTCOME_SENTENCES[outcome.status], **fields), *_hints(outcome.why)]
    if outcome.status == "updated" and why:
        lines.append(sentence("ingest_replaced", reason=why))
    lines.extend(sentence("ingest_warning", warning=reason_words(w)) for w in outcome.warnings)
    if outcome.status in ("added", "updated", "corrected"):
        example = texts()["examples"]["after_ingest"].format(unit=outcome.unit)
        lines.append(sentence("ingest_ready", example=example))
    return lines
