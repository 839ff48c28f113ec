"""Twice-yearly « état du peuplement » of a relocation: two dates side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from mixite.core.relogement.criteria import DEFAULT_CRITERIA, QualitativeCriterion
from mixite.core.relogement.dashboard import MEASURES, TOTAL, Dashboard, dashboard
from mixite.core.relogement.formulas import ResteAVivreFormula
from mixite.core.secret import THRESHOLD, Release, Statistic


def as_of(figures: pd.DataFrame, date: dt.date, *, threshold: float | None = None) -> pd.DataFrame:
    """The figures as they stood on ``date``: relocations after it are still to do.

    With the formula's ``threshold``, a household relocated later is fragile on ``date``
    by its reste à vivre *before* the move (its situation then), not after it.
    """
    f = figures.copy()
    when = pd.to_datetime(f["date_relogement"])
    later = (f["statut"] == "reloge").to_numpy(dtype=bool) & (when > pd.Timestamp(date)).to_numpy(
        dtype=bool
    )
    f.loc[later, "statut"] = "a_reloger"
    f.loc[later, "date_relogement"] = pd.NaT
    for col in (
        "reloge",
        "parc_social",
        "individuel",
        "piece_supplementaire",
        "neuf_ou_recent",
        "hors_qpv",
        "rav_en_hausse",
        "rav_en_baisse",
    ):
        f.loc[later, col] = False
    for col in ("taux_effort_apres", "rav_apres", "variation_rav", "variation_taux_effort"):
        f.loc[later, col] = np.nan
    if threshold is not None:
        before = f["rav_avant"].to_numpy(dtype=float) < threshold
        f.loc[later, "fragile"] = before[later]
    return f


def _aligned(raw: pd.DataFrame, lines: list[str]) -> pd.DataFrame:
    """The raw dashboard on ``lines`` (zeros for a line absent at that date)."""
    t = raw.assign(ligne=raw["ligne"].astype(str)).set_index("ligne").reindex(lines)
    counts = [c for c in t.columns if c in ("menages", "reloges") or c.startswith("n_")]
    t[counts] = t[counts].fillna(0)
    return t.reset_index()


@dataclass(frozen=True)
class SnapshotComparison:
    """Two dashboards, their difference and the households that changed state."""

    first: Dashboard
    second: Dashboard
    changes: pd.DataFrame
    relocated_between: pd.DataFrame
    still_to_relocate: pd.DataFrame


def compare_snapshots(
    figures: pd.DataFrame,
    formula: ResteAVivreFormula,
    first: dt.date,
    second: dt.date,
    *,
    by: str | None = None,
    criteria: Sequence[QualitativeCriterion] = DEFAULT_CRITERIA,
) -> SnapshotComparison:
    """The state at ``first`` and at ``second`` (``first`` < ``second``) side by side.

    ``relocated_between`` and ``still_to_relocate`` list households (identifiers only):
    pass them through :func:`mixite.core.relogement.followup.visible_to` before showing
    them to anyone but the operation team.
    """
    if not first < second:
        raise ValueError(f"first ({first}) must be before second ({second}).")
    a = as_of(figures, first, threshold=formula.threshold)
    b = as_of(figures, second, threshold=formula.threshold)
    da = dashboard(a, formula, by=by, criteria=criteria, reference_year=first.year)
    db = dashboard(b, formula, by=by, criteria=criteria, reference_year=second.year)
    lines = da.raw["ligne"].astype(str).tolist()
    lines += [x for x in db.raw["ligne"].astype(str) if x not in lines]
    left_raw = _aligned(da.raw, lines)
    right_raw = _aligned(db.raw, lines)
    # Both dates are published together: a change of 1 to 10 households is secret too.
    release = Release()
    measures = MEASURES(da.flags)
    is_total = [x == TOTAL for x in lines]
    for name, raw in (("avant", left_raw), ("apres", right_raw)):
        release.add_table(name, raw, measures)
        release.add_totals(name, is_total)
    release.add_change("avant", "apres", before_rows=np.arange(len(lines)))
    out = release.publish()
    left = out["avant"].table.set_index("ligne")
    right = out["apres"].table.set_index("ligne")
    numeric = [c for c in left.columns if c != "ligne"]
    change = right[numeric] - left[numeric]
    base_change = (right_raw["reloges"] - left_raw["reloges"]).abs().to_numpy()
    small = (base_change > 0) & (base_change < THRESHOLD)
    for m in measures:
        if isinstance(m, Statistic):
            change.loc[small, m.column] = np.nan
    changes = pd.concat(
        {str(first): left[numeric], str(second): right[numeric], "évolution": change}, axis=1
    ).reset_index()
    da = replace(da, table=out["avant"].table)
    db = replace(db, table=out["apres"].table)
    moved = (a["statut"] != "reloge").to_numpy(dtype=bool) & (b["statut"] == "reloge").to_numpy(
        dtype=bool
    )
    keep = [
        "id_relogement",
        "id_menage",
        "code_operation",
        "code_bailleur",
        "apres_code_bailleur",
        "date_relogement",
    ]
    return SnapshotComparison(
        first=da,
        second=db,
        changes=changes,
        relocated_between=b.loc[moved, keep].reset_index(drop=True),
        still_to_relocate=b.loc[
            (b["statut"] == "a_reloger").to_numpy(dtype=bool), keep[:5]
        ].reset_index(drop=True),
    )
