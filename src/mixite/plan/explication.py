"""The three questions a plan answers, each in plain French:

1. **Can every objective be met at once?** The plan with every objective as a hard row.
2. **If not, which objectives conflict?** The smallest set of objective rows that
   cannot hold together (an irreducible infeasible subset, found by the deletion
   filter: drop a row; if the rest is still infeasible, it was not needed). An empty
   plan meets every share (there is nothing to share), so a conflict is read on the
   plan that houses the most it can: every row, then the rows of the set, are tested
   with the number of dwellings allocated held at the unconstrained plan's.
3. **What does each objective cost?** Re-solve without it: how many more priority
   households, cotation points, months of wait, first wished communes, dwellings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from mixite.plan.modele import Contrainte, Probleme
from mixite.plan.resolution import AU_DELA, Plan, choix, mesures, resoudre

MOIS = "mois d'ancienneté"


@dataclass(frozen=True)
class Prix:
    """An objective's price: the plan's figures without it minus with it."""

    objectif: str
    libelle: str
    sans: pd.Series
    avec: pd.Series
    #: The objective's value without it minus with it, and how much of that the
    #: solver's tolerance could explain (both plans' gaps, in the objective's units).
    gain: float = 0.0
    incertitude: float = 0.0

    @property
    def ecart(self) -> pd.Series:
        return self.sans - self.avec

    def phrase(self) -> str:
        e = self.ecart
        parts = [
            f"{int(e['ménages prioritaires logés'])} ménage(s) prioritaire(s)",
            f"{e['points de cotation']:.0f} point(s) de cotation",
            f"{e[MOIS]:.0f} mois d'ancienneté",
            f"{int(e['logés dans leur première commune'])} vœu(x) de première commune",
            f"{int(e['logements attribués'])} logement(s) attribué(s)",
        ]
        if AU_DELA in e:
            parts.append(f"{e[AU_DELA]:.1f} ménage(s) au-delà du niveau fragile des entrées")
        if self.gain <= self.incertitude + 1e-6:
            return (f"« {self.libelle} » ne coûte rien de mesurable : sans lui, le meilleur "
                    f"plan ne vaut pas davantage, à la tolérance de résolution près "
                    f"({self.incertitude:.0f} points de l'objectif).")  # fmt: skip
        return (f"Sans « {self.libelle} », le meilleur plan logerait en plus (ou en moins si "
                f"négatif) : " + ", ".join(parts) + ".")  # fmt: skip


def prix(probleme: Probleme, base: Plan | None = None) -> list[Prix]:
    """Each objective's price (all its rows left out at once), against ``base`` (the
    plan with every objective; computed when not given)."""
    base = base or resoudre(probleme)
    with_all = mesures(probleme, *choix(probleme, base.choisies))
    out = []
    for code in dict.fromkeys(c.code for c in probleme.contraintes):
        label = next(c.libelle for c in probleme.contraintes if c.code == code)
        plan = resoudre(probleme, sans={code})
        tolerance = abs(base.valeur) * base.ecart + abs(plan.valeur) * plan.ecart
        out.append(Prix(code, label, mesures(probleme, *choix(probleme, plan.choisies)), with_all,
                        plan.valeur - base.valeur, tolerance))  # fmt: skip
    return out


def _most(probleme: Probleme, rows: list[Contrainte]) -> int:
    """How many dwellings the best plan meeting ``rows`` allocates: each allocation
    weighs ``logement_attribue`` (1 000 by default), far above the other terms, so the
    best plan is first the one that allocates the most; within the solver's tolerance,
    read in dwellings by :func:`conflits`."""
    plan = resoudre(replace(probleme, contraintes=rows), souple=False)
    return len(plan.choisies) if plan.faisable else 0


def conflits(probleme: Probleme) -> tuple[int, int, list[Contrainte]]:
    """The most dwellings a plan can allocate without the objectives and with them, and
    the smallest set of objective rows that, together, force dwellings to stay
    unallocated (empty when every objective can be met without leaving one)."""
    # Read in dwellings, the default 1 % tolerance would hide ~100 of them: 0.05 % here.
    probleme = replace(
        probleme, regles=replace(probleme.regles, ecart=min(probleme.regles.ecart, 5e-4))
    )
    rows = list(probleme.contraintes)
    floor = _most(probleme, [])
    reached = _most(probleme, rows)
    slack = _tolerance(probleme, floor)
    if reached >= floor - slack:
        return floor, reached, []
    kept = list(rows)
    for row in rows:
        trial = [r for r in kept if r is not row]
        if _most(probleme, trial) < floor - slack:
            kept = trial
    return floor, reached, kept


def _tolerance(probleme: Probleme, allocated: int) -> int:
    """The dwellings the solver's relative tolerance may leave out: the gap of a plan
    worth about ``allocated`` × its weight per dwelling, in dwellings."""
    weight = probleme.paires["poids"].mean() if len(probleme.paires) else 0.0
    per = probleme.regles.poids.logement_attribue
    return int(np.ceil(probleme.regles.ecart * allocated * weight / per)) if per else 0
