"""The relocation pages: the dashboard, the process indicators and the receiving
neighbourhoods for every partner that follows relocation (secrecy applied); for the
operation's team and the households' landlords, the households to follow and to see, a
household's file with the dwellings fitting its wishes, and the households a vacancy
suits (household-level: every reading journaled). The same functions as ``mixite
relogement``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render

from mixite.core.acces import AccesRefuse, Perimetre
from mixite.errors import InvalidDataError
from mixite.plateforme.acces import Lecteur, peut
from mixite.plateforme.vues import _rows, exige, store, telechargement

#: The page's tables: name → (title, household-level).
TABLEAUX = {
    "bord": ("Tableau de bord", False),
    "processus": ("Processus", False),
    "accueil": ("Quartiers d'accueil", False),
    "suivi": ("Ménages à suivre", True),
    "visites": ("Ménages à voir", True),
}
PAR = {"": "ensemble", "operation": "opération", "bailleur": "bailleur d'origine",
       "periode": "semestre"}  # fmt: skip
NIVEAUX = {"commune": "commune", "iris": "IRIS", "qpv": "QPV"}


def _perimetre(v: Lecteur) -> Perimetre:
    """The library's scope of a viewer (the renewal team is its operation's)."""
    return Perimetre("operation" if v.role == "renouvellement" else v.role, v.code)  # type: ignore[arg-type]


def _journal(request: HttpRequest, v: Lecteur, objet: str, lignes: int) -> None:
    fmt = request.GET.get("format")
    store().journal_access(perimetre=v.perimetre, objet=objet, lignes=lignes,
                           destination=f"plateforme:{v.compte}" + (f" ({fmt})" if fmt else ""))  # fmt: skip


@exige("voir_relogement")
def relogement(request: HttpRequest, v: Lecteur) -> HttpResponse:
    """The relocation page and its tables (``?tableau=``); household lists for the
    operation's team and the households' landlords only, journaled."""
    from mixite.plateforme import donnees_relogement as data
    from mixite.plateforme.donnees_relogement import relogement as dashboard

    follow = peut(v, "suivre_menages_reloges")
    which = request.GET.get("tableau", "bord")
    if which not in TABLEAUX or (TABLEAUX[which][1] and not follow):
        which = "bord"
    board, listing, notes = dashboard(store(), _perimetre(v) if follow else None)
    extra: dict[str, object] = {}
    entrances = pd.DataFrame()
    if which == "bord":
        table = board
    elif which == "suivi":
        table = listing
        _journal(request, v, "ménages relogés à suivre", len(listing))
    elif which == "visites":
        table, notes = data.a_voir(store(), _perimetre(v))
        _journal(request, v, "ménages relogés à voir (suivi des visites)", len(table))
        extra["liens_dossiers"] = True
    elif which == "processus":
        par = request.GET.get("par", "")
        par = par if par in PAR else ""
        table, notes = data.processus(store(), par or None)
        extra.update(par=par, choix_par=PAR)
    else:
        niveau = request.GET.get("niveau", "commune")
        niveau = niveau if niveau in NIVEAUX else "commune"
        raw, zones, notes = data.accueil(store())
        table = zones.get(NIVEAUX[niveau], pd.DataFrame())
        extra.update(niveau=niveau, choix_niveaux=NIVEAUX)
        if v.role == "bailleur" and len(raw):
            from mixite.cli.relogement_dossiers import entrees_en_clair

            entrances = entrees_en_clair(raw[raw["code_bailleur"] == v.code])
    published = which in ("bord", "processus", "accueil")
    if request.GET.get("entrees") == "1" and which == "accueil":  # the landlord's own
        file = telechargement(request, entrances, f"relogement_entrees_{v.code}", notes)
    else:
        file = telechargement(request, table, f"relogement_{which}", notes)
    if file:
        return file
    return render(request, "plateforme/relogement.html", {
        "title": "Relogement", "lignes": _rows(table, "s" if published else "—"),
        "colonnes": list(table.columns), "notes": notes, "suivi": follow, "tableau": which,
        "tableaux": {k: t for k, (t, nominative) in TABLEAUX.items() if follow or not nominative},
        "n_suivi": len(listing), "entrees": _rows(entrances, "—"),
        "colonnes_entrees": list(entrances.columns), **extra,
    })  # fmt: skip


def _date(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return dt.date.today()


@exige("suivre_menages_reloges")
def dossier(request: HttpRequest, v: Lecteur, ident: str) -> HttpResponse:
    """A household's file and the vacant dwellings fitting its wishes (with benefit,
    effort rate, reste à vivre and the receiving entrance's change)."""
    from mixite.plateforme.donnees_relogement import dossier_et_offres

    try:
        d, offers = dossier_et_offres(store(), ident, _perimetre(v),
                                      f"plateforme:{v.compte}", _date(request), limite=10)  # fmt: skip
    except AccesRefuse as e:
        return HttpResponseForbidden(str(e))
    except InvalidDataError:
        return HttpResponse("Dossier de relogement inconnu.", status=404,
                            content_type="text/plain; charset=utf-8")  # fmt: skip
    file = telechargement(request, offers, f"offres_{ident}", [
        "Liste nominative : diffusion limitée au groupe de suivi"])  # fmt: skip
    if file:
        return file
    from mixite.plateforme.donnees_relogement import STATUTS_RELOGEMENT

    wishes = {} if d.entretien is None else {
        label: _valeur(d.entretien.get(k)) for k, label in SOUHAITS.items()}  # fmt: skip
    offered = _en_clair(d.propositions, PROPOSITIONS)
    visits = _en_clair(d.visites, VISITES)
    r = d.relogement
    return render(request, "plateforme/relogement_dossier.html", {
        "title": f"Dossier {ident}", "r": r,
        "statut": STATUTS_RELOGEMENT.get(str(r["statut"]), str(r["statut"])), "souhaits": wishes,
        "propositions": _rows(offered, "—"), "colonnes_propositions": list(offered.columns),
        "visites": _rows(visits, "—"), "colonnes_visites": list(visits.columns),
        "lignes": _rows(offers, "—"), "colonnes": list(offers.columns),
    })  # fmt: skip


#: The interview's wishes as the file page shows them.
SOUHAITS = {
    "date_entretien": "date de l'entretien", "mobilite_reduite": "mobilité réduite",
    "besoin_sante": "besoin lié à la santé", "souhait_communes": "communes souhaitées, dans l'ordre",
    "souhait_sur_site": "rester sur le site", "souhait_type": "type de logement",
    "souhait_pieces_min": "pièces, au moins", "souhait_pieces_max": "pièces, au plus",
    "etage_max": "étage le plus haut sans ascenseur", "loyer_charges_max": "loyer et charges, au plus (€)",
}  # fmt: skip
PROPOSITIONS = {"id_proposition": "proposition", "id_logement": "logement",
                "date_proposition": "date", "reponse": "réponse", "motif_refus": "motif du refus"}  # fmt: skip
VISITES = {"id_visite": "visite", "date_visite": "date", "difficultes": "difficultés",
           "mesure_corrective": "mesure corrective"}  # fmt: skip
#: Choices in words (the model's codes otherwise shown with spaces).
MOTS = {"acceptee": "acceptée", "refusee": "refusée", "en_attente": "en attente",
        "retiree": "retirée", "indifferent": "indifférent", "impayes": "impayés",
        "etat_du_logement": "état du logement", "etage_ou_accessibilite": "étage ou accessibilité"}  # fmt: skip


def _valeur(v: object) -> str:
    """A recorded value in words: oui/non, a date, codes and lists in French."""
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return "—"
    if isinstance(v, bool | np.bool_):
        return "oui" if v else "non"
    if isinstance(v, pd.Timestamp | dt.date):
        return f"{v:%d/%m/%Y}"
    if isinstance(v, float):
        from mixite.cli.sortie import nombre_fr

        return nombre_fr(v)
    return ", ".join(MOTS.get(p.strip(), p.strip().replace("_", " ")) for p in str(v).split(";"))


def _en_clair(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``frame``'s columns of ``names``, values in words, French headers."""
    cols = [c for c in names if c in frame.columns]
    out = frame[cols].copy()
    for c in cols:
        if not c.startswith("id_"):
            out[c] = out[c].map(_valeur)
    return out.rename(columns=names)


@exige("suivre_menages_reloges")
def logement(request: HttpRequest, v: Lecteur, id_logement: str) -> HttpResponse:
    """A vacant dwelling and the households to relocate in the viewer's scope whose
    wishes it fits."""
    from mixite.plateforme.donnees_relogement import candidats

    try:
        place, found = candidats(store(), id_logement, _perimetre(v), f"plateforme:{v.compte}",
                                 _date(request))  # fmt: skip
    except InvalidDataError:
        return HttpResponse("Logement inconnu ou non vacant.", status=404,
                            content_type="text/plain; charset=utf-8")  # fmt: skip
    file = telechargement(request, found, f"menages_pour_{id_logement}", [
        "Liste nominative : diffusion limitée au groupe de suivi"])  # fmt: skip
    if file:
        return file
    return render(request, "plateforme/relogement_logement.html", {
        "title": f"Logement {id_logement}", "logement": place,
        "lignes": _rows(found, "—"), "colonnes": list(found.columns),
    })  # fmt: skip
