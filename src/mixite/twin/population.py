"""Households of the twin: as many per IRIS as the census counts, with their composition.

Census 2016 gives, per IRIS, principal residences (= households) and social rented
dwellings, and persons by household type. Communes that INSEE does not split into
IRIS are one IRIS ``<commune>0000`` whose households come from Filosofi.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.arrondi import largest_remainder
from mixite.twin.params import TwinParameters

TYPES = ("personne_seule", "couple_sans_enfant", "couple_avec_enfants", "monoparental", "autre")
_PERSON_COLS = {
    "couple_avec_enfants": "C16_PMEN_MENCOUPAENF",
    "monoparental": "C16_PMEN_MENFAMMONO",
    "autre": "C16_PMEN_MENSFAM",
}


def iris_targets(
    iris: pd.DataFrame, filosofi: pd.DataFrame, communes: pd.DataFrame, params: TwinParameters
) -> pd.DataFrame:
    """One row per IRIS: households and social households to reproduce, persons by type.

    Returns columns ``code_iris, code_commune, type_iris, menages, menages_sociaux`` and
    one ``n_<type>`` column of (fractional) household counts per type, summing to
    ``menages``; ``p_<type>`` holds persons.
    """
    h = iris.copy()
    out = pd.DataFrame(
        {"code_iris": h["IRIS"], "code_commune": h["IRIS"].str[:5], "type_iris": "H"}
    )
    out["menages"] = h["P16_RPMAISON"] + h["P16_RPAPPART"]
    out["menages_sociaux"] = h["P16_RP_LOCHLMV"]
    persons = {
        "personne_seule": h["C16_PMEN_MENHSEUL"] + h["C16_PMEN_MENFSEUL"],
        "couple_sans_enfant": h["C16_PMEN_MENCOUPSENF"],
        **{t: h[c] for t, c in _PERSON_COLS.items()},
    }
    for t, p in persons.items():
        out[f"p_{t}"] = p.to_numpy()

    covered = set(out["code_commune"])
    rest = filosofi[
        ~filosofi["CODGEO"].isin(covered) & filosofi["CODGEO"].isin(communes["insee_code"])
    ]
    if len(rest):
        shares = {t: out[f"p_{t}"].sum() for t in TYPES}
        total = sum(shares.values())
        extra = pd.DataFrame(
            {
                "code_iris": rest["CODGEO"] + "0000",
                "code_commune": rest["CODGEO"],
                "type_iris": "Z",
                "menages": rest["NBMENFISC16"].to_numpy(),
            }
        )
        extra["menages_sociaux"] = extra["menages"] * params.taux_social_communes_non_decoupees
        for t in TYPES:
            extra[f"p_{t}"] = rest["NBPERSMENFISC16"].to_numpy() * shares[t] / total
        out = pd.concat([out, extra], ignore_index=True)

    sizes = {
        "couple_avec_enfants": params.taille_couple_enfants,
        "monoparental": params.taille_monoparental,
        "autre": params.taille_autre,
    }
    out["n_personne_seule"] = out["p_personne_seule"]
    out["n_couple_sans_enfant"] = out["p_couple_sans_enfant"] / 2
    remaining = (out["menages"] - out["n_personne_seule"] - out["n_couple_sans_enfant"]).clip(
        lower=0
    )
    weights = pd.DataFrame({t: out[f"p_{t}"] / s for t, s in sizes.items()})
    wsum = weights.sum(axis=1).replace(0, 1)
    for t in sizes:
        out[f"n_{t}"] = remaining * weights[t] / wsum
    # Where singles and couples alone exceed the count, shrink them to fit exactly.
    fixed = out["n_personne_seule"] + out["n_couple_sans_enfant"]
    over = fixed > out["menages"]
    shrink = (out["menages"] / fixed.where(over, 1)).where(over, 1)
    out["n_personne_seule"] *= shrink
    out["n_couple_sans_enfant"] *= shrink
    return out.sort_values("code_iris").reset_index(drop=True)


def scaled_counts(targets: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Integer households per IRIS and type at ``scale``; each IRIS total is round(scale × menages)."""
    n = targets[[f"n_{t}" for t in TYPES]].to_numpy() * scale
    totals = np.rint(targets["menages"].to_numpy() * scale).astype(np.int64)
    counts = np.vstack([largest_remainder(row, tot) for row, tot in zip(n, totals, strict=True)])
    out = pd.DataFrame(counts, columns=list(TYPES))
    out.insert(0, "code_iris", targets["code_iris"].to_numpy())
    out["menages"] = totals
    social = np.minimum(np.rint(targets["menages_sociaux"].to_numpy() * scale), totals)
    out["menages_sociaux"] = social.astype(np.int64)
    return out


#: Age of the reference person: share in the young range, young range, old range.
_AGES: dict[str, tuple[float, tuple[int, int], tuple[int, int]]] = {
    "personne_seule": (0.45, (20, 45), (45, 95)),
    "couple_sans_enfant": (0.3, (22, 40), (50, 90)),
    "couple_avec_enfants": (1.0, (26, 58), (26, 58)),
    "monoparental": (1.0, (22, 60), (22, 60)),
    "autre": (1.0, (20, 85), (20, 85)),
}


def households(
    targets: pd.DataFrame, counts: pd.DataFrame, params: TwinParameters, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per household with its composition and the reference person's age."""
    type_idx = np.repeat(
        np.tile(np.arange(len(TYPES)), len(counts)), counts[list(TYPES)].to_numpy().ravel()
    )
    iris_idx = np.repeat(np.arange(len(counts)), counts["menages"].to_numpy())
    n = len(type_idx)
    types = np.array(TYPES)[type_idx]
    size = np.ones(n, dtype=np.int64)
    size[types == "couple_sans_enfant"] = 2
    for t, minimum in (("couple_avec_enfants", 3), ("monoparental", 2), ("autre", 2)):
        sel = types == t
        ratio = (targets[f"p_{t}"] / targets[f"n_{t}"].replace(0, np.nan)).fillna(minimum)
        mean = np.clip(ratio.to_numpy()[iris_idx[sel]], minimum + 0.05, minimum + 3.5)
        size[sel] = minimum + np.minimum(rng.poisson(mean - minimum), 7)
    adults = np.where(np.isin(types, ("couple_sans_enfant", "couple_avec_enfants")), 2, 1)
    adults = np.where(types == "autre", size, adults)
    adults = np.where(types == "personne_seule", 1, adults)
    # A few older children (18+) stay with their parents.
    grown = rng.binomial(np.maximum(size - adults - 0, 0), 0.12)
    grown = np.where(np.isin(types, ("couple_avec_enfants", "monoparental")), grown, 0)
    adults = adults + np.minimum(grown, np.maximum(size - adults - 1, 0))
    children = size - adults
    under14 = rng.binomial(children, 0.72)

    age = np.empty(n, dtype=np.int64)
    for t, (p_young, young, old) in _AGES.items():
        sel = types == t
        k = int(sel.sum())
        age[sel] = np.where(rng.random(k) < p_young, rng.integers(*young, k), rng.integers(*old, k))

    return pd.DataFrame(
        {
            "code_iris": counts["code_iris"].to_numpy()[iris_idx],
            "code_commune": targets["code_commune"].to_numpy()[iris_idx],
            "type_menage": types,
            "nb_personnes": size,
            "nb_adultes": adults,
            "nb_enfants": children,
            "nb_moins_14": under14,
            "age_reference": age,
            "iris_index": iris_idx,
        }
    )


def choose_social(
    hh: pd.DataFrame, counts: pd.DataFrame, rng: np.random.Generator
) -> npt.NDArray[np.bool_]:
    """Mark exactly ``menages_sociaux`` households of each IRIS as social tenants.

    Families with children and single parents are more often social tenants: the
    draw is weighted (Efraimidis-Spirakis keys, one vectorized sort).
    """
    weight = (
        hh["type_menage"]
        .map(
            {
                "personne_seule": 1.0,
                "couple_sans_enfant": 0.6,
                "couple_avec_enfants": 1.2,
                "monoparental": 2.2,
                "autre": 1.0,
            }
        )
        .to_numpy(dtype=float)
    )
    keys = np.log(rng.random(len(hh))) / weight
    order = np.lexsort((-keys, hh["iris_index"].to_numpy()))
    rank = np.empty(len(hh), dtype=np.int64)
    iris = hh["iris_index"].to_numpy()[order]
    starts = np.r_[0, np.flatnonzero(np.diff(iris)) + 1]
    position = np.arange(len(hh)) - np.repeat(starts, np.diff(np.r_[starts, len(hh)]))
    rank[order] = position
    quota = counts["menages_sociaux"].to_numpy()[hh["iris_index"].to_numpy()]
    return np.asarray(rank < quota, dtype=bool)
