"""Standards of living calibrated on each commune's published distribution.

Filosofi gives per commune the median standard of living, the first and ninth
deciles and the poverty rate (share of persons under the poverty threshold). The twin
draws from a quantile function through those points, log-linear between them, and
hands the values out by *rank*: households are ordered by a latent score (social
tenants, QPV residents and single parents lower) and each gets the quantile at the
midpoint of its persons in the commune's cumulative person count. The person-weighted
distribution of each commune then reproduces the published points to within one
household, while poverty concentrates where it does in reality.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pandas as pd

#: Tails beyond D1 and D9, as multiples of them (assumption, docs/jumeau.md).
LOW_TAIL = (0.002, 0.22)
HIGH_TAIL = (0.998, 3.2)


def complete_deciles(filosofi: pd.DataFrame, *, neighbours: int = 5) -> pd.DataFrame:
    """Fill secret D1 and D9 from the communes with the closest published medians.

    Returns the frame with ``D1``/``D9`` filled and a boolean ``deciles_imputes``.
    """
    f = filosofi.copy()
    known = f.dropna(subset=["D116", "D916"])
    r1 = (known["D116"] / known["MED16"]).to_numpy()
    r9 = (known["D916"] / known["MED16"]).to_numpy()
    med_known = known["MED16"].to_numpy()
    missing = f["D116"].isna() | f["D916"].isna()
    d1 = f["D116"].to_numpy(dtype=float).copy()
    d9 = f["D916"].to_numpy(dtype=float).copy()
    for i in np.flatnonzero(missing.to_numpy()):
        med = float(f["MED16"].iloc[i])
        near = np.argsort(np.abs(med_known - med))[:neighbours]
        d1[i] = med * float(np.median(r1[near]))
        d9[i] = med * float(np.median(r9[near]))
    f["D1"] = d1
    f["D9"] = d9
    f["deciles_imputes"] = missing.to_numpy()
    return f


def knots(
    median: float, d1: float, d9: float, poverty_rate: float | None, threshold: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Quantile knots (u, log value) of one commune, increasing in both coordinates.

    The median and the poverty point (rate/100, threshold) are always kept: they are
    what the twin must reproduce. D1 and D9 are kept where they agree with them (the
    published rate is rounded to the unit, so D1 and the threshold can disagree);
    otherwise they are left out and the curve passes through the other points.

    Examples
    --------
    >>> u, v = knots(20000, 10000, 40000, 20.0, 12000)
    >>> u.tolist()
    [0.002, 0.1, 0.2, 0.5, 0.9, 0.998]
    >>> knots(20000, 12000, 40000, 8.0, 12660)[0].tolist()  # D1 under the threshold: dropped
    [0.002, 0.08, 0.5, 0.9, 0.998]
    """
    points = {0.5: median}
    if poverty_rate is not None and np.isfinite(poverty_rate) and 0 < poverty_rate < 50:
        points[poverty_rate / 100.0] = threshold
    for u, value in ((0.1, d1), (0.9, d9)):
        trial = {**points, u: value}
        keys = sorted(trial)
        if u not in points and all(trial[a] < trial[b] for a, b in itertools.pairwise(keys)):
            points = trial
    low = min(points.values())
    high = max(points.values())
    points[LOW_TAIL[0]] = min(d1, low) * LOW_TAIL[1]
    points[HIGH_TAIL[0]] = max(d9, high) * HIGH_TAIL[1]
    us = np.array(sorted(points))
    return us, np.log(np.array([points[k] for k in us]))


def assign(
    commune: npt.NDArray[np.str_],
    persons: npt.NDArray[np.int64],
    latent: npt.NDArray[np.float64],
    knots_by_commune: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]],
) -> npt.NDArray[np.float64]:
    """Standard of living per household, by rank of ``latent`` within each commune."""
    order = np.lexsort((latent, commune))
    out = np.empty(len(commune), dtype=float)
    sorted_communes = commune[order]
    bounds = np.flatnonzero(np.r_[True, sorted_communes[1:] != sorted_communes[:-1], True])
    for a, b in itertools.pairwise(bounds):
        idx = order[a:b]
        w = persons[idx].astype(float)
        cum = np.cumsum(w)
        u = (cum - w / 2) / cum[-1]
        ku, kv = knots_by_commune[str(sorted_communes[a])]
        out[idx] = np.exp(np.interp(u, ku, kv))
    return out


def weighted_quantile(values: npt.ArrayLike, weights: npt.ArrayLike, q: float) -> float:
    """The ``q`` quantile of ``values`` weighted by ``weights`` (interpolated at mid-weights).

    Examples
    --------
    >>> weighted_quantile([1, 2, 3], [1, 1, 1], 0.5)
    2.0
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    order = np.argsort(v)
    v, w = v[order], w[order]
    cum = np.cumsum(w)
    mid = (cum - w / 2) / cum[-1]
    return float(np.interp(q, mid, v))
