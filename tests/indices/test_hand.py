"""Hand-computed cases: two units (10 of 20 and 20 of 30 in the group)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mixite.indices import INDICES, segregation_indices

UNITS = pd.DataFrame({"x": [10.0, 20.0], "t": [20.0, 30.0]})
# X = 30, T = 50, P = 0.6; p = 1/2 and 2/3.
P = 0.6
p = (0.5, 2 / 3)
t = (20, 30)


def _h(q: float) -> float:
    return -(q * math.log(q) + (1 - q) * math.log(1 - q))


EXPECTED = {
    "dissimilarity": 0.5 * (abs(10 / 30 - 10 / 20) + abs(20 / 30 - 10 / 20)),
    "gini": 2 * 20 * 30 * abs(p[0] - p[1]) / (2 * 50**2 * P * (1 - P)),
    "entropy": (20 * (_h(P) - _h(p[0])) + 30 * (_h(P) - _h(p[1]))) / (_h(P) * 50),
    "isolation": 10 / 30 * p[0] + 20 / 30 * p[1],
    "exposure": 10 / 30 * (1 - p[0]) + 20 / 30 * (1 - p[1]),
    "correlation_ratio": (10 / 30 * p[0] + 20 / 30 * p[1] - P) / (1 - P),
    "atkinson_0.5": 1
    - P
    / (1 - P)
    * abs(sum(math.sqrt((1 - q) * q) * w for q, w in zip(p, t, strict=True)) / (P * 50)) ** 2,
    "mutual_information": sum(
        w / 50 * (q * math.log(q / P) + (1 - q) * math.log((1 - q) / (1 - P)))
        for q, w in zip(p, t, strict=True)
    ),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_two_units_by_hand(name: str) -> None:
    got = segregation_indices(UNITS, group="x", total="t", indices=[name])[name].iloc[0]
    assert got == pytest.approx(EXPECTED[name], rel=1e-12)


def test_d_equals_gini_for_two_units() -> None:
    out = segregation_indices(UNITS, group="x", total="t", indices=["dissimilarity", "gini"])
    assert (
        out["dissimilarity"].iloc[0] == pytest.approx(out["gini"].iloc[0]) == pytest.approx(1 / 6)
    )


def test_multigroup_three_groups_by_hand() -> None:
    # Two units: (a, b, c) = (10, 0, 10) and (0, 20, 0); T = 40, π = (1/4, 1/2, 1/4).
    units = pd.DataFrame({"a": [10.0, 0.0], "b": [0.0, 20.0], "c": [10.0, 0.0]})
    out = segregation_indices(
        units,
        groups=["a", "b", "c"],
        indices=["multi_dissimilarity", "multi_information_theory", "mutual_information"],
    )
    simpson = 1 / 4 * 3 / 4 * 2 + 1 / 2 * 1 / 2
    d = (20 * (1 / 4 + 1 / 2 + 1 / 4) + 20 * (1 / 4 + 1 / 2 + 1 / 4)) / (2 * 40 * simpson)
    assert out["multi_dissimilarity"].iloc[0] == pytest.approx(d)
    e = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5))
    m = 20 / 40 * (2 * 0.5 * math.log(0.5 / 0.25)) + 20 / 40 * math.log(1 / 0.5)
    assert out["mutual_information"].iloc[0] == pytest.approx(m)
    assert out["multi_information_theory"].iloc[0] == pytest.approx(m / e)


def test_multigroup_shares_follow_a_changed_array() -> None:
    # Direct calls on a writable array: changing it in place must change the result.
    from mixite.indices._regions import single_region
    from mixite.indices.multigroup import multi_dissimilarity

    n = np.array([[10.0, 0.0], [0.0, 10.0]])
    r = single_region(2)
    assert multi_dissimilarity(n, r)[0] == pytest.approx(1.0)
    n[:] = [[5.0, 5.0], [5.0, 5.0]]
    assert multi_dissimilarity(n, r)[0] == pytest.approx(0.0)


def test_regions_in_one_pass_equal_a_loop() -> None:
    rng = np.random.default_rng(7)
    units = pd.DataFrame({"t": rng.integers(1, 50, 400).astype(float)})
    units["x"] = np.floor(units["t"] * rng.random(400))
    units["r"] = rng.integers(0, 12, 400)
    names = [k for k, v in INDICES.items() if v.family != "ordinal" and not v.stochastic]
    together = segregation_indices(units, group="x", total="t", by="r", indices=names)
    for region, part in units.groupby("r"):
        alone = segregation_indices(
            part.reset_index(drop=True), group="x", total="t", indices=names
        )
        pd.testing.assert_series_equal(
            together.loc[region].drop(["unites", "population"]),
            alone.iloc[0].drop(["unites", "population"]),
            check_names=False,
            rtol=1e-11,
        )


def test_bad_input_names_the_units() -> None:
    units = pd.DataFrame({"x": [1.0, 5.0, np.nan], "t": [3.0, 4.0, 2.0]}, index=["u1", "u2", "u3"])
    with pytest.raises(
        ValueError,
        match=r"1 unit\(s\) have missing \(NaN\) counts in \['x', 't'\]; first: \['u3'\]",
    ):
        segregation_indices(units, group="x", total="t")
    units.loc["u3", "x"] = 1
    with pytest.raises(
        ValueError,
        match=r"1 unit\(s\) have more 'x' than 't' \(beyond a relative tolerance of 1e-09\); first: \['u2'\]",
    ):
        segregation_indices(units, group="x", total="t")
    units.loc["u2", "x"] = -1
    with pytest.raises(ValueError, match="negative counts"):
        segregation_indices(units, group="x", total="t")
    with pytest.raises(ValueError, match="available columns: \\['x', 't'\\]"):
        segregation_indices(units, group="pauvres", total="t")
    with pytest.raises(ValueError, match="Unknown indices \\['theil'\\]"):
        segregation_indices(units.clip(lower=0), group="x", total="t", indices=["theil"])


def test_documented_results_for_degenerate_regions() -> None:
    units = pd.DataFrame(
        {
            "x": [0.0, 0.0, 3.0, 2.0, 4.0, 0.0],
            "t": [5.0, 5.0, 3.0, 6.0, 5.0, 0.0],
            "r": list("aabbcc"),
        }
    )
    out = segregation_indices(units, group="x", total="t", by="r")
    assert np.isnan(out.loc["a", "dissimilarity"])  # no member of the group: nothing to measure
    assert not np.isnan(out.loc["b", "dissimilarity"])
    # One populated unit (the other is empty): nothing is uneven.
    assert out.loc["c", "dissimilarity"] == 0 and out.loc["c", "gini"] == 0
    assert out.loc["c", "unites"] == 2


def test_exposure_matrix() -> None:
    from mixite.indices._regions import single_region
    from mixite.indices.multigroup import exposure_matrix

    n = np.array([[8.0, 2.0, 0.0], [2.0, 6.0, 2.0], [0.0, 2.0, 8.0]])
    m = exposure_matrix(n, single_region(3))[0]
    np.testing.assert_allclose(m.sum(axis=1), 1.0)  # a member's unit is made of all groups
    iso = segregation_indices(
        pd.DataFrame({"a": n[:, 0], "t": n.sum(axis=1)}),
        group="a",
        total="t",
        indices=["isolation"],
    )
    assert m[0, 0] == pytest.approx(iso["isolation"].iloc[0])
    assert m[0, 1] == pytest.approx((8 / 10) * (2 / 10) + (2 / 10) * (6 / 10))


def test_density_corrected_theta_is_the_folded_normal_mode() -> None:
    """θ* solved by Newton equals a bracketing root-finder's, including near θ̂ = 1."""
    from scipy.optimize import brentq

    rng = np.random.default_rng(12)
    t = rng.integers(5, 40, 3000).astype(float)
    x = np.floor(t * rng.beta(2, 5, 3000))
    units = pd.DataFrame({"x": x, "t": t})
    ours = segregation_indices(
        units, group="x", total="t", indices=["density_corrected_dissimilarity"]
    ).iloc[0, -1]
    y = t - x
    p0, p1 = x / x.sum(), y / y.sum()
    sigma = np.sqrt(p1 * (1 - p1) / y.sum() + p0 * (1 - p0) / x.sum())
    theta_hat = np.abs(p1 - p0) / sigma
    theta = [
        brentq(lambda z, h=h: z - h * np.tanh(h * z), 1e-12, h, xtol=1e-15) if h > 1 else 0.0
        for h in theta_hat
    ]
    assert ours == pytest.approx(0.5 * float(np.sum(sigma * np.array(theta))), abs=1e-12)
