"""Apportion a global target over territories (Lille: priority households 40 % of
allocations, spread over the 8 territories by demand pressure, capacity and the
fragility of current occupants).

Notes
-----
weight_t = vacancies_t × (pressure_t / mean pressure)^a × (mean fragility / fragility_t)^b,
where pressure = applications / expected vacancies. The target count (``share`` × all
expected vacancies) is split in proportion to the weights, each territory kept within
[min, max] × its vacancies by iterative clipping, then rounded by largest remainder so
the counts add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.core.arrondi import largest_remainder


@dataclass(frozen=True)
class Repartition:
    """The apportionment table and the rule it followed."""

    table: pd.DataFrame
    rule: str


def repartir(
    territories: pd.DataFrame,
    *,
    share: float,
    minimum: float = 0.0,
    maximum: float = 1.0,
    pressure_exponent: float = 1.0,
    fragility_exponent: float = 1.0,
) -> Repartition:
    """Apportion ``share`` (e.g. 0.40) of expected allocations over ``territories``.

    ``territories`` has ``territoire, demandes, vacances_attendues, fragilite`` (fragility
    > 0, higher = more fragile). Returns the count and share for each, with the factors.

    Examples
    --------
    >>> t = pd.DataFrame({"territoire": ["A", "B"], "demandes": [300, 100],
    ...                   "vacances_attendues": [100, 100], "fragilite": [1.0, 1.0]})
    >>> repartir(t, share=0.4).table["objectif"].tolist()
    [60, 20]
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1]; got {share}.")
    if not 0 <= minimum <= share <= maximum <= 1:
        raise ValueError(
            f"Bounds must satisfy 0 ≤ minimum ≤ share ≤ maximum ≤ 1; got {minimum}, {share}, {maximum}."
        )
    t = territories.copy().reset_index(drop=True)
    vac = t["vacances_attendues"].to_numpy(dtype=float)
    if (vac <= 0).any() or (t["fragilite"].to_numpy(dtype=float) <= 0).any():
        raise ValueError("vacances_attendues and fragilite must be positive for every territory.")
    pressure = t["demandes"].to_numpy(dtype=float) / vac
    frag = t["fragilite"].to_numpy(dtype=float)
    p_factor = (pressure / pressure.mean()) ** pressure_exponent
    f_factor = (frag.mean() / frag) ** fragility_exponent
    weight = vac * p_factor * f_factor
    total = round(share * vac.sum())
    lo, hi = minimum * vac, maximum * vac
    alloc = np.zeros(len(t))
    fixed = np.zeros(len(t), dtype=bool)
    for _ in range(len(t) + 1):
        free = ~fixed
        left = total - alloc[fixed].sum()
        alloc[free] = left * weight[free] / weight[free].sum()
        over = free & (alloc > hi)
        under = free & (alloc < lo)
        if not over.any() and not under.any():
            break
        alloc[over] = hi[over]
        alloc[under] = lo[under]
        fixed |= over | under
    counts = largest_remainder(alloc, total)
    t["pression"] = pressure
    t["facteur_pression"] = p_factor
    t["facteur_fragilite"] = f_factor
    t["poids"] = weight / weight.sum()
    t["objectif"] = counts
    t["objectif_part"] = counts / vac * 100
    t["borne"] = np.where(
        np.isclose(alloc, hi) & (maximum < 1),
        "maximum",
        np.where(np.isclose(alloc, lo) & (minimum > 0), "minimum", ""),
    )
    rule = (
        f"{share:.0%} de {int(vac.sum())} attributions attendues = {total} ; poids = vacances × "
        f"(pression / pression moyenne)^{pressure_exponent:g} × (fragilité moyenne / fragilité)^{fragility_exponent:g} ; "
        f"bornes {minimum:.0%} à {maximum:.0%} des vacances ; arrondi au plus fort reste"
    )
    return Repartition(t, rule)
