"""The allocation plan's optimiser as a projection policy."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.plan.modele import ReglesPlan
from mixite.scenarios.modele import BIT_PRIO, BIT_Q1, Contrainte, Politique, Scenario
from mixite.scenarios.moteur import ATTRIBUTIONS, FLUX, preparer, simuler
from mixite.scenarios.optimiseur import repartir
from mixite.scenarios.politique import membres
from tests.scenarios.conftest import petit_instantane


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=4),
    st.lists(st.integers(0, 6), min_size=1, max_size=6),
    st.floats(0.0, 0.8),
    st.data(),
)
def test_the_programme_respects_supplies_fits_and_objectives(
    nv: list[int], na: list[int], target: float, data: st.DataObject
) -> None:
    nv_a, na_a = np.array(nv), np.array(na)
    g_size = np.array(data.draw(st.lists(st.integers(0, 4), min_size=len(nv), max_size=len(nv))))
    g_fin = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(nv), max_size=len(nv))))
    h_size = np.array(data.draw(st.lists(st.integers(0, 4), min_size=len(na), max_size=len(na))))
    h_ceiling = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(na), max_size=len(na))))
    h_bits = np.array(
        data.draw(
            st.lists(
                st.sampled_from([0, BIT_Q1, BIT_PRIO, BIT_Q1 | BIT_PRIO]),
                min_size=len(na),
                max_size=len(na),
            )
        )
    )
    scope = np.array(data.draw(st.lists(st.booleans(), min_size=len(nv), max_size=len(nv))))[
        :, None
    ]
    c = Contrainte("q1", "q1", BIT_Q1, False, True, target)
    r = repartir(nv_a, scope, g_size, g_fin, na_a, h_bits, h_size, h_ceiling, (c,), ReglesPlan())
    assert (np.bincount(r.g, weights=r.nombre, minlength=len(nv)) <= nv_a).all()
    assert (np.bincount(r.h, weights=r.nombre, minlength=len(na)) <= na_a).all()
    assert (np.abs(g_size[r.g] - h_size[r.h]) <= 1).all()
    assert (h_ceiling[r.h] <= g_fin[r.g]).all()
    if not r.assouplie:
        counted = scope[r.g, 0]
        in_public = membres(c)[h_bits[r.h]]
        total = r.nombre[counted].sum()
        assert r.nombre[counted & in_public].sum() >= target * total - 1e-6


def test_the_optimiser_lets_the_vacancies_under_the_quota_and_favours_priority() -> None:
    inst = petit_instantane(depart=0.3, n_demandeurs=3000)
    quota = Contrainte("q1", "Q1 hors QPV", BIT_Q1, False, True, 0.4, qpv=False)
    plan = Scenario("opt", horizon=4, politique=Politique(contraintes=(quota,), plan=ReglesPlan()))
    r = simuler(inst, preparer(inst, plan), plan, np.random.SeedSequence(3))
    f = {n: r.flux[:, j] for j, n in enumerate(FLUX)}
    assert (f["arrivees"] == f["departs"]).all()
    share = r.objectifs[:, 0, 1] / r.objectifs[:, 0, 0]
    assert (share >= 0.4 - 1e-9).all()  # hard every year
    base = dataclasses.replace(plan, politique=Politique(contraintes=(quota,)))
    b = simuler(inst, preparer(inst, base), base, np.random.SeedSequence(3))
    prio = ATTRIBUTIONS.index("prioritaires")
    assert r.par_bailleur[:, :, prio].sum() > b.par_bailleur[:, :, prio].sum()
