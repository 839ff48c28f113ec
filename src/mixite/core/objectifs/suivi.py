"""Tracking objectives: share, Wilson interval, status and recoverability.

For each objective, period and group: allocations so far ``n``, of which ``x`` to the
counted population; share ``x / n`` with its 95 % Wilson interval; and, while the
period runs, the allocations expected by its end at the current pace, from which:

- « au moins » p %: the number ``k`` of the remaining allocations that must go to the
  population, ``k = ceil(p × N − x)`` with ``N`` the expected total; possible if
  ``k ≤`` remaining;
- « au plus » p %: the number of remaining allocations that may still go to it,
  ``floor(p × N − x)``; possible if it is not negative (a negative figure is how many
  allocations too many already went to it).

Once a period is over, nothing is left to direct (``a_orienter`` is empty).

Status: ``atteint`` (the share meets the target, within tolerance), ``à risque`` (it
does not, but the period runs and it is still recoverable), ``manqué`` (the period is
over, or it can no longer be recovered).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.objectifs.charte import Charte, Objectif, Perimetre
from mixite.core.secret import Count, Derived, Share, apply_secrecy

Z95 = 1.959963984540054


def wilson(
    successes: npt.ArrayLike, trials: npt.ArrayLike, z: float = Z95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson score interval for a binomial proportion (NaN where ``trials`` is 0).

    Notes
    -----
    centre = (p + z²/2n) / (1 + z²/n), half-width = z √(p(1−p)/n + z²/4n²) / (1 + z²/n).
    Wilson (1927), JASA 22:209-212.

    Examples
    --------
    >>> lo, hi = wilson([10], [50])
    >>> [round(float(lo[0]), 4), round(float(hi[0]), 4)]
    [0.1124, 0.3304]
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = np.where(n > 0, centre - half, np.nan)
    hi = np.where(n > 0, centre + half, np.nan)
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def _in_scope(a: pd.DataFrame, p: Perimetre) -> npt.NDArray[np.bool_]:
    keep = np.ones(len(a), dtype=bool)
    if p.communes:
        keep &= a["code_commune"].isin(p.communes).to_numpy(dtype=bool)
    if p.territoires:
        keep &= a["code_territoire"].astype(str).isin(p.territoires).to_numpy(dtype=bool)
    if p.bailleurs:
        keep &= a["code_bailleur"].isin(p.bailleurs).to_numpy(dtype=bool)
    if p.contingents:
        keep &= a["contingent"].isin(p.contingents).to_numpy(dtype=bool)
    if p.qpv is not None:
        keep &= a["en_qpv"].to_numpy(dtype=bool) == p.qpv
    return keep


def _periods(dates: pd.Series, kind: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Label, first day and last day of each date's year or half-year."""
    d = pd.to_datetime(dates)
    year = d.dt.year.astype(str)
    if kind == "annee":
        labels, start_md, end_md = year, "-01-01", "-12-31"
        starts = pd.to_datetime(year + start_md)
        ends = pd.to_datetime(year + end_md)
    else:
        first = (d.dt.month <= 6).to_numpy()
        labels = year + np.where(first, "-S1", "-S2")
        starts = pd.to_datetime(year + np.where(first, "-01-01", "-07-01"))
        ends = pd.to_datetime(year + np.where(first, "-06-30", "-12-31"))
    return (
        pd.Series(labels.to_numpy(), index=d.index),
        pd.Series(starts.to_numpy(), index=d.index),
        pd.Series(ends.to_numpy(), index=d.index),
    )


COLUMN_TITLES: dict[str, str] = {
    "objectif": "objectif",
    "periode": "période",
    "groupe": "ventilation",
    "attributions": "attributions",
    "public": "attributions au public visé",
    "part": "part (%)",
    "ic_bas": "intervalle de confiance à 95 %, borne basse (%)",
    "ic_haut": "intervalle de confiance à 95 %, borne haute (%)",
    "cible": "cible (%)",
    "statut": "statut",
    "attendues_fin_periode": "attributions attendues d'ici la fin de la période",
    "restantes": "attributions restantes",
    "a_orienter": "attributions restantes à orienter (au moins vers le public / au plus vers lui)",
    "encore_possible": "encore atteignable",
}


@dataclass(frozen=True)
class Suivi:
    """The tracking table (raw, for the allocations' owners) and its published version."""

    table: pd.DataFrame
    published: pd.DataFrame
    suppressed: int

    def french(self) -> pd.DataFrame:
        """The published table with French headers; « — » where a period is closed."""
        out = self.published.copy()
        closed = (out["encore_possible"] == "période close").to_numpy(dtype=bool)
        out["a_orienter"] = out["a_orienter"].astype(object)
        out.loc[closed, "a_orienter"] = "—"
        return out.rename(columns=COLUMN_TITLES)


def _group_values(a: pd.DataFrame, dims: Sequence[str]) -> pd.Series:
    columns = {
        "bailleur": "code_bailleur",
        "contingent": "contingent",
        "territoire": "code_territoire",
        "commune": "code_commune",
        "qpv": "en_qpv",
    }
    if not dims:
        return pd.Series("ensemble", index=a.index)
    parts = [d + " " + a[columns[d]].astype(str) for d in dims]
    out = parts[0]
    for p in parts[1:]:
        out = out + " / " + p
    return out


def suivre(attributions: pd.DataFrame, charte: Charte, *, reference: dt.date) -> Suivi:
    """Track every objective of ``charte`` on ``attributions`` (with their publics and context).

    ``attributions`` needs the columns of :func:`publics_des_attributions` plus
    ``code_commune, code_territoire, code_bailleur, contingent, en_qpv`` and only holds
    allocations actually made (decision « attribution »).
    """
    rows = []
    ref = pd.Timestamp(reference)
    for obj in charte.objectifs:
        scoped = attributions[_in_scope(attributions, obj.perimetre)]
        scoped = scoped[pd.to_datetime(scoped["date_cal"]) <= ref]
        if scoped.empty:
            continue
        label, start, end = _periods(scoped["date_cal"], obj.periode)
        groups = _group_values(scoped, obj.ventilation)
        frames = [("ensemble", pd.Series(True, index=scoped.index))]
        if obj.ventilation:
            frames += [(str(g), groups == g) for g in sorted(groups.unique())]
        for period in sorted(label.unique()):
            in_period = label == period
            p_start = start[in_period].iloc[0]
            p_end = end[in_period].iloc[0]
            for gname, gmask in frames:
                sel = (in_period & gmask).to_numpy(dtype=bool)
                n = int(sel.sum())
                x = int(scoped[obj.public].to_numpy(dtype=bool)[sel].sum())
                rows.append(_row(obj, period, gname, n, x, p_start, p_end, ref))
    table = pd.DataFrame(rows, columns=list(COLUMN_TITLES))
    # Each objective and period: the « ensemble » row is the total of its breakdown rows.
    key = table["objectif"].astype(str) + "\x1f" + table["periode"].astype(str)
    has_detail = key.map(key.value_counts()) > 1
    secret = apply_secrecy(
        table,
        [
            Count("attributions"),
            Count("public", part_of="attributions"),
            Share("part", "public", "attributions"),
            Derived("ic_bas", ("public", "attributions")),
            Derived("ic_haut", ("public", "attributions")),
            Derived("statut", ("public", "attributions")),
            Derived("attendues_fin_periode", ("attributions",)),
            Derived("restantes", ("attributions",)),
            Derived("a_orienter", ("public", "attributions")),
            Derived("encore_possible", ("public", "attributions")),
        ],
        total_rows=((table["groupe"] == "ensemble") & has_detail).to_numpy(),
        groups=key.to_numpy(),
    )
    published = secret.table.copy()
    for col in ("statut", "encore_possible"):
        published[col] = published[col].where(~secret.suppressed[col], "s")
    return Suivi(table, published, secret.n_suppressed)


def _row(
    obj: Objectif,
    period: str,
    group: str,
    n: int,
    x: int,
    start: pd.Timestamp,
    end: pd.Timestamp,
    ref: pd.Timestamp,
) -> dict[str, object]:
    share = x / n if n else float("nan")
    lo, hi = wilson([x], [n])
    target = obj.cible / 100
    tol = obj.tolerance / 100
    meets = share >= target - tol if obj.comparateur == "au_moins" else share <= target + tol
    running = ref < end
    if running:
        elapsed = max((ref - start).days + 1, 1)
        length = (end - start).days + 1
        expected = max(n, round(n * length / elapsed))
    else:
        expected = n
    remaining = expected - n
    if obj.comparateur == "au_moins":
        needed = max(0, math.ceil(target * expected - x - 1e-9))
        possible = needed <= remaining
        to_direct: float = needed
    else:
        allowed = math.floor(target * expected - x + 1e-9)
        possible = allowed >= 0
        to_direct = max(allowed, 0) if possible else allowed
    if meets and (not running or possible):
        status = "atteint"
    elif running and possible:
        status = "à risque"
    else:
        status = "manqué"
    return {
        "objectif": obj.code,
        "periode": period,
        "groupe": group,
        "attributions": n,
        "public": x,
        "part": share * 100,
        "ic_bas": float(lo[0]) * 100,
        "ic_haut": float(hi[0]) * 100,
        "cible": f"{'≥' if obj.comparateur == 'au_moins' else '≤'} {obj.cible:g}",
        "statut": status,
        "attendues_fin_periode": expected,
        "restantes": remaining,
        "a_orienter": to_direct if running else float("nan"),
        "encore_possible": ("oui" if possible else "non") if running else "période close",
    }
