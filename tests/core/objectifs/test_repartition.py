"""Apportionment: the hand example, exact totals and bounds for any input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.core.objectifs import repartir


def test_by_hand() -> None:
    t = pd.DataFrame(
        {
            "territoire": ["A", "B", "C"],
            "demandes": [300, 100, 200],
            "vacances_attendues": [100, 100, 100],
            "fragilite": [1.0, 1.0, 2.0],
        }
    )
    # pressures 3, 1, 2 (mean 2) → 1.5, 0.5, 1; fragility mean 4/3 → 4/3, 4/3, 2/3.
    # weights 200, 66.7, 66.7 → shares 0.6, 0.2, 0.2 of 120.
    out = repartir(t, share=0.4).table
    assert out["objectif"].tolist() == [72, 24, 24]
    assert out["poids"].round(3).tolist() == [0.6, 0.2, 0.2]
    capped = repartir(t, share=0.4, maximum=0.6).table
    assert capped["objectif"].tolist() == [60, 30, 30]
    assert capped["borne"].tolist() == ["maximum", "", ""]


def test_bad_bounds() -> None:
    t = pd.DataFrame(
        {"territoire": ["A"], "demandes": [1], "vacances_attendues": [10], "fragilite": [1.0]}
    )
    with pytest.raises(ValueError, match="Bounds must satisfy"):
        repartir(t, share=0.4, minimum=0.5)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5000), st.integers(1, 3000), st.floats(0.05, 5)),
        min_size=1,
        max_size=10,
    ),
    st.floats(0.05, 0.9),
)
def test_totals_exact_and_bounds_kept(rows: list[tuple[int, int, float]], share: float) -> None:
    t = pd.DataFrame(
        {
            "territoire": [f"T{i}" for i in range(len(rows))],
            "demandes": [r[0] for r in rows],
            "vacances_attendues": [r[1] for r in rows],
            "fragilite": [r[2] for r in rows],
        }
    )
    if t["demandes"].sum() == 0:
        t["demandes"] = 1
    lo, hi = share * 0.5, min(1.0, share * 1.5)
    out = repartir(t, share=share, minimum=lo, maximum=hi).table
    total = round(share * t["vacances_attendues"].sum())
    assert out["objectif"].sum() == total
    vac = t["vacances_attendues"].to_numpy()
    assert (out["objectif"].to_numpy() >= np.floor(lo * vac) - 1).all()
    assert (out["objectif"].to_numpy() <= np.ceil(hi * vac) + 1).all()
