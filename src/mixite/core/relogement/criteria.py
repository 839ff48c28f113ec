"""ANRU-style « relogement qualitatif » criteria, as configurable rules.

Each criterion is a kind and a parameter; the dashboard counts the relocated
households that meet it. Kinds:

- ``neuf_ou_recent``: new dwelling or built within ``parametre`` years;
- ``taux_effort_maitrise``: effort rate up by at most ``parametre`` points;
- ``reste_a_vivre_maintenu``: reste à vivre down by at most ``parametre`` (its unit);
- ``hors_qpv``: new dwelling outside QPV;
- ``parc_social``: relocated in the social stock;
- ``taille_adaptee``: at least as many rooms as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

KINDS: tuple[str, ...] = (
    "neuf_ou_recent",
    "taux_effort_maitrise",
    "reste_a_vivre_maintenu",
    "hors_qpv",
    "parc_social",
    "taille_adaptee",
)


@dataclass(frozen=True)
class QualitativeCriterion:
    """One « relogement qualitatif » rule."""

    code: str
    libelle: str
    kind: str
    parametre: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}; got {self.kind!r}.")

    def met(self, figures: pd.DataFrame, *, reference_year: int) -> npt.NDArray[np.bool_]:
        """Which relocated households meet the criterion (never the ones not relocated)."""
        reloge = figures["reloge"].to_numpy(dtype=bool)
        if self.kind == "neuf_ou_recent":
            year = figures["apres_annee_construction"].to_numpy(dtype=float, na_value=np.nan)
            ok = np.nan_to_num(year) >= reference_year - self.parametre
        elif self.kind == "taux_effort_maitrise":
            ok = figures["variation_taux_effort"].to_numpy(dtype=float) <= self.parametre + 1e-9
        elif self.kind == "reste_a_vivre_maintenu":
            ok = figures["variation_rav"].to_numpy(dtype=float) >= -self.parametre - 1e-9
        elif self.kind == "hors_qpv":
            ok = figures["hors_qpv"].to_numpy(dtype=bool)
        elif self.kind == "parc_social":
            ok = figures["parc_social"].to_numpy(dtype=bool)
        else:
            ok = np.nan_to_num(figures["apres_nb_pieces"].to_numpy(dtype=float)) >= np.nan_to_num(
                figures["avant_nb_pieces"].to_numpy(dtype=float)
            )
        return np.asarray(reloge & ok, dtype=bool)


DEFAULT_CRITERIA: tuple[QualitativeCriterion, ...] = (
    QualitativeCriterion("neuf", "logement neuf ou de moins de 5 ans", "neuf_ou_recent", 5),
    QualitativeCriterion(
        "effort", "taux d'effort en hausse de 2 points au plus", "taux_effort_maitrise", 2
    ),
    QualitativeCriterion("hors_qpv", "relogé hors QPV", "hors_qpv"),
)
