"""Solve the allocation plan exactly with HiGHS (``scipy.optimize.milp``).

HiGHS's presolve is switched off: on the full twin (200 000 binary pairs) it ran for
minutes without a line of progress, whereas the root LP of this assignment structure
is almost integral (see :func:`_milp`, measured by ``benchmarks/plan.py``)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse  # type: ignore[import-untyped]
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from mixite.plan.modele import Probleme, ReglesPlan

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
    folded, constant, watch = _veille(p, pv, pa) if rules.veille else (np.zeros(n), 0.0, [])
    w_n = len(watch)
    cost = np.r_[folded - p.paires["poids"].to_numpy(dtype=float), np.full(m, rules.penalite_souple),
                 [rules.penalite_veille / w.echelle for w, _, _ in watch]]  # fmt: skip
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
    if watch:  # Σ (value − mean)·x − slack ≤ (limit − mean)·households, and the cuts
        w_rows: list[npt.NDArray[np.int64]] = []
        w_cols: list[npt.NDArray[np.int64]] = []
        w_vals: list[npt.NDArray[np.float64]] = []
        upper_rhs: list[float] = []
        for i, (w, idx, cuts) in enumerate(watch):
            w_rows.append(np.full(len(idx) + 1, len(upper_rhs)))
            w_cols.append(np.r_[idx, n + m + i])
            w_vals.append(np.r_[w.valeur[pa[idx]] - w.moyenne, -1.0])
            upper_rhs.append(w.marge)
            for pairs_v, coef in cuts:  # Σ coef·x − slack ≤ 0
                w_rows.append(np.full(len(pairs_v) + 1, len(upper_rhs)))
                w_cols.append(np.r_[pairs_v, n + m + i])
                w_vals.append(np.r_[coef, -1.0])
                upper_rhs.append(0.0)
        a = sparse.csr_matrix(
            (np.concatenate(w_vals), (np.concatenate(w_rows), np.concatenate(w_cols))),
            shape=(len(upper_rhs), total_cols),
        )
        blocks.append(LinearConstraint(a, -np.inf, np.array(upper_rhs)))
    integrality = np.r_[np.ones(n), np.zeros(m + w_n)]
    t0 = time.perf_counter()
    status_code, x, objective, gap = _milp(cost, integrality, upper, blocks, rules)
    took = time.perf_counter() - t0
    status = STATUTS.get(status_code, "échec")
    if x is None:
        return Plan(status if status != "optimal" else "échec", np.zeros(0, dtype=np.int64),
                    float("nan"), float("nan"), took, {})  # fmt: skip
    chosen = np.flatnonzero(x[:n] > 0.5)
    value = -objective - constant
    # The gap is relative to the solver's objective, which leaves the watch's constant out.
    gap = gap * abs(objective) / max(abs(value), 1e-9)
    missing = {c.nom: float(x[n + i]) for i, c in enumerate(rows) if soft and x[n + i] > 1e-6}
    return Plan(status, chosen.astype(np.int64), value, gap, took, missing)


def _milp(
    cost: npt.NDArray[np.float64],
    integrality: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    blocks: list[LinearConstraint],
    rules: ReglesPlan,
) -> tuple[int, npt.NDArray[np.float64] | None, float, float]:
    """HiGHS's status, solution, objective (minimised) and proven relative gap.

    The linear relaxation is solved first; its integral pairs are fixed (those at 1 kept,
    those at 0 left out) and the few fractional ones solved as a small MIP, to a tenth
    of the tolerance. The relaxation's value bounds every plan, so when that plan is
    within ``rules.ecart`` of it the answer is proven without branching over 300 000 pairs — on the full twin
    with the entrance watch, 0.007 % in 20 s, where HiGHS alone reached 0.9 % in 12 s
    and 0.03 % only after 200 s. Otherwise the whole MIP is solved in the time left and
    the better of the two plans kept."""
    started = time.perf_counter()
    options = {"disp": False, "presolve": False}
    lower = np.zeros_like(upper)

    def left() -> float:
        return max(1.0, rules.duree_max_s - (time.perf_counter() - started))

    relaxed = _milp_quiet(cost, integrality=np.zeros_like(integrality), bounds=Bounds(lower, upper),
                   constraints=blocks, options={**options, "time_limit": left()})  # fmt: skip
    if relaxed.status == 2:  # no plan at all, even fractional
        return 2, None, float("nan"), float("nan")
    best: tuple[int, npt.NDArray[np.float64] | None, float] = (4, None, float("inf"))
    bound = -np.inf
    if relaxed.status == 0:
        bound = float(relaxed.fun)
        x = np.asarray(relaxed.x)
        ints = integrality > 0
        fixed_lower, fixed_upper = lower.copy(), upper.copy()
        fixed_lower[ints & (x >= 1 - 1e-6)] = 1.0
        fixed_upper[ints & (x <= 1e-6)] = 0.0
        fixed = _milp_quiet(cost, integrality=integrality, bounds=Bounds(fixed_lower, fixed_upper),
                     constraints=blocks,
                     options={**options, "time_limit": left(), "mip_rel_gap": rules.ecart / 10})  # fmt: skip
        if fixed.x is not None:
            best = (1, np.asarray(fixed.x), float(fixed.fun))  # proven only against the bound
            if _gap(best[2], bound) <= rules.ecart + 1e-12:
                return 0, best[1], best[2], _gap(best[2], bound)
    whole = _milp_quiet(cost, integrality=integrality, bounds=Bounds(lower, upper), constraints=blocks,
                 options={**options, "time_limit": left(), "mip_rel_gap": rules.ecart})  # fmt: skip
    if whole.x is None:
        if best[1] is None:
            return int(whole.status), None, float("nan"), float("nan")
        return 1, best[1], best[2], _gap(best[2], bound)  # the fixed plan, not proven
    dual = getattr(whole, "mip_dual_bound", None)
    bound = max(bound, float(dual)) if dual is not None and np.isfinite(dual) else bound
    if float(whole.fun) <= best[2]:
        best = (int(whole.status), np.asarray(whole.x), float(whole.fun))
    gap = _gap(best[2], bound)
    # HiGHS's own proof holds within its tolerances even when its dual bound lies a
    # rounding error below the objective (a gap of 1e-10 with ``ecart`` 0).
    proven = best[0] == 0 or gap <= rules.ecart + 1e-12
    return (0 if proven else 1), best[1], best[2], gap


def _milp_quiet(*args: Any, **kwargs: Any) -> Any:
    """``scipy.optimize.milp`` with the C standard output closed: HiGHS 1.12 prints
    debugging lines there (« HighsMipSolverData::transformNewIntegerFeasibleSolution »)
    even with its display off."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            return milp(*args, **kwargs)
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _gap(objective: float, bound: float) -> float:
    """Relative distance of a minimised objective to its lower bound."""
    if not np.isfinite(bound):
        return float("nan")
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def _veille(
    p: Probleme, pv: npt.NDArray[np.int64], pa: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], float, list[Any]]:
    """The watch's penalties in the tightest linear form found.

    An entrance with one vacancy needs no row: the household beyond its fragile level
    if pair p is chosen, max(0, c_p − margin) with c_p = value − mean, and max(0,
    −margin) if the vacancy stays empty, are known in advance, so their difference is
    added to the pair's cost and the rest is a constant. An entrance with several
    vacancies keeps its row Σ c·x − slack ≤ margin, which the linear relaxation
    weakens by splitting a vacancy between a loaded and an unloaded applicant; each of
    its vacancies v adds the valid cut slack ≥ Σ_{p∈v} max(0, c_p + L − margin)·x_p,
    L being the least the other vacancies can bring (Σ of their most negative c, or 0).
    On a year of the full twin, with :func:`_milp`, this turns HiGHS's 2.4 % gap after
    110 s into 0.007 % in 20 s (``benchmarks/plan.py``)."""
    rules = p.regles
    folded = np.zeros(len(pv))
    constant = 0.0
    rows = []
    for w in p.veille:
        idx = np.flatnonzero(np.isin(pv, w.vacances))
        if not len(idx):
            continue
        coef = rules.penalite_veille / w.echelle
        c = w.valeur[pa[idx]] - w.moyenne
        if len(w.vacances) == 1:
            empty = max(0.0, -w.marge)
            np.add.at(folded, idx, coef * (np.maximum(0.0, c - w.marge) - empty))
            constant += coef * empty
            continue
        lows = {int(u): min(0.0, float(c[pv[idx] == u].min(initial=0.0))) for u in w.vacances}
        total_low = sum(lows.values())
        cuts = []
        for u, low in lows.items():
            on = pv[idx] == u
            gain = np.maximum(0.0, c[on] + (total_low - low) - w.marge)
            if gain.any():
                cuts.append((idx[on], gain))
        rows.append((w, idx, cuts))
    return folded, constant, rows


def choix(
    probleme: Probleme, choisies: npt.ArrayLike
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The vacancy and applicant rows of the chosen pairs."""
    pairs = probleme.paires.iloc[np.asarray(choisies, dtype=np.int64)]
    return pairs["v"].to_numpy(dtype=np.int64), pairs["a"].to_numpy(dtype=np.int64)


def mesures(probleme: Probleme, v: npt.ArrayLike, a: npt.ArrayLike) -> pd.Series:
    """The figures of allocations (vacancy rows ``v`` to applicant rows ``a``): dwellings
    allocated, priority households housed, cotation points, months waited, first
    wished commune and, with the watch, households beyond the fragile level, in French."""
    v, a = np.asarray(v, dtype=np.int64), np.asarray(a, dtype=np.int64)
    d = probleme.demandes.iloc[a]
    first = probleme.vacances["code_commune"].astype(str).to_numpy()[v] == (
        d["communes_souhaitees"].astype(str).str.split(";").str[0].to_numpy()
    )
    figures = pd.Series({
        "logements attribués": len(v),
        "ménages prioritaires logés": int(d["prioritaire"].sum()),
        "points de cotation": float(d["cotation"].fillna(0).sum()),
        "mois d'ancienneté": round(float(d["anciennete_mois"].fillna(0).sum()), 1),
        "logés dans leur première commune": int(first.sum()),
    })  # fmt: skip
    if probleme.veille:
        figures[AU_DELA] = round(au_dela(probleme, v, a), 2)
    return figures


#: The watch's figure in :func:`mesures`.
AU_DELA = "ménages au-delà du niveau fragile (veille)"


def au_dela(probleme: Probleme, v: npt.ArrayLike, a: npt.ArrayLike) -> float:
    """Households beyond the fragile level, summed over the watch's rows (entrance ×
    variable), after the allocations ``v`` → ``a``: what the plan pays
    ``penalite_veille`` for each."""
    v, a = np.asarray(v, dtype=np.int64), np.asarray(a, dtype=np.int64)
    total = 0.0
    for w in probleme.veille:
        mine = a[np.isin(v, w.vacances)]
        total += max(0.0, float((w.valeur[mine] - w.moyenne).sum()) - w.marge) / w.echelle
    return total


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
