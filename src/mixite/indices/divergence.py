"""Multiscalar divergence profiles and the global distortion index (Olteanu, Randon-Furling
& Clark 2019, PNAS 116(25)).

For each unit, neighbours are added by increasing distance; at each step the
Kullback-Leibler divergence Σ_k q_k ln(q_k / π_k) of the cumulated composition q from
the region's composition π is recorded. A unit's *distortion coefficient* is the sum of
its profile; the global distortion is the population-weighted mean of the coefficients.
The cost is O(n² log n) per region (every unit sorts every other): meant for regions
of up to a few tens of thousands of units. Units are processed in chunks, every region
at once (units of other regions are pushed to the end of each profile, where they add
nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist  # type: ignore[import-untyped]

from mixite.indices._regions import regions_from


def distortion_coefficients(
    units: pd.DataFrame,
    *,
    groups: Sequence[str],
    x: str = "x",
    y: str = "y",
    by: str | None = None,
    chunk: int = 128,
) -> pd.Series:
    """Each unit's distortion coefficient (sum of its divergence profile)."""
    n = units[list(groups)].to_numpy(dtype=float)
    xy = units[[x, y]].to_numpy(dtype=float)
    r = regions_from(units[by] if by is not None else None, len(units), by or "region")
    pi = np.column_stack([r.sum(n[:, k]) for k in range(n.shape[1])])
    pi = pi / pi.sum(axis=1, keepdims=True)
    out = np.empty(len(units))
    for start in range(0, len(units), chunk):
        rows = np.arange(start, min(start + chunk, len(units)))
        d = cdist(xy[rows], xy)
        other = r.codes[None, :] != r.codes[rows][:, None]
        d[other] = np.inf
        order = np.argsort(d, axis=1, kind="stable")  # ties by unit order, whatever the chunk
        mine = np.where(other[np.arange(len(rows))[:, None], order][:, :, None], 0.0, n[order])
        cum = np.cumsum(mine, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = cum / cum.sum(axis=2, keepdims=True)
            ref = pi[r.codes[rows]][:, None, :]
            kl = np.where(q > 0, q * np.log(q / ref), 0.0).sum(axis=2)
        out[rows] = np.nansum(kl, axis=1)
    return pd.Series(out, index=units.index, name="distorsion")


def global_distortion(
    units: pd.DataFrame, *, groups: Sequence[str], x: str = "x", y: str = "y", by: str | None = None
) -> pd.Series:
    """Population-weighted mean distortion coefficient, for every region."""
    coef = distortion_coefficients(units, groups=groups, x=x, y=y, by=by).to_numpy()
    t = units[list(groups)].to_numpy(dtype=float).sum(axis=1)
    r = regions_from(units[by] if by is not None else None, len(units), by or "region")
    return pd.Series(r.sum(coef * t) / r.sum(t), index=r.labels, name="global_distortion")
