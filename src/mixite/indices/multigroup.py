"""Aspatial multigroup indices (K groups partitioning the population).

Notation: unit i has ``n_ik`` people of group k, ``t_i = Σ_k n_ik``; in its region
``T = Σ t_i``, ``π_k = N_k / T`` and ``π_ik = n_ik / t_i``; ``I = Σ_k π_k (1 − π_k)``
(Simpson's interaction) and ``E = −Σ_k π_k ln π_k`` (entropy).

References: Reardon & Firebaugh (2002) Sociological Methodology 32; Theil & Finezza
(1971); Mora & Ruiz-Castillo (2011) Sociological Methodology 41 (mutual information M);
Elbers (2023) Sociological Methods & Research 52(1).
"""

from __future__ import annotations

import numpy as np

from mixite.indices._regions import FloatArray, Regions

Shares = tuple[FloatArray, FloatArray, FloatArray, FloatArray]
_LAST: list[tuple[FloatArray, Regions, Shares]] = []
_DEVIATIONS: list[tuple[FloatArray, FloatArray]] = []


def _deviation(pi_ik: FloatArray, pi_k: FloatArray, r: Regions) -> FloatArray:
    """π_ik − π_k of each unit [n×K], kept for the last shared (read-only) shares."""
    if _DEVIATIONS and _DEVIATIONS[0][0] is pi_ik:
        return _DEVIATIONS[0][1]
    dev = np.asarray(pi_ik - pi_k[r.codes], dtype=float)
    if _LAST and _LAST[0][2][3] is pi_ik:
        _DEVIATIONS[:] = [(pi_ik, dev)]
    return dev


def _prepare(n: FloatArray, r: Regions) -> Shares:
    """(t_i, T per region, π_k per region [R×K], π_ik [n×K]), computed once per input.

    The batch function calls every multigroup index on the same read-only arrays; for
    those, the last result is kept (the very same ``n`` and ``r`` objects, held so that
    their identity cannot be reused) and the shares are built once. A writable ``n``
    could change between calls, so its shares are always recomputed.
    """
    if n.flags.writeable:
        return _compute_shares(n, r)
    if _LAST and _LAST[0][0] is n and _LAST[0][1] is r:
        return _LAST[0][2]
    value = _compute_shares(n, r)
    _LAST[:] = [(n, r, value)]
    _DEVIATIONS.clear()
    return value


def _compute_shares(
    n: FloatArray, r: Regions
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    t = n.sum(axis=1)
    T = r.sum(t)
    Nk = np.column_stack([r.sum(n[:, k]) for k in range(n.shape[1])])
    with np.errstate(divide="ignore", invalid="ignore"):
        pi_k = Nk / T[:, None]
        pi_ik = np.where(t[:, None] > 0, n / np.where(t > 0, t, 1)[:, None], 0.0)
    return t, T, pi_k, pi_ik


def _complement(pi_k: FloatArray) -> FloatArray:
    """1 − π_k as the sum of the other groups' shares: « 1 − π_k » loses every digit
    when group k is nearly the whole region."""
    K = pi_k.shape[1]
    return np.column_stack([np.delete(pi_k, k, axis=1).sum(axis=1) for k in range(K)])


def _simpson(pi_k: FloatArray) -> FloatArray:
    return np.asarray((pi_k * _complement(pi_k)).sum(axis=1), dtype=float)


def multi_dissimilarity(n: FloatArray, r: Regions) -> FloatArray:
    """D = Σ_k Σ_i t_i |π_ik − π_k| / (2 T I)."""
    t, T, pi_k, pi_ik = _prepare(n, r)
    dev = np.abs(_deviation(pi_ik, pi_k, r)).sum(axis=1)
    return r.sum(t * dev) / (2 * T * _simpson(pi_k))


def multi_gini(n: FloatArray, r: Regions) -> FloatArray:
    """G = Σ_k Σ_i Σ_j t_i t_j |π_ik − π_jk| / (2 T² I), by sorting within each group."""
    t, T, pi_k, pi_ik = _prepare(n, r)
    pairs = np.zeros(r.n)
    # With two groups π_i2 = 1 − π_i1: both groups give the same pair sum.
    groups = range(1) if n.shape[1] == 2 else range(n.shape[1])
    for k in groups:
        p = pi_ik[:, k]
        order = r.order_by_value(p)
        w_before = r.segment_cumsum(t, order)
        s_before = r.segment_cumsum(t * p, order)
        contrib = np.empty_like(p)
        contrib[order] = t[order] * (p[order] * w_before - s_before)
        pairs += 2 * r.sum(contrib)
    if n.shape[1] == 2:
        pairs *= 2
    return pairs / (2 * T**2 * _simpson(pi_k))


def multi_normalized_exposure(n: FloatArray, r: Regions) -> FloatArray:
    """P = Σ_k Σ_i (t_i / T)(π_ik − π_k)² / (1 − π_k)."""
    t, T, pi_k, pi_ik = _prepare(n, r)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = (_deviation(pi_ik, pi_k, r) ** 2 / _complement(pi_k)[r.codes]).sum(axis=1)
    return r.sum(t * np.nan_to_num(term)) / T


def _entropy_rows(p: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(-np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=1), dtype=float)


def multi_information_theory(n: FloatArray, r: Regions) -> FloatArray:
    """Theil's H = Σ_i t_i (E − E_i) / (E T) = M / E."""
    t, T, pi_k, pi_ik = _prepare(n, r)
    E = _entropy_rows(pi_k)
    return r.sum(t * (E[r.codes] - _entropy_rows(pi_ik))) / (E * T)


def mutual_information(n: FloatArray, r: Regions) -> FloatArray:
    """Mutual information M = Σ_i (t_i / T) Σ_k π_ik ln(π_ik / π_k) (natural log, nats).

    M decomposes exactly over nested partitions (Mora & Ruiz-Castillo 2011): see
    :mod:`mixite.indices.decomposition`.
    """
    t, T, pi_k, pi_ik = _prepare(n, r)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pi_ik > 0, pi_ik * np.log(pi_ik / pi_k[r.codes]), 0.0)
    return r.sum(t * ratio.sum(axis=1)) / T


def multi_relative_diversity(n: FloatArray, r: Regions) -> FloatArray:
    """R = Σ_k Σ_i t_i (π_ik − π_k)² / (T I) (Carlson 1992)."""
    t, T, pi_k, pi_ik = _prepare(n, r)
    dev = (_deviation(pi_ik, pi_k, r) ** 2).sum(axis=1)
    return r.sum(t * dev) / (T * _simpson(pi_k))


def multi_squared_coefficient_of_variation(n: FloatArray, r: Regions) -> FloatArray:
    """C = Σ_k Σ_i t_i (π_ik − π_k)² / ((K − 1) T π_k) (Reardon & Firebaugh 2002).

    Over the K groups present in the region: an absent group (π_k = 0) is dropped from
    the sum and from K, never turned into a zero for the whole unit.
    """
    t, T, pi_k, pi_ik = _prepare(n, r)
    present = pi_k > 0
    K = present.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(
            present[r.codes],
            _deviation(pi_ik, pi_k, r) ** 2 / np.where(present, pi_k, 1)[r.codes],
            0,
        ).sum(axis=1)
        return np.asarray(r.sum(t * term) / ((K - 1) * T), dtype=float)


def simpson_interaction(n: FloatArray, r: Regions) -> FloatArray:
    """Simpson's interaction I = Σ_k π_k (1 − π_k): the chance that two people drawn from
    the region belong to different groups (a diversity measure, not a segregation one)."""
    _t, _T, pi_k, _pi_ik = _prepare(n, r)
    return _simpson(pi_k)


def simpson_concentration(n: FloatArray, r: Regions) -> FloatArray:
    """Simpson's concentration λ = Σ_k π_k² = 1 − I: the chance that two people drawn
    from the region belong to the same group."""
    _t, _T, pi_k, _pi_ik = _prepare(n, r)
    return np.asarray((pi_k**2).sum(axis=1), dtype=float)


def multi_diversity(n: FloatArray, r: Regions) -> FloatArray:
    """Entropy of the region's composition E = −Σ_k π_k ln π_k (at most ln K)."""
    _t, _T, pi_k, _pi_ik = _prepare(n, r)
    return _entropy_rows(pi_k)


def multi_normalized_diversity(n: FloatArray, r: Regions) -> FloatArray:
    """E / ln K, K the groups present in the region (1 when they are equally many)."""
    _t, _T, pi_k, _pi_ik = _prepare(n, r)
    K = (pi_k > 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(_entropy_rows(pi_k) / np.log(K), dtype=float)


def exposure_matrix(n: FloatArray, r: Regions) -> FloatArray:
    """Isolation/exposure matrix [R×K×K]: entry (k, l) = Σ_i (n_ik / N_k) π_il, the average
    share of group l in the unit of a member of group k (diagonal: isolation)."""
    _t, T, pi_k, pi_ik = _prepare(n, r)
    K = n.shape[1]
    Nk = pi_k * T[:, None]
    out = np.empty((r.n, K, K))
    for k in range(K):
        for m in range(K):
            out[:, k, m] = r.sum(n[:, k] * pi_ik[:, m]) / Nk[:, k]
    return out
