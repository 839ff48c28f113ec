"""Twice-yearly « état du peuplement » of a relocation: two dates side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.core.relogement.criteria import DEFAULT_CRITERIA, QualitativeCriterion
from mixite.core.relogement.dashboard import Dashboard, dashboard
from mixite.core.relogement.formulas import ResteAVivreFormula


def as_of(figures: pd.DataFrame, date: dt.date) -> pd.DataFrame:
    """The figures as they stood on ``date``: relocations after it are still to do."""
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
    return f


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
    a = as_of(figures, first)
    b = as_of(figures, second)
    da = dashboard(a, formula, by=by, criteria=criteria, reference_year=first.year)
    db = dashboard(b, formula, by=by, criteria=criteria, reference_year=second.year)
    numeric = [c for c in da.table.columns if c != "ligne"]
    left = da.table.set_index("ligne")
    right = db.table.set_index("ligne").reindex(left.index.union(pd.Index(db.table["ligne"])))
    left = left.reindex(right.index)
    changes = pd.concat(
        {
            str(first): left[numeric],
            str(second): right[numeric],
            "évolution": right[numeric] - left[numeric],
        },
        axis=1,
    ).reset_index()
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
