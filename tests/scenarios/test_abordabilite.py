"""Affordability after housing benefit in the projection: the classes a household
affords, rent rises that price households out, the table against OpenFisca."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mixite.scenarios.abordabilite import classe_abordable, classe_de_cout
from mixite.scenarios.modele import (
    Abordabilite,
    HausseLoyer,
    Instantane,
    Menages,
    Politique,
    Programme,
    Scenario,
)
from mixite.scenarios.moteur import ATTRIBUTIONS, FLUX, preparer, simuler
from tests.scenarios.conftest import avec, petit_instantane


def grille(apl_value: float = 0.0) -> Abordabilite:
    """Three classes at 300, 500 and 700 € of rent + 100 € of charges; a flat APL."""
    return Abordabilite(
        bornes=np.array([450.0, 650.0]),
        loyer_type=np.array([300.0, 500.0, 700.0]),
        charges_type=np.full(3, 100.0),
        revenus=np.array([0.0, 100_000.0]),
        apl=np.full((7, 2, 2, 3), apl_value),
        taux_effort_max=0.35,
        reste_a_vivre_min=10.0,
    )


def one(income: float, persons: int = 1) -> Menages:
    return Menages(np.array([persons]), np.array([1]), np.array([persons - 1]), np.array([0]),
                   np.array([40]), np.array([income]), np.array([1]), np.array([persons > 1]),
                   np.array([False]))  # fmt: skip


def test_a_household_affords_the_classes_its_effort_and_reste_a_vivre_allow() -> None:
    # 24 000 € a year = 2 000 € a month. Class 3 costs 800 €: effort 40 % > 35 %.
    # Class 2 costs 600 €: effort 30 %, reste à vivre (2 000 − 600) / 1 UC / 30 ≈ 46,7 €.
    assert classe_abordable(grille(), one(24_000.0), np.array([24_000.0])).tolist() == [1]
    # With 200 € of APL, class 3 costs 600 € net: affordable.
    assert classe_abordable(grille(200.0), one(24_000.0), np.array([24_000.0])).tolist() == [2]
    # No resources: nothing is affordable.
    assert classe_abordable(grille(), one(0.0), np.array([0.0])).tolist() == [-1]
    assert classe_de_cout(grille(), np.array([400.0, 450.0, 900.0])).tolist() == [0, 1, 2]


def test_a_rent_rise_prices_the_poorer_applicants_out(instantane: Instantane) -> None:
    inst = avec(petit_instantane(depart=0.4, n_demandeurs=3000), abordabilite=grille(80.0))
    base = Scenario("a", horizon=4, politique=Politique(abordabilite=True))
    rise = dataclasses.replace(base, programme=Programme(loyers=(HausseLoyer(2025, 0.6, "L1"),)))
    a = simuler(inst, preparer(inst, base), base, np.random.SeedSequence(2))
    b = simuler(inst, preparer(inst, rise), rise, np.random.SeedSequence(2))
    poor = ATTRIBUTIONS.index("sous_40_plus")
    share = lambda r: r.par_bailleur[1:, 0, poor].sum() / r.par_bailleur[1:, 0, 0].sum()  # noqa: E731
    assert share(b) < share(a)
    f = {n: b.flux[:, j] for j, n in enumerate(FLUX)}
    balance = (
        f["occupes_debut"]
        + f["arrivees"]
        - f["departs"]
        - f["reloges_sortis"]
        - f["vendus"]
        - f["occupes_fin"]
    )
    assert (balance == 0).all()


def test_without_affordability_rents_change_nothing(instantane: Instantane) -> None:
    base = Scenario("a", horizon=3)
    rise = dataclasses.replace(base, programme=Programme(loyers=(HausseLoyer(2025, 0.6, "L1"),)))
    a = simuler(instantane, preparer(instantane, base), base, np.random.SeedSequence(2))
    b = simuler(instantane, preparer(instantane, rise), rise, np.random.SeedSequence(2))
    assert np.array_equal(a.par_bailleur, b.par_bailleur)


def test_the_table_is_openfisca_at_its_points(jumeau_2pct: Path) -> None:
    import pandas as pd

    from mixite.commission.apl import estimer_apl
    from mixite.io.scenarios import avec_abordabilite, instantane
    from mixite.io.store import Store

    inst, _ = instantane(Store(jumeau_2pct))
    g = avec_abordabilite(inst).abordabilite
    assert g is not None
    commune = inst.zones.communes[int(np.bincount(inst.parc.commune).argmax())]
    case = pd.DataFrame({"nb_adultes": [2], "nb_enfants": [1], "age_reference": [40],
                         "ressources_annuelles": [g.revenus[6]], "loyer": [g.loyer_type[3]],
                         "code_commune": [commune]})  # fmt: skip
    expected = estimer_apl(case, month=f"{inst.seuils.annee}-06")[0]
    assert g.apl[3, 0, 6, 3] == pytest.approx(expected)
    assert (np.diff(g.loyer_type) > 0).all()
