"""Solve the allocation plan exactly with HiGHS (``scipy.optimize.milp``).

HiGHS's presolve is switched off: on the full twin (200 000 binary pairs) it ran for
minutes without a line of progress, whereas the root LP of this assignment structure
is almost integral and the solver proves a 0.02 % gap in 5 s without it (measured by
``benchmarks/plan.py``)."""

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
    pv, pa = p.paires["v"].to_numpy(dtype=np.int64), p.paires["a"].to_numpy(dtype=np.int64)
    members = [np.flatnonzero(np.isin(pv, c.vacances)) for c in p.contraintes]
    kept = [(c, idx) for c, idx in zip(p.contraintes, members, strict=True)
            if c.code not in sans and c.nom not in sans and len(idx)]  # fmt: skip
    rows = [c for c, _ in kept]
    m = len(rows) if soft else 0
    watch = [(w, np.flatnonzero(np.isin(pv, w.vacances))) for w in p.veille] if rules.veille else []
    watch = [(w, idx) for w, idx in watch if len(idx)]
    w_n = len(watch)
    cost = np.r_[-p.paires["poids"].to_numpy(dtype=float), np.full(m, rules.penalite_souple),
                 [rules.penalite_veille / w.echelle for w, _ in watch]]  # fmt: skip
    total_cols = n + m + w_n
    upper = np.ones(total_cols)
    upper[n:] = np.inf
    if interdites is not None:
        upper[np.asarray(interdites, dtype=np.int64)] = 0.0
    cols = np.arange(n)
    blocks = []
    for keys in (pv, pa):  # each vacancy, each applicant at most once
        uniq, inv = np.unique(keys, return_inverse=True)
        a = sparse.csr_matrix((np.ones(n), (inv, cols)), shape=(len(uniq), total_cols))
        blocks.append(LinearConstraint(a, -np.inf, 1.0))
    if rows:
        r_idx = np.concatenate([np.full(len(idx), i) for i, (_, idx) in enumerate(kept)])
        c_idx = np.concatenate([idx for _, idx in kept])
        vals = np.concatenate([c.public[pa[idx]].astype(float) - c.cible for c, idx in kept])
        sign = np.array([1.0 if c.comparateur == "au_moins" else -1.0 for c in rows])
        vals = vals * sign[r_idx]  # every row as « ≥ 0 »
        if soft:
            r_idx = np.r_[r_idx, np.arange(m)]
            c_idx = np.r_[c_idx, n + np.arange(m)]
            vals = np.r_[vals, np.ones(m)]
        a = sparse.csr_matrix((vals, (r_idx, c_idx)), shape=(len(rows), total_cols))
        blocks.append(LinearConstraint(a, 0.0, np.inf))
    if watch:  # Σ (value − mean)·x − slack ≤ (limit − mean)·households
        r_idx = np.concatenate([np.full(len(idx) + 1, i) for i, (_, idx) in enumerate(watch)])
        c_idx = np.concatenate([np.r_[idx, n + m + i] for i, (_, idx) in enumerate(watch)])
        vals = np.concatenate([np.r_[w.valeur[pa[idx]] - w.moyenne, -1.0] for w, idx in watch])
        a = sparse.csr_matrix((vals, (r_idx, c_idx)), shape=(w_n, total_cols))
        blocks.append(LinearConstraint(a, -np.inf, np.array([w.marge for w, _ in watch])))
    integrality = np.r_[np.ones(n), np.zeros(m + w_n)]
    t0 = time.perf_counter()
    res = milp(cost, integrality=integrality, bounds=Bounds(np.zeros(total_cols), upper),
               constraints=blocks,
               options={"time_limit": rules.duree_max_s, "mip_rel_gap": rules.ecart, "disp": False,
                        "presolve": False})  # fmt: skip
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


def choix(
    probleme: Probleme, choisies: npt.ArrayLike
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The vacancy and applicant rows of the chosen pairs."""
    pairs = probleme.paires.iloc[np.asarray(choisies, dtype=np.int64)]
    return pairs["v"].to_numpy(dtype=np.int64), pairs["a"].to_numpy(dtype=np.int64)


def mesures(probleme: Probleme, v: npt.ArrayLike, a: npt.ArrayLike) -> pd.Series:
    """The figures of allocations (vacancy rows ``v`` to applicant rows ``a``): dwellings
    allocated, priority households housed, cotation points, months waited, first
    wished commune, in French."""
    v, a = np.asarray(v, dtype=np.int64), np.asarray(a, dtype=np.int64)
    d = probleme.demandes.iloc[a]
    first = probleme.vacances["code_commune"].astype(str).to_numpy()[v] == (
        d["communes_souhaitees"].astype(str).str.split(";").str[0].to_numpy()
    )
    return pd.Series({
        "logements attribués": len(v),
        "ménages prioritaires logés": int(d["prioritaire"].sum()),
        "points de cotation": float(d["cotation"].fillna(0).sum()),
        "mois d'ancienneté": round(float(d["anciennete_mois"].fillna(0).sum()), 1),
        "logés dans leur première commune": int(first.sum()),
    })  # fmt: skip


def parts(probleme: Probleme, v: npt.ArrayLike, a: npt.ArrayLike) -> pd.DataFrame:
    """Each objective row's share of the public among the allocations (``v`` → ``a``)
    in its scope, beside its target."""
    v, a = np.asarray(v, dtype=np.int64), np.asarray(a, dtype=np.int64)
    out = []
    for c in probleme.contraintes:
        on = np.isin(v, c.vacances)
        n, k = int(on.sum()), int(c.public[a[on]].sum())
        share = k / n if n else np.nan
        ok = n == 0 or (
            share >= c.cible - 1e-9 if c.comparateur == "au_moins" else share <= c.cible + 1e-9
        )
        out.append({"objectif": c.code, "ventilation": c.groupe, "attributions": n,
                    "public": k, "part (%)": round(share * 100, 1) if n else np.nan,
                    "cible (%)": c.cible * 100, "sens": c.comparateur, "respecté": bool(ok)})  # fmt: skip
    return pd.DataFrame(out)
