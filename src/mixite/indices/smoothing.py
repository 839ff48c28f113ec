"""Kernel smoothing of gridded counts, bespoke-neighbourhood indices, multiscalar profiles.

**Smoothing** follows INSEE's ``btb`` definition: each cell's count is spread over the
cells of the study area within the bandwidth h, with weights w(d) normalised so that
they sum to 1 over the study area — the smoothing is *conservative* (smoothed totals
equal raw totals, borders and holes included). Kernels: bisquare w = (1 − d²/h²)² for
d < h (btb's), Gaussian w = exp(−d²/(2h²)) truncated at 3h, uniform w = 1 for d < h.
With the study-area mask M and the kernel K, N = M ⋆ K gives each cell's normaliser and
the smoothed counts are M ⊙ ((x / N) ⋆ K): two FFT convolutions, so the cost grows with
the grid, not with h².

**Bespoke neighbourhoods** (Reardon & O'Sullivan 2004, Sociological Methodology 34):
with p̃_i the group share of unit i's smoothed neighbourhood,
D̃ = Σ t_i |p̃_i − P| / (2 T P (1 − P)), H̃ = Σ t_i (E − E(p̃_i)) / (E T),
x̃Px = Σ (x_i / X) p̃_i, computed for every region at once. A **multiscalar profile** is
the index as a function of the bandwidth.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.signal import fftconvolve  # type: ignore[import-untyped]

from mixite.indices._regions import FloatArray, Regions, regions_from
from mixite.indices.singlegroup import _entropy

Kernel = Literal["bisquare", "gaussian", "uniform", "triangular"]
KERNELS: tuple[str, ...] = ("bisquare", "gaussian", "uniform", "triangular")


def kernel_weights(
    distance: npt.ArrayLike, bandwidth: float, kernel: Kernel = "bisquare"
) -> FloatArray:
    """Unnormalised kernel weights at ``distance`` (same unit as ``bandwidth``).

    Examples
    --------
    >>> kernel_weights([0, 200, 400], 400).tolist()
    [1.0, 0.5625, 0.0]
    """
    d = np.asarray(distance, dtype=float)
    if bandwidth <= 0:
        raise ValueError(f"bandwidth must be positive; got {bandwidth}.")
    if kernel == "bisquare":
        return np.where(d < bandwidth, (1 - (d / bandwidth) ** 2) ** 2, 0.0)
    if kernel == "gaussian":
        return np.where(d <= 3 * bandwidth, np.exp(-(d**2) / (2 * bandwidth**2)), 0.0)
    if kernel == "uniform":
        return np.where(d < bandwidth, 1.0, 0.0)
    if kernel == "triangular":
        return np.where(d < bandwidth, 1 - d / bandwidth, 0.0)
    raise ValueError(f"kernel must be one of {KERNELS}; got {kernel!r}.")


class Grid:
    """Cells of a regular grid (south-west corners, metres) laid on a dense raster."""

    def __init__(
        self, x: npt.ArrayLike, y: npt.ArrayLike, *, cell: float = 200.0, pad: int = 0
    ) -> None:
        xs = np.asarray(x, dtype=float)
        ys = np.asarray(y, dtype=float)
        self.cell = cell
        self.col = np.rint((xs - xs.min()) / cell).astype(np.int64) + pad
        self.row = np.rint((ys - ys.min()) / cell).astype(np.int64) + pad
        self.shape = (int(self.row.max()) + 1 + pad, int(self.col.max()) + 1 + pad)
        flat = self.row * self.shape[1] + self.col
        if len(np.unique(flat)) != len(flat):
            raise ValueError("Two units fall on the same grid cell; aggregate them first.")

    def raster(self, values: npt.ArrayLike) -> FloatArray:
        out = np.zeros(self.shape)
        out[self.row, self.col] = np.asarray(values, dtype=float)
        return out

    def read(self, raster: FloatArray) -> FloatArray:
        return np.asarray(raster[self.row, self.col], dtype=float)


def _kernel_matrix(bandwidth: float, cell: float, kernel: Kernel) -> FloatArray:
    reach = 3 * bandwidth if kernel == "gaussian" else bandwidth
    r = int(np.ceil(reach / cell))
    offsets = np.arange(-r, r + 1) * cell
    d = np.hypot(offsets[None, :], offsets[:, None])
    return kernel_weights(d, bandwidth, kernel)


def smooth(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    bandwidth: float,
    kernel: Kernel = "bisquare",
    cell: float = 200.0,
    conservative: bool = True,
) -> FloatArray:
    """Conservative kernel smoothing of ``counts`` (one column or several) on the cells.

    The study area is the set of given cells; each cell's mass is spread over the cells
    within ``bandwidth`` and sums to its count. ``conservative=False`` gives plain
    kernel-weighted sums Σ_j w(d_ij) c_j (PySAL's « local environment »).

    Examples
    --------
    >>> out = smooth([0, 200, 400], [0, 0, 0], [9.0, 0.0, 0.0], bandwidth=400)
    >>> round(float(out.sum()), 9), out.round(3).tolist()
    (9.0, [5.76, 3.24, 0.0])
    """
    values = np.asarray(counts, dtype=float)
    single = values.ndim == 1
    values = values[:, None] if single else values
    kmat = _kernel_matrix(bandwidth, cell, kernel)
    pad = kmat.shape[0] // 2
    grid = Grid(x, y, cell=cell, pad=pad)
    mask = grid.raster(np.ones(len(values)))
    norm = grid.read(fftconvolve(mask, kmat, mode="same")) if conservative else np.ones(len(values))
    out = np.empty_like(values)
    for j in range(values.shape[1]):
        spread = fftconvolve(grid.raster(values[:, j] / norm), kmat, mode="same")
        out[:, j] = grid.read(spread)
    out = np.where(np.abs(out) < 1e-12 * max(1.0, float(np.abs(values).max())), 0.0, out)
    return out[:, 0] if single else out


def _bespoke(
    x: FloatArray, t: FloatArray, xs: FloatArray, ts: FloatArray, r: Regions
) -> dict[str, FloatArray]:
    X, T = r.sum(x), r.sum(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        P = X / T
        p_tilde = np.where(ts > 0, xs / np.where(ts > 0, ts, 1), 0.0)
        defined = (P > 0) & (P < 1)
        D = r.sum(t * np.abs(p_tilde - r.spread(P))) / (2 * X * r.sum(t - x) / T)
        E = _entropy(P)
        H = r.sum(t * (r.spread(E) - _entropy(p_tilde))) / (E * T)
        iso = r.sum(x / r.spread(X) * p_tilde)
    return {
        "bespoke_dissimilarity": np.where(defined, D, np.nan),
        "bespoke_information_theory": np.where(defined, H, np.nan),
        "bespoke_isolation": np.where(defined, iso, np.nan),
    }


def bespoke_indices(
    units: pd.DataFrame,
    *,
    group: str,
    total: str,
    x: str = "x",
    y: str = "y",
    bandwidth: float,
    kernel: Kernel = "bisquare",
    by: str | None = None,
    cell: float = 200.0,
) -> pd.DataFrame:
    """Bespoke-neighbourhood D, H and isolation for every region, at one bandwidth.

    Neighbourhoods are smoothed over the whole grid (they may cross region borders, as
    people's neighbourhoods do); each region's index uses its own cells.
    """
    xs = units[group].to_numpy(dtype=float)
    ts = units[total].to_numpy(dtype=float)
    smoothed = smooth(
        units[x], units[y], np.column_stack([xs, ts]), bandwidth=bandwidth, kernel=kernel, cell=cell
    )
    r = regions_from(units[by] if by is not None else None, len(units), by or "region")
    values = _bespoke(xs, ts, smoothed[:, 0], smoothed[:, 1], r)
    return pd.DataFrame(values, index=r.labels)


def multiscalar_profile(
    units: pd.DataFrame,
    *,
    group: str,
    total: str,
    bandwidths: Sequence[float],
    x: str = "x",
    y: str = "y",
    kernel: Kernel = "bisquare",
    by: str | None = None,
    cell: float = 200.0,
) -> pd.DataFrame:
    """Bespoke indices for each bandwidth and region: a long frame (region, bandwidth, indices)."""
    frames = []
    for h in bandwidths:
        f = bespoke_indices(
            units, group=group, total=total, x=x, y=y, bandwidth=h, kernel=kernel, by=by, cell=cell
        )
        f.insert(0, "bandwidth", h)
        frames.append(f)
    return pd.concat(frames).reset_index().rename(columns={"index": by or "region"})
