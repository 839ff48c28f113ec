"""Spatial single-group indices: PySAL where its formulas are Massey & Denton's, by hand
where they are not (its proximity matrix is not exp(−d))."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from mixite.indices.spatial import SPATIAL_INDICES, spatial_indices
from tests.conftest import REAL, require_shared


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    require_shared()
    import geopandas as gpd

    f = pd.read_csv(
        REAL / "filosofi-carreaux-martinique" / "Filosofi2017_carreaux_200m_mart.csv",
        dtype={"lcog_geo": str},
    )
    f["com"] = f["lcog_geo"].fillna("").str[:5]
    agg = f[f["com"] != ""].groupby("com")[["Men_pauv", "Men"]].sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        poly = gpd.read_file(
            REAL / "filosofi-carreaux-martinique" / "mtq.gpkg", layer="polygons"
        ).set_index("INSEE_COM")
    g = poly.join(agg, how="inner").reset_index()
    g["area"], g["cx"], g["cy"] = g.area, g.centroid.x, g.centroid.y
    return g


PYSAL = [
    "delta",
    "absolute_concentration",
    "relative_concentration",
    "absolute_centralization",
    "relative_centralization",
]


@pytest.mark.parametrize("name", PYSAL)
def test_area_and_centroid_indices_match_pysal(communes: pd.DataFrame, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation import singlegroup as sg

        classes = {
            "delta": sg.Delta,
            "absolute_concentration": sg.AbsoluteConcentration,
            "relative_concentration": sg.RelativeConcentration,
            "absolute_centralization": sg.AbsoluteCentralization,
            "relative_centralization": sg.RelativeCentralization,
        }
        theirs = classes[name](communes, "Men_pauv", "Men").statistic
    ours = spatial_indices(
        communes,
        group="Men_pauv",
        total="Men",
        x="cx",
        y="cy",
        area="area",
        cell=None,
        indices=[name],
    )[name].iloc[0]
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_grid_spatial_dissimilarity_matches_pysal_queen() -> None:
    require_shared()
    import geopandas as gpd
    import shapely

    f = pd.read_csv(
        REAL / "filosofi-carreaux-martinique" / "Filosofi2017_carreaux_200m_mart.csv"
    ).head(1500)
    corner = f["Idcar_200m"].str.extract(r"N(\d+)E(\d+)").astype(float)
    f["y"], f["x"] = corner[0], corner[1]
    g = gpd.GeoDataFrame(
        f, geometry=shapely.box(f["x"], f["y"], f["x"] + 200, f["y"] + 200), crs=5490
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation import singlegroup as sg

        theirs = sg.SpatialDissim(g, "Men_pauv", "Men").statistic
    ours = spatial_indices(f, group="Men_pauv", total="Men", indices=["spatial_dissimilarity"])[
        "spatial_dissimilarity"
    ].iloc[0]
    assert ours == pytest.approx(theirs, abs=1e-9)


def _two_cells() -> pd.DataFrame:
    # Two 1 km² cells 1 km apart (centroids), 10 and 20 people, 8 and 2 in the group.
    return pd.DataFrame({"x": [0.0, 1000.0], "y": [0.0, 0.0], "g": [8.0, 2.0], "t": [10.0, 20.0]})


def test_clustering_and_proximity_by_hand() -> None:
    u = _two_cells()
    got = spatial_indices(
        u,
        group="g",
        total="t",
        cell=1000.0,
        indices=["absolute_clustering", "relative_clustering", "spatial_proximity"],
    ).iloc[0]
    c = np.array(
        [[math.exp(-((0.6) ** 0.5)), math.exp(-1)], [math.exp(-1), math.exp(-((0.6) ** 0.5))]]
    )
    x, t = np.array([8.0, 2.0]), np.array([10.0, 20.0])
    y = t - x
    X, Y, T, n = x.sum(), y.sum(), t.sum(), 2
    acl = ((x / X) @ (c @ x) - X / n**2 * c.sum()) / ((x / X) @ (c @ t) - X / n**2 * c.sum())
    pxx, pyy, ptt = x @ c @ x / X**2, y @ c @ y / Y**2, t @ c @ t / T**2
    assert got["absolute_clustering"] == pytest.approx(acl)
    assert got["relative_clustering"] == pytest.approx(pxx / pyy - 1)
    assert got["spatial_proximity"] == pytest.approx((X * pxx + Y * pyy) / (T * ptt))


def test_distance_decay_by_hand() -> None:
    u = _two_cells()
    got = spatial_indices(
        u,
        group="g",
        total="t",
        cell=1000.0,
        indices=["distance_decay_isolation", "distance_decay_exposure"],
    ).iloc[0]
    c = np.array(
        [[math.exp(-((0.6) ** 0.5)), math.exp(-1)], [math.exp(-1), math.exp(-((0.6) ** 0.5))]]
    )
    x, t = np.array([8.0, 2.0]), np.array([10.0, 20.0])
    k = c * t[None, :] / (c * t[None, :]).sum(axis=1, keepdims=True)
    iso = (x / x.sum()) @ (k @ (x / t))
    assert got["distance_decay_isolation"] == pytest.approx(iso)
    assert got["distance_decay_exposure"] == pytest.approx(1 - iso)


def test_boundary_dissimilarity_by_hand() -> None:
    # A 2×2 grid: rook pairs are the 4 edges; queen adds the 2 diagonals.
    u = pd.DataFrame(
        {"x": [0.0, 200, 0, 200], "y": [0.0, 0, 200, 200], "g": [10.0, 0, 0, 10], "t": [10.0] * 4}
    )
    got = spatial_indices(
        u, group="g", total="t", indices=["spatial_dissimilarity", "boundary_spatial_dissimilarity"]
    ).iloc[0]
    # D = 1; every rook pair differs (|p_i − p_j| = 1); queen: the 2 diagonal pairs agree.
    assert got["boundary_spatial_dissimilarity"] == pytest.approx(1 - 1)
    assert got["spatial_dissimilarity"] == pytest.approx(1 - 8 / 12)


def test_regions_together_equal_regions_alone() -> None:
    rng = np.random.default_rng(4)
    cells = np.argwhere(np.ones((20, 20)))
    u = pd.DataFrame(
        {
            "x": cells[:, 1] * 200.0,
            "y": cells[:, 0] * 200.0,
            "t": rng.integers(5, 30, 400).astype(float),
        }
    )
    u["g"] = np.floor(u["t"] * rng.random(400))
    u["r"] = (cells[:, 1] >= 10).astype(int) + 2 * (cells[:, 0] >= 10).astype(int)
    together = spatial_indices(u, group="g", total="t", by="r")
    for region, part in u.groupby("r"):
        alone = spatial_indices(part.reset_index(drop=True), group="g", total="t")
        np.testing.assert_allclose(
            together.loc[region].to_numpy(dtype=float),
            alone.iloc[0].to_numpy(dtype=float),
            rtol=1e-10,
            equal_nan=True,
        )
    assert list(together.columns) == list(SPATIAL_INDICES)


@pytest.mark.parametrize(
    ("name", "pysal_class"),
    [
        ("spatial_dissimilarity", "SpatialDissim"),
        ("boundary_spatial_dissimilarity", "BoundarySpatialDissim"),
    ],
)
def test_polygon_contiguity_matches_pysal_on_real_communes(
    communes: pd.DataFrame, name: str, pysal_class: str
) -> None:
    # Issue 9.10: irregular polygons (the 34 communes of Martinique), queen and rook.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation import singlegroup as sg

        # Wong's weights are the shared lengths themselves (as in the seg R package);
        # PySAL's class row-standardises them by default, so that is switched off.
        kw = {"standardize": False} if pysal_class == "BoundarySpatialDissim" else {}
        theirs = getattr(sg, pysal_class)(communes, "Men_pauv", "Men", **kw).statistic
    ours = spatial_indices(
        communes, group="Men_pauv", total="Men", geometry="geometry", indices=[name]
    )[name].iloc[0]
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_polygons_of_a_grid_give_the_grid_contiguity() -> None:
    import shapely

    rng = np.random.default_rng(3)
    xs, ys = np.meshgrid(np.arange(8) * 200.0, np.arange(6) * 200.0)
    f = pd.DataFrame({"x": xs.ravel(), "y": ys.ravel()})
    f["t"] = rng.integers(5, 50, len(f)).astype(float)
    f["g"] = np.floor(f["t"] * rng.random(len(f)))
    f["geometry"] = shapely.box(f["x"], f["y"], f["x"] + 200, f["y"] + 200)
    names = ["spatial_dissimilarity", "boundary_spatial_dissimilarity"]
    grid = spatial_indices(f, group="g", total="t", indices=names)
    poly = spatial_indices(f, group="g", total="t", geometry="geometry", indices=names)
    np.testing.assert_allclose(grid.to_numpy(), poly.to_numpy(), atol=1e-12)


def test_an_index_without_its_inputs_is_an_error() -> None:
    points = _two_cells().assign(a=1e6)
    with pytest.raises(ValueError, match=r"need contiguity: give 'cell' \(a grid\) or 'geometry'"):
        spatial_indices(
            points, group="g", total="t", area="a", cell=None, indices=["spatial_dissimilarity"]
        )
    default = spatial_indices(points, group="g", total="t", area="a", cell=None)
    assert "spatial_dissimilarity" not in default.columns and "delta" in default.columns
    with pytest.raises(ValueError, match=r"needs the column 'menages'"):
        spatial_indices(points, group="g", total="menages")


def test_centralization_without_the_group_is_nan() -> None:
    # Issue 9.11: the package's own rule for a region without the group.
    f = pd.DataFrame(
        {
            "x": [0.0, 200, 400, 0, 200],
            "y": 0.0,
            "g": [0.0, 0, 0, 3, 1],
            "t": 10.0,
            "r": list("aaabb"),
        }
    )
    out = spatial_indices(
        f,
        group="g",
        total="t",
        by="r",
        indices=["absolute_centralization", "relative_centralization"],
    )
    assert out.loc["a"].isna().all() and out.loc["b"].notna().all()


def test_default_cutoff_against_all_pairs_on_the_real_grid() -> None:
    # The docs' claim: with the default 20 km cutoff the distance-based indices differ from
    # all pairs (PySAL's choice) by less than 1e-8 on the whole Martinique grid.
    require_shared()
    f = pd.read_csv(REAL / "filosofi-carreaux-martinique" / "Filosofi2017_carreaux_200m_mart.csv")
    corner = f["Idcar_200m"].str.extract(r"N(\d+)E(\d+)").astype(float)
    f["y"], f["x"] = corner[0], corner[1]
    f = f.sample(2500, random_state=1)
    names = ["absolute_clustering", "relative_clustering", "spatial_proximity"]
    near = spatial_indices(f, group="Men_pauv", total="Men", indices=names)
    every = spatial_indices(f, group="Men_pauv", total="Men", indices=names, cutoff_km=float("inf"))
    np.testing.assert_allclose(near.to_numpy(), every.to_numpy(), rtol=0, atol=1e-8)
