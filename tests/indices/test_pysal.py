"""Cross-check against PySAL ``segregation`` (independent implementation) to 1e-9 on the
real Martinique 200 m grid and the real census IRIS tables."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mixite.indices import segregation_indices
from tests.conftest import REAL, require_shared

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from segregation import multigroup as mg
    from segregation import singlegroup as sg

SINGLE = {
    "dissimilarity": sg.Dissim,
    "gini": sg.Gini,
    "entropy": sg.Entropy,
    "isolation": sg.Isolation,
    "exposure": sg.Interaction,
    "correlation_ratio": sg.CorrelationR,
    "atkinson_0.5": sg.Atkinson,
}
MULTI = {
    "multi_dissimilarity": mg.MultiDissim,
    "multi_gini": mg.MultiGini,
    "multi_normalized_exposure": mg.MultiNormExposure,
    "multi_information_theory": mg.MultiInfoTheory,
    "multi_relative_diversity": mg.MultiRelativeDiversity,
    "multi_squared_coefficient_of_variation": mg.MultiSquaredCoefVar,
    "simpson_interaction": mg.SimpsonsInteraction,
    "simpson_concentration": mg.SimpsonsConcentration,
    "multi_diversity": mg.MultiDiversity,
    "mutual_information": mg.MultiDivergence,
}


def _pysal(cls: type, *args: object) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cls(*args).statistic)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    require_shared()
    f = pd.read_csv(REAL / "filosofi-carreaux-martinique" / "Filosofi2017_carreaux_200m_mart.csv")
    f["logements"] = f[["Log_av45", "Log_45_70", "Log_70_90", "Log_ap90", "Log_inc"]].sum(axis=1)
    return f[f["logements"] > 0].reset_index(drop=True)


@pytest.fixture(scope="module")
def iris_nord() -> pd.DataFrame:
    require_shared()
    f = pd.read_csv(
        REAL / "rp2016-iris-habitat" / "IRIS_household_detailed_IR_Hab.csv", dtype={"IRIS": str}
    )
    f = f[f["IRIS"].str.startswith("59")].reset_index(drop=True)
    f["personnes"] = f[[f"C16_PMEN_CS{i}" for i in range(1, 9)]].sum(axis=1)
    return f[f["personnes"] > 0].reset_index(drop=True)


@pytest.mark.parametrize("name", list(SINGLE))
@pytest.mark.parametrize(
    ("group", "total"),
    [("Men_pauv", "Men"), ("Log_soc", "logements")],
    ids=["pauvres", "logement-social"],
)
def test_single_group_on_the_martinique_grid(
    grid: pd.DataFrame, name: str, group: str, total: str
) -> None:
    ours = segregation_indices(grid, group=group, total=total, indices=[name])[name].iloc[0]
    if name == "gini" and group == "Log_soc":
        pytest.skip("PySAL Gini is O(n²) in memory and time; checked on the poor households")
    assert ours == pytest.approx(_pysal(SINGLE[name], grid, group, total), abs=1e-9)


@pytest.mark.parametrize("name", list(SINGLE))
def test_single_group_on_census_iris(iris_nord: pd.DataFrame, name: str) -> None:
    ours = segregation_indices(
        iris_nord, group="C16_PMEN_MENFAMMONO", total="personnes", indices=[name]
    )[name].iloc[0]
    assert ours == pytest.approx(
        _pysal(SINGLE[name], iris_nord, "C16_PMEN_MENFAMMONO", "personnes"), abs=1e-9
    )


@pytest.mark.parametrize("name", list(MULTI))
def test_multigroup_on_census_iris(iris_nord: pd.DataFrame, name: str) -> None:
    groups = [f"C16_PMEN_CS{i}" for i in range(1, 9)]
    ours = segregation_indices(iris_nord, groups=groups, indices=[name])[name].iloc[0]
    assert ours == pytest.approx(_pysal(MULTI[name], iris_nord, groups), abs=1e-9)


def test_atkinson_b_parameter(grid: pd.DataFrame) -> None:
    """PySAL's public ``Atkinson`` class never passes ``b`` on (it always computes b = 0.5);
    its private ``_atkinson`` function does take it, and we match that one."""
    from segregation.singlegroup.atkinson import _atkinson

    for b in (0.1, 0.9):
        ours = segregation_indices(grid, group="Men_pauv", total="Men", indices=[f"atkinson_{b}"])[
            f"atkinson_{b}"
        ].iloc[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = float(_atkinson(grid, "Men_pauv", "Men", b=b)[0])
        assert ours == pytest.approx(theirs, abs=1e-9)
        assert ours != pytest.approx(_pysal(sg.Atkinson, grid, "Men_pauv", "Men"), abs=1e-6)


def test_martinique_dissimilarity_matches_source_md(grid: pd.DataFrame) -> None:
    """SOURCE.md reports D = 0.279 for poor households over the 200 m cells."""
    full = pd.read_csv(
        REAL / "filosofi-carreaux-martinique" / "Filosofi2017_carreaux_200m_mart.csv"
    )
    d = segregation_indices(full, group="Men_pauv", total="Men", indices=["dissimilarity"])[
        "dissimilarity"
    ].iloc[0]
    assert round(d, 3) == 0.279
    assert not np.isnan(d)


LOCAL = {
    "diversite": "MultiLocalDiversity",
    "entropie": "MultiLocalEntropy",
    "concentration_simpson": "MultiLocalSimpsonConcentration",
    "interaction_simpson": "MultiLocalSimpsonInteraction",
}


@pytest.mark.parametrize("column", list(LOCAL))
def test_local_indices_on_census_iris(iris_nord: pd.DataFrame, column: str) -> None:
    import segregation.local as loc

    from mixite.indices import local_indices

    groups = [f"C16_PMEN_CS{i}" for i in range(1, 9)]
    ours = local_indices(iris_nord, groups=groups)[column].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = np.asarray(getattr(loc, LOCAL[column])(iris_nord, groups).statistics, dtype=float)
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_location_quotients_and_m_contributions(iris_nord: pd.DataFrame) -> None:
    import segregation.local as loc

    from mixite.indices import local_indices

    groups = [f"C16_PMEN_CS{i}" for i in range(1, 9)]
    ours = local_indices(iris_nord, groups=groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = np.asarray(loc.MultiLocationQuotient(iris_nord, groups).statistics, dtype=float)
    np.testing.assert_allclose(
        ours[[f"quotient_{g}" for g in groups]].to_numpy(), theirs, atol=1e-9
    )
    m = segregation_indices(iris_nord, groups=groups, indices=["mutual_information"])[
        "mutual_information"
    ].iloc[0]
    assert ours["contribution_m"].sum() == pytest.approx(m, abs=1e-12)


def test_density_corrected_dissimilarity(grid: pd.DataFrame) -> None:
    """PySAL finds θ* by Nelder-Mead to 10⁻⁵; we solve θ = θ̂ tanh(θ̂ θ) to 10⁻¹⁴."""
    part = grid.head(2000)
    ours = segregation_indices(
        part, group="Men_pauv", total="Men", indices=["density_corrected_dissimilarity"]
    ).iloc[0, -1]
    assert ours == pytest.approx(
        _pysal(sg.DensityCorrectedDissim, part, "Men_pauv", "Men"), abs=1e-5
    )


def test_bias_corrected_dissimilarity_within_monte_carlo_error(grid: pd.DataFrame) -> None:
    """Both are 2 D − mean of 500 multinomial replicates; the streams differ, so they
    agree to the Monte Carlo error (standard error ≈ 10⁻⁴ here)."""
    np.random.seed(0)
    theirs = _pysal(sg.BiasCorrectedDissim, grid, "Men_pauv", "Men")
    ours = segregation_indices(
        grid, group="Men_pauv", total="Men", indices=["bias_corrected_dissimilarity"]
    ).iloc[0, -1]
    assert ours == pytest.approx(theirs, abs=5e-4)
    d = segregation_indices(grid, group="Men_pauv", total="Men", indices=["dissimilarity"]).iloc[
        0, -1
    ]
    assert ours < d


def test_global_distortion_matches_pysal(grid: pd.DataFrame) -> None:
    import geopandas as gpd

    from mixite.indices.divergence import global_distortion

    part = grid.head(600).copy()
    corner = part["Idcar_200m"].str.extract(r"N(\d+)E(\d+)").astype(float)
    # A regular grid has equal distances; PySAL breaks those ties by an unstable sort,
    # we by unit order. Centroids moved by less than 1 m remove the ties for both.
    jitter = np.random.default_rng(0).uniform(0, 1, (len(part), 2))
    part["y"], part["x"] = corner[0] + 100 + jitter[:, 0], corner[1] + 100 + jitter[:, 1]
    part["autres"] = part["Men"] - part["Men_pauv"]
    g = gpd.GeoDataFrame(part, geometry=gpd.points_from_xy(part["x"], part["y"]), crs=5490)
    theirs = _pysal(mg.GlobalDistortion, g, ["Men_pauv", "autres"])
    assert global_distortion(part, groups=["Men_pauv", "autres"]).iloc[0] == pytest.approx(
        theirs, abs=1e-9
    )


def test_normalized_diversity_on_census_iris(iris_nord: pd.DataFrame) -> None:
    groups = [f"C16_PMEN_CS{i}" for i in range(1, 9)]
    ours = segregation_indices(iris_nord, groups=groups, indices=["multi_normalized_diversity"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = float(mg.MultiDiversity(iris_nord, groups, normalized=True).statistic)
    assert ours.iloc[0, -1] == pytest.approx(theirs, abs=1e-9)


def test_multigroup_by_commune_with_absent_groups(iris_nord: pd.DataFrame) -> None:
    # Many small communes lack a socio-professional group: the rule (drop the absent
    # group) must agree with PySAL run on the groups present, commune by commune.
    groups = [f"C16_PMEN_CS{i}" for i in range(1, 9)]
    f = iris_nord.assign(commune=iris_nord["IRIS"].str[:5])
    ours = segregation_indices(f, groups=groups, by="commune", indices=list(MULTI))
    checked = 0
    for commune, part in f.groupby("commune"):
        present = [g for g in groups if part[g].sum() > 0]
        if len(present) == len(groups) or len(present) < 2 or len(part) < 2:
            continue
        for name, cls in MULTI.items():
            assert ours.loc[commune, name] == pytest.approx(
                _pysal(cls, part.reset_index(drop=True), present), abs=1e-9
            ), (commune, name)
        checked += 1
    assert checked >= 1
