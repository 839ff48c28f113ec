"""The plan on the 2 % twin: the drifting landlord's 2025 objective, hard rules of every
pair, the explanations and the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.io.plan import Donnees, charger
from mixite.io.store import Store
from mixite.plan.explication import conflits, prix
from mixite.plan.modele import ReglesPlan
from mixite.plan.resolution import choix, parts, resoudre
from tests import suite_postgres

RULES = ReglesPlan(abordabilite=False, ecart=0.0, duree_max_s=60, veille=True)


@pytest.fixture(scope="module")
def store(jumeau_2pct: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    copy = tmp_path_factory.mktemp("plan") / "jumeau.duckdb"
    suite_postgres.copier(jumeau_2pct, copy)
    return Store(copy)


@pytest.fixture(scope="module")
def donnees(store: Store) -> Donnees:
    return charger(store, 2025, ("pecquencourt",), RULES)


def test_every_pair_obeys_the_hard_rules(donnees: Donnees) -> None:
    """Recomputed here for each candidate pair: size, wished commune, rent cap, dates."""
    p = donnees.probleme
    assert len(p.paires) > 0
    assert p.veille  # the watch rows that can bind (the others are left out)
    for w in p.veille:
        assert len(w.vacances) * (w.valeur.max() - w.moyenne) > w.marge
    v = p.vacances.iloc[p.paires["v"]].reset_index(drop=True)
    d = p.demandes.iloc[p.paires["a"]].reset_index(drop=True)
    assert (d["nb_personnes"] <= 2 * v["nb_pieces"]).all()
    assert (v["nb_pieces"] - d["nb_personnes"] <= 1).all()
    wished = [
        str(c) in str(w).split(";")
        for c, w in zip(v["code_commune"], d["communes_souhaitees"], strict=True)
    ]
    assert all(wished)
    rent = v["loyer_mensuel"].fillna(0) + v["charges_mensuelles"].fillna(0)
    assert (d["loyer_max"].isna() | (d["loyer_max"] >= rent)).all()
    assert (pd.to_datetime(d["date_depot"]) <= v["date"]).all()
    closed = pd.to_datetime(d["date_sortie"])
    assert (closed.isna() | (closed >= v["date"])).all()


def test_the_drifting_landlords_objective_was_reachable(donnees: Donnees, store: Store) -> None:
    p = donnees.probleme
    plan = resoudre(p)
    assert plan.statut == "optimal"
    v, a = choix(p, plan.choisies)
    assert len(set(v)) == len(v) and len(set(a)) == len(a)
    shares = parts(p, v, a)
    assert shares["respecté"].all()  # every objective, B04's included
    observed = parts(p, donnees.observe_v, donnees.observe_a).set_index(["objectif", "ventilation"])
    b04 = observed.loc[("sous_40_plus", "bailleur B04")]
    # The observed share recomputed from the allocation forms themselves.
    from mixite.core.objectifs.publics import publics_des_attributions
    from mixite.io import refdata
    from mixite.io.queries import allocations_in_context

    made = allocations_in_context(store)
    made = made[
        (pd.to_datetime(made["date_cal"]).dt.year == 2025) & (made["code_bailleur"] == "B04")
    ]
    made = made[made["id_demande"].isin(p.demandes["id_demande"])]
    under = publics_des_attributions(made, refdata.plafonds_ressources(), refdata.premier_quartile(),
                                     epci="200093201", zone=3)["sous_40_plus"]  # fmt: skip
    assert b04["attributions"] == len(made)
    assert b04["part (%)"] == pytest.approx(round(under.mean() * 100, 1), abs=0.11)


def test_prices_and_conflicts_are_explained(donnees: Donnees) -> None:
    p = donnees.probleme
    prices = prix(p)
    assert {x.objectif for x in prices} == {c.code for c in p.contraintes}
    for x in prices:
        assert x.gain >= -1e-6  # leaving an objective out never makes the best plan worse
        assert x.phrase().startswith(("Sans «", "«"))
    floor, reached, conflict = conflits(p)
    assert reached <= floor
    assert (reached < floor) == bool(conflict)


def test_an_impossible_pair_of_objectives_is_named(donnees: Donnees) -> None:
    """« at least 60 % » and « at most 40 % » of the same public in the same scope can
    only both hold with nothing allocated: the conflict is those two rows."""
    from dataclasses import replace

    from mixite.plan.modele import Contrainte

    p = donnees.probleme
    everyone = np.arange(len(p.vacances))
    public = p.demandes["prioritaire"].to_numpy(dtype=bool)
    high = Contrainte("haut", "ensemble", "au moins 60 %", "au_moins", 0.6, everyone, public)
    low = Contrainte("bas", "ensemble", "au plus 40 %", "au_plus", 0.4, everyone, public)
    floor, reached, conflict = conflits(replace(p, contraintes=[*p.contraintes, high, low]))
    assert reached == 0 < floor
    assert {c.code for c in conflict} == {"haut", "bas"}


def test_the_command_writes_the_plan_and_never_overwrites(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.xlsx"
    args = ["plan", "calculer", "--periode", "2025", "--charte", "pecquencourt",
            "--sortie", str(out), "--store", str(store.path)]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "n'est pas une décision" in printed and "HiGHS" in printed
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"paires proposées", "objectifs", "plan et réalisé"} <= set(sheets)
    proposed = sheets["paires proposées"]
    assert not proposed.duplicated(["logement", "date"]).any()  # one applicant per vacancy
    assert proposed["demande"].is_unique  # one vacancy per applicant
    assert main(args) == 2 and "existe déjà" in capsys.readouterr().err


def test_every_proposed_pair_is_affordable_after_housing_benefit(donnees: Donnees) -> None:
    """Every proposed pair is under the commission's effort rate and over its reste à
    vivre, and the unaffordable pairs are forbidden; one pair's APL equals the
    commission's own estimate for that household in that dwelling."""
    import datetime as dt

    from mixite.io.commission import apl_dans
    from mixite.io.config import load_commission
    from mixite.plan.abordabilite import resoudre_abordable

    rules = load_commission(None)
    lazy = resoudre_abordable(donnees.probleme, rules, 2025)
    assert lazy.efforts["abordable"].all()
    assert lazy.verifiees == len(donnees.probleme.paires) and lazy.interdites > 0
    assert len(lazy.probleme.paires) == lazy.verifiees - lazy.interdites
    assert sorted(lazy.efforts.index) == sorted(lazy.plan.choisies)
    assert (lazy.efforts["taux_effort"] <= rules.taux_effort_max).all()
    p = lazy.probleme
    row = int(lazy.plan.choisies[0])
    pair = p.paires.iloc[row]
    dwelling = p.vacances.iloc[int(pair["v"])]
    household = p.demandes.iloc[[int(pair["a"])]]
    expected = apl_dans(dwelling, dt.date(2025, 6, 30))(household)[0]
    assert lazy.efforts.loc[row, "apl"] == pytest.approx(expected)


def test_the_explanation_prices_objectives_on_affordable_pairs_only(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plan expliquer` with affordability (the default): the prices and the conflicts
    are computed on the problem without the unaffordable pairs, the same as the plan
    they are compared with."""
    import mixite.plan.explication as explication

    seen: list[int] = []
    real_prix, real_conflits = explication.prix, explication.conflits

    def spy_prix(probleme: object, base: object) -> object:
        seen.append(len(probleme.paires))  # type: ignore[attr-defined]
        return real_prix(probleme, base)  # type: ignore[arg-type]

    def spy_conflits(probleme: object) -> object:
        seen.append(len(probleme.paires))  # type: ignore[attr-defined]
        return real_conflits(probleme)  # type: ignore[arg-type]

    monkeypatch.setattr(explication, "prix", spy_prix)
    monkeypatch.setattr(explication, "conflits", spy_conflits)
    out = tmp_path / "prix.xlsx"
    args = ["plan", "expliquer", "--periode", "2025", "--charte", "loi-2017",
            "--sortie", str(out), "--store", str(store.path)]  # fmt: skip
    assert main(args) == 0
    full = charger(store, 2025, ("loi-2017",), ReglesPlan()).probleme
    notes = pd.read_excel(out, sheet_name="Notes")
    assert "veille" in " ".join(notes.iloc[:, 0].astype(str))  # the watch is on by default
    assert len(seen) == 2 and seen[0] == seen[1] < len(full.paires)
