"""A small in-process fake of the Telegram Bot API, for end-to-end tests of the bot.

The server speaks just enough of https://core.telegram.org/bots/api for python-telegram-bot
to initialise, long-poll for updates, send and edit messages, upload and download files and
answer callback queries.  It uses only the standard library and listens on 127.0.0.1.

Typical use::

    with FakeBotApi() as api:
        app = (
            ApplicationBuilder()
            .token(api.token)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .build()
        )
        ...
        api.send_text(api.private_chat(7), api.user(7), "/start")
        await api.wait_for_async("sendMessage", lambda p: p["chat_id"] == 7)

Everything the bot asks the server is recorded in :attr:`FakeBotApi.calls`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import email.policy
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

Params = dict[str, Any]
Predicate = Callable[[Params], bool]

#: Longest time one getUpdates call blocks on an empty queue, whatever its ``timeout``.
MAX_POLL_WAIT = 0.5

#: Parameters that are strings in the Bot API and must never be JSON-decoded (a text of
#: "42" stays "42").  Everything else sent as a form field is decoded when it parses.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "file_id",
        "url",
        "secret_token",
        "ip_address",
        "action",
        "emoji",
        "title",
        "description",
        "short_description",
        "name",
        "query",
        "language_code",
        "question",
        "explanation",
        "switch_pm_text",
        "switch_pm_parameter",
        "next_offset",
        "custom_title",
        "sticker",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "animation",
        "thumbnail",
    }
)

_BOT_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?![A-Za-z0-9_])")


#: Bot API methods with a real implementation; any other method answers ``true``.
_IMPLEMENTED = (
    "getMe",
    "getUpdates",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "sendChatAction",
    "answerCallbackQuery",
    "sendPhoto",
    "sendDocument",
    "getFile",
    "getChat",
    "getChatMember",
    "setMessageReaction",
    "close",
    "logOut",
)


class ApiError(Exception):
    """Raised inside a method implementation to answer ``{"ok": false, ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    method: str
    field: str
    filename: str | None
    content_type: str
    content: bytes


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` and ``mention`` entities Telegram would find in ``text``."""
    entities: list[dict[str, Any]] = []
    start = 0
    if text.startswith("/") and (command := _BOT_COMMAND_RE.match(text)):
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
        start = command.end()
    for mention in _MENTION_RE.finditer(text, start):
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: mention.start()]),
                "length": utf16_len(mention[0]),
            }
        )
    return entities


def image_size(content: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, GIF or JPEG image; (1, 1) when the format is unknown."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return width, height
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return width, height
    if content.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(content):
            if content[i] != 0xFF:
                i += 1
                continue
            marker = content[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            (length,) = struct.unpack(">H", content[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", content[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return 1, 1


def _decode_value(name: str, value: str) -> Any:
    """Decode one form field the way python-telegram-bot encoded it (JSON unless a string)."""
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _form_filename(raw: str | None) -> str | None:
    """Undo the raw-UTF-8 and HTML5 escaping httpx applies to multipart file names."""
    if raw is None:
        return None
    with contextlib.suppress(UnicodeError):
        raw = raw.encode("utf-8", "surrogateescape").decode("utf-8")
    return re.sub(r"%([01][0-9A-F]|22)", lambda m: chr(int(m[1], 16)), raw).replace("\\\\", "\\")


class FakeBotApi:
    """A fake Telegram Bot API server with helpers to feed updates and inspect calls."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        username: str = "nianbao_test_bot",
        bot_id: int = 123456,
    ) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Nianbao Test Bot",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        #: Every API call, in order: (method name, decoded parameters).
        self.calls: list[tuple[str, Params]] = []
        #: Every file part received in a multipart request (with its file name and type).
        self.uploads: list[UploadedFile] = []
        #: Exceptions raised while serving a request (answered with HTTP 500).
        self.errors: list[BaseException] = []
        self.webhook_url = ""
        self.commands: dict[str, list[dict[str, Any]]] = {}
        #: While true every request is dropped without an answer, as in a network outage.
        self.unreachable = False

        self._cond = threading.Condition(threading.RLock())
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._sent: list[dict[str, Any]] = []
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._file_paths: dict[str, bytes] = {}
        self._failures: dict[str, list[ApiError]] = {}
        self._overrides: dict[str, Any] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._methods: dict[str, Callable[[Params], Any]] = {
            name.lower(): getattr(self, f"_api_{name}") for name in _IMPLEMENTED
        }
        self._canonical = {name.lower(): name for name in _IMPLEMENTED}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            return
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeBotApi",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close every open connection."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with self._cond:
            connections = list(self._connections)
            self._cond.notify_all()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeBotApi:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("FakeBotApi is not started; call start() or use it as `with`")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- building objects --------------------------------------------------------------------

    @staticmethod
    def private_chat(user_id: int) -> dict[str, Any]:
        """The private chat with user ``user_id``."""
        return {"id": user_id, "type": "private", "first_name": "Tester"}

    @staticmethod
    def group_chat(chat_id: int, title: str = "Group") -> dict[str, Any]:
        """A supergroup; a positive ``chat_id`` is made negative like real group ids."""
        return {"id": -abs(chat_id), "type": "supergroup", "title": title}

    @staticmethod
    def user(user_id: int, first_name: str = "Tester", username: str | None = None) -> dict:
        """A human user."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return user

    # -- feeding updates ---------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an ``update_id`` is assigned when missing) and return it."""
        with self._cond:
            update.setdefault("update_id", next(self._update_ids))
            for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
                if kind in update:
                    self._remember(update[kind])
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def send_text(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        text: str,
        reply_to: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from ``user`` in ``chat``; commands and mentions get entities."""
        message = self._incoming(chat, user, reply_to)
        message["text"] = text
        entities = auto_entities(text) if entities is None else entities
        if entities:
            message["entities"] = entities
        return self.push_update({"message": message})

    def send_document(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Queue a document message; getFile and the file URL then serve ``content``."""
        file = self._register_file(content, "documents", file_name)
        message = self._incoming(chat, user, None)
        message["document"] = {
            "file_id": file["file_id"],
            "file_unique_id": file["file_unique_id"],
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        if caption is not None:
            message["caption"] = caption
            if entities := auto_entities(caption):
                message["caption_entities"] = entities
        return self.push_update({"message": message})

    def send_photo(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        caption: str | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue a photo message, with a caption (and its mention entities) when given."""
        file = self._register_file(b"\xff\xd8\xff\xe0 fake jpeg", "photos", "photo.jpg")
        message = self._incoming(chat, user, reply_to)
        message["photo"] = [
            {"file_id": file["file_id"], "file_unique_id": file["file_unique_id"],
             "width": 90, "height": 90}
        ]  # fmt: skip
        if caption is not None:
            message["caption"] = caption
            if entities := auto_entities(caption):
                message["caption_entities"] = entities
        return self.push_update({"message": message})

    def edit_text(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """Queue the edit of an earlier text message (``edited_message``) to ``text``."""
        edited = copy.deepcopy(message)
        edited["text"] = text
        edited["edit_date"] = int(time.time())
        edited.pop("entities", None)
        if entities := auto_entities(text):
            edited["entities"] = entities
        return self.push_update({"edited_message": edited})

    def press_button(
        self, chat: dict[str, Any], user: dict[str, Any], message: dict[str, Any], data: str
    ) -> dict[str, Any]:
        """Queue a callback query for an inline button with ``data`` on ``message``."""
        with self._cond:
            key = (message["chat"]["id"], message["message_id"])
            current = copy.deepcopy(self._messages.get(key, message))
            query = {
                "id": str(next(self._callback_ids)),
                "from": user,
                "message": current,
                "chat_instance": str(chat["id"]),
                "data": data,
            }
            return self.push_update({"callback_query": query})

    def _incoming(
        self, chat: dict[str, Any], user: dict[str, Any], reply_to: dict[str, Any] | None
    ) -> dict[str, Any]:
        with self._cond:
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
            }
        if reply_to is not None:
            message["reply_to_message"] = self._shallow_reply(reply_to)
        return message

    @staticmethod
    def _shallow_reply(message: dict[str, Any]) -> dict[str, Any]:
        reply = copy.deepcopy(message)
        reply.pop("reply_to_message", None)
        return reply

    def _remember(self, message: dict[str, Any]) -> None:
        chat = message["chat"]
        self._chats.setdefault(chat["id"], chat)
        self._messages[(chat["id"], message["message_id"])] = copy.deepcopy(message)

    # -- inspecting what the bot did ---------------------------------------------------------

    def mark(self) -> int:
        """Number of calls recorded so far; pass it as ``since`` to only see later calls."""
        with self._cond:
            return len(self.calls)

    def sent(
        self, method: str | None = None, chat_id: int | None = None, since: int = 0
    ) -> list[Params]:
        """Parameters of the recorded calls of ``method`` (any) to ``chat_id`` (any)."""
        with self._cond:
            calls = self.calls[since:]
        return [
            params
            for name, params in calls
            if (method is None or name == method)
            and (chat_id is None or str(params.get("chat_id")) == str(chat_id))
        ]

    def wait_for(
        self,
        method: str,
        predicate: Predicate | None = None,
        count: int = 1,
        timeout: float = 10.0,
        since: int = 0,
    ) -> list[Params]:
        """Block until ``count`` calls of ``method`` matching ``predicate`` were recorded.

        Returns all matching calls.  Do not call this from the event loop the bot runs on
        (it would block the bot): use :meth:`wait_for_async` there.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self._matching(method, predicate, since)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._timeout_report(method, count, timeout, since))
                self._cond.wait(remaining)

    async def wait_for_async(
        self,
        method: str,
        predicate: Predicate | None = None,
        count: int = 1,
        timeout: float = 10.0,
        since: int = 0,
    ) -> list[Params]:
        """Like :meth:`wait_for`, but polls with ``asyncio.sleep`` so the bot keeps running."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                found = self._matching(method, predicate, since)
                if len(found) >= count:
                    return found
                if time.monotonic() >= deadline:
                    raise AssertionError(self._timeout_report(method, count, timeout, since))
            await asyncio.sleep(0.01)

    def _matching(self, method: str, predicate: Predicate | None, since: int) -> list[Params]:
        return [
            params
            for name, params in self.calls[since:]
            if name == method and (predicate is None or predicate(params))
        ]

    def _timeout_report(self, method: str, count: int, timeout: float, since: int) -> str:
        calls = self.calls[since:]
        summary = ", ".join(f"{name} x{n}" for name, n in Counter(n for n, _ in calls).items())
        same = [_printable(params) for name, params in calls if name == method]
        lines = [
            f"timed out after {timeout}s waiting for {count} matching {method} call(s)",
            f"recorded calls: {summary or 'none'}",
        ]
        lines += [f"  {method}: {params}" for params in same[-10:]]
        if self.errors:
            lines.append(f"server errors: {self.errors!r}")
        return "\n".join(lines)

    def messages_sent(self) -> list[dict[str, Any]]:
        """Messages the server returned for sendMessage/sendPhoto/sendDocument/edits."""
        with self._cond:
            return copy.deepcopy(self._sent)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by a getUpdates ``offset``."""
        with self._cond:
            return copy.deepcopy(self._updates)

    # -- failure injection and overrides -----------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str = "Too Many Requests: retry after 1",
        retry_after: int | None = 1,
    ) -> None:
        """Make the next call of ``method`` fail (several calls queue several failures)."""
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        with self._cond:
            self._failures.setdefault(method.lower(), []).append(
                ApiError(error_code, description, parameters)
            )

    def override(self, method: str, result: Any) -> None:
        """Answer every later call of ``method`` with ``result`` (or ``result(params)``)."""
        with self._cond:
            self._overrides[method.lower()] = result

    # -- HTTP --------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are separate writes

            def setup(self) -> None:
                super().setup()
                with api._cond:
                    api._connections.add(self.connection)

            def finish(self) -> None:
                with api._cond:
                    api._connections.discard(self.connection)
                with contextlib.suppress(OSError):
                    super().finish()

            def do_GET(self) -> None:
                self._dispatch()

            def do_POST(self) -> None:
                self._dispatch()

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    chunks = []
                    while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _dispatch(self) -> None:
                if api.unreachable:
                    self.close_connection = True  # no answer at all: a network error
                    return
                try:
                    body = self._body()
                    status, headers, payload = api._handle(
                        self.command, self.path, self.headers.get("Content-Type", ""), body
                    )
                except Exception as exc:
                    api.errors.append(exc)
                    status, headers, payload = _error_response(500, repr(exc))
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    self.close_connection = True

        return Handler

    def _handle(
        self, verb: str, raw_path: str, content_type: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        split = urlsplit(raw_path)
        path = unquote(split.path)
        file_prefix = f"/file/bot{self.token}/"
        if path.startswith("/file/bot"):
            content = self._file_paths.get(path[len(file_prefix) :])
            if not path.startswith(file_prefix) or content is None:
                return _error_response(404, "Not Found")
            return 200, {"Content-Type": "application/octet-stream"}, content
        if not path.startswith("/bot"):
            return _error_response(404, "Not Found")
        token, _, method = path[len("/bot") :].partition("/")
        if token != self.token:
            return _error_response(401, "Unauthorized")
        if not method or "/" in method:
            return _error_response(404, "Not Found")
        params = {k: _decode_value(k, v) for k, v in parse_qsl(split.query)}
        params.update(self._parse_body(method, content_type, body))
        return _json_response(*self._call(method, params))

    def _parse_body(self, method: str, content_type: str, body: bytes) -> Params:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if not body:
            return {}
        if media_type == "application/json":
            decoded = json.loads(body)
            return decoded if isinstance(decoded, dict) else {}
        if media_type == "multipart/form-data":
            return self._parse_multipart(method, content_type, body)
        text = body.decode("utf-8")
        return {k: _decode_value(k, v) for k, v in parse_qsl(text, keep_blank_values=True)}

    def _parse_multipart(self, method: str, content_type: str, body: bytes) -> Params:
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        params: Params = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            name = _form_filename(name) or name
            content = part.get_payload(decode=True) or b""
            raw_filename = part.get_param("filename", header="content-disposition")
            if isinstance(raw_filename, str):
                params[name] = content
                with self._cond:
                    self.uploads.append(
                        UploadedFile(
                            method=method,
                            field=name,
                            filename=_form_filename(raw_filename),
                            content_type=part.get_content_type(),
                            content=content,
                        )
                    )
            else:
                params[name] = _decode_value(name, content.decode("utf-8"))
        return params

    def _call(self, method: str, params: Params) -> tuple[int, dict[str, Any]]:
        key = method.lower()
        with self._cond:
            self.calls.append((self._canonical.get(key, method), params))
            self._cond.notify_all()
            failures = self._failures.get(key)
            failure = failures.pop(0) if failures else None
            override = self._overrides.get(key, _MISSING)
        try:
            if failure is not None:
                raise failure
            if override is not _MISSING:
                result = override(params) if callable(override) else override
            elif key in self._methods:
                result = self._methods[key](params)
            else:
                result = True
        except ApiError as exc:
            answer: dict[str, Any] = {
                "ok": False,
                "error_code": exc.error_code,
                "description": exc.description,
            }
            if exc.parameters:
                answer["parameters"] = exc.parameters
            return exc.error_code, answer
        return 200, {"ok": True, "result": result}

    # -- Bot API methods ---------------------------------------------------------------------

    def _api_getMe(self, params: Params) -> Any:
        return self.bot_user

    def _api_getUpdates(self, params: Params) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), MAX_POLL_WAIT)
        allowed = set(params.get("allowed_updates") or ())
        deadline = time.monotonic() + wait
        with self._cond:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            while True:
                ready = [u for u in self._updates if not allowed or allowed & u.keys()]
                ready = ready[:limit]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._server is None:
                    return copy.deepcopy(ready)
                self._cond.wait(remaining)

    def _api_deleteWebhook(self, params: Params) -> Any:
        with self._cond:
            self.webhook_url = ""
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _api_setWebhook(self, params: Params) -> Any:
        with self._cond:
            self.webhook_url = str(params.get("url") or "")
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _api_getWebhookInfo(self, params: Params) -> Any:
        with self._cond:
            return {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }

    @staticmethod
    def _commands_key(params: Params) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _api_setMyCommands(self, params: Params) -> Any:
        with self._cond:
            self.commands[self._commands_key(params)] = list(params.get("commands") or [])
        return True

    def _api_getMyCommands(self, params: Params) -> Any:
        with self._cond:
            return self.commands.get(self._commands_key(params), [])

    def _api_deleteMyCommands(self, params: Params) -> Any:
        with self._cond:
            self.commands.pop(self._commands_key(params), None)
        return True

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        known = self._chats.get(chat_id)
        if known is not None:
            return known
        if isinstance(chat_id, str):
            return {"id": -1000000000000 - len(self._chats), "type": "channel", "title": chat_id}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Tester"}
        return {"id": chat_id, "type": "supergroup", "title": "Group"}

    def _outgoing(self, params: Params) -> dict[str, Any]:
        """A new message from the bot, with reply, thread and keyboard fields filled in."""
        chat = self._chat(params.get("chat_id"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
        }
        if thread := params.get("message_thread_id"):
            message["message_thread_id"] = thread
        reply = params.get("reply_parameters")
        reply_id = reply.get("message_id") if isinstance(reply, dict) else None
        reply_id = reply_id or params.get("reply_to_message_id")
        if reply_id:
            original = self._messages.get((chat["id"], int(reply_id)))
            if original is not None:
                message["reply_to_message"] = self._shallow_reply(original)
            elif not (isinstance(reply, dict) and reply.get("allow_sending_without_reply")):
                raise ApiError(400, "Bad Request: message to be replied not found")
        self._set_markup(message, params.get("reply_markup"))
        return message

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: Any) -> None:
        """Echo an inline keyboard; reply keyboards are never part of a Message."""
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)

    def _record_sent(self, message: dict[str, Any]) -> dict[str, Any]:
        self._remember(message)
        self._sent.append(copy.deepcopy(message))
        return message

    def _api_sendMessage(self, params: Params) -> Any:
        text = params.get("text")
        if text is None or str(text).strip() == "":
            raise ApiError(400, "Bad Request: message text is empty")
        with self._cond:
            message = self._outgoing(params)
            message["text"] = str(text)
            if entities := params.get("entities"):
                message["entities"] = entities
            if params.get("link_preview_options"):
                message["link_preview_options"] = params["link_preview_options"]
            return self._record_sent(message)

    def _editable(self, params: Params) -> dict[str, Any] | None:
        """The stored message an edit refers to, or None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat = self._chat(params.get("chat_id"))
        message = self._messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return copy.deepcopy(message)

    def _finish_edit(self, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        unchanged = {k: v for k, v in before.items() if k != "edit_date"}
        if unchanged == {k: v for k, v in after.items() if k != "edit_date"}:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        after["edit_date"] = int(time.time())
        return self._record_sent(after)

    def _edit(self, params: Params, change: Callable[[dict[str, Any]], None]) -> Any:
        """One edit of a stored bot message: ``change`` alters it, the reply markup is
        replaced as Telegram does, and an edit that changes nothing is refused."""
        with self._cond:
            message = self._editable(params)
            if message is None:
                return True
            before = copy.deepcopy(message)
            change(message)
            self._set_markup(message, params.get("reply_markup"))
            return self._finish_edit(before, message)

    def _api_editMessageText(self, params: Params) -> Any:
        text = params.get("text")
        if text is None or str(text).strip() == "":
            raise ApiError(400, "Bad Request: message text is empty")

        def change(message: dict[str, Any]) -> None:
            if "text" not in message:
                raise ApiError(400, "Bad Request: there is no text in the message to edit")
            message["text"] = str(text)
            message.pop("entities", None)
            if entities := params.get("entities"):
                message["entities"] = entities

        return self._edit(params, change)

    def _api_editMessageCaption(self, params: Params) -> Any:
        def change(message: dict[str, Any]) -> None:
            message.pop("caption", None)
            if params.get("caption"):
                message["caption"] = str(params["caption"])

        return self._edit(params, change)

    def _api_editMessageReplyMarkup(self, params: Params) -> Any:
        return self._edit(params, lambda message: None)

    def _api_deleteMessage(self, params: Params) -> Any:
        with self._cond:
            chat = self._chat(params.get("chat_id"))
            if self._messages.pop((chat["id"], int(params.get("message_id") or 0)), None) is None:
                raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _api_sendChatAction(self, params: Params) -> Any:
        return True

    def _api_answerCallbackQuery(self, params: Params) -> Any:
        return True

    def _api_setMessageReaction(self, params: Params) -> Any:
        return True

    def _register_file(self, content: bytes, folder: str, file_name: str | None) -> dict[str, Any]:
        with self._cond:
            n = next(self._file_ids)
            suffix = ""
            if file_name and "." in file_name:
                suffix = "." + re.sub(r"[^A-Za-z0-9]", "", file_name.rsplit(".", 1)[1])[:8]
            file = {
                "file_id": f"FAKE-FILE-{n:06d}",
                "file_unique_id": f"fake-unique-{n:06d}",
                "file_size": len(content),
                "file_path": f"{folder}/file_{n}{suffix}",
            }
            self._files[file["file_id"]] = file
            self._file_paths[file["file_path"]] = content
            return file

    def _media(self, params: Params, field: str, folder: str) -> tuple[dict[str, Any], bytes]:
        """The file record and bytes behind an uploaded or referenced ``field``."""
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
        if isinstance(value, bytes):
            name = next((u.filename for u in reversed(self.uploads) if u.content is value), None)
            return self._register_file(value, folder, name), value
        if isinstance(value, str) and value in self._files:
            file = self._files[value]
            return file, self._file_paths[file["file_path"]]
        if isinstance(value, str) and value:
            return self._register_file(b"", folder, value.rsplit("/", 1)[-1]), b""
        raise ApiError(400, f"Bad Request: there is no {field} in the request")

    def _api_sendPhoto(self, params: Params) -> Any:
        with self._cond:
            file, content = self._media(params, "photo", "photos")
            width, height = image_size(content)
            message = self._outgoing(params)
            message["photo"] = [
                {
                    "file_id": file["file_id"],
                    "file_unique_id": file["file_unique_id"],
                    "file_size": file["file_size"],
                    "width": width,
                    "height": height,
                }
            ]
            if params.get("caption"):
                message["caption"] = str(params["caption"])
            return self._record_sent(message)

    def _api_sendDocument(self, params: Params) -> Any:
        with self._cond:
            file, _content = self._media(params, "document", "documents")
            upload = next(
                (u for u in reversed(self.uploads) if u.content is params.get("document")), None
            )
            message = self._outgoing(params)
            document = {
                "file_id": file["file_id"],
                "file_unique_id": file["file_unique_id"],
                "file_size": file["file_size"],
            }
            if upload is not None:
                if upload.filename:
                    document["file_name"] = upload.filename
                document["mime_type"] = upload.content_type
            message["document"] = document
            if params.get("caption"):
                message["caption"] = str(params["caption"])
            return self._record_sent(message)

    def _api_getFile(self, params: Params) -> Any:
        with self._cond:
            file = self._files.get(str(params.get("file_id") or ""))
            if file is None:
                raise ApiError(400, "Bad Request: invalid file_id")
            return dict(file)

    def _api_getChat(self, params: Params) -> Any:
        with self._cond:
            chat = dict(self._chat(params.get("chat_id")))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        chat.setdefault("accepted_gift_types", _NO_GIFTS)
        return chat

    def _api_getChatMember(self, params: Params) -> Any:
        user_id = params.get("user_id")
        if user_id == self.bot_user["id"]:
            return {"status": "member", "user": self.bot_user}
        return {"status": "member", "user": {"id": user_id, "is_bot": False, "first_name": "?"}}

    def _api_close(self, params: Params) -> Any:
        return True

    def _api_logOut(self, params: Params) -> Any:
        return True


_MISSING = object()
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def _json_response(status: int, answer: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    return status, {"Content-Type": "application/json"}, payload


def _error_response(status: int, description: str) -> tuple[int, dict[str, str], bytes]:
    return _json_response(status, {"ok": False, "error_code": status, "description": description})


def _printable(params: Params) -> dict[str, Any]:
    """``params`` with bytes values shortened for error messages."""
    return {k: f"<{len(v)} bytes>" if isinstance(v, bytes) else v for k, v in params.items()}
