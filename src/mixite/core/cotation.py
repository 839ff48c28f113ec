"""Scoring of applications (cotation, mandatory since the ELAN law) and what an applicant
must be told: the score, the average waiting time of similar applications and the
position among them (décret n° 2019-1378 du 17 décembre 2019, as summarised in the law's
information duties).

The grid is data: points per priority criterion met, points per month of seniority
(capped), points per refused suitable offer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Grid:
    """A scoring grid."""

    points: Mapping[str, float]
    points_par_mois: float = 1.0
    plafond_anciennete: float = 60.0
    refus: float = 0.0

    def describe(self) -> str:
        crit = ", ".join(f"{k} {v:g}" for k, v in self.points.items())
        return (
            f"score = points des critères ({crit}) + {self.points_par_mois:g} point(s) par mois "
            f"d'ancienneté (au plus {self.plafond_anciennete:g}) + {self.refus:g} par refus d'offre adaptée"
        )


@dataclass(frozen=True)
class Scores:
    """Scores with their breakdown (one column per component) and a French explanation."""

    score: pd.Series
    detail: pd.DataFrame
    explanation: pd.Series


def score(applications: pd.DataFrame, met: pd.DataFrame, grid: Grid) -> Scores:
    """Score every application.

    ``applications`` carries ``anciennete_mois`` and ``refus_offre_adaptee`` (see
    :func:`mixite.core.priorites.derived_fields`); ``met`` has one boolean column per
    criterion, indexed like ``applications``' identifiers.

    Examples
    --------
    >>> apps = pd.DataFrame({"anciennete_mois": [10.0, 100.0], "refus_offre_adaptee": [0, 1]})
    >>> met = pd.DataFrame({"DALO-1": [True, False]})
    >>> score(apps, met, Grid({"DALO-1": 40}, refus=-15)).score.tolist()
    [50.0, 45.0]
    """
    unknown = sorted(set(grid.points) - set(met.columns))
    if unknown:
        raise ValueError(
            f"The grid scores criteria {unknown} that were not evaluated; evaluated: {list(met.columns)}."
        )
    detail = pd.DataFrame(index=met.index)
    for criterion, points in grid.points.items():
        detail[criterion] = np.where(met[criterion].to_numpy(dtype=bool), points, 0.0)
    months = applications["anciennete_mois"].to_numpy(dtype=float, na_value=0.0)
    detail["anciennete"] = np.minimum(
        np.maximum(months, 0) * grid.points_par_mois, grid.plafond_anciennete
    )
    detail["refus"] = (
        applications["refus_offre_adaptee"].to_numpy(dtype=float, na_value=0.0) * grid.refus
    )
    total = detail.sum(axis=1).rename("score")
    explanation = []
    values = detail.to_numpy()
    names = list(detail.columns)
    for row in values:
        parts = [f"{n} {v:+g}" for n, v in zip(names, row, strict=True) if v != 0]
        explanation.append(" ; ".join(parts) if parts else "aucun point")
    return Scores(total, detail, pd.Series(explanation, index=met.index, name="detail"))


def similar_group(applications: pd.DataFrame) -> pd.Series:
    """Similar applications: same wished dwelling size (T1 … T6+), as the SNE groups them."""
    rooms = applications["nb_pieces_souhaite"].fillna(applications["nb_personnes"]).clip(1, 6)
    return ("T" + rooms.astype(int).astype(str)).where(rooms < 6, "T6+")


def applicant_information(
    applications: pd.DataFrame,
    scores: pd.Series,
    *,
    reference: pd.Timestamp,
    window_months: int = 12,
) -> pd.DataFrame:
    """For each active application: score, position among similar active applications (1 =
    first), their count, and the average waiting time (months) of similar applications
    satisfied in the last ``window_months``."""
    group = similar_group(applications).to_numpy()
    active = (applications["statut"] == "active").to_numpy(dtype=bool)
    out = pd.DataFrame({"score": scores.to_numpy(), "groupe": group}, index=scores.index)
    ranks = pd.Series(np.where(active, -scores.to_numpy(), np.nan), index=scores.index)
    out["position"] = ranks.groupby(group).rank(method="min").to_numpy()
    out["demandes_similaires"] = (
        pd.Series(active.astype(int), index=scores.index).groupby(group).transform("sum").to_numpy()
    )
    done = (applications["statut"] == "attribuee").to_numpy(dtype=bool)
    exit_date = pd.to_datetime(applications["date_sortie"])
    recent = done & (exit_date >= reference - pd.DateOffset(months=window_months)).to_numpy(
        dtype=bool
    )
    waits = (exit_date - pd.to_datetime(applications["date_depot"])).dt.days / 30.4375
    mean_wait = waits[recent].groupby(group[recent]).mean()
    out["attente_moyenne_mois"] = pd.Series(group).map(mean_wait).to_numpy()
    out = out[active]
    out["position"] = out["position"].astype("Int64")
    return out
