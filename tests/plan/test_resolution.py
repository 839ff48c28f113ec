"""The optimiser against brute force on small instances, and the plan's constraints."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.plan.modele import Contrainte, Probleme, ReglesPlan
from mixite.plan.resolution import choix, parts, resoudre

EXACT = ReglesPlan(ecart=0.0, abordabilite=False, duree_max_s=30, veille=True)


def instance(seed: int, n_v: int = 8, n_a: int = 12, per: int = 3) -> Probleme:
    """Random vacancies × applicants, ``per`` candidates per vacancy, integer weights,
    two objective rows: ≥ 50 % of public A over all pairs, ≤ 34 % of public B over the
    first half of the vacancies."""
    rng = np.random.default_rng(seed)
    v = np.repeat(np.arange(n_v), per)
    a = np.concatenate([rng.choice(n_a, per, replace=False) for _ in range(n_v)])
    pairs = pd.DataFrame({"v": v, "a": a, "poids": rng.integers(1, 50, len(v)).astype(float)})
    pub_a = rng.random(n_a) < 0.4
    pub_b = rng.random(n_a) < 0.5
    rows = [
        Contrainte("a", "ensemble", "public A", "au_moins", 0.5, np.arange(n_v), pub_a),
        Contrainte("b", "ensemble", "public B", "au_plus", 0.34, np.arange(n_v // 2), pub_b),
    ]
    vac = pd.DataFrame({"code_commune": ["x"] * n_v})
    dem = pd.DataFrame({"communes_souhaitees": ["x"] * n_a, "prioritaire": False,
                        "cotation": 0.0, "anciennete_mois": 0.0})  # fmt: skip
    return Probleme(vac, dem, pairs, rows, EXACT)


def brute_force(p: Probleme) -> float:
    """Every way of giving each vacancy one of its candidates or nobody."""
    options = [np.r_[-1, np.flatnonzero(p.paires["v"].to_numpy() == j)]
               for j in range(len(p.vacances))]  # fmt: skip
    weights = p.paires["poids"].to_numpy()
    apps = p.paires["a"].to_numpy()
    best = 0.0
    for combo in itertools.product(*options):
        chosen = np.array([c for c in combo if c >= 0], dtype=np.int64)
        if len(set(apps[chosen])) < len(chosen):
            continue
        on = np.zeros(len(p.paires), dtype=bool)
        on[chosen] = True
        ok = True
        for c in p.contraintes:
            scope = on & np.isin(p.paires["v"].to_numpy(), c.vacances)
            n, k = scope.sum(), c.public[apps[scope]].sum()
            if c.comparateur == "au_moins" and k < c.cible * n - 1e-9:
                ok = False
            if c.comparateur == "au_plus" and k > c.cible * n + 1e-9:
                ok = False
        if ok:
            best = max(best, float(weights[chosen].sum()))
    return best


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000))
def test_the_optimum_equals_brute_force_on_8_dwellings_and_12_applicants(seed: int) -> None:
    p = instance(seed)
    plan = resoudre(p)
    assert plan.statut == "optimal"
    assert plan.valeur == pytest.approx(brute_force(p))
    v, a = choix(p, plan.choisies)
    assert len(set(v)) == len(v) and len(set(a)) == len(a)  # one each
    assert parts(p, v, a)["respecté"].all()


def test_a_hand_case_where_the_quota_costs_a_heavier_pair() -> None:
    """One dwelling, two applicants: the heavier (10) is not in the public, the lighter
    (6) is. With « ≥ 50 % public » the plan takes the lighter; without it, the heavier;
    the objective's price is 4."""
    pairs = pd.DataFrame({"v": [0, 0], "a": [0, 1], "poids": [10.0, 6.0]})
    row = Contrainte("q", "ensemble", "quota", "au_moins", 0.5, np.array([0]),
                     np.array([False, True]))  # fmt: skip
    p = Probleme(pd.DataFrame({"code_commune": ["x"]}),
                 pd.DataFrame({"communes_souhaitees": ["x", "x"], "prioritaire": False,
                               "cotation": 0.0, "anciennete_mois": 0.0}), pairs, [row], EXACT)  # fmt: skip
    assert resoudre(p).choisies.tolist() == [1]
    assert resoudre(p, sans={"q"}).choisies.tolist() == [0]
    assert resoudre(p).valeur == 6 and resoudre(p, sans={"q"}).valeur == 10
    soft = resoudre(p, souple=True)  # penalty 500 per missing allocation > 4: still the quota
    assert soft.choisies.tolist() == [1] and not soft.manques


def test_the_entrance_watch_row_by_hand() -> None:
    """An entrance of 10 households, 3 under 40 % of the PLUS ceiling (30 %), limit 40 %:
    room for (40 − 30) % × 10 = 1 such household beyond the average newcomer. Two
    vacancies, two « under 40 % » applicants (weight 10 each) and one other (weight 8):
    with a penalty of 5 per household beyond, taking both poor ones costs 2 × 0.7 − 1 =
    0.4 household beyond → 2 points, still worth it (20 − 2 > 18); with a penalty of 50,
    the plan takes one of each (18 > 20 − 20)."""
    from dataclasses import replace

    from mixite.plan.modele import LigneVeille

    pairs = pd.DataFrame({"v": [0, 0, 0, 1, 1, 1], "a": [0, 1, 2, 0, 1, 2],
                          "poids": [10.0, 10.0, 8.0, 10.0, 10.0, 8.0]})  # fmt: skip
    flag = np.array([100.0, 100.0, 0.0])
    row = LigneVeille("E1", "part_sous_40_plus", np.array([0, 1]), flag, 30.0, 40.0, 10.0)
    dem = pd.DataFrame({"communes_souhaitees": ["x"] * 3, "prioritaire": False,
                        "cotation": 0.0, "anciennete_mois": 0.0})  # fmt: skip
    cheap = Probleme(pd.DataFrame({"code_commune": ["x", "x"]}), dem, pairs, [],
                     replace(EXACT, penalite_veille=5), veille=[row])  # fmt: skip
    plan = resoudre(cheap)
    assert sorted(cheap.paires.iloc[plan.choisies]["a"]) == [0, 1]
    assert plan.valeur == pytest.approx(20 - 0.05 * (2 * 70 - 100))
    dear = replace(cheap, regles=replace(EXACT, penalite_veille=50))
    plan = resoudre(dear)
    assert 2 in set(dear.paires.iloc[plan.choisies]["a"])
    assert plan.valeur == pytest.approx(18)
