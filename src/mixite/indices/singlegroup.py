"""Aspatial single-group indices (one group against the rest of the population).

Notation: unit i has ``x_i`` members of the group among ``t_i`` people; in its region
``X = Σ x_i``, ``T = Σ t_i``, ``P = X / T`` and ``p_i = x_i / t_i``. Units with
``t_i = 0`` hold nobody and contribute nothing. A region where the group is absent or
is everybody (P = 0 or 1) has no segregation to measure: NaN.

References: Massey & Denton (1988) Social Forces 67(2); James & Taeuber (1985)
Sociological Methodology 15; Atkinson (1970) J. Econ. Theory 2; Theil (1972).
"""

from __future__ import annotations

import numpy as np

from mixite.indices._regions import FloatArray, Regions


def _shares(
    x: FloatArray, t: FloatArray, r: Regions
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    X = r.sum(x)
    T = r.sum(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        P = X / T
        p = np.where(t > 0, x / np.where(t > 0, t, 1), 0.0)
    return X, T, np.where((P > 0) & (P < 1), P, np.nan), p


def _defined(values: FloatArray, P: FloatArray) -> FloatArray:
    """``values`` where the region has both the group and others, NaN elsewhere."""
    return np.where(np.isnan(P), np.nan, values)


def dissimilarity(x: FloatArray, t: FloatArray, r: Regions) -> FloatArray:
    """Index of dissimilarity D = ½ Σ |x_i / X − (t_i − x_i) / (T − X)|.

    Share of the group that would have to move for every unit to have the region's
    composition. Duncan & Duncan (1955) ASR 20(2).
    """
    X, T, P, _ = _shares(x, t, r)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.abs(x / r.spread(X) - (t - x) / r.spread(T - X))
    return _defined(0.5 * r.sum(np.nan_to_num(term)), P)


def gini(x: FloatArray, t: FloatArray, r: Regions) -> FloatArray:
    """Gini index G = Σ_i Σ_j t_i t_j |p_i − p_j| / (2 T² P (1 − P)).

    Computed in O(n log n) by sorting units on ``p_i`` within each region:
    Σ_i Σ_j t_i t_j |p_i − p_j| = 2 Σ_i t_i (p_i W_i − S_i) with W_i, S_i the sums of
    t_j and t_j p_j over the units before i.
    """
    _x, T, P, p = _shares(x, t, r)
    order = r.sorted_within(p)
    w_before = r.segment_cumsum(t, order)
    s_before = r.segment_cumsum(t * p, order)
    contrib = np.empty_like(p)
    contrib[order] = t[order] * (p[order] * w_before - s_before)
    pairs = 2 * r.sum(contrib)
    return pairs / (2 * T**2 * P * (1 - P))


def _entropy(q: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -(q * np.log(q) + (1 - q) * np.log(1 - q))
    return np.nan_to_num(e)


def entropy(x: FloatArray, t: FloatArray, r: Regions) -> FloatArray:
    """Theil's information theory index H = Σ t_i (E − E_i) / (E T), E the binary entropy."""
    _x, T, P, p = _shares(x, t, r)
    E = _entropy(P)
    return r.sum(t * (r.spread(E) - _entropy(p))) / (E * T)


def isolation(x: FloatArray, t: FloatArray, r: Regions) -> FloatArray:
    """Isolation xPx = Σ (x_i / X)(x_i / t_i): the group share in a member's unit."""
    X, _t, P, p = _shares(x, t, r)
    return _defined(r.sum(x / r.spread(X) * p), P)


def exposure(x: FloatArray, t: FloatArray, r: Regions) -> FloatArray:
    """Exposure (interaction) xPy = Σ (x_i / X)((t_i − x_i) / t_i)."""
    X, _t, P, p = _shares(x, t, r)
    return _defined(r.sum(x / r.spread(X) * (1 - p)), P)


def correlation_ratio(x: FloatArray, t: FloatArray, r: Regions) -> FloatArray:
    """Correlation ratio V = (xPx − P) / (1 − P) (eta²)."""
    _x, _t, P, _p = _shares(x, t, r)
    return (isolation(x, t, r) - P) / (1 - P)


def atkinson(x: FloatArray, t: FloatArray, r: Regions, *, b: float = 0.5) -> FloatArray:
    """Atkinson index A_b = 1 − P/(1 − P) |Σ (1 − p_i)^(1−b) p_i^b t_i / (P T)|^(1/(1−b)).

    ``b`` in (0, 1) weighs units where the group is over-represented (b > 0.5) or
    under-represented (b < 0.5). James & Taeuber (1985).
    """
    if not 0 < b < 1:
        raise ValueError(f"The 'b' parameter of atkinson must be in (0, 1); got {b}.")
    _x, T, P, p = _shares(x, t, r)
    s = r.sum((1 - p) ** (1 - b) * p**b * t)
    return 1 - P / (1 - P) * np.abs(s / (P * T)) ** (1 / (1 - b))
