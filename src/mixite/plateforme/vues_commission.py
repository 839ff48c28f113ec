"""The commission screen: a landlord's vacant dwelling, the candidates it suits, up to
three side by side with their impact, and the decision recorded under the logged-in
account. Household-level: a landlord's own dwellings only, every view journaled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mixite.errors import InvalidDataError
from mixite.plateforme import fraicheur
from mixite.plateforme.acces import Lecteur
from mixite.plateforme.donnees import cadre_commission, logements_vacants
from mixite.plateforme.vues import _rows, exige, store, telechargement


def _own_dwelling(v: Lecteur, id_logement: str) -> Any:
    """The vacant dwelling if it is the viewer's, else the response that refuses it
    (404 with the French report when unknown or occupied, 403 when another's)."""
    from mixite.io.commission import logement

    try:
        dwelling = logement(store(), id_logement, vacant=True)
    except InvalidDataError as e:
        return HttpResponse(e.report(), status=404, content_type="text/plain; charset=utf-8")
    if str(dwelling["code_bailleur"]) != v.code:
        return HttpResponseForbidden(
            "Accès refusé : ce logement n'est pas celui de votre organisation."
        )
    return dwelling


def _date(request: HttpRequest) -> dt.date:
    text = request.GET.get("date") or request.POST.get("date") or ""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.date.today()


@exige("commission")
def accueil(request: HttpRequest, v: Lecteur) -> HttpResponse:
    table = logements_vacants(store(), v.code)
    return render(request, "plateforme/commission.html", {
        "title": "Commission d'attribution", "logements": table.to_dict("records"),
    })  # fmt: skip


@exige("commission")
def candidats(request: HttpRequest, v: Lecteur, id_logement: str) -> HttpResponse:
    from mixite.plateforme.donnees import _version
    from mixite.plateforme.recherche import chercher

    dwelling = _own_dwelling(v, id_logement)
    if isinstance(dwelling, HttpResponse):
        return dwelling
    date = _date(request)
    ignore = request.GET.get("souhaits") == "ignorer"
    # In a process of its own, niced: the pages of this process do not wait for it.
    s = store()
    shown, etapes, notes = chercher(s.emplacement, _version(s), dwelling, date, ignore)

    file = telechargement(request, shown, f"candidats_{id_logement}", notes)
    store().journal_access(perimetre=v.perimetre, objet=f"candidats du logement {id_logement}",
                           lignes=len(shown), destination=f"plateforme:{v.compte}"
                           + (f" ({request.GET.get('format')})" if file else ""))  # fmt: skip
    if file:
        return file
    steps = etapes.rename(columns={"etape": "étape", "ecartees": "écartées",
                                         "dont_prioritaires": "dont prioritaires",
                                         "dont_dalo": "dont DALO"})  # fmt: skip
    return render(request, "plateforme/commission_candidats.html", {
        "title": "Candidats", "logement": dwelling, "ids": list(shown["id_demande"]),
        "lignes": _rows(shown), "colonnes": list(shown.columns), "etapes": _rows(steps),
        "colonnes_etapes": list(steps.columns), "notes": notes, "date": date.isoformat(),
        "ignore": ignore,
    })  # fmt: skip


@exige("commission")
def fiche(request: HttpRequest, v: Lecteur, id_logement: str) -> HttpResponse:
    from mixite.io.commission import preparer_fiche
    from mixite.io.fiche_commission import tableau

    dwelling = _own_dwelling(v, id_logement)
    if isinstance(dwelling, HttpResponse):
        return dwelling
    ids = request.GET.getlist("candidat")[:3]
    if not ids:
        return redirect("commission_candidats", id_logement=id_logement)
    date = _date(request)
    try:
        sheet = preparer_fiche(store(), cadre_commission(store()), dwelling, ids, date)
    except (InvalidDataError, ValueError) as e:
        messages.error(request, e.report() if isinstance(e, InvalidDataError) else str(e))
        return redirect("commission_candidats", id_logement=id_logement)
    fmt = request.GET.get("format")
    store().journal_access(perimetre=v.perimetre, objet=f"fiche de commission du logement {id_logement}",
                           lignes=len(ids), destination=f"plateforme:{v.compte}"
                           + (f" ({fmt})" if fmt else ""))  # fmt: skip
    table = tableau(sheet).reset_index(names="rubrique")
    file = telechargement(request, table, f"fiche_{id_logement}", list(sheet.notes))
    if file:
        return file
    # The summary sentences are shown above the table, one per candidate.
    shown = table[table["rubrique"] != "en résumé"]
    return render(request, "plateforme/commission_fiche.html", {
        "title": "Fiche de commission", "logement": dwelling, "statut": sheet.statut_entree,
        "lignes": _rows(shown), "colonnes": list(shown.columns),
        "phrases": [i.phrase for i in sheet.impacts], "ids": ids, "date": date.isoformat(),
        "notes": list(sheet.notes),
    })  # fmt: skip


@require_POST
@exige("commission")
def decision(request: HttpRequest, v: Lecteur, id_logement: str) -> HttpResponse:
    from mixite.cli.commission import DECISIONS
    from mixite.io.commission import Decision, enregistrer

    dwelling = _own_dwelling(v, id_logement)
    if isinstance(dwelling, HttpResponse):
        return dwelling
    choice = request.POST.get("decision", "")
    demande = request.POST.get("demande", "")
    motif = request.POST.get("motif", "").strip()
    if choice not in DECISIONS:
        messages.error(request, "Décision inconnue.")
        return redirect("commission")
    kind, rank, suite = DECISIONS[choice]
    if kind in ("non_attribution", "irrecevabilite") and not motif:
        messages.error(request, "Une non-attribution ou une irrecevabilité doit être motivée.")
        return redirect("commission")
    date = _date(request)
    try:
        ident = enregistrer(store(), Decision(
            id_logement, demande, kind, date, f"CAL-{v.code}-{date:%Y-%m}", rank, suite, motif,
            par=f"{v.perimetre} ({v.compte})",
        ))  # fmt: skip
    except InvalidDataError as e:
        messages.error(request, e.report())
        return redirect("commission")
    from mixite.plateforme.donnees import rechauffer, suivis_a_jour, versions

    fraicheur.apres_ecriture(request, versions(store(), fraicheur.ATTRIBUTIONS))
    suivis_a_jour(store())  # where the writer is sent
    rechauffer(store())
    messages.success(
        request, f"Décision enregistrée : {ident}. Le suivi des objectifs en tient compte."
    )
    return redirect("objectifs")


@exige("voir_journal")
def journal(request: HttpRequest, v: Lecteur) -> HttpResponse:
    """The audit journals (allocation forms, household-level views), newest first, with
    the verification of their hash chain."""
    import pandas as pd

    s = store()
    problems = s.verify_journals()
    audit = s.read("audit_attributions") if s.has_table("audit_attributions") else pd.DataFrame()
    access = s.access_journal()
    writes = s.imports_journal().rename(columns={
        "imported_at": "ecrit_le", "table_name": "table", "source": "source", "rows": "lignes",
        "synthetic": "synthetique",
    })  # fmt: skip
    journals = {"acces": access, "attributions": audit, "imports": writes}
    which = request.GET.get("journal", "acces")
    which = which if which in journals else "acces"
    table = journals[which].iloc[::-1].head(500)
    table = table.drop(columns=[c for c in ("chaine",) if c in table.columns])
    file = telechargement(request, table, f"journal_{which}", [])
    if file:
        return file
    return render(request, "plateforme/journal.html", {
        "title": "Journal d'audit", "journal": which, "intact": not problems, "problemes": problems,
        "lignes": _rows(table), "colonnes": list(table.columns),
        "n_audit": len(audit), "n_acces": len(access), "n_imports": len(writes),
    })  # fmt: skip
