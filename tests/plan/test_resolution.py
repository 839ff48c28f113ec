"""The optimiser against brute force on small instances, and the plan's constraints."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.plan.modele import Contrainte, Probleme, ReglesPlan
from mixite.plan.resolution import AU_DELA, choix, mesures, parts, resoudre

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


def watch_instance(seed: int) -> Probleme:
    """The random instance with five watch rows over entrances of one, two and three
    vacancies, shares and a mean, margins positive and negative (an entrance already
    beyond its fragile level)."""
    from dataclasses import replace

    from mixite.plan.modele import LigneVeille

    rng = np.random.default_rng(seed)
    p = instance(seed, n_v=7, n_a=10)
    flag = np.where(rng.random(10) < 0.5, 100.0, 0.0)
    kids = rng.integers(0, 4, 10).astype(float)
    rows = [
        LigneVeille("E1", "part_sans_actif", np.array([0]), flag, 50.0, 40.0, 4.0),
        LigneVeille("E4", "part_sans_actif", np.array([6]), flag, 30.0, 40.0, 2.0),
        LigneVeille("E2", "part_sous_40_plus", np.array([1, 2]), flag, 45.0, 40.0, 6.0),
        LigneVeille("E3", "part_monoparentales", np.array([3, 4, 5]), flag, 20.0, 35.0, 5.0),
        LigneVeille("E3", "enfants_par_logement", np.array([3, 4, 5]), kids, 1.2, 1.5, 5.0, 1.0),
    ]
    return replace(
        p, veille=rows, regles=replace(EXACT, penalite_veille=float(rng.integers(1, 40)))
    )


def brute_force_with_watch(p: Probleme) -> float:
    """Every assignment, valued as Σ weights − Σ rows penalty × households beyond."""
    options = [np.r_[-1, np.flatnonzero(p.paires["v"].to_numpy() == j)]
               for j in range(len(p.vacances))]  # fmt: skip
    weights, apps = p.paires["poids"].to_numpy(), p.paires["a"].to_numpy()
    vac = p.paires["v"].to_numpy()
    best = -np.inf
    for combo in itertools.product(*options):
        chosen = np.array([c for c in combo if c >= 0], dtype=np.int64)
        if len(set(apps[chosen])) < len(chosen):
            continue
        scope = [np.isin(vac[chosen], c.vacances) for c in p.contraintes]
        if any(
            (c.public[apps[chosen][s]].sum() < c.cible * s.sum() - 1e-9)
            if c.comparateur == "au_moins"
            else (c.public[apps[chosen][s]].sum() > c.cible * s.sum() + 1e-9)
            for c, s in zip(p.contraintes, scope, strict=True)
        ):
            continue
        value = float(weights[chosen].sum())
        for w in p.veille:
            mine = apps[chosen][np.isin(vac[chosen], w.vacances)]
            beyond = max(0.0, float((w.valeur[mine] - w.moyenne).sum()) - w.marge)
            value -= p.regles.penalite_veille / w.echelle * beyond
        best = max(best, value)
    return best


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_the_optimum_with_the_entrance_watch_equals_brute_force(seed: int) -> None:
    """The watch's penalties (entrances of one vacancy folded into the pairs' weights,
    the others as rows with their per-vacancy cuts) value every plan as brute force
    does, and the optimum is the same."""
    p = watch_instance(seed)
    plan = resoudre(p)
    assert plan.statut == "optimal"
    assert plan.valeur == pytest.approx(brute_force_with_watch(p))
    v, a = choix(p, plan.choisies)
    beyond = mesures(p, v, a)[AU_DELA]
    weights = p.paires["poids"].to_numpy()[plan.choisies].sum()
    assert plan.valeur == pytest.approx(weights - p.regles.penalite_veille * beyond, abs=0.01)
