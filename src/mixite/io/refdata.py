"""Reference data shipped in the package (``mixite/data``), each file with its vintage.

Provenance: ``../shared/data/refdata/SOURCES.md`` and ``scripts/extraire_donnees_mel.py``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import pandas as pd
import shapely

from mixite.twin.sources import MelSources


def _open(rel: str) -> str:
    return (resources.files("mixite") / "data" / rel).read_text(encoding="utf-8")


def _csv(rel: str, **kwargs: object) -> pd.DataFrame:
    from io import StringIO

    return pd.read_csv(StringIO(_open(rel)), **kwargs)  # type: ignore[call-overload, no-any-return]


@cache
def plafonds_ressources() -> pd.DataFrame:
    """Income ceilings by vintage, financing, zone and category (€ per year)."""
    return _csv("refdata/plafonds_ressources.csv", dtype={"category": str})


@cache
def premier_quartile() -> pd.DataFrame:
    """First-quartile thresholds per EPCI and vintage (€ per consumption unit and year)."""
    return _csv("refdata/premier_quartile_national.csv", dtype={"epci_siren": str})


@cache
def epci_membership() -> pd.DataFrame:
    """Commune → EPCI for Nord (59) and Pas-de-Calais (62), DGCL BANATIC 2019-2025: one
    row per membership with the first and last vintage it holds (``depuis``, ``jusqua``)."""
    return _csv("refdata/epci_membership_59_62.csv", dtype={"insee_code": str, "epci_siren": str})


@cache
def mel_communes() -> pd.DataFrame:
    """The 95 communes of the MEL with their territory (8) and unité territoriale (4)."""
    return _csv("refdata/mel_communes.csv", dtype=str)


@cache
def mel_sources() -> MelSources:
    """Load the embedded MEL extract (communes, Filosofi 2016, census 2016 IRIS, polygons)."""
    geo = json.loads(_open("mel/communes_2018.geojson"))
    polygons = {
        f["properties"]["code"]: shapely.from_geojson(json.dumps(f["geometry"]))
        for f in geo["features"]
    }
    threshold = _csv("mel/seuil_pauvrete_filosofi_2016.csv")
    return MelSources(
        communes=mel_communes(),
        filosofi=_csv("mel/filosofi_communes_2016.csv", dtype={"CODGEO": str}),
        iris=_csv("mel/recensement_iris_2016.csv", dtype={"IRIS": str}),
        polygons=polygons,
        poverty_threshold=float(threshold["seuil_annuel_eur"].iloc[0]),
    )


def default_poverty_threshold(year: int) -> float:
    """Filosofi 2016's poverty threshold (estimated, see docs/jumeau.md) uprated to ``year``
    like the PLUS ceiling — the twin's own rule for incomes."""
    from mixite.core.plafonds import revalorisation_plus

    uprate = revalorisation_plus(plafonds_ressources(), depuis=2016, vers=year, zone=3)
    return mel_sources().poverty_threshold * uprate
