"""Spatial single-group indices using unit areas, centroids or contiguity, for every
region at once (Massey & Denton 1988, Social Forces 67(2), and the works they cite).

Units carry centroid coordinates in metres and an area in m². Distances enter the
proximity functions in **kilometres**, as in Massey & Denton; pairs further apart than
``cutoff_km`` (default 20 km, where exp(−d) < 2.1·10⁻⁹) are left out (``inf`` keeps
them all, as PySAL does), and pairs are only counted within a region, so regions of any
size are handled together. Units may be grid cells, polygons (contiguity from their
outlines) or points with areas.

- delta: DEL = ½ Σ |x_i/X − a_i/A| (Hoover 1941).
- absolute / relative concentration (Massey & Denton): units sorted by area; n1 the
  smallest units holding as many people as the group, n2 the largest.
- absolute / relative centralization (Duncan, Cuzzort & Duncan 1961): units sorted by
  distance to the region's centre (mean of centroids), cumulative shares of the group
  against those of area (absolute) or of the rest of the population (relative).
- absolute / relative clustering, spatial proximity (White 1983; Massey & Denton):
  c_ij = exp(−d_ij), c_ii = exp(−(0.6 a_i)^0.5) with a_i in km².
- distance-decay isolation / exposure (Morgan 1983): K_ij = t_j exp(−d_ij) / Σ_j t_j exp(−d_ij).
- spatial dissimilarity (Morrill 1991): D − Σ Σ c_ij |p_i − p_j| / Σ Σ c_ij with c
  the queen contiguity of grid cells; boundary spatial dissimilarity (Wong 1993): the
  same with c_ij the shared boundary length (rook contiguity on a grid).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry

from mixite.indices._regions import FloatArray, Regions, regions_from
from mixite.indices.singlegroup import dissimilarity

SPATIAL_INDICES: tuple[str, ...] = (
    "delta",
    "absolute_concentration",
    "relative_concentration",
    "absolute_centralization",
    "relative_centralization",
    "absolute_clustering",
    "relative_clustering",
    "spatial_proximity",
    "distance_decay_isolation",
    "distance_decay_exposure",
    "spatial_dissimilarity",
    "boundary_spatial_dissimilarity",
)


def _pairs(
    cx: FloatArray, cy: FloatArray, r: Regions, cutoff_m: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]:
    """Ordered pairs (i ≠ j) in the same region within ``cutoff_m``, with distances.

    Regions are laid side by side, each shifted further than the cutoff from the
    previous one, so one k-d tree returns only pairs within a region: no global pair
    list is built and filtered (a region's cost depends only on its own units).
    """
    if not len(cx):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    span = float(np.ptp(cx)) if np.isfinite(cutoff_m) else 0.0
    gap = span + 2 * cutoff_m + 1.0 if np.isfinite(cutoff_m) else 0.0
    if not np.isfinite(cutoff_m):
        # All pairs: region by region (used by cross-checks, quadratic by nature).
        rows, cols = [], []
        for k in range(r.n):
            idx = np.flatnonzero(r.codes == k)
            ii, jj = np.meshgrid(idx, idx, indexing="ij")
            keep = ii != jj
            rows.append(ii[keep])
            cols.append(jj[keep])
        i = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, dtype=np.int64)
        j = np.concatenate(cols).astype(np.int64) if cols else np.zeros(0, dtype=np.int64)
        return i, j, np.hypot(cx[i] - cx[j], cy[i] - cy[j])
    shifted = cx - np.min(cx) + r.codes * gap
    tree = cKDTree(np.column_stack([shifted, cy]))
    sparse = tree.sparse_distance_matrix(tree, cutoff_m, output_type="coo_matrix")
    i, j, d = sparse.row.astype(np.int64), sparse.col.astype(np.int64), sparse.data.astype(float)
    keep = i != j
    return i[keep], j[keep], d[keep]


def polygon_neighbours(
    geometries: Sequence[BaseGeometry] | npt.NDArray[np.object_], *, queen: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]:
    """Ordered neighbour pairs of polygons with their weight.

    Queen: polygons that share at least a point (weight 1). Rook: polygons that share
    a stretch of boundary, weighted by its length (Wong's boundary weights; on a regular
    grid every weight is the cell side). Built with a shapely STRtree.
    """
    from shapely import STRtree, boundary, intersection, length

    geoms = np.asarray(geometries, dtype=object)
    tree = STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep].astype(np.int64), j[keep].astype(np.int64)
    if queen:
        w = np.ones(len(i))
    else:
        # A shared stretch of boundary makes rook neighbours; its weight is the length of
        # the polygons' intersection (the shared boundary, as in PySAL).
        b = boundary(geoms)
        edge = length(intersection(b[i], b[j])) > 0
        i, j = i[edge], j[edge]
        w = np.asarray(length(intersection(geoms[i], geoms[j])), dtype=float)
    return np.r_[i, j], np.r_[j, i], np.r_[w, w]


def _cum_share(
    values: FloatArray, order: npt.NDArray[np.int64], r: Regions, totals: FloatArray
) -> FloatArray:
    inclusive = r.segment_cumsum(values, order) + values[order]
    return inclusive / totals[r.codes[order]]


def _concentration(
    x: FloatArray, t: FloatArray, area: FloatArray, r: Regions
) -> tuple[FloatArray, FloatArray]:
    X, T = r.sum(x), r.sum(t)
    y = t - x
    Y = T - X
    asc = r.sorted_within(area)
    desc = r.sorted_within(-area)
    cum_asc = r.segment_cumsum(t, asc) + t[asc]
    cum_desc = r.segment_cumsum(t, desc) + t[desc]
    # n1: smallest units up to the first whose cumulative population reaches X.
    reached_asc = cum_asc >= X[r.codes[asc]] - 1e-9
    first_asc = _first_true(reached_asc, r.codes[asc], r.n)
    reached_desc = cum_desc >= X[r.codes[desc]] - 1e-9
    first_desc = _first_true(reached_desc, r.codes[desc], r.n)
    rank_asc = np.empty(len(t), dtype=np.int64)
    rank_asc[asc] = _rank_in_segment(r.codes[asc])
    rank_desc = np.empty(len(t), dtype=np.int64)
    rank_desc[desc] = _rank_in_segment(r.codes[desc])
    in_small = rank_asc <= first_asc[r.codes]
    in_large = rank_desc <= first_desc[r.codes]
    T1 = r.sum(np.where(in_small, t, 0.0))
    T2 = r.sum(np.where(in_large, t, 0.0))
    small = r.sum(np.where(in_small, t * area, 0.0)) / T1
    large = r.sum(np.where(in_large, t * area, 0.0)) / T2
    group_area = r.sum(x * area) / X
    rest_area = r.sum(y * area) / Y
    spread = ~np.isclose(large, small)  # equal areas: concentration is undefined
    aco = np.where(spread, 1 - (group_area - small) / (large - small), np.nan)
    rco = np.where(spread, (group_area / rest_area - 1) / (small / large - 1), np.nan)
    return aco, rco


def _rank_in_segment(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    starts = np.r_[0, np.flatnonzero(np.diff(codes)) + 1]
    lengths = np.diff(np.r_[starts, len(codes)])
    return np.asarray(np.arange(len(codes)) - np.repeat(starts, lengths), dtype=np.int64)


def _first_true(
    flags: npt.NDArray[np.bool_], codes: npt.NDArray[np.int64], n: int
) -> npt.NDArray[np.int64]:
    """Rank (within its segment) of the first True of each region's segment."""
    ranks = _rank_in_segment(codes)
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, codes[flags], ranks[flags])
    return out


def _centralization(
    x: FloatArray, t: FloatArray, area: FloatArray, cx: FloatArray, cy: FloatArray, r: Regions
) -> tuple[FloatArray, FloatArray]:
    counts = r.count().astype(float)
    mx = r.sum(cx) / counts
    my = r.sum(cy) / counts
    dist = np.hypot(cx - mx[r.codes], cy - my[r.codes])
    order = r.sorted_within(dist)
    y = t - x
    Xi = _cum_share(x, order, r, r.sum(x))
    Ai = _cum_share(area, order, r, r.sum(area))
    Yi = _cum_share(y, order, r, r.sum(y))
    codes = r.codes[order]
    first = np.r_[True, codes[1:] != codes[:-1]]
    Xprev = np.where(first, np.nan, np.r_[np.nan, Xi[:-1]])
    Aprev = np.where(first, np.nan, np.r_[np.nan, Ai[:-1]])
    Yprev = np.where(first, np.nan, np.r_[np.nan, Yi[:-1]])
    sub = Regions(codes, r.labels)
    ace = sub.sum(np.nan_to_num(Xprev * Ai)) - sub.sum(np.nan_to_num(Xi * Aprev))
    rce = sub.sum(np.nan_to_num(Xprev * Yi)) - sub.sum(np.nan_to_num(Xi * Yprev))
    # Without the group (or, for the relative index, without the others): undefined.
    X, Y = r.sum(x), r.sum(y)
    return np.where(X > 0, ace, np.nan), np.where((X > 0) & (Y > 0), rce, np.nan)


def _proximity(
    x: FloatArray,
    t: FloatArray,
    area: FloatArray,
    r: Regions,
    pairs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray],
) -> dict[str, FloatArray]:
    i, j, d = pairs
    c = np.exp(-d / 1000.0)
    c_self = np.exp(-((0.6 * area / 1e6) ** 0.5))
    y = t - x
    X, Y, T = r.sum(x), r.sum(y), r.sum(t)
    n = r.count().astype(float)
    region_of_pair = r.codes[i]

    def pair_sum(values: FloatArray) -> FloatArray:
        return np.asarray(np.bincount(region_of_pair, weights=values, minlength=r.n), dtype=float)

    c_total = pair_sum(c) + r.sum(c_self)
    cx = np.bincount(i, weights=c * x[j], minlength=len(x)) + c_self * x  # Σ_j c_ij x_j
    ct = np.bincount(i, weights=c * t[j], minlength=len(x)) + c_self * t
    acl = (r.sum(x / X[r.codes] * cx) - X / n**2 * c_total) / (
        r.sum(x / X[r.codes] * ct) - X / n**2 * c_total
    )
    pxx = (pair_sum(c * x[i] * x[j]) + r.sum(c_self * x * x)) / X**2
    pyy = (pair_sum(c * y[i] * y[j]) + r.sum(c_self * y * y)) / Y**2
    ptt = (pair_sum(c * t[i] * t[j]) + r.sum(c_self * t * t)) / T**2
    # Distance decay (Morgan 1983): K_ij = t_j c_ij / Σ_j t_j c_ij (self included).
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(t > 0, x / np.where(t > 0, t, 1), 0.0)
        kp = np.bincount(i, weights=c * t[j] * p[j], minlength=len(x)) + c_self * t * p
        k_norm = ct
        local_share = np.where(k_norm > 0, kp / k_norm, 0.0)
    return {
        "absolute_clustering": acl,
        "relative_clustering": pxx / pyy - 1,
        "spatial_proximity": (X * pxx + Y * pyy) / (T * ptt),
        "distance_decay_isolation": r.sum(x / X[r.codes] * local_share),
        "distance_decay_exposure": r.sum(x / X[r.codes] * (1 - local_share)),
    }


def grid_neighbours(
    cx: FloatArray, cy: FloatArray, cell: float, *, queen: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Ordered neighbour pairs of grid cells (rook: shared edge; queen: edge or corner)."""
    tree = cKDTree(np.column_stack([cx, cy]))
    reach = cell * (np.sqrt(2) if queen else 1.0) * 1.0001
    sparse = tree.sparse_distance_matrix(tree, reach, output_type="coo_matrix")
    keep = sparse.row != sparse.col
    return sparse.row[keep].astype(np.int64), sparse.col[keep].astype(np.int64)


def _contiguity_dissim(
    x: FloatArray,
    t: FloatArray,
    r: Regions,
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    w: FloatArray | None = None,
) -> FloatArray:
    same = r.codes[i] == r.codes[j]
    i, j = i[same], j[same]
    weight = np.ones(len(i)) if w is None else w[same]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(t > 0, x / np.where(t > 0, t, 1), 0.0)
        num = np.bincount(r.codes[i], weights=weight * np.abs(p[i] - p[j]), minlength=r.n)
        den = np.bincount(r.codes[i], weights=weight, minlength=r.n)
        return np.asarray(
            dissimilarity(x, t, r) - np.where(den > 0, num / den, 0.0), dtype=np.float64
        )


CONTIGUITY_INDICES = ("spatial_dissimilarity", "boundary_spatial_dissimilarity")


def spatial_indices(
    units: pd.DataFrame,
    *,
    group: str,
    total: str,
    x: str = "x",
    y: str = "y",
    area: str | None = None,
    cell: float | None = 200.0,
    geometry: str | None = None,
    by: str | None = None,
    indices: Sequence[str] | None = None,
    cutoff_km: float = 20.0,
) -> pd.DataFrame:
    """The spatial single-group indices for every region, one column each.

    Three kinds of units:

    - a **grid**: ``x``/``y`` are the south-west corners and ``cell`` the side in metres;
      centroids are corner + cell/2, areas cell², contiguity from the grid;
    - **polygons** (IRIS, communes): ``geometry`` names a column of shapely polygons in
      metres (Lambert-93); centroids, areas and queen/rook contiguity (STRtree) come from
      the outlines, and ``cell`` is ignored;
    - **points with areas**: ``cell=None`` and ``area``; the contiguity-based indices
      then cannot be computed.

    When ``indices`` is given, an index whose inputs are missing is an error; by default
    every index the inputs allow is computed. Distance-based indices count the pairs of
    units closer than ``cutoff_km`` (default 20 km, where exp(−d) < 2.1 · 10⁻⁹), within
    each region; ``cutoff_km=float("inf")`` counts every pair, as PySAL does.
    """
    explicit = indices is not None
    wanted = list(indices) if indices is not None else list(SPATIAL_INDICES)
    unknown = [k for k in wanted if k not in SPATIAL_INDICES]
    if unknown:
        raise ValueError(f"Unknown spatial indices {unknown}; available: {list(SPATIAL_INDICES)}.")
    for name in (group, total, *([geometry] if geometry else [])):
        if name not in units.columns:
            raise ValueError(
                f"spatial_indices needs the column {name!r}; available columns: {list(units.columns)}."
            )
    xs = units[group].to_numpy(dtype=float)
    ts = units[total].to_numpy(dtype=float)
    if (xs > ts + 1e-9 * np.maximum(1, ts)).any() or (xs < 0).any():
        raise ValueError(f"'{group}' must be between 0 and '{total}' in every unit.")
    xs = np.minimum(xs, ts)
    geoms = None
    if geometry is not None:
        import shapely

        geoms = units[geometry].to_numpy(dtype=object)
        centroids = shapely.centroid(geoms)
        cx, cy = shapely.get_x(centroids), shapely.get_y(centroids)
        a = np.asarray(shapely.area(geoms), dtype=float)
        cell = None
    else:
        for name in (x, y):
            if name not in units.columns:
                raise ValueError(
                    f"spatial_indices needs centroid column {name!r} (or 'geometry'); "
                    f"available columns: {list(units.columns)}."
                )
        half = (cell or 0.0) / 2
        cx = units[x].to_numpy(dtype=float) + half
        cy = units[y].to_numpy(dtype=float) + half
        if area is not None:
            a = units[area].to_numpy(dtype=float)
        elif cell is not None:
            a = np.full(len(units), cell * cell)
        else:
            raise ValueError(
                "spatial_indices needs 'area' (a column of unit areas), 'cell' (a grid) or "
                "'geometry' (polygons)."
            )
    has_contiguity = cell is not None or geoms is not None
    lacking = [k for k in wanted if k in CONTIGUITY_INDICES and not has_contiguity]
    if lacking and explicit:
        raise ValueError(
            f"Indices {lacking} need contiguity: give 'cell' (a grid) or 'geometry' (polygons)."
        )
    wanted = [k for k in wanted if k not in lacking]
    r = regions_from(units[by] if by is not None else None, len(units), by or "region")
    out = pd.DataFrame(index=r.labels)
    with np.errstate(divide="ignore", invalid="ignore"):
        if "delta" in wanted:
            out["delta"] = 0.5 * r.sum(np.abs(xs / r.spread(r.sum(xs)) - a / r.spread(r.sum(a))))
        if {"absolute_concentration", "relative_concentration"} & set(wanted):
            aco, rco = _concentration(xs, ts, a, r)
            out["absolute_concentration"], out["relative_concentration"] = aco, rco
        if {"absolute_centralization", "relative_centralization"} & set(wanted):
            ace, rce = _centralization(xs, ts, a, cx, cy, r)
            out["absolute_centralization"], out["relative_centralization"] = ace, rce
        prox = {
            "absolute_clustering",
            "relative_clustering",
            "spatial_proximity",
            "distance_decay_isolation",
            "distance_decay_exposure",
        }
        if prox & set(wanted):
            values = _proximity(xs, ts, a, r, _pairs(cx, cy, r, cutoff_km * 1000))
            for k in prox & set(wanted):
                out[k] = values[k]
        for name, queen in (
            ("spatial_dissimilarity", True),
            ("boundary_spatial_dissimilarity", False),
        ):
            if name not in wanted:
                continue
            if geoms is not None:
                pairs = polygon_neighbours(geoms, queen=queen)
                out[name] = _contiguity_dissim(xs, ts, r, *pairs)
            elif cell is not None:
                out[name] = _contiguity_dissim(
                    xs, ts, r, *grid_neighbours(cx, cy, cell, queen=queen)
                )
    return out[[k for k in wanted if k in out.columns]]


#: Title, formula and reference of each spatial index (for the docs and the CLI).
SPATIAL_DOCS: dict[str, tuple[str, str, str]] = {
    "delta": ("indice delta", "DEL = ½ Σ |x_i/X − a_i/A|", "Hoover (1941) ; Massey & Denton (1988)"),
    "absolute_concentration": ("concentration absolue", "ACO = 1 − (Σ x_i a_i/X − Σ_{i≤n1} t_i a_i/T1) / (Σ_{i≥n2} t_i a_i/T2 − Σ_{i≤n1} t_i a_i/T1)", "Massey & Denton (1988)"),
    "relative_concentration": ("concentration relative", "RCO = ((Σ x_i a_i/X)/(Σ y_i a_i/Y) − 1) / ((Σ_{i≤n1} t_i a_i/T1)/(Σ_{i≥n2} t_i a_i/T2) − 1)", "Massey & Denton (1988)"),
    "absolute_centralization": ("centralisation absolue", "ACE = Σ X_{i−1} A_i − Σ X_i A_{i−1} (unités triées par distance au centre)", "Duncan, Cuzzort & Duncan (1961) ; Massey & Denton (1988)"),
    "relative_centralization": ("centralisation relative", "RCE = Σ X_{i−1} Y_i − Σ X_i Y_{i−1}", "Duncan & Duncan (1955) ; Massey & Denton (1988)"),
    "absolute_clustering": ("agrégation absolue", "ACL = (Σ (x_i/X) Σ_j c_ij x_j − X/n² Σ Σ c_ij) / (Σ (x_i/X) Σ_j c_ij t_j − X/n² Σ Σ c_ij), c_ij = exp(−d_ij)", "Massey & Denton (1988)"),
    "relative_clustering": ("agrégation relative", "RCL = P_xx / P_yy − 1, P_xx = Σ Σ x_i x_j c_ij / X²", "Massey & Denton (1988)"),
    "spatial_proximity": ("proximité spatiale", "SP = (X P_xx + Y P_yy) / (T P_tt)", "White (1986) ; Massey & Denton (1988)"),
    "distance_decay_isolation": ("isolement avec décroissance", "DPxx = Σ (x_i/X) Σ_j K_ij x_j/t_j, K_ij = t_j c_ij / Σ_j t_j c_ij", "Morgan (1983)"),
    "distance_decay_exposure": ("exposition avec décroissance", "DPxy = Σ (x_i/X) Σ_j K_ij y_j/t_j", "Morgan (1983)"),
    "spatial_dissimilarity": ("dissimilarité spatiale (contiguïté)", "D(adj) = D − Σ Σ c_ij |p_i − p_j| / Σ Σ c_ij, c = contiguïté « reine »", "Morrill (1991)"),
    "boundary_spatial_dissimilarity": ("dissimilarité spatiale (frontières)", "D(w) = D − Σ Σ w_ij |p_i − p_j| / Σ Σ w_ij, w = longueur de frontière commune", "Wong (1993)"),
}  # fmt: skip
