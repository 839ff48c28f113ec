"""Territorial typologies from rules in configuration, each zone with its reasons.

A typology has *axes*; an axis is « en tension » for a zone when at least one of its rules
holds (``indicateur opérateur seuil``). The zone's class is the first class whose minimum
number of axes in tension is reached (Arras: « à enjeux de rééquilibrage » with 2 axes
or more, « en alerte » with 1, « en veille » otherwise; Pecquencourt: « quartier à
enjeux » / « quartier en veille »). An axis whose indicators are all missing is « non
renseigné »: it does not count, and the reasons say so.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

OPERATEURS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclass(frozen=True)
class Regle:
    indicateur: str
    operateur: str
    seuil: float

    def __post_init__(self) -> None:
        if self.operateur not in OPERATEURS:
            raise ValueError(
                f"operateur must be one of {list(OPERATEURS)}; got {self.operateur!r}."
            )


@dataclass(frozen=True)
class Axe:
    code: str
    libelle: str
    regles: tuple[Regle, ...]


@dataclass(frozen=True)
class Typologie:
    """Axes and classes (label, minimum number of axes in tension), most severe first."""

    nom: str
    axes: tuple[Axe, ...]
    classes: tuple[tuple[str, int], ...]


def classer(zones: pd.DataFrame, typologie: Typologie) -> pd.DataFrame:
    """Each zone's axes in tension, its class and the reasons.

    Examples
    --------
    >>> z = pd.DataFrame({"pauvrete": [35.0, 12.0]}, index=["a", "b"])
    >>> t = Typologie("t", (Axe("social", "occupation sociale", (Regle("pauvrete", ">", 30),)),),
    ...               (("à enjeux", 1), ("en veille", 0)))
    >>> classer(z, t)["classe"].tolist()
    ['à enjeux', 'en veille']
    """
    out = pd.DataFrame(index=zones.index)
    tension = np.zeros(len(zones), dtype=int)
    reasons: list[list[str]] = [[] for _ in range(len(zones))]
    for axe in typologie.axes:
        hit = np.zeros(len(zones), dtype=bool)
        known = np.zeros(len(zones), dtype=bool)
        for regle in axe.regles:
            if regle.indicateur not in zones.columns:
                continue
            values = zones[regle.indicateur].to_numpy(dtype=float)
            ok = np.isfinite(values)
            holds = ok & OPERATEURS[regle.operateur](np.nan_to_num(values), regle.seuil)
            known |= ok
            for i in np.flatnonzero(holds):
                reasons[i].append(
                    f"{axe.libelle} : {regle.indicateur} = {values[i]:.1f} {regle.operateur} {regle.seuil:g}"
                )
            hit |= holds
        for i in np.flatnonzero(~known):
            reasons[i].append(f"{axe.libelle} : non renseigné")
        out[f"axe_{axe.code}"] = pd.array(hit, dtype="boolean")
        out.loc[~known, f"axe_{axe.code}"] = pd.NA
        tension += hit
    out["axes_en_tension"] = tension
    labels = np.full(len(zones), typologie.classes[-1][0], dtype=object)
    for label, minimum in reversed(typologie.classes):
        labels = np.where(tension >= minimum, label, labels)
    out["classe"] = labels
    out["motifs"] = [" ; ".join(r) if r else "aucun axe en tension" for r in reasons]
    return out
