"""Which passages are worth quoting in a passage answer, and how much of them.

A passage answer quotes what the report says, not its furniture: a bare title, a date line, a
signature (此函 某局 2022年1月7日印发), a line of portal chrome left in a copied page.  Table rows
answer figures, not questions asked in words, so they come after the paragraphs.  A paragraph
that announces a list (…从以下三个方面改进：) is quoted with the list that follows it; the
opening that lists the report's chapters comes last, with the table rows.  The
word lists are ``[quotable]`` of ``bot/qa/data/passage_words.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

import sqlite_utils

from index.search import Hit
from ingest.chrome import find_chrome
from ingest.vocab import load_toml

_CONTACT = re.compile(r"\d{5,}|@")  # a phone number or an e-mail address: never furniture
_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}"
)


@cache
def vocabulary() -> dict:
    """``[quotable]`` of ``bot/qa/data/passage_words.toml``."""
    return load_toml("bot.qa.data", "passage_words.toml")["quotable"]


@dataclass(frozen=True)
class PassageKind:
    """What the database knows of a passage beyond the hit: its kind and place."""

    kind: str
    report_id: int
    ord: int


def _kinds(db: sqlite_utils.Database, ids: list[int]) -> dict[int, PassageKind]:
    if not ids:
        return {}
    rows = db.query(
        f"SELECT id, kind, report_id, ord FROM passages WHERE id IN ({','.join('?' * len(ids))})",
        ids,
    )
    return {r["id"]: PassageKind(r["kind"] or "", r["report_id"], r["ord"] or 0) for r in rows}


def is_furniture(text: str, section: str, kind: str = "paragraph") -> bool:
    """A title, a date line, a signature or portal chrome: nothing a person asked about."""
    vocab = vocabulary()
    plain = re.sub(r"\s+", "", text)
    if not plain or kind == "heading":
        return True
    deepest = re.sub(r"\s+", "", section.split(" / ")[-1]) if section else ""
    if deepest and plain == deepest:
        return True
    punctuated = any(c in plain for c in vocab["sentence_marks"])
    contact = _CONTACT.search(plain) is not None
    if (
        not punctuated
        and not contact
        and (len(plain) <= vocab["title_chars"] or _DATE.search(plain))
    ):
        return True
    if _DATE.search(plain) and len(plain) <= vocab["signature_chars"]:
        rest = _DATE.sub("", plain)
        if any(w in rest for w in vocab["signature_words"]) or not any(
            c in rest for c in vocab["sentence_marks"]
        ):
            return True
    chrome = sum(end - start for start, end in find_chrome(text).spans)
    return chrome * 2 >= len(text.strip())


def _lists_contents(text: str) -> bool:
    """The report's opening that lists its own chapters (本报告包括总体情况、…): it names every
    topic and says nothing about any."""
    return any(w in text for w in vocabulary()["contents_words"])


def _announces_list(text: str) -> bool:
    return text.rstrip().endswith(tuple(vocabulary()["list_marks"]))


def _continued(db: sqlite_utils.Database, hit: Hit, place: PassageKind) -> Hit:
    """A paragraph announcing a list, with the paragraphs of the list after it."""
    vocab = vocabulary()
    rows = db.query(
        "SELECT text, section, kind FROM passages WHERE report_id = ? AND ord > ? "
        "ORDER BY ord LIMIT ?",
        [place.report_id, place.ord, vocab["list_passages"]],
    )
    top = hit.section.split(" / ")[0]
    parts = [hit.text.rstrip()]
    size = len(parts[0])
    for row in rows:
        if row["kind"] != "paragraph" or (top and not (row["section"] or "").startswith(top)):
            break
        if size + len(row["text"]) > vocab["list_chars"]:
            break
        parts.append(row["text"].strip())
        size += len(row["text"])
    return replace(hit, text="\n".join(parts)) if len(parts) > 1 else hit


def quotable(db: sqlite_utils.Database, hits: list[Hit]) -> list[Hit]:
    """The hits worth quoting, paragraphs before table rows, lists with their items."""
    places = _kinds(db, [h.passage_id for h in hits])
    kept: list[Hit] = []
    rows: list[Hit] = []
    for hit in hits:
        place = places.get(hit.passage_id, PassageKind("paragraph", hit.report_id, 0))
        if is_furniture(hit.text, hit.section, place.kind):
            continue
        if place.kind == "table_row" or _lists_contents(hit.text):
            rows.append(hit)
        elif _announces_list(hit.text):
            kept.append(_continued(db, hit, place))
        else:
            kept.append(hit)
    return kept + rows
