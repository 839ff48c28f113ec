"""``segregation_indices``: every registered index, for every region, in one call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd

from mixite.indices._regions import Regions, regions_from
from mixite.indices.registry import INDICES, IndexSpec, MultiFn, SingleFn


def _column(units: pd.DataFrame, name: str, parameter: str) -> np.ndarray:
    if name not in units.columns:
        raise ValueError(
            f"The '{parameter}' parameter of segregation_indices must be a column of units. "
            f"Got {name!r}; available columns: {list(units.columns)}."
        )
    return units[name].to_numpy(dtype=float, na_value=np.nan)


#: Relative tolerance within which published fractional counts are reconciled: a group
#: above its total by less than this (times the total, at least 1) is the total, and a
#: count or a complement smaller than it is zero.
TOLERANCE = 1e-9


def reconcile(
    units: pd.DataFrame, x: np.ndarray, t: np.ndarray, group: str, total: str
) -> tuple[np.ndarray, np.ndarray]:
    """Snap ``x`` to 0 or to ``t`` where it lies within floating-point noise of them;
    refuse a group that exceeds its total by more than the tolerance.

    Examples
    --------
    >>> u = pd.DataFrame({"g": [1.0 + 1e-12, 0.5, 1e-13], "t": [1.0, 1.0, 2.0]})
    >>> reconcile(u, u["g"].to_numpy(), u["t"].to_numpy(), "g", "t")[0].tolist()
    [1.0, 0.5, 0.0]
    """
    tol = TOLERANCE * np.maximum(1.0, t)
    over = x > t + tol
    if over.any():
        raise ValueError(
            f"{int(over.sum())} unit(s) have more '{group}' than '{total}' "
            f"(beyond a relative tolerance of {TOLERANCE:g}); "
            f"first: {list(units.index[np.flatnonzero(over)][:10])}."
        )
    t = np.where(t <= TOLERANCE, 0.0, t)
    x = np.where(t - x <= tol, t, x)
    x = np.where(x <= tol, 0.0, x)
    return x, t


def _check_counts(units: pd.DataFrame, values: np.ndarray, names: Sequence[str]) -> None:
    bad_nan = np.isnan(values).any(axis=1)
    bad_neg = (values < -TOLERANCE).any(axis=1)
    for mask, rule in ((bad_nan, "missing (NaN) counts"), (bad_neg, "negative counts")):
        if mask.any():
            where = list(units.index[np.flatnonzero(mask)][:10])
            raise ValueError(
                f"{int(mask.sum())} unit(s) have {rule} in {list(names)}; first: {where}."
            )


def segregation_indices(
    units: pd.DataFrame,
    *,
    group: str | None = None,
    groups: Sequence[str] | None = None,
    total: str | None = None,
    by: str | None = None,
    indices: Sequence[str] | None = None,
    ordered: bool = False,
) -> pd.DataFrame:
    """One row per region (``by``), one column per index of the registry.

    Parameters
    ----------
    units : DataFrame
        One row per areal unit (200 m cell, IRIS, …).
    group, total : str, optional
        Columns of the group count and the unit's population (single-group indices).
    groups : sequence of str, optional
        Columns of the counts of mutually exclusive groups (multigroup indices). When
        only ``group`` and ``total`` are given, the multigroup indices use the two
        groups "group" and "everyone else".
    by : str, optional
        Column of region labels: every index is computed for every region at once.
    indices : sequence of str, optional
        Registry names to compute (default: every one the inputs allow, except
        ``bias_corrected_dissimilarity``, computed only when named).
    ordered : bool
        ``groups`` are ordered (income classes…): ordinal indices are computed too.

    Returns
    -------
    DataFrame indexed by region, with ``unites`` (units), ``population`` and the indices.

    Notes
    -----
    Units with no population contribute nothing. A region whose group is absent or
    is the whole population gets NaN for the single-group indices. Multigroup and
    ordinal indices are computed over the groups present in each region (an absent
    group is dropped, as if it were not listed); a region with fewer than two groups
    present gets NaN. Counts are reconciled within :data:`TOLERANCE` (see
    :func:`reconcile`).

    Examples
    --------
    >>> u = pd.DataFrame({"pauvres": [10, 0, 5, 5], "menages": [10, 10, 10, 10], "ville": ["a", "a", "b", "b"]})
    >>> out = segregation_indices(u, group="pauvres", total="menages", by="ville", indices=["dissimilarity"])
    >>> out["dissimilarity"].to_dict()
    {'a': 1.0, 'b': 0.0}
    """
    if group is None and groups is None:
        raise ValueError("segregation_indices needs 'group' and 'total', or 'groups'; got neither.")
    if (group is None) != (total is None):
        raise ValueError("The 'group' and 'total' parameters of segregation_indices go together.")
    wanted = list(indices) if indices is not None else None
    if wanted is not None:
        unknown = [n for n in wanted if n not in INDICES]
        if unknown:
            raise ValueError(f"Unknown indices {unknown}; available: {list(INDICES)}.")
    x = t = None
    if group is not None and total is not None:
        x = _column(units, group, "group")
        t = _column(units, total, "total")
        _check_counts(units, np.column_stack([x, t]), [group, total])
        x, t = reconcile(units, x, t, group, total)
    if groups is not None:
        n = np.column_stack([_column(units, g, "groups") for g in groups])
        _check_counts(units, n, list(groups))
        n = np.where(n <= TOLERANCE * np.maximum(1.0, n.sum(axis=1, keepdims=True)), 0.0, n)
        if len(groups) < 2:
            raise ValueError(f"Multigroup indices need at least 2 groups; got {list(groups)}.")
    elif x is not None and t is not None:
        n = np.column_stack([x, t - x])
    else:
        n = None
    if n is not None:
        n.setflags(write=False)  # lets the multigroup indices share their group shares
    regions = regions_from(units[by] if by is not None else None, len(units), by or "region")
    population = t if t is not None else n.sum(axis=1)  # type: ignore[union-attr]
    out = pd.DataFrame(
        {"unites": regions.count(), "population": regions.sum(population)}, index=regions.labels
    )
    if wanted is not None:
        specs = [INDICES[k] for k in wanted]
        if any(s.family == "ordinal" for s in specs) and groups is None:
            raise ValueError("Ordinal indices need 'groups' in their order (e.g. income classes).")
    else:
        specs = [
            s
            for s in INDICES.values()
            if (s.family != "ordinal" or (ordered and groups is not None)) and not s.on_request
        ]
    for spec in specs:
        _compute(spec, out, x, t, n, regions, explicit=wanted is not None)
    return out


def _compute(
    spec: IndexSpec,
    out: pd.DataFrame,
    x: np.ndarray | None,
    t: np.ndarray | None,
    n: np.ndarray | None,
    regions: Regions,
    *,
    explicit: bool,
) -> None:
    """Fill ``out[spec.name]``; regions where the index is undefined get NaN silently."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if spec.family == "single":
            if x is None or t is None:
                if explicit:
                    raise ValueError(
                        f"Index {spec.name!r} is single-group: give 'group' and 'total'."
                    )
                return
            single = cast(SingleFn, spec.compute)
            out[spec.name] = single(x, t, regions)
        elif n is not None:
            if spec.family == "ordinal" and n.shape[1] < 3:
                raise ValueError(f"Ordinal index {spec.name!r} needs at least 3 ordered groups.")
            multi = cast(MultiFn, spec.compute)
            values = multi(n, regions)
            present = np.column_stack([regions.sum(n[:, k]) > 0 for k in range(n.shape[1])])
            out[spec.name] = np.where(present.sum(axis=1) >= 2, values, np.nan)
        if spec.name in out:
            out[spec.name] = _within_bounds(out[spec.name].to_numpy(dtype=float), spec)


#: How far past its bound rounding may carry an index before it is a bug, not rounding.
ROUNDING = 1e-6


def _within_bounds(values: np.ndarray, spec: IndexSpec) -> np.ndarray:
    """Values a few ulps past a finite bound (0 ≤ D ≤ 1…) set to the bound.

    Shares of a group that is nearly the whole region (π ≈ 1 − 1e-8) lose digits in
    π − π_k and 1 − π; the excess is ~1e-9. Anything further out is left as is, so that
    the bound tests still catch a wrong formula.
    """
    out = values.copy()
    for bound, past in ((spec.lower, out < spec.lower), (spec.upper, out > spec.upper)):
        if np.isfinite(bound):
            near = past & (np.abs(out - bound) <= ROUNDING * max(1.0, abs(bound)))
            out[near] = bound
    return out
