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
from mixite.indices._regions import blocks as blocks_of


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


def bias_corrected_dissimilarity(
    x: FloatArray,
    t: FloatArray,
    r: Regions,
    *,
    draws: int = 500,
    rng: np.random.Generator | None = None,
) -> FloatArray:
    """Allen et al.'s (2015) bootstrap bias-corrected D: D_bc = 2 D − mean_b D_b.

    Each replicate redraws the group's members and the others over the units with the
    observed unit shares (multinomial, counts rounded to persons), for every region at
    once. Seeded: ``rng`` defaults to ``numpy.random.default_rng(0)``.
    Allen, Burgess, Davidson & Windmeijer (2015), The Econometrics Journal 18(1).
    """
    gen = rng if rng is not None else np.random.default_rng(0)
    d = dissimilarity(x, t, r)
    y = t - x
    if r.n <= 5000:
        # Up to a few thousand regions: numpy's multinomial draws all the replicates of a
        # region at once, faster than any stacked scheme (a loop over regions, by design).
        replicate = np.zeros((draws, r.n))
        for k in range(r.n):
            sel = r.codes == k
            xb = _multinomial_block(x[sel], draws, gen)
            yb = _multinomial_block(y[sel], draws, gen)
            with np.errstate(divide="ignore", invalid="ignore"):
                replicate[:, k] = dissimilarity(
                    xb.ravel(), (xb + yb).ravel(), blocks_of(draws, int(sel.sum()))
                )
        return np.asarray(2 * d - replicate.mean(axis=0), dtype=float)
    replicate = np.zeros((draws, r.n))
    for b in range(draws):  # many regions: a loop over replicates, each vectorized over regions
        xb = _multinomial_within(x, r, gen)
        yb = _multinomial_within(y, r, gen)
        with np.errstate(divide="ignore", invalid="ignore"):
            replicate[b] = dissimilarity(xb, xb + yb, r)
    return np.asarray(2 * d - replicate.mean(axis=0), dtype=float)


def _multinomial_block(counts: FloatArray, draws: int, gen: np.random.Generator) -> np.ndarray:
    total = int(np.rint(counts.sum()))
    share = counts / counts.sum() if counts.sum() > 0 else np.full(len(counts), 1 / len(counts))
    return gen.multinomial(total, share / share.sum(), size=draws).astype(float)


def _multinomial_within(counts: FloatArray, r: Regions, gen: np.random.Generator) -> FloatArray:
    """Redraw each region's total of ``counts`` over its units, with the observed shares."""
    totals = np.rint(r.sum(counts)).astype(np.int64)
    order = np.argsort(r.codes, kind="stable")
    codes = r.codes[order]
    share = counts[order] / np.where(r.sum(counts) > 0, r.sum(counts), 1)[codes]
    cum = codes + np.cumsum(share) - np.r_[0.0, np.cumsum(share)][_region_starts(codes)][codes]
    region_of_draw = np.repeat(np.arange(r.n), totals)
    positions = region_of_draw + gen.random(len(region_of_draw)) * (1 - 1e-12)
    hit = np.minimum(np.searchsorted(cum, positions, side="right"), len(cum) - 1)
    return np.bincount(order[hit], minlength=len(counts)).astype(float)


def _region_starts(codes: np.ndarray) -> np.ndarray:
    """Index of the first unit of each region in a region-sorted code array."""
    starts = np.zeros(int(codes.max(initial=-1)) + 1, dtype=np.int64)
    change = np.r_[0, np.flatnonzero(np.diff(codes)) + 1]
    starts[codes[change]] = change
    return starts


def density_corrected_dissimilarity(x: FloatArray, t: FloatArray, r: Regions) -> FloatArray:
    """Allen et al.'s (2015) density-corrected D: ½ Σ_j σ_j θ*_j.

    σ_j = √(p1_j (1 − p1_j)/n1 + p0_j (1 − p0_j)/n0) with p0_j = x_j/X, p1_j = y_j/Y;
    θ̂_j = |p1_j − p0_j| / σ_j and θ*_j the mode of the folded normal with location θ̂_j:
    0 when θ̂_j ≤ 1, else the root of θ* = θ̂ tanh(θ̂ θ*) (Newton, to 10⁻¹⁴).
    """
    y = t - x
    X, Y = r.sum(x), r.sum(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = x / r.spread(X)
        p1 = y / r.spread(Y)
        sigma = np.sqrt(p1 * (1 - p1) / r.spread(Y) + p0 * (1 - p0) / r.spread(X))
        theta_hat = np.where(sigma > 0, np.abs(p1 - p0) / sigma, 0.0)
    theta = np.zeros_like(theta_hat)
    active = np.flatnonzero(theta_hat > 1)  # below 1 the mode is 0
    th_hat = theta_hat[active]
    guess = th_hat.copy()  # g(θ) = θ − θ̂ tanh(θ̂ θ) is convex: Newton from θ̂ falls to the root
    todo = np.arange(len(guess))
    for _ in range(500):  # near θ̂ = 1 the root is double and Newton slows down
        h, z = th_hat[todo], guess[todo]
        th = np.tanh(h * z)
        step = (z - h * th) / (1 - h**2 * (1 - th**2))
        guess[todo] = z - step
        todo = todo[np.abs(step) > 1e-14]
        if len(todo) == 0:
            break
    theta[active] = guess
    P = X / (X + Y)
    return np.where((P > 0) & (P < 1), 0.5 * r.sum(sigma * theta), np.nan)
