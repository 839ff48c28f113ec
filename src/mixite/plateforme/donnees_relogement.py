"""The relocation pages' figures, from the functions ``mixite relogement`` runs: the
process indicators and the receiving neighbourhoods (published, secrecy applied, kept
per data version), the households to see, a file with its offers and the households a
vacancy suits (household-level: computed at each reading, journaled by the view)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from mixite.core.acces import Perimetre
from mixite.io.config import RelocationSettings, load_relocation_settings
from mixite.io.store import Store
from mixite.plateforme.donnees import _cached, _version


def _figures(store: Store) -> tuple[pd.DataFrame, RelocationSettings, dt.date]:
    """Every relocated household's figures (the default settings), at the last move."""
    from mixite.core.relogement import household_figures

    settings = load_relocation_settings(None)
    records = store.read("relogements")
    ref = pd.to_datetime(records["date_relogement"]).dropna().max().date()
    figures = household_figures(records, settings.formula, reference_date=ref,
                                recent_years=settings.recent_years)  # fmt: skip
    return figures, settings, ref


def relogement(
    store: Store, viewer: Perimetre | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The relocation dashboard (secrecy applied) and, for the operation's team or a
    household's landlord (``viewer``), its households to follow."""
    from mixite.core.relogement import dashboard, follow_up_list

    figures, settings, ref = _figures(store)
    board = dashboard(
        figures, settings.formula, criteria=settings.criteria, reference_year=ref.year
    )
    notes = [f"Formule : {settings.formula.describe()}", f"Date de référence : {ref.isoformat()}",
             "Taux d'effort = (loyer + charges − APL) / ressources"]  # fmt: skip
    listing = pd.DataFrame()
    if viewer is not None:
        listing = _suivi_en_clair(follow_up_list(figures, viewer))
    return board.french(), listing, notes


#: The households to follow, as the page and its download show them.
COLONNES_SUIVI = {
    "id_relogement": "relogement", "id_menage": "ménage", "code_operation": "opération",
    "code_bailleur": "bailleur d'origine", "apres_code_bailleur": "bailleur d'accueil",
    "statut": "statut", "nb_personnes": "personnes",
    "taux_effort_avant": "taux d'effort avant (%)", "taux_effort_apres": "taux d'effort après (%)",
    "rav_avant": "reste à vivre avant (€/jour/pers.)",
    "rav_apres": "reste à vivre après (€/jour/pers.)",
    "variation_rav": "variation du reste à vivre (€)", "motif": "motif du suivi",
}  # fmt: skip
STATUTS_RELOGEMENT = {
    "reloge": "relogé",
    "a_reloger": "à reloger",
    "parti_sans_suivi": "parti sans suivi",
}


def _suivi_en_clair(listing: pd.DataFrame) -> pd.DataFrame:
    """French headers, statuses in words, effort rates in percent (1 decimal)."""
    out = listing.copy()
    for c in ("taux_effort_avant", "taux_effort_apres"):
        out[c] = (pd.to_numeric(out[c], errors="coerce") * 100).round(1)
    out["statut"] = out["statut"].map(lambda s: STATUTS_RELOGEMENT.get(s, s))
    return out.rename(columns=COLONNES_SUIVI)


def processus(store: Store, par: str | None) -> tuple[pd.DataFrame, list[str]]:
    """The process indicators (French headers, secrecy applied) and their notes."""
    from mixite.cli.relogement_dossiers import lire_processus
    from mixite.core.relogement.processus import processus as table

    def compute() -> tuple[pd.DataFrame, list[str]]:
        figures, _, ref = _figures(store)
        per = lire_processus(store, figures)
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
    from mixite.cli.relogement_dossiers import COLONNES_VISITES_LUES, visites_en_clair
    from mixite.core.relogement.visites import Criteres
    from mixite.core.relogement.visites import a_voir as lister

    figures, _, ref = _figures(store)
    criteria = Criteres()
    visits = store.read_if_exists("visites_relogement", COLONNES_VISITES_LUES)
    out = visites_en_clair(lister(figures, visits, viewer, criteria, ref),
                           lambda d: d.dt.strftime("%d/%m/%Y"))  # fmt: skip
    notes = [f"Date de référence : {ref.isoformat()}", criteria.decrire(),
             "Liste nominative : diffusion limitée au groupe de suivi"]  # fmt: skip
    return out, notes


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
