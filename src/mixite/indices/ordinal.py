"""Ordinal segregation indices, for ordered groups (income classes, deciles).

Ordered groups 1 … K; c_k = share of the population in groups ≤ k (k = 1 … K − 1).

- **Ordinal variation** (Reardon 2009): v = 1/(K − 1) Σ_k f(c_k) with f the binary
  entropy in bits (``ordinal_information``) or 4 c (1 − c) (``ordinal_variation``); the
  index is Λ = 1 − Σ_i t_i v_i / (T v), 0 when every unit has the region's distribution,
  1 when every unit holds a single group.
- **Rank-order information theory index** H^R (Reardon, Firebaugh, O'Sullivan &
  Matthews 2006; Reardon & Bischoff 2011): the binary H at each threshold, H(c_k), is
  fitted by a polynomial in c of degree min(4, K − 2) by least squares weighted by E(c)²,
  then H^R = 2 ln 2 ∫₀¹ E(p) H(p) dp with E the binary entropy in bits. It is an
  approximation: with few categories the fitted curve can leave [0, 1] slightly near
  the ends (Reardon & Bischoff recommend five or more ordered groups).

Reardon (2009), "Measures of ordinal segregation", Research on Economic Inequality 17.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mixite.indices._regions import FloatArray, Regions
from mixite.indices.singlegroup import entropy as binary_h


def _cumulative(n: FloatArray, r: Regions) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    t = n.sum(axis=1)
    T = r.sum(t)
    cum = np.cumsum(n, axis=1)[:, :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        c_i = cum / t[:, None]
        C = np.column_stack([r.sum(cum[:, k]) for k in range(cum.shape[1])]) / T[:, None]
    return t, T, np.nan_to_num(c_i), C


def _bits(c: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -(c * np.log2(c) + (1 - c) * np.log2(1 - c))
    return np.asarray(np.nan_to_num(e), dtype=np.float64)


def _lambda(n: FloatArray, r: Regions, f: Callable[[FloatArray], FloatArray]) -> FloatArray:
    t, T, c_i, C = _cumulative(n, r)
    K1 = n.shape[1] - 1
    v_region = f(C).sum(axis=1) / K1
    v_unit = f(c_i).sum(axis=1) / K1
    return np.asarray(1 - r.sum(t * v_unit) / (T * v_region), dtype=float)


def ordinal_information(n: FloatArray, r: Regions) -> FloatArray:
    """Λ with the entropy-based ordinal variation (Reardon 2009)."""
    return _lambda(n, r, _bits)


def ordinal_variation(n: FloatArray, r: Regions) -> FloatArray:
    """Λ with the squared ordinal variation v = 1/(K − 1) Σ 4 c_k (1 − c_k) (Reardon 2009)."""
    return _lambda(n, r, lambda c: 4 * c * (1 - c))


def _delta(m: int) -> float:
    """2 ln 2 ∫₀¹ E(p) pᵐ dp with E in bits, in closed form.

    ∫ p^(m+1) ln p = −1/(m+2)² and ∫ p^m (1−p) ln(1−p) = −(Σ_{j=2}^{m+2} 1/j) / ((m+1)(m+2))
    (a Beta-function derivative), so δ_m = 2 [1/(m+2)² + (Σ_{j=2}^{m+2} 1/j)/((m+1)(m+2))].

    Examples
    --------
    >>> _delta(0)
    1.0
    """
    harmonic = sum(1 / j for j in range(2, m + 3))
    return 2 * (1 / (m + 2) ** 2 + harmonic / ((m + 1) * (m + 2)))


def rank_order_information(n: FloatArray, r: Regions) -> FloatArray:
    """H^R, from the binary H at each of the K − 1 thresholds (polynomial fit)."""
    K1 = n.shape[1] - 1
    if K1 < 2:
        raise ValueError("The rank-order index needs at least 3 ordered groups.")
    t, _T, _c_i, C = _cumulative(n, r)
    cum = np.cumsum(n, axis=1)[:, :-1]
    H = np.column_stack([binary_h(cum[:, k], t, r) for k in range(K1)])
    degree = min(4, K1 - 1)
    deltas = np.array([_delta(m) for m in range(degree + 1)])
    # Weighted least squares for every region at once (normal equations, batched solve).
    ok = np.isfinite(H)
    w = np.where(ok, _bits(C), 0.0)
    y = np.where(ok, H, 0.0) * w
    X = (C[:, :, None] ** np.arange(degree + 1)[None, None, :]) * w[:, :, None]
    A = np.einsum("rkm,rkn->rmn", X, X)
    b = np.einsum("rkm,rk->rm", X, y)
    enough = ok.sum(axis=1) > degree
    A[~enough] = np.eye(degree + 1)
    beta = np.linalg.solve(A, b[:, :, None])[:, :, 0]
    return np.where(enough, beta @ deltas, np.nan)
