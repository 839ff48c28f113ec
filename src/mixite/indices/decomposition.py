"""Answering « at which scale? »: exact decompositions of the mutual information index M.

**Across nested scales** (Theil 1972; Mora & Ruiz-Castillo 2011): for units nested in
level-1 areas nested in level-0 areas,

    M(units) = M(level 0) + Σ_a (T_a/T) M_a(level 1 within a) + Σ_b (T_b/T) M_b(units within b),

each term the segregation that lies *at* that scale. H = M / E splits the same way.

**Between two dates** (Elbers 2023, Sociological Methods & Research 52(1)): ΔM splits
into units that appeared or disappeared, changes of the unit marginals (who lives where
in size), of the group marginals (composition of the population), and structural change
(the association itself), the marginal effects being separated by iterative
proportional fitting and a Shapley average over the two orders.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.indices._regions import FloatArray, regions_from, single_region
from mixite.indices.multigroup import mutual_information


def _m(table: FloatArray) -> float:
    """M of a units × groups table (one region)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(mutual_information(table, single_region(len(table)))[0])


def _entropy(table: FloatArray) -> float:
    p = table.sum(axis=0) / table.sum()
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


@dataclass(frozen=True)
class ScaleDecomposition:
    """One row per scale: the part of M (and H) that lies at that scale."""

    table: pd.DataFrame
    total_m: float
    entropy: float


def decompose_scales(
    units: pd.DataFrame, *, groups: Sequence[str], levels: Sequence[str]
) -> ScaleDecomposition:
    """Split M over nested levels, from the coarsest (``levels[0]``) to the units (rows).

    Raises ``ValueError`` if a level is not nested in the previous one (an area of level
    j + 1 in two areas of level j).

    Examples
    --------
    >>> u = pd.DataFrame({"a": [10, 0, 5, 5], "b": [0, 10, 5, 5], "ville": ["x", "x", "y", "y"]})
    >>> d = decompose_scales(u, groups=["a", "b"], levels=["ville"])
    >>> d.table["m"].round(4).tolist()
    [0.0, 0.3466]
    """
    n = units[list(groups)].to_numpy(dtype=float)
    for upper, lower in itertools.pairwise(levels):
        parents = units.groupby(lower)[upper].nunique()
        if (parents > 1).any():
            bad = list(parents[parents > 1].index[:5])
            raise ValueError(
                f"Level {lower!r} is not nested in {upper!r}: {bad} belong to several."
            )
    T = n.sum()
    rows = []
    keys = [*levels, None]
    for depth, level in enumerate(keys):
        outer = list(levels[:depth])
        label = level if level is not None else "unités"
        inner = units.index.to_series() if level is None else units[level]
        frame = pd.DataFrame(n, columns=list(groups))
        frame["_inner"] = inner.to_numpy()
        frame["_outer"] = (
            units[outer].astype(str).agg("|".join, axis=1).to_numpy() if outer else "ensemble"
        )
        agg = frame.groupby(["_outer", "_inner"], sort=True)[list(groups)].sum().reset_index()
        r = regions_from(agg["_outer"], len(agg))
        counts = agg[list(groups)].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            m_within = np.nan_to_num(mutual_information(counts, r))
        weights = r.sum(counts.sum(axis=1)) / T
        component = float((weights * m_within).sum())
        rows.append(
            {
                "echelle": label,
                "composante": "entre" if depth == 0 else f"dans {levels[depth - 1]}",
                "m": component,
            }
        )
    table = pd.DataFrame(rows)
    total = _m(n)
    e = _entropy(n)
    table["part"] = table["m"] / total if total > 0 else np.nan
    table["h"] = table["m"] / e
    return ScaleDecomposition(table, total, e)


def _ipf(
    table: FloatArray,
    rows: FloatArray,
    cols: FloatArray,
    *,
    tol: float = 1e-12,
    max_iter: int = 5000,
) -> FloatArray:
    """Scale ``table`` to the given row and column sums (iterative proportional fitting)."""
    out = table.astype(float).copy()
    for _ in range(max_iter):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(out.sum(axis=1) > 0, rows / out.sum(axis=1), 0.0)
            out *= r[:, None]
            c = np.where(out.sum(axis=0) > 0, cols / out.sum(axis=0), 0.0)
            out *= c[None, :]
        if np.abs(out.sum(axis=1) - rows).max() < tol * max(1.0, rows.sum()):
            break
    return out


@dataclass(frozen=True)
class ChangeDecomposition:
    """ΔM = removals + unit marginals + group marginals + structural + additions."""

    m_before: float
    m_after: float
    removals: float
    unit_marginals: float
    group_marginals: float
    structural: float
    additions: float

    @property
    def total(self) -> float:
        return self.m_after - self.m_before

    def table(self) -> pd.DataFrame:
        parts = {
            "unités disparues": self.removals,
            "marges des unités (taille)": self.unit_marginals,
            "marges des groupes (composition)": self.group_marginals,
            "changement structurel": self.structural,
            "unités apparues": self.additions,
        }
        return pd.DataFrame({"composante": list(parts), "variation_m": list(parts.values())})


def decompose_change(
    before: pd.DataFrame, after: pd.DataFrame, *, unit: str, groups: Sequence[str]
) -> ChangeDecomposition:
    """Elbers' (2023) decomposition of the change of M between two dates."""
    a = before.set_index(unit)[list(groups)].astype(float)
    b = after.set_index(unit)[list(groups)].astype(float)
    a = a[a.sum(axis=1) > 0]
    b = b[b.sum(axis=1) > 0]
    common = a.index.intersection(b.index)
    A, B = a.loc[common].to_numpy(), b.loc[common].to_numpy()
    m_a_full, m_b_full = _m(a.to_numpy()), _m(b.to_numpy())
    m_a, m_b = _m(A), _m(B)
    rows_b, cols_b = B.sum(axis=1), B.sum(axis=0)
    rows_a, cols_a = A.sum(axis=1), A.sum(axis=0)
    # Rescale B's margins to A's total so only the distributions change.
    scale = A.sum() / B.sum()
    both = _ipf(A, rows_b * scale, cols_b * scale)
    only_rows = _ipf(A, rows_b * scale, cols_a)
    only_cols = _ipf(A, rows_a, cols_b * scale)
    m_both, m_rows, m_cols = _m(both), _m(only_rows), _m(only_cols)
    unit_part = 0.5 * ((m_rows - m_a) + (m_both - m_cols))
    group_part = 0.5 * ((m_cols - m_a) + (m_both - m_rows))
    return ChangeDecomposition(
        m_before=m_a_full,
        m_after=m_b_full,
        removals=m_a - m_a_full,
        unit_marginals=unit_part,
        group_marginals=group_part,
        structural=m_b - m_both,
        additions=m_b_full - m_b,
    )
