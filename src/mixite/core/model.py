"""The data model of mixite: one :class:`~mixite.core.schema.Table` per entity.

Territories (EPCI, MEL territories, communes, IRIS, 200 m cells, QPV) come from
official files or from the twin; the social stock (bailleurs → bâtiments → entrées →
logements) follows RPLS; occupant households follow the occupancy survey (OPS);
applications follow the SNE; allocations are the "fiche attribution"; relocations
follow the GIP LMRU dashboard. ``docs/modele.md`` is generated from this module.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.projections import hors_etendue
from mixite.core.schema import Column, RowRule, Table

SYNTHETIQUE = Column(
    "synthetique",
    "boolean",
    "vrai si la ligne vient du jumeau synthétique et ne décrit aucun ménage réel",
    required=False,
)

FINANCEMENTS = ("PLAI", "PLUS", "PLS", "PLI", "autre")
STATUTS_OCCUPATION = ("locataire_social", "locataire_prive", "proprietaire", "loge_gratuit")
TYPES_MENAGE = (
    "personne_seule",
    "couple_sans_enfant",
    "couple_avec_enfants",
    "monoparental",
    "autre",
)
CONTINGENTS = ("prefecture", "action_logement", "collectivite", "bailleur", "autre")
DECISIONS_CAL = (
    "attribution",
    "attribution_rang",
    "attribution_sous_condition",
    "non_attribution",
    "irrecevabilite",
)
SUITES = ("bail_signe", "refus_demandeur", "en_attente")
SITUATIONS = (
    "locataire_hlm",
    "locataire_prive",
    "proprietaire",
    "heberge_tiers",
    "structure",
    "sans_abri",
    "autre",
)


def _lt(a: str, b: str) -> RowRule:
    def failing(f: pd.DataFrame) -> npt.NDArray[np.bool_]:
        return np.asarray(f[a].to_numpy(dtype=float) > f[b].to_numpy(dtype=float), dtype=bool)

    return RowRule(f"« {a} » ne peut dépasser « {b} »", (a, b), failing)


def _composition_rule() -> RowRule:
    def failing(f: pd.DataFrame) -> npt.NDArray[np.bool_]:
        total = f["nb_adultes"].to_numpy(dtype=float) + f["nb_enfants"].to_numpy(dtype=float)
        return np.asarray(total != f["nb_personnes"].to_numpy(dtype=float), dtype=bool)

    return RowRule(
        "nb_adultes + nb_enfants doit être égal à nb_personnes",
        ("nb_personnes", "nb_adultes", "nb_enfants"),
        failing,
    )


def oecd_consumption_units(
    nb_personnes: npt.ArrayLike, nb_moins_14: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Consumption units on the modified OECD scale used by INSEE.

    Notes
    -----
    UC = 1 + 0.5 x (persons aged 14 or more, other than the first) + 0.3 x (children
    under 14). INSEE, « Unité de consommation », définition.

    Examples
    --------
    >>> oecd_consumption_units([1, 4, 2], [0, 2, 1]).tolist()
    [1.0, 2.1, 1.3]
    """
    n = np.asarray(nb_personnes, dtype=float)
    k = np.asarray(nb_moins_14, dtype=float)
    return np.asarray(np.round(1.0 + 0.5 * (n - 1.0 - k) + 0.3 * k, 10), dtype=np.float64)


def _uc_rule() -> RowRule:
    def failing(f: pd.DataFrame) -> npt.NDArray[np.bool_]:
        expected = oecd_consumption_units(
            f["nb_personnes"].to_numpy(dtype=float), f["nb_moins_14"].to_numpy(dtype=float)
        )
        return np.asarray(
            np.abs(f["unites_consommation"].to_numpy(dtype=float) - expected) > 0.005, dtype=bool
        )

    return RowRule(
        "unites_consommation doit suivre l'échelle OCDE modifiée : "
        "1 + 0,5 par personne de 14 ans ou plus au-delà de la première + 0,3 par enfant de moins de 14 ans",
        ("unites_consommation", "nb_personnes", "nb_moins_14"),
        failing,
    )


def parse_ages(text: pd.Series) -> list[list[int] | None]:
    """``"3;7;15"`` → ``[3, 7, 15]``; an empty cell → ``None``; a malformed one → ``[-1]``.

    Examples
    --------
    >>> parse_ages(pd.Series(["3;7", "", None, "x"]))
    [[3, 7], None, None, [-1]]
    """
    out: list[list[int] | None] = []
    for v in text.astype("string").fillna("").tolist():
        parts = [p.strip() for p in str(v).split(";") if p.strip()]
        if not parts:
            out.append(None)
        elif all(p.isdigit() for p in parts):
            out.append([int(p) for p in parts])
        else:
            out.append([-1])
    return out


def _ages_rule() -> RowRule:
    def failing(f: pd.DataFrame) -> npt.NDArray[np.bool_]:
        ages = parse_ages(f["ages_enfants"])
        kids = f["nb_enfants"].to_numpy(dtype=float)
        under14 = f["nb_moins_14"].to_numpy(dtype=float)
        bad = np.zeros(len(f), dtype=bool)
        for i, a in enumerate(ages):
            if a is not None:
                bad[i] = (
                    len(a) != kids[i]
                    or any(x < 0 or x > 17 for x in a)
                    or sum(x < 14 for x in a) != under14[i]
                )
        return bad

    return RowRule(
        "ages_enfants : un âge de 0 à 17 ans par enfant (nb_enfants), dont nb_moins_14 de "
        "moins de 14 ans",
        ("ages_enfants", "nb_enfants", "nb_moins_14"),
        failing,
    )


def _composition_columns() -> tuple[Column, ...]:
    return (
        Column(
            "nb_personnes", "integer", "personnes du ménage", "personnes", minimum=1, maximum=20
        ),
        Column(
            "nb_adultes",
            "integer",
            "personnes de 18 ans ou plus",
            "personnes",
            minimum=1,
            maximum=20,
        ),
        Column(
            "nb_enfants",
            "integer",
            "personnes de moins de 18 ans",
            "personnes",
            minimum=0,
            maximum=19,
        ),
        Column(
            "nb_moins_14",
            "integer",
            "enfants de moins de 14 ans (échelle OCDE)",
            "personnes",
            minimum=0,
            maximum=19,
        ),
        Column(
            "unites_consommation",
            "decimal",
            "unités de consommation (échelle OCDE modifiée)",
            "UC",
            minimum=1,
            maximum=15,
        ),
        Column(
            "nb_actifs_occupes",
            "integer",
            "membres ayant un emploi",
            "personnes",
            minimum=0,
            maximum=20,
        ),
        Column(
            "ressources_annuelles",
            "money",
            "ressources annuelles du ménage (revenu fiscal de référence N-2 pour les plafonds)",
            "€ / an",
            minimum=0,
        ),
    )


def _composition_rules() -> tuple[RowRule, ...]:
    return (
        _composition_rule(),
        _lt("nb_moins_14", "nb_enfants"),
        _lt("nb_actifs_occupes", "nb_personnes"),
        _uc_rule(),
    )


EPCI = Table(
    "epci",
    "EPCI",
    "Établissements publics de coopération intercommunale.",
    (
        Column("code_epci", "text", "numéro SIREN de l'EPCI", code="siren"),
        Column("nom", "text", "nom de l'EPCI"),
        SYNTHETIQUE,
    ),
    key=("code_epci",),
)

TERRITOIRES = Table(
    "territoires",
    "Territoires de l'EPCI",
    "Découpage infra-intercommunal (les 8 territoires de la MEL).",
    (
        Column("code_territoire", "text", "code du territoire dans l'EPCI"),
        Column("nom", "text", "nom du territoire"),
        Column(
            "code_epci",
            "text",
            "EPCI du territoire",
            code="siren",
            references=("epci", "code_epci"),
        ),
        SYNTHETIQUE,
    ),
    key=("code_territoire",),
)

COMMUNES = Table(
    "communes",
    "Communes",
    "Communes (COG) avec leur contour ; EPCI et territoire quand ils sont connus.",
    (
        Column("code_commune", "text", "code commune INSEE", code="commune"),
        Column("nom", "text", "nom de la commune"),
        Column("code_epci", "text", "EPCI d'appartenance", code="siren", required=False),
        Column("code_territoire", "text", "territoire de l'EPCI", required=False),
        Column("geometrie", "geometry", "contour (WKB, EPSG:4326)", required=False),
        SYNTHETIQUE,
    ),
    key=("code_commune",),
)

IRIS = Table(
    "iris",
    "IRIS",
    "Îlots regroupés pour l'information statistique (contours synthétiques dans le jumeau).",
    (
        Column("code_iris", "text", "code IRIS", code="iris"),
        Column("code_commune", "text", "commune de l'IRIS", code="commune"),
        Column("nom", "text", "nom de l'IRIS", required=False),
        Column(
            "type_iris",
            "text",
            "type INSEE (H habitat, A activité, D divers, Z commune non découpée)",
            choices=("H", "A", "D", "Z"),
            required=False,
        ),
        Column("geometrie", "geometry", "contour (WKB, EPSG:4326)", required=False),
        SYNTHETIQUE,
    ),
    key=("code_iris",),
)

QPV = Table(
    "qpv",
    "Quartiers prioritaires (QPV)",
    "Quartiers prioritaires de la politique de la ville ; un QPV chevauche un ou plusieurs IRIS.",
    (
        Column("code_qpv", "text", "code du QPV", code="qpv"),
        Column("nom", "text", "nom du QPV"),
        Column("code_commune", "text", "commune principale du QPV", code="commune", required=False),
        Column("nom_commune", "text", "nom de la commune", required=False),
        Column("geometrie", "geometry", "périmètre (WKB, EPSG:4326)", required=False),
        SYNTHETIQUE,
    ),
    key=("code_qpv",),
)

CARREAUX = Table(
    "carreaux",
    "Carreaux de 200 m",
    "Carreaux de la grille INSEE ; un carreau peut chevaucher plusieurs communes (lcog_geo).",
    (
        Column("idcar_200m", "text", "identifiant INSEE du carreau", code="carreau"),
        Column("x", "decimal", "abscisse du coin sud-ouest (EPSG:3035)", "m"),
        Column("y", "decimal", "ordonnée du coin sud-ouest (EPSG:3035)", "m"),
        Column("lcog_geo", "text", "communes intersectées", code="communes"),
        SYNTHETIQUE,
    ),
    key=("idcar_200m",),
)

BAILLEURS = Table(
    "bailleurs",
    "Bailleurs sociaux",
    "Organismes propriétaires du parc social (RPLS).",
    (
        Column("code_bailleur", "text", "code court du bailleur"),
        Column("siren", "text", "numéro SIREN", code="siren", required=False),
        Column("nom", "text", "raison sociale"),
        Column(
            "type_bailleur", "text", "famille d'organisme", choices=("OPH", "ESH", "SEM", "autre")
        ),
        SYNTHETIQUE,
    ),
    key=("code_bailleur",),
)

BATIMENTS = Table(
    "batiments",
    "Bâtiments",
    "Bâtiments du parc social (RPLS : programme / immeuble).",
    (
        Column("id_batiment", "text", "identifiant du bâtiment"),
        Column(
            "code_bailleur",
            "text",
            "bailleur propriétaire",
            references=("bailleurs", "code_bailleur"),
        ),
        Column("code_commune", "text", "commune", code="commune"),
        Column("code_iris", "text", "IRIS", code="iris", required=False),
        Column(
            "code_qpv",
            "text",
            "QPV où se trouve le bâtiment (vide : hors QPV)",
            code="qpv",
            required=False,
        ),
        Column(
            "x",
            "decimal",
            "abscisse (Lambert-93, EPSG:2154 ; outre-mer : UTM légal du département)",
            "m",
            minimum=0,
            maximum=1_300_000,
            required=False,
        ),
        Column(
            "y",
            "decimal",
            "ordonnée (même système que x ; vide si le bâtiment n'est pas géocodé)",
            "m",
            minimum=0,
            maximum=10_000_000,
            required=False,
        ),
        Column("individuel", "boolean", "maison individuelle (vrai) ou immeuble collectif (faux)"),
        Column(
            "annee_mise_en_service",
            "integer",
            "année de première mise en service",
            "année",
            minimum=1800,
            maximum=2100,
        ),
        SYNTHETIQUE,
    ),
    key=("id_batiment",),
    rules=(
        RowRule(
            "coordonnées hors du département : x et y doivent être en Lambert-93 (EPSG:2154) "
            "en métropole, dans l'UTM légal outre-mer (EPSG:5490, 2972, 2975, 4471) ; "
            "--projection EPSG convertit un fichier dans un autre système",
            ("x", "y"),
            lambda f: hors_etendue(f["x"], f["y"], f["code_commune"]),
        ),
    ),
)

ENTREES = Table(
    "entrees",
    "Entrées d'immeuble",
    "Cages d'escalier / entrées, échelle de veille des bailleurs.",
    (
        Column("id_entree", "text", "identifiant de l'entrée"),
        Column("id_batiment", "text", "bâtiment", references=("batiments", "id_batiment")),
        Column("adresse", "text", "adresse de l'entrée", required=False),
        SYNTHETIQUE,
    ),
    key=("id_entree",),
)

LOGEMENTS = Table(
    "logements",
    "Logements sociaux",
    "Logements du parc social (RPLS).",
    (
        Column("id_logement", "text", "identifiant du logement"),
        Column("id_entree", "text", "entrée", references=("entrees", "id_entree")),
        Column("financement", "text", "financement d'origine", choices=FINANCEMENTS),
        Column("nb_pieces", "integer", "pièces principales", "pièces", minimum=1, maximum=12),
        Column("surface", "decimal", "surface habitable", "m²", minimum=9, maximum=400),
        Column(
            "loyer_mensuel",
            "money",
            "loyer principal hors charges (vide : sans objet, RPLS 9999)",
            "€ / mois",
            minimum=0,
            required=False,
        ),
        Column(
            "charges_mensuelles",
            "money",
            "provision pour charges",
            "€ / mois",
            minimum=0,
            required=False,
        ),
        Column("vacant", "boolean", "logement vacant à la date de l'extraction"),
        Column(
            "etage",
            "integer",
            "étage (0 : rez-de-chaussée)",
            "étage",
            minimum=-2,
            maximum=60,
            required=False,
        ),
        Column("ascenseur", "boolean", "immeuble desservi par un ascenseur", required=False),
        Column(
            "contingent",
            "text",
            "contingent réservataire du logement",
            choices=CONTINGENTS,
            required=False,
        ),
        SYNTHETIQUE,
    ),
    key=("id_logement",),
)

MENAGES = Table(
    "menages",
    "Ménages occupants",
    "Ménages (enquête d'occupation du parc social OPS ; tous statuts dans le jumeau).",
    (
        Column("id_menage", "text", "identifiant du ménage"),
        Column("millesime", "integer", "année de l'enquête", "année", minimum=1990, maximum=2100),
        Column("code_commune", "text", "commune de résidence", code="commune"),
        Column("code_iris", "text", "IRIS de résidence", code="iris", required=False),
        Column("idcar_200m", "text", "carreau de 200 m", code="carreau", required=False),
        Column("statut_occupation", "text", "statut d'occupation", choices=STATUTS_OCCUPATION),
        Column(
            "id_logement",
            "text",
            "logement social occupé",
            references=("logements", "id_logement"),
            required=False,
        ),
        Column(
            "type_menage",
            "text",
            "type de ménage (nomenclature du recensement)",
            choices=TYPES_MENAGE,
        ),
        Column(
            "age_reference",
            "integer",
            "âge de la personne de référence",
            "ans",
            minimum=15,
            maximum=120,
        ),
        *_composition_columns(),
        Column(
            "apl_annuelle",
            "money",
            "aide personnelle au logement perçue",
            "€ / an",
            minimum=0,
            required=False,
        ),
        SYNTHETIQUE,
    ),
    key=("id_menage",),
    rules=(
        *_composition_rules(),
        RowRule(
            "un locataire du parc social doit avoir un id_logement",
            ("statut_occupation",),
            lambda f: np.asarray(
                (f["statut_occupation"] == "locataire_social").to_numpy(dtype=bool)
                & f["id_logement"].isna().to_numpy(dtype=bool),
                dtype=bool,
            ),
        ),
    ),
)

DEMANDES = Table(
    "demandes",
    "Demandes de logement social",
    "Demandes (export SNE) avec les faits nécessaires aux critères DALO et de priorité.",
    (
        Column("id_demande", "text", "numéro unique de la demande"),
        Column("date_depot", "date", "date de dépôt"),
        Column("code_commune_residence", "text", "commune de résidence actuelle", code="commune"),
        Column(
            "communes_souhaitees",
            "text",
            "communes souhaitées",
            code="commune",
            list_separator=";",
            required=False,
        ),
        Column(
            "nb_pieces_souhaite",
            "integer",
            "nombre de pièces souhaité",
            "pièces",
            minimum=1,
            maximum=12,
            required=False,
        ),
        Column("age_demandeur", "integer", "âge du demandeur", "ans", minimum=16, maximum=120),
        *_composition_columns(),
        Column("locataire_hlm", "boolean", "déjà locataire du parc social (mutation)"),
        Column("sans_logement", "boolean", "sans domicile (DALO-1)"),
        Column("menace_expulsion", "boolean", "menacé d'expulsion sans relogement (DALO-2)"),
        Column(
            "heberge_structure",
            "boolean",
            "hébergé en structure ou logement de transition (DALO-3)",
        ),
        Column(
            "logement_insalubre",
            "boolean",
            "logé dans des locaux impropres, insalubres ou dangereux (DALO-4)",
        ),
        Column("logement_indecent", "boolean", "logement sans les équipements exigés (DALO-5)"),
        Column(
            "surface_actuelle",
            "decimal",
            "surface du logement actuel (suroccupation, DALO-6)",
            "m²",
            minimum=0,
            required=False,
        ),
        Column("handicap", "boolean", "personne handicapée dans le ménage"),
        Column(
            "logement_inadapte_handicap",
            "boolean",
            "logement inadapté au handicap (critère 3DS, ACI)",
        ),
        Column(
            "violences_familiales",
            "boolean",
            "victime de violences au sein du couple ou de la famille",
        ),
        Column(
            "jeune_insertion",
            "boolean",
            "jeune en parcours d'insertion professionnelle (critère local ACI)",
        ),
        Column(
            "refus_offre_adaptee",
            "integer",
            "refus d'offres adaptées",
            "offres",
            minimum=0,
            maximum=20,
        ),
        Column("statut", "text", "état de la demande", choices=("active", "attribuee", "radiee")),
        Column("date_sortie", "date", "date d'attribution ou de radiation", required=False),
        Column("date_renouvellement", "date", "date du dernier renouvellement", required=False),
        Column("monoparental", "boolean", "adulte seul avec enfant(s) à charge", required=False),
        Column(
            "ages_enfants",
            "text",
            "âges des enfants, séparés par « ; » (ex. 3;7;15)",
            required=False,
        ),
        Column(
            "ressources_mensuelles",
            "money",
            "ressources mensuelles actuelles du foyer",
            "€ / mois",
            minimum=0,
            required=False,
        ),
        Column("situation_logement", "text", "logement actuel", choices=SITUATIONS, required=False),
        Column(
            "type_souhaite",
            "text",
            "type de logement souhaité",
            choices=("collectif", "individuel", "indifferent"),
            required=False,
        ),
        Column(
            "loyer_max",
            "money",
            "loyer maximal souhaité, charges comprises",
            "€ / mois",
            minimum=0,
            required=False,
        ),
        Column("motif", "text", "motif principal de la demande", required=False),
        Column(
            "dalo_reconnu",
            "boolean",
            "reconnu prioritaire et urgent par la commission DALO",
            required=False,
        ),
        Column(
            "contingent",
            "text",
            "contingent réservataire qui porte la demande",
            choices=CONTINGENTS,
            required=False,
        ),
        SYNTHETIQUE,
    ),
    key=("id_demande",),
    rules=(
        *_composition_rules(),
        _ages_rule(),
        RowRule(
            "date_sortie ne peut précéder date_depot",
            ("date_depot", "date_sortie"),
            lambda f: np.asarray(
                (f["date_sortie"] < f["date_depot"]).to_numpy(dtype=bool), dtype=bool
            ),
        ),
    ),
)

ATTRIBUTIONS = Table(
    "attributions",
    "Attributions (fiches attribution)",
    "Une ligne par décision de la commission d'attribution (CALEOL).",
    (
        Column("id_attribution", "text", "identifiant de la fiche"),
        Column("date_cal", "date", "date de la commission"),
        Column("id_commission", "text", "commission d'attribution"),
        Column("code_bailleur", "text", "bailleur", references=("bailleurs", "code_bailleur")),
        Column("id_logement", "text", "logement attribué", references=("logements", "id_logement")),
        Column(
            "id_demande", "text", "demande", references=("demandes", "id_demande"), required=False
        ),
        Column("contingent", "text", "contingent réservataire", choices=CONTINGENTS),
        *_composition_columns(),
        Column("prioritaire", "boolean", "ménage prioritaire (DALO ou L.441-1)"),
        Column(
            "relogement_renouvellement",
            "boolean",
            "ménage relogé au titre du renouvellement urbain",
        ),
        Column("decision", "text", "décision de la commission", choices=DECISIONS_CAL),
        Column("suite", "text", "suite donnée par le ménage", choices=SUITES),
        Column(
            "rang",
            "integer",
            "rang du candidat retenu (1 à 3)",
            minimum=1,
            maximum=3,
            required=False,
        ),
        Column("motif_decision", "text", "motif de la décision", required=False),
        SYNTHETIQUE,
    ),
    key=("id_attribution",),
    rules=_composition_rules(),
)

OPERATIONS = Table(
    "operations",
    "Opérations de renouvellement urbain",
    "Opérations (PRU / NPNRU) qui relogent des ménages.",
    (
        Column("code_operation", "text", "code de l'opération"),
        Column("nom", "text", "nom de l'opération"),
        Column("code_commune", "text", "commune", code="commune"),
        Column("code_qpv", "text", "QPV concerné", code="qpv", required=False),
        Column("nb_menages_prevus", "integer", "ménages à reloger", "ménages", minimum=0),
        SYNTHETIQUE,
    ),
    key=("code_operation",),
)

_RELOGEMENT_SIDE = (
    ("loyer_mensuel", "money", "loyer principal", "€ / mois"),
    ("charges_mensuelles", "money", "charges", "€ / mois"),
    ("apl_mensuelle", "money", "aide personnelle au logement", "€ / mois"),
    ("ressources_mensuelles", "money", "ressources du ménage", "€ / mois"),
    ("nb_pieces", "integer", "pièces", "pièces"),
)


def _side(prefix: str, required: bool) -> tuple[Column, ...]:
    return tuple(
        Column(
            f"{prefix}_{name}",
            kind,  # type: ignore[arg-type]
            f"{label} ({'avant' if prefix == 'avant' else 'après'} relogement)",
            unit,
            minimum=0 if kind != "integer" else 1,
            maximum=12 if kind == "integer" else None,
            required=required,
        )
        for name, kind, label, unit in _RELOGEMENT_SIDE
    )


RELOGEMENTS = Table(
    "relogements",
    "Ménages relogés",
    "Suivi individuel du relogement (tableau de bord du GIP LMRU) : avant et après.",
    (
        Column("id_relogement", "text", "identifiant du suivi"),
        Column("code_operation", "text", "opération", references=("operations", "code_operation")),
        Column(
            "id_menage", "text", "ménage (si connu dans l'enquête d'occupation)", required=False
        ),
        Column(
            "code_bailleur",
            "text",
            "bailleur du logement d'origine",
            references=("bailleurs", "code_bailleur"),
            required=False,
        ),
        Column(
            "statut",
            "text",
            "état du relogement",
            choices=("reloge", "a_reloger", "parti_sans_suivi"),
        ),
        Column("date_relogement", "date", "date d'entrée dans le nouveau logement", required=False),
        Column(
            "nb_personnes", "integer", "personnes du ménage", "personnes", minimum=1, maximum=20
        ),
        Column(
            "unites_consommation", "decimal", "unités de consommation", "UC", minimum=1, maximum=15
        ),
        Column("avant_code_commune", "text", "commune avant", code="commune"),
        Column("avant_qpv", "boolean", "logement d'origine en QPV / ZUS"),
        *_side("avant", True),
        Column("apres_code_commune", "text", "commune après", code="commune", required=False),
        Column("apres_qpv", "boolean", "nouveau logement en QPV / ZUS", required=False),
        Column(
            "apres_parc",
            "text",
            "parc du nouveau logement",
            choices=("social", "prive"),
            required=False,
        ),
        Column(
            "apres_code_bailleur",
            "text",
            "bailleur du nouveau logement (parc social)",
            references=("bailleurs", "code_bailleur"),
            required=False,
        ),
        Column("apres_individuel", "boolean", "nouveau logement individuel", required=False),
        Column(
            "apres_annee_construction",
            "integer",
            "année de construction du nouveau logement",
            "année",
            minimum=1800,
            maximum=2100,
            required=False,
        ),
        Column("apres_sur_site", "boolean", "relogé sur le site de l'opération", required=False),
        *_side("apres", False),
        Column(
            "avant_id_logement",
            "text",
            "logement d'origine (identifiant RPLS ; il peut avoir été démoli depuis)",
            required=False,
        ),
        Column(
            "apres_id_logement",
            "text",
            "nouveau logement (parc social) : son entrée est l'entrée d'accueil",
            references=("logements", "id_logement"),
            required=False,
        ),
        SYNTHETIQUE,
    ),
    key=("id_relogement",),
    rules=(
        RowRule(
            "un ménage relogé doit avoir une date de relogement",
            ("statut",),
            lambda f: np.asarray(
                (f["statut"] == "reloge").to_numpy(dtype=bool)
                & f["date_relogement"].isna().to_numpy(dtype=bool),
                dtype=bool,
            ),
        ),
        RowRule(
            "un ménage relogé doit avoir son loyer et ses ressources après relogement",
            ("statut",),
            lambda f: np.asarray(
                (f["statut"] == "reloge").to_numpy(dtype=bool)
                & (
                    f["apres_loyer_mensuel"].isna().to_numpy(dtype=bool)
                    | f["apres_ressources_mensuelles"].isna().to_numpy(dtype=bool)
                    | f["apres_parc"].isna().to_numpy(dtype=bool)
                ),
                dtype=bool,
            ),
        ),
    ),
)

#: A relocation file's wishes, as the interview records them.
SOUHAITS_SITE = ("oui", "non", "indifferent")
SOUHAITS_TYPE = ("collectif", "individuel", "indifferent")
REPONSES_PROPOSITION = ("acceptee", "refusee", "en_attente", "retiree")
MOTIFS_REFUS = (
    "localisation", "taille", "loyer", "etat_du_logement", "etage_ou_accessibilite",
    "environnement", "autre",
)  # fmt: skip
ACTIONS_ACCOMPAGNEMENT = (
    "entretien_social", "aide_au_demenagement", "ouverture_de_droits", "visite_de_logement",
    "mediation", "autre",
)  # fmt: skip
DIFFICULTES_APRES = (
    "aucune", "impayes", "isolement", "voisinage", "taille", "etat_du_logement", "charges",
    "sante", "autre",
)  # fmt: skip

_RELOGEMENT = Column(
    "id_relogement", "text", "dossier de relogement", references=("relogements", "id_relogement")
)

ENTRETIENS_RELOGEMENT = Table(
    "entretiens_relogement",
    "Entretiens de relogement",
    "L'entretien de chaque ménage à reloger (MOUS relogement) : besoins et souhaits. Une ligne "
    "par dossier ; la composition et les ressources sont celles du dossier (relogements).",
    (
        Column(
            "id_relogement",
            "text",
            "dossier de relogement",
            references=("relogements", "id_relogement"),
        ),
        Column("date_entretien", "date", "date de l'entretien"),
        Column("mobilite_reduite", "boolean", "une personne du ménage a une mobilité réduite"),
        Column("besoin_sante", "boolean", "besoin lié à la santé (à préciser au dossier papier)"),
        Column(
            "souhait_communes",
            "text",
            "communes souhaitées, la première d'abord",
            code="communes",
            list_separator=";",
            required=False,
        ),
        Column(
            "souhait_sur_site", "text", "rester sur le site de l'opération", choices=SOUHAITS_SITE
        ),
        Column("souhait_type", "text", "type de logement souhaité", choices=SOUHAITS_TYPE),
        Column("souhait_pieces_min", "integer", "pièces au moins", "pièces", minimum=1, maximum=12),
        Column(
            "souhait_pieces_max",
            "integer",
            "pièces au plus",
            "pièces",
            minimum=1,
            maximum=12,
            required=False,
        ),
        Column(
            "etage_max",
            "integer",
            "étage le plus haut accepté sans ascenseur",
            "étage",
            minimum=0,
            maximum=60,
            required=False,
        ),
        Column(
            "loyer_charges_max",
            "money",
            "loyer et charges au plus (avant APL)",
            "€ / mois",
            minimum=0,
            required=False,
        ),
        SYNTHETIQUE,
    ),
    key=("id_relogement",),
    rules=(
        RowRule(
            "le nombre de pièces au plus doit être au moins le nombre de pièces au moins",
            ("souhait_pieces_min", "souhait_pieces_max"),
            lambda f: np.asarray(
                (f["souhait_pieces_max"] < f["souhait_pieces_min"]).fillna(False), dtype=bool
            ),
        ),
    ),
)

PROPOSITIONS_RELOGEMENT = Table(
    "propositions_relogement",
    "Propositions de relogement",
    "Chaque logement proposé à un ménage à reloger, sa réponse et, s'il refuse, pourquoi.",
    (
        Column("id_proposition", "text", "identifiant de la proposition"),
        _RELOGEMENT,
        Column("id_logement", "text", "logement proposé", references=("logements", "id_logement")),
        Column("date_proposition", "date", "date de la proposition"),
        Column("reponse", "text", "réponse du ménage", choices=REPONSES_PROPOSITION),
        Column("motif_refus", "text", "motif du refus", choices=MOTIFS_REFUS, required=False),
        SYNTHETIQUE,
    ),
    key=("id_proposition",),
    rules=(
        RowRule(
            "un refus doit être motivé",
            ("reponse",),
            lambda f: np.asarray(
                (f["reponse"] == "refusee").to_numpy(dtype=bool)
                & f["motif_refus"].isna().to_numpy(dtype=bool),
                dtype=bool,
            ),
        ),
    ),
)

ACTIONS_RELOGEMENT = Table(
    "actions_relogement",
    "Actions d'accompagnement",
    "L'accompagnement d'un ménage à reloger : entretiens sociaux, aide au déménagement, "
    "ouverture de droits…",
    (
        Column("id_action", "text", "identifiant de l'action"),
        _RELOGEMENT,
        Column("date_action", "date", "date de l'action"),
        Column("type_action", "text", "nature de l'action", choices=ACTIONS_ACCOMPAGNEMENT),
        Column("commentaire", "text", "ce qui a été fait (sans donnée de santé)", required=False),
        SYNTHETIQUE,
    ),
    key=("id_action",),
)

VISITES_RELOGEMENT = Table(
    "visites_relogement",
    "Visites de suivi après relogement",
    "Les visites au ménage après son déménagement, les difficultés constatées et les "
    "solutions correctives.",
    (
        Column("id_visite", "text", "identifiant de la visite"),
        _RELOGEMENT,
        Column("date_visite", "date", "date de la visite"),
        Column(
            "difficultes",
            "text",
            "difficultés constatées",
            choices=DIFFICULTES_APRES,
            list_separator=";",
        ),
        Column("mesure_corrective", "text", "solution corrective décidée", required=False),
        SYNTHETIQUE,
    ),
    key=("id_visite",),
)

#: Every entity table, in dependency order (a table only refers to tables before it).
ENTITY_TABLES: tuple[Table, ...] = (
    EPCI,
    TERRITOIRES,
    COMMUNES,
    IRIS,
    QPV,
    CARREAUX,
    BAILLEURS,
    BATIMENTS,
    ENTREES,
    LOGEMENTS,
    MENAGES,
    DEMANDES,
    ATTRIBUTIONS,
    OPERATIONS,
    RELOGEMENTS,
    ENTRETIENS_RELOGEMENT,
    PROPOSITIONS_RELOGEMENT,
    ACTIONS_RELOGEMENT,
    VISITES_RELOGEMENT,
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in ENTITY_TABLES}

#: The tables users fill in themselves, in the order their references require.
USER_TABLES: tuple[str, ...] = (
    "bailleurs",
    "batiments",
    "entrees",
    "logements",
    "menages",
    "demandes",
    "attributions",
    "operations",
    "relogements",
    "entretiens_relogement",
    "propositions_relogement",
    "actions_relogement",
    "visites_relogement",
)

#: Every change to an allocation form, written by the importer (never imported).
AUDIT_ATTRIBUTIONS = Table(
    "audit_attributions",
    "Journal des fiches attribution",
    "Chaque ajout, modification ou suppression d'une fiche attribution, avec l'empreinte de "
    "son contenu (SHA-256), le fichier, l'utilisateur et l'heure.",
    (
        Column("horodatage", "text", "date et heure UTC (ISO 8601)"),
        Column("utilisateur", "text", "compte système qui a lancé l'import"),
        Column("fichier", "text", "fichier importé"),
        Column(
            "action",
            "text",
            "nature du changement",
            choices=("ajout", "modification", "suppression"),
        ),
        Column("id_attribution", "text", "fiche concernée"),
        Column("empreinte_avant", "text", "SHA-256 du contenu avant", required=False),
        Column("empreinte_apres", "text", "SHA-256 du contenu après", required=False),
        Column(
            "chaine",
            "text",
            "SHA-256 de la ligne et de la précédente (journal chaîné : une ligne modifiée ou "
            "retirée se voit à « mixite journal verifier »)",
            required=False,
        ),
    ),
    key=(),
)
