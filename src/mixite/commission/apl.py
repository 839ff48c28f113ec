"""Housing benefit (APL) of candidate households, estimated with OpenFisca-France.

OpenFisca-France is the State's open-source tax-benefit model: the APL it computes
follows the legislation (barème, loyer plafond by zone and household, participation
personnelle, forfait charges, abattements) instead of a hand-written approximation.
Candidates go into vectorised simulations built from arrays (about 0.1 ms a
household); the tax-benefit system is loaded once per process (about 4 s) and kept.

What mixite gives OpenFisca for each household: its adults (the reference person at
the applicant's age, a partner of the same age) and children (their ages, or 8 when
unknown), the tax reference income of year N-2 as the resources base (the CAF's base is
the net categorical incomes of N-2, after the 10 % deduction, which the tax reference
income already is), the monthly rent, the commune (for the APL zone) and « locataire
HLM ». What it does not model: capital, the « évaluation forfaitaire » of young workers,
the « abattements » a CAF applies case by case. The estimate is for decision
support; the CAF computes the real amount.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.model import parse_ages

#: mixite's ceiling zones (1 Paris and neighbours, 2 Île-de-France, 3 elsewhere) as
#: OpenFisca names them.
ZONES_LOGEMENT_SOCIAL = {1: "paris_communes_limitrophes", 2: "ile_de_france", 3: "autres_regions"}

#: Age given to a child whose age is unknown.
AGE_ENFANT = 8


@functools.cache
def systeme() -> Any:
    """The OpenFisca-France tax-benefit system, loaded once per process."""
    from openfisca_france import FranceTaxBenefitSystem

    return FranceTaxBenefitSystem()


#: Households per OpenFisca simulation: bounds memory (about 1 GB for 50 000).
LOT = 50_000


def _simulation(households: pd.DataFrame, month: str) -> Any:
    """One OpenFisca simulation of ``households`` built from arrays (one entity per
    household: the famille, the foyer fiscal and the ménage).

    Persons of a household: the adults first (the reference person, a partner at the
    same age, further adults at 22, dependants of the family), then the children at
    their known ages or :data:`AGE_ENFANT`. The persons' own incomes are not given
    (the family's resources base is), so their individual resources base is zero;
    it is given as such, which spares OpenFisca the chain of salary variables that
    would compute that zero (a 3x speed-up, identical results)."""
    from openfisca_core.simulation_builder import SimulationBuilder

    n = len(households)
    n_adults = np.maximum(1, households["nb_adultes"].to_numpy(dtype=np.int64))
    n_kids = np.maximum(0, households["nb_enfants"].to_numpy(dtype=np.int64))
    size = n_adults + n_kids
    owner = np.repeat(np.arange(n), size)
    start = np.r_[0, np.cumsum(size)[:-1]]
    rank = np.arange(owner.size) - start[owner]
    adult = rank < n_adults[owner]
    parent = adult & (rank < 2)
    ref_ages = households["age_reference"].to_numpy(dtype=np.int64)
    ages = np.where(parent, ref_ages[owner], np.where(adult, 22, AGE_ENFANT))
    known = parse_ages(households.get("ages_enfants", pd.Series(index=households.index)))
    for k, kid_ages in enumerate(known):
        if kid_ages and kid_ages != [-1]:
            m = min(len(kid_ages), int(n_kids[k]))
            ages[start[k] + n_adults[k] + np.arange(m)] = kid_ages[:m]
    builder = SimulationBuilder()
    builder.create_entities(systeme())
    builder.declare_person_entity("individu", [str(i) for i in range(owner.size)])
    members = owner.astype(str).tolist()
    first, second = rank == 0, parent & (rank == 1)
    for entity, roles in (
        ("famille", ("demandeur", "conjoint", "enfant")),
        ("foyer_fiscal", ("declarant_principal", "conjoint", "personne_a_charge")),
        ("menage", ("personne_de_reference", "conjoint", "enfant")),
    ):
        population = builder.declare_entity(entity, [str(i) for i in range(n)])
        builder.join_with_persons(
            population, members, np.select([first, second], roles[:2], roles[2]).tolist()
        )
    simulation = builder.build(systeme())
    simulation.set_input("age", month, ages.astype(np.int64))
    simulation.set_input("prestations_familiales_base_ressources_individu", month,
                         np.zeros(owner.size))  # fmt: skip
    # The tax reference income of N-2 is the resources base the CAF uses (net
    # categorical incomes, after the 10 % deduction): given as such, not rebuilt.
    simulation.set_input("aide_logement_base_ressources", month,
                         households["ressources_annuelles"].to_numpy(dtype=float))  # fmt: skip
    simulation.set_input("loyer", month, households["loyer"].to_numpy(dtype=float))
    simulation.set_input("statut_occupation_logement", month, np.full(n, "locataire_hlm"))
    simulation.set_input("depcom", month,
                         households["code_commune"].astype(str).to_numpy().astype("S5"))  # fmt: skip
    return simulation


def estimer_apl(households: pd.DataFrame, *, month: str, lot: int = LOT) -> npt.NDArray[np.float64]:
    """Monthly housing benefit in euros of each household in ``month`` (``AAAA-MM``).

    ``households`` has ``nb_adultes, nb_enfants, age_reference, ressources_annuelles``
    (euros, year N-2), ``loyer`` (monthly rent in euros), ``code_commune`` and optionally
    ``ages_enfants`` (``"3;7"``). Computed by simulations of ``lot`` households (about
    0.1 ms a household).
    """
    out = np.zeros(len(households))
    for begin in range(0, len(households), lot):
        part = households.iloc[begin : begin + lot]
        amounts = _simulation(part, month).calculate("aide_logement", month)
        out[begin : begin + len(part)] = amounts
    return out


def plafond_logement_social(
    nb_personnes: int, *, month: str, zone: int = 3, single_parent: bool = False
) -> float:
    """OpenFisca-France's ``logement_social_plafond_ressources`` (PLUS ceiling, €/year)
    for one household, to cross-check the reference data."""
    from openfisca_core.simulation_builder import SimulationBuilder

    adults = 1 if single_parent or nb_personnes == 1 else 2
    kids = nb_personnes - adults
    people = {f"a{j}": {"age": {month: 40}} for j in range(adults)}
    people.update({f"e{j}": {"age": {month: 8}} for j in range(kids)})
    case = {
        "individus": people,
        "familles": {"f": {"parents": [f"a{j}" for j in range(adults)],
                           "enfants": [f"e{j}" for j in range(kids)]}},
        "foyers_fiscaux": {"ff": {"declarants": [f"a{j}" for j in range(adults)],
                                  "personnes_a_charge": [f"e{j}" for j in range(kids)]}},
        "menages": {"m": {"personne_de_reference": ["a0"], "conjoint": [f"a{j}" for j in range(1, adults)],
                          "enfants": [f"e{j}" for j in range(kids)],
                          "zone_logement_social": {month: ZONES_LOGEMENT_SOCIAL[zone]}}},
    }  # fmt: skip
    simulation = SimulationBuilder().build_from_entities(systeme(), case)
    return float(simulation.calculate("logement_social_plafond_ressources", month)[0])
