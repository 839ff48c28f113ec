"""Coordinates of buildings: Lambert-93 in mainland France, the legal projection overseas.

The store keeps each building in its department's legal projection (décret
n° 2000-1276 modifié): Lambert-93 (EPSG:2154) in mainland France and Corsica, RGAF09 /
UTM 20N (EPSG:5490) in Guadeloupe and Martinique, RGFG95 / UTM 22N (EPSG:2972) in
Guyane, RGR92 / UTM 40S (EPSG:2975) in La Réunion, RGM04 / UTM 38S (EPSG:4471) in
Mayotte. Files may give WGS 84 longitudes and latitudes (EPSG:4326) or any of these;
:func:`vers_la_base` converts them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

LAMBERT_93 = 2154
WGS84 = 4326
#: Overseas departments (first 3 characters of the commune code) and their projection.
OUTRE_MER: dict[str, int] = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}
#: Plausible extent (x min, x max, y min, y max, metres) of each projection's territory.
ETENDUES: dict[int, tuple[float, float, float, float]] = {
    2154: (0, 1_300_000, 6_000_000, 7_200_000),
    5490: (400_000, 800_000, 1_500_000, 1_900_000),
    2972: (50_000, 500_000, 150_000, 700_000),
    2975: (300_000, 400_000, 7_600_000, 7_720_000),
    4471: (480_000, 540_000, 8_550_000, 8_620_000),
}
#: Every projection a file may use for buildings.
ACCEPTEES = frozenset({WGS84, *ETENDUES})


def _floats(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Numbers as floats, missing values (``pd.NA`` included) as NaN."""
    return np.asarray(pd.Series(values, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))


def projection_du_departement(code_commune: pd.Series) -> npt.NDArray[np.int64]:
    """The store's projection for each commune code (Lambert-93 unless overseas).

    Examples
    --------
    >>> projection_du_departement(pd.Series(["59350", "97209", "97411"])).tolist()
    [2154, 5490, 2975]
    """
    dep = code_commune.astype("string").str[:3]
    out = np.full(len(code_commune), LAMBERT_93, dtype=np.int64)
    for code, epsg in OUTRE_MER.items():
        out[(dep == code).fillna(False).to_numpy(dtype=bool)] = epsg
    return out


def semble_wgs84(x: npt.ArrayLike, y: npt.ArrayLike) -> bool:
    """Whether every present coordinate is a longitude and latitude in degrees."""
    xa, ya = _floats(x), _floats(y)
    ok = ~np.isnan(xa) & ~np.isnan(ya)
    return bool(ok.any()) and bool((np.abs(xa[ok]) <= 180).all() and (np.abs(ya[ok]) <= 90).all())


def vers_la_base(
    x: npt.ArrayLike, y: npt.ArrayLike, source: npt.ArrayLike, code_commune: pd.Series
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Convert ``(x, y)`` from the ``source`` EPSG code of each point to its department's
    projection (missing coordinates stay missing).

    Examples
    --------
    >>> x, y = vers_la_base([3.0573], [50.6292], [4326], pd.Series(["59350"]))
    >>> round(float(x[0])), round(float(y[0]))
    (704061, 7059137)
    """
    from pyproj import Transformer

    xa, ya = _floats(x).copy(), _floats(y).copy()
    src = np.broadcast_to(np.asarray(source, dtype=np.int64), xa.shape)
    dst = projection_du_departement(code_commune)
    for s, d in set(zip(src.tolist(), dst.tolist(), strict=True)):
        if s == d:
            continue
        pick = (src == s) & (dst == d) & ~np.isnan(xa) & ~np.isnan(ya)
        if pick.any():
            t = Transformer.from_crs(int(s), int(d), always_xy=True)
            if pick.sum() == 1:  # pyproj takes a one-element array for a point
                i = int(np.flatnonzero(pick)[0])
                xa[i], ya[i] = t.transform(float(xa[i]), float(ya[i]))
            else:
                xa[pick], ya[pick] = t.transform(xa[pick], ya[pick])
    return xa, ya


def hors_etendue(
    x: npt.ArrayLike, y: npt.ArrayLike, code_commune: pd.Series
) -> npt.NDArray[np.bool_]:
    """Points outside their department projection's plausible extent (a swapped or
    wrongly projected pair)."""
    xa, ya = _floats(x), _floats(y)
    dst = projection_du_departement(code_commune)
    bad = np.zeros(len(xa), dtype=bool)
    for epsg, (x0, x1, y0, y1) in ETENDUES.items():
        pick = (dst == epsg) & ~np.isnan(xa) & ~np.isnan(ya)
        bad |= pick & ((xa < x0) | (xa > x1) | (ya < y0) | (ya > y1))
    return bad
