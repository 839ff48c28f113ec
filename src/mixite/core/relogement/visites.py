"""The relocated households the team should go and see: reste à vivre under the
fragility threshold, effort rate up by more than a set number of points, fragile after
the move (difficulties noted at the last visit), or no visit for too long. Household-level: the operation's team and the
household's landlord only (:func:`~mixite.core.relogement.followup.visible_to`).

Examples
--------
>>> f = pd.DataFrame({"id_relogement": ["R1", "R2"], "id_menage": ["M1", "M2"],
...     "code_operation": ["OP", "OP"],
...     "code_bailleur": ["B1", "B1"], "apres_code_bailleur": ["B1", "B2"],
...     "reloge": [True, True], "date_relogement": pd.to_datetime(["2025-01-10"] * 2),
...     "fragile": [False, False],
...     "variation_taux_effort": [1.0, 8.0], "nb_personnes": [2, 3],
...     "taux_effort_avant": [0.2, 0.2], "taux_effort_apres": [0.21, 0.28],
...     "rav_apres": [12.0, 9.0]})
>>> v = pd.DataFrame({"id_relogement": ["R1"], "date_visite": pd.to_datetime(["2026-05-01"]),
...     "difficultes": ["aucune"], "mesure_corrective": [None]})
>>> out = a_voir(f, v, Perimetre("operation", "OP"), Criteres(), dt.date(2026, 9, 1))
>>> for r in out.itertuples():
...     print(r.id_relogement, ":", r.motif)
R2 : taux d'effort en hausse de 8,0 points ; pas de visite depuis le relogement (19 mois)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.core.acces import Perimetre
from mixite.core.relogement.followup import visible_to


@dataclass(frozen=True)
class Criteres:
    """When a relocated household is to be seen: effort rate up by more than
    ``hausse_points`` points, or no visit for ``mois_sans_visite`` months (from the
    move when never visited) while the follow-up lasts (``duree_suivi_mois`` after the
    move). Households under the reste-à-vivre threshold and those whose last visit
    noted difficulties always are."""

    hausse_points: float = 5.0
    mois_sans_visite: int = 12
    duree_suivi_mois: int = 24

    def decrire(self) -> str:
        """The criteria in one French sentence (printed with every list)."""
        return (
            "à voir : reste à vivre sous le seuil, taux d'effort en hausse de "
            f"plus de {self.hausse_points:g} points, difficultés notées à la dernière visite, "
            f"ou pas de visite depuis {self.mois_sans_visite} mois (dans les "
            f"{self.duree_suivi_mois} mois qui suivent le relogement)"
        )


#: Columns of the list, as the command and the page show them.
COLONNES = (
    "id_relogement", "id_menage", "code_operation", "code_bailleur", "apres_code_bailleur",
    "date_relogement", "nb_personnes", "taux_effort_avant", "taux_effort_apres", "rav_apres",
    "derniere_visite", "difficultes", "mesure_corrective", "motif",
)  # fmt: skip


def _mois(debut: pd.Series, fin: dt.date) -> np.ndarray:
    """Whole months from each date of ``debut`` to ``fin``."""
    d = pd.to_datetime(debut)
    end = pd.Timestamp(fin)
    months = (end.year - d.dt.year) * 12 + (end.month - d.dt.month) - (end.day < d.dt.day)
    return months.to_numpy(dtype=float)


def a_voir(
    figures: pd.DataFrame,
    visites: pd.DataFrame,
    viewer: Perimetre,
    criteres: Criteres,
    reference: dt.date,
) -> pd.DataFrame:
    """The relocated households ``viewer`` may see that meet a criterion, each with
    every reason (``motif``), its last visit and what it noted; most reasons first."""
    seen = visible_to(figures, viewer)
    seen = seen[seen["reloge"].to_numpy(dtype=bool)].copy()
    v = visites.assign(id_relogement=visites["id_relogement"].astype(str))
    last = v.sort_values("date_visite", kind="stable").drop_duplicates("id_relogement", keep="last")
    last = last.set_index("id_relogement")
    ident = seen["id_relogement"].astype(str)
    seen["derniere_visite"] = pd.to_datetime(ident.map(last["date_visite"]))
    seen["difficultes"] = ident.map(last["difficultes"]).astype("string")
    seen["mesure_corrective"] = ident.map(last["mesure_corrective"]).astype("string")
    since = seen["derniere_visite"].fillna(pd.to_datetime(seen["date_relogement"]))
    months = _mois(since, reference)
    rise = seen["variation_taux_effort"].to_numpy(dtype=float)  # points already
    followed = _mois(seen["date_relogement"], reference) < criteres.duree_suivi_mois
    troubled = seen["difficultes"].fillna("aucune").to_numpy(dtype=str)
    reasons: list[str] = []
    keep = np.zeros(len(seen), dtype=bool)
    for i in range(len(seen)):
        parts = []
        if bool(seen["fragile"].iloc[i]):
            parts.append("reste à vivre sous le seuil")
        if rise[i] > criteres.hausse_points + 1e-9:
            parts.append(f"taux d'effort en hausse de {rise[i]:.1f} points".replace(".", ","))
        if troubled[i] != "aucune":
            said = troubled[i].replace("_", " ").replace(";", ", ")
            parts.append(f"difficultés à la dernière visite ({said})")
        if followed[i] and months[i] >= criteres.mois_sans_visite:
            when = "depuis le relogement" if pd.isna(seen["derniere_visite"].iloc[i]) else "depuis"
            parts.append(f"pas de visite {when} ({int(months[i])} mois)")
        keep[i] = bool(parts)
        reasons.append(" ; ".join(parts))
    seen["motif"] = reasons
    seen["_n"] = [r.count(";") + 1 for r in reasons]
    out = seen[keep].sort_values(["_n", "code_operation", "id_relogement"],
                                 ascending=[False, True, True], kind="stable")  # fmt: skip
    return out[list(COLONNES)].reset_index(drop=True)
