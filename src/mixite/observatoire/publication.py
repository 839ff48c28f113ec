"""Publishing the observatory's indicators at every level and vintage at once.

A table published for one level can be compared with another level's (a commune and its
IRIS, a territory and its communes, a building and its entrances) and with another
vintage. Secrecy is therefore decided once for all of them together
(:class:`mixite.core.secret.Release`): every level's table, its « ensemble » row, the
nesting of each level in the coarser ones (measured on the households: a zone nests in
a parent when all its households share that parent) and the change of each zone between
consecutive vintages. Whichever level a user asks for, the cells hidden are the same, so
no two outputs recover a small figure by difference.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from mixite.core.secret import Release, SecretTable, parent_rows
from mixite.observatoire.indicateurs import (
    LEVELS,
    TOTAL,
    indicateurs,
    mesures,
    mesures_parc,
    parc_brut,
)

#: For each level, the coarser levels it may nest in (checked on the data).
PARENTS: dict[str, tuple[str, ...]] = {
    "code_territoire": ("code_epci",),
    "code_commune": ("code_territoire", "code_epci"),
    "code_iris": ("code_commune",),
    "code_qpv": ("code_commune",),
    "idcar_200m": ("code_iris", "code_qpv", "code_commune"),
    "id_batiment": ("idcar_200m", "code_iris", "code_qpv"),
    "id_entree": ("id_batiment",),
}


def nesting(menages: pd.DataFrame, child: str, parent: str) -> pd.Series:
    """For each zone of ``child``: its ``parent`` zone where all its households share one
    (missing otherwise)."""
    both = menages[[child, parent]].dropna(subset=[child]).astype("string")
    g = both.groupby(child, sort=False)[parent]
    unique = g.nunique(dropna=False) == 1
    first = g.first()
    return first.where(unique & first.notna())


def add_nestings(
    release: Release,
    units: pd.DataFrame,
    raws: Mapping[str, pd.DataFrame],
    parents: Mapping[str, tuple[str, ...]],
    table_name: Callable[[str], str],
) -> None:
    """Tie each level's table to the coarser levels it nests in, the nesting measured
    on ``units`` (households or dwellings); the « ensemble » rows nest in nothing."""
    for child, raw in raws.items():
        for parent in parents.get(child, ()):
            if parent not in raws:
                continue
            of = nesting(units, child, parent)
            zones = raw.index.to_series()
            keys = zones.map(of).where(zones != TOTAL)
            rows = parent_rows(keys, raws[parent].index.to_series())
            release.add_nesting(table_name(parent), table_name(child), parent_rows=rows)


def release_niveaux(
    vintages: Mapping[int, tuple[pd.DataFrame, pd.DataFrame]],
    levels: Sequence[str] | None = None,
) -> tuple[Release, dict[tuple[int, str], pd.DataFrame]]:
    """The release of every ``(vintage, level)`` indicator table and the raw tables."""
    release = Release()
    raws: dict[tuple[int, str], pd.DataFrame] = {}
    for year, (menages, f) in sorted(vintages.items()):
        present = [lv for lv in (levels or LEVELS) if lv in menages.columns]
        for level in present:
            raw = indicateurs(menages, f, level)
            raws[(year, level)] = raw
            name = f"{year}/{level}"
            flat = raw.reset_index()
            release.add_table(name, flat, mesures())
            release.add_totals(name, (flat[level] == TOTAL).to_numpy())
        add_nestings(
            release,
            menages,
            {lv: raws[(year, lv)] for lv in present},
            PARENTS,
            f"{year}/{{}}".format,
        )
    years = sorted(vintages)
    for before, after in itertools.pairwise(years):
        for level in {lv for (y, lv) in raws if y == before} & {
            lv for (y, lv) in raws if y == after
        }:
            rows = parent_rows(
                raws[(after, level)].index.to_series(), raws[(before, level)].index.to_series()
            )
            release.add_change(f"{before}/{level}", f"{after}/{level}", before_rows=rows)
    return release, raws


def publier_niveaux(
    vintages: Mapping[int, tuple[pd.DataFrame, pd.DataFrame]],
    levels: Sequence[str] | None = None,
) -> dict[tuple[int, str], pd.DataFrame]:
    """Published indicator tables for every ``(vintage, level)``.

    ``vintages`` maps a year to its households and their :func:`flags`. ``levels``
    defaults to every level the households carry. Tables keep their « ensemble » row.
    """
    release, raws = release_niveaux(vintages, levels)
    published: dict[str, SecretTable] = release.publish()
    out: dict[tuple[int, str], pd.DataFrame] = {}
    for year, level in raws:
        out[(year, level)] = published[f"{year}/{level}"].table.set_index(level)
    return out


#: Levels of the social stock and the coarser levels each may nest in.
PARENTS_PARC: dict[str, tuple[str, ...]] = {
    "code_commune": ("code_territoire",),
    "code_iris": ("code_commune",),
    "code_qpv": ("code_commune",),
    "id_batiment": ("code_iris", "code_qpv"),
    "id_entree": ("id_batiment",),
}


def release_parc(
    dwellings: pd.DataFrame, allocations: pd.DataFrame, levels: Sequence[str]
) -> tuple[Release, dict[str, pd.DataFrame]]:
    """The release of the social-stock tables of every level, and the raw tables."""
    release = Release()
    raws: dict[str, pd.DataFrame] = {}
    present = [lv for lv in levels if lv in dwellings.columns]
    for level in present:
        raw = parc_brut(dwellings, allocations, level)
        raws[level] = raw
        flat = raw.reset_index()
        release.add_table(level, flat, mesures_parc())
        release.add_totals(level, (flat[level] == TOTAL).to_numpy())
    add_nestings(release, dwellings, raws, PARENTS_PARC, str)
    return release, raws


def publier_parc(
    dwellings: pd.DataFrame, allocations: pd.DataFrame, levels: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """Social-stock tables of every level, secrecy decided for all of them at once (so
    that a commune and its IRIS, or a building and its entrances, never give a small
    count away by difference)."""
    release, raws = release_parc(dwellings, allocations, levels)
    published = release.publish()
    return {level: published[level].table.set_index(level) for level in raws}
