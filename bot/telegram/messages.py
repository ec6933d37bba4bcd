"""Messages under Telegram's size limit: blocks packed into messages, long blocks cut safely.

A message is built from self-contained blocks (one passage, one source line…) and split
between blocks; a single block longer than the limit is cut between characters outside any
tag, closing and reopening the tags open at the cut.
"""

from __future__ import annotations

import re

MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<(/?)([a-z]+)[^>]*>")  # the renderer's own tags, never report text
_BREAK_AFTER = "\n。；;，,、 "


def split_messages(blocks: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack blocks into messages of at most ``limit`` characters, blocks joined by newlines."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _cut_block(block, limit):
            joined = f"{current}\n{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _cut_block(block: str, limit: int) -> list[str]:
    """A block longer than ``limit`` cut outside tags and entities; open tags are carried over.

    The cut goes after the last line end or punctuation mark of the piece when that keeps at
    least half of it, else right before the token that would not fit.
    """
    if len(block) <= limit:
        return [block]
    pieces: list[str] = []
    buf: list[str] = []
    size = 0
    stack: list[str] = []
    best: tuple[int, list[str]] | None = None
    for token in _tokens(block):
        if size and size + len(token) + _closing_size(stack) > limit:
            cut, cut_stack = best if best and best[0] > len(buf) // 2 else (len(buf), stack[:])
            pieces.append("".join(buf[:cut]) + "".join(f"</{t}>" for t in reversed(cut_stack)))
            buf = [f"<{t}>" for t in cut_stack] + buf[cut:]
            size = sum(map(len, buf))
            best = None
        buf.append(token)
        size += len(token)
        tag = _TAG.fullmatch(token)
        if tag and tag.group(1):
            if tag.group(2) in stack:
                stack.remove(tag.group(2))
        elif tag:
            stack.append(tag.group(2))
        elif token in _BREAK_AFTER:
            best = (len(buf), stack[:])
    pieces.append("".join(buf))
    return pieces


def _closing_size(stack: list[str]) -> int:
    return sum(len(t) + 3 for t in stack)


def _tokens(block: str) -> list[str]:
    """Tags, entities (``&amp;``) and single characters: the units a cut may fall between."""
    tokens: list[str] = []
    pos = 0
    for match in _TAG.finditer(block):
        tokens += _text_tokens(block[pos : match.start()])
        tokens.append(match.group(0))
        pos = match.end()
    tokens += _text_tokens(block[pos:])
    return tokens


def _text_tokens(text: str) -> list[str]:
    return re.findall(r"&[#a-zA-Z0-9]+;|.", text, flags=re.DOTALL)
