"""Synthetic IRIS outlines, points in them, QPV perimeters and 200 m cells.

Real commune outlines (IGN, EPSG:4326) are projected to Lambert-93 (EPSG:2154).
Each commune is cut into as many IRIS as the census lists by a Voronoi diagram of
random seeds; households and buildings are drawn inside their IRIS. Cells follow
INSEE's grid: EPSG:3035, 200 m, identified by their south-west corner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
_L93_TO_WGS = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
_L93_TO_LAEA = Transformer.from_crs("EPSG:2154", "EPSG:3035", always_xy=True)
_TO_LAEA = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)


def to_l93(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(
        geom, lambda xy: np.column_stack(_TO_L93.transform(xy[:, 0], xy[:, 1]))
    )


def to_laea(geom: BaseGeometry) -> BaseGeometry:
    """WGS 84 to the INSEE grid's projection (EPSG:3035), to draw outlines over cells."""
    return shapely.transform(
        geom, lambda xy: np.column_stack(_TO_LAEA.transform(xy[:, 0], xy[:, 1]))
    )


def to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(
        geom, lambda xy: np.column_stack(_L93_TO_WGS.transform(xy[:, 0], xy[:, 1]))
    )


def random_points(
    polygon: BaseGeometry, n: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """``n`` points drawn uniformly inside ``polygon`` (rejection sampling, vectorized)."""
    out = np.empty((0, 2))
    minx, miny, maxx, maxy = polygon.bounds
    ratio = max(polygon.area / max((maxx - minx) * (maxy - miny), 1e-9), 0.05)
    shapely.prepare(polygon)
    while len(out) < n:
        k = int((n - len(out)) / ratio * 1.3) + 16
        xy = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        inside = shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])
        out = np.vstack([out, xy[inside]])
    return out[:n]


def split_commune(
    polygon: BaseGeometry,
    codes: Sequence[str],
    weights: npt.NDArray[np.float64],
    rng: np.random.Generator,
) -> dict[str, BaseGeometry]:
    """Cut a commune into one cell per IRIS code: a Voronoi diagram of seeds in it.

    Seeds are drawn near the commune's centre for IRIS with many households, so that
    dense IRIS are small, as in reality.
    """
    if len(codes) == 1:
        return {codes[0]: polygon}
    seeds = random_points(polygon, len(codes), rng)
    order = np.argsort(-weights)
    centre = np.array(polygon.representative_point().coords[0])
    by_distance = np.argsort(np.hypot(*(seeds - centre).T))
    placed = np.empty_like(seeds)
    placed[order] = seeds[by_distance]
    cells = shapely.voronoi_polygons(shapely.multipoints(placed), extend_to=polygon)
    out: dict[str, BaseGeometry] = {}
    for cell in shapely.get_parts(cells):
        inside = shapely.contains_xy(cell, placed[:, 0], placed[:, 1])
        hit = np.flatnonzero(inside)
        if len(hit):
            piece = shapely.intersection(cell, polygon)
            out[codes[int(hit[0])]] = shapely.make_valid(piece)
    for i, code in enumerate(codes):
        if code not in out or out[code].is_empty:
            out[code] = shapely.buffer(shapely.points(placed[i]), 50).intersection(polygon)
    return out


def cell_ids(
    x_l93: npt.NDArray[np.float64], y_l93: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """INSEE 200 m cell of each Lambert-93 point: id, and south-west corner in EPSG:3035."""
    x, y = _L93_TO_LAEA.transform(x_l93, y_l93)
    e = (np.floor(np.asarray(x) / 200) * 200).astype(np.int64)
    n = (np.floor(np.asarray(y) / 200) * 200).astype(np.int64)
    ids = np.char.add(
        np.char.add("CRS3035RES200mN", n.astype(str)), np.char.add("E", e.astype(str))
    ).astype(object)
    return ids, e, n


def qpv_perimeters(
    buildings: pd.DataFrame,
    iris_scores: pd.Series,
    polygons: Mapping[str, BaseGeometry],
    *,
    count: int,
    per_commune: int = 6,
    radius: float = 120.0,
) -> list[tuple[str, BaseGeometry]]:
    """Perimeters around the social buildings of the IRIS where social housing and poverty
    concentrate: the ``count`` best-scoring IRIS (at most ``per_commune`` in a commune).

    A perimeter is the buffered hull of the IRIS's collective social buildings, cut to
    the commune; it may spill over neighbouring IRIS, as real QPV do.
    """
    chosen: list[str] = []
    used: dict[str, int] = {}
    for code in iris_scores.sort_values(ascending=False).index:
        commune = code[:5]
        if used.get(commune, 0) >= per_commune:
            continue
        chosen.append(code)
        used[commune] = used.get(commune, 0) + 1
        if len(chosen) == count:
            break
    out = []
    for code in chosen:
        b = buildings[(buildings["code_iris"] == code) & ~buildings["individuel"]]
        if len(b) == 0:
            continue
        pts = shapely.multipoints(b[["x", "y"]].to_numpy())
        hull = cast(BaseGeometry, shapely.buffer(shapely.convex_hull(pts), radius))
        shape = hull.intersection(polygons[code[:5]])
        out.append((code, shape))
    return out
