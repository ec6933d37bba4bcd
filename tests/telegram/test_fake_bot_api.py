"""The fake Bot API server works with the real python-telegram-bot library."""

from __future__ import annotations

import asyncio
import struct
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fake_bot_api import FakeBotApi, auto_entities

USER_ID = 4242


def tiny_png(width: int = 2, height: int = 3) -> bytes:
    """A valid RGB PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def build_app(api: FakeBotApi, token: str | None = None) -> Application:
    return (
        ApplicationBuilder()
        .token(token or api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    """Run ``app`` with long polling for the duration of the block."""
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def test_echo_text_message(api: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    async def main() -> None:
        app = build_app(api)
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        async with polling(app):
            assert app.bot.username == api.bot_user["username"]
            api.send_text(api.private_chat(USER_ID), api.user(USER_ID), "你好，年报")
            [sent] = await api.wait_for_async("sendMessage", timeout=5)
        assert sent["chat_id"] == USER_ID
        assert sent["text"] == "你好，年报"
        assert [m["text"] for m in api.messages_sent()] == ["你好，年报"]

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 5
    assert "getMe" in [name for name, _ in api.calls]
    assert api.pending_updates() == []  # the stop call confirmed the update


def test_updates_queued_before_start(api: FakeBotApi) -> None:
    texts: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        texts.append(update.message.text)

    async def main() -> None:
        app = build_app(api)
        app.add_handler(MessageHandler(filters.TEXT, record))
        async with polling(app):
            await api.wait_for_async("getUpdates", timeout=5)
            while len(texts) < 2:
                await asyncio.sleep(0.01)

    api.send_text(api.private_chat(1), api.user(1), "早")
    api.send_text(api.private_chat(2), api.user(2), "晚")
    asyncio.run(asyncio.wait_for(main(), 5))
    assert texts == ["早", "晚"]
    assert api.pending_updates() == []


def test_command_entities_and_reply(api: FakeBotApi) -> None:
    seen: list[tuple[list[str], bool]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append((context.args, update.message.reply_to_message is not None))
        await update.message.reply_text("ok", reply_markup=_keyboard())

    async def main() -> None:
        app = build_app(api)
        app.add_handler(CommandHandler("start", start))
        async with polling(app):
            group = api.group_chat(77)
            user = api.user(USER_ID, username="tester")
            api.send_text(group, user, "/start@nianbao_test_bot 2023")
            [first] = await api.wait_for_async("sendMessage", timeout=5)
            bot_message = api.messages_sent()[0]
            api.send_text(group, user, "/start again", reply_to=bot_message)
            await api.wait_for_async("sendMessage", count=2, timeout=5)
        assert first["chat_id"] == -77
        assert bot_message["reply_markup"] == _keyboard().to_dict()
        assert bot_message["reply_to_message"]["text"] == "/start@nianbao_test_bot 2023"

    asyncio.run(main())
    assert seen == [(["2023"], False), (["again"], True)]
    assert auto_entities("问 @nianbao_test_bot 😀 @x") == [
        {"type": "mention", "offset": 2, "length": 17}
    ]


def test_document_download(api: FakeBotApi) -> None:
    content = bytes(range(256)) * 40 + b"\r\n--end\r\n"

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        file = await update.message.document.get_file()
        data = await file.download_as_bytearray()
        received.append(bytes(data))
        await update.message.reply_text(str(len(data)))

    received: list[bytes] = []

    async def main() -> None:
        app = build_app(api)
        app.add_handler(MessageHandler(filters.Document.ALL, on_document))
        async with polling(app):
            api.send_document(
                api.private_chat(USER_ID),
                api.user(USER_ID),
                "北京市2023年报.pdf",
                content,
                mime_type="application/pdf",
                caption="请收录",
            )
            [reply] = await api.wait_for_async("sendMessage", timeout=5)
        assert reply["text"] == str(len(content))

    asyncio.run(main())
    assert received == [content]
    [get_file] = api.sent("getFile")
    assert get_file["file_id"].startswith("FAKE-FILE-")


def test_send_photo_and_document_uploads(api: FakeBotApi) -> None:
    png = tiny_png(2, 3)

    async def main() -> None:
        async with build_app(api) as app:
            message = await app.bot.send_photo(USER_ID, photo=png, caption="图表")
            assert (message.photo[-1].width, message.photo[-1].height) == (2, 3)
            assert message.photo[-1].file_size == len(png)
            assert message.caption == "图表"
            doc = await app.bot.send_document(
                USER_ID, document=b"a,b\n1,2\n", filename="统计.csv", reply_markup=_keyboard()
            )
            assert doc.document.file_name == "统计.csv"
            assert doc.reply_markup == _keyboard()
            again = await app.bot.send_document(USER_ID, document=doc.document.file_id)
            assert again.document.file_id == doc.document.file_id
            data = await (await app.bot.get_file(doc.document.file_id)).download_as_bytearray()
            assert bytes(data) == b"a,b\n1,2\n"

    asyncio.run(main())
    [photo] = api.sent("sendPhoto", chat_id=USER_ID)
    assert photo["photo"] == png
    assert photo["caption"] == "图表"
    assert api.sent("sendDocument")[0]["document"] == b"a,b\n1,2\n"
    assert [u.filename for u in api.uploads][-1] == "统计.csv"
    assert [m.get("photo") is not None for m in api.messages_sent()] == [True, False, False]


def test_callback_query_and_edit(api: FakeBotApi) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("选一个", reply_markup=_keyboard())

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("收到")
        await query.edit_message_text(f"选了 {query.data}")

    async def main() -> None:
        app = build_app(api)
        app.add_handler(CommandHandler("ask", ask))
        app.add_handler(CallbackQueryHandler(on_button))
        async with polling(app):
            chat, user = api.private_chat(USER_ID), api.user(USER_ID)
            api.send_text(chat, user, "/ask")
            await api.wait_for_async("sendMessage", timeout=5)
            [question] = api.messages_sent()
            api.press_button(chat, user, question, "2023")
            [answer] = await api.wait_for_async("answerCallbackQuery", timeout=5)
            [edit] = await api.wait_for_async("editMessageText", timeout=5)
        assert answer["text"] == "收到"
        assert edit["message_id"] == question["message_id"]
        assert api.messages_sent()[-1]["text"] == "选了 2023"
        assert "reply_markup" not in api.messages_sent()[-1]

    asyncio.run(main())


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_fail_next_raises_retry_after(api: FakeBotApi) -> None:
    async def main() -> None:
        async with build_app(api) as app:
            api.fail_next("sendMessage", 429, retry_after=1)
            with pytest.raises(RetryAfter) as caught:
                await app.bot.send_message(USER_ID, "hello")
            assert "Retry in 1 second" in str(caught.value)
            message = await app.bot.send_message(USER_ID, "hello")
            assert message.text == "hello"

    asyncio.run(main())
    assert [p["text"] for p in api.sent("sendMessage")] == ["hello", "hello"]


def test_wrong_token_is_rejected(api: FakeBotApi) -> None:
    async def main() -> None:
        app = build_app(api, token="999:WRONG")
        with pytest.raises(InvalidToken, match="rejected by the server"):
            await app.initialize()
        # Application.shutdown() is a no-op after a failed initialize; close the HTTP pools.
        await app.bot.shutdown()

    asyncio.run(main())
    assert api.calls == []


def test_misc_methods(api: FakeBotApi) -> None:
    async def main() -> None:
        async with build_app(api) as app:
            await app.bot.set_my_commands([("ask", "提问"), ("help", "帮助")])
            commands = await app.bot.get_my_commands()
            assert [(c.command, c.description) for c in commands] == [
                ("ask", "提问"),
                ("help", "帮助"),
            ]
            assert await app.bot.delete_my_commands()
            assert await app.bot.get_my_commands() == ()
            assert await app.bot.send_chat_action(USER_ID, "typing")
            assert await app.bot.set_message_reaction(USER_ID, 1, "👍")
            assert (await app.bot.get_webhook_info()).url == ""
            assert await app.bot.do_api_request("someFutureMethod", {"x": 1})
            chat = await app.bot.get_chat(USER_ID)
            assert chat.type == "private"

    asyncio.run(main())
    names = [name for name, _ in api.calls]
    assert "someFutureMethod" in names
    assert api.sent("sendChatAction", chat_id=USER_ID)[0]["action"] == "typing"
    with pytest.raises(AssertionError, match="sendChatAction x1"):
        api.wait_for("sendMessage", timeout=0.05)


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("2022", callback_data="2022")],
            [InlineKeyboardButton("2023", callback_data="2023")],
        ]
    )
