"""Solve the allocation plan exactly with HiGHS (``scipy.optimize.milp``)."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse  # type: ignore[import-untyped]
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from mixite.plan.modele import Probleme

STATUTS = {0: "optimal", 1: "limite de temps atteinte", 2: "infaisable", 3: "non borné", 4: "échec"}


@dataclass(frozen=True)
class Plan:
    """A solution: the pairs chosen, its value, the gap to the best bound, and its
    figures."""

    statut: str
    choisies: npt.NDArray[np.int64]  # rows of probleme.paires
    valeur: float
    ecart: float  # relative optimality gap (0 when proven optimal)
    duree_s: float
    manques: dict[str, float]  # soft rows: missing allocations

    @property
    def faisable(self) -> bool:
        return self.statut in ("optimal", "limite de temps atteinte") and self.valeur == self.valeur


def resoudre(
    probleme: Probleme,
    *,
    sans: Collection[str] = (),
    interdites: npt.ArrayLike | None = None,
    souple: bool | None = None,
) -> Plan:
    """The best plan. ``sans``: objective codes (or row names « code (groupe) ») left
    out; ``interdites``: pairs that may not be used; ``souple``: objectives as penalised
    rows (default: the rules' choice)."""
    p, rules = probleme, probleme.regles
    soft = rules.objectifs == "souple" if souple is None else souple
    n = len(p.paires)
    rows = [c for c in p.contraintes if c.code not in sans and c.nom not in sans and len(c.paires)]
    m = len(rows) if soft else 0
    cost = np.r_[-p.paires["poids"].to_numpy(dtype=float), np.full(m, rules.penalite_souple)]
    upper = np.ones(n + m)
    upper[n:] = np.inf
    if interdites is not None:
        upper[np.asarray(interdites, dtype=np.int64)] = 0.0
    pv, pa = p.paires["v"].to_numpy(dtype=np.int64), p.paires["a"].to_numpy(dtype=np.int64)
    cols = np.arange(n)
    blocks = []
    for keys in (pv, pa):  # each vacancy, each applicant at most once
        uniq, inv = np.unique(keys, return_inverse=True)
        a = sparse.csr_matrix((np.ones(n), (inv, cols)), shape=(len(uniq), n + m))
        blocks.append(LinearConstraint(a, -np.inf, 1.0))
    if rows:
        r_idx = np.concatenate([np.full(len(c.paires), i) for i, c in enumerate(rows)])
        c_idx = np.concatenate([c.paires for c in rows])
        vals = np.concatenate([c.public.astype(float) - c.cible for c in rows])
        sign = np.array([1.0 if c.comparateur == "au_moins" else -1.0 for c in rows])
        vals = vals * sign[r_idx]  # every row as « ≥ 0 »
        if soft:
            r_idx = np.r_[r_idx, np.arange(m)]
            c_idx = np.r_[c_idx, n + np.arange(m)]
            vals = np.r_[vals, np.ones(m)]
        a = sparse.csr_matrix((vals, (r_idx, c_idx)), shape=(len(rows), n + m))
        blocks.append(LinearConstraint(a, 0.0, np.inf))
    integrality = np.r_[np.ones(n), np.zeros(m)]
    t0 = time.perf_counter()
    res = milp(cost, integrality=integrality, bounds=Bounds(np.zeros(n + m), upper),
               constraints=blocks,
               options={"time_limit": rules.duree_max_s, "mip_rel_gap": rules.ecart, "disp": False})  # fmt: skip
    took = time.perf_counter() - t0
    status = STATUTS.get(res.status, "échec")
    if res.x is None:
        return Plan(status if status != "optimal" else "échec", np.zeros(0, dtype=np.int64),
                    float("nan"), float("nan"), took, {})  # fmt: skip
    x = np.asarray(res.x)
    chosen = np.flatnonzero(x[:n] > 0.5)
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    missing = {c.nom: float(x[n + i]) for i, c in enumerate(rows) if soft and x[n + i] > 1e-6}
    return Plan(status, chosen.astype(np.int64), float(-res.fun), gap, took, missing)


def mesures(probleme: Probleme, choisies: npt.ArrayLike) -> pd.Series:
    """The plan's figures: dwellings allocated, priority households housed, cotation
    points, months waited, first wished commune, in French."""
    pairs = probleme.paires.iloc[np.asarray(choisies, dtype=np.int64)]
    d = probleme.demandes.iloc[pairs["a"].to_numpy()]
    first = probleme.vacances["code_commune"].astype(str).to_numpy()[pairs["v"].to_numpy()] == (
        d["communes_souhaitees"].astype(str).str.split(";").str[0].to_numpy()
    )
    return pd.Series({
        "logements attribués": len(pairs),
        "ménages prioritaires logés": int(d["prioritaire"].sum()),
        "points de cotation": float(d["cotation"].fillna(0).sum()),
        "mois d'ancienneté": round(float(d["anciennete_mois"].fillna(0).sum()), 1),
        "logés dans leur première commune": int(first.sum()),
    })  # fmt: skip


def parts(probleme: Probleme, choisies: npt.ArrayLike) -> pd.DataFrame:
    """Each objective row's share of the public among the plan's allocations in its
    scope, beside its target."""
    chosen = np.zeros(len(probleme.paires), dtype=bool)
    chosen[np.asarray(choisies, dtype=np.int64)] = True
    out = []
    for c in probleme.contraintes:
        on = chosen[c.paires]
        n, k = int(on.sum()), int(c.public[on].sum())
        share = k / n if n else np.nan
        ok = n == 0 or (
            share >= c.cible - 1e-9 if c.comparateur == "au_moins" else share <= c.cible + 1e-9
        )
        out.append({"objectif": c.code, "ventilation": c.groupe, "attributions": n,
                    "public": k, "part (%)": round(share * 100, 1) if n else np.nan,
                    "cible (%)": c.cible * 100, "sens": c.comparateur, "respecté": bool(ok)})  # fmt: skip
    return pd.DataFrame(out)
