"""Tables written in the published layouts (RPLS, OPS, SNE): the examples of
``mixite modele rpls|ops|sne-… --exemple`` and the test fixtures.

No real RPLS, OPS or SNE sample is available offline, so these files are built from the
official dictionaries (``data/dictionnaires``): the twin's dwellings, households and
applications written under the official variable names and codes (docs/donnees-reelles.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

FINAN_LABELS = {
    "PLAI": "PLA d'intégration",
    "PLUS": "PLUS",
    "PLS": "PLS/PPLS/PCLS",
    "PLI": "PLI",
    "autre": "autre financement",
}


def rpls_frame(
    tables: Mapping[str, pd.DataFrame], *, layout: str = "2019", bailleur: str | None = None
) -> pd.DataFrame:
    """The twin's social stock (or one landlord's) as an RPLS per-dwelling file
    (``2019`` names, or ``2023`` names with _CODE suffixes and WGS 84 coordinates)."""
    lg = tables["logements"]
    e = tables["entrees"].set_index("id_entree")
    b = tables["batiments"].set_index("id_batiment")
    bat = e.loc[lg["id_entree"], "id_batiment"].to_numpy()
    if bailleur is not None:
        mine = (b.loc[bat, "code_bailleur"] == bailleur).to_numpy()
        lg, bat = lg[mine], bat[mine]
    bb = b.loc[bat]
    rent = (lg["loyer_mensuel"].to_numpy(dtype=float) / 100).round(2)
    rows = {
        "RPLS_ID": lg["id_logement"].to_numpy(),
        "DEPCOM": bb["code_commune"].to_numpy(),
        "LIBCOM": "commune",
        "NUMVOIE": "1",
        "NOMVOIE": "RUE DU TEST",
        "ENTREE": lg["id_entree"].to_numpy(),
        "BAT": bat,
        "QPV": bb["code_qpv"].fillna("").to_numpy(),
        "PLG_IRIS": bb["code_iris"].str[5:].fillna("").to_numpy(),
        "TYPECONST": np.where(bb["individuel"].to_numpy(dtype=bool), "I", "C"),
        "NBPIECE": lg["nb_pieces"].to_numpy(),
        "SURFHAB": lg["surface"].to_numpy(),
        "CONSTRUCT": bb["annee_mise_en_service"].to_numpy(),
        "LOCAT": bb["annee_mise_en_service"].to_numpy(),
        "FINAN": lg["financement"].map(FINAN_LABELS).to_numpy(),
        "MODE": np.where(lg["vacant"].to_numpy(dtype=bool), "2", "1"),
        "LOYERPRINC": [f"{v:.2f}".replace(".", ",") for v in rent],
        "X": bb["x"].to_numpy(),
        "Y": bb["y"].to_numpy(),
        "DPEENERGIE": "D",
    }
    frame = pd.DataFrame(rows)
    if layout == "2023":
        from pyproj import Transformer

        lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(
            frame["X"].to_numpy(dtype=float), frame["Y"].to_numpy(dtype=float)
        )
        frame["X"], frame["Y"] = np.round(lon, 7), np.round(lat, 7)
        frame = frame.rename(
            columns={
                "DEPCOM": "DEPCOM_CODE",
                "LIBCOM": "DEPCOM_LIBELLE",
                "TYPECONST": "TYPECONST_CODE",
                "MODE": "MODE_CODE",
                "QPV": "QPV_CODE",
                "FINAN": "FINAN_LIBELLE",
                "X": "LONGITUDE",
                "Y": "LATITUDE",
            }
        ).assign(FINAN_CODE="")
    return frame


def ops_frame(tables: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    """The twin's social tenants of its latest vintage as OPS household records."""
    m = tables["menages"]
    year = int(m["millesime"].max())
    m = m[(m["millesime"] == year) & (m["statut_occupation"] == "locataire_social")]
    types = {
        "personne_seule": "1",
        "couple_sans_enfant": "2",
        "couple_avec_enfants": "3",
        "monoparental": "4",
        "autre": "5",
    }
    frame = pd.DataFrame(
        {
            "ID_MENAGE": m["id_menage"].to_numpy(),
            "ID_LOGEMENT": m["id_logement"].to_numpy(),
            "DEPCOM": m["code_commune"].to_numpy(),
            "AGE_TITULAIRE": m["age_reference"].to_numpy(),
            "NB_PERSONNES": m["nb_personnes"].to_numpy(),
            "NB_ENFANTS": m["nb_enfants"].to_numpy(),
            "NB_MOINS_14": m["nb_moins_14"].to_numpy(),
            "TYPE_MENAGE": m["type_menage"].map(types).to_numpy(),
            "NB_ACTIFS_OCCUPES": m["nb_actifs_occupes"].to_numpy(),
            "REVENU_FISCAL": (m["ressources_annuelles"].to_numpy(dtype=float) / 100).round(2),
            "MONTANT_APL": (m["apl_annuelle"].fillna(0).to_numpy(dtype=float) / 100).round(2),
        }
    )
    return frame, year


def _flag(s: pd.Series) -> np.ndarray:
    return np.where(s.fillna(False).to_numpy(dtype=bool), "1", "0")


def sne_demandes_frame(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The twin's applications as an SNE extract (one current situation each)."""
    d = tables["demandes"]
    situation = np.select(
        [
            d["sans_logement"].to_numpy(dtype=bool),
            d["heberge_structure"].to_numpy(dtype=bool),
            d["locataire_hlm"].to_numpy(dtype=bool),
        ],
        ["6", "5", "1"],
        "2",
    )
    return pd.DataFrame(
        {
            "NUM_UNIQUE": d["id_demande"].to_numpy(),
            "DATE_DEPOT": pd.to_datetime(d["date_depot"]).dt.strftime("%d/%m/%Y").to_numpy(),
            "COMMUNE_RESIDENCE": d["code_commune_residence"].to_numpy(),
            "COMMUNES_SOUHAITEES": d["communes_souhaitees"].fillna("").to_numpy(),
            "NB_PIECES_SOUHAITE": d["nb_pieces_souhaite"].astype("Int64").astype("string").fillna("").to_numpy(),
            "AGE_DEMANDEUR": d["age_demandeur"].to_numpy(),
            "NB_PERSONNES": d["nb_personnes"].to_numpy(),
            "NB_ADULTES": d["nb_adultes"].to_numpy(),
            "NB_ENFANTS": d["nb_enfants"].to_numpy(),
            "NB_MOINS_14": d["nb_moins_14"].to_numpy(),
            "NB_ACTIFS_OCCUPES": d["nb_actifs_occupes"].to_numpy(),
            "REVENU_FISCAL_REFERENCE": (d["ressources_annuelles"].to_numpy(dtype=float) / 100).round(2),
            "SITUATION_LOGEMENT": situation,
            "MOTIF_EXPULSION": _flag(d["menace_expulsion"]),
            "MOTIF_INSALUBRE": _flag(d["logement_insalubre"]),
            "MOTIF_NON_DECENT": _flag(d["logement_indecent"]),
            "SURFACE_ACTUELLE": d["surface_actuelle"].astype("Float64").astype("string").fillna("").to_numpy(),
            "MOTIF_HANDICAP": _flag(d["handicap"]),
            "MOTIF_INADAPTE_HANDICAP": _flag(d["logement_inadapte_handicap"]),
            "MOTIF_VIOLENCES": _flag(d["violences_familiales"]),
            "JEUNE_INSERTION": _flag(d["jeune_insertion"]),
            "NB_REFUS": d["refus_offre_adaptee"].to_numpy(),
            "ETAT_DEMANDE": d["statut"].map({"active": "A", "attribuee": "S", "radiee": "R"}).to_numpy(),
            "DATE_SORTIE": pd.to_datetime(d["date_sortie"]).dt.strftime("%d/%m/%Y").fillna("").to_numpy(),
            "DATE_RENOUVELLEMENT": pd.to_datetime(d["date_renouvellement"]).dt.strftime("%d/%m/%Y").fillna("").to_numpy(),
            "AGES_ENFANTS": d["ages_enfants"].fillna("").to_numpy(),
            "TYPE_SOUHAITE": d["type_souhaite"].map({"collectif": "C", "individuel": "I", "indifferent": "X"}).to_numpy(),
            "DALO": _flag(d["dalo_reconnu"]),
        }
    )  # fmt: skip


def sne_attributions_frame(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The twin's allocations as an SNE extract (coded contingent, decision, outcome)."""
    a = tables["attributions"]
    code = {
        v: str(i + 1)
        for i, v in enumerate(
            ("prefecture", "action_logement", "collectivite", "bailleur", "autre")
        )
    }
    dec = {
        v: str(i + 1)
        for i, v in enumerate(
            (
                "attribution",
                "attribution_rang",
                "attribution_sous_condition",
                "non_attribution",
                "irrecevabilite",
            )
        )
    }
    suite = {"bail_signe": "1", "refus_demandeur": "2", "en_attente": "3"}
    return pd.DataFrame(
        {
            "ID_ATTRIBUTION": a["id_attribution"].to_numpy(),
            "DATE_CAL": pd.to_datetime(a["date_cal"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "ID_COMMISSION": a["id_commission"].to_numpy(),
            "CODE_BAILLEUR": a["code_bailleur"].to_numpy(),
            "ID_LOGEMENT": a["id_logement"].to_numpy(),
            "NUM_UNIQUE": a["id_demande"].fillna("").to_numpy(),
            "RESERVATAIRE": a["contingent"].map(code).to_numpy(),
            "NB_PERSONNES": a["nb_personnes"].to_numpy(),
            "NB_ADULTES": a["nb_adultes"].to_numpy(),
            "NB_ENFANTS": a["nb_enfants"].to_numpy(),
            "NB_MOINS_14": a["nb_moins_14"].to_numpy(),
            "NB_ACTIFS_OCCUPES": a["nb_actifs_occupes"].to_numpy(),
            "REVENU_FISCAL_REFERENCE": (a["ressources_annuelles"].to_numpy(dtype=float) / 100).round(2),
            "PUBLIC_PRIORITAIRE": _flag(a["prioritaire"]),
            "RELOGEMENT_RU": _flag(a["relogement_renouvellement"]),
            "DECISION": a["decision"].map(dec).to_numpy(),
            "SUITE": a["suite"].map(suite).to_numpy(),
        }
    )  # fmt: skip


def ops_agregats_frame(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The twin's OPS households summed per commune, as published OPS results."""
    m, _year = ops_frame(tables)
    g = m.assign(
        mono=m["TYPE_MENAGE"] == "4",
        grand=m["NB_PERSONNES"] >= 5,
        ref65=m["AGE_TITULAIRE"] >= 65,
        sans=m["NB_ACTIFS_OCCUPES"] == 0,
        apl=m["MONTANT_APL"] > 0,
    ).groupby("DEPCOM")
    out = pd.DataFrame(
        {
            "NB_MENAGES": g.size(),
            "NB_PERSONNES": g["NB_PERSONNES"].sum(),
            "NB_MONOPARENTALES": g["mono"].sum(),
            "NB_GRANDES_FAMILLES": g["grand"].sum(),
            "NB_REF_65P": g["ref65"].sum(),
            "NB_SANS_EMPLOI": g["sans"].sum(),
            "NB_APL": g["apl"].sum(),
        }
    ).reset_index(names="CODGEO")
    out.insert(1, "NIVEAU", "commune")
    return out


def exemple(kind: str, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Example rows of an import kind read through a dictionary (``rpls``, ``ops``…)."""
    frames = {
        "rpls": lambda: rpls_frame(tables),
        "ops": lambda: ops_frame(tables)[0],
        "ops-agregats": lambda: ops_agregats_frame(tables),
        "sne-demandes": lambda: sne_demandes_frame(tables),
        "sne-attributions": lambda: sne_attributions_frame(tables),
    }
    frame = frames[kind]()
    for c, fmt in (
        ("DATE_DEPOT", "%d/%m/%Y"),
        ("DATE_SORTIE", "%d/%m/%Y"),
        ("DATE_CAL", "%Y-%m-%d"),
    ):
        if c in frame:  # real dates in a template, not text
            frame[c] = pd.to_datetime(frame[c].replace("", None), format=fmt)
    return frame


def write(frame: pd.DataFrame, path: Path) -> Path:
    """As the registers' extractions come: ``;``-separated, Windows-1252."""
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    return path
