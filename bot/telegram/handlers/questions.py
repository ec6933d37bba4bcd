"""Questions and what answers them: text in private chats, mentions and replies in groups,
/ask, captions of photos and files, edited questions (their answer is edited), the source and
"more results" buttons, and /source."""

from __future__ import annotations

import asyncio
import contextlib
import re

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest

from bot.qa.model import Answer, AnswerKind, Passage
from bot.telegram.conversation import MoreState, NianbaoBot, SentAnswer
from bot.telegram.handlers.turn import (
    Context,
    Turn,
    addressed,
    button,
    limited,
    nianbao,
    note,
    on_message,
    send_blocks,
    show_action,
)
from bot.telegram.messages import split_messages
from bot.telegram.render import answer_blocks, passage_blocks, source_blocks
from bot.telegram.texts import escape_html, sentence, sentence_in

MORE_STEP = 3
ANSWER_WAIT_SECONDS = 30  # an edit waits this long for the answer it is to edit
SOURCE_LINK = re.compile(r"^/source_(\d+)(?:@(\w+))?\s*$")
BARE_ASK = re.compile(r"^/ask(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


@on_message
async def on_private_text(turn: Turn) -> None:
    if turn.message.text:
        await answer(turn, turn.message.text)


@on_message
async def on_group_text(turn: Turn) -> None:
    question = addressed(turn.bot, turn.message)
    if question is not None:
        await answer(turn, question)


@on_message
async def on_ask(turn: Turn) -> None:
    question = " ".join(turn.context.args or []).strip()
    if not question:
        await turn.say("ask_usage", example=(turn.bot.examples() or ["…"])[0])
        return
    await answer(turn, question)


@on_message
async def on_photo(turn: Turn) -> None:
    """A photo whose caption is a question (in a group: addressed to the bot)."""
    question = caption_question(turn)
    if question:
        await answer(turn, question)


def caption_question(turn: Turn) -> str | None:
    """The question a caption asks: all of it in a private chat, in a group only when it
    mentions the bot or the message replies to it."""
    message = turn.message
    if message.chat.type == ChatType.PRIVATE:
        return (message.caption or "").strip() or None
    return addressed(turn.bot, message) or None


@on_message
async def on_edited(turn: Turn) -> None:
    """An edited question: its earlier answer is edited to answer the new words (a new reply
    when that answer is gone); edits of anything else change nothing."""
    question = _edited_question(turn)
    if question is None:
        return
    key = (turn.message.chat.id, turn.message.message_id)
    pending = turn.bot.answering.get(key)
    if pending is not None:  # edited while its answer was still on the way
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pending.wait(), ANSWER_WAIT_SECONDS)
    earlier = turn.bot.answers.get(key)
    if earlier is None:
        await answer(turn, question)
        return
    if await turn.limited():
        return
    turn.note(question=question)
    reply = turn.bot.answerer.ask(question)
    turn.note(answer=f"{reply.kind} (edited)")
    parts = split_messages(answer_blocks(reply))
    keyboard = _keyboard(turn.bot, reply, question)
    ids: list[int] = []
    for i, part in enumerate(parts):
        markup = keyboard if i == len(parts) - 1 else None
        if i < len(earlier.message_ids):
            await _edit(turn, earlier.message_ids[i], part, markup)
            ids.append(earlier.message_ids[i])
        else:
            sent = await turn.message.reply_text(part, reply_markup=markup, do_quote=False)
            ids.append(sent.message_id)
    for stale in earlier.message_ids[len(parts) :]:
        with contextlib.suppress(BadRequest):
            await turn.context.bot.delete_message(earlier.chat_id, stale)
    turn.bot.answers.put(key, SentAnswer(earlier.chat_id, tuple(ids)))


async def _edit(
    turn: Turn, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    try:
        await turn.context.bot.edit_message_text(
            text, chat_id=turn.message.chat.id, message_id=message_id, reply_markup=markup
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def _edited_question(turn: Turn) -> str | None:
    """What an edited message asks, by the rules of a new one: a private text, /ask …, or in
    a group a mention of the bot or a reply to it."""
    message = turn.message
    text = (message.text or "").strip()
    command = BARE_ASK.match(text)
    if command:
        if not turn.bot.meant_for_me(command.group(1)):
            return None
        return (command.group(2) or "").strip() or None
    if text.startswith("/"):
        return None
    if message.chat.type == ChatType.PRIVATE:
        return text or None
    return addressed(turn.bot, message) or None


async def answer(turn: Turn, text: str) -> None:
    turn.note(question=text)
    if await turn.limited():
        turn.note(answer="rate limited")
        return
    chat_id = turn.message.chat.id
    key = (chat_id, turn.message.message_id)
    done = turn.bot.answering.setdefault(key, asyncio.Event())
    try:
        await turn.show(ChatAction.TYPING)
        reply = turn.bot.answerer.ask(text)
        turn.note(answer=str(reply.kind))
        sent = await turn.send(answer_blocks(reply), _keyboard(turn.bot, reply, text))
        if sent:
            turn.bot.answers.put(key, SentAnswer(chat_id, tuple(m.message_id for m in sent)))
    finally:
        done.set()
        turn.bot.answering.pop(key, None)


def _keyboard(bot: NianbaoBot, answer: Answer, question: str) -> InlineKeyboardMarkup | None:
    """Source buttons for the quoted passages, and "more results" with its state stored; a
    figure answer's related passages (not shown with it) from the first one."""
    lang = answer.lang
    if answer.kind == AnswerKind.PASSAGE:
        return _passage_keyboard(bot, answer.passages, question, 0, lang)
    if answer.kind == AnswerKind.NUMBER and answer.facts:
        row = []
        if answer.facts[0].passage_id is not None:
            label = sentence_in(lang, "button_source_one")
            row.append(button(label, f"src:{answer.facts[0].passage_id}"))
        token = bot.buttons.put(MoreState(question, 0))
        row.append(button(sentence_in(lang, "button_related"), f"more:{token}"))
        return InlineKeyboardMarkup([row])
    return None


def _passage_keyboard(
    bot: NianbaoBot, passages: list[Passage], question: str, shown_before: int, lang: str
) -> InlineKeyboardMarkup:
    first = shown_before + 1
    rows = [
        [
            button(sentence_in(lang, "button_source", n=n), f"src:{p.passage_id}")
            for n, p in enumerate(passages, first)
        ]
    ]
    if len(passages) >= MORE_STEP:
        token = bot.buttons.put(MoreState(question, shown_before + len(passages)))
        rows.append([button(sentence_in(lang, "button_more"), f"more:{token}")])
    return InlineKeyboardMarkup(rows)


async def on_button(update: Update, context: Context) -> None:
    """A source button (``src:<passage id>``) or "more results" (``more:<token>``)."""
    query = update.callback_query
    if query is None or not query.data:
        return
    bot = nianbao(context)
    kind, _, value = query.data.partition(":")
    note(bot, update, answer=f"button {kind}")
    message = query.message if isinstance(query.message, Message) else None
    if await limited(bot, update):
        return
    if kind == "src" and value.isdigit() and message is not None:
        await query.answer()
        await send_source(bot, message, int(value))
        return
    state = bot.buttons.get(value) if kind == "more" else None
    if state is None or message is None:
        await query.answer(sentence("button_expired"), show_alert=True)
        return
    await query.answer()
    await show_action(message, ChatAction.TYPING)
    passages = bot.answerer.more_passages(state.question, state.offset, MORE_STEP)
    lang = bot.answerer.parse(state.question).lang
    if not passages:
        await message.reply_text(escape_html(sentence_in(lang, "more_none")))
        return
    first = state.offset + 1
    head = sentence_in(lang, "more_head", first=first, last=state.offset + len(passages))
    keyboard = _passage_keyboard(bot, passages, state.question, state.offset, lang)
    await send_blocks(message, passage_blocks(head, passages, first, lang=lang), keyboard)


@on_message
async def on_source(turn: Turn) -> None:
    arg = (turn.context.args or [""])[0].lstrip("#")
    if not arg.isdigit():
        example = turn.bot.answerer.example_passage_id()
        await turn.say("source_usage", example=str(example) if example is not None else "1")
        return
    if not await turn.limited():
        await send_source(turn.bot, turn.message, int(arg))


@on_message
async def on_source_link(turn: Turn) -> None:
    """``/source_123`` as written under every quote (tappable in Telegram)."""
    match = SOURCE_LINK.match(turn.message.text or "")
    if match is None or not turn.bot.meant_for_me(match.group(2)):
        return
    if not await turn.limited():
        await send_source(turn.bot, turn.message, int(match.group(1)))


async def send_source(bot: NianbaoBot, message: Message, passage_id: int) -> None:
    context = bot.answerer.source(passage_id)
    if context is None:
        await message.reply_text(escape_html(sentence("source_unknown", id=passage_id)))
        return
    await send_blocks(message, source_blocks(context))
