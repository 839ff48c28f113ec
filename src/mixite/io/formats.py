"""The official files mixite reads: INSEE Filosofi, census IRIS tables, QPV lists.

Each format is a :class:`~mixite.core.schema.Table` over the file's own column names
(validation quotes them as the user sees them) and the name of the store table the
rows go to. Year suffixes (``MED16``, ``P16_``) are taken off and kept as a vintage.
"""

from __future__ import annotations

import re

from mixite.core.schema import Column, Table

_COUNT = {"kind": "decimal", "minimum": 0.0}


def _count(name: str, description: str, unit: str = "", required: bool = True) -> Column:
    return Column(name, "decimal", description, unit, minimum=0, required=required)


FILOSOFI_CARREAUX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Ind", "individus"),
    ("Men", "ménages"),
    ("Men_pauv", "ménages pauvres"),
    ("Men_1ind", "ménages d'un seul individu"),
    ("Men_5ind", "ménages de 5 individus ou plus"),
    ("Men_prop", "ménages propriétaires"),
    ("Men_fmp", "ménages monoparentaux"),
    ("Ind_snv", "somme des niveaux de vie winsorisés des individus (€)"),
    ("Men_surf", "somme des surfaces des logements (m²)"),
    ("Men_coll", "ménages en logement collectif"),
    ("Men_mais", "ménages en maison"),
    ("Log_av45", "logements construits avant 1945"),
    ("Log_45_70", "logements construits de 1945 à 1970"),
    ("Log_70_90", "logements construits de 1970 à 1990"),
    ("Log_ap90", "logements construits depuis 1990"),
    ("Log_inc", "logements de date de construction inconnue"),
    ("Log_soc", "logements sociaux"),
    ("Ind_0_3", "individus de 0 à 3 ans"),
    ("Ind_4_5", "individus de 4 à 5 ans"),
    ("Ind_6_10", "individus de 6 à 10 ans"),
    ("Ind_11_17", "individus de 11 à 17 ans"),
    ("Ind_18_24", "individus de 18 à 24 ans"),
    ("Ind_25_39", "individus de 25 à 39 ans"),
    ("Ind_40_54", "individus de 40 à 54 ans"),
    ("Ind_55_64", "individus de 55 à 64 ans"),
    ("Ind_65_79", "individus de 65 à 79 ans"),
    ("Ind_80p", "individus de 80 ans ou plus"),
    ("Ind_inc", "individus d'âge inconnu"),
)

FILOSOFI_CARREAUX = Table(
    "filosofi_carreaux",
    "Filosofi, carreaux de 200 m",
    "Revenus localisés sociaux et fiscaux carroyés (INSEE). I_est_200 = 1 : valeurs imputées "
    "(carreau de moins de 11 ménages, secret statistique).",
    (
        Column("Idcar_200m", "text", "identifiant du carreau", code="carreau"),
        Column("I_est_200", "boolean", "carreau imputé (secret statistique)"),
        Column("Idcar_1km", "text", "carreau de 1 km", required=False),
        Column("I_est_1km", "boolean", "carreau de 1 km imputé", required=False),
        Column("Idcar_nat", "text", "carreau naturel", required=False),
        Column("Groupe", "text", "groupe de carreaux", required=False),
        *(_count(n, d) for n, d in FILOSOFI_CARREAUX_COLUMNS),
        Column(
            "lcog_geo",
            "text",
            "communes intersectées (vide dans quelques carreaux côtiers)",
            code="communes",
            required=False,
        ),
    ),
    key=("Idcar_200m",),
)

_FILOSOFI_ZONE_VARS: tuple[tuple[str, str, float | None, float | None], ...] = (
    ("NBMENFISC", "ménages fiscaux", 0, None),
    ("NBPERSMENFISC", "personnes des ménages fiscaux", 0, None),
    ("MED", "médiane du niveau de vie (€)", 0, None),
    ("PIMP", "part des ménages imposés (%)", 0, 100),
    ("TP60", "taux de pauvreté au seuil de 60 % (%)", 0, 100),
    *((f"TP60AGE{i}", f"taux de pauvreté, tranche d'âge {i} (%)", 0, 100) for i in range(1, 7)),
    ("TP60TOL1", "taux de pauvreté des propriétaires (%)", 0, 100),
    ("TP60TOL2", "taux de pauvreté des locataires (%)", 0, 100),
    ("PACT", "part des revenus d'activité (%)", None, None),
    ("PTSA", "part des salaires (%)", None, None),
    ("PCHO", "part des indemnités de chômage (%)", None, None),
    ("PBEN", "part des revenus des activités non salariées (%)", None, None),
    ("PPEN", "part des pensions et retraites (%)", None, None),
    ("PPAT", "part des revenus du patrimoine (%)", None, None),
    ("PPSOC", "part des prestations sociales (%)", None, None),
    ("PPFAM", "part des prestations familiales (%)", None, None),
    ("PPMINI", "part des minima sociaux (%)", None, None),
    ("PPLOGT", "part des prestations logement (%)", None, None),
    ("PIMPOT", "part des impôts (%)", None, None),
    ("D1", "1er décile du niveau de vie (€)", 0, None),
    ("D9", "9e décile du niveau de vie (€)", 0, None),
    ("RD", "rapport interdécile D9/D1", 0, None),
)


def filosofi_zones(level: str, suffix: str = "") -> Table:
    """The Filosofi commune or EPCI table, columns named as in the file (``MED`` + ``suffix``).

    An empty cell is a value under statistical secrecy and stays missing.
    """
    code = "commune" if level == "commune" else "siren"
    return Table(
        "filosofi_zones",
        "Filosofi, communes et EPCI",
        "Revenus et pauvreté des ménages par commune ou EPCI (INSEE) ; cellule vide = secret.",
        (
            Column("CODGEO", "text", f"code géographique ({level})", code=code),  # type: ignore[arg-type]
            Column("LIBGEO", "text", "libellé"),
            *(
                Column(n + suffix, "decimal", d, minimum=lo, maximum=hi, required=False)
                for n, d, lo, hi in _FILOSOFI_ZONE_VARS
            ),
        ),
        key=("CODGEO",),
    )


def filosofi_year(columns: list[str]) -> int | None:
    """The vintage of a Filosofi zone table from its ``MEDyy`` column (``MED16`` → 2016)."""
    for c in columns:
        m = re.fullmatch(r"MED(\d{2})", c)
        if m:
            return 2000 + int(m.group(1))
    return None


CENSUS_LAYOUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "menages": (
        "personnes des ménages par type de ménage et catégorie socioprofessionnelle de la personne de référence",
        (
            "C{yy}_PMEN_MENSFAM",
            "C{yy}_PMEN_MENHSEUL",
            "C{yy}_PMEN_MENFSEUL",
            "C{yy}_PMEN_MENCOUPSENF",
            "C{yy}_PMEN_MENCOUPAENF",
            "C{yy}_PMEN_MENFAMMONO",
            *(f"C{{yy}}_PMEN_CS{i}" for i in range(1, 9)),
        ),
    ),
    "population": (
        "population par âge et catégorie socioprofessionnelle",
        (
            "P{yy}_POP0014",
            "P{yy}_POP1529",
            "P{yy}_POP3044",
            "P{yy}_POP4559",
            "P{yy}_POP6074",
            "P{yy}_POP75P",
            *(f"C{{yy}}_POP15P_CS{i}" for i in range(1, 9)),
        ),
    ),
    "logements": (
        "résidences principales par type et logements HLM loués vides",
        ("P{yy}_RPMAISON", "P{yy}_RPAPPART", "P{yy}_RP_LOCHLMV"),
    ),
}


def census_layout(columns: list[str]) -> tuple[str, int] | None:
    """Which census IRIS table a header is, and its vintage (``P16_…`` → 2016)."""
    for layout, (_, names) in CENSUS_LAYOUTS.items():
        first = names[0].replace("{yy}", r"(\d{2})")
        for c in columns:
            m = re.fullmatch(first, c)
            if m:
                return layout, 2000 + int(m.group(1))
    return None


def census_table(layout: str, year: int) -> Table:
    """The census IRIS table of one layout and vintage, as the file names its columns."""
    description, names = CENSUS_LAYOUTS[layout]
    yy = f"{year % 100:02d}"
    return Table(
        f"recensement_iris_{layout}",
        f"Recensement, IRIS : {layout}",
        f"Recensement de la population, bases infracommunales : {description}. Valeurs "
        "pondérées (fractionnaires).",
        (
            Column("IRIS", "text", "code IRIS", code="iris"),
            Column("LIBCOM", "text", "commune", required=False),
            Column("TYP_IRIS", "text", "type d'IRIS", choices=("H", "A", "D", "Z"), required=False),
            *(_count(n.replace("{yy}", yy), n.replace("{yy}_", "").lower()) for n in names),
        ),
        key=("IRIS",),
    )


def strip_census_year(name: str) -> str:
    """``P16_RP_LOCHLMV`` → ``p_rp_lochlmv``: the store's column name."""
    return re.sub(r"^([A-Z])\d{2}_", r"\1_", name).lower()


QPV_INDICATEURS_COLUMNS = (
    "pop_mun", "pop_com_qp", "pop_com", "ind_jeune", "tx_tot_et", "tx_f", "tx_f_et", "percou",
    "pmimp", "part_chomprinc", "decuc_q2", "decuc_d1", "decuc_d9", "disp_q2", "disp_d1",
    "disp_d9", "tp60", "brev", "a", "tx_tot_empl", "tx_f_empl", "tx_et_empl", "tx_tot_eprec",
    "tx_f_eprec", "tx_et_eprec", "abcde", "abcde_f", "abcde_h", "abc_capbep", "abc_bac",
    "abc_supbac", "ec_mat", "ec_elem", "ec_elem_pri", "coll", "coll_pri", "nbetab", "ens_sante",
    "serv_par", "serv_tot", "auto_ent",
)  # fmt: skip

QPV_INDICATEURS = Table(
    "qpv_indicateurs",
    "QPV, indicateurs",
    "Indicateurs INSEE par quartier prioritaire (démographie, revenus, emploi, équipements) ; "
    "cellule vide = non publié.",
    (
        Column("code_qp", "text", "code du QPV", code="qpv"),
        Column("nom_qp", "text", "nom du QPV"),
        Column("nom_commune", "text", "commune", required=False),
        *(Column(n, "decimal", n, minimum=0, required=False) for n in QPV_INDICATEURS_COLUMNS),
    ),
    key=("code_qp",),
)
