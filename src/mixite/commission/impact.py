"""What allocating a vacant dwelling to a candidate would change, before the commission
decides: the entrance watch, the zones' indicators, the charters' objectives and the
legal quotas, each before → after, and one sentence in plain French.

Every « after » is the very computation the observatory and the tracking run, on the
households and allocations with the candidate added (and only on what it touches:
its entrance, building, IRIS, QPV and commune; the objectives' current period). A test
checks it equals a full recomputation after actually recording the allocation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mixite.core.objectifs.charte import Charte
from mixite.core.objectifs.publics import publics_des_attributions
from mixite.core.objectifs.suivi import suivre
from mixite.observatoire.indicateurs import flags, indicateurs
from mixite.observatoire.veille import Variable, entrance_variables, statuses

#: Zones whose indicators an allocation moves, in the order the sheet shows them.
ZONES = {
    "id_batiment": "bâtiment",
    "code_iris": "IRIS",
    "code_qpv": "QPV",
    "code_commune": "commune",
}
#: Indicators shown for the zones (the observatory's catalogue, shares and counts).
INDICATEURS_ZONE = (
    "menages",
    "taux_pauvrete",
    "sous_40_plus",
    "monoparentales",
    "grandes_familles",
    "sans_actif_occupe",
    "allocataires_apl",
)


@dataclass(frozen=True)
class Cadre:
    """What the impact needs, loaded once for a commission (see ``mixite.io.commission``).

    ``menages``: the latest vintage's households with ``id_entree, id_batiment,
    code_qpv, code_bailleur, individuel``; ``attributions``: the allocations made, in
    context (``code_commune, code_territoire, en_qpv``); ``veille``: each landlord's
    watch variables (thresholds and margins) and the status rules.
    """

    menages: pd.DataFrame
    attributions: pd.DataFrame
    plafonds: pd.DataFrame
    quartiles: pd.DataFrame
    chartes: tuple[Charte, ...]
    veille: Mapping[str, tuple[Variable, ...]]
    fragile_des: int
    vigilance_marges: int
    seuil_pauvrete: float
    millesime: int
    zone: int = 3
    epci: str = ""


@dataclass
class Impact:
    """One candidate's impact: tables before → after and the sentence."""

    id_demande: str
    veille: pd.DataFrame
    statut_avant: str
    statut_apres: str
    zones: pd.DataFrame
    objectifs: pd.DataFrame
    phrase: str = ""
    notes: list[str] = field(default_factory=list)


def type_menage(c: pd.DataFrame) -> pd.Series:
    """The census household type of a candidate (as the occupants are typed)."""
    persons = c["nb_personnes"].to_numpy()
    adults = c["nb_adultes"].to_numpy()
    kids = c["nb_enfants"].to_numpy()
    out = np.select(
        [persons == 1, (adults == 1) & (kids > 0), (adults == 2) & (kids == 0),
         (adults == 2) & (kids > 0)],
        ["personne_seule", "monoparental", "couple_sans_enfant", "couple_avec_enfants"],
        "autre",
    )  # fmt: skip
    return pd.Series(out, index=c.index)


def menages_candidats(
    demandes: pd.DataFrame, logement: pd.Series, apl_mensuelle: Sequence[float], millesime: int
) -> pd.DataFrame:
    """Each candidate as the occupant household it would become in ``logement``."""
    d = demandes.reset_index(drop=True)
    return pd.DataFrame(
        {
            "id_menage": "CAND-" + d["id_demande"].astype(str),
            "millesime": millesime,
            "code_commune": logement["code_commune"],
            "code_iris": logement.get("code_iris"),
            "idcar_200m": logement.get("idcar_200m"),
            "statut_occupation": "locataire_social",
            "id_logement": logement["id_logement"],
            "type_menage": type_menage(d),
            "age_reference": d["age_demandeur"].to_numpy(),
            "nb_personnes": d["nb_personnes"].to_numpy(),
            "nb_adultes": d["nb_adultes"].to_numpy(),
            "nb_enfants": d["nb_enfants"].to_numpy(),
            "nb_moins_14": d["nb_moins_14"].to_numpy(),
            "unites_consommation": d["unites_consommation"].to_numpy(),
            "nb_actifs_occupes": d["nb_actifs_occupes"].to_numpy(),
            "ressources_annuelles": d["ressources_annuelles"].to_numpy(dtype=float),
            "apl_annuelle": np.round(np.asarray(apl_mensuelle, dtype=float) * 12, 2),
            "id_entree": logement["id_entree"],
            "id_batiment": logement["id_batiment"],
            "code_qpv": logement.get("code_qpv"),
            "code_bailleur": logement["code_bailleur"],
            "individuel": logement.get("individuel", False),
            "code_territoire": logement.get("code_territoire"),
            "code_epci": logement.get("code_epci"),
        }
    )


def attributions_candidates(
    demandes: pd.DataFrame,
    logement: pd.Series,
    prioritaire: Sequence[bool],
    date: dt.date,
    commission: str = "CAL",
) -> pd.DataFrame:
    """Each candidate's allocation as the tracking would count it."""
    d = demandes.reset_index(drop=True)
    return pd.DataFrame(
        {
            "id_attribution": "PROJET-" + d["id_demande"].astype(str),
            "date_cal": pd.Timestamp(date),
            "id_commission": commission,
            "code_bailleur": logement["code_bailleur"],
            "id_logement": logement["id_logement"],
            "id_demande": d["id_demande"].to_numpy(),
            "contingent": logement.get("contingent") or "autre",
            **{c: d[c].to_numpy() for c in ("nb_personnes", "nb_adultes", "nb_enfants",
               "nb_moins_14", "unites_consommation", "nb_actifs_occupes")},
            "ressources_annuelles": d["ressources_annuelles"].to_numpy(dtype=float),
            "prioritaire": np.asarray(prioritaire, dtype=bool),
            "relogement_renouvellement": False,
            "decision": "attribution",
            "suite": "en_attente",
            "code_commune": logement["code_commune"],
            "code_iris": logement.get("code_iris"),
            "code_qpv": logement.get("code_qpv"),
            "en_qpv": bool(logement.get("en_qpv", False)),
            "code_territoire": logement.get("code_territoire"),
        }
    )  # fmt: skip


def watch_of(cadre: Cadre, households: pd.DataFrame, landlord: str) -> pd.DataFrame:
    """Watch variables and status of the entrances of ``households`` (social tenants)."""
    social = households[households["statut_occupation"] == "locataire_social"]
    under = flags(social, cadre.plafonds, millesime=cadre.millesime, zone=cadre.zone,
                  seuil_pauvrete=0.0)["sous_40_plus"]  # fmt: skip
    entrances = entrance_variables(social, under)
    variables = cadre.veille.get(landlord) or next(iter(cadre.veille.values()))
    return statuses(entrances, variables, fragile_des=cadre.fragile_des,
                    vigilance_marges=cadre.vigilance_marges)  # fmt: skip


def watch_after_each(
    cadre: Cadre, entrance: pd.DataFrame, candidates: pd.DataFrame, landlord: str
) -> pd.DataFrame:
    """The entrance's watch after each candidate moves in, one row per candidate, in one
    pass: the variables are shares and means of the occupants, so each candidate's are
    (sum + its own) / (n + 1) — the same values :func:`watch_of` gives one by one."""
    social = entrance[entrance["statut_occupation"] == "locataire_social"]
    both = pd.concat([social, candidates], ignore_index=True)
    under = flags(both, cadre.plafonds, millesime=cadre.millesime, zone=cadre.zone,
                  seuil_pauvrete=0.0)["sous_40_plus"].to_numpy(dtype=bool)  # fmt: skip
    per = pd.DataFrame({
        "sans_actif": (both["nb_actifs_occupes"].to_numpy() == 0),
        "sous40": under,
        "mono": (both["type_menage"] == "monoparental").to_numpy(dtype=bool),
        "enfants": both["nb_enfants"].to_numpy(dtype=float),
    }).astype(float)  # fmt: skip
    n = len(social)
    base = per.iloc[:n].sum()
    own = per.iloc[n:].reset_index(drop=True)
    total = own + base
    out = pd.DataFrame({
        "code_bailleur": landlord, "menages": n + 1,
        "part_sans_actif": total["sans_actif"] / (n + 1) * 100,
        "part_sous_40_plus": total["sous40"] / (n + 1) * 100,
        "part_monoparentales": total["mono"] / (n + 1) * 100,
        "enfants_par_logement": total["enfants"] / (n + 1),
    })  # fmt: skip
    out.index = candidates["id_menage"].to_numpy()
    variables = cadre.veille.get(landlord) or next(iter(cadre.veille.values()))
    return statuses(out, variables, fragile_des=cadre.fragile_des,
                    vigilance_marges=cadre.vigilance_marges)  # fmt: skip


def zones_of(cadre: Cadre, households: pd.DataFrame, logement: pd.Series) -> pd.DataFrame:
    """The dwelling's zones' indicators (raw: the commission works within its scope)."""
    f = flags(households, cadre.plafonds, millesime=cadre.millesime, zone=cadre.zone,
              seuil_pauvrete=cadre.seuil_pauvrete)  # fmt: skip
    rows = {}
    for level, label in ZONES.items():
        code = logement.get(level)
        if code is None or pd.isna(code):
            continue
        mine = (households[level].astype("string") == str(code)).fillna(False).to_numpy(dtype=bool)
        table = indicateurs(households[mine], f[mine], level, total=False)
        if len(table):
            rows[(label, str(code))] = table.iloc[0][list(INDICATEURS_ZONE)]
    out = pd.DataFrame(rows).T
    out.index = pd.MultiIndex.from_tuples(out.index, names=["niveau", "zone"])
    return out


def enriched_year(cadre: Cadre, allocations: pd.DataFrame, date: dt.date) -> list[pd.DataFrame]:
    """The allocations of ``date``'s year with each charter's counted populations."""
    year = allocations[pd.to_datetime(allocations["date_cal"]).dt.year == date.year]
    return [
        publics_des_attributions(year, cadre.plafonds, cadre.quartiles, epci=c.epci,
                                 zone=c.zone_plafonds)
        for c in cadre.chartes
    ]  # fmt: skip


def objectives_of(cadre: Cadre, enriched: Sequence[pd.DataFrame], date: dt.date) -> pd.DataFrame:
    """Every charter's tracking rows of the period holding ``date``, from allocations
    already enriched by :func:`enriched_year`."""
    tables = [
        suivre(e, charte, reference=date).table.assign(charte=charte.nom)
        for charte, e in zip(cadre.chartes, enriched, strict=True)
    ]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def _sentence(d: pd.Series, imp: Impact, eligibility: pd.Series | None) -> str:
    who = (
        f"{d['id_demande']} ({str(type_menage(pd.DataFrame([d])).iloc[0]).replace('_', ' ')}, "
        f"{int(d['nb_personnes'])} pers., {int(d['nb_actifs_occupes'])} actif(s) occupé(s))"
    )
    parts = []
    if imp.statut_avant == imp.statut_apres:
        parts.append(f"l'entrée reste « {imp.statut_apres} »")
    else:
        parts.append(f"l'entrée passe de « {imp.statut_avant} » à « {imp.statut_apres} »")
    w = imp.veille
    limit = w["seuil"] + w["marge"]
    crossed = (w["avant"] > limit) != (w["apres"] > limit)
    moved = (
        w[(w["avant"] != w["apres"]) | w["avant"].isna()]
        .assign(_crossed=crossed)
        .sort_values("_crossed", ascending=False, kind="stable")
    )
    for _, v in moved.head(2).iterrows():
        how = (" (repasse sous seuil + marge)" if v["apres"] <= v["seuil"] + v["marge"] else
               " (dépasse seuil + marge)") if v["_crossed"] else ""  # fmt: skip
        before = "—" if pd.isna(v["avant"]) else f"{v['avant']:.1f}"
        parts.append(f"{v['variable']} {before} → {v['apres']:.1f}{how}".replace(".", ","))
    o = imp.objectifs
    if len(o):
        changed = o[o["statut_avant"] != o["statut_apres"]]
        if len(changed):
            r = changed.iloc[0]
            parts.append(
                f"objectif « {r['objectif']} » : {r['statut_avant']} → {r['statut_apres']}"
            )
        else:
            r = o.iloc[0]
            parts.append(
                f"objectif « {r['objectif']} » {r['part_avant']:.1f} % → {r['part_apres']:.1f} % "
                f"({r['statut_apres']})".replace(".", ",")
            )
    if eligibility is not None:
        parts.append(
            f"taux d'effort {eligibility['taux_effort']:.0f} % après {eligibility['apl']:.0f} € d'APL"
        )
    return f"Attribuer à {who} : " + " ; ".join(parts) + "."


def impacts(
    cadre: Cadre,
    logement: pd.Series,
    demandes: pd.DataFrame,
    *,
    apl_mensuelle: Sequence[float],
    prioritaire: Sequence[bool],
    date: dt.date,
    eligibilite: pd.DataFrame | None = None,
) -> list[Impact]:
    """The impact of allocating ``logement`` to each of ``demandes``."""
    hh = cadre.menages
    entrance = str(logement["id_entree"])
    landlord = str(logement["code_bailleur"])
    in_entrance = hh[hh["id_entree"].astype("string") == entrance]
    touched = np.zeros(len(hh), dtype=bool)
    for level in ZONES:
        code = logement.get(level)
        if code is not None and not pd.isna(code):
            touched |= (hh[level].astype("string") == str(code)).fillna(False).to_numpy(dtype=bool)
    local = hh[touched]
    before_watch = watch_of(cadre, in_entrance, landlord)
    before_zones = zones_of(cadre, local, logement)
    base = enriched_year(cadre, cadre.attributions, date)
    before_obj = objectives_of(cadre, base, date)
    candidates = menages_candidats(demandes, logement, apl_mensuelle, cadre.millesime)
    projected = attributions_candidates(demandes, logement, prioritaire, date)
    variables = cadre.veille.get(landlord) or next(iter(cadre.veille.values()))
    out = []
    for i in range(len(demandes)):
        one = candidates.iloc[[i]]
        after_watch = watch_of(cadre, pd.concat([in_entrance, one], ignore_index=True), landlord)
        after_zones = zones_of(cadre, pd.concat([local, one], ignore_index=True), logement)
        added = enriched_year(cadre, projected.iloc[[i]], date)
        after_obj = objectives_of(
            cadre, [pd.concat([b, a], ignore_index=True) for b, a in zip(base, added, strict=True)],
            date,
        )  # fmt: skip
        watch_rows = []
        for v in variables:
            b = float(before_watch[v.code].iloc[0]) if len(before_watch) else float("nan")
            a = float(after_watch[v.code].iloc[0])
            watch_rows.append({"variable": v.libelle, "avant": b, "apres": a, "seuil": v.seuil,
                               "marge": v.marge})  # fmt: skip
        zones = before_zones.add_suffix("_avant").join(
            after_zones.add_suffix("_apres"), how="outer"
        )
        objectives = _objective_changes(before_obj, after_obj)
        imp = Impact(
            id_demande=str(demandes.iloc[i]["id_demande"]),
            veille=pd.DataFrame(watch_rows),
            statut_avant=str(before_watch["statut"].iloc[0])
            if len(before_watch)
            else "aucun occupant",
            statut_apres=str(after_watch["statut"].iloc[0]),
            zones=zones,
            objectifs=objectives,
        )
        row = eligibilite.iloc[i] if eligibilite is not None else None
        imp.phrase = _sentence(demandes.iloc[i], imp, row)
        out.append(imp)
    return out


_KEY = ["charte", "objectif", "periode", "groupe"]


def _objective_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Tracking rows that an allocation changes: count, share, status, what remains."""
    if after.empty:
        return pd.DataFrame()
    cols = ["attributions", "public", "part", "statut", "a_orienter", "cible"]
    merged = after[_KEY + cols].merge(before[_KEY + cols], on=_KEY, how="left",
                                      suffixes=("_apres", "_avant"))  # fmt: skip
    merged["attributions_avant"] = merged["attributions_avant"].fillna(0)
    changed = merged[merged["attributions_apres"] != merged["attributions_avant"]]
    return changed.rename(columns={"cible_apres": "cible"}).drop(columns=["cible_avant"])[
        [*_KEY, "cible", "attributions_avant", "attributions_apres", "public_avant", "public_apres",
         "part_avant", "part_apres", "statut_avant", "statut_apres", "a_orienter_avant",
         "a_orienter_apres"]
    ].reset_index(drop=True)  # fmt: skip
