"""Vilogia's entrance watch: four variables per stairwell entrance, thresholds with
tolerance margins, a status and its reasons.

A variable *exceeds* when it is above its threshold plus the margin, and is *in the
margin* when it is above the threshold but within the margin. Status: ``fragile`` when
at least ``fragile_des`` variables exceed; ``vigilance`` when one exceeds or at least
``vigilance_marges`` are in their margin; ``ok`` otherwise — « if an entrance has no
particular problem, exceeding a threshold can be acceptable ». Decision support, not a
rule applied mechanically: every status comes with its reasons.

Entrance-level results name a landlord's stock: only that landlord sees them
(:class:`~mixite.core.acces.Perimetre`); others get the count of entrances by status.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.core.acces import Perimetre


@dataclass(frozen=True)
class Variable:
    """One watched variable: column, label, threshold and tolerance (same unit)."""

    code: str
    libelle: str
    seuil: float
    marge: float = 0.0


DEFAULT_VARIABLES: tuple[Variable, ...] = (
    Variable("part_sans_actif", "ménages sans actif occupé (%)", 50.0, 10.0),
    Variable("part_sous_40_plus", "ménages sous 40 % du plafond PLUS (%)", 40.0, 10.0),
    Variable("part_monoparentales", "familles monoparentales (%)", 25.0, 10.0),
    Variable("enfants_par_logement", "enfants par logement occupé", 1.0, 0.3),
)


def entrance_variables(households: pd.DataFrame, under_40: pd.Series) -> pd.DataFrame:
    """The four default variables per entrance, from its social occupants.

    ``households`` has ``id_entree, code_bailleur, nb_actifs_occupes, type_menage, nb_enfants``.
    """
    h = households.assign(
        _sous40=under_40.to_numpy(dtype=bool),
        _sans_actif=(households["nb_actifs_occupes"] == 0).to_numpy(dtype=bool),
        _mono=(households["type_menage"] == "monoparental").to_numpy(dtype=bool),
    )
    g = h.groupby("id_entree")  # one vectorised pass per column, no per-entrance Python
    out = pd.DataFrame(
        {
            "code_bailleur": g["code_bailleur"].first(),
            "menages": g.size(),
            "part_sans_actif": g["_sans_actif"].mean() * 100,
            "part_sous_40_plus": g["_sous40"].mean() * 100,
            "part_monoparentales": g["_mono"].mean() * 100,
            "enfants_par_logement": g["nb_enfants"].mean(),
        }
    )
    return out


def collectives(entrances: pd.DataFrame) -> pd.Series:
    """Entrances of blocks of flats (the watch's subject): not single houses.

    ``entrances`` needs ``individuel`` (from the building). A single house is one
    household: its « share » is 0 or 100 %, so it would cross every threshold by itself.
    """
    return ~entrances["individuel"].fillna(False).astype(bool)


def calibrate(
    entrances: pd.DataFrame,
    variables: tuple[Variable, ...],
    *,
    quantile: float = 0.9,
    margin_quantile: float = 0.95,
) -> tuple[Variable, ...]:
    """Thresholds from the landlord's own entrances: each variable's threshold is its
    ``quantile`` over them, the margin reaches its ``margin_quantile``.

    With the defaults, about one entrance in ten exceeds a threshold on each variable and
    one in twenty exceeds threshold + margin: the watch flags a minority by construction,
    and each landlord compares its entrances with its own stock.

    Examples
    --------
    >>> e = pd.DataFrame({"v": [float(i) for i in range(101)]})
    >>> calibrate(e, (Variable("v", "v", 0.0),))[0]
    Variable(code='v', libelle='v', seuil=90.0, marge=5.0)
    """
    if not 0 < quantile < margin_quantile < 1:
        raise ValueError(
            f"quantile ({quantile}) and margin_quantile ({margin_quantile}) must satisfy 0 < quantile < margin_quantile < 1."
        )
    out = []
    for v in variables:
        values = entrances[v.code].dropna().to_numpy(dtype=float)
        if not len(values):
            out.append(v)
            continue
        low, high = np.quantile(values, [quantile, margin_quantile])
        out.append(Variable(v.code, v.libelle, float(low), float(max(high - low, 0.0))))
    return tuple(out)


def _fr(x: float) -> str:
    """A threshold or value as a reader reads it: one decimal at most, decimal comma.

    Examples
    --------
    >>> _fr(33.33333), _fr(50.0), _fr(0.8333)
    ('33,3', '50', '0,8')
    """
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def statuses(
    entrances: pd.DataFrame,
    variables: tuple[Variable, ...] = DEFAULT_VARIABLES,
    *,
    fragile_des: int = 2,
    vigilance_marges: int = 2,
) -> pd.DataFrame:
    """Status (ok, vigilance, fragile) and reasons for each entrance."""
    exceed = np.zeros(len(entrances), dtype=int)
    margin = np.zeros(len(entrances), dtype=int)
    reasons: list[list[str]] = [[] for _ in range(len(entrances))]
    for v in variables:
        values = entrances[v.code].to_numpy(dtype=float)
        over = values > v.seuil + v.marge
        inside = (values > v.seuil) & ~over
        exceed += over
        margin += inside
        seuil, marge, haut = _fr(v.seuil), _fr(v.marge), _fr(v.seuil + v.marge)
        for i in np.flatnonzero(over):
            reasons[i].append(f"{v.libelle} : {_fr(values[i])} > {seuil} + marge {marge}")
        for i in np.flatnonzero(inside):
            reasons[i].append(f"{v.libelle} : {_fr(values[i])} dans la marge ({seuil} à {haut})")
    status = np.where(
        exceed >= fragile_des,
        "fragile",
        np.where((exceed >= 1) | (margin >= vigilance_marges), "vigilance", "ok"),
    )
    out = entrances.copy()
    out["depassements"] = exceed
    out["dans_la_marge"] = margin
    out["statut"] = status
    out["motifs"] = [" ; ".join(r) if r else "aucun seuil dépassé" for r in reasons]
    return out


def watch(entrances: pd.DataFrame, viewer: Perimetre) -> pd.DataFrame:
    """What ``viewer`` may see: its own entrances one by one (a landlord), otherwise the
    number of entrances by status (open aggregate)."""
    if viewer.role == "bailleur":
        return entrances[entrances["code_bailleur"] == viewer.code]
    counts = (
        entrances.groupby("statut").size().reindex(["ok", "vigilance", "fragile"], fill_value=0)
    )
    return counts.rename("entrees").reset_index()
