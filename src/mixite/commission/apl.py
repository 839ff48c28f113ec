"""Housing benefit (APL) of candidate households, estimated with OpenFisca-France.

OpenFisca-France is the State's open-source tax-benefit model: the APL it computes
follows the legislation (barème, loyer plafond by zone and household, participation
personnelle, forfait charges, abattements) instead of a hand-written approximation.
All candidates go into **one** vectorised simulation; the tax-benefit system is loaded
once per process (about 4 s) and kept.

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


def _case(households: pd.DataFrame, month: str) -> dict[str, dict[str, Any]]:
    individus: dict[str, Any] = {}
    familles: dict[str, Any] = {}
    foyers: dict[str, Any] = {}
    menages: dict[str, Any] = {}
    ages = parse_ages(households.get("ages_enfants", pd.Series(index=households.index)))
    n_adults = households["nb_adultes"].to_numpy(dtype=np.int64)
    n_kids = households["nb_enfants"].to_numpy(dtype=np.int64)
    ref_ages = households["age_reference"].to_numpy(dtype=np.int64)
    incomes = households["ressources_annuelles"].to_numpy(dtype=float)
    rents = households["loyer"].to_numpy(dtype=float)
    communes = households["code_commune"].astype(str).tolist()
    for k, kid_ages in enumerate(ages):
        adults = max(1, int(n_adults[k]))
        kids = max(0, int(n_kids[k]))
        known = kid_ages if kid_ages is not None and kid_ages != [-1] else []
        parents = [f"h{k}a0"] + ([f"h{k}a1"] if adults >= 2 else [])
        others = [f"h{k}a{j}" for j in range(2, adults)]
        children = [f"h{k}e{j}" for j in range(kids)]
        for p in parents:
            individus[p] = {"age": {month: int(ref_ages[k])}}
        for p in others:
            individus[p] = {"age": {month: 22}}
        for j, c in enumerate(children):
            individus[c] = {"age": {month: known[j] if j < len(known) else AGE_ENFANT}}
        dependants = others + children
        familles[f"h{k}"] = {
            "parents": parents,
            "enfants": dependants,
            # The tax reference income of N-2 is the resources base the CAF uses (net
            # categorical incomes, after the 10 % deduction): given as such, not rebuilt.
            "aide_logement_base_ressources": {month: float(incomes[k])},
        }
        foyers[f"h{k}"] = {"declarants": parents, "personnes_a_charge": dependants}
        menages[f"h{k}"] = {
            "personne_de_reference": parents[:1],
            "conjoint": parents[1:],
            "enfants": dependants,
            "loyer": {month: float(rents[k])},
            "statut_occupation_logement": {month: "locataire_hlm"},
            "depcom": {month: communes[k]},
        }
    return {"individus": individus, "familles": familles, "foyers_fiscaux": foyers,
            "menages": menages}  # fmt: skip


def estimer_apl(households: pd.DataFrame, *, month: str) -> npt.NDArray[np.float64]:
    """Monthly housing benefit in euros of each household in ``month`` (``AAAA-MM``).

    ``households`` has ``nb_adultes, nb_enfants, age_reference, ressources_annuelles``
    (euros, year N-2), ``loyer`` (monthly rent in euros), ``code_commune`` and optionally
    ``ages_enfants`` (``"3;7"``).
    """
    if households.empty:
        return np.zeros(0)
    from openfisca_core.simulation_builder import SimulationBuilder

    simulation = SimulationBuilder().build_from_entities(systeme(), _case(households, month))
    amounts = simulation.calculate("aide_logement", month)
    return np.asarray(amounts, dtype=np.float64)


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
