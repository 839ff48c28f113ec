"""The partner API (``/api/v1/``): the platform's published figures and the allocation
forms, for partners' systems, with a token per organisation.

Each endpoint is the page's twin: the same functions of :mod:`mixite.plateforme.donnees`
compute its figures (so the same secrecy), the same predicates of
:mod:`mixite.plateforme.acces` decide who may call it, and the forms go through the
importer the platform and the command line use (validated whole, in the landlord's
scope, audited, written in one transaction). The schema is
:func:`mixite.plateforme.api_schema.schema`; docs/api.md explains it with examples.

Errors are JSON: ``{"code": "…", "erreur": "…"}`` (a stable code for programs, a French
sentence for people), with the validation report of a refused form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from mixite.errors import InvalidDataError, MixiteError, StoreError
from mixite.plateforme import fraicheur
from mixite.plateforme.acces import Lecteur, communes_visibles, peut
from mixite.plateforme.models import Jeton

#: Most forms accepted in one call (a commission's month for a large landlord).
FICHES_MAX = 2000

Vue = Callable[..., HttpResponse]


def reponse(contenu: Any, status: int = 200, **entetes: str) -> HttpResponse:
    """A JSON response (UTF-8, accents kept)."""
    body = json.dumps(contenu, ensure_ascii=False, allow_nan=False, default=str)
    out = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    for name, value in entetes.items():
        out[name.replace("_", "-")] = value
    return out


def erreur(status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    """An error: a stable ``code`` and a French sentence."""
    headers = {}
    if status == 401:
        headers["WWW_Authenticate"] = 'Bearer realm="mixite"'
    if "retry_after" in extra:
        headers["Retry_After"] = str(extra["retry_after"])
    return reponse({"code": code, "erreur": message, **extra}, status, **headers)


def point(
    action: str, methodes: tuple[str, ...] = ("GET",), parametres: tuple[str, ...] = ()
) -> Callable[[Vue], Vue]:
    """An endpoint: the method, the token, its rate limit, ``action``'s predicate, then
    the query's parameters (an unknown one is refused: a misspelt ``millesim`` must not
    silently give the latest vintage); mixite's own errors as JSON. The view receives
    the viewer and its token."""

    def wrap(view: Vue) -> Vue:
        @csrf_exempt
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            from mixite.io.store import en_tant_que
            from mixite.plateforme.jetons import authentifier, debit

            if request.method not in methodes:
                out = erreur(405, "methode_non_permise",
                             f"Méthode {request.method} non permise ; permises : {', '.join(methodes)}.")  # fmt: skip
                out["Allow"] = ", ".join(methodes)
                return out
            found = authentifier(request.headers.get("Authorization", ""))
            if found is None:
                return erreur(401, "jeton_invalide", "Jeton absent, inconnu ou révoqué : "
                              "envoyez l'en-tête « Authorization: Bearer <jeton> ».")  # fmt: skip
            jeton, v = found
            wait = debit(jeton)
            if wait is not None:
                return erreur(429, "trop_de_requetes", f"Trop de requêtes pour ce jeton : "
                              f"réessayez dans {wait} s.", retry_after=wait)  # fmt: skip
            if not peut(v, action):
                return erreur(403, "acces_refuse",
                              "Votre organisation ne peut pas utiliser ce point d'accès.")  # fmt: skip
            unknown = sorted(set(request.GET) - set(parametres))
            if unknown:
                return erreur(400, "parametre_inconnu", f"Paramètre inconnu : {unknown[0]} ; "
                              f"paramètres : {', '.join(parametres) or 'aucun'}.",
                              parametre=unknown[0], permis=list(parametres))  # fmt: skip
            fresh = fraicheur.depuis(fraicheur.jeton_exige(jeton.pk))
            try:
                with en_tant_que(f"{v.compte} ({v.perimetre})"), fresh:
                    return view(request, v, jeton, *args, **kwargs)
            except StoreError as e:
                return erreur(503, "base_indisponible", f"La base ne peut pas être lue pour "
                              f"l'instant ({e}). Réessayez dans un instant.")  # fmt: skip
            except InvalidDataError as e:
                return _refus(e)
            except MixiteError as e:
                return erreur(422, "demande_impossible", str(e))

        return inner

    return wrap


def _refus(e: InvalidDataError) -> HttpResponse:
    noun = "problème" if e.total == 1 else "problèmes"
    return erreur(422, "donnees_invalides", f"{e.total} {noun} : rien n'a été écrit.",
                  total=e.total, problemes=[{"ligne": p.row, "colonne": p.column,
                                              "valeur": p.value, "regle": p.rule}
                                             for p in e.problems])  # fmt: skip


def _lignes(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON objects: a hidden (secret) or missing value is ``null``."""
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))  # type: ignore[no-any-return]


def _choix(request: HttpRequest, nom: str, permis: list[str], defaut: str) -> str:
    value = request.GET.get(nom, defaut)
    if value not in permis:
        raise _ParametreError(nom, value, permis)
    return value


class _ParametreError(Exception):
    def __init__(self, nom: str, valeur: str, permis: list[str]) -> None:
        super().__init__(nom)
        self.reponse = erreur(400, "parametre_invalide",
                              f"Valeur « {valeur} » non permise pour « {nom} » ; valeurs : "
                              f"{', '.join(permis)}.", parametre=nom, permis=permis)  # fmt: skip


def _parametres(view: Vue) -> Vue:
    @wraps(view)
    def inner(*args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except _ParametreError as e:
            return e.reponse

    return inner


def _store() -> Any:
    from mixite.plateforme.vues import store

    return store()


@point("voir_tableau")
def racine(request: HttpRequest, v: Lecteur, jeton: Jeton) -> HttpResponse:
    """Who the token acts for, and the endpoints it may call."""
    from mixite.plateforme.api_schema import POINTS

    return reponse({
        "version": "v1", "organisation": v.organisation, "role": v.role, "code": v.code,
        "jeton": jeton.prefixe, "schema": "/api/v1/openapi.json",
        "points": [f"{m} /api/v1/{p}" for p, m, action in POINTS if peut(v, action)],
    })  # fmt: skip


@point("voir_indicateurs", parametres=("niveau", "millesime"))
@_parametres
def indicateurs(request: HttpRequest, v: Lecteur, jeton: Jeton) -> HttpResponse:
    from mixite.core.secret import THRESHOLD
    from mixite.observatoire.indicateurs import CATALOGUE
    from mixite.plateforme.donnees import NIVEAUX, indicateurs_bruts, millesimes

    niveau = _choix(request, "niveau", list(NIVEAUX), "commune")
    years = [str(y) for y in millesimes(_store())]
    millesime = _choix(request, "millesime", years, years[-1] if years else "")
    table, notes, _, shown = indicateurs_bruts(
        _store(), niveau, int(millesime), communes_visibles(v)
    )
    table = table.rename(columns={NIVEAUX[niveau]: "code"})
    return reponse({
        "niveau": niveau, "millesime": shown, "millesimes": [int(y) for y in years],
        "seuil_secret": THRESHOLD, "notes": notes,
        "indicateurs": [{"code": i.code, "libelle": i.libelle, "unite": i.unite,
                         "definition": i.definition} for i in CATALOGUE],
        "zones": _lignes(table),
    })  # fmt: skip


@point("voir_veille")
def veille(request: HttpRequest, v: Lecteur, jeton: Jeton) -> HttpResponse:
    """A landlord's entrances one by one; the others, the count by status."""
    from mixite.core.acces import Perimetre
    from mixite.observatoire.veille import watch
    from mixite.plateforme.donnees import veille as data

    detail = peut(v, "voir_veille_detail")
    w = data(_store(), v.code if detail else None)
    out: dict[str, Any] = {
        "millesime": w.millesime, "calibrage": w.calibrage,
        "variables": [{"code": x.code, "libelle": x.libelle, "seuil": x.seuil, "marge": x.marge}
                      for x in w.variables],
    }  # fmt: skip
    if detail:
        mine = w.entrees[w.entrees["code_bailleur"] == v.code].reset_index()
        keep = ["id_entree", "statut", "motifs", "menages",
                *(x.code for x in w.variables), "depassements", "dans_la_marge"]  # fmt: skip
        out["entrees"] = _lignes(mine[keep])
    else:
        counts = watch(w.entrees, Perimetre("epci", "public"))
        out["statuts"] = _lignes(counts)
    return reponse(out)


@point("voir_objectifs", parametres=("charte",))
@_parametres
def objectifs(request: HttpRequest, v: Lecteur, jeton: Jeton) -> HttpResponse:
    from mixite.plateforme.donnees import CHARTE_PAR_DEFAUT, CHARTES, suivi_objectifs

    charte = _choix(request, "charte", CHARTES, CHARTE_PAR_DEFAUT)
    suivi, notes = suivi_objectifs(_store(), charte)
    return reponse({"charte": charte, "notes": notes, "objectifs": _lignes(suivi.published)})


@point("voir_rapports")
def rapports(request: HttpRequest, v: Lecteur, jeton: Jeton) -> HttpResponse:
    from mixite.plateforme import rapports as r

    files, building = r.liste(v)
    return reponse({
        "rapports": [{"nom": f.nom, "niveau": f.niveau, "code": f.code,
                      "date": f.date.isoformat(), "format": f.format, "octets": f.octets,
                      "adresse": f"/api/v1/rapports/{f.nom}"} for f in files],
        "en_preparation": building,
    })  # fmt: skip


@point("voir_rapports")
def rapport(request: HttpRequest, v: Lecteur, jeton: Jeton, nom: str) -> HttpResponse:
    from mixite.plateforme import rapports as r

    path = r.chemin(v, nom)
    if path is None:
        return erreur(404, "rapport_inconnu", f"Aucun rapport « {nom} » dans votre périmètre.")
    return r.telecharger(path)


@point("importer", ("POST",))
def attributions(request: HttpRequest, v: Lecteur, jeton: Jeton) -> HttpResponse:
    """Record allocation forms: ``{"fiches": [{colonne: valeur, …}, …]}``. All are
    validated (and, for a landlord, checked to be its own dwellings) before any is
    written; one refused form refuses the call."""
    from mixite.io.importers import import_rows
    from mixite.plateforme.donnees import rechauffer, versions
    from mixite.plateforme.imports import perimetre_bailleur

    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return erreur(400, "json_illisible", "Corps illisible : un objet JSON en UTF-8 est "
                      "attendu, {\"fiches\": [{…}, …]}.")  # fmt: skip
    fiches = body.get("fiches") if isinstance(body, dict) else None
    if not isinstance(fiches, list) or not fiches or not all(isinstance(f, dict) for f in fiches):
        return erreur(400, "fiches_attendues", "Le corps doit être {\"fiches\": [{…}, …]} : "
                      "une liste non vide d'objets, une fiche par objet.")  # fmt: skip
    if len(fiches) > FICHES_MAX:
        return erreur(400, "trop_de_fiches", f"{len(fiches)} fiches : au plus {FICHES_MAX} "
                      "par appel ; envoyez-les en plusieurs fois.")  # fmt: skip
    raw = _table_de_fiches(fiches, f"api:{jeton.prefixe}")
    if isinstance(raw, HttpResponse):
        return raw
    store = _store()
    scope = perimetre_bailleur(v.code, store) if v.role == "bailleur" else None
    result = import_rows("attributions", raw, store, scope=scope)
    fraicheur.jeton_apres_ecriture(jeton.pk, versions(store, fraicheur.ATTRIBUTIONS))
    rechauffer(store)
    ids = [str(f.get("id_attribution")) for f in fiches]
    return reponse({"enregistrees": result.rows, "ids": ids, "notes": list(result.notices)}, 201)


def _table_de_fiches(fiches: list[dict[str, Any]], source: str) -> Any:
    """The forms as the importers read files: every cell as text (``null`` or absent:
    empty), numbered from 1 in the order sent."""
    import numpy as np

    from mixite.core.validation import Problem
    from mixite.io.readers import RawTable

    columns: list[str] = []
    for f in fiches:
        columns += [c for c in f if c not in columns]
    problems = []
    cells: dict[str, list[str | None]] = {c: [] for c in columns}
    for i, f in enumerate(fiches, start=1):
        for c in columns:
            value = f.get(c)
            if isinstance(value, dict | list):
                problems.append(Problem(i, c, json.dumps(value, ensure_ascii=False)[:80],
                                        "valeur simple attendue (texte, nombre, booléen ou null)",
                                        source))  # fmt: skip
                value = None
            if value is None or value == "":
                cells[c].append(None)
            elif isinstance(value, bool):
                cells[c].append("vrai" if value else "faux")
            else:
                cells[c].append(str(value))
    if problems:
        return _refus(InvalidDataError(problems[:50], total=len(problems), source=source))
    frame = pd.DataFrame(cells, dtype=object)
    return RawTable(frame, np.arange(1, len(fiches) + 1, dtype=np.int64), "fiche", source)


def schema_openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI description (public: it holds no data)."""
    from mixite.plateforme.api_schema import schema

    return reponse(schema())


def introuvable(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Unknown addresses under ``/api/`` answer in JSON; elsewhere, Django's page."""
    if request.path.startswith("/api/"):
        return erreur(404, "adresse_inconnue", f"Adresse inconnue : {request.path} ; voir "
                      "/api/v1/openapi.json.")  # fmt: skip
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Exception("introuvable"))
