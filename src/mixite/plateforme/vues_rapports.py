"""The reports page: the « état du peuplement » of the viewer's territories, listed,
produced in the background and downloaded."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mixite.plateforme import rapports
from mixite.plateforme.acces import Lecteur
from mixite.plateforme.vues import exige


@exige("voir_rapports")
def liste(request: HttpRequest, v: Lecteur) -> HttpResponse:
    if request.method == "POST":
        niveau, code = request.POST.get("territoire", "").partition(":")[::2]
        try:
            date = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            messages.error(request, "Date invalide : AAAA-MM-JJ.")
            return redirect("rapports")
        if niveau not in ("epci", "commune", "bailleur", "operation") or not rapports.peut_produire(
            v, niveau, code
        ):
            messages.error(request, "Votre organisation ne peut pas produire ce rapport.")
            return redirect("rapports")
        rapports.produire(niveau, code, date)
        messages.success(request, "Rapport en préparation : il apparaîtra dans la liste dans "
                         "une minute environ (rechargez la page).")  # fmt: skip
        return redirect("rapports")
    files, building = rapports.liste(v)
    choices = []
    if v.role == "epci":
        from mixite.plateforme.vues import store

        names = store().read_if_exists("communes", ["code_commune", "nom"]).sort_values("nom")
        choices.append((f"epci:{v.code}", "l'intercommunalité (toutes les communes)"))
        choices += [(f"commune:{c}", f"{n} ({c})")
                    for c, n in zip(names["code_commune"], names["nom"], strict=True)]  # fmt: skip
        operations = store().read_if_exists("operations", ["code_operation"])
        choices += [(f"operation:{c}", f"relogement de l'opération {c}")
                    for c in sorted(operations["code_operation"].astype(str))]  # fmt: skip
    elif v.role == "commune":
        choices.append((f"commune:{v.code}", f"la commune {v.code}"))
    elif v.role == "renouvellement":
        choices.append((f"operation:{v.code}", f"le relogement de l'opération {v.code}"))
    elif v.role == "bailleur":
        choices.append((f"bailleur:{v.code}", f"votre parc ({v.code}), entrée par entrée"))
    return render(request, "plateforme/rapports.html", {
        "title": "Rapports", "fichiers": files, "en_cours": building, "choix": choices,
        "epci": v.role == "epci", "aujourdhui": dt.date.today().isoformat(),
    })  # fmt: skip


@exige("voir_rapports")
def fichier(request: HttpRequest, v: Lecteur, nom: str) -> HttpResponse:
    path = rapports.chemin(v, nom)
    if path is None:
        raise Http404("Rapport inconnu")
    return rapports.telecharger(path)
