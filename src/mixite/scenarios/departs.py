"""Departures from the social stock: a piecewise-constant hazard per cell of (age class,
household type, income bracket, QPV), estimated from the store's own history.

**Method.** The occupants of the snapshot are followed from the snapshot date: an
occupant leaves when its dwelling is next allocated. Each cell's rate is the
exponential model's maximum-likelihood rate (departures / years at risk), shrunk
towards the overall rate by a gamma prior worth ``a_priori`` household-years (an
empirical-Bayes estimate that keeps small cells from extreme values). The yearly
probability of leaving is 1 − exp(−rate). The fit is reported as Poisson deviances of
the cell model and of the constant-rate model, and as observed against expected
departures by decile of predicted rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.scenarios.modele import (
    BORNES_TRANCHES,
    TRANCHES,
    BoolArray,
    FloatArray,
    IntArray,
    classe,
)

BORNES_AGE: tuple[int, ...] = (30, 45, 60, 75)
TYPES: tuple[str, ...] = ("personne seule", "couple sans enfant", "couple avec enfants",
                          "monoparental")  # fmt: skip
N_CELLULES = (len(BORNES_AGE) + 1) * len(TYPES) * len(TRANCHES) * 2


def type_menage(adultes: IntArray, enfants: IntArray, personnes: IntArray) -> IntArray:
    """0 alone, 1 two adults or more without children, 2 with children, 3 lone adult
    with children."""
    kind = np.where(enfants > 0, np.where(adultes >= 2, 2, 3), np.where(personnes >= 2, 1, 0))
    return np.asarray(kind, dtype=np.int64)


def tranche(part_du_plafond: FloatArray) -> IntArray:
    """Income bracket (index in TRANCHES) from resources / PLUS ceiling."""
    return classe(part_du_plafond, BORNES_TRANCHES)


def cellule(age: IntArray, kind: IntArray, bracket: IntArray, en_qpv: BoolArray) -> IntArray:
    """Cell index of each household.

    Examples
    --------
    >>> int(cellule(np.array([25]), np.array([0]), np.array([0]), np.array([False]))[0])
    0
    >>> int(cellule(np.array([80]), np.array([3]), np.array([3]), np.array([True]))[0]) == N_CELLULES - 1
    True
    """
    a = classe(age, BORNES_AGE)
    n_t, n_b = len(TYPES), len(TRANCHES)
    return np.asarray(
        ((a * n_t + kind) * n_b + bracket) * 2 + en_qpv.astype(np.int64), dtype=np.int64
    )


def libelle_cellule(c: int) -> str:
    q = c % 2
    b = (c // 2) % len(TRANCHES)
    k = (c // (2 * len(TRANCHES))) % len(TYPES)
    a = c // (2 * len(TRANCHES) * len(TYPES))
    bornes = (0, *BORNES_AGE)
    age = (
        f"{bornes[a]}–{bornes[a + 1] - 1} ans"
        if a + 1 < len(bornes)
        else f"{bornes[a]} ans et plus"
    )
    return f"{age}, {TYPES[k]}, {TRANCHES[b]} du plafond PLUS, {'QPV' if q else 'hors QPV'}"


@dataclass(frozen=True)
class Ajustement:
    """The estimate and its fit."""

    probabilite: FloatArray  # yearly probability per cell
    taux: FloatArray  # yearly rate per cell
    cellules: pd.DataFrame  # per cell: households, years at risk, departures, rate
    deviance_modele: float
    deviance_constante: float
    calibration: pd.DataFrame  # by decile of predicted rate: expected vs observed

    cellules_observees: int = 0

    @property
    def rapport_de_vraisemblance(self) -> tuple[float, int, float]:
        """Likelihood-ratio test of the cells against one rate for all: statistic,
        degrees of freedom, p-value (χ²). A small p-value: departures do depend on
        the household's cell."""
        from scipy.stats import chi2  # type: ignore[import-untyped]

        stat = max(self.deviance_constante - self.deviance_modele, 0.0)
        df = max(self.cellules_observees - 1, 1)
        return stat, df, float(chi2.sf(stat, df))


def _poisson_deviance(observed: FloatArray, expected: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    return float(2 * np.sum(term - (observed - expected)))


def estimer(
    cellules: IntArray, duree: FloatArray, parti: BoolArray, *, a_priori: float = 20.0
) -> Ajustement:
    """Rates per cell from each household's years at risk ``duree`` and whether it left.

    Examples
    --------
    Two cells, 10 household-years each, 1 and 3 departures, no shrinkage:

    >>> a = estimer(np.array([0] * 10 + [1] * 10), np.ones(20), np.array([True] + [False] * 9 + [True] * 3 + [False] * 7), a_priori=0.0)
    >>> [round(float(x), 4) for x in a.taux[:2]]
    [0.1, 0.3]
    >>> round(float(a.probabilite[0]), 4)  # 1 − exp(−0.1)
    0.0952
    """
    if len(cellules) == 0 or duree.sum() <= 0:
        raise ValueError(
            "No household-years at risk: the store holds no history to estimate departures from."
        )
    exposure = np.asarray(np.bincount(cellules, weights=duree, minlength=N_CELLULES), dtype=float)
    deaths = np.asarray(
        np.bincount(cellules, weights=parti.astype(float), minlength=N_CELLULES), dtype=float
    )
    counts = np.bincount(cellules, minlength=N_CELLULES)
    overall = deaths.sum() / exposure.sum()
    denominator = exposure + a_priori
    rate = np.where(
        denominator > 0,
        (deaths + a_priori * overall) / np.where(denominator > 0, denominator, 1.0),
        overall,
    )
    table = pd.DataFrame(
        {
            "cellule": [libelle_cellule(c) for c in range(N_CELLULES)],
            "menages": counts,
            "annees_exposees": exposure.round(1),
            "departs": deaths.astype(int),
            "taux_annuel": rate,
            "probabilite_annuelle": 1 - np.exp(-rate),
        }
    )
    # Fit on households (each has its own exposure), grouped by decile of predicted rate.
    predicted = rate[cellules] * duree
    order = np.argsort(rate[cellules], kind="stable")
    decile = np.empty(len(order), dtype=np.int64)
    decile[order] = np.arange(len(order)) * 10 // len(order)
    calibration = pd.DataFrame(
        {
            "decile": np.arange(1, 11),
            "menages": np.bincount(decile, minlength=10),
            "departs_attendus": np.bincount(decile, weights=predicted, minlength=10).round(1),
            "departs_observes": np.bincount(
                decile, weights=parti.astype(float), minlength=10
            ).astype(int),
        }
    )
    used = exposure > 0
    return Ajustement(
        probabilite=1 - np.exp(-rate),
        taux=rate,
        cellules=table,
        deviance_modele=_poisson_deviance(deaths[used], rate[used] * exposure[used]),
        deviance_constante=_poisson_deviance(deaths[used], overall * exposure[used]),
        calibration=calibration,
        cellules_observees=int(used.sum()),
    )
