"""The partner API's OpenAPI 3.0 description, built from the same descriptions as the
store: an allocation form's fields, types, bounds and choices are those of
:data:`mixite.core.model.ATTRIBUTIONS`, the indicators those of the observatory's
catalogue."""

from __future__ import annotations

from typing import Any

from mixite import __version__

#: (path under /api/v1/, method, predicate of :mod:`mixite.plateforme.acces`).
POINTS = (
    ("", "GET", "voir_tableau"),
    ("indicateurs", "GET", "voir_indicateurs"),
    ("veille", "GET", "voir_veille"),
    ("objectifs", "GET", "voir_objectifs"),
    ("rapports", "GET", "voir_rapports"),
    ("rapports/{nom}", "GET", "voir_rapports"),
    ("attributions", "POST", "importer"),
)

_TYPES: dict[str, dict[str, Any]] = {
    "text": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "money": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
}


def fiche() -> dict[str, Any]:
    """An allocation form, field by field, from the data model."""
    from mixite.core import model

    props: dict[str, Any] = {}
    required = []
    for c in model.ATTRIBUTIONS.columns:
        p = dict(_TYPES[c.kind])
        p["description"] = f"{c.description} ({c.rule_text()})"
        if c.choices:
            p["enum"] = list(c.choices)
        if c.minimum is not None:
            p["minimum"] = c.minimum
        if c.maximum is not None:
            p["maximum"] = c.maximum
        if c.required:
            required.append(c.name)
        else:
            p["nullable"] = True
        props[c.name] = p
    return {"type": "object", "properties": props, "required": required,
            "additionalProperties": False}  # fmt: skip


def _erreur(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}}}  # fmt: skip


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_NOMBRE = {"type": "number", "nullable": True}
_LIGNES = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
_COMMUNES = {
    "401": _erreur("jeton absent, inconnu ou révoqué"),
    "403": _erreur("l'organisation du jeton ne peut pas utiliser ce point d'accès"),
    "429": _erreur("trop de requêtes pour ce jeton (en-tête Retry-After)"),
    "503": _erreur("base momentanément indisponible ; réessayer"),
}
_400 = {"400": _erreur("paramètre inconnu ou valeur non permise (les permis sont dans la réponse)")}


def _get(summary: str, ok: dict[str, Any], *, params: list[dict[str, Any]] | None = None,
         extra: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    return {"get": {
        "summary": summary, "parameters": params or [], "security": [{"jeton": []}],
        "responses": {"200": ok, **_400, **_COMMUNES, **(extra or {})},
    }}  # fmt: skip


def schema() -> dict[str, Any]:
    """The whole OpenAPI document."""
    from mixite.observatoire.indicateurs import CATALOGUE
    from mixite.plateforme.api import FICHES_MAX
    from mixite.plateforme.donnees import CHARTE_PAR_DEFAUT, CHARTES, NIVEAUX

    zone = {"type": "object", "required": ["code"], "properties": {
        "code": {"type": "string"}, "nom": {"type": "string"},
        "menages": _NOMBRE, "personnes": _NOMBRE,
        **{i.code: {**_NOMBRE, "description": f"{i.libelle} ({i.unite}) ; null : secret"}
           for i in CATALOGUE},
    }}  # fmt: skip
    refus = {
        "description": "fiches refusées : rien n'a été écrit ; le rapport donne fiche, champ, "
        "valeur et règle",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Refus"}}},
    }
    paths: dict[str, Any] = {
        "/api/v1/": _get("Organisation du jeton et points d'accès permis", _ok("organisation", {
            "type": "object", "required": ["organisation", "role", "code", "points"],
            "properties": {"version": {"type": "string"}, "organisation": {"type": "string"},
                           "role": {"type": "string"}, "code": {"type": "string"},
                           "jeton": {"type": "string"}, "schema": {"type": "string"},
                           "points": {"type": "array", "items": {"type": "string"}}}})),
        "/api/v1/indicateurs": _get(
            "Indicateurs publiés (secret statistique appliqué) d'une échelle et d'un millésime",
            _ok("indicateurs des zones du périmètre", {
                "type": "object", "required": ["niveau", "millesime", "seuil_secret", "zones"],
                "properties": {"niveau": {"type": "string", "enum": list(NIVEAUX)},
                               "millesime": {"type": "integer"},
                               "millesimes": {"type": "array", "items": {"type": "integer"}},
                               "seuil_secret": {"type": "integer"},
                               "notes": {"type": "array", "items": {"type": "string"}},
                               "indicateurs": _LIGNES,
                               "zones": {"type": "array", "items": zone}}}),
            params=[
                {"name": "niveau", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": list(NIVEAUX), "default": "commune"}},
                {"name": "millesime", "in": "query", "required": False,
                 "description": "défaut : le dernier de la base",
                 "schema": {"type": "integer"}},
            ]),
        "/api/v1/veille": _get(
            "Veille des entrées : celles du bailleur une à une, sinon le nombre par statut",
            _ok("veille", {"type": "object", "required": ["millesime", "variables"],
                           "properties": {"millesime": {"type": "integer"},
                                          "calibrage": {"type": "string"},
                                          "variables": _LIGNES, "entrees": _LIGNES,
                                          "statuts": _LIGNES}})),
        "/api/v1/objectifs": _get(
            "Suivi des objectifs d'attribution d'une charte (tableau publié)",
            _ok("suivi", {"type": "object", "required": ["charte", "objectifs"],
                          "properties": {"charte": {"type": "string"},
                                         "notes": {"type": "array", "items": {"type": "string"}},
                                         "objectifs": _LIGNES}}),
            params=[{"name": "charte", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": CHARTES, "default": CHARTE_PAR_DEFAUT}}],
        ),
        "/api/v1/rapports": _get(
            "Rapports « état du peuplement » terminés que l'organisation peut lire",
            _ok("rapports", {"type": "object", "required": ["rapports", "en_preparation"],
                             "properties": {"rapports": _LIGNES, "en_preparation": {
                                 "type": "array", "items": {"type": "string"}}}})),
        "/api/v1/rapports/{nom}": _get(
            "Un rapport (PDF ou HTML)",
            {"description": "le fichier", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/html": {"schema": {"type": "string"}}}},
            params=[{"name": "nom", "in": "path", "required": True, "schema": {"type": "string"}}],
            extra={"404": _erreur("rapport inconnu ou hors du périmètre")}),
        "/api/v1/attributions": {"post": {
            "summary": "Enregistrer des fiches attribution (toutes validées avant d'en écrire une)",
            "security": [{"jeton": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["fiches"], "properties": {"fiches": {
                    "type": "array", "minItems": 1, "maxItems": FICHES_MAX,
                    "items": {"$ref": "#/components/schemas/Fiche"}}}}}}},
            "responses": {
                "201": _ok("fiches enregistrées", {
                    "type": "object", "required": ["enregistrees", "ids"],
                    "properties": {"enregistrees": {"type": "integer"},
                                   "ids": {"type": "array", "items": {"type": "string"}},
                                   "notes": {"type": "array", "items": {"type": "string"}}}}),
                "400": _erreur("corps illisible ou sans fiches"),
                "422": refus, **_COMMUNES,
            },
        }},
        "/api/v1/openapi.json": {"get": {
            "summary": "Cette description (sans jeton)", "security": [],
            "responses": {"200": _ok("description OpenAPI", {"type": "object"})},
        }},
    }  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "mixite — API des partenaires", "version": __version__,
            "description": "Les chiffres publiés de la plateforme (secret statistique : aucune "
            "valeur ne décrit moins de 11 ménages, ni directement ni par différence ; valeur "
            "masquée : null) et l'enregistrement des fiches attribution, avec un jeton par "
            "organisation et le périmètre de celle-ci. Voir docs/api.md.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"jeton": {"type": "http", "scheme": "bearer",
                                          "description": "jeton créé par « mixite jeton-api creer »"}},
            "schemas": {
                "Erreur": {"type": "object", "required": ["code", "erreur"], "properties": {
                    "code": {"type": "string"}, "erreur": {"type": "string"}}},
                "Refus": {"type": "object", "required": ["code", "erreur", "problemes"],
                          "properties": {"code": {"type": "string"}, "erreur": {"type": "string"},
                                         "total": {"type": "integer"},
                                         "problemes": {"type": "array", "items": {
                                             "type": "object", "properties": {
                                                 "ligne": {"type": "integer"},
                                                 "colonne": {"type": "string"},
                                                 "valeur": {"type": "string"},
                                                 "regle": {"type": "string"}}}}}},
                "Fiche": fiche(),
            },
        },
    }  # fmt: skip
