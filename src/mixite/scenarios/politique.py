"""From a policy to the profile distribution of the newcomer of each vacancy.

The observed pattern (status quo) gives, per (landlord, QPV, contingent) cell, the
distribution of newcomers over the 16 profiles (first quartile, priority, under 40 % of
the PLUS ceiling, with a worker). A charter objective is a linear constraint on that
distribution (the mass of the profiles in its public at least or at most its target).
The policy's distribution is obtained by cyclic information projections (Csiszár 1975):
each violated constraint is met exactly by rescaling its public and the rest, the
least change in Kullback-Leibler divergence; the cycle repeats until every constraint
holds. A constraint whose public is absent from a cell cannot be met there: it is
reported, not forced.
"""

from __future__ import annotations

import numpy as np

from mixite.scenarios.modele import (
    BIT_ACTIF,
    BIT_SOUS40,
    N_PROFILS,
    Contrainte,
    FloatArray,
)

PROFILS = np.arange(N_PROFILS)


def membres(c: Contrainte) -> np.ndarray:
    """Which profiles belong to the constraint's public."""
    inside = (PROFILS & c.bit) > 0
    return ~inside if c.negation else inside


def projeter(
    p: FloatArray, contraintes: tuple[Contrainte, ...], *, tours: int = 500, tol: float = 1e-10
) -> FloatArray:
    """``p`` (rows: distributions over profiles) moved the least to meet every constraint.

    Examples
    --------
    Half the newcomers in the public, at least 75 % asked: the public is scaled by 1.5
    and the rest by 0.5, each keeping its inner proportions.

    >>> from mixite.scenarios.modele import BIT_Q1
    >>> p = np.full((1, 16), 1 / 16)
    >>> c = Contrainte("q", "q", BIT_Q1, False, True, 0.75)
    >>> q = projeter(p, (c,))
    >>> round(float(q[0, membres(c)].sum()), 6), round(float(q[0, 1] / q[0, 3]), 6)
    (0.75, 1.0)
    """
    q = np.array(p, dtype=float, copy=True)
    masks = [membres(c) for c in contraintes]
    for _ in range(tours):
        worst = 0.0
        for c, m in zip(contraintes, masks, strict=True):
            mass = q[:, m].sum(axis=1)
            short = (mass < c.cible - tol) if c.au_moins else (mass > c.cible + tol)
            fixable = short & (mass > 0) & (mass < 1)
            if not fixable.any():
                continue
            worst = max(worst, float(np.abs(mass[fixable] - c.cible).max()))
            rows = np.flatnonzero(fixable)
            inside = c.cible / mass[rows]
            outside = (1 - c.cible) / (1 - mass[rows])
            q[np.ix_(rows, np.flatnonzero(m))] *= inside[:, None]
            q[np.ix_(rows, np.flatnonzero(~m))] *= outside[:, None]
        if worst <= tol:
            break
    return q


def restreindre_veille(p: FloatArray) -> FloatArray:
    """The newcomer of a watched entrance: only profiles with a worker and over 40 % of
    the PLUS ceiling, in the policy's proportions; a row with no such profile is kept."""
    allowed = ((PROFILS & BIT_ACTIF) > 0) & ((PROFILS & BIT_SOUS40) == 0)
    q = np.where(allowed[None, :], p, 0.0)
    mass = q.sum(axis=1, keepdims=True)
    return np.where(mass > 0, q / np.where(mass > 0, mass, 1), p)


def lissage(counts: FloatArray, parent: FloatArray, poids: float = 20.0) -> FloatArray:
    """Each cell's observed profile counts shrunk towards its parent distribution, as if
    ``poids`` more newcomers had been drawn from the parent (additive smoothing).

    Examples
    --------
    >>> lissage(np.array([[2.0, 0.0]]), np.array([[0.5, 0.5]]), poids=2).tolist()
    [[0.75, 0.25]]
    """
    n = counts.sum(axis=-1, keepdims=True)
    return np.asarray((counts + poids * parent) / (n + poids), dtype=float)
