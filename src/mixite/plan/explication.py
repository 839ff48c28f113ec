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
from mixite.plan.resolution import Plan, choix, mesures, resoudre

MOIS = "mois d'ancienneté"


@dataclass(frozen=True)
class Prix:
    """An objective's price: the plan's figures without it minus with it."""

    objectif: str
    libelle: str
    sans: pd.Series
    avec: pd.Series

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
        if (e.abs() < 1e-9).all():
            return f"« {self.libelle} » ne coûte rien : le meilleur plan le respecte déjà."
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
        out.append(Prix(code, label, mesures(probleme, *choix(probleme, plan.choisies)), with_all))
    return out


def _with_floor(probleme: Probleme, rows: list[Contrainte], floor: int) -> bool:
    """Can ``rows`` hold with at least ``floor`` dwellings allocated? (A row « at
    least ``floor`` allocations » is added; feasibility only.)"""
    everyone = Contrainte("_plancher", "ensemble", "plancher", "au_moins", 0.0,
                          np.arange(len(probleme.vacances)), np.ones(len(probleme.demandes), dtype=bool))  # fmt: skip
    trial = replace(probleme, contraintes=rows)
    plan = resoudre(trial, souple=False)
    if not plan.faisable:
        return False
    return len(plan.choisies) >= floor or _reaches(trial, floor, everyone)


def _reaches(probleme: Probleme, floor: int, everyone: Contrainte) -> bool:
    """Whether some plan meeting ``probleme``'s rows allocates ``floor`` dwellings:
    maximise the number allocated alone (unit weights)."""
    unit = replace(probleme, paires=probleme.paires.assign(poids=1.0))
    plan = resoudre(unit, souple=False)
    return plan.faisable and len(plan.choisies) >= floor


def conflits(probleme: Probleme) -> tuple[int, list[Contrainte]]:
    """The number of dwellings the unconstrained plan allocates, and the smallest set of
    objective rows that cannot hold together with that many allocated (empty: every
    objective can be met at once without leaving a dwelling unallocated)."""
    free = resoudre(replace(probleme, contraintes=[]))
    floor = len(free.choisies)
    rows = list(probleme.contraintes)
    if _reaches(replace(probleme, contraintes=rows), floor, rows[0] if rows else None):  # type: ignore[arg-type]
        return floor, []
    kept = list(rows)
    for row in rows:
        trial = [r for r in kept if r is not row]
        if not _reaches(replace(probleme, contraintes=trial), floor, row):
            kept = trial
    return floor, kept
