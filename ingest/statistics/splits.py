"""How run-together digits divide into a table's cells, decided for a whole table at once.

A flattened row gives value tokens ("71", "3000074" or "713000074"); a row of N columns needs
N cells.  Every way of cutting the tokens into N numbers with no leading zero (a lone 0 is
fine) is a *reading* of the row.  The table's own arithmetic then rules readings out: each
relation says a signed sum of cells is zero (总计 − 自然人 − … = 0; 新收 + 结转 − 办理 − 结转下年
= 0 per column).  Relations are applied together, as one constraint problem, by removing
readings that no combination of the other rows' readings supports, until nothing changes; a
small problem is then searched exhaustively.  A relation that no combination can satisfy is
the report's own arithmetic error: it is dropped and reported, never forced.

What survives is every reading still possible.  A cell is known when all of them agree on
it; otherwise it is ambiguous, and the caller stores no value for it.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ingest.statistics.flat_rows import MAX_TOKEN_DIGITS, Token

Reading = tuple[float | None, ...]
MAX_READINGS = 20_000  # readings of one row: beyond this the row is left unread
MAX_STEPS = 150_000  # enumeration steps for one row
MAX_SUMSET = 50_000  # partial sums tracked for one relation
MAX_SEARCH = 100_000  # combinations searched exhaustively for a whole table


@dataclass(frozen=True)
class Relation:
    """Σ coef × cell over (row, column, coef) terms is one of ``targets`` (0 for the table's
    sums; the figures prose states for a preference); unknown (blank) cells excuse it."""

    name: str
    terms: tuple[tuple[int, int, int], ...]
    targets: frozenset[float] = frozenset({0.0})

    def allows(self, total: float) -> bool:
        return round(total, 6) in self.targets

    @property
    def rows(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(r for r, _, _ in self.terms))


@dataclass
class Outcome:
    """Readings still possible for each row, and the relations no reading satisfies."""

    readings: list[list[Reading]]
    failed: list[Relation] = field(default_factory=list)
    overflow: set[int] = field(default_factory=set)  # rows with too many readings to list


def _pieces(digits: str, count: int) -> Iterator[tuple[str, ...]]:
    """``digits`` cut into ``count`` numbers, none with a leading zero; a decimal point may
    only sit in the last one, a sign only at the front of the first."""
    sign = ""
    if digits[:1] in "+-":
        sign, digits = digits[0], digits[1:]
    whole, _, fraction = digits.partition(".")
    if count > len(whole):
        return
    for cuts in itertools.combinations(range(1, len(whole)), count - 1):
        bounds = (0, *cuts, len(whole))
        parts = [whole[a:b] for a, b in itertools.pairwise(bounds)]
        if any(len(p) > 1 and p[0] == "0" for p in parts):
            continue
        if fraction:
            parts[-1] += "." + fraction
        parts[0] = sign + parts[0]
        yield tuple(parts)


def _capacity(token: Token) -> int:
    if token.blank:
        return 1
    return len(token.text.lstrip("+-").partition(".")[0])


def holds(relation: Relation, reading: Reading) -> bool:
    """A relation over one row's cells, checked on one reading (unknown cells excuse it)."""
    total = 0.0
    for _, col, coef in relation.terms:
        value = reading[col]
        if value is None:
            return True
        total += coef * value
    return relation.allows(total)


def readings(
    tokens: Sequence[Token], columns: int, local: Sequence[Relation] = ()
) -> list[Reading] | None:
    """Every reading of ``tokens`` as ``columns`` cells that keeps the row's own arithmetic
    (``local``: relations over this row only); [] when impossible (too few or too many
    values), None when there are too many to consider."""
    if len(tokens) > columns or sum(_capacity(t) for t in tokens) < columns:
        return []
    if any(_capacity(t) > MAX_TOKEN_DIGITS for t in tokens):
        return None
    out: list[Reading] = []
    rejected: list[Reading] = []
    steps = 0

    def counts(i: int, left: int) -> Iterator[tuple[int, ...]]:
        if i == len(tokens):
            if left == 0:
                yield ()
            return
        rest = len(tokens) - i - 1
        for k in range(1, min(_capacity(tokens[i]), left - rest) + 1):
            for tail in counts(i + 1, left - k):
                yield (k, *tail)

    for split in counts(0, columns):
        parts: list[list[tuple[float | None, ...]]] = []
        for token, k in zip(tokens, split, strict=True):
            if token.blank:
                parts.append([(None,)])
                continue
            options: list[tuple[float | None, ...]] = []
            for pieces in _pieces(token.text, k):
                steps += 1
                if steps > MAX_STEPS:
                    return None
                options.append(tuple(float(p) for p in pieces))
            parts.append(options)
        for combo in itertools.product(*parts):
            steps += 1
            if steps > MAX_STEPS:
                return None
            reading = tuple(v for piece in combo for v in piece)
            if all(holds(rel, reading) for rel in local):
                out.append(reading)
                if len(out) > MAX_READINGS:
                    return None
            elif len(rejected) <= MAX_READINGS:
                rejected.append(reading)
    if out or not rejected:
        return out
    # The row's own arithmetic fails under every reading: the solver reports it.
    return rejected if len(rejected) <= MAX_READINGS else None


def _contribution(reading: Reading, row: int, relation: Relation) -> float | None:
    total = 0.0
    for r, col, coef in relation.terms:
        if r != row:
            continue
        value = reading[col]
        if value is None:
            return None
        total += coef * value
    return total


_ANY = None  # a sumset that can take any value (an unknown cell is involved)


def _sumset(sets: list[set[float] | None]) -> set[float] | None:
    """Every total of one value from each set; _ANY when unknown or too many to track."""
    if not sets:
        return {0.0}
    if any(values is None for values in sets):
        return _ANY
    first, *rest = sets
    assert first is not None
    acc = set(first)  # 0 + v is v, and the values are rounded already (``_row_values``)
    for values in rest:
        assert values is not None
        if len(acc) > MAX_SUMSET:
            return _ANY
        acc = {round(a + v, 6) for a in acc for v in values}
    return _ANY if len(acc) > MAX_SUMSET else acc


def _row_values(domain: list[Reading], row: int, relation: Relation) -> set[float] | None:
    values: set[float] = set()
    for reading in domain:
        c = _contribution(reading, row, relation)
        if c is None:
            return _ANY
        values.add(round(c, 6))
    return values


def _satisfiable(domains: list[list[Reading]], relation: Relation) -> bool:
    sums = _sumset([_row_values(domains[r], r, relation) for r in relation.rows])
    return sums is _ANY or any(relation.allows(s) for s in sums)


def _prune(domains: list[list[Reading]], relation: Relation) -> list[int]:
    """Drop readings of the relation's rows that no combination of the others supports;
    the rows that lost readings."""
    changed: list[int] = []
    rows = relation.rows
    values = {r: _row_values(domains[r], r, relation) for r in rows}
    for row in rows:
        others = _sumset([values[r] for r in rows if r != row])
        if others is _ANY:
            continue
        kept = []
        for reading in domains[row]:
            c = _contribution(reading, row, relation)
            if c is None or any(relation.allows(c + s) for s in others):
                kept.append(reading)
        if len(kept) != len(domains[row]):
            domains[row] = kept
            values[row] = _row_values(kept, row, relation)
            changed.append(row)
    return changed


def _propagate(
    domains: list[list[Reading]],
    relations: list[Relation],
    pending: Sequence[Relation] | None = None,
) -> bool:
    """Prune to a fixed point; False when some row is left with no reading.

    Only ``pending`` relations are tried first (all when None): the others are already at
    their fixed point and are tried again only when a row they hold loses readings.  Pruning
    only ever shrinks domains, so the fixed point does not depend on the order.
    """
    by_row: dict[int, list[int]] = {}
    for i, relation in enumerate(relations):
        for row in relation.rows:
            by_row.setdefault(row, []).append(i)
    index = {id(r): i for i, r in enumerate(relations)}
    start = range(len(relations)) if pending is None else [index[id(r)] for r in pending]
    queue = deque(start)
    queued = set(queue)
    while queue:
        i = queue.popleft()
        queued.discard(i)
        for row in _prune(domains, relations[i]):
            if not domains[row]:
                return False
            for j in by_row[row]:
                if j not in queued:
                    queue.append(j)
                    queued.add(j)
    return True


def _search(domains: list[list[Reading]], relations: list[Relation]) -> list[list[Reading]]:
    """Readings of each row that belong to some complete solution (small problems only)."""
    size = 1
    for d in domains:
        size *= max(1, len(d))
        if size > MAX_SEARCH:
            return domains
    order = sorted(range(len(domains)), key=lambda r: len(domains[r]))
    ready: dict[int, list[Relation]] = {r: [] for r in order}
    for relation in relations:
        last = max(relation.rows, key=order.index)
        ready[last].append(relation)
    used: list[set[Reading]] = [set() for _ in domains]
    chosen: dict[int, Reading] = {}

    def holds(relation: Relation) -> bool:
        total = 0.0
        for r, col, coef in relation.terms:
            value = chosen[r][col]
            if value is None:
                return True
            total += coef * value
        return relation.allows(total)

    def walk(i: int) -> None:
        if i == len(order):
            for r, reading in chosen.items():
                used[r].add(reading)
            return
        row = order[i]
        for reading in domains[row]:
            chosen[row] = reading
            if all(holds(rel) for rel in ready[row]):
                walk(i + 1)
        chosen.pop(row, None)

    walk(0)
    return [[x for x in d if x in used[r]] for r, d in enumerate(domains)]


def solve(
    domains: list[list[Reading]],
    relations: Sequence[Relation],
    preferences: Sequence[Relation] = (),
) -> Outcome:
    """The readings every relation allows.  Relations are added one by one, row-level ones
    first: one that no reading satisfies, alone or with those already kept, is reported as
    failed and left out.  ``preferences`` (figures the report states in prose) are applied
    last and only where they leave some reading: they choose, they never contradict."""
    domains = [list(d) for d in domains]
    failed: list[Relation] = []
    kept: list[Relation] = []
    for relation in sorted(relations, key=lambda r: len(r.rows)):
        if not all(domains[r] for r in relation.rows) or not _satisfiable(domains, relation):
            failed.append(relation)
            continue
        trial = [list(d) for d in domains]
        if _propagate(trial, [*kept, relation], pending=[relation]):
            domains = trial
            kept.append(relation)
        else:
            failed.append(relation)
    domains = _search(domains, kept)
    for preference in preferences:
        if not all(domains[r] for r in preference.rows):
            continue
        trial = [list(d) for d in domains]
        if _propagate(trial, [*kept, preference], pending=[preference]) and all(trial):
            trial = _search(trial, [*kept, preference])
            if all(trial):
                domains = trial
                kept.append(preference)
    return Outcome(domains, failed)


def agreed(readings_of_row: list[Reading], columns: int) -> list[tuple[bool, float | None]]:
    """For each column: (every reading agrees, the value they agree on)."""
    out = []
    for col in range(columns):
        values = {r[col] for r in readings_of_row}
        out.append((len(values) == 1, next(iter(values)) if len(values) == 1 else None))
    return out
