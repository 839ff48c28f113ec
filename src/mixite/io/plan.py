"""The allocation plan's problem read from the store: a past year's vacancies (the
dwellings allocated that year, at their allocation date) and the applications active
during it, with their priority, cotation, wait and counted publics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mixite.io import refdata
from mixite.io.store import Store
from mixite.plan.modele import Probleme, ReglesPlan, contraintes, paires


@dataclass(frozen=True)
class Donnees:
    """The problem and the allocations actually made (vacancy row → applicant row, −1
    when the applicant is not among the applications read)."""

    probleme: Probleme
    observe_v: np.ndarray
    observe_a: np.ndarray
    annee: int


def vacances_de(store: Store, annee: int) -> pd.DataFrame:
    """The dwellings allocated in ``annee``, one row per allocation, with the
    dwelling's features and zones."""
    from mixite.io.queries import allocations_in_context

    made = allocations_in_context(store)
    dates = pd.to_datetime(made["date_cal"])
    made = made[(dates.dt.year == annee).to_numpy()].copy()
    dwellings = store.query(
        "SELECT l.id_logement, l.financement, l.nb_pieces, l.loyer_mensuel, l.charges_mensuelles, "
        "e.id_entree, b.individuel FROM logements l JOIN entrees e ON e.id_entree = l.id_entree "
        "JOIN batiments b ON b.id_batiment = e.id_batiment"
    )
    out = made.merge(dwellings, on="id_logement", how="left")
    out["date"] = pd.to_datetime(out["date_cal"])
    return out.sort_values(["date", "id_attribution"]).reset_index(drop=True)


def demandes_de(store: Store, annee: int) -> pd.DataFrame:
    """The applications filed by the end of ``annee`` and still open at its start, with
    ``prioritaire`` (the catalogue's criteria or DALO), ``cotation`` (the grid's points)
    and ``anciennete_mois`` (months since filing, at the year's end)."""
    from mixite.io.commission import priorites_des_demandes

    start, end = dt.date(annee, 1, 1), dt.date(annee, 12, 31)
    d = store.query(
        "SELECT * FROM demandes WHERE date_depot <= ? AND (statut = 'active' OR date_sortie >= ?)",
        [end, start],
    ).reset_index(drop=True)
    prio, points, _ = priorites_des_demandes(d, end)
    d["prioritaire"] = d["id_demande"].map(prio).fillna(False).astype(bool)
    d["cotation"] = d["id_demande"].map(points).astype(float)
    d["anciennete_mois"] = (
        (pd.Timestamp(end) - pd.to_datetime(d["date_depot"])).dt.days / 30.4375
    ).round(1)
    return d


def publics_de(demandes: pd.DataFrame, annee: int, epci: str, zone: int) -> pd.DataFrame:
    """The counted publics of each applicant, had it been housed in ``annee``."""
    from mixite.core.objectifs.publics import publics_des_attributions

    frame = demandes.assign(
        date_cal=pd.Timestamp(annee, 7, 1),
        relogement_renouvellement=demandes.get("relogement_renouvellement", False),
    )
    return publics_des_attributions(frame, refdata.plafonds_ressources(), refdata.premier_quartile(),
                                    epci=epci, zone=zone)  # fmt: skip


def charger(
    store: Store,
    annee: int,
    chartes: tuple[str | Path, ...] = ("loi-2017",),
    regles: ReglesPlan | None = None,
) -> Donnees:
    """The plan's problem for ``annee`` under ``chartes``."""
    from mixite.io.config import load_charter, load_commission

    rules = regles or ReglesPlan()
    loaded = tuple(load_charter(c) for c in chartes)
    vac = vacances_de(store, annee)
    if vac.empty:
        raise ValueError(
            f"aucune attribution en {annee} dans la base : pas de logements à répartir"
        )
    dem = demandes_de(store, annee)
    zone = loaded[0].zone_plafonds if loaded else 3
    pairs, dropped = paires(vac, dem, plafonds=refdata.plafonds_ressources(),
                            regles=load_commission(None), annee=annee, poids=rules.poids,
                            k=rules.candidats_par_logement)  # fmt: skip
    publics = publics_de(dem, annee, loaded[0].epci if loaded else "", zone)
    rows = contraintes(vac, publics, loaded)
    position = pd.Series(np.arange(len(dem)), index=dem["id_demande"].astype(str))
    observed = vac["id_demande"].astype(str).map(position).fillna(-1).to_numpy(dtype=np.int64)
    watch = []
    if rules.veille:
        from mixite.io.publication import veille_des_entrees
        from mixite.plan.modele import lignes_veille

        state = veille_des_entrees(store)
        flags = dem.assign(
            sans_actif=(dem["nb_actifs_occupes"] == 0).to_numpy(),
            sous_40_plus=publics["sous_40_plus"].to_numpy(),
            monoparental=dem["monoparental"].astype("boolean").fillna(False).to_numpy(dtype=bool),
        )
        watch = lignes_veille(vac, flags, state.entrees, state.variables)  # indexed by entrance
    problem = Probleme(vac, dem, pairs, rows, rules, dropped, watch)
    return Donnees(problem, np.flatnonzero(observed >= 0), observed[observed >= 0], annee)
