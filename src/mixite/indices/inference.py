"""Inference and small-unit bias: random allocation, permutation tests, bootstrap.

**Random allocation** (the null of evenness): the group's members are spread over the
units at random, unit sizes and the group total kept (hypergeometric model; the
binomial model — each person in the group with probability P — is faster and
available). At 200 m most cells hold a dozen households, and random allocation alone
makes D far from 0: every unevenness index is reported with its expected value under
random allocation (exact for D, simulated otherwise) and the bias-corrected value
(Carrington & Troske 1997, Quarterly J. Econ. 112(4)):

    D_c = (D − D*) / (1 − D*) if D ≥ D*, else (D − D*) / D*.

**Bootstrap** resamples *units* with replacement (the units are the observed frame;
resampling households within units would reproduce exactly the small-unit noise this
module measures separately). Replicating a unit w times is the same as multiplying its
counts by w for every aspatial index, so every replicate is computed in one stacked pass.

**Permutations**: against evenness (simulated random allocation); two regions against
each other (units reshuffled between them); two dates (each unit's two dates swapped
at random). All draws come from a seeded ``numpy.random.Generator``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats  # type: ignore[import-untyped]

from mixite.indices._regions import FloatArray, Regions, blocks
from mixite.indices.registry import INDICES

Model = Literal["hypergeometric", "binomial"]


def _single_index(name: str) -> Callable[[FloatArray, FloatArray, Regions], FloatArray]:
    spec = INDICES.get(name)
    if spec is None or spec.family != "single":
        singles = [k for k, v in INDICES.items() if v.family == "single"]
        raise ValueError(f"Inference works on single-group indices {singles}; got {name!r}.")
    return spec.compute  # type: ignore[return-value]


def _share(x: FloatArray, t: FloatArray, r: Regions) -> FloatArray:
    """The group's share of each region, Σx / Σt (``"part"`` in :func:`compare`)."""
    return r.sum(x) / r.sum(t)


def _stacked(x: FloatArray, t: FloatArray, draws: int) -> Regions:
    return blocks(draws, len(x))


def _integer_counts(
    x: npt.ArrayLike, t: npt.ArrayLike
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    xi = np.rint(np.asarray(x, dtype=float)).astype(np.int64)
    ti = np.rint(np.asarray(t, dtype=float)).astype(np.int64)
    return np.minimum(xi, ti), ti


def random_allocation(
    x: npt.ArrayLike,
    t: npt.ArrayLike,
    *,
    draws: int,
    rng: np.random.Generator,
    model: Model = "hypergeometric",
) -> npt.NDArray[np.int64]:
    """``draws`` × units group counts under random allocation (counts rounded to persons)."""
    xi, ti = _integer_counts(x, t)
    if model == "hypergeometric":
        return np.asarray(
            rng.multivariate_hypergeometric(ti, int(xi.sum()), size=draws, method="count"),
            dtype=np.int64,
        )
    p = xi.sum() / ti.sum()
    return np.asarray(rng.binomial(np.broadcast_to(ti, (draws, len(ti))), p), dtype=np.int64)


def null_distribution(
    x: npt.ArrayLike,
    t: npt.ArrayLike,
    index: str,
    *,
    draws: int,
    rng: np.random.Generator,
    model: Model = "hypergeometric",
) -> FloatArray:
    """The index over ``draws`` random allocations.

    Draws are stacked as regions and computed together, in chunks of about 2·10⁶ values
    so that the arrays stay in memory already touched (faster than one huge pass).
    """
    fn = _single_index(index)
    ti = _integer_counts(x, t)[1].astype(float)
    chunk = max(1, min(draws, 2_000_000 // max(1, len(ti))))
    out = np.empty(draws)
    tiled = np.tile(ti, chunk)
    for start in range(0, draws, chunk):
        k = min(chunk, draws - start)
        sims = random_allocation(x, t, draws=k, rng=rng, model=model)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start : start + k] = fn(
                sims.ravel().astype(float), tiled[: k * len(ti)], _stacked(ti, ti, k)
            )
    return out


def expected_dissimilarity(x: npt.ArrayLike, t: npt.ArrayLike) -> float:
    """Exact E[D] under hypergeometric random allocation (counts rounded to persons).

    E[D] = ½ Σ_i Σ_k P(x_i = k) |k/X − (t_i − k)/(T − X)|, x_i ~ Hypergeometric(T, X, t_i).
    Units of the same size share their term, so the cost is the sum of the distinct sizes.
    """
    xi, ti = _integer_counts(x, t)
    T, X = int(ti.sum()), int(xi.sum())
    if X in (0, T):
        return float("nan")
    sizes, counts = np.unique(ti[ti > 0], return_counts=True)
    total = 0.0
    for size, count in zip(sizes, counts, strict=True):
        k = np.arange(0, size + 1)
        pmf = stats.hypergeom.pmf(k, T, X, size)
        total += count * float(np.sum(pmf * np.abs(k / X - (size - k) / (T - X))))
    return 0.5 * total


def bias_corrected(value: float, expected: float) -> float:
    """Carrington & Troske's correction: 0 at the random-allocation value, 1 at complete segregation."""
    if not (np.isfinite(expected) and np.isfinite(value)):
        return float("nan")
    if value >= expected:
        return (value - expected) / (1 - expected) if expected < 1 else float("nan")
    return (value - expected) / expected if expected > 0 else float("nan")


@dataclass(frozen=True)
class Inference:
    """An index with its random-allocation benchmark, confidence interval and test."""

    index: str
    estimate: float
    expected_random: float
    bias_corrected: float
    ci_low: float
    ci_high: float
    p_value: float
    null_mean: float
    null_sd: float
    null_q05: float
    null_q95: float
    draws: int
    expected_method: str

    def as_dict(self) -> dict[str, float | str | int]:
        return dict(self.__dict__)


def infer(
    x: npt.ArrayLike,
    t: npt.ArrayLike,
    index: str = "dissimilarity",
    *,
    draws: int = 1000,
    rng: np.random.Generator,
    level: float = 0.95,
    model: Model = "hypergeometric",
) -> Inference:
    """Estimate, random-allocation benchmark (exact for D), bias-corrected value,
    bootstrap percentile interval (units resampled) and permutation p-value
    (share of random allocations at least as uneven, with the +1 correction)."""
    fn = _single_index(index)
    xf = np.asarray(x, dtype=float)
    tf = np.asarray(t, dtype=float)
    one = Regions(np.zeros(len(xf), dtype=np.int64), pd.Index(["ensemble"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = float(fn(xf, tf, one)[0])
    null = null_distribution(xf, tf, index, draws=draws, rng=rng, model=model)
    if index == "dissimilarity":
        expected, method = float(expected_dissimilarity(xf, tf)), "exact (hypergéométrique)"
    else:
        expected, method = float(np.nanmean(null)), f"simulé ({draws} tirages)"
    n = len(xf)
    picks = rng.integers(0, n, size=(draws, n)) + (np.arange(draws) * n)[:, None]
    weights = np.bincount(picks.ravel(), minlength=draws * n).reshape(draws, n).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = fn((weights * xf).ravel(), (weights * tf).ravel(), _stacked(xf, tf, draws))
    alpha = (1 - level) / 2
    lo, hi = np.nanquantile(boot, [alpha, 1 - alpha])
    p = (1 + int(np.sum(null >= estimate - 1e-12))) / (draws + 1)
    return Inference(
        index=index,
        estimate=estimate,
        expected_random=expected,
        bias_corrected=float(bias_corrected(estimate, expected)),
        ci_low=float(lo),
        ci_high=float(hi),
        p_value=p,
        null_mean=float(np.nanmean(null)),
        null_sd=float(np.nanstd(null)),
        null_q05=float(np.nanquantile(null, 0.05)),
        null_q95=float(np.nanquantile(null, 0.95)),
        draws=draws,
        expected_method=method,
    )


@dataclass(frozen=True)
class Comparison:
    """Two values of an index and the permutation test of their difference."""

    index: str
    first: float
    second: float
    difference: float
    p_value: float
    null_sd: float
    draws: int


def compare(
    first: tuple[npt.ArrayLike, npt.ArrayLike],
    second: tuple[npt.ArrayLike, npt.ArrayLike],
    index: str = "dissimilarity",
    *,
    paired: bool = False,
    draws: int = 1000,
    rng: np.random.Generator,
) -> Comparison:
    """Is the index different between two regions (``paired=False``: units reshuffled
    between them) or two dates of the same units (``paired=True``: each unit's two
    dates swapped at random)? Two-sided permutation p-value. ``index="part"`` tests the
    group's share Σx / Σt itself (a rate's change between two vintages)."""
    fn = _share if index == "part" else _single_index(index)
    x1, t1 = (np.asarray(a, dtype=float) for a in first)
    x2, t2 = (np.asarray(a, dtype=float) for a in second)

    def one(x: FloatArray, t: FloatArray) -> float:
        return float(fn(x, t, Regions(np.zeros(len(x), dtype=np.int64), pd.Index([0])))[0])

    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = one(x1, t1), one(x2, t2)
        if paired:
            if len(x1) != len(x2):
                raise ValueError("Paired comparison needs the same units at both dates.")
            swap = rng.random((draws, len(x1))) < 0.5
            xa, ta = np.where(swap, x2, x1), np.where(swap, t2, t1)
            xb, tb = np.where(swap, x1, x2), np.where(swap, t1, t2)
        else:
            xs, ts = np.r_[x1, x2], np.r_[t1, t2]
            order = np.argsort(rng.random((draws, len(xs))), axis=1)
            xa, ta = xs[order[:, : len(x1)]], ts[order[:, : len(x1)]]
            xb, tb = xs[order[:, len(x1) :]], ts[order[:, len(x1) :]]
        da = fn(xa.ravel(), ta.ravel(), _stacked(xa[0], ta[0], draws))
        db = fn(xb.ravel(), tb.ravel(), _stacked(xb[0], tb[0], draws))
    null = da - db
    diff = v1 - v2
    p = (1 + int(np.sum(np.abs(null) >= abs(diff) - 1e-12))) / (draws + 1)
    return Comparison(index, v1, v2, diff, p, float(np.nanstd(null)), draws)


def random_benchmark(
    units: pd.DataFrame,
    *,
    group: str,
    total: str,
    by: str | None = None,
    indices: Sequence[str] | None = None,
    draws: int = 100,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """For every region and single-group index: the value expected under random
    allocation (simulated, binomial model within each region: every person is in the group
    with the region's probability P) and the Carrington–Troske corrected value.

    Columns ``<index>``, ``<index>_aleatoire`` and ``<index>_corrige``; the draws are
    stacked with the regions, so all regions are simulated together.
    """
    from mixite.indices._regions import regions_from

    names = (
        list(indices)
        if indices is not None
        else [
            k
            for k, v in INDICES.items()
            if v.family == "single" and not v.stochastic and not v.on_request
        ]
    )
    fns = {k: _single_index(k) for k in names}
    x = units[group].to_numpy(dtype=float)
    t = units[total].to_numpy(dtype=float)
    r = regions_from(units[by] if by is not None else None, len(units), by or "region")
    ti = np.rint(t).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        P = r.sum(x) / r.sum(t)
        observed = {k: fn(x, t, r) for k, fn in fns.items()}
    p_unit = np.nan_to_num(r.spread(P))
    sums = {k: np.zeros(r.n) for k in names}
    chunk = max(1, min(draws, 2_000_000 // max(1, len(x))))
    stacked_codes = np.concatenate([r.codes + j * r.n for j in range(chunk)])
    labels = pd.Index(range(chunk * r.n))
    for start in range(0, draws, chunk):
        k_draws = min(chunk, draws - start)
        sims = rng.binomial(np.tile(ti, k_draws), np.tile(p_unit, k_draws)).astype(float)
        reg = Regions(stacked_codes[: k_draws * len(x)], labels[: k_draws * r.n])
        with np.errstate(divide="ignore", invalid="ignore"):
            for k, fn in fns.items():
                values = fn(sims, np.tile(ti, k_draws).astype(float), reg).reshape(k_draws, r.n)
                sums[k] += np.nan_to_num(values).sum(axis=0)
    out = pd.DataFrame(index=r.labels)
    for k in names:
        expected = sums[k] / draws
        out[k] = observed[k]
        out[f"{k}_aleatoire"] = expected
        out[f"{k}_corrige"] = [
            bias_corrected(float(v), float(e)) for v, e in zip(observed[k], expected, strict=True)
        ]
    return out
