"""The policy's distribution: each charter objective met by the least change."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.scenarios.modele import BIT_ACTIF, BIT_PRIO, BIT_Q1, BIT_SOUS40, N_PROFILS, Contrainte
from mixite.scenarios.politique import lissage, membres, projeter, restreindre_veille


def test_one_constraint_is_met_exactly_keeping_proportions_inside_each_side() -> None:
    # Hand case: Q1 profiles hold 20 %; at least 25 % asked. Inside: × 25/20; outside:
    # × 75/80; each profile keeps its share of its side.
    p = np.zeros((1, N_PROFILS))
    p[0, BIT_Q1] = 0.2
    p[0, 0] = 0.5
    p[0, BIT_ACTIF] = 0.3
    c = Contrainte("q1", "q1", BIT_Q1, False, True, 0.25)
    q = projeter(p, (c,))
    assert q[0, BIT_Q1] == np.float64(0.25)
    assert np.isclose(q[0, 0], 0.5 * 0.75 / 0.8)
    assert np.isclose(q[0, BIT_ACTIF], 0.3 * 0.75 / 0.8)


def test_a_met_constraint_changes_nothing_and_an_absent_public_is_not_forced() -> None:
    p = np.full((2, N_PROFILS), 1 / N_PROFILS)
    p[1] = 0.0
    p[1, 0] = 1.0  # nobody in the public in this row
    c = Contrainte("q1", "q1", BIT_Q1, False, True, 0.3)  # row 0 already has 50 %
    q = projeter(p, (c,))
    assert np.array_equal(q, p)


def test_complement_public_counts_the_other_profiles() -> None:
    c = Contrainte("autres", "autres", BIT_Q1, True, True, 0.5)
    assert membres(c).sum() == N_PROFILS // 2
    assert not membres(c)[BIT_Q1]


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, tuple[Contrainte, ...]]:
    rows = draw(st.integers(1, 5))
    raw = np.array(
        draw(st.lists(st.floats(0.01, 1.0), min_size=rows * N_PROFILS, max_size=rows * N_PROFILS))
    )
    p = raw.reshape(rows, N_PROFILS)
    p /= p.sum(axis=1, keepdims=True)
    # Constraints on independent bits (the charters' case): always jointly feasible.
    bits = draw(
        st.lists(
            st.sampled_from([BIT_Q1, BIT_PRIO, BIT_SOUS40, BIT_ACTIF]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    cons = tuple(
        Contrainte(
            str(b), str(b), b, draw(st.booleans()), draw(st.booleans()), draw(st.floats(0.05, 0.95))
        )
        for b in bits
    )
    return p, cons


@settings(max_examples=80, deadline=None)
@given(problems())
def test_every_constraint_holds_and_rows_stay_distributions(
    case: tuple[np.ndarray, tuple[Contrainte, ...]],
) -> None:
    p, cons = case
    q = projeter(p, cons)
    assert np.allclose(q.sum(axis=1), 1.0)
    assert (q >= 0).all()
    for c in cons:
        mass = q[:, membres(c)].sum(axis=1)
        if c.au_moins:
            assert (mass >= c.cible - 1e-6).all()
        else:
            assert (mass <= c.cible + 1e-6).all()


def test_watched_entrances_get_working_households_over_40_percent() -> None:
    p = np.full((1, N_PROFILS), 1 / N_PROFILS)
    q = restreindre_veille(p)
    kept = np.flatnonzero(q[0] > 0)
    assert all((k & BIT_ACTIF) and not (k & BIT_SOUS40) for k in kept)
    assert np.isclose(q.sum(), 1.0)


def test_smoothing_is_additive() -> None:
    out = lissage(np.array([[3.0, 1.0]]), np.array([[0.5, 0.5]]), poids=4)
    assert np.allclose(out, [[5 / 8, 3 / 8]])
