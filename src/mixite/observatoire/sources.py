"""The observatory from aggregate sources: which source gives which indicator at which
level, the best one available in the store, and the published tables.

Household microdata (the twin, or OPS records for social tenants) give every indicator
at every level. Without them, the observatory runs on what INSEE and the State publish:

========== =============================== ====================== =====================
source     store table                     levels                 field
========== =============================== ====================== =====================
filosofi   filosofi_zones                  commune, EPCI          all households
census     recensement_iris_*              IRIS, commune, EPCI    all households
grid       filosofi_carreaux               200 m cell, commune    all households
ops        ops_agregats                    commune, QPV, EPCI     social tenants
========== =============================== ====================== =====================

:data:`INDICATEURS` declares, for each indicator, each source that computes it, with the
definition that source uses. For a level, :func:`provenances` picks per indicator the
best source with data (lowest rank: exact zone figures before aggregated cells) and its
latest vintage, or the vintage asked; :func:`observatoire` computes the tables, applies
statistical secrecy (counts of 1 to 10 households and shares resting on them are blank;
census IRIS and their communes are published together so that no IRIS is recovered by
difference) and says, per column, its source and vintage. Vintages are never mixed
silently: when two indicators come from different years the notes say so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.secret import Count, Measure, Release, Share, Statistic, parent_rows
from mixite.observatoire.indicateurs import TOTAL

#: Levels of the aggregate observatory, as the rest of the observatory names them.
NIVEAUX_SOURCES = ("idcar_200m", "code_iris", "code_qpv", "code_commune", "code_epci")


@dataclass(frozen=True)
class Source:
    """A source of indicators: its table(s), levels, field and rank (0 = best)."""

    code: str
    libelle: str
    court: str
    tables: tuple[str, ...]
    niveaux: tuple[str, ...]
    champ: str
    rang: int


SOURCES: dict[str, Source] = {
    s.code: s
    for s in (
        Source("filosofi", "Insee, Filosofi (communes et EPCI)", "Filosofi", ("filosofi_zones",),
               ("code_commune", "code_epci"), "ménages fiscaux", 1),
        Source("recensement", "Insee, recensement, bases infracommunales (IRIS d'habitat)", "recensement",
               ("recensement_iris_logements", "recensement_iris_menages", "recensement_iris_population"),
               ("code_iris", "code_commune", "code_epci"), "ménages (résidences principales)", 2),
        Source("carreaux", "Insee, Filosofi carroyé 200 m", "Filosofi carroyé", ("filosofi_carreaux",),
               ("idcar_200m", "code_commune"), "ménages fiscaux", 3),
        Source("ops", "Enquête OPS, résultats par zone", "OPS", ("ops_agregats",),
               ("code_commune", "code_qpv", "code_epci"), "locataires du parc social", 1),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Definition:
    """How one source computes one indicator: numerator and base (a share), or a value."""

    source: str
    definition: str
    numerateur: str | None = None
    base: str | None = None
    valeur: str | None = None


#: Indicator → the sources that compute it (codes of the household catalogue where the
#: definition is the same; the census' own where it differs).
INDICATEURS: dict[str, tuple[str, tuple[Definition, ...]]] = {
    "menages": ("ménages", (
        Definition("filosofi", "ménages fiscaux (NBMENFISC)", valeur="nbmenfisc"),
        Definition("recensement", "résidences principales, maisons et appartements", valeur="rp"),
        Definition("carreaux", "ménages fiscaux des carreaux (Men)", valeur="men"),
        Definition("ops", "ménages locataires enquêtés", valeur="menages"),
    )),
    "personnes": ("personnes", (
        Definition("filosofi", "personnes des ménages fiscaux", valeur="nbpersmenfisc"),
        Definition("recensement", "personnes des ménages", valeur="pmen"),
        Definition("carreaux", "individus des carreaux (Ind)", valeur="ind"),
        Definition("ops", "personnes des ménages enquêtés", valeur="personnes"),
    )),
    "mediane_niveau_de_vie": ("médiane du niveau de vie (€ par UC)", (
        Definition("filosofi", "médiane du niveau de vie des personnes (MED)", valeur="med"),
    )),
    "taux_pauvrete": ("taux de pauvreté (% des personnes)", (
        Definition("filosofi", "personnes sous le seuil de 60 % de la médiane (TP60)", valeur="tp60"),
    )),
    "premier_decile": ("1er décile du niveau de vie (€ par UC)", (
        Definition("filosofi", "1er décile du niveau de vie (D1)", valeur="d1"),
    )),
    "part_prestations_sociales": ("part des prestations sociales dans le revenu (%)", (
        Definition("filosofi", "PPSOC", valeur="ppsoc"),
    )),
    "part_minima_sociaux": ("part des minima sociaux dans le revenu (%)", (
        Definition("filosofi", "PPMINI", valeur="ppmini"),
    )),
    "part_chomage": ("part des indemnités de chômage dans le revenu (%)", (
        Definition("filosofi", "PCHO", valeur="pcho"),
    )),
    "menages_pauvres": ("ménages pauvres (% des ménages)", (
        Definition("carreaux", "ménages pauvres des carreaux (Men_pauv / Men)", "men_pauv", "men"),
    )),
    "niveau_de_vie_moyen": ("niveau de vie moyen (€ par UC)", (
        Definition("carreaux", "somme des niveaux de vie / individus (Ind_snv / Ind)", valeur="nv_moyen"),
    )),
    "monoparentales": ("familles monoparentales (% des ménages)", (
        Definition("carreaux", "Men_fmp / Men", "men_fmp", "men"),
        Definition("ops", "familles monoparentales / ménages enquêtés", "n_monoparentales", "menages"),
    )),
    "personnes_monoparentales": ("personnes en famille monoparentale (% des personnes)", (
        Definition("recensement", "personnes des ménages « famille monoparentale » / personnes des ménages", "pmen_fammono", "pmen"),
    )),
    "menages_une_personne": ("ménages d'une personne (% des ménages)", (
        Definition("recensement", "hommes et femmes seuls / résidences principales", "pmen_seul", "rp"),
        Definition("carreaux", "Men_1ind / Men", "men_1ind", "men"),
    )),
    "grandes_familles": ("ménages de 5 personnes ou plus (% des ménages)", (
        Definition("carreaux", "Men_5ind / Men", "men_5ind", "men"),
        Definition("ops", "ménages de 5 personnes ou plus / ménages enquêtés", "n_grandes_familles", "menages"),
    )),
    "proprietaires": ("propriétaires (% des ménages)", (
        Definition("carreaux", "Men_prop / Men", "men_prop", "men"),
    )),
    "locataires_sociaux": ("locataires du parc social (% des ménages)", (
        Definition("recensement", "résidences principales louées vides HLM / résidences principales", "rp_lochlmv", "rp"),
    )),
    "logements_sociaux_carreaux": ("logements sociaux (pour 100 ménages)", (
        Definition("carreaux", "Log_soc / Men", "log_soc", "men"),
    )),
    "ouvriers_employes": ("personnes des ménages dont la référence est ouvrière ou employée (%)", (
        Definition("recensement", "personnes des ménages, référence CS5 ou CS6 / personnes des ménages", "pmen_cs56", "pmen"),
    )),
    "personnes_75_plus": ("personnes de 75 ans ou plus (%)", (
        Definition("recensement", "population de 75 ans ou plus / population", "pop75", "pop"),
    )),
    "reference_65_plus": ("titulaire de 65 ans ou plus (% des ménages)", (
        Definition("ops", "titulaires de 65 ans ou plus / ménages enquêtés", "n_reference_65_plus", "menages"),
    )),
    "sous_40_plus": ("ménages sous 40 % du plafond PLUS (%)", (
        Definition("ops", "ménages sous 40 % du plafond / ménages enquêtés", "n_sous_40_plus", "menages"),
    )),
    "sans_actif_occupe": ("ménages sans actif occupé (%)", (
        Definition("ops", "ménages sans emploi / ménages enquêtés", "n_sans_actif_occupe", "menages"),
    )),
    "allocataires_apl": ("allocataires d'une aide au logement (%)", (
        Definition("ops", "ménages percevant une aide / ménages enquêtés", "n_allocataires_apl", "menages"),
    )),
}  # fmt: skip


@dataclass(frozen=True)
class Provenance:
    """Where one indicator of a level comes from."""

    indicateur: str
    libelle: str
    source: str
    millesime: int
    definition: str


Reader = Callable[[str], pd.DataFrame]


def _vintages(read: Reader, table: str) -> set[int]:
    frame = read(table)
    if frame.empty or "millesime" not in frame:
        return set()
    return {int(v) for v in frame["millesime"].dropna().unique()}


#: The census table each census variable comes from.
_CENSUS_TABLE = {"rp": "logements", "rp_lochlmv": "logements", "pmen": "menages",
                 "pmen_fammono": "menages", "pmen_seul": "menages", "pmen_cs56": "menages",
                 "pop": "population", "pop75": "population"}  # fmt: skip


def _tables_of(d: Definition) -> tuple[str, ...]:
    """The store tables a definition reads (the census: those of its variables and of
    the households base)."""
    source = SOURCES[d.source]
    if d.source != "recensement":
        return source.tables[:1]
    names = {"rp", *(v for v in (d.numerateur, d.base, d.valeur) if v)}
    return tuple(sorted({f"recensement_iris_{_CENSUS_TABLE[n]}" for n in names}))


def epci_of_communes(membership: pd.DataFrame, year: int) -> pd.Series:
    """Commune code → EPCI SIREN in ``year`` from a DGCL membership table (``insee_code``,
    ``epci_siren``, first and last vintage ``depuis``, ``jusqua``), the nearest vintage held
    for years outside it."""
    if membership.empty:
        return pd.Series(dtype="string")
    m = membership
    y = min(max(year, int(m["depuis"].min())), int(m["jusqua"].max()))
    held = m[(m["depuis"] <= y) & (m["jusqua"] >= y)]
    return held.set_index("insee_code")["epci_siren"].astype("string")


#: The pseudo-table a reader serves with the packaged commune → EPCI membership.
APPARTENANCE = "appartenance_epci"


def _commune_epci(read: Reader, year: int) -> pd.Series:
    """Commune → EPCI, from the store's communes where it says, else the DGCL membership
    of ``year`` the reader serves (:data:`APPARTENANCE`)."""
    communes = read("communes")
    out = epci_of_communes(read(APPARTENANCE), year)
    if not communes.empty and "code_epci" in communes:
        own = communes.dropna(subset=["code_epci"]).set_index("code_commune")["code_epci"]
        out = own.astype("string").combine_first(out)
    return out.astype("string")


def _add_total(frame: pd.DataFrame, level: str, sums: list[str]) -> pd.DataFrame:
    total = frame[sums].sum().to_frame().T
    total.index = pd.Index([TOTAL], name=level)
    return pd.concat([frame, total])


def _filosofi(read: Reader, level: str, year: int) -> pd.DataFrame:
    z = read("filosofi_zones")
    niveau = "epci" if level == "code_epci" else "commune"
    z = z[(z["millesime"] == year) & (z["niveau"] == niveau)].set_index("code_zone")
    out = z[["nbmenfisc", "nbpersmenfisc", "med", "tp60", "d1", "ppsoc", "ppmini", "pcho"]]
    out = out.astype(float)
    out.index = out.index.astype(str)
    out.index.name = level
    return out


def _census_iris(read: Reader, year: int) -> pd.DataFrame:
    lg = read("recensement_iris_logements")
    mn = read("recensement_iris_menages")
    pop = read("recensement_iris_population")
    frames = []
    if not lg.empty:
        lg = lg[lg["millesime"] == year].set_index("code_iris")
        frames.append(
            pd.DataFrame(
                {
                    "rp": lg["p_rpmaison"].astype(float) + lg["p_rpappart"].astype(float),
                    "rp_lochlmv": lg["p_rp_lochlmv"].astype(float),
                }
            )
        )
    if not mn.empty:
        mn = mn[mn["millesime"] == year].set_index("code_iris")
        types = ["c_pmen_mensfam", "c_pmen_menhseul", "c_pmen_menfseul", "c_pmen_mencoupsenf",
                 "c_pmen_mencoupaenf", "c_pmen_menfammono"]  # fmt: skip
        frames.append(
            pd.DataFrame(
                {
                    "pmen": mn[types].astype(float).sum(axis=1),
                    "pmen_fammono": mn["c_pmen_menfammono"].astype(float),
                    "pmen_seul": mn["c_pmen_menhseul"].astype(float)
                    + mn["c_pmen_menfseul"].astype(float),
                    "pmen_cs56": mn["c_pmen_cs5"].astype(float) + mn["c_pmen_cs6"].astype(float),
                }
            )
        )
    if not pop.empty:
        pop = pop[pop["millesime"] == year].set_index("code_iris")
        ages = ["p_pop0014", "p_pop1529", "p_pop3044", "p_pop4559", "p_pop6074", "p_pop75p"]
        frames.append(
            pd.DataFrame(
                {"pop": pop[ages].astype(float).sum(axis=1), "pop75": pop["p_pop75p"].astype(float)}
            )
        )
    out = pd.concat(frames, axis=1)
    out.index = out.index.astype(str)
    out.index.name = "code_iris"
    return out


def _grid(read: Reader, year: int) -> pd.DataFrame:
    g = read("filosofi_carreaux")
    g = g[g["millesime"] == year]
    out = pd.DataFrame(
        {
            "men": g["men"].astype(float),
            "ind": g["ind"].astype(float),
            "ind_snv": g["ind_snv"].astype(float),
            "men_pauv": g["men_pauv"].astype(float),
            "men_fmp": g["men_fmp"].astype(float),
            "men_1ind": g["men_1ind"].astype(float),
            "men_5ind": g["men_5ind"].astype(float),
            "men_prop": g["men_prop"].astype(float),
            "log_soc": g["log_soc"].astype(float),
            "code_commune": g["lcog_geo"].astype("string").str[:5],
        }
    )
    out.index = g["idcar_200m"].astype(str).to_numpy()
    return out


_GRID_SUMS = ["men", "ind", "ind_snv", "men_pauv", "men_fmp", "men_1ind", "men_5ind", "men_prop", "log_soc"]  # fmt: skip


def _aggregate(frame: pd.DataFrame, keys: pd.Series, level: str, sums: list[str]) -> pd.DataFrame:
    out = frame[sums].groupby(keys.to_numpy()).sum()
    out.index = out.index.astype(str)
    out.index.name = level
    return out


def _ops(read: Reader, level: str, year: int) -> pd.DataFrame:
    o = read("ops_agregats")
    niveau = {"code_commune": "commune", "code_qpv": "qpv", "code_epci": "epci"}[level]
    o = o[(o["millesime"] == year) & (o["niveau"] == niveau)].set_index("code_zone")
    cols = [c for c in o.columns if c == "menages" or c == "personnes" or c.startswith("n_")]
    out = o[cols].astype(float)
    out.index = out.index.astype(str)
    out.index.name = level
    return out


def _raw(read: Reader, source: str, level: str, year: int) -> pd.DataFrame:
    """The source's raw counts and values for every zone of ``level``, and a total row
    of the counts (rates and medians of the whole are not published by the sources and
    stay empty)."""
    if source == "filosofi":
        out = _filosofi(read, level, year)
        sums = ["nbmenfisc", "nbpersmenfisc"]
    elif source == "ops":
        out = _ops(read, level, year)
        sums = list(out.columns)
    elif source == "recensement":
        iris = _census_iris(read, year)
        commune = iris.index.to_series().str[:5]
        sums = list(iris.columns)
        if level == "code_iris":
            out = iris
        elif level == "code_commune":
            out = _aggregate(iris, commune, level, sums)
        else:
            epci = commune.map(_commune_epci(read, year))
            keep = epci.notna().to_numpy()
            out = _aggregate(iris[keep], epci[keep], level, sums)
    else:
        grid = _grid(read, year)
        sums = _GRID_SUMS
        if level == "idcar_200m":
            out = grid[_GRID_SUMS]
            out.index.name = level
        else:
            keep = grid["code_commune"].notna().to_numpy()
            out = _aggregate(grid[keep], grid["code_commune"][keep], level, _GRID_SUMS)
    out = _add_total(out, level, sums)
    if source == "carreaux":
        out = out.assign(nv_moyen=out["ind_snv"] / out["ind"])
    return out


def _parents(read: Reader, source: str, year: int, child: str, zones: pd.Series) -> pd.Series:
    """The zone of the next level up that each zone of ``child`` lies in (missing: none
    known); the « ensemble » row lies in none."""
    if child == "code_iris":
        keys = zones.str[:5]
    elif child == "code_commune":
        keys = zones.map(_commune_epci(read, year))
    elif child == "idcar_200m":
        keys = zones.map(_grid(read, year)["code_commune"])
    else:
        keys = pd.Series(pd.NA, index=zones.index, dtype="string")
    return keys.where(zones != TOTAL)


def in_territory(
    zones: pd.Index, level: str, communes: frozenset[str] | None, read: Reader, year: int
) -> npt.NDArray[np.bool_]:
    """Which zones of ``level`` lie in the territory (its communes, their IRIS, cells,
    EPCI and QPV); every zone when there is no territory."""
    codes = zones.to_series().astype(str)
    if communes is None:
        return np.ones(len(codes), dtype=bool)
    if level == "code_commune":
        keep = codes.isin(communes)
    elif level == "code_iris":
        keep = codes.str[:5].isin(communes)
    elif level == "idcar_200m":
        grid = _grid(read, year)["code_commune"]
        keep = codes.map(grid).isin(communes)
    elif level == "code_epci":
        keep = codes.isin(set(_commune_epci(read, year).reindex(list(communes)).dropna()))
    else:
        qpv = read("qpv")
        inside = (
            set() if qpv.empty else set(qpv.loc[qpv["code_commune"].isin(communes), "code_qpv"])
        )
        keep = codes.isin(inside)
    return np.asarray(keep.fillna(False).to_numpy(dtype=bool))


def provenances(
    read: Reader,
    level: str,
    *,
    millesime: int | None = None,
    champ: str | None = None,
    exclude: frozenset[str] = frozenset(),
) -> list[Provenance]:
    """For each indicator, the best source with data at ``level`` (and ``champ``),
    sources in ``exclude`` left out."""
    held = {t: _vintages(read, t) for s in SOURCES.values() for t in s.tables}
    out = []
    for code, (libelle, definitions) in INDICATEURS.items():
        best = None
        for d in definitions:
            s = SOURCES[d.source]
            if d.source in exclude or level not in s.niveaux:
                continue
            if champ is not None and s.champ != champ:
                continue
            available = sorted(set.intersection(*(held[t] for t in _tables_of(d))))
            year = millesime if millesime in available else None
            if millesime is None and available:
                year = available[-1]
            if year is None:
                continue
            if best is None or s.rang < SOURCES[best[0].source].rang:
                best = (d, year)
        if best is not None:
            d, year = best
            out.append(Provenance(code, libelle, d.source, year, d.definition))
    return out


def _measures(definitions: list[tuple[str, Definition]], base_count: str) -> list[Measure]:
    measures: list[Measure] = [Count(base_count)]
    # Persons and population rest on the households of the zone.
    for other in sorted({d.base for _, d in definitions if d.base and d.base != base_count}):
        measures.append(Count(other, households=base_count))
    for code, d in definitions:
        if d.numerateur:
            measures += [
                Count(f"n_{code}", part_of=d.base or base_count),
                Share(code, f"n_{code}", d.base or base_count),
            ]
        elif d.valeur is not None and d.valeur != base_count:
            measures.append(
                Count(code, households=base_count)
                if code == "personnes"
                else Statistic(code, base_count)
            )
    return measures


BASES = {"filosofi": "nbmenfisc", "recensement": "rp", "carreaux": "men", "ops": "menages"}


def observatoire(
    read: Reader,
    level: str,
    *,
    millesime: int | None = None,
    champ: str | None = None,
    communes: frozenset[str] | None = None,
) -> tuple[pd.DataFrame, list[Provenance], list[str]]:
    """The published indicators of every zone of ``level`` (within ``communes``: a
    territory) from the best sources, their provenance, and notes (sources, vintages)."""
    if level not in NIVEAUX_SOURCES:
        raise ValueError(f"level must be one of {NIVEAUX_SOURCES}; got {level!r}.")
    # A source with no zone in the territory (the Martinique grid for the MEL) is left
    # out, and the next best one taken.
    exclude: frozenset[str] = frozenset()
    while True:
        chosen = provenances(read, level, millesime=millesime, champ=champ, exclude=exclude)
        empty = set()
        for p in chosen:
            zones = _raw(read, p.source, level, p.millesime).index.drop(TOTAL)
            if not in_territory(zones, level, communes, read, p.millesime).any():
                empty.add(p.source)
        if not empty:
            break
        exclude = exclude | empty
    if not chosen:
        raise LookupError(level)
    columns: dict[str, pd.Series] = {}
    for source, year in dict.fromkeys((p.source, p.millesime) for p in chosen):
        published = _published(read, source, year)[level]
        keep = in_territory(published.index, level, communes, read, year)
        if communes is None:
            keep |= published.index == TOTAL
        for p in chosen:
            if (p.source, p.millesime) == (source, year):
                columns[p.indicateur] = published.loc[keep, p.indicateur]
    table = pd.DataFrame(columns)
    table.index.name = level
    table = table[[p.indicateur for p in chosen if p.indicateur in table.columns]]
    if TOTAL in table.index:  # the « ensemble » row last
        table = pd.concat([table.drop(index=TOTAL), table.loc[[TOTAL]]])
    notes = _notes(chosen)
    return table, chosen, notes


def _published(read: Reader, source: str, year: int) -> dict[str, pd.DataFrame]:
    """Every indicator of one source and vintage at every level it serves, after
    secrecy decided for all of them at once over every zone the store holds (IRIS in
    their commune, communes in their EPCI, cells in their commune), so that no run, at
    any level or for any territory, gives a small count away by difference with another.
    Tables are indexed by zone, with their « ensemble » row."""
    # Kept on the reader: a command asks the same release for several levels.
    cache: dict[tuple[str, int], dict[str, pd.DataFrame]] = read.__dict__.setdefault("releases", {})
    if (source, year) in cache:
        return cache[(source, year)]
    base = BASES[source]
    defs = [
        (code, d)
        for code, (_, definitions) in INDICATEURS.items()
        for d in definitions
        if d.source == source and all(year in _vintages(read, t) for t in _tables_of(d))
    ]
    levels = [lv for lv in NIVEAUX_SOURCES if lv in SOURCES[source].niveaux]
    release = Release()
    tables: dict[str, pd.DataFrame] = {}
    for lv in levels:
        raw = _raw(read, source, lv, year)
        flat = pd.DataFrame({lv: raw.index.astype(str)})
        flat[base] = raw[base].to_numpy()
        for other in sorted({d.base for _, d in defs if d.base and d.base != base}):
            flat[other] = raw[other].to_numpy()
        for code, d in defs:
            if d.numerateur:
                flat[f"n_{code}"] = raw[d.numerateur].to_numpy()
                flat[code] = (raw[d.numerateur] / raw[d.base or base] * 100).to_numpy()
            elif d.valeur is not None and d.valeur != base:
                flat[code] = raw[d.valeur].to_numpy()
        tables[lv] = flat
        release.add_table(lv, flat, _measures(defs, base))
        release.add_totals(lv, (flat[lv] == TOTAL).to_numpy())
    for child, parent in itertools.pairwise(levels):
        zones = tables[child][child]
        keys = _parents(read, source, year, child, zones)
        if keys.notna().any():
            rows = parent_rows(keys, tables[parent][parent])
            release.add_nesting(parent, child, parent_rows=rows)
    published = release.publish()
    out = {}
    for lv in levels:
        t = published[lv].table.set_index(lv)
        for code, d in defs:
            if d.valeur == base:
                t[code] = t[base]
        out[lv] = t
    cache[(source, year)] = out
    return out


def _notes(chosen: list[Provenance]) -> list[str]:
    lines = []
    by: dict[tuple[str, int], list[str]] = {}
    for p in chosen:
        by.setdefault((p.source, p.millesime), []).append(p.indicateur)
    for (source, year), codes in by.items():
        lines.append(
            f"Source : {SOURCES[source].libelle}, {year} ({SOURCES[source].champ}) : {', '.join(codes)}"
        )
    years = sorted({p.millesime for p in chosen})
    if len(years) > 1:
        lines.append(
            "Attention : millésimes différents selon les indicateurs ("
            + ", ".join(f"{SOURCES[s].court} {y}" for s, y in by)
            + ") ; --millesime AAAA n'en retient qu'un"
        )
    return lines


def lecteur(tables: Mapping[str, pd.DataFrame]) -> Reader:
    """A reader over frames (tests, notebooks): missing tables are empty."""
    return lambda name: tables.get(name, pd.DataFrame())
