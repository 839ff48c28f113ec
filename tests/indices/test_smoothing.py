"""Smoothing against the btb definition (a direct implementation), conservation,
kernels, bespoke indices and profiles; PySAL's kernel environment reproduced exactly."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.indices import segregation_indices
from mixite.indices.smoothing import bespoke_indices, kernel_weights, multiscalar_profile, smooth
from tests.conftest import REAL, require_shared


def naive_btb(
    x: np.ndarray, y: np.ndarray, c: np.ndarray, h: float, kernel: str = "bisquare"
) -> np.ndarray:
    """btb's definition, written directly: each cell spreads its count over the cells
    within h, with weights normalised to 1 over the study area."""
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])  # d[target, source]
    w = kernel_weights(d, h, kernel)  # type: ignore[arg-type]
    w = w / w.sum(axis=0, keepdims=True)
    return w @ c


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    h=st.sampled_from([300.0, 450.0, 800.0, 1000.0]),
    kernel=st.sampled_from(["bisquare", "gaussian", "uniform", "triangular"]),
)
def test_matches_the_btb_definition_with_holes_and_borders(
    seed: int, h: float, kernel: str
) -> None:
    rng = np.random.default_rng(seed)
    cells = np.argwhere(rng.random((12, 15)) < 0.6)  # an irregular study area
    x, y = cells[:, 1] * 200.0, cells[:, 0] * 200.0
    c = rng.integers(0, 30, len(x)).astype(float)
    fast = smooth(x, y, c, bandwidth=h, kernel=kernel)  # type: ignore[arg-type]
    np.testing.assert_allclose(fast, naive_btb(x, y, c, h, kernel), atol=1e-9)
    assert fast.sum() == pytest.approx(c.sum())


def test_bisquare_weights() -> None:
    assert kernel_weights([0, 200, 400, 600], 400).tolist() == [1.0, 0.5625, 0.0, 0.0]
    with pytest.raises(ValueError, match="kernel must be one of"):
        kernel_weights([0], 400, "epanechnikov")  # type: ignore[arg-type]


def test_small_bandwidth_gives_aspatial_indices() -> None:
    rng = np.random.default_rng(2)
    cells = np.argwhere(np.ones((10, 10)))
    units = pd.DataFrame(
        {
            "x": cells[:, 1] * 200.0,
            "y": cells[:, 0] * 200.0,
            "t": rng.integers(5, 20, 100).astype(float),
        }
    )
    units["g"] = np.floor(units["t"] * rng.random(100))
    bespoke = bespoke_indices(units, group="g", total="t", bandwidth=200).iloc[0]
    aspatial = segregation_indices(units, group="g", total="t").iloc[0]
    assert bespoke["bespoke_dissimilarity"] == pytest.approx(aspatial["dissimilarity"])
    assert bespoke["bespoke_information_theory"] == pytest.approx(aspatial["entropy"])
    assert bespoke["bespoke_isolation"] == pytest.approx(aspatial["isolation"])


def test_profile_decreases_with_bandwidth_on_a_checkerboard_of_blocks() -> None:
    cells = np.argwhere(np.ones((40, 40)))
    units = pd.DataFrame({"x": cells[:, 1] * 200.0, "y": cells[:, 0] * 200.0, "t": 10.0})
    units["g"] = np.where((cells[:, 0] // 4 + cells[:, 1] // 4) % 2 == 0, 10.0, 0.0)
    profile = multiscalar_profile(units, group="g", total="t", bandwidths=[200, 600, 1200, 2400])
    d = profile["bespoke_dissimilarity"].to_numpy()
    assert d[0] == pytest.approx(1.0)
    assert (np.diff(d) < 0).all()


def test_pysal_local_environment_reproduced() -> None:
    """PySAL sums kernel-weighted neighbours (no conservation) and rounds them to
    integers; with the same kernel, our non-conservative smoothing gives the same counts
    and its spatial D to 1e-9."""
    require_shared()
    import geopandas as gpd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation import singlegroup as sg

        f = pd.read_csv(
            REAL / "filosofi-carreaux-martinique" / "Filosofi2017_carreaux_200m_mart.csv"
        ).head(3000)
        corner = f["Idcar_200m"].str.extract(r"N(\d+)E(\d+)").astype(float)
        f["y"], f["x"] = corner[0], corner[1]
        g = gpd.GeoDataFrame(f, geometry=gpd.points_from_xy(f["x"] + 100, f["y"] + 100), crs=5490)
        theirs = sg.Dissim(g, "Men_pauv", "Men", distance=1000)
    ours = smooth(
        f["x"],
        f["y"],
        f[["Men_pauv", "Men"]].to_numpy(),
        bandwidth=1000,
        kernel="triangular",
        conservative=False,
    )
    np.testing.assert_array_equal(np.round(ours), theirs.data[["Men_pauv", "Men"]].to_numpy())
    rounded = pd.DataFrame({"x": np.round(ours[:, 0]), "t": np.round(ours[:, 1])})
    d = segregation_indices(rounded, group="x", total="t", indices=["dissimilarity"])[
        "dissimilarity"
    ].iloc[0]
    assert d == pytest.approx(theirs.statistic, abs=1e-9)
