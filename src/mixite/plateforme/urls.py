"""The platform's addresses."""

from __future__ import annotations

import os

from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from mixite.plateforme import (
    api,
    vues,
    vues_commission,
    vues_imports,
    vues_rapports,
    vues_relogement,
)

urlpatterns = [
    path("", vues.tableau, name="tableau"),
    path("connexion/", vues.Connexion.as_view(), name="connexion"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path("indicateurs/", vues.indicateurs, name="indicateurs"),
    path("carte/<str:nom>.svg", vues.carte, name="carte"),
    path("indicateurs/carte.svg", vues.carte_indicateur, name="carte_indicateur"),
    path("veille/", vues.veille, name="veille"),
    path("objectifs/", vues.objectifs, name="objectifs"),
    path("journal/", vues_commission.journal, name="journal"),
    path("relogement/", vues_relogement.relogement, name="relogement"),
    path("relogement/dossier/<str:ident>/", vues_relogement.dossier, name="relogement_dossier"),
    path(
        "relogement/logement/<str:id_logement>/",
        vues_relogement.logement,
        name="relogement_logement",
    ),
    path("imports/", vues_imports.imports, name="imports"),
    path("imports/<int:pk>/", vues_imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/etat/", vues_imports.import_etat, name="import_etat"),
    path("rapports/", vues_rapports.liste, name="rapports"),
    path("rapports/<str:nom>", vues_rapports.fichier, name="rapport_fichier"),
    path("commission/", vues_commission.accueil, name="commission"),
    path("commission/<str:id_logement>/", vues_commission.candidats, name="commission_candidats"),
    path("commission/<str:id_logement>/fiche/", vues_commission.fiche, name="commission_fiche"),
    path(
        "commission/<str:id_logement>/decision/",
        vues_commission.decision,
        name="commission_decision",
    ),
    # The partner API (docs/api.md): a token per organisation, JSON.
    path("api/v1/", api.racine, name="api"),
    path("api/v1/openapi.json", api.schema_openapi, name="api_schema"),
    path("api/v1/indicateurs", api.indicateurs, name="api_indicateurs"),
    path("api/v1/veille", api.veille, name="api_veille"),
    path("api/v1/objectifs", api.objectifs, name="api_objectifs"),
    path("api/v1/rapports", api.rapports, name="api_rapports"),
    path("api/v1/rapports/<path:nom>", api.rapport, name="api_rapport"),
    path("api/v1/attributions", api.attributions, name="api_attributions"),
]

handler404 = api.introuvable

if os.environ.get("MIXITE_STATIQUES") == "1":
    # Static files served by Django itself (an application server without a reverse
    # proxy in front: the load benchmark's gunicorn). In production, the proxy serves
    # them from STATIC_ROOT (docs/plateforme.md).
    from django.contrib.staticfiles.views import serve

    urlpatterns.append(re_path(r"^static/(?P<path>.*)$", serve, {"insecure": True}))
