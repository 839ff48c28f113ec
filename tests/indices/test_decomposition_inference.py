"""Scale and change decompositions are exact; inference is seeded and sound."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.indices import segregation_indices
from mixite.indices.decomposition import decompose_change, decompose_scales
from mixite.indices.inference import (
    bias_corrected,
    compare,
    expected_dissimilarity,
    infer,
    null_distribution,
)


def _nested(rng: np.random.Generator, n: int = 300) -> pd.DataFrame:
    f = pd.DataFrame(rng.integers(0, 30, (n, 3)), columns=["a", "b", "c"]).astype(float)
    f["iris"] = rng.integers(0, 40, n)
    f["commune"] = f["iris"] // 8
    f["territoire"] = f["commune"] // 2
    return f


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_scales_add_up_to_m(seed: int) -> None:
    f = _nested(np.random.default_rng(seed))
    d = decompose_scales(f, groups=["a", "b", "c"], levels=["territoire", "commune", "iris"])
    m = segregation_indices(f, groups=["a", "b", "c"], indices=["mutual_information"])[
        "mutual_information"
    ].iloc[0]
    assert d.table["m"].sum() == pytest.approx(m, abs=1e-12)
    assert d.total_m == pytest.approx(m, abs=1e-12)
    assert (d.table["m"] >= -1e-12).all()
    assert d.table["h"].sum() == pytest.approx(
        segregation_indices(f, groups=["a", "b", "c"], indices=["multi_information_theory"])[
            "multi_information_theory"
        ].iloc[0]
    )


def test_between_component_is_m_of_the_aggregates() -> None:
    f = _nested(np.random.default_rng(1))
    d = decompose_scales(f, groups=["a", "b", "c"], levels=["commune"])
    agg = f.groupby("commune")[["a", "b", "c"]].sum()
    between = segregation_indices(agg, groups=["a", "b", "c"], indices=["mutual_information"])[
        "mutual_information"
    ].iloc[0]
    assert d.table["m"].iloc[0] == pytest.approx(between, abs=1e-12)


def test_levels_must_nest() -> None:
    f = _nested(np.random.default_rng(1))
    f.loc[0, "commune"] = 99
    f.loc[1, "commune"] = 99
    f.loc[1, "territoire"] = 98
    with pytest.raises(ValueError, match="is not nested in 'territoire'"):
        decompose_scales(f, groups=["a", "b", "c"], levels=["territoire", "commune"])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_change_components_add_up(seed: int) -> None:
    rng = np.random.default_rng(seed)
    f = _nested(rng, 120)
    f["id"] = range(len(f))
    before = f.iloc[:110].copy()
    after = f.iloc[5:].copy()
    after[["a", "b", "c"]] = np.rint(
        after[["a", "b", "c"]] * rng.uniform(0.5, 1.5, (len(after), 3))
    )
    c = decompose_change(before, after, unit="id", groups=["a", "b", "c"])
    assert c.table()["variation_m"].sum() == pytest.approx(c.total, abs=1e-10)


def test_change_without_change_is_zero_and_pure_composition() -> None:
    f = _nested(np.random.default_rng(3), 80)
    f["id"] = range(len(f))
    same = decompose_change(f, f, unit="id", groups=["a", "b", "c"])
    assert abs(same.total) < 1e-12 and abs(same.structural) < 1e-9
    doubled = f.assign(b=f["b"] * 2)  # the association is kept; both margins move
    c = decompose_change(f, doubled, unit="id", groups=["a", "b", "c"])
    assert abs(c.structural) < 1e-9  # odds ratios kept: only the margins moved


def test_expected_dissimilarity_exact_matches_simulation() -> None:
    rng = np.random.default_rng(5)
    t = rng.integers(1, 20, 800).astype(float)
    x = np.floor(t * rng.random(800) * 0.6)
    exact = expected_dissimilarity(x, t)
    sims = null_distribution(x, t, "dissimilarity", draws=4000, rng=np.random.default_rng(6))
    assert exact == pytest.approx(sims.mean(), abs=3 * sims.std() / np.sqrt(4000) + 1e-4)


def test_two_unit_expected_dissimilarity_by_hand() -> None:
    # T = 2, X = 1, two units of one person: the member lands in either unit; D = 1 always.
    assert expected_dissimilarity([1, 0], [1, 1]) == pytest.approx(1.0)
    # T = 4, X = 2 in two units of two: P(x1 = 0, 1, 2) = 1/6, 4/6, 1/6; D = 1, 0, 1.
    assert expected_dissimilarity([1, 1], [2, 2]) == pytest.approx(1 / 3)


def test_bias_correction() -> None:
    assert bias_corrected(0.4, 0.28) == pytest.approx((0.4 - 0.28) / 0.72)
    assert bias_corrected(0.2, 0.28) == pytest.approx((0.2 - 0.28) / 0.28)
    assert bias_corrected(1.0, 0.3) == 1.0


def test_inference_is_seeded_and_reports_everything() -> None:
    rng = np.random.default_rng(8)
    t = rng.integers(5, 20, 500).astype(float)
    x = np.where(np.arange(500) < 250, np.floor(t * 0.6), np.floor(t * 0.1))
    a = infer(x, t, "dissimilarity", draws=300, rng=np.random.default_rng(1))
    b = infer(x, t, "dissimilarity", draws=300, rng=np.random.default_rng(1))
    assert a == b
    assert a.ci_low <= a.estimate <= a.ci_high
    assert a.p_value == pytest.approx(1 / 301)
    assert a.expected_random < a.estimate and 0 < a.bias_corrected < 1
    even = infer(np.floor(t * 0.3), t, "isolation", draws=300, rng=np.random.default_rng(2))
    assert even.p_value > 0.01
    with pytest.raises(ValueError, match="single-group indices"):
        infer(x, t, "multi_gini", draws=10, rng=np.random.default_rng(1))


def test_compare_regions_and_dates() -> None:
    rng = np.random.default_rng(9)
    t = rng.integers(5, 20, 300).astype(float)
    seg = np.where(np.arange(300) < 150, np.floor(t * 0.7), np.floor(t * 0.05))
    even = np.floor(t * 0.35)
    different = compare((seg, t), (even, t), rng=np.random.default_rng(3), draws=300)
    assert different.p_value < 0.01 and different.difference > 0
    same = compare((seg, t), (seg, t), paired=True, rng=np.random.default_rng(3), draws=300)
    assert same.difference == 0 and same.p_value == 1.0


def test_random_benchmark_for_every_region() -> None:
    from mixite.indices.inference import random_benchmark

    rng = np.random.default_rng(11)
    t = rng.integers(2, 15, 1200).astype(float)
    units = pd.DataFrame(
        {"t": t, "x": np.floor(t * rng.random(1200) * 0.7), "r": np.repeat([0, 1, 2], 400)}
    )
    out = random_benchmark(
        units,
        group="x",
        total="t",
        by="r",
        indices=["dissimilarity", "isolation"],
        draws=400,
        rng=np.random.default_rng(1),
    )
    for region, part in units.groupby("r"):
        exact = expected_dissimilarity(part["x"], part["t"])
        assert out.loc[region, "dissimilarity_aleatoire"] == pytest.approx(exact, abs=0.01)
        corrected = bias_corrected(
            out.loc[region, "dissimilarity"], out.loc[region, "dissimilarity_aleatoire"]
        )
        assert out.loc[region, "dissimilarity_corrige"] == pytest.approx(corrected)


def test_global_distortion_by_region_equals_alone() -> None:
    from mixite.indices.divergence import global_distortion

    rng = np.random.default_rng(3)
    cells = np.argwhere(np.ones((12, 12)))
    u = pd.DataFrame(
        {
            "x": cells[:, 1] * 200.0,
            "y": cells[:, 0] * 200.0,
            "a": rng.integers(0, 9, 144),
            "b": rng.integers(0, 9, 144),
        }
    )
    u["r"] = (cells[:, 1] >= 6).astype(int)
    together = global_distortion(u, groups=["a", "b"], by="r")
    for region, part in u.groupby("r"):
        alone = global_distortion(part.reset_index(drop=True), groups=["a", "b"])
        assert together.loc[region] == pytest.approx(alone.iloc[0], rel=1e-12)


def test_compare_a_share_between_two_dates_hand_case() -> None:
    """Two IRIS at 5 poor households in 10, then 6 in 10: the share goes 0.5 → 0.6.
    Swapping each IRIS's dates at random gives −0.1 (no swap), +0.1 (both swapped) or 0
    (one swapped): |difference| ≥ 0.1 half the time, so p ≈ 0.5."""
    t = np.array([10.0, 10.0])
    out = compare(
        (np.array([5.0, 5.0]), t), (np.array([6.0, 6.0]), t), "part", paired=True,
        rng=np.random.default_rng(1), draws=4000,
    )  # fmt: skip
    assert out.first == 0.5 and out.second == 0.6
    assert out.difference == pytest.approx(-0.1)
    assert out.p_value == pytest.approx(0.5, abs=0.03)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(1, 30)),
                min_size=2, max_size=7))  # fmt: skip
def test_the_paired_share_test_matches_the_exact_permutation_distribution(
    units: list[tuple[int, int, int]],
) -> None:
    """With few units every swap pattern can be listed: the Monte Carlo p-value is the
    exact permutation p-value within sampling error."""
    import itertools

    t = np.array([u[2] for u in units], dtype=float) + 30
    x1 = np.array([u[0] for u in units], dtype=float)
    x2 = np.array([u[1] for u in units], dtype=float)
    observed = x1.sum() / t.sum() - x2.sum() / t.sum()
    hits = 0
    patterns = list(itertools.product([False, True], repeat=len(units)))
    for swap in patterns:
        s = np.array(swap)
        d = np.where(s, x2, x1).sum() / t.sum() - np.where(s, x1, x2).sum() / t.sum()
        hits += abs(d) >= abs(observed) - 1e-12
    exact = hits / len(patterns)
    out = compare((x1, t), (x2, t), "part", paired=True, rng=np.random.default_rng(0), draws=3000)
    assert out.difference == pytest.approx(observed)
    assert out.p_value == pytest.approx(exact, abs=0.04)
