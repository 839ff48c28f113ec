"""Statistical secrecy: primary and secondary suppression; totals cannot give a cell away."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.core.secret import Count, Derived, Release, Share, Statistic, apply_secrecy, leaks


def _table(counts: list[int]) -> pd.DataFrame:
    t = pd.DataFrame({"zone": [f"Z{i}" for i in range(len(counts))], "n": counts})
    total = pd.DataFrame({"zone": ["Total"], "n": [sum(counts)]})
    return pd.concat([t, total], ignore_index=True)


def test_primary_and_secondary() -> None:
    t = _table([40, 5, 30, 12])
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total")
    assert out.table["n"].isna().tolist() == [False, True, False, True, False]
    assert out.n_suppressed == 2


def test_two_primary_cells_need_no_secondary() -> None:
    t = _table([40, 5, 30, 12])
    t.loc[3, "n"] = 7
    t.loc[4, "n"] = 82
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total")
    # 5 + 7 = 12 households hidden together: the total gives only their sum.
    assert out.table["n"].isna().tolist() == [False, True, False, True, False]


def test_hidden_cells_adding_up_to_fewer_than_11_get_a_third() -> None:
    t = _table([40, 5, 30, 3])
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total")
    # 5 + 3 = 8 would describe 8 households: the smallest other row (30) is hidden too.
    assert out.table["n"].isna().tolist() == [False, True, True, True, False]


def test_zero_is_published_and_large_counts_stay() -> None:
    t = _table([0, 25, 30])
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total")
    assert out.n_suppressed == 0


def test_shares_follow_numerator_complement_and_base() -> None:
    t = pd.DataFrame(
        {
            "n": [100, 100, 100, 8, 0],
            "k": [50, 95, 5, 4, 0],
        }
    )
    t["part"] = t["k"] / t["n"].replace(0, np.nan)
    t["moyenne"] = [0.2, 0.3, 0.1, 0.5, np.nan]
    out = apply_secrecy(
        t, [Count("n"), Count("k"), Share("part", "k", "n"), Statistic("moyenne", "n")]
    )
    assert out.table["part"].isna().tolist() == [False, True, True, True, True]
    assert out.table["moyenne"].isna().tolist() == [False, False, False, True, True]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=8))
def test_no_suppressed_count_can_be_recovered_from_the_total(counts: list[int]) -> None:
    t = _table(counts)
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total").table
    published = out["n"].to_numpy()
    detail = published[:-1]
    hidden = np.isnan(detail)
    # Every published count is 0 or at least 11.
    shown = detail[~hidden]
    assert ((shown == 0) | (shown >= 11)).all()
    # Subtracting published cells from the total never isolates one hidden cell.
    total_published = not np.isnan(published[-1])
    assert not (total_published and hidden.sum() == 1), f"a hidden cell can be recovered:\n{out}"


def test_a_sub_count_whose_complement_is_small_is_hidden() -> None:
    # Issue 9.2: 333 relocated, 323 in social housing → 10 elsewhere; 49 to relocate, 45 relocated.
    t = pd.DataFrame(
        {
            "ligne": ["B1", "B2", "B3", "Total"],
            "menages": [400, 49, 200, 649],
            "reloges": [333, 45, 150, 528],
            "n_social": [323, 30, 120, 473],
        }
    )
    measures = [
        Count("menages"),
        Count("reloges", part_of="menages"),
        Count("n_social", part_of="reloges"),
    ]
    out = apply_secrecy(t, measures, total_rows=t["ligne"] == "Total").table
    assert np.isnan(out.loc[0, "n_social"]), "333 − 323 = 10 must not be computable"
    assert np.isnan(out.loc[1, "reloges"]), "49 − 45 = 4 must not be computable"
    release = Release()
    release.add_table("t", t, measures)
    release.add_totals("t", t["ligne"] == "Total")
    assert leaks(release).empty


def test_persons_rest_on_their_households() -> None:
    # Issue 9.1: persons and a poverty rate on persons rest on the households behind them.
    t = pd.DataFrame(
        {
            "menages": [5, 40, 40],
            "personnes": [14, 90, 90],
            "menages_pauvres": [0, 3, 20],
            "personnes_pauvres": [0, 9, 50],
        }
    )
    t["taux"] = t["personnes_pauvres"] / t["personnes"] * 100
    out = apply_secrecy(
        t,
        [
            Count("menages"),
            Count("personnes", households="menages"),
            Count("menages_pauvres", part_of="menages"),
            Count("personnes_pauvres", part_of="personnes", households="menages_pauvres"),
            Share("taux", "personnes_pauvres", "personnes"),
        ],
    ).table
    assert out.loc[0].drop("taux").isna().all() and np.isnan(out.loc[0, "taux"])
    assert np.isnan(out.loc[1, "taux"]) and np.isnan(out.loc[1, "personnes_pauvres"])
    assert out.loc[2, "taux"] == 55.6  # rounded to one decimal


def test_derived_figures_are_hidden_with_their_count() -> None:
    # Issue 9.3: a Wilson interval inverts to its count.
    t = pd.DataFrame({"n": [58, 58], "x": [8, 30], "lo": [7.2, 38.0], "hi": [24.9, 64.0]})
    out = apply_secrecy(
        t,
        [
            Count("n"),
            Count("x", part_of="n"),
            Derived("lo", ("x",)),
            Derived("hi", ("x",)),
        ],
    ).table
    assert out.loc[0, ["x", "lo", "hi"]].isna().all()
    assert not out.loc[1, ["x", "lo", "hi"]].isna().any()


def test_changes_between_dates_follow_the_threshold() -> None:
    # Issue 9.5: between two dates one household per landlord moved.
    before = pd.DataFrame({"ligne": ["A", "B", "T"], "reloges": [100, 50, 150]})
    after = pd.DataFrame({"ligne": ["A", "B", "T"], "reloges": [101, 70, 171]})
    release = Release()
    release.add_table("avant", before, [Count("reloges")])
    release.add_table("apres", after, [Count("reloges")])
    for name in ("avant", "apres"):
        release.add_totals(name, [False, False, True])
    release.add_change("avant", "apres", before_rows=[0, 1, 2])
    out = release.publish()
    a, b = out["avant"].table["reloges"], out["apres"].table["reloges"]
    assert np.isnan(a[0]) or np.isnan(b[0])
    assert leaks(release).empty


def _random_hierarchy(sizes: list[list[int]]) -> Release:
    """Communes made of IRIS, with a total row at each level and a sub-count."""
    iris_rows, parents = [], []
    for c, children in enumerate(sizes):
        for n in children:
            iris_rows.append({"zone": f"I{c}-{len(parents)}", "n": n, "k": n // 3})
            parents.append(c)
    iris = pd.DataFrame(iris_rows)
    communes = iris.assign(c=parents).groupby("c")[["n", "k"]].sum().reset_index(drop=True)
    communes = pd.concat([communes, communes.sum().to_frame().T], ignore_index=True)
    iris = pd.concat(
        [iris, pd.DataFrame([{"zone": "T", "n": iris["n"].sum(), "k": iris["k"].sum()}])]
    )
    measures = [Count("n"), Count("k", part_of="n")]
    r = Release()
    r.add_table("communes", communes, measures)
    r.add_table("iris", iris, measures)
    r.add_totals("communes", np.arange(len(communes)) == len(communes) - 1)
    r.add_totals("iris", np.arange(len(iris)) == len(iris) - 1)
    r.add_nesting("communes", "iris", parent_rows=[*parents, -1])
    return r


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=5),
        min_size=1,
        max_size=5,
    )
)
def test_nothing_is_recovered_across_levels_rows_and_sub_counts(sizes: list[list[int]]) -> None:
    release = _random_hierarchy(sizes)
    found = leaks(release)
    assert found.empty, f"recovered: {found}"


def test_the_audit_decides_the_same_when_lapacks_fast_svd_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """numpy's SVD (divide and conquer) failed to converge on a landlord's stock of the
    full twin; the audit then uses the QR-iteration driver and must hide the same cells."""
    sizes = [[3, 25, 14, 0, 40], [12, 2, 30, 11], [5, 5, 5, 20]]
    expected = {n: t.table for n, t in _random_hierarchy(sizes).publish().items()}
    calls = {"n": 0}
    original = np.linalg.svd

    def failing(a: np.ndarray, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        raise np.linalg.LinAlgError("SVD did not converge")

    monkeypatch.setattr(np.linalg, "svd", failing)
    got = {n: t.table for n, t in _random_hierarchy(sizes).publish().items()}
    monkeypatch.undo()
    assert calls["n"] > 0, "the audit ran an SVD"
    assert np.linalg.svd is original
    for name, table in expected.items():
        pd.testing.assert_frame_equal(got[name], table)
