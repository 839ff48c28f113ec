"""The twin's social stock: landlords, buildings, entrances and dwellings, as in RPLS.

Each IRIS gets as many social dwellings as it has social households plus a vacancy
margin; collective dwellings are grouped into buildings of 10 to 96 dwellings with an
entrance per dozen, individual houses are buildings of one.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mixite.twin.geography import random_points
from mixite.twin.params import BAILLEURS, TwinParameters

FINANCEMENTS = ("PLUS", "PLAI", "PLS", "PLI", "autre")
FINANCEMENT_SHARES = (0.72, 0.12, 0.09, 0.02, 0.05)
#: Rent per m² and month by financing (2024 €; assumption of the twin).
RENT_M2 = {"PLUS": 6.0, "PLAI": 5.3, "PLS": 8.9, "PLI": 10.8, "autre": 5.6}
_BUILDING_SIZES = np.array([10, 16, 24, 32, 48, 64, 96])
_BUILDING_SIZE_P = np.array([0.18, 0.22, 0.2, 0.16, 0.12, 0.08, 0.04])


def landlords() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code_bailleur": [b[0] for b in BAILLEURS],
            "siren": pd.array([None] * len(BAILLEURS), dtype="string"),
            "nom": [b[1] for b in BAILLEURS],
            "type_bailleur": [b[2] for b in BAILLEURS],
        }
    )


def build_stock(
    social_per_iris: pd.Series,
    iris_polygons: Mapping[str, BaseGeometry],
    params: TwinParameters,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Buildings, entrances and dwellings for ``social_per_iris`` occupied dwellings per IRIS."""
    codes = [b[0] for b in BAILLEURS]
    shares = np.array([b[3] for b in BAILLEURS])
    b_rows: list[dict[str, object]] = []
    dwelling_building: list[npt.NDArray[np.int64]] = []
    entrance_rows: list[tuple[int, str]] = []
    dwelling_entrance: list[npt.NDArray[np.int64]] = []
    for iris, occupied in social_per_iris.items():
        occupied = int(occupied)
        if occupied == 0:
            continue
        total = occupied + int(
            rng.binomial(occupied, params.taux_vacance / (1 - params.taux_vacance))
        )
        n_ind = int(rng.binomial(total, params.part_individuel))
        n_coll = total - n_ind
        sizes: list[int] = []
        while sum(sizes) < n_coll:
            sizes.append(int(rng.choice(_BUILDING_SIZES, p=_BUILDING_SIZE_P)))
        if sizes:
            sizes[-1] -= sum(sizes) - n_coll
            sizes = [s for s in sizes if s > 0]
        polygon = iris_polygons[str(iris)]
        dominant = rng.choice(len(codes), p=shares)
        n_build = len(sizes) + n_ind
        owner = np.where(
            rng.random(n_build) < 0.7, dominant, rng.choice(len(codes), n_build, p=shares)
        )
        points = _building_points(polygon, len(sizes), n_ind, rng)
        for k in range(n_build):
            individual = k >= len(sizes)
            size = 1 if individual else sizes[k]
            bid = len(b_rows)
            b_rows.append(
                {
                    "code_iris": str(iris),
                    "code_bailleur": codes[owner[k]],
                    "x": points[k, 0],
                    "y": points[k, 1],
                    "individuel": individual,
                    "annee_mise_en_service": _year(individual, rng),
                    "size": size,
                }
            )
            n_ent = 1 if individual else int(np.ceil(size / 12))
            per = np.array_split(np.arange(size), n_ent)
            for j, part in enumerate(per):
                eid = len(entrance_rows)
                entrance_rows.append(
                    (bid, chr(ord("A") + j % 26) + ("" if j < 26 else str(j // 26)))
                )
                dwelling_entrance.append(np.full(len(part), eid, dtype=np.int64))
            dwelling_building.append(np.full(size, bid, dtype=np.int64))

    buildings = pd.DataFrame(b_rows)
    buildings["id_batiment"] = [f"BAT-{c}-{i:05d}" for i, c in enumerate(buildings["code_iris"])]
    buildings["code_commune"] = buildings["code_iris"].str[:5]
    ent_b = np.array([e[0] for e in entrance_rows], dtype=np.int64)
    entrances = pd.DataFrame(
        {
            "id_entree": [
                f"{buildings['id_batiment'].iat[b]}-{e[1]}"
                for b, e in zip(ent_b, entrance_rows, strict=True)
            ],
            "id_batiment": buildings["id_batiment"].to_numpy()[ent_b],
            "adresse": pd.array([None] * len(ent_b), dtype="string"),
        }
    )
    ent_of = np.concatenate(dwelling_entrance)
    bld_of = ent_b[ent_of]
    n = len(ent_of)
    fin = rng.choice(len(FINANCEMENTS), n, p=FINANCEMENT_SHARES)
    dwellings = pd.DataFrame(
        {
            "id_logement": [
                f"{e}-{i:06d}" for i, e in enumerate(entrances["id_entree"].to_numpy()[ent_of])
            ],
            "id_entree": entrances["id_entree"].to_numpy()[ent_of],
            "financement": np.array(FINANCEMENTS)[fin],
            "building_index": bld_of,
        }
    )
    return buildings, entrances, dwellings


def _building_points(
    polygon: BaseGeometry, n_coll: int, n_ind: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    pts = random_points(polygon, n_coll + n_ind, rng)
    if n_coll > 1:
        centres = random_points(polygon, 1 + n_coll // 8, rng)
        near = centres[rng.integers(0, len(centres), n_coll)] + rng.normal(0, 90, (n_coll, 2))
        inside = shapely.contains_xy(polygon, near[:, 0], near[:, 1])
        pts[:n_coll][inside] = near[inside]
    return pts


def _year(individual: bool, rng: np.random.Generator) -> int:
    u = rng.random()
    if individual:
        lo, hi = (1920, 1960) if u < 0.3 else (1961, 2000) if u < 0.7 else (2001, 2025)
    else:
        lo, hi = (
            (1955, 1980)
            if u < 0.6
            else (1981, 2005)
            if u < 0.85
            else (2006, 2018)
            if u < 0.95
            else (2019, 2025)
        )
    return int(rng.integers(lo, hi + 1))


def furnish(
    dwellings: pd.DataFrame,
    buildings: pd.DataFrame,
    occupant_size: npt.NDArray[np.int64],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Rooms, surface, rent and charges of each dwelling (``occupant_size`` 0 if vacant)."""
    n = len(dwellings)
    size = np.where(occupant_size > 0, occupant_size, rng.integers(1, 5, n))
    rooms = np.clip(size + rng.choice([-1, 0, 0, 1], n), 1, 6)
    surface = np.clip(22 + 16 * rooms + rng.normal(0, 5, n), 14, 160).round(1)
    b = buildings.iloc[dwellings["building_index"].to_numpy()]
    recent = b["annee_mise_en_service"].to_numpy() >= 2006
    per_m2 = dwellings["financement"].map(RENT_M2).to_numpy() * np.where(recent, 1.15, 1.0)
    per_m2 = per_m2 * rng.normal(1.0, 0.06, n)
    rent_cents = np.rint(surface * per_m2 * 100).astype(np.int64)
    charges = np.where(b["individuel"].to_numpy(), 0.9, 1.9) * surface
    out = dwellings.copy()
    out["nb_pieces"] = rooms
    out["surface"] = surface
    out["loyer_mensuel"] = rent_cents
    out["charges_mensuelles"] = np.rint(charges * 100).astype(np.int64)
    out["vacant"] = occupant_size == 0
    return out


def pair_households(
    dwellings_iris: npt.NDArray[np.object_],
    dwellings_individual: npt.NDArray[np.bool_],
    hh_iris: npt.NDArray[np.object_],
    hh_size: npt.NDArray[np.int64],
    rng: np.random.Generator,
) -> npt.NDArray[np.int64]:
    """For each social household, the index of its dwelling in the same IRIS.

    Larger households get individual houses first; the rest is random. Every IRIS has
    at least as many dwellings as social households (vacancy margin).
    """
    out = np.full(len(hh_iris), -1, dtype=np.int64)
    d_order = np.lexsort(
        (-(dwellings_individual * 2.0 + rng.random(len(dwellings_iris))), dwellings_iris)
    )
    h_order = np.lexsort((-(hh_size + rng.random(len(hh_iris)) * 2.5), hh_iris))
    d_keys, d_first = np.unique(dwellings_iris[d_order], return_index=True)
    h_keys, h_first, h_count = np.unique(hh_iris[h_order], return_index=True, return_counts=True)
    d_start = dict(zip(d_keys.tolist(), d_first.tolist(), strict=True))
    for key, hs, count in zip(h_keys.tolist(), h_first.tolist(), h_count.tolist(), strict=True):
        ds = d_start[key]
        out[h_order[hs : hs + count]] = d_order[ds : ds + count]
    return out
