"""Issue 9, index correctness: absent groups, counts within floating noise of the total,
the exact bias-corrected D, what is computed by default."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.indices import INDICES, segregation_indices
from mixite.indices._regions import regions_from
from mixite.indices.singlegroup import bias_corrected_dissimilarity

MULTI = [k for k, v in INDICES.items() if v.family == "multi"]


def _regions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [5.0, 9, 2, 7, 1, 6],
            "b": [3.0, 1, 8, 2, 9, 4],
            "c": [4.0, 6, 1, 0, 0, 0],  # absent from region B
            "r": ["A", "A", "A", "B", "B", "B"],
        }
    )


@pytest.mark.parametrize("name", MULTI)
def test_an_absent_group_is_dropped(name: str) -> None:
    units = _regions()
    three = segregation_indices(units, groups=["a", "b", "c"], by="r", indices=[name])
    two = segregation_indices(units[units["r"] == "B"], groups=["a", "b"], indices=[name])
    assert three.loc["B", name] == pytest.approx(two[name].iloc[0], abs=1e-12)
    assert three.loc["B", name] != 0.0


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("multi_dissimilarity", "MultiDissim"),
        ("multi_gini", "MultiGini"),
        ("multi_normalized_exposure", "MultiNormExposure"),
        ("multi_information_theory", "MultiInfoTheory"),
        ("multi_relative_diversity", "MultiRelativeDiversity"),
        ("multi_squared_coefficient_of_variation", "MultiSquaredCoefVar"),
    ],
)
def test_absent_groups_against_pysal_on_present_groups(name: str, cls: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation import multigroup as mg

        b = _regions()[lambda f: f["r"] == "B"].reset_index(drop=True)
        theirs = getattr(mg, cls)(b, ["a", "b"]).statistic
    ours = segregation_indices(_regions(), groups=["a", "b", "c"], by="r", indices=[name])
    assert ours.loc["B", name] == pytest.approx(theirs, abs=1e-12)


def test_a_region_with_one_group_is_nan() -> None:
    units = _regions().assign(b=lambda f: np.where(f["r"] == "B", 0.0, f["b"]))
    out = segregation_indices(units, groups=["a", "b", "c"], by="r", indices=MULTI)
    assert out.loc["B", MULTI].isna().all()
    assert out.loc["A", MULTI].notna().all()


def test_groups_within_floating_noise_of_the_total() -> None:
    # Issue 9.9: published fractional counts summing to the total plus 1e-12.
    units = pd.DataFrame({"g": [3.2, 5.0 + 1e-12, 0.0, 7.7], "t": [10.0, 5.0, 4.4, 7.7]})
    single = [k for k, v in INDICES.items() if v.family == "single"]
    out = segregation_indices(units, group="g", total="t", indices=single).iloc[0]
    for name in single:
        spec = INDICES[name]
        assert spec.lower - 1e-9 <= out[name] <= spec.upper + 1e-9, name
    with pytest.raises(ValueError, match="beyond a relative tolerance"):
        segregation_indices(units.assign(g=units["g"] + 1e-6), group="g", total="t")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 50, allow_nan=False),
            st.floats(0, 1),
            st.sampled_from([0.0, 1e-13, -1e-13, 3e-12]),
        ),
        min_size=2,
        max_size=20,
    )
)
def test_every_index_stays_within_its_bounds_for_every_accepted_input(
    rows: list[tuple[float, float, float]],
) -> None:
    t = np.array([r[0] for r in rows])
    share = np.array([r[1] for r in rows])
    noise = np.array([r[2] for r in rows])
    units = pd.DataFrame({"t": t, "g": np.maximum(t * share + noise * t, 0.0)})
    units["autres"] = np.maximum(units["t"] - units["g"], 0.0)
    names = [k for k, v in INDICES.items() if v.family in ("single", "multi")]
    try:
        out = segregation_indices(units, group="g", total="t", indices=names).iloc[0]
    except ValueError as exc:
        assert "beyond a relative tolerance" in str(exc)
        return
    for name in names:
        v = out[name]
        if np.isnan(v):
            continue
        spec = INDICES[name]
        assert spec.lower - 1e-9 <= v <= spec.upper + 1e-9, (name, v)


def test_bias_corrected_by_hand() -> None:
    # Two units, one member of each group in each: X = Y = 2, A, B ~ B(2, ½) independent,
    # E|A − B| = ¾, so E[D_b] = ½ (3/8 + 3/8) = 3/8 and D_bc = 2·0 − 3/8.
    r = regions_from(None, 2)
    x, t = np.array([1.0, 1.0]), np.array([2.0, 2.0])
    assert bias_corrected_dissimilarity(x, t, r)[0] == pytest.approx(-0.375, abs=1e-12)
    # Complete segregation stays complete: every redraw is segregated too.
    assert bias_corrected_dissimilarity(np.array([3.0, 0]), np.array([3.0, 4]), r)[
        0
    ] == pytest.approx(1.0)


def test_exact_bias_correction_within_monte_carlo_error_of_the_bootstrap() -> None:
    rng = np.random.default_rng(5)
    t = rng.integers(0, 40, 300).astype(float)
    x = np.floor(t * rng.beta(1, 3, 300))
    r = regions_from(np.repeat(np.arange(3), 100), 300)
    exact = bias_corrected_dissimilarity(x, t, r)
    boot = bias_corrected_dissimilarity(x, t, r, method="bootstrap", draws=4000)
    np.testing.assert_allclose(exact, boot, atol=2e-3)
    with pytest.raises(ValueError, match="must be 'exact' or 'bootstrap'"):
        bias_corrected_dissimilarity(x, t, r, method="mc")


def test_bias_corrected_only_when_named() -> None:
    units = _regions().assign(t=lambda f: f["a"] + f["b"])
    default = segregation_indices(units, group="a", total="t")
    assert "bias_corrected_dissimilarity" not in default.columns
    named = segregation_indices(
        units, group="a", total="t", indices=["bias_corrected_dissimilarity"]
    )
    assert "bias_corrected_dissimilarity" in named.columns
