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
    X, _T, _P, p = _shares(x, t, r)
    order = r.order_by_value(p)
    w_before = r.segment_cumsum(t, order)
    s_before = r.segment_cumsum(t * p, order)
    contrib = np.empty_like(p)
    contrib[order] = t[order] * (p[order] * w_before - s_before)
    pairs = 2 * r.sum(contrib)
    # T² P (1 − P) = X (T − X), with T − X summed from the other group's counts: « 1 − P »
    # loses every digit when the group is nearly everyone.
    return pairs / (2 * X * r.sum(t - x))


def _entropy(q: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -(q * np.log(q) + (1 - q) * np.log(1 - q))
    return np.asarray(np.nan_to_num(e), dtype=np.float64)


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
    _x, T, P, _p = _shares(x, t, r)
    return (isolation(x, t, r) - P) / (r.sum(t - x) / T)


def atkinson(x: FloatArray, t: FloatArray, r: Regions, *, b: float = 0.5) -> FloatArray:
    """Atkinson index A_b = 1 − P/(1 − P) |Σ (1 − p_i)^(1−b) p_i^b t_i / (P T)|^(1/(1−b)).

    ``b`` in (0, 1) weighs units where the group is over-represented (b > 0.5) or
    under-represented (b < 0.5). James & Taeuber (1985).
    """
    if not 0 < b < 1:
        raise ValueError(f"The 'b' parameter of atkinson must be in (0, 1); got {b}.")
    X, T, P, p = _shares(x, t, r)
    s = r.sum((1 - p) ** (1 - b) * p**b * t)
    # P / (1 − P) = X / (T − X), the complement summed from counts.
    return 1 - X / r.sum(t - x) * np.abs(s / (P * T)) ** (1 / (1 - b))


def bias_corrected_dissimilarity(
    x: FloatArray,
    t: FloatArray,
    r: Regions,
    *,
    method: str = "exact",
    draws: int = 500,
    rng: np.random.Generator | None = None,
) -> FloatArray:
    """Allen et al.'s (2015) bootstrap bias-corrected D: D_bc = 2 D − E[D_b].

    The bootstrap redraws the group's X members and the Y others over the units with
    the observed unit shares (multinomial, counts rounded to persons). ``method="exact"``
    (default) computes E[D_b] without replicates: each unit's redrawn counts are
    binomial, A ~ B(X, x_i/X) and B ~ B(Y, y_i/Y), independent, and
    E[D_b] = ½ Σ_i E|A/X − B/Y|, each term summed over A's support with B's partial
    expectations (E|c − B| = E[B] − c + 2 E[(c − B)⁺]); supports are cut where the
    probability left out is below about 10⁻⁸ (far below bootstrap noise). ``method="bootstrap"`` averages ``draws``
    seeded replicates instead (``rng`` defaults to ``numpy.random.default_rng(0)``).
    Memory is bounded by chunks of units, not by replicates × units.

    Allen, Burgess, Davidson & Windmeijer (2015), The Econometrics Journal 18(1).
    """
    d = dissimilarity(x, t, r)
    y = t - x
    if method == "exact":
        return np.asarray(2 * d - _expected_bootstrap_d(x, y, r), dtype=float)
    if method != "bootstrap":
        raise ValueError(
            f"The 'method' parameter of bias_corrected_dissimilarity must be 'exact' or 'bootstrap'; got {method!r}."
        )
    gen = rng if rng is not None else np.random.default_rng(0)
    replicate = np.zeros((draws, r.n))
    for b in range(draws):  # a loop over replicates, each vectorized over regions
        xb = _multinomial_within(x, r, gen)
        yb = _multinomial_within(y, r, gen)
        with np.errstate(divide="ignore", invalid="ignore"):
            replicate[b] = dissimilarity(xb, xb + yb, r)
    return np.asarray(2 * d - replicate.mean(axis=0), dtype=float)


def _window(mean: FloatArray, var: FloatArray, n: FloatArray) -> tuple[np.ndarray, np.ndarray]:
    """Support [lo, hi] of a binomial leaving out less than ~10⁻⁸ of its mass."""
    half = np.ceil(5.6 * np.sqrt(var) + 8.0)
    lo = np.maximum(0.0, np.floor(mean - half))
    hi = np.minimum(n, np.ceil(mean + half))
    return lo.astype(np.int64), hi.astype(np.int64)


def _binomial_window_pmf(
    k: FloatArray, n: FloatArray, p: FloatArray, owner: np.ndarray, starts: np.ndarray
) -> FloatArray:
    """P(K = k) on each unit's window, normalised to the window's mass.

    log P(k+1) − log P(k) = ln((n − k)/(k + 1)) + ln(p/(1 − p)): one logarithm per point
    and a cumulative sum per window instead of three log-gamma calls per point.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        step = np.log((n - k) / (k + 1) * (p / (1 - p)))
    # log P up to a constant per window: 0 at each window's first point.
    shifted = np.r_[0.0, step[:-1]]
    shifted[starts] = 0.0
    blocked = ~np.isfinite(shifted)  # p = 0 or 1, or k past n: nothing beyond
    cum = np.cumsum(np.where(blocked, 0.0, shifted))
    logp = cum - cum[starts][owner]
    last_block = np.maximum.accumulate(np.where(blocked, np.arange(len(k)), -1))
    logp = np.where(last_block >= starts[owner], -np.inf, logp)
    # Degenerate units: all the mass at 0 (p = 0) or at n (p = 1).
    logp = np.where(p <= 0, np.where(k == 0, 0.0, -np.inf), logp)
    logp = np.where(p >= 1, np.where(k == n, 0.0, -np.inf), logp)
    top = np.maximum.reduceat(logp, starts)
    w = np.exp(logp - top[owner])
    return np.asarray(w / np.add.reduceat(w, starts)[owner], dtype=float)


def _ragged(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flattened ranges lo..hi: (owner of each value, value, start of each owner)."""
    width = hi - lo + 1
    starts = np.r_[0, np.cumsum(width)[:-1]]
    owner = np.repeat(np.arange(len(lo)), width)
    value = lo[owner] + (np.arange(int(width.sum())) - starts[owner])
    return owner, value.astype(float), starts


def _expected_abs_difference(
    X: FloatArray, q: FloatArray, Y: FloatArray, s: FloatArray
) -> FloatArray:
    """E|A/X − B/Y| for A ~ B(X, q), B ~ B(Y, s) independent, one entry per unit."""
    out = np.zeros(len(q))
    a_lo, a_hi = _window(X * q, X * q * (1 - q), X)
    b_lo, b_hi = _window(Y * s, Y * s * (1 - s), Y)
    size = (a_hi - a_lo + 1) + (b_hi - b_lo + 1)
    # Chunks of units of about 4 million support points each.
    bounds = np.searchsorted(
        np.cumsum(size), np.arange(4_000_000, size.sum() + 4_000_000, 4_000_000)
    )
    start = 0
    for stop in np.unique(np.r_[bounds + 1, len(q)]):
        stop = int(min(stop, len(q)))
        if stop <= start:
            continue
        sl = slice(start, stop)
        ua, av, a_starts = _ragged(a_lo[sl], a_hi[sl])
        ub, bv, b_starts = _ragged(b_lo[sl], b_hi[sl])
        pa = _binomial_window_pmf(av, X[sl][ua], q[sl][ua], ua, a_starts)
        pb = _binomial_window_pmf(bv, Y[sl][ub], s[sl][ub], ub, b_starts)
        # Cumulative P(B ≤ b) and E[B; B ≤ b] within each unit's window.
        cum_p = np.cumsum(pb)
        cum_m = np.cumsum(pb * bv)
        base_p = np.r_[0.0, cum_p][b_starts][ub]
        base_m = np.r_[0.0, cum_m][b_starts][ub]
        F = cum_p - base_p
        G = cum_m - base_m
        mean_b = (Y * s)[sl]
        # For each a: c = a Y / X on B's scale; floor(c) located in the unit's window.
        Xa, Ya = X[sl][ua], Y[sl][ua]
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(Xa > 0, av * Ya / np.where(Xa > 0, Xa, 1), 0.0)
        width_b = (b_hi[sl] - b_lo[sl] + 1)[ua]
        idx = np.floor(c + 1e-12).astype(np.int64) - b_lo[sl][ua]
        below = idx < 0
        idx_c = np.clip(idx, 0, width_b - 1) + b_starts[ua]
        Fc = np.where(below, 0.0, F[idx_c])
        Gc = np.where(below, 0.0, G[idx_c])
        e_abs = mean_b[ua] - c + 2 * (c * Fc - Gc)
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(Ya > 0, e_abs / np.where(Ya > 0, Ya, 1), av / np.where(Xa > 0, Xa, 1))
        out[sl] = np.bincount(ua, weights=pa * term, minlength=stop - start)
        start = stop
    return out


def _expected_bootstrap_d(x: FloatArray, y: FloatArray, r: Regions) -> FloatArray:
    """E[D_b] per region under the multinomial bootstrap of Allen et al. (exact)."""
    Xr, Yr = r.sum(x), r.sum(y)
    X = np.rint(Xr)[r.codes]
    Y = np.rint(Yr)[r.codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(Xr[r.codes] > 0, x / Xr[r.codes], 0.0)
        s = np.where(Yr[r.codes] > 0, y / Yr[r.codes], 0.0)
    live = np.flatnonzero((q > 0) | (s > 0))
    # Units of a region with the same counts have the same expectation: computed once.
    codes, xl, yl = r.codes[live], x[live], y[live]
    order = np.lexsort((yl, xl, codes))
    new = np.r_[
        len(order) > 0,
        (np.diff(codes[order]) != 0) | (np.diff(xl[order]) != 0) | (np.diff(yl[order]) != 0),
    ][: len(order)]
    first = live[order[new]]
    distinct = _expected_abs_difference(X[first], q[first], Y[first], s[first])
    e = np.zeros(len(x))
    e[live[order]] = distinct[np.cumsum(new) - 1]
    # Redraws need at least one person of each kind once counts are rounded to persons.
    with np.errstate(invalid="ignore"):
        return np.where((np.rint(Xr) >= 1) & (np.rint(Yr) >= 1), 0.5 * r.sum(e), np.nan)


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
