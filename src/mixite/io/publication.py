"""The observatory's published tables, read from the store: one code path for the
command line and the platform, so that they never compute differently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mixite.io import refdata
from mixite.io.queries import households_in_context
from mixite.io.refdata import default_poverty_threshold
from mixite.io.store import Store
from mixite.observatoire.indicateurs import flags
from mixite.observatoire.publication import publier_niveaux
from mixite.observatoire.veille import Variable


@dataclass(frozen=True)
class Publication:
    """Every level's published indicator table of one vintage, and how it was made."""

    millesime: int
    tables: dict[str, pd.DataFrame]
    seuil_pauvrete: float
    seuil_explication: str
    menages: pd.DataFrame
    flags: pd.DataFrame


def vintages(households: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in households["millesime"].dropna().unique())


def indicateurs_publies(
    store: Store, *, millesime: int | None = None, seuil_pauvrete: float | None = None
) -> Publication:
    """The indicators of every level of the households of ``millesime`` (default: the
    latest), secrecy decided for all levels at once. A missing vintage is refused in
    French (:class:`ValueError`)."""
    return _publier(households_in_context(store), millesime, seuil_pauvrete)


def _publier(
    households: pd.DataFrame, millesime: int | None, seuil_pauvrete: float | None = None
) -> Publication:
    available = vintages(households)
    if not available:
        raise ValueError("aucun ménage dans la base ; lancez « mixite demo » ou importez-en")
    if millesime is None:
        millesime = available[-1]
    elif millesime not in available:
        raise ValueError(
            f"millésime {millesime} absent de la base ; millésimes : {', '.join(map(str, available))}"
        )
    households = households[households["millesime"] == millesime]
    threshold, how = _seuil(millesime, seuil_pauvrete)
    f = flags(households, refdata.plafonds_ressources(), millesime=millesime, zone=3,
              seuil_pauvrete=threshold)  # fmt: skip
    published = publier_niveaux({millesime: (households, f)})
    tables = {level: t for (_, level), t in published.items()}
    return Publication(millesime, tables, threshold, how, households, f)


def _seuil(millesime: int, seuil_pauvrete: float | None = None) -> tuple[float, str]:
    """The poverty line of ``millesime`` (given, or the default) and how it was set."""
    if seuil_pauvrete is None:
        threshold = default_poverty_threshold(millesime)
        how = (
            f"seuil Filosofi 2016 ({refdata.mel_sources().poverty_threshold:.0f} €) revalorisé "
            "comme le plafond PLUS"
        )
    else:
        threshold, how = seuil_pauvrete, "donné"
    return threshold, how


@dataclass(frozen=True)
class Evolution:
    """The latest vintage's published indicators of one level, with
    ``evolution_personnes_pct`` since the first vintage; the first vintage's published
    table (None with a single vintage); the vintages used."""

    dernier: pd.DataFrame
    premier: pd.DataFrame | None
    millesimes: list[int]


def publier_deux_millesimes(store: Store) -> tuple[dict[tuple[int, str], pd.DataFrame], list[int]]:
    """Every level's published indicators for the first and latest vintages, published
    together (a change of 1 to 10 households stays secret), and the vintages used."""
    households = households_in_context(store)
    years = vintages(households)
    if not years:
        raise ValueError("aucun ménage dans la base ; lancez « mixite demo » ou importez-en")
    both = {year: menages_du_millesime(households, year) for year in sorted({years[0], years[-1]})}
    return publier_niveaux(both), sorted(both)


def menages_du_millesime(households: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``year``'s households and their flags (that year's ceilings and poverty line)."""
    part = households[households["millesime"] == year]
    return part, flags(part, refdata.plafonds_ressources(), millesime=year, zone=3,
                       seuil_pauvrete=default_poverty_threshold(year))  # fmt: skip


def evolution_significative(
    store: Store, communes: frozenset[str] | None = None, *, tirages: int = 999
) -> pd.DataFrame | None:
    """What changed significantly between the first and latest vintages, over the
    territory (or ``communes``), IRIS paired between the two vintages
    (:func:`mixite.observatoire.evolution.changements`); None with a single vintage."""
    from mixite.observatoire.evolution import Vintage, changements

    households = households_in_context(store)
    years = vintages(households)
    if len(years) < 2:
        return None
    if communes is not None:
        households = households[households["code_commune"].astype(str).isin(communes).to_numpy()]
    first, last = (Vintage(*menages_du_millesime(households, y)) for y in (years[0], years[-1]))
    out = changements(first, last, tirages=tirages)
    out.attrs["millesimes"] = (years[0], years[-1])
    return out


def publication_jointe(
    store: Store,
) -> tuple[Publication, dict[tuple[int, str], pd.DataFrame], list[int]]:
    """The latest vintage's :class:`Publication` and :func:`publier_deux_millesimes`'
    tables, from one release computed once: with several vintages, the latest vintage's
    figures are those published together with the first's (a page that shows the
    figures beside their change shows one release)."""
    households = households_in_context(store)
    years = vintages(households)
    if len(years) < 2:
        pub = _publier(households, None)
        return pub, {(pub.millesime, lv): t for lv, t in pub.tables.items()}, [pub.millesime]
    both = {year: menages_du_millesime(households, year) for year in (years[0], years[-1])}
    published = publier_niveaux(both)
    last = years[-1]
    threshold, how = _seuil(last)
    part, f = both[last]
    tables = {lv: t for (y, lv), t in published.items() if y == last}
    return Publication(last, tables, threshold, how, part, f), published, [years[0], last]


def evolution_de(
    published: dict[tuple[int, str], pd.DataFrame], years: list[int], niveau: str
) -> Evolution:
    """The :class:`Evolution` of ``niveau`` from :func:`publier_deux_millesimes`' tables:
    the change is computed from published figures only."""
    zones = published[(years[-1], niveau)].copy()
    if len(years) == 1:
        return Evolution(zones, None, years)
    before = published[(years[0], niveau)]
    zones["evolution_personnes_pct"] = (
        (zones["personnes"] / before["personnes"].reindex(zones.index) - 1) * 100
    ).round(1)
    return Evolution(zones, before, years)


def evolution_publiee(store: Store, niveau: str) -> Evolution:
    """The published indicators of ``niveau`` for the first and latest vintages, with
    ``evolution_personnes_pct`` (the typology's demographic axis)."""
    return evolution_de(*publier_deux_millesimes(store), niveau)


#: French headers of the social-stock table.
TITRES_PARC = {
    "logements": "logements sociaux", "n_vacants": "logements vacants",
    "taux_vacance": "taux de vacance (%)", "taux_rotation": "taux de rotation (%)",
}  # fmt: skip


def donnees_parc(
    store: Store, mois: int = 12, fin: dt.date | None = None, bailleur: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    """The social dwellings with their zones (``bailleur``'s only, when given), the
    allocations of the ``mois`` months up to ``fin`` (default the last allocation), and
    that period's start and end: what :func:`parc_publie` publishes."""
    dwellings = store.query(
        "SELECT l.id_logement, l.vacant, b.code_commune, b.code_iris, b.code_qpv, b.id_batiment, "
        "e.id_entree, c.code_territoire FROM logements l JOIN entrees e ON e.id_entree = l.id_entree "
        "JOIN batiments b ON b.id_batiment = e.id_batiment "
        "LEFT JOIN communes c ON c.code_commune = b.code_commune"
        + (" WHERE b.code_bailleur = ?" if bailleur else ""),
        [bailleur] if bailleur else [],
    )
    allocations = store.query(
        "SELECT id_logement, date_cal FROM attributions WHERE decision IN "
        "('attribution', 'attribution_rang', 'attribution_sous_condition')"
    )
    dates = pd.to_datetime(allocations["date_cal"])
    end = pd.Timestamp(fin) if fin is not None else dates.max()
    start = end - pd.DateOffset(months=mois)
    recent = allocations[((dates > start) & (dates <= end)).to_numpy()]
    return dwellings, recent, start, end


def niveaux_parc(niveau: str, bailleur: str | None = None) -> list[str]:
    """The levels published together with ``niveau``: every level (no count found by
    difference between levels); a landlord's own stock, the level asked and the
    territories above it."""
    from mixite.observatoire.publication import PARENTS_PARC

    return sorted(
        {niveau, "code_territoire"} if bailleur else {niveau, *PARENTS_PARC, "code_territoire"}
    )


def parc_publie(
    store: Store,
    niveau: str,
    mois: int = 12,
    fin: dt.date | None = None,
    bailleur: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """The social stock of ``niveau`` (dwellings, vacancy, allocations of the ``mois``
    months up to ``fin``, default the last allocation, turnover), secrecy applied across
    levels (:func:`niveaux_parc`), with French headers, and the period it covers.
    ``bailleur``: that landlord's stock only."""
    from mixite.observatoire.publication import publier_parc

    dwellings, recent, start, end = donnees_parc(store, mois, fin, bailleur)
    levels = [lv for lv in niveaux_parc(niveau, bailleur) if lv in dwellings.columns]
    table = publier_parc(dwellings, recent, levels)[niveau].reset_index()
    table = table.rename(columns={**TITRES_PARC, "n_attributions": f"attributions ({mois} mois)"})
    return table, f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"


@dataclass(frozen=True)
class Veille:
    """The entrance watch of the collective entrances, with the thresholds used."""

    entrees: pd.DataFrame
    variables: tuple[Variable, ...]
    maisons: int
    millesime: int
    calibrage: str
    menages: pd.DataFrame


def veille_des_entrees(
    store: Store,
    *,
    bailleur: str | None = None,
    calibrer: float | None = None,
    reglages: Path | None = None,
) -> Veille:
    """Every collective entrance's watch variables, status and reasons. Thresholds: the
    settings file (``reglages``), or (default, and with ``calibrer``) each landlord's
    own centile (90 by default) — computed over ``bailleur``'s entrances when given."""
    from mixite.io.config import load_watch
    from mixite.observatoire.veille import calibrate, collectives, entrance_variables, statuses

    households = households_in_context(store).dropna(subset=["id_entree"])
    year = int(households["millesime"].max())
    households = households[households["millesime"] == year]
    under = flags(households, refdata.plafonds_ressources(), millesime=year, zone=3,
                  seuil_pauvrete=0.0)["sous_40_plus"]  # fmt: skip
    variables, fragile_des, vigilance_marges = load_watch(reglages)
    entrances = entrance_variables(households, under)
    entrances["individuel"] = households.groupby("id_entree")["individuel"].first()
    block = collectives(entrances)
    houses = int((~block).sum())
    entrances = entrances[block].drop(columns=["individuel"])
    if calibrer is None and reglages is None:
        calibrer = 90.0  # by default each landlord's stock sets its own thresholds
    how = "réglages"
    if calibrer is not None:
        scope = entrances if bailleur is None else entrances[entrances["code_bailleur"] == bailleur]
        variables = calibrate(scope, variables, quantile=calibrer / 100)
        how = (
            f"calibrés sur les entrées {'du bailleur' if bailleur else 'du parc'} (centile "
            f"{calibrer:g}, marge jusqu'au centile 95)"
        )
    result = statuses(entrances, variables, fragile_des=fragile_des,
                      vigilance_marges=vigilance_marges)  # fmt: skip
    return Veille(result, tuple(variables), houses, year, how, households)
