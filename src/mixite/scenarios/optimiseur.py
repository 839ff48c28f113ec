"""The allocation plan's optimiser as a projection policy: each simulated year, who gets
the vacancies is decided by an exact mixed-integer programme (HiGHS, as in
:mod:`mixite.plan.resolution`) with the plan's weights and the charters' objectives.

In a projection the applicants are simulated (no wishes, cotation or filing date): the
programme works on groups. A vacancy group is (objectives that count the dwelling,
size, financing class); an applicant group is (publics the objectives count, priority,
size, ceiling class). x[g, h] newcomers of group h go to vacancies of group g, with
the size within one room class and the applicant under the dwelling's ceiling:

    maximise   Σ x[g,h] · (w_logement + w_prioritaire · prioritaire(h) − 50 · |Δ taille|)
               − penalty · Σ s_c
    such that  Σ_h x[g,h] ≤ vacancies(g),  Σ_g x[g,h] ≤ applicants(h),
               Σ_{g counted by c} Σ_h (public_c(h) − target_c) · x[g,h] ± s_c ≥ / ≤ 0.

With hard objectives s_c = 0; when they cannot all hold in a year, the year is solved
again with soft ones (each missing allocation costing ``penalite_souple``) and the
year is flagged. Individual vacancies and applicants are then drawn at random inside
their groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from mixite.plan.modele import ReglesPlan
from mixite.scenarios.modele import BIT_PRIO, BoolArray, Contrainte, IntArray
from mixite.scenarios.politique import membres

#: Cost of a dwelling one room class away from the household's size.
ECART_TAILLE = 50.0


@dataclass(frozen=True)
class Repartition:
    """Newcomers per (vacancy group, applicant group), and whether the objectives had
    to be softened this year."""

    g: IntArray
    h: IntArray
    nombre: IntArray
    assouplie: bool


def repartir(
    nv: IntArray,
    g_scope: BoolArray,
    g_size: IntArray,
    g_fin: IntArray,
    na: IntArray,
    h_bits: IntArray,
    h_size: IntArray,
    h_ceiling: IntArray,
    contraintes: tuple[Contrainte, ...],
    regles: ReglesPlan,
    *,
    g_cout: IntArray | None = None,
    h_abordable: IntArray | None = None,
) -> Repartition:
    """Solve one year's programme. ``g_scope`` is (groups, constraints): which
    objectives count a vacancy group.

    Examples
    --------
    Two vacancies outside QPV, applicants: one first-quartile, two others; at least
    half of the allocations to the first quartile: one of each.

    >>> from mixite.scenarios.modele import BIT_Q1
    >>> c = Contrainte("q1", "q1", BIT_Q1, False, True, 0.5)
    >>> r = repartir(np.array([2]), np.array([[True]]), np.array([1]), np.array([1]),
    ...              np.array([1, 2]), np.array([BIT_Q1, 0]), np.array([1, 1]), np.array([0, 0]),
    ...              (c,), ReglesPlan())
    >>> sorted(zip(r.h.tolist(), r.nombre.tolist()))
    [(0, 1), (1, 1)]
    """
    gg, hh = np.meshgrid(np.arange(len(nv)), np.arange(len(na)), indexing="ij")
    gg, hh = gg.ravel(), hh.ravel()
    gap = np.abs(g_size[gg] - h_size[hh])
    ok = (gap <= 1) & (h_ceiling[hh] <= g_fin[gg])
    if g_cout is not None and h_abordable is not None:  # the household affords the dwelling
        ok &= h_abordable[hh] >= g_cout[gg]
    gg, hh, gap = gg[ok], hh[ok], gap[ok]
    if not len(gg):
        return Repartition(gg, hh, np.zeros(0, dtype=np.int64), False)
    w = regles.poids
    gain = w.logement_attribue + w.prioritaire * ((h_bits[hh] & BIT_PRIO) > 0) - ECART_TAILLE * gap
    n = len(gg)
    rows = [
        sparse.csr_matrix((np.ones(n), (gg, np.arange(n))), shape=(len(nv), n)),
        sparse.csr_matrix((np.ones(n), (hh, np.arange(n))), shape=(len(na), n)),
    ]
    upper = [nv.astype(float), na.astype(float)]
    objective_rows = []
    for j, c in enumerate(contraintes):
        public = membres(c)[h_bits[hh]].astype(float)
        coef = np.where(g_scope[gg, j], public - c.cible, 0.0)
        objective_rows.append(coef if c.au_moins else -coef)  # always « ≥ 0 »
    k = len(objective_rows)

    def solve(soft: bool) -> tuple[np.ndarray | None, bool]:
        slack = k if soft else 0
        cost = np.r_[-gain, np.full(slack, regles.penalite_souple)]
        blocks = [sparse.hstack([r, sparse.csr_matrix((r.shape[0], slack))]) for r in rows]
        cons = [LinearConstraint(b, -np.inf, u) for b, u in zip(blocks, upper, strict=True)]
        if k:
            a = sparse.csr_matrix(np.vstack(objective_rows))
            if soft:
                a = sparse.hstack([a, sparse.identity(k)])
            cons.append(LinearConstraint(a, 0.0, np.inf))
        res = milp(
            cost,
            constraints=cons,
            integrality=np.r_[np.ones(n), np.zeros(slack)],
            bounds=Bounds(0, np.r_[np.minimum(nv[gg], na[hh]), np.full(slack, np.inf)]),
            options={"presolve": True, "mip_rel_gap": 1e-4, "time_limit": 30},
        )
        return (res.x[:n] if res.x is not None else None), soft

    x, softened = solve(False)
    if x is None:
        x, softened = solve(True)
    if x is None:  # even soft: nothing is let by the optimiser this year
        return Repartition(gg[:0], hh[:0], np.zeros(0, dtype=np.int64), True)
    count = np.rint(x).astype(np.int64)
    keep = count > 0
    return Repartition(gg[keep], hh[keep], count[keep], softened)
