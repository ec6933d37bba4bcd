"""Scoring a question file by the rules of ``shared/eval/README.md``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.qa.model import Answer, AnswerKind
from ingest.text import fold


@dataclass(frozen=True)
class Outcome:
    item: dict
    passed: bool
    expected: str
    got: str
    wrong_figure: bool = False


class EvalFileError(Exception):
    """The question file cannot be read; the message names the line."""


def load_questions(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or "q" not in item or "kind" not in item:
            raise EvalFileError(f'{path}:{n}: each line needs at least "q" and "kind"')
        items.append(item)
    return items


def same_unit(a: str, b: str) -> bool:
    """Unit names compare by containment either way, after folding."""
    fa, fb = fold(a or ""), fold(b or "")
    return bool(fa and fb) and (fa in fb or fb in fa)


def _equal(got: float | None, expected: object) -> bool:
    try:
        return got is not None and abs(float(got) - float(str(expected))) < 1e-9
    except (TypeError, ValueError):
        return False


def score(item: dict, answer: Answer) -> Outcome:
    kind = item["kind"]
    wrong = False
    if kind == "number":
        ok = _equal(answer.value, item["expect"])
        wrong = answer.value is not None and not _equal(answer.value, item["expect"])
        expected = f"value {item['expect']}"
        if item.get("conflict"):
            ok = ok and bool(answer.conflicts)
            expected += " with a conflict"
        got = f"kind {answer.kind}, value {answer.value}, {len(answer.conflicts)} conflicts"
    elif kind == "sum":
        ok = _equal(answer.value, item["expect"])
        expected, got = f"value {item['expect']}", f"kind {answer.kind}, value {answer.value}"
    elif kind == "ranking":
        first = answer.ranking[0].unit if answer.ranking else ""
        ok = same_unit(first, item["expect_first"])
        expected, got = f"first {item['expect_first']}", f"kind {answer.kind}, first {first or '—'}"
    elif kind == "passage":
        needle = fold(item["expect_contains"])
        texts = [p.text for p in answer.passages[:3]] + [answer.text]
        ok = any(needle in fold(t) for t in texts)
        expected = f"a passage containing 「{item['expect_contains']}」"
        got = f"kind {answer.kind}, passages: " + " | ".join(
            fold(p.text)[:40] for p in answer.passages[:3]
        )
    elif kind == "none":
        ok = answer.kind == AnswerKind.NONE and answer.value is None
        wrong = answer.value is not None
        expected, got = "kind none, value null", f"kind {answer.kind}, value {answer.value}"
    else:
        ok, expected, got = False, f"a known kind (not {kind!r})", "—"
    return Outcome(item, ok, expected, got, wrong)


def score_all(items: Iterable[dict], ask: Callable[[str], Answer]) -> list[Outcome]:
    return [score(item, ask(item["q"])) for item in items]


def group_name(item: dict) -> str:
    """The line of the summary a question counts in: its kind, and for numbers the source."""
    kind = item.get("kind", "?")
    source = item.get("source_kind")
    return f"{kind}/{source}" if kind == "number" and source else kind


def summary_lines(outcomes: list[Outcome]) -> list[str]:
    """Per kind (and per ``source_kind`` for numbers) pass counts, then the wrong figures.

    A wrong figure, a number other than the gold one, is counted on its own line: an official
    may repeat it, so it is worse than a miss.
    """
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        name = group_name(o.item)
        groups.setdefault(name, []).append(o)
        if name.startswith("number/"):
            groups.setdefault("number", []).append(o)
    lines = []
    for name in sorted(groups):
        group = groups[name]
        passed = sum(o.passed for o in group)
        lines.append(
            f"  {name:<16} {passed:>4} / {len(group):<4} {100 * passed / len(group):5.1f}%"
        )
    wrong = sum(o.wrong_figure for o in outcomes)
    lines.append(f"wrong figures: {wrong}")
    return lines
