"""The imports page: upload a file, follow its progress, read its French report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mixite.io.importers import IMPORT_STEPS, IMPORTERS, ImportOptions
from mixite.plateforme import fraicheur
from mixite.plateforme.acces import Lecteur
from mixite.plateforme.imports import EXTENSIONS, deposer, interrompus, types_permis
from mixite.plateforme.models import ETATS_IMPORT, Import
from mixite.plateforme.vues import exige, telechargement


#: Largest file accepted from the browser (bytes; ``MIXITE_IMPORT_MAX_MO`` in settings).
def _taille_max() -> int:
    return int(getattr(settings, "IMPORT_MAX_MO", 200)) * 1024 * 1024


def _visibles(v: Lecteur) -> object:
    """The imports a viewer sees: the EPCI all of them, a landlord its organisation's."""
    jobs = Import.objects.all()
    return jobs if v.role == "epci" else jobs.filter(perimetre=v.perimetre)


@exige("importer")
def imports(request: HttpRequest, v: Lecteur) -> HttpResponse:
    kinds = types_permis(v)
    if request.method == "POST":
        kind = request.POST.get("type", "")
        upload = request.FILES.get("fichier")
        error = None
        if kind not in kinds:
            error = "Ce type de fichier ne fait pas partie de ceux que votre organisation importe."
        elif upload is None:
            error = "Choisissez un fichier à importer."
        elif Path(upload.name or "").suffix.lower() not in EXTENSIONS:
            error = ("Format non pris en charge : " + (Path(upload.name or "").suffix or "sans extension")
                     + " ; formats acceptés : " + ", ".join(EXTENSIONS) + ".")  # fmt: skip
        elif upload.size and upload.size > _taille_max():
            error = f"Fichier trop volumineux (plus de {_taille_max() // 2**20} Mo)."
        if error:
            messages.error(request, error)
            return redirect("imports")
        assert upload is not None
        replace = v.role == "epci" and request.POST.get("remplacer") == "1"
        options = ImportOptions(
            replace=replace,
            bailleur=v.code if v.role == "bailleur" else (request.POST.get("bailleur") or None),
        )
        if hasattr(upload, "temporary_file_path"):
            contenu: bytes | Path = Path(upload.temporary_file_path())
        else:
            contenu = upload.read()
        job = deposer(
            v, int(request.user.pk or 0), kind, upload.name or "fichier", contenu, options
        )
        fraicheur.apres_ecriture(request)  # then it sees its own import's figures
        return redirect("import_detail", job.pk)
    interrompus()
    jobs = list(_visibles(v)[:50])  # type: ignore[index]
    return render(request, "plateforme/imports.html", {
        "title": "Imports", "types": [(k, IMPORTERS[k].description) for k in kinds],
        "imports": jobs, "etats": ETATS_IMPORT, "epci": v.role == "epci",
        "extensions": ", ".join(EXTENSIONS), "taille_max": _taille_max() // 2**20,
    })  # fmt: skip


def _job(v: Lecteur, pk: int) -> Import:
    job = _visibles(v).filter(pk=pk).first()  # type: ignore[attr-defined]
    if job is None:
        raise Http404("Import inconnu")
    return job  # type: ignore[no-any-return]


def _contexte(job: Import) -> dict[str, object]:
    done = len(IMPORT_STEPS) if job.etat == "reussi" else job.etape
    return {
        "job": job, "etat": ETATS_IMPORT[job.etat], "etapes": IMPORT_STEPS,
        "etape": IMPORT_STEPS[min(job.etape, len(IMPORT_STEPS) - 1)],
        "numero": min(job.etape, len(IMPORT_STEPS) - 1) + 1, "nb_etapes": len(IMPORT_STEPS),
        "pourcent": round(100 * done / len(IMPORT_STEPS)),
        "message": job.message.splitlines(),
        "colonnes": ["ligne", "colonne", "valeur", "règle"],
        "lignes": [[p["ligne"] or "", p["colonne"], p["valeur"], p["regle"]] for p in job.problemes],
        "autres": max(job.total_problemes - len(job.problemes), 0),
    }  # fmt: skip


@exige("importer")
def import_detail(request: HttpRequest, v: Lecteur, pk: int) -> HttpResponse:
    job = _job(v, pk)
    report = pd.DataFrame(job.problemes, columns=["ligne", "colonne", "valeur", "regle"])
    file = telechargement(request, report, f"rapport_import_{job.pk}", [
        f"Import de « {job.fichier} » ({job.type}) : {ETATS_IMPORT[job.etat]}."
    ])  # fmt: skip
    if file:
        return file
    return render(request, "plateforme/import.html", {"title": f"Import de {job.fichier}",
                                                      **_contexte(job)})  # fmt: skip


@exige("importer")
def import_etat(request: HttpRequest, v: Lecteur, pk: int) -> HttpResponse:
    """The progress block alone (htmx polls it every second until the import ends)."""
    job = _job(v, pk)
    if job.etat == "reussi":  # a long import: the minutes count from its end
        fraicheur.apres_ecriture(request)
    return render(request, "plateforme/_import_etat.html", _contexte(job))
