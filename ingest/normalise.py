"""Normalised text for matching, computed alongside (never instead of) the original.

Reports arrive in traditional or simplified characters, with full-width digits,
odd spaces, Markdown/HTML markup and PDF hard line breaks in mid-word.  Matching
(statistics labels, questions, BM25 tokens) needs one canonical form; quoting
needs the original.  Everything here is a pure function of the input text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc

from ingest.vocab import load_toml

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_RUN = re.compile(r"[ \t\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_SPACE_NEAR_CJK = re.compile(
    rf"(?<=[{_CJK}\d:;,.()%、。，；：（）“”《》])\s+|\s+(?=[{_CJK}\d:;,.()%、。，；：（）“”《》])"
)
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\((?:[^)\n]*)\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>\n]{0,200}>")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_LINE_BREAKS = re.compile(r"\s*\n\s*")


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _variant_table() -> dict[int, str]:
    data = load_toml("ingest.data", "char_variants.toml")
    return {ord(k): v for k, v in data["variants"].items()}


def to_simplified(text: str, fold_variants: bool = True) -> str:
    """Traditional to simplified with OpenCC, then (by default) fold variants (於 → 于).

    Names keep their variants (``fold_variants=False``): 於溪镇 is a town's own spelling.
    """
    simplified = _converter().convert(text)
    return simplified.translate(_variant_table()) if fold_variants else simplified


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to half-width (NFKC), spaces folded."""
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFKC", text))


def strip_markup(text: str) -> str:
    """Drop Markdown and HTML markup, keeping the words it wraps."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub("", text)


def join_lines(text: str) -> str:
    """Join hard-wrapped lines: a line break with its blanks becomes nothing next to CJK."""
    text = _LINE_BREAKS.sub("\n", text)
    return _SPACE_NEAR_CJK.sub("", text.replace("\n", " ")).strip()


def normalise(text: str) -> str:
    """The matching form of a passage: simplified, half-width, markup-free, one line."""
    text = strip_markup(to_halfwidth(to_simplified(text)))
    return join_lines(_SPACE_RUN.sub(" ", text))


def fold(text: str) -> str:
    """The comparison form used by the evaluation: simplified, 於→于, no whitespace."""
    return re.sub(r"\s+", "", to_simplified(text))
