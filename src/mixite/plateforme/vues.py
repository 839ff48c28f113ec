"""The platform's pages. Each shows what the library computes for the viewer's scope,
and downloads exactly what it shows (``?format=csv`` or ``xlsx``)."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from functools import wraps
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import render

from mixite.io.store import Store
from mixite.plateforme import fraicheur
from mixite.plateforme.acces import Lecteur, communes_visibles, lecteur, peut
from mixite.plateforme.donnees import (
    CHARTE_PAR_DEFAUT,
    CHARTES,
    NIVEAUX,
    chiffres_cles,
    table_indicateurs,
    table_objectifs,
    table_veille,
)

View = Callable[..., HttpResponseBase]


def contexte(request: HttpRequest) -> dict[str, Any]:
    """What every page knows: the viewer and what it may open."""
    v = lecteur(request.user)
    return {
        "lecteur": v,
        "peut_objectifs": peut(v, "voir_objectifs"),
        "peut_commission": peut(v, "commission"),
        "peut_journal": peut(v, "voir_journal"),
        "peut_relogement": peut(v, "voir_relogement"),
        "peut_importer": peut(v, "importer"),
        "donnees_anterieures": fraicheur.anciens(),
        "SITE_CONFIG": None,
        "site_title": "mixite",
    }


def store() -> Store:
    """The store, shared: pages read while a background import writes (ADR 0002)."""
    return Store(settings.STORE, partagee=True)


def exige(action: str) -> Callable[[View], View]:
    """The page needs a logged-in viewer allowed to do ``action`` (403 otherwise)."""

    def wrap(view: View) -> View:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            v = lecteur(request.user)
            if not peut(v, action):
                return HttpResponseForbidden(
                    "Accès refusé : votre organisation ne peut pas ouvrir cette page."
                )
            return view(request, v, *args, **kwargs)

        return inner

    return wrap


def telechargement(request: HttpRequest, table: pd.DataFrame, nom: str,
                   notes: list[str]) -> HttpResponse | None:  # fmt: skip
    """The table shown, as the file asked for (``?format=csv|xlsx``), or None."""
    fmt = request.GET.get("format")
    if fmt not in ("csv", "xlsx"):
        return None
    import tempfile
    from pathlib import Path

    from mixite.io.exports import write_tables

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"{nom}.{fmt}"
        write_tables(path, {nom[:31]: table}, notes)
        data = path.read_bytes()
    kind = ("text/csv; charset=utf-8" if fmt == "csv" else
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{nom}.{fmt}"'
    return response


#: Failed logins allowed per account and address before a pause.
ESSAIS_MAX = 5
PAUSE_S = 15 * 60


class Connexion(auth_views.LoginView):
    """Django's login, with throttling: after 5 failures for an account from one
    address, 15 minutes of pause (the form says so in French)."""

    template_name = "plateforme/connexion.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = f"essais:{request.POST.get('username', '')}:{request.META.get('REMOTE_ADDR', '')}"
        tries = cache.get(key, 0)
        if tries >= ESSAIS_MAX:
            form = self.get_form()
            form.add_error(None, "Trop d'essais : réessayez dans 15 minutes.")
            return self.form_invalid(form)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            cache.set(key, tries + 1, PAUSE_S)
        else:
            cache.delete(key)
        return response


@exige("voir_tableau")
def tableau(request: HttpRequest, v: Lecteur) -> HttpResponse:
    t0 = time.perf_counter()
    from mixite.plateforme.cartes import evolution

    figures, communes, notes = chiffres_cles(store(), communes_visibles(v))
    changes, years = evolution(store(), communes_visibles(v))
    if request.GET.get("tableau") == "evolution":
        file = telechargement(request, changes, "evolution", notes)
    else:
        file = telechargement(request, communes, "tableau_de_bord", notes)
    if file:
        return file
    return render(request, "plateforme/tableau.html", {
        "title": "Tableau de bord", "chiffres": figures, "lignes": _rows(communes),
        "colonnes": list(communes.columns), "notes": notes,
        "evolution": _rows(changes), "evolution_colonnes": list(changes.columns),
        "periode": f"{years[0]} à {years[-1]}" if len(years) > 1 else "",
        "duree": f"{time.perf_counter() - t0:.2f}",
    })  # fmt: skip


def _choix(request: HttpRequest) -> tuple[str, int | None, str]:
    """The explorer's level, vintage and mapped indicator (defaults for unknown values)."""
    from mixite.observatoire.indicateurs import CATALOGUE

    niveau = request.GET.get("niveau", "commune")
    niveau = niveau if niveau in NIVEAUX else "commune"
    millesime = request.GET.get("millesime") or ""
    indicateur = request.GET.get("indicateur", "taux_pauvrete")
    indicateur = indicateur if indicateur in {i.code for i in CATALOGUE} else "taux_pauvrete"
    return niveau, int(millesime) if millesime.isdigit() else None, indicateur


@exige("voir_indicateurs")
def indicateurs(request: HttpRequest, v: Lecteur) -> HttpResponse:
    from urllib.parse import urlencode

    from mixite.observatoire.indicateurs import CATALOGUE
    from mixite.plateforme.cartes import CONTOURS

    niveau, millesime_n, indicateur = _choix(request)
    millesime = str(millesime_n) if millesime_n else None
    table, definitions, notes, years = table_indicateurs(
        store(), niveau, millesime_n, communes_visibles(v)
    )
    file = telechargement(request, table, f"indicateurs_{niveau}", notes)
    if file:
        return file
    context = {
        "title": "Indicateurs", "niveau": niveau, "niveaux": NIVEAUX, "millesimes": years,
        "millesime": millesime or (years[-1] if years else ""), "lignes": _rows(table),
        "colonnes": list(table.columns), "definitions": definitions, "notes": notes,
        "indicateurs": [(i.code, i.libelle) for i in CATALOGUE], "indicateur": indicateur,
        "carte": NIVEAUX[niveau] in CONTOURS and len(table) > 0,
        "carte_url": urlencode({"niveau": niveau, "millesime": millesime or "",
                                "indicateur": indicateur}),
        "indicateur_libelle": next(i.libelle for i in CATALOGUE if i.code == indicateur),
    }  # fmt: skip
    fragment = bool(getattr(request, "htmx", False))
    name = "plateforme/_indicateurs_table.html" if fragment else "plateforme/indicateurs.html"
    return render(request, name, context)


@exige("voir_veille")
def veille(request: HttpRequest, v: Lecteur) -> HttpResponse:
    detail = peut(v, "voir_veille_detail")
    table, notes = table_veille(store(), v.code if detail else None)
    file = telechargement(request, table, "veille_des_entrees", notes)
    if file:
        return file
    return render(request, "plateforme/veille.html", {
        "title": "Veille des entrées", "lignes": _rows(table), "colonnes": list(table.columns),
        "notes": notes, "detail": detail,
    })  # fmt: skip


@exige("voir_objectifs")
def objectifs(request: HttpRequest, v: Lecteur) -> HttpResponse:
    charte = request.GET.get("charte", CHARTE_PAR_DEFAUT)
    if charte not in CHARTES:
        charte = CHARTE_PAR_DEFAUT
    bailleur = v.code if v.role == "bailleur" else None
    table, notes = table_objectifs(store(), charte, bailleur)
    file = telechargement(request, table, f"objectifs_{charte}", notes)
    if file:
        return file
    return render(request, "plateforme/objectifs.html", {
        "title": "Objectifs d'attribution", "charte": charte, "lignes": _rows(table),
        "colonnes": list(table.columns), "notes": notes,
    })  # fmt: skip


class Lignes(list[list[str]]):
    """A table's cells as French text; the table body's HTML is kept with them
    (``{% corps %}``, :mod:`mixite.plateforme.templatetags.tableaux`)."""

    def __init__(self) -> None:
        super().__init__()
        #: Per link prefix: the rows' HTML.
        self.corps_html: dict[str, str] = {}


#: Per table (the frame object) and missing-value mark: its cells as French text. The
#: tables kept with the figures are the same objects from one request to the next:
#: their cells are written once (a third of a table page's time on the full twin).
_CELLULES: dict[tuple[int, str], tuple[weakref.ref[pd.DataFrame], Lignes]] = {}


def _rows(frame: pd.DataFrame, vide: str = "s") -> Lignes:
    """Cells as French text (spaces between thousands, decimal comma, « oui »/« non »,
    ``vide`` for a missing value: « s » (secret) in published tables, « — » in household
    lists)."""
    key = (id(frame), vide)
    known = _CELLULES.get(key)
    if known is not None and known[0]() is frame:
        return known[1]
    out = _cellules(frame, vide)
    # Forgotten with the frame (before its id can be another object's).
    _CELLULES[key] = (weakref.ref(frame, lambda _: _CELLULES.pop(key, None)), out)
    return out


def _cellules(frame: pd.DataFrame, vide: str) -> Lignes:
    from mixite.cli.sortie import nombre_fr

    out = Lignes()
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
                cells.append(vide)
            elif isinstance(value, bool | np.bool_):
                cells.append("oui" if value else "non")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(nombre_fr(value))
            else:
                cells.append("" if value is None or value is pd.NA else str(value))
        out.append(cells)
    return out


@exige("voir_tableau")
def carte(request: HttpRequest, v: Lecteur, nom: str) -> HttpResponse:
    """The dashboard's maps (SVG drawn by the server from the store's outlines: no tile
    server): ``fragilite``, ``typologie`` or ``mixite``."""
    from mixite.plateforme import cartes

    maps: dict[str, Callable[[Store], bytes]] = {
        "fragilite": cartes.carte_fragilite, "typologie": cartes.carte_typologie,
        "mixite": cartes.carte_mixite,
    }  # fmt: skip
    draw = maps.get(nom)
    if draw is None:
        return HttpResponse("Carte inconnue.", status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(draw(store()), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=600"
    return response


@exige("voir_indicateurs")
def carte_indicateur(request: HttpRequest, v: Lecteur) -> HttpResponse:
    """The explorer's map of one indicator, level and vintage, in the viewer's scope."""
    from mixite.plateforme.cartes import carte_indicateur as draw

    niveau, millesime, indicateur = _choix(request)
    svg = draw(store(), niveau, millesime, indicateur, communes_visibles(v))
    if svg is None:
        return HttpResponse("Pas de contours pour cette échelle.", status=404,
                            content_type="text/plain; charset=utf-8")  # fmt: skip
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=600"
    return response
