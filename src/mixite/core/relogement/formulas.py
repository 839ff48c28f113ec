"""Effort rate and reste à vivre of relocated households, before and after.

All amounts are monthly euros. The reste-à-vivre formula differs between
organisations, so it is a parameter, and every output prints the one used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd


def effort_rate(
    rent: npt.ArrayLike, charges: npt.ArrayLike, benefit: npt.ArrayLike, resources: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Effort rate = (rent + charges − housing benefit) / resources (NaN if resources ≤ 0).

    Notes
    -----
    The definition of the GIP LMRU relocation dashboard (DOMAIN.md, capability 8); a
    missing charge or benefit counts as 0.

    Examples
    --------
    >>> effort_rate([400], [100], [200], [1500]).tolist()
    [0.2]
    """
    r = np.nan_to_num(np.asarray(rent, dtype=float))
    c = np.nan_to_num(np.asarray(charges, dtype=float))
    b = np.nan_to_num(np.asarray(benefit, dtype=float))
    res = np.asarray(resources, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (r + c - b) / res
    return np.asarray(np.where(res > 0, out, np.nan), dtype=float)


@dataclass(frozen=True)
class ResteAVivreFormula:
    """How reste à vivre is computed.

    ``par``: per person or per consumption unit; ``periode``: per day or per month;
    ``avec_charges`` / ``avec_apl``: whether charges are deducted and housing benefit
    added; ``jours_par_mois``: days in a month for per-day figures; ``seuil_fragilite``:
    the fragility threshold in the same unit (default 6 € per day and person, the
    source's figure, or 180 € per month).
    """

    par: Literal["personne", "uc"] = "personne"
    periode: Literal["jour", "mois"] = "jour"
    avec_charges: bool = True
    avec_apl: bool = True
    jours_par_mois: float = 30.0
    seuil_fragilite: float | None = None

    def __post_init__(self) -> None:
        if self.par not in ("personne", "uc"):
            raise ValueError(f"par must be 'personne' or 'uc'; got {self.par!r}.")
        if self.periode not in ("jour", "mois"):
            raise ValueError(f"periode must be 'jour' or 'mois'; got {self.periode!r}.")
        if self.jours_par_mois <= 0:
            raise ValueError(f"jours_par_mois must be positive; got {self.jours_par_mois}.")

    @property
    def threshold(self) -> float:
        if self.seuil_fragilite is not None:
            return self.seuil_fragilite
        return 6.0 if self.periode == "jour" else 6.0 * self.jours_par_mois

    @property
    def unit(self) -> str:
        who = "personne" if self.par == "personne" else "unité de consommation"
        return f"€ par {self.periode} et par {who}"

    def describe(self) -> str:
        """The formula in French, printed with every output.

        Examples
        --------
        >>> print(ResteAVivreFormula().describe())
        reste à vivre = (ressources − loyer − charges + APL) / nombre de personnes / 30 jours ; fragile sous 6 € par jour et par personne
        """
        terms = "ressources − loyer"
        if self.avec_charges:
            terms += " − charges"
        if self.avec_apl:
            terms += " + APL"
        divisor = "nombre de personnes" if self.par == "personne" else "unités de consommation"
        per_day = f" / {self.jours_par_mois:g} jours" if self.periode == "jour" else ""
        return (
            f"reste à vivre = ({terms}) / {divisor}{per_day} ; "
            f"fragile sous {self.threshold:g} {self.unit}"
        )

    def compute(
        self,
        resources: npt.ArrayLike,
        rent: npt.ArrayLike,
        charges: npt.ArrayLike,
        benefit: npt.ArrayLike,
        persons: npt.ArrayLike,
        units: npt.ArrayLike,
    ) -> npt.NDArray[np.float64]:
        """Reste à vivre in :attr:`unit` (monthly euro inputs).

        Examples
        --------
        >>> f = ResteAVivreFormula()
        >>> f.compute([1500], [400], [100], [200], [2], [1.5]).round(2).tolist()
        [20.0]
        """
        left = np.asarray(resources, dtype=float) - np.nan_to_num(np.asarray(rent, dtype=float))
        if self.avec_charges:
            left = left - np.nan_to_num(np.asarray(charges, dtype=float))
        if self.avec_apl:
            left = left + np.nan_to_num(np.asarray(benefit, dtype=float))
        divisor = np.asarray(persons if self.par == "personne" else units, dtype=float)
        out = left / divisor
        if self.periode == "jour":
            out = out / self.jours_par_mois
        return np.asarray(out, dtype=float)


def household_figures(
    relogements: pd.DataFrame,
    formula: ResteAVivreFormula,
    *,
    reference_date: dt.date,
    recent_years: int = 5,
) -> pd.DataFrame:
    """One row per household with its before/after figures and flags.

    Adds ``taux_effort_avant/apres`` (fractions), ``variation_taux_effort`` (points),
    ``rav_avant/apres``, ``variation_rav``, ``rav_en_hausse``, ``rav_en_baisse``,
    ``fragile`` (reste à vivre after, or before if not yet relocated, under the
    threshold), ``parc_social``, ``individuel``, ``piece_supplementaire``,
    ``neuf_ou_recent`` (built within ``recent_years`` of ``reference_date``),
    ``hors_qpv`` and ``reloge``. Money columns are monthly euros.
    """
    f = relogements.copy()

    def col(name: str) -> npt.NDArray[np.float64]:
        return f[name].to_numpy(dtype=float, na_value=np.nan)

    reloge = (f["statut"] == "reloge").to_numpy(dtype=bool)
    f["reloge"] = reloge
    f["taux_effort_avant"] = effort_rate(
        col("avant_loyer_mensuel"),
        col("avant_charges_mensuelles"),
        col("avant_apl_mensuelle"),
        col("avant_ressources_mensuelles"),
    )
    after = effort_rate(
        col("apres_loyer_mensuel"),
        col("apres_charges_mensuelles"),
        col("apres_apl_mensuelle"),
        col("apres_ressources_mensuelles"),
    )
    f["taux_effort_apres"] = np.where(reloge, after, np.nan)
    f["variation_taux_effort"] = (f["taux_effort_apres"] - f["taux_effort_avant"]) * 100
    persons = col("nb_personnes")
    units = col("unites_consommation")
    f["rav_avant"] = formula.compute(
        col("avant_ressources_mensuelles"),
        col("avant_loyer_mensuel"),
        col("avant_charges_mensuelles"),
        col("avant_apl_mensuelle"),
        persons,
        units,
    )
    rav_after = formula.compute(
        col("apres_ressources_mensuelles"),
        col("apres_loyer_mensuel"),
        col("apres_charges_mensuelles"),
        col("apres_apl_mensuelle"),
        persons,
        units,
    )
    f["rav_apres"] = np.where(reloge, rav_after, np.nan)
    f["variation_rav"] = f["rav_apres"] - f["rav_avant"]
    f["rav_en_hausse"] = reloge & (f["variation_rav"].to_numpy(dtype=float) > 0.005)
    f["rav_en_baisse"] = reloge & (f["variation_rav"].to_numpy(dtype=float) < -0.005)
    current = np.where(reloge, f["rav_apres"], f["rav_avant"])
    f["fragile"] = current < formula.threshold
    f["parc_social"] = reloge & (f["apres_parc"] == "social").fillna(False).to_numpy(dtype=bool)
    f["individuel"] = reloge & f["apres_individuel"].fillna(False).to_numpy(dtype=bool)
    f["piece_supplementaire"] = reloge & (
        np.nan_to_num(col("apres_nb_pieces")) > np.nan_to_num(col("avant_nb_pieces"))
    )
    f["neuf_ou_recent"] = reloge & (
        np.nan_to_num(col("apres_annee_construction")) >= reference_date.year - recent_years
    )
    f["hors_qpv"] = reloge & ~f["apres_qpv"].fillna(True).to_numpy(dtype=bool)
    return f
