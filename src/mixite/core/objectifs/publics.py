"""Which counted populations each allocation belongs to, from its fiche and reference data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixite.core.plafonds import (
    plafond_plus_des_menages,
    premier_quartile,
    seuil_premier_quartile,
    sous_40_pct_plus,
)


def publics_des_attributions(
    attributions: pd.DataFrame,
    plafonds: pd.DataFrame,
    quartiles: pd.DataFrame,
    *,
    epci: str,
    zone: int,
) -> pd.DataFrame:
    """Add one boolean column per population of :data:`~mixite.core.objectifs.charte.PUBLICS`.

    ``attributions`` needs ``date_cal, nb_personnes, nb_adultes, nb_enfants,
    unites_consommation, nb_actifs_occupes, ressources_annuelles`` (euros),
    ``prioritaire, relogement_renouvellement``. The ceiling and the first-quartile
    threshold are those of the allocation's year; a year without reference data raises
    :class:`~mixite.errors.ReferenceDataError`.
    """
    a = attributions.copy()
    year = pd.to_datetime(a["date_cal"]).dt.year.to_numpy()
    ceiling = plafond_plus_des_menages(
        plafonds,
        nb_personnes=a["nb_personnes"],
        nb_adultes=a["nb_adultes"],
        nb_enfants=a["nb_enfants"],
        millesime=year,
        zone=zone,
    )
    cents = np.rint(a["ressources_annuelles"].to_numpy(dtype=float) * 100)
    a["plafond_plus"] = ceiling
    a["part_plafond_plus"] = cents / (ceiling * 100.0)
    a["sous_40_plus"] = sous_40_pct_plus(a["ressources_annuelles"], ceiling)
    q1 = np.zeros(len(a), dtype=bool)
    for y in np.unique(year):
        sel = year == y
        threshold = seuil_premier_quartile(quartiles, epci=epci, millesime=int(y))
        q1[sel] = premier_quartile(
            cents[sel], a["unites_consommation"].to_numpy(dtype=float)[sel], seuil_eur=threshold
        )
    relocated = a["relogement_renouvellement"].fillna(False).to_numpy(dtype=bool)
    a["premier_quartile"] = q1
    a["premier_quartile_ou_relogement"] = q1 | relocated
    a["autres_quartiles"] = ~q1
    a["actif_occupe"] = a["nb_actifs_occupes"].to_numpy(dtype=float) >= 1
    a["prioritaire"] = a["prioritaire"].fillna(False).to_numpy(dtype=bool)
    a["relogement"] = relocated
    return a
