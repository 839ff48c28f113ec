"""The relocation pages' figures, from the functions ``mixite relogement`` runs: the
process indicators and the receiving neighbourhoods (published, secrecy applied, kept
per data version), the households to see, a file with its offers and the households a
vacancy suits (household-level: computed at each reading, journaled by the view)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from mixite.core.acces import Perimetre
from mixite.io.store import Store
from mixite.plateforme.donnees import _cached, _version


def _figures(store: Store) -> tuple[pd.DataFrame, Any, dt.date]:
    from mixite.core.relogement import household_figures
    from mixite.io.config import load_relocation_settings

    settings = load_relocation_settings(None)
    records = store.read("relogements")
    ref = pd.to_datetime(records["date_relogement"]).dropna().max().date()
    figures = household_figures(records, settings.formula, reference_date=ref,
                                recent_years=settings.recent_years)  # fmt: skip
    return figures, settings, ref


def _table(store: Store, name: str, columns: list[str]) -> pd.DataFrame:
    return store.read(name) if store.has_table(name) else pd.DataFrame(columns=columns)


def processus(store: Store, par: str | None) -> tuple[pd.DataFrame, list[str]]:
    """The process indicators (French headers, secrecy applied) and their notes."""
    from mixite.core.relogement.processus import indicateurs_par_menage
    from mixite.core.relogement.processus import processus as table

    def compute() -> tuple[pd.DataFrame, list[str]]:
        figures, _, ref = _figures(store)
        per = indicateurs_par_menage(
            figures,
            _table(store, "entretiens_relogement",
                   ["id_relogement", "date_entretien", "souhait_communes"]),
            _table(store, "propositions_relogement",
                   ["id_relogement", "reponse", "motif_refus"]),
        )  # fmt: skip
        notes = [f"Date de référence : {ref.isoformat()}",
                 "Taux de refus = refus / propositions ayant reçu une réponse",
                 "Secret statistique : cases de moins de 11 ménages masquées (« s »)"]  # fmt: skip
        return table(per, par=par).french(), notes

    return _cached(("processus", *_version(store), par), compute)  # type: ignore[no-any-return]


def accueil(store: Store) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], list[str]]:
    """The receiving entrances (raw: the views show a landlord its own) and the
    published neighbourhood tables by level, with their notes."""
    from mixite.core.relogement.accueil import (
        ENTETES_QUARTIERS,
        entrees_accueil,
        quartiers_accueil,
    )
    from mixite.io.dossiers_relogement import arrivees
    from mixite.plateforme.donnees import cadre_commission

    def compute() -> tuple[pd.DataFrame, dict[str, pd.DataFrame], list[str]]:
        cadre = cadre_commission(store)
        entrances = entrees_accueil(cadre, arrivees(store, cadre))
        zones = {}
        if len(entrances):
            for level, table in quartiers_accueil(entrances).items():
                zones[level] = table.reset_index().rename(columns=ENTETES_QUARTIERS)
        notes = [f"Ménages du millésime {cadre.millesime} ; relogés placés dans leur nouveau "
                 "logement ; entrées collectives ; statuts de veille aux seuils de chaque "
                 "bailleur", "Secret statistique : cases de moins de 11 ménages masquées (« s »)"]  # fmt: skip
        return entrances, zones, notes

    return _cached(("accueil", *_version(store)), compute)  # type: ignore[no-any-return]


def a_voir(store: Store, viewer: Perimetre) -> tuple[pd.DataFrame, list[str]]:
    """The households ``viewer`` should go and see (default criteria), French headers."""
    from mixite.cli.relogement_dossiers import COLONNES_VISITES
    from mixite.core.relogement.visites import Criteres
    from mixite.core.relogement.visites import a_voir as lister

    figures, _, ref = _figures(store)
    criteria = Criteres()
    visits = _table(store, "visites_relogement",
                    ["id_relogement", "date_visite", "difficultes", "mesure_corrective"])  # fmt: skip
    out = lister(figures, visits, viewer, criteria, ref)
    for c in ("taux_effort_avant", "taux_effort_apres"):
        out[c] = (pd.to_numeric(out[c], errors="coerce") * 100).round(1)
    out["rav_apres"] = pd.to_numeric(out["rav_apres"], errors="coerce").round(2)
    for c in ("date_relogement", "derniere_visite"):
        out[c] = pd.to_datetime(out[c]).dt.strftime("%d/%m/%Y")
    out["difficultes"] = out["difficultes"].str.replace("_", " ").str.replace(";", ", ")
    notes = [f"Date de référence : {ref.isoformat()}", criteria.decrire(),
             "Liste nominative : diffusion limitée au groupe de suivi"]  # fmt: skip
    return out.rename(columns=COLONNES_VISITES), notes


def dossier_et_offres(store: Store, ident: str, viewer: Perimetre, destination: str,
                      date: dt.date, limite: int = 20) -> tuple[Any, pd.DataFrame]:  # fmt: skip
    """A file (refused outside the viewer's scope; journaled) and its offers with the
    receiving entrance's change, French headers."""
    from mixite.cli.relogement import COLONNES_OFFRES
    from mixite.io.dossiers_relogement import dossier, impacts_des_offres, offres
    from mixite.plateforme.donnees import cadre_commission

    d = dossier(store, ident, viewer, destination=destination)
    if d.entretien is None:
        return d, pd.DataFrame()
    _, settings, _ = _figures(store)
    found = offres(store, d, date, settings.formula).head(limite)
    found = impacts_des_offres(store, cadre_commission(store), d, found, limite)
    shown = found[[c for c in COLONNES_OFFRES if c in found.columns]]
    return d, shown.rename(columns=COLONNES_OFFRES)


def candidats(store: Store, id_logement: str, viewer: Perimetre, destination: str,
              date: dt.date) -> tuple[pd.Series, pd.DataFrame]:  # fmt: skip
    """A vacant dwelling and the households to relocate (in scope) it suits; journaled."""
    from mixite.cli.relogement_dossiers import COLONNES_CANDIDATS
    from mixite.io.dossiers_relogement import menages_pour

    _, settings, _ = _figures(store)
    place, found = menages_pour(store, id_logement, viewer, date, settings.formula,
                                destination=destination)  # fmt: skip
    shown = found[[c for c in COLONNES_CANDIDATS if c in found.columns]]
    return place, shown.rename(columns=COLONNES_CANDIDATS)
