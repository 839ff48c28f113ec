"""Apportion a global target over territories (Lille: priority households 40 % of
allocations, spread over the 8 territories by demand pressure, capacity and the
fragility of current occupants).

Notes
-----
weight_t = vacancies_t × (pressure_t / mean pressure)^a × (mean fragility / fragility_t)^b,
where pressure = applications / expected vacancies. The target count (``share`` × all
expected vacancies) is split in proportion to the weights, each territory kept within
[min, max] × its vacancies, then rounded by largest remainder so
the counts add up exactly. The clipping solves ``sum(clip(λ × weight, min, max)) = target``
for λ by bisection: within bounds, shares stay proportional to the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.arrondi import largest_remainder


@dataclass(frozen=True)
class Repartition:
    """The apportionment table and the rule it followed."""

    table: pd.DataFrame
    rule: str


def _fill(
    weight: npt.NDArray[np.float64],
    lo: npt.NDArray[np.float64],
    hi: npt.NDArray[np.float64],
    total: float,
) -> npt.NDArray[np.float64]:
    """``clip(λ × weight, lo, hi)`` with λ found by bisection so that it sums to ``total``
    (the sum is non-decreasing in λ)."""
    top = float(np.max(np.where(weight > 0, hi / np.where(weight > 0, weight, 1), 0))) + 1.0
    low_l, high_l = 0.0, top
    for _ in range(200):
        mid = (low_l + high_l) / 2
        if np.clip(mid * weight, lo, hi).sum() < total:
            low_l = mid
        else:
            high_l = mid
    return np.asarray(np.clip(high_l * weight, lo, hi), dtype=float)


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
    exact = share * vac.sum()
    total = round(exact)
    lo, hi = minimum * vac, maximum * vac
    if lo.sum() > exact + 1e-9 or hi.sum() < exact - 1e-9:
        raise ValueError(
            f"The bounds cannot hold {exact:g} allocations (between {lo.sum():g} and {hi.sum():g})."
        )
    w = weight if weight.sum() > 0 else vac.astype(float)
    alloc = _fill(w, lo, hi, exact)
    # Territories without demand stay at their minimum; give them what is left, if any.
    rest = exact - alloc.sum()
    if rest > 1e-9:
        room = hi - alloc
        alloc = alloc + rest * room / room.sum()
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
