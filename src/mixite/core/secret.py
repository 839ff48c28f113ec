"""Statistical secrecy: no published figure may describe fewer than 11 households.

Every table that leaves mixite (dashboards, exports, pages) goes through a
:class:`Release` (or its one-table shortcut :func:`apply_secrecy`). A table declares,
for each published column, what it rests on:

- a **count** (``Count``) of households, or of persons or allocations with the number of
  households behind them (``households=``); it may be a sub-count of another column of the
  same row (``part_of=``: relocated ⊂ to relocate, poor ⊂ households);
- a **share** ``numerator / base`` (``Share``), rounded to ``decimals``;
- a **statistic** over the base's households (mean, median; ``Statistic``);
- a figure **derived** from other columns (interval, rank, status, remaining need;
  ``Derived``): hidden with any of them.

The rule, enforced on every cell:

1. *Primary suppression.* A count whose households number 1 to 10 is hidden; so is
   every figure of a row whose base rests on fewer than 11 households.
2. *No recovery by differences.* Published counts are tied by additive relations: a row
   total and its rows, a count and its sub-counts within a row (the complement is an
   unpublished cell), a zone and the zones nested in it at another level (commune ↔ IRIS
   ↔ cell, territory ↔ commune, building ↔ entrance), a date and the next (the change is
   an unpublished cell). Secondary suppression hides more cells until, in every relation,
   no hidden or unpublished cell that describes 1 to 10 households is determined by the
   published ones, and the hidden cells of a relation whose total is published never add
   up to 1 to 10 households. Cells determined this way count as published for the next
   relations, so chains across levels are followed.
3. *No inversion.* A share, interval, rank or status is hidden when its count is.

:func:`recoverable` is the auditor: it solves the linear system of the published cells
exactly (per connected component) and lists every hidden or unpublished cell whose value
is determined; the tests require that none of them describes 1 to 10 households.

Rule: INSEE / CNIS, « secret statistique » on data about households (11 households).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

THRESHOLD = 11
#: Fewer households than this are none: sums of weighted census counts (fractional)
#: leave differences of ~1e-9 that are rounding, not a household.
ZERO = 1e-6

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Count:
    """An additive count. ``households``: the column counting the households behind it
    (persons, allocations); ``part_of``: the column of the same row it is a part of."""

    column: str
    part_of: str | None = None
    households: str | None = None


@dataclass(frozen=True)
class Share:
    """``column`` = ``numerator / base`` (as a share or a percentage), rounded."""

    column: str
    numerator: str
    base: str
    decimals: int | None = 1


@dataclass(frozen=True)
class Statistic:
    """A statistic (mean, median…) computed over the ``base`` count's households."""

    column: str
    base: str


@dataclass(frozen=True)
class Derived:
    """A figure computed from ``sources`` (interval, rank, status): hidden with any."""

    column: str
    sources: tuple[str, ...]


Measure = Count | Share | Statistic | Derived


@dataclass(frozen=True)
class SecretTable:
    """A published table and the mask of what was suppressed (``True`` = hidden)."""

    table: pd.DataFrame
    suppressed: pd.DataFrame

    @property
    def n_suppressed(self) -> int:
        return int(self.suppressed.to_numpy().sum())


@dataclass
class _Table:
    frame: pd.DataFrame
    measures: tuple[Measure, ...]
    counts: dict[str, int]  # column → offset of its first cell
    parts: dict[str, str] = field(default_factory=dict)  # sub-count → its parent column


@dataclass
class Release:
    """Several tables published together, with the relations that tie their cells.

    Build it with :meth:`add_table`, :meth:`add_totals`, :meth:`add_nesting` and
    :meth:`add_change`, then :meth:`publish`.

    Examples
    --------
    >>> r = Release()
    >>> communes = pd.DataFrame({"zone": ["A", "B"], "n": [30, 40]})
    >>> iris = pd.DataFrame({"zone": ["A1", "A2", "B1"], "parent": ["A", "A", "B"], "n": [25, 5, 40]})
    >>> r.add_table("communes", communes, [Count("n")])
    >>> r.add_table("iris", iris, [Count("n")])
    >>> r.add_nesting("communes", "iris", parent_rows=[0, 0, 1])
    >>> r.publish()["iris"].table["n"].tolist()  # A1 would give A2 away: hidden too
    [nan, nan, 40.0]
    """

    threshold: int = THRESHOLD
    tables: dict[str, _Table] = field(default_factory=dict)
    _value: FloatArray = field(default_factory=lambda: np.zeros(1024))
    _support: FloatArray = field(default_factory=lambda: np.zeros(1024))
    _published: BoolArray = field(default_factory=lambda: np.zeros(1024, dtype=bool))
    _rel_cell: list[IntArray] = field(default_factory=list)
    _rel_id: list[IntArray] = field(default_factory=list)
    _rel_total: list[BoolArray] = field(default_factory=list)
    _n_cells: int = 0
    _n_rel: int = 0
    _hidden: BoolArray | None = field(default=None, repr=False)
    _frozen: tuple[FloatArray, FloatArray, BoolArray, IntArray, IntArray, BoolArray] | None = field(
        default=None, repr=False
    )

    # -- building -----------------------------------------------------------------
    def _new_cells(self, value: FloatArray, support: FloatArray, published: bool) -> IntArray:
        self._hidden = self._frozen = None  # a new cell or relation: decide again
        start, end = self._n_cells, self._n_cells + len(value)
        if end > len(self._value):
            size = max(end, 2 * len(self._value))
            self._value = np.resize(self._value, size)
            self._support = np.resize(self._support, size)
            self._published = np.resize(self._published, size)
        self._value[start:end] = value
        self._support[start:end] = np.abs(np.asarray(support, dtype=float))
        self._published[start:end] = published
        self._n_cells = end
        return np.arange(start, end, dtype=np.int64)

    def add_table(self, name: str, table: pd.DataFrame, measures: Sequence[Measure]) -> None:
        """Declare a published table; its ``Count`` columns become cells, and every
        ``part_of`` a relation with an unpublished complement."""
        if name in self.tables:
            raise ValueError(f"Table {name!r} is already in the release.")
        columns = [m.column for m in measures]
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise ValueError(
                f"Measures name columns absent from table {name!r}: {missing}; columns: {list(table.columns)}."
            )
        frame = table.reset_index(drop=True)
        counts: dict[str, int] = {}

        def values(col: str) -> FloatArray:
            return np.asarray(
                np.nan_to_num(frame[col].to_numpy(dtype=float, na_value=np.nan)), dtype=float
            )

        for m in measures:
            if isinstance(m, Count):
                support = values(m.households) if m.households else values(m.column)
                cells = self._new_cells(values(m.column), support, published=True)
                counts[m.column] = int(cells[0]) if len(cells) else self._n_cells
        self.tables[name] = _Table(frame, tuple(measures), counts)
        rows = np.arange(len(frame), dtype=np.int64)
        parts: dict[str, str] = {}
        for m in measures:
            if isinstance(m, Count) and m.part_of is not None:
                if m.part_of not in counts:
                    raise ValueError(
                        f"Count {m.column!r} is part_of {m.part_of!r}, which is not a Count of table {name!r}."
                    )
                parts[m.column] = m.part_of
            elif isinstance(m, Share) and m.numerator in counts and m.base in counts:
                parts.setdefault(m.numerator, m.base)  # a share's numerator is part of its base
        self.tables[name].parts = parts
        for child, parent in parts.items():
            self._add_sums(self.cells(name, parent), self.cells(name, child), rows)

    def cells(self, name: str, column: str, rows: npt.ArrayLike | None = None) -> IntArray:
        """Cell ids of a count column (all rows, or ``rows``)."""
        t = self.tables[name]
        ids = t.counts[column] + np.arange(len(t.frame), dtype=np.int64)
        return ids if rows is None else ids[np.asarray(rows, dtype=np.int64)]

    def _add_sums(self, totals: IntArray, parts: IntArray, part_of: IntArray) -> None:
        """Relations ``totals[r] = Σ parts[part_of == r] + rest[r]``; the rest is an
        unpublished cell (added where it is not zero). A total without parts is in no
        relation: ``total = rest`` says nothing (a zero rest left out would otherwise
        claim the total is known to be 0)."""
        self._hidden = self._frozen = None
        has_parts = np.bincount(part_of, minlength=len(totals)) > 0
        if not has_parts.all():
            renumber = np.cumsum(has_parts) - 1
            totals, part_of = totals[has_parts], renumber[part_of]
        value, support = self._value, self._support
        r = len(totals)
        rest_v = value[totals] - np.bincount(part_of, weights=value[parts], minlength=r)
        rest_s = support[totals] - np.bincount(part_of, weights=support[parts], minlength=r)
        has_rest = (np.abs(rest_v) > ZERO) | (np.abs(rest_s) > ZERO)
        rest_cells = self._new_cells(rest_v[has_rest], rest_s[has_rest], published=False)
        rest_rel = np.flatnonzero(has_rest)
        base = self._n_rel
        self._rel_cell += [totals, parts, rest_cells]
        self._rel_id += [base + np.arange(r, dtype=np.int64), base + part_of, base + rest_rel]
        self._rel_total += [
            np.ones(r, dtype=bool),
            np.zeros(len(parts), dtype=bool),
            np.zeros(len(rest_cells), dtype=bool),
        ]
        self._n_rel += r

    def add_totals(
        self, name: str, total_rows: npt.ArrayLike, groups: npt.ArrayLike | None = None
    ) -> None:
        """Total rows of a table: each is the sum of the other rows of its group."""
        t = self.tables[name]
        is_total = np.asarray(total_rows, dtype=bool)
        n = len(t.frame)
        keys = (
            np.zeros(n, dtype=np.int64)
            if groups is None
            else pd.factorize(pd.Series(groups).astype(str))[0]
        )
        total_of_group = {int(keys[i]): i for i in np.flatnonzero(is_total)}
        if len(total_of_group) != int(is_total.sum()):
            raise ValueError(f"Table {name!r} has several total rows in one group.")
        detail = np.flatnonzero(~is_total & np.isin(keys, list(total_of_group)))
        if not total_of_group:
            return
        group_ids = sorted(total_of_group)
        index = {g: k for k, g in enumerate(group_ids)}
        total_rows_idx = np.array([total_of_group[g] for g in group_ids], dtype=np.int64)
        part_of = np.array([index[int(keys[i])] for i in detail], dtype=np.int64)
        for col in t.counts:
            self._add_sums(
                self.cells(name, col, total_rows_idx), self.cells(name, col, detail), part_of
            )

    def add_nesting(self, parent: str, child: str, *, parent_rows: npt.ArrayLike) -> None:
        """Rows of ``child`` lie wholly in row ``parent_rows[i]`` of ``parent`` (−1: in
        none); every count column the two tables share is tied by the nesting."""
        rows = np.asarray(parent_rows, dtype=np.int64)
        keep = np.flatnonzero(rows >= 0)
        n_parent = len(self.tables[parent].frame)
        for col in self.tables[parent].counts:
            if col in self.tables[child].counts:
                self._add_sums(
                    self.cells(parent, col, np.arange(n_parent)),
                    self.cells(child, col, keep),
                    rows[keep],
                )

    def add_change(self, before: str, after: str, *, before_rows: npt.ArrayLike) -> None:
        """Row ``i`` of ``after`` is row ``before_rows[i]`` of ``before`` at a later date
        (−1: new); the change between them is an unpublished cell of |change| households."""
        rows = np.asarray(before_rows, dtype=np.int64)
        keep = np.flatnonzero(rows >= 0)
        for col in self.tables[after].counts:
            if col in self.tables[before].counts:
                self._add_sums(
                    self.cells(after, col, keep),
                    self.cells(before, col, rows[keep]),
                    np.arange(len(keep), dtype=np.int64),
                )

    # -- solving ------------------------------------------------------------------
    def _arrays(self) -> tuple[FloatArray, FloatArray, BoolArray, IntArray, IntArray, BoolArray]:
        """Cells (value, households, published) and relation entries (cell, relation,
        total side), read-only, concatenated once until the release changes."""
        if self._frozen is None:
            n = self._n_cells
            empty_i = np.zeros(0, dtype=np.int64)
            arrays = (
                self._value[:n].copy(),
                self._support[:n].copy(),
                self._published[:n].copy(),
                np.concatenate(self._rel_cell) if self._rel_cell else empty_i,
                np.concatenate(self._rel_id) if self._rel_id else empty_i,
                np.concatenate(self._rel_total) if self._rel_total else np.zeros(0, dtype=bool),
            )
            for a in arrays:
                a.setflags(write=False)
            self._frozen = arrays
        return self._frozen

    def hidden_cells(self) -> BoolArray:
        """Which cells are suppressed (published cells only; unpublished ones never show).

        Differences first (:meth:`_by_differences`); then the exact auditor looks for
        sensitive cells that a combination of relations still determines; each one found
        gets more cells hidden in its relations, and both steps run again, until the
        auditor finds nothing (components beyond its size are covered by differences).
        """
        if self._hidden is not None:
            return np.asarray(self._hidden.copy(), dtype=bool)
        _, support, published, rel_cell, rel_id, rel_total = self._arrays()
        forced = np.zeros(self._n_cells, dtype=bool)
        for _ in range(200):
            hidden = self._by_differences(forced)
            found = _determined(self, hidden)
            bad = found[(support[found] > ZERO) & (support[found] < self.threshold - 1e-9)]
            if not len(bad):
                self._hidden = hidden.copy()
                return hidden
            before = int(forced.sum())
            in_bad = np.isin(rel_cell, bad)
            for r in np.unique(rel_id[in_bad]):
                entries = np.flatnonzero(rel_id == r)
                cand = entries[published[rel_cell[entries]] & ~hidden[rel_cell[entries]]]
                if len(cand):
                    s = support[rel_cell[cand]]
                    key = np.lexsort((s, s <= ZERO, rel_total[cand]))
                    forced[rel_cell[cand[key[0]]]] = True
            if int(forced.sum()) == before:
                raise RuntimeError(
                    "Secondary suppression cannot protect a combination; this is a bug."
                )
        raise RuntimeError("Secondary suppression did not converge; this is a bug.")

    def _by_differences(self, forced: BoolArray) -> BoolArray:
        """Primary suppression, then hide more until no relation gives a sensitive cell
        away by difference (propagated to a fixed point)."""
        _, support, published, rel_cell, rel_id, rel_total = self._arrays()
        sensitive = (support > ZERO) & (support < self.threshold - 1e-9)
        hidden = (published & sensitive) | forced
        # Row bases: every count of a row whose base is hidden for fewer than 11 households.
        for name, t in self.tables.items():
            for child, parent in t.parts.items():
                hidden[self.cells(name, child)[sensitive[self.cells(name, parent)]]] = True
        n_rel = self._n_rel
        for _ in range(10_000):
            leaking, determined_by = self._leaking_relations(
                hidden,
                published,
                support,
                sensitive,
                rel_cell,
                rel_id,
                rel_total,
                n_rel,
                self.threshold,
            )
            if not len(leaking):
                return hidden
            before = int(hidden.sum())
            self._hide_more(
                leaking, determined_by, hidden, published, support, rel_cell, rel_id, rel_total
            )
            if int(hidden.sum()) == before:
                raise RuntimeError(
                    "Secondary suppression cannot protect a relation; this is a bug."
                )
        raise RuntimeError("Secondary suppression did not converge; this is a bug.")

    @staticmethod
    def _leaking_relations(
        hidden: BoolArray,
        published: BoolArray,
        support: FloatArray,
        sensitive: BoolArray,
        rel_cell: IntArray,
        rel_id: IntArray,
        rel_total: BoolArray,
        n_rel: int,
        threshold: int,
    ) -> tuple[IntArray, IntArray]:
        """Relations through which a sensitive cell (or group of cells) is recovered,
        propagating the cells that the published ones determine; and, for every cell, the
        relation that determined it (−1: none)."""
        unknown = hidden | ~published
        determined_by = np.full(len(unknown), -1, dtype=np.int64)
        while True:
            unk_entry = unknown[rel_cell]
            k = np.bincount(rel_id, weights=unk_entry, minlength=n_rel)
            single = np.flatnonzero(k == 1)
            # Group attack: the total is known, the unknown parts add up to 1-10 households.
            total_known = np.zeros(n_rel, dtype=bool)
            total_known[rel_id[rel_total]] = ~unknown[rel_cell[rel_total]]
            part_unk = unk_entry & ~rel_total
            s = np.bincount(rel_id[part_unk], weights=support[rel_cell[part_unk]], minlength=n_rel)
            group = np.flatnonzero(total_known & (k >= 2) & (s > ZERO) & (s < threshold - 1e-9))
            if len(single) == 0:
                return group, determined_by
            is_single = np.zeros(n_rel, dtype=bool)
            is_single[single] = True
            which = unk_entry & is_single[rel_id]
            determined = rel_cell[which]
            leaking = rel_id[which][sensitive[determined]]
            if len(leaking) or len(group):
                return np.unique(np.concatenate([leaking, group])), determined_by
            unknown[determined] = False
            determined_by[determined] = rel_id[which]

    @staticmethod
    def _hide_more(
        leaking: IntArray,
        determined_by: IntArray,
        hidden: BoolArray,
        published: BoolArray,
        support: FloatArray,
        rel_cell: IntArray,
        rel_id: IntArray,
        rel_total: BoolArray,
    ) -> None:
        """In each leaking relation, hide the published part with the fewest households
        (non-zero first), or the total when no part can be hidden. A relation with nothing
        left to hide passes the leak back to the relations that determined its cells."""
        todo = np.asarray(leaking, dtype=np.int64)
        seen = np.zeros(0, dtype=np.int64)
        while len(todo):
            seen = np.union1d(seen, todo)
            in_leak = np.isin(rel_id, todo)
            cand = in_leak & published[rel_cell] & ~hidden[rel_cell]
            idx = np.flatnonzero(cand)
            if len(idx):
                s = support[rel_cell[idx]]
                # Parts before totals, non-zero before zero, fewest households first.
                order = np.lexsort((s, s <= ZERO, rel_total[idx], rel_id[idx]))
                idx = idx[order]
                first = np.ones(len(idx), dtype=bool)
                first[1:] = rel_id[idx][1:] != rel_id[idx][:-1]
                hidden[rel_cell[idx[first]]] = True
            stuck = np.setdiff1d(todo, rel_id[idx])
            back = determined_by[rel_cell[np.isin(rel_id, stuck)]]
            todo = np.setdiff1d(back[back >= 0], seen)

    def publish(self) -> dict[str, SecretTable]:
        """Every table with its suppressed cells blanked (NaN) and shares rounded."""
        hidden = self.hidden_cells()
        _, support, *_ = self._arrays()
        out: dict[str, SecretTable] = {}
        for name, t in self.tables.items():
            frame = t.frame
            n = len(frame)
            mask: dict[str, BoolArray] = {}
            for col in t.counts:
                mask[col] = hidden[self.cells(name, col)].copy()

            def base_small(col: str, name: str = name, t: _Table = t) -> BoolArray:
                if col in t.counts:
                    s = support[self.cells(name, col)]
                    return np.asarray(s < self.threshold - 1e-9, dtype=bool)
                v = np.nan_to_num(t.frame[col].to_numpy(dtype=float, na_value=np.nan))
                return np.asarray(v < self.threshold, dtype=bool)

            none = np.zeros(n, dtype=bool)
            for m in t.measures:
                if isinstance(m, Share):
                    mask[m.column] = (
                        mask.get(m.numerator, none) | mask.get(m.base, none) | base_small(m.base)
                    )
                elif isinstance(m, Statistic):
                    mask[m.column] = base_small(m.base)
            for m in t.measures:  # derived figures, in declaration order
                if isinstance(m, Derived):
                    h = np.zeros(n, dtype=bool)
                    for src in m.sources:
                        h |= mask.get(src, none)
                    mask[m.column] = h
            table = frame.copy()
            full = pd.DataFrame(False, index=frame.index, columns=frame.columns)
            for m in t.measures:
                if isinstance(m, Share) and m.decimals is not None:
                    table[m.column] = table[m.column].astype(float).round(m.decimals)
            for col, h in mask.items():
                if h.any():
                    if pd.api.types.is_numeric_dtype(table[col]):
                        table[col] = table[col].astype(float)
                        table.loc[h, col] = np.nan
                    else:
                        table[col] = table[col].astype(object)
                        table.loc[h, col] = None
                    full.loc[h, col] = True
            out[name] = SecretTable(table, full)
        return out


def apply_secrecy(
    table: pd.DataFrame,
    measures: Sequence[Measure],
    *,
    total_rows: npt.ArrayLike | None = None,
    groups: npt.ArrayLike | None = None,
    threshold: int = THRESHOLD,
) -> SecretTable:
    """Blank (NaN) every cell that describes fewer than ``threshold`` households.

    Parameters
    ----------
    table : DataFrame
        One row per published line (a landlord, a commune, …), possibly with total rows.
    measures : sequence of Count, Share, Statistic, Derived
        What each published column rests on. Columns not listed are labels, never blanked.
    total_rows : array of bool, optional
        Which rows are totals of the others (of their ``groups``, when given).
    groups : array, optional
        Group of each row: a total row sums the other rows of its group only.

    Examples
    --------
    >>> t = pd.DataFrame({"bailleur": ["A", "B", "C", "Total"], "n": [40, 5, 30, 75]})
    >>> out = apply_secrecy(t, [Count("n")], total_rows=[False, False, False, True])
    >>> out.table["n"].tolist()
    [40.0, nan, nan, 75.0]
    """
    release = Release(threshold=threshold)
    release.add_table("t", table, measures)
    if total_rows is not None:
        release.add_totals("t", total_rows, groups)
    out = release.publish()["t"]
    return SecretTable(out.table.set_axis(table.index), out.suppressed.set_axis(table.index))


def parent_rows(child_keys: pd.Series, parent_keys: pd.Series) -> IntArray:
    """Row of ``parent_keys`` holding each child's parent key (−1 where there is none)."""
    index = pd.Index(parent_keys.astype(str))
    pos = index.get_indexer(pd.Index(child_keys.astype("string").fillna("\x00").astype(str)))
    return np.asarray(pos, dtype=np.int64)


def _determined(release: Release, hidden: BoolArray, *, max_component: int = 3000) -> IntArray:
    """Cells (hidden or unpublished) that the published ones determine: by differences to
    a fixed point, then exactly per small connected component (SVD null space)."""
    return np.asarray(_audit(release, hidden, max_component)[0]["cell"].to_numpy(), dtype=np.int64)


def recoverable(
    release: Release, *, max_component: int = 3000, hidden: BoolArray | None = None
) -> pd.DataFrame:
    """Audit: every hidden or unpublished cell whose value the published cells determine.

    The attacker knows every published cell and every relation (totals, sub-counts,
    nesting, changes over time). First by differences: a relation with one unknown cell
    gives it away, and the cells so found are used in turn, to a fixed point. Then
    exactly: per connected component of the remaining unknown cells (up to
    ``max_component`` cells), a cell is determined when the null space of the relations
    restricted to the unknowns is zero on it. Returns the determined cells with their
    value, households (``support``) and ``method``; ``attrs["unaudited"]`` counts the cells
    of larger components, audited by differences only. Secrecy holds when no determined
    cell has 1 to 10 households.

    ``hidden``: what the attacker does not see, when it is not the release's own
    suppression (a document that prints only some of the cells: every cell it does not
    print is hidden).
    """
    mask = release.hidden_cells() if hidden is None else np.asarray(hidden, dtype=bool)
    found, unaudited = _audit(release, mask.copy(), max_component)
    found.attrs["unaudited"] = unaudited
    return found


def _svd(a: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The full SVD of ``a``. LAPACK's divide-and-conquer driver (numpy's) can fail to
    converge on large ±1 matrices (seen on a landlord's stock of the full twin); the
    QR-iteration driver is slower but converges, and gives the same rank and null space."""
    try:
        return np.linalg.svd(a, full_matrices=True)
    except np.linalg.LinAlgError:
        import scipy.linalg  # type: ignore[import-untyped]

        return scipy.linalg.svd(a, full_matrices=True, lapack_driver="gesvd")  # type: ignore[no-any-return]


def _audit(release: Release, hidden: BoolArray, max_component: int) -> tuple[pd.DataFrame, int]:
    value, support, published, rel_cell, rel_id, rel_total = release._arrays()
    unknown = hidden | ~published
    n_rel = release._n_rel
    found_cells: list[IntArray] = []
    methods: list[str] = []
    while n_rel:
        unk_entry = unknown[rel_cell]
        k = np.bincount(rel_id, weights=unk_entry, minlength=n_rel)
        single = (k == 1)[rel_id] & unk_entry
        cells = np.unique(rel_cell[single])
        if not len(cells):
            break
        found_cells.append(cells)
        methods += ["différence"] * len(cells)
        unknown[cells] = False
    unaudited = 0
    if n_rel and unknown.any():
        from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
        from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

        unk = np.flatnonzero(unknown)
        local = np.full(len(value), -1, dtype=np.int64)
        local[unk] = np.arange(len(unk))
        entry = unknown[rel_cell]
        rows, cols = rel_id[entry], local[rel_cell[entry]]
        sign = np.where(rel_total[entry], -1.0, 1.0)
        size = n_rel + len(unk)
        graph = coo_matrix((np.ones(len(rows)), (rows, cols + n_rel)), shape=(size, size))
        _, labels = connected_components(graph, directed=False)
        cell_label = labels[n_rel:]
        order = np.argsort(cell_label[cols], kind="stable")
        comp_sizes = np.bincount(cell_label)
        bounds = np.r_[0, np.cumsum(np.bincount(cell_label[cols], minlength=len(comp_sizes)))]
        for comp in np.flatnonzero(comp_sizes):
            members = (
                np.flatnonzero(cell_label == comp) if comp_sizes[comp] <= max_component else None
            )
            if members is None:
                unaudited += int(comp_sizes[comp])
                continue
            sel = order[bounds[comp] : bounds[comp + 1]]
            if not len(sel):
                continue
            r_ids, inv_r = np.unique(rows[sel], return_inverse=True)
            a = np.zeros((len(r_ids), len(members)))
            np.add.at(a, (inv_r, np.searchsorted(members, cols[sel])), sign[sel])
            _, sv, vt = _svd(a)
            rank = int((sv > 1e-9 * max(1.0, float(sv.max(initial=0.0)))).sum())
            null = vt[rank:]
            free = (
                np.abs(null).max(axis=0) > 1e-9 if len(null) else np.zeros(len(members), dtype=bool)
            )
            fixed = unk[members[~free]]
            found_cells.append(fixed)
            methods += ["système linéaire"] * len(fixed)
    d = np.concatenate(found_cells) if found_cells else np.zeros(0, dtype=np.int64)
    out = pd.DataFrame({"cell": d, "value": value[d], "support": support[d], "method": methods})
    return out, unaudited


def leaks(release: Release, hidden: BoolArray | None = None) -> pd.DataFrame:
    """Determined cells that describe 1 to ``threshold − 1`` households (must be empty);
    ``hidden`` as in :func:`recoverable`."""
    found = recoverable(release, hidden=hidden)
    s = found["support"].to_numpy(dtype=float)
    return found[(s > ZERO) & (s < release.threshold - 1e-9)]
