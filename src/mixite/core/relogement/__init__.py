"""Relocation tracking for urban renewal (GIP LMRU dashboard).

Per household: effort rate and reste à vivre before and after (:mod:`.formulas`);
fragile households and the follow-up list (:mod:`.followup`); the dashboard by
operation, landlord, commune or period, with statistical secrecy (:mod:`.dashboard`);
twice-yearly snapshots (:mod:`.snapshots`).
"""

from mixite.core.relogement.criteria import DEFAULT_CRITERIA, QualitativeCriterion
from mixite.core.relogement.dashboard import DIMENSIONS, Dashboard, dashboard
from mixite.core.relogement.followup import follow_up_list
from mixite.core.relogement.formulas import (
    ResteAVivreFormula,
    effort_rate,
    household_figures,
)
from mixite.core.relogement.snapshots import SnapshotComparison, compare_snapshots

__all__ = [
    "DEFAULT_CRITERIA",
    "DIMENSIONS",
    "Dashboard",
    "QualitativeCriterion",
    "ResteAVivreFormula",
    "SnapshotComparison",
    "compare_snapshots",
    "dashboard",
    "effort_rate",
    "follow_up_list",
    "household_figures",
]
