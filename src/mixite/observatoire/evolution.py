"""What changed significantly between two vintages: the rates of the key figures and
the segregation of poor households, tested by the index engine's paired permutation
test (:func:`mixite.indices.inference.compare`).

The units are the zones of a fine level (IRIS by default) present at either vintage.
Under the null hypothesis of no change, each unit's two vintages are exchangeable: the
test swaps them at random, unit by unit, and counts how often the change of the
territory's figure is at least as large as the observed one. The figures tested are
territory-wide summaries of every household: like the segregation indices, they never
describe a zone of fewer than 11 households, and a p-value gives no count away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.indices.inference import compare

#: The rates tested: indicator code → (the flag counted, counted in persons?).
TAUX: dict[str, tuple[str, bool]] = {
    "taux_pauvrete": ("pauvre", True),
    "sous_40_plus": ("sous_40_plus", False),
    "locataires_sociaux": ("locataires_sociaux", False),
}
#: The segregation indices of poor households between units tested.
INDICES = {"dissimilarity": "dissimilarité D", "entropy": "entropie H"}
SEUIL = 0.05


@dataclass(frozen=True)
class Vintage:
    """One vintage's households (with the unit column) and their flags, same index."""

    menages: pd.DataFrame
    flags: pd.DataFrame


def _counts(v: Vintage, unit: str) -> pd.DataFrame:
    f = v.flags
    persons = f["personnes"].to_numpy(dtype=float)
    frame = pd.DataFrame({unit: v.menages[unit].to_numpy(), "menages": 1.0, "personnes": persons})
    for code, (flag, in_persons) in TAUX.items():
        on = f[flag].to_numpy(dtype=bool)
        frame[code] = np.where(on, persons if in_persons else 1.0, 0.0)
    frame["pauvres"] = f["pauvre"].to_numpy(dtype=float)
    return frame.dropna(subset=[unit]).groupby(unit).sum()


def changements(
    avant: Vintage, apres: Vintage, *, unite: str = "code_iris", tirages: int = 999, graine: int = 0
) -> pd.DataFrame:
    """One row per rate of :data:`TAUX` and per index of :data:`INDICES`: the value at
    each vintage, the change (points for rates, index units for D and H), the two-sided
    permutation p-value and whether it is under :data:`SEUIL`.

    Rates are in %, over persons (poverty) or households; D and H are computed on poor
    households (``pauvre``) between units."""
    first, second = _counts(avant, unite), _counts(apres, unite)
    units = first.index.union(second.index)
    first, second = first.reindex(units, fill_value=0.0), second.reindex(units, fill_value=0.0)
    rng = np.random.default_rng(graine)
    rows = []
    for code, (_, in_persons) in TAUX.items():
        base = "personnes" if in_persons else "menages"
        c = compare((first[code], first[base]), (second[code], second[base]), "part",
                    paired=True, draws=tirages, rng=rng)  # fmt: skip
        rows.append((code, c.first * 100, c.second * 100, (c.second - c.first) * 100, c.p_value))
    for index in INDICES:
        c = compare((first["pauvres"], first["menages"]), (second["pauvres"], second["menages"]),
                    index, paired=True, draws=tirages, rng=rng)  # fmt: skip
        rows.append((index, c.first, c.second, c.second - c.first, c.p_value))
    out = pd.DataFrame(rows, columns=["indicateur", "avant", "apres", "variation", "p"])
    out["significatif"] = out["p"] < SEUIL
    out.attrs.update(unites=len(units), tirages=tirages)
    return out.set_index("indicateur")


def verdict(p: float) -> str:
    """The French reading of a p-value.

    >>> verdict(0.001), verdict(0.2)
    ('oui (p = 0,001)', 'non (p = 0,200)')
    """
    return f"{'oui' if p < SEUIL else 'non'} (p = {p:.3f})".replace(".", ",")
