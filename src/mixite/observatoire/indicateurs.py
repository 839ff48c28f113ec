"""Indicators of social occupation at every scale, with statistical secrecy applied.

One row per zone of a level (200 m cell, IRIS, QPV, commune, MEL territory, EPCI,
building, entrance), one column per indicator of :data:`CATALOGUE`. Every table goes
through :func:`mixite.core.secret.apply_secrecy`: counts of 1 to 10 households, shares
whose numerator or complement is 1 to 10, medians over fewer than 11 households are blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.plafonds import plafond_plus_des_menages, sous_40_pct_plus
from mixite.core.secret import Count, Derived, Measure, Share, Statistic, apply_secrecy

LEVELS: tuple[str, ...] = (
    "idcar_200m",
    "code_iris",
    "code_qpv",
    "code_commune",
    "code_territoire",
    "code_epci",
    "id_batiment",
    "id_entree",
)


@dataclass(frozen=True)
class Indicateur:
    """One indicator: its name, French label, definition, source fields and unit."""

    code: str
    libelle: str
    definition: str
    champs: str
    unite: str
    nature: Literal["effectif", "part", "mediane"]


CATALOGUE: tuple[Indicateur, ...] = (
    Indicateur("menages", "ménages", "nombre de ménages", "menages", "ménages", "effectif"),
    Indicateur("personnes", "personnes", "personnes des ménages", "menages.nb_personnes", "personnes", "effectif"),
    Indicateur("mediane_niveau_de_vie", "médiane du niveau de vie", "médiane, pondérée par les personnes, des ressources annuelles par unité de consommation", "ressources_annuelles / unites_consommation", "€ par an et par UC", "mediane"),
    Indicateur("taux_pauvrete", "taux de pauvreté", "part des personnes dont le niveau de vie est sous le seuil de pauvreté donné", "ressources_annuelles / unites_consommation", "% des personnes", "part"),
    Indicateur("sous_40_plus", "ménages sous 40 % du plafond PLUS", "part des ménages dont les ressources sont inférieures à 40 % du plafond PLUS de leur catégorie", "ressources_annuelles, composition", "% des ménages", "part"),
    Indicateur("monoparentales", "familles monoparentales", "part des ménages de type « monoparental »", "type_menage", "% des ménages", "part"),
    Indicateur("grandes_familles", "grandes familles", "part des ménages de 5 personnes ou plus", "nb_personnes", "% des ménages", "part"),
    Indicateur("reference_65_plus", "personne de référence de 65 ans ou plus", "part des ménages dont la personne de référence a 65 ans ou plus", "age_reference", "% des ménages", "part"),
    Indicateur("sans_actif_occupe", "ménages sans actif occupé", "part des ménages sans membre en emploi", "nb_actifs_occupes", "% des ménages", "part"),
    Indicateur("allocataires_apl", "allocataires d'une aide au logement", "part des ménages percevant une aide personnelle au logement", "apl_annuelle", "% des ménages", "part"),
    Indicateur("locataires_sociaux", "taux de logement social", "part des ménages locataires du parc social", "statut_occupation", "% des ménages", "part"),
    Indicateur("proprietaires", "propriétaires", "part des ménages propriétaires", "statut_occupation", "% des ménages", "part"),
    Indicateur("locataires_prives", "locataires du parc privé", "part des ménages locataires du parc privé", "statut_occupation", "% des ménages", "part"),
)  # fmt: skip


def flags(
    menages: pd.DataFrame,
    plafonds: pd.DataFrame,
    *,
    millesime: int,
    zone: int,
    seuil_pauvrete: float,
) -> pd.DataFrame:
    """Per household: the booleans behind the shares and its standard of living.

    ``ressources_annuelles`` in euros (as the store gives them); the ceilings are those of
    ``millesime``; ``seuil_pauvrete`` in € per UC and year.
    """
    m = menages
    ceiling = plafond_plus_des_menages(
        plafonds,
        nb_personnes=m["nb_personnes"],
        nb_adultes=m["nb_adultes"],
        nb_enfants=m["nb_enfants"],
        millesime=millesime,
        zone=zone,
    )
    nv = m["ressources_annuelles"].to_numpy(dtype=float) / m["unites_consommation"].to_numpy(
        dtype=float
    )
    status = m["statut_occupation"]
    return pd.DataFrame(
        {
            "personnes": m["nb_personnes"].to_numpy(dtype=float),
            "niveau_de_vie": nv,
            "pauvre": nv < seuil_pauvrete,
            "sous_40_plus": sous_40_pct_plus(m["ressources_annuelles"], ceiling),
            "monoparentales": (m["type_menage"] == "monoparental").to_numpy(dtype=bool),
            "grandes_familles": (m["nb_personnes"] >= 5).to_numpy(dtype=bool),
            "reference_65_plus": (m["age_reference"] >= 65).to_numpy(dtype=bool),
            "sans_actif_occupe": (m["nb_actifs_occupes"] == 0).to_numpy(dtype=bool),
            "allocataires_apl": (m["apl_annuelle"].fillna(0) > 0).to_numpy(dtype=bool),
            "locataires_sociaux": (status == "locataire_social").to_numpy(dtype=bool),
            "proprietaires": (status == "proprietaire").to_numpy(dtype=bool),
            "locataires_prives": (status == "locataire_prive").to_numpy(dtype=bool),
        },
        index=m.index,
    )


def grouped_weighted_median(
    codes: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    n_groups: int,
) -> npt.NDArray[np.float64]:
    """Weighted median of ``values`` in each group ``codes`` (0 … n_groups − 1), vectorised.

    Notes
    -----
    In each group, sorted values ``v_i`` sit at mid-rank ``p_i = (C_i − w_i / 2) / W``
    (``C_i`` cumulative weight, ``W`` the group's weight; tied values merged); the
    median is the linear
    interpolation of ``v`` at ``p = 0.5``, clamped to the extreme values (as ``np.interp``).

    Examples
    --------
    >>> grouped_weighted_median(np.array([0, 0, 1]), np.array([1.0, 3.0, 5.0]), np.ones(3), 2).tolist()
    [2.0, 5.0]
    """
    out = np.full(n_groups, np.nan)
    if not len(codes):
        return out
    order = np.lexsort((values, codes))
    c, v, w = codes[order], values[order], weights[order]
    # Tied values are one point with their summed weight (the order of ties is then moot).
    new = np.r_[True, (c[1:] != c[:-1]) | (v[1:] != v[:-1])]
    w = np.add.reduceat(w, np.flatnonzero(new))
    c, v = c[new], v[new]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    ends = np.r_[starts[1:], len(c)]
    total = np.add.reduceat(w, starts)
    cum = np.cumsum(w)
    before = np.r_[0.0, cum[starts[1:] - 1]]
    size = ends - starts
    group = np.repeat(np.arange(len(starts)), size)
    p = (cum - before[group] - w / 2) / total[group]
    idx = np.arange(len(c))
    first = np.minimum.reduceat(np.where(p >= 0.5, idx, len(c)), starts)
    res = np.empty(len(starts))
    low = first == starts  # the first value is already past the middle
    high = first >= ends  # no value reaches it
    mid = ~low & ~high
    res[low] = v[starts[low]]
    res[high] = v[ends[high] - 1]
    i = first[mid]
    frac = (0.5 - p[i - 1]) / (p[i] - p[i - 1])
    res[mid] = v[i - 1] + frac * (v[i] - v[i - 1])
    out[c[starts]] = res
    return out


SHARES = [i.code for i in CATALOGUE if i.nature == "part"]


TOTAL = "ensemble"


def indicateurs(
    menages: pd.DataFrame, f: pd.DataFrame, level: str, *, total: bool = True
) -> pd.DataFrame:
    """The raw (unpublished) indicators of every zone of ``level``: counts, numerators,
    shares, and (``total``) a last row « ensemble » for all the households with a zone."""
    if level not in menages.columns:
        raise ValueError(
            f"Level {level!r} is not a column of the households; levels: {[c for c in LEVELS if c in menages.columns]}."
        )
    zone = menages[level]
    keep = zone.notna().to_numpy(dtype=bool)
    g = f[keep].assign(_zone=zone[keep].astype(str).to_numpy())
    if total:
        g = pd.concat([g, g.assign(_zone=TOTAL)], ignore_index=True)
    grouped = g.groupby("_zone", sort=True)
    out = pd.DataFrame({"menages": grouped.size(), "personnes": grouped["personnes"].sum()})
    for name in SHARES:
        if name == "taux_pauvrete":
            poor_persons = (g["personnes"] * g["pauvre"]).groupby(g["_zone"]).sum()
            out["n_taux_pauvrete"] = poor_persons
            out["taux_pauvrete"] = poor_persons / out["personnes"] * 100
        else:
            n = grouped[name].sum()
            out[f"n_{name}"] = n
            out[name] = n / out["menages"] * 100
    out["n_menages_pauvres"] = grouped["pauvre"].sum()
    codes, uniques = pd.factorize(g["_zone"])
    medians = grouped_weighted_median(
        codes.astype(np.int64),
        g["niveau_de_vie"].to_numpy(dtype=float),
        g["personnes"].to_numpy(dtype=float),
        len(uniques),
    )
    out["mediane_niveau_de_vie"] = pd.Series(medians, index=uniques)
    out.index.name = level
    return out


def mesures() -> list[Measure]:
    """What each column of an indicator table rests on. The poverty rate is counted on
    persons: its numerator rests on the poor households, its complement on the others."""
    measures: list[Measure] = [
        Count("menages"),
        Count("personnes", households="menages"),
        Count("n_menages_pauvres", part_of="menages"),
        Statistic("mediane_niveau_de_vie", "menages"),
    ]
    for name in SHARES:
        if name == "taux_pauvrete":
            measures += [
                Count("n_taux_pauvrete", part_of="personnes", households="n_menages_pauvres"),
                Share(name, "n_taux_pauvrete", "personnes"),
            ]
        else:
            measures += [Count(f"n_{name}", part_of="menages"), Share(name, f"n_{name}", "menages")]
    return measures


def publier(table: pd.DataFrame) -> pd.DataFrame:
    """Apply statistical secrecy to one indicator table on its own (households counted
    per zone, with its « ensemble » row). Tables of several levels or vintages published
    together go through :func:`mixite.observatoire.publication.publier_niveaux`."""
    flat = table.reset_index()
    totals = (flat[flat.columns[0]] == TOTAL).to_numpy()
    secret = apply_secrecy(flat, mesures(), total_rows=totals)
    return secret.table.set_index(table.index.name)


def evolution(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Change of every published indicator between two vintages (points for shares)."""
    common = before.index.intersection(after.index)
    cols = [c for c in after.columns if c in before.columns and not c.startswith("n_")]
    diff = after.loc[common, cols] - before.loc[common, cols]
    return diff.add_prefix("evolution_")


def parc_brut(dwellings: pd.DataFrame, allocations: pd.DataFrame, level: str) -> pd.DataFrame:
    """The raw (unpublished) social-stock table of ``level``: dwellings, vacant ones,
    vacancy rate, allocations of the period, turnover, and an « ensemble » row."""
    d = dwellings.dropna(subset=[level]).assign(_zone=lambda f: f[level].astype(str))
    d = pd.concat([d, d.assign(_zone=TOTAL)], ignore_index=True)
    alloc = allocations.merge(
        dwellings[["id_logement", level]], on="id_logement", how="inner"
    ).dropna(subset=[level])
    alloc = alloc.assign(_zone=alloc[level].astype(str))
    alloc = pd.concat([alloc, alloc.assign(_zone=TOTAL)], ignore_index=True)
    g = d.groupby("_zone")
    out = pd.DataFrame({"logements": g.size(), "n_vacants": g["vacant"].sum()})
    out["taux_vacance"] = out["n_vacants"] / out["logements"] * 100
    out["n_attributions"] = alloc.groupby("_zone").size().reindex(out.index, fill_value=0)
    out["taux_rotation"] = out["n_attributions"] / out["logements"] * 100
    out.index.name = level
    return out


def mesures_parc() -> list[Measure]:
    """What each column of the social-stock table rests on (allocations are households
    housed, so they follow the same threshold)."""
    return [
        Count("logements"),
        Count("n_vacants", part_of="logements"),
        Share("taux_vacance", "n_vacants", "logements"),
        Count("n_attributions"),
        Derived("taux_rotation", ("n_attributions", "logements")),
    ]


def indicateurs_parc(
    dwellings: pd.DataFrame, allocations: pd.DataFrame, level: str
) -> pd.DataFrame:
    """Social stock per zone of one level on its own, with secrecy (tables of several
    levels: :func:`mixite.observatoire.publication.publier_parc`).

    ``dwellings`` has ``id_logement``, ``vacant`` and the zone column; ``allocations`` has
    ``id_logement`` (the allocations of the period, e.g. the last 12 months).
    """
    flat = parc_brut(dwellings, allocations, level).reset_index()
    secret = apply_secrecy(flat, mesures_parc(), total_rows=(flat[level] == TOTAL).to_numpy())
    return secret.table.set_index(level)


def indicateurs_filosofi(grid: pd.DataFrame, level: str = "commune") -> pd.DataFrame:
    """The INSEE 200 m grid aggregated to communes (first code of ``lcog_geo``): households,
    poor, single-parent, 5+ persons, owners, social dwellings, mean standard of living, and
    the share of households living in **imputed** cells (``I_est_200 = 1``), carried through
    the aggregation; secrecy applied."""
    g = grid.assign(commune=grid["lcog_geo"].astype("string").str[:5])
    g = g.dropna(subset=["commune"])
    g = pd.concat([g, g.assign(commune=TOTAL)], ignore_index=True)
    imputed = g["I_est_200"].astype(float) > 0
    agg = (
        g.assign(men_imputes=np.where(imputed, g["Men"], 0.0))
        .groupby("commune")
        .agg(
            carreaux=("Idcar_200m", "size"),
            menages=("Men", "sum"),
            n_pauvres=("Men_pauv", "sum"),
            n_monoparentales=("Men_fmp", "sum"),
            n_grandes_familles=("Men_5ind", "sum"),
            n_proprietaires=("Men_prop", "sum"),
            logements_sociaux=("Log_soc", "sum"),
            individus=("Ind", "sum"),
            somme_niveaux_de_vie=("Ind_snv", "sum"),
            n_menages_carreaux_imputes=("men_imputes", "sum"),
        )
    )
    for name in (
        "pauvres",
        "monoparentales",
        "grandes_familles",
        "proprietaires",
        "menages_carreaux_imputes",
    ):
        agg[f"part_{name}"] = agg[f"n_{name}"] / agg["menages"] * 100
    agg["niveau_de_vie_moyen"] = agg["somme_niveaux_de_vie"] / agg["individus"]
    agg = agg.drop(columns=["somme_niveaux_de_vie"])
    agg.index.name = level
    flat = agg.reset_index()
    measures: list[Measure] = [
        Count("menages"),
        Statistic("niveau_de_vie_moyen", "menages"),
        Statistic("individus", "menages"),
    ]
    for name in (
        "pauvres",
        "monoparentales",
        "grandes_familles",
        "proprietaires",
        "menages_carreaux_imputes",
    ):
        measures += [Count(f"n_{name}"), Share(f"part_{name}", f"n_{name}", "menages")]
    secret = apply_secrecy(flat, measures, total_rows=(flat[level] == TOTAL).to_numpy())
    return secret.table.set_index(level)
