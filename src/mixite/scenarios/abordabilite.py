"""Which housing-cost class each household can afford after housing benefit.

See :class:`mixite.scenarios.modele.Abordabilite`: the APL is read from a grid computed
once per run with OpenFisca-France, linearly in resources; effort rate and reste à vivre
follow the commission's formulas.
"""

from __future__ import annotations

import numpy as np

from mixite.core.model import oecd_consumption_units
from mixite.scenarios.modele import Abordabilite, FloatArray, IntArray, Menages, classe

JOURS_PAR_MOIS = 30.0


def apl(grille: Abordabilite, m: Menages, revenus: FloatArray) -> FloatArray:
    """Monthly APL at each class's representative rent, shape (households, classes);
    ``revenus`` are the households' annual resources in the grid's money.

    Examples
    --------
    >>> g = Abordabilite(np.array([400.0]), np.array([300.0, 500.0]), np.array([50.0, 80.0]),
    ...                  np.array([0.0, 20000.0]), np.zeros((7, 2, 2, 2)))
    >>> g.apl[1, 0, :, 0] = [200.0, 100.0]
    >>> one = np.array([1])
    >>> m = Menages(personnes=one, adultes=one, enfants=0 * one, moins_14=0 * one,
    ...             age=np.array([40]), ressources=np.array([10000.0]), actifs=0 * one,
    ...             monoparental=np.array([False]), prioritaire=np.array([False]))
    >>> apl(g, m, np.array([10000.0]))[0].tolist()  # halfway: 150
    [150.0, 0.0]
    """
    size = np.clip(m.personnes, 1, grille.apl.shape[0] - 1)
    mono = ((m.adultes == 1) & (m.enfants > 0)).astype(np.int64)
    grid = grille.revenus
    x = np.clip(revenus, grid[0], grid[-1])
    j = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, len(grid) - 2)
    w = (x - grid[j]) / (grid[j + 1] - grid[j])
    low = grille.apl[size, mono, j, :]
    high = grille.apl[size, mono, j + 1, :]
    return np.asarray(low + (high - low) * w[:, None], dtype=float)


def classe_abordable(grille: Abordabilite, m: Menages, revenus: FloatArray) -> IntArray:
    """The most expensive housing-cost class each household affords (−1: none),
    assuming a household that affords a class affords the cheaper ones."""
    benefit = apl(grille, m, revenus)
    monthly = np.maximum(revenus, 0.0)[:, None] / 12
    cost = grille.loyer_type + grille.charges_type
    with np.errstate(divide="ignore", invalid="ignore"):
        effort = np.where(monthly > 0, (cost - benefit) / monthly, np.inf)
    uc = np.asarray(oecd_consumption_units(m.personnes, m.moins_14), dtype=float)[:, None]
    rav = (monthly + benefit - cost) / uc / JOURS_PAR_MOIS
    ok = (effort <= grille.taux_effort_max) & (rav >= grille.reste_a_vivre_min)
    # The highest affordable class (classes are ordered by cost).
    last = np.where(ok.any(axis=1), ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
    return np.asarray(last, dtype=np.int64)


def classe_de_cout(grille: Abordabilite, cout: FloatArray) -> IntArray:
    """Housing-cost class of each dwelling (rent + charges, in the grid's money)."""
    return classe(cout, grille.bornes)
