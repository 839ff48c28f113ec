"""Dwellings that fit a household to relocate: the hard constraints its interview
recorded (size, rent and charges, accessibility, communes, type), each dwelling with the
reasons it fits or not. Explains; never decides.

>>> import pandas as pd
>>> s = Souhaits(communes=("59350",), pieces_min=3, pieces_max=4, loyer_charges_max=600.0,
...              mobilite_reduite=True)
>>> stock = pd.DataFrame({"id_logement": ["A", "B", "C"], "code_commune": ["59350"] * 3,
...     "nb_pieces": [3, 3, 2], "loyer_mensuel": [450.0, 450.0, 380.0],
...     "charges_mensuelles": [90.0, 90.0, 70.0], "etage": [0, 4, 0],
...     "ascenseur": [False, False, False], "individuel": [False] * 3})
>>> contraintes(stock, s)[["id_logement", "adapte", "motifs"]].to_dict("records")[1]
{'id_logement': 'B', 'adapte': False, 'motifs': 'étage 4 sans ascenseur (mobilité réduite)'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Souhaits:
    """What the interview recorded: the hard constraints of the search."""

    communes: tuple[str, ...] = ()
    type: str = "indifferent"
    pieces_min: int = 1
    pieces_max: int | None = None
    etage_max: int | None = None
    loyer_charges_max: float | None = None
    mobilite_reduite: bool = False
    sur_site: str = "indifferent"

    @classmethod
    def de_l_entretien(cls, row: Mapping[str, Any]) -> Souhaits:
        """From a row of ``entretiens_relogement``."""

        def value(name: str) -> Any:
            v = row.get(name)
            return None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v

        communes = value("souhait_communes")
        return cls(
            communes=tuple(c.strip() for c in str(communes).split(";") if c.strip())
            if communes
            else (),
            type=str(value("souhait_type") or "indifferent"),
            pieces_min=int(value("souhait_pieces_min") or 1),
            pieces_max=None
            if value("souhait_pieces_max") is None
            else int(value("souhait_pieces_max")),
            etage_max=None if value("etage_max") is None else int(value("etage_max")),
            loyer_charges_max=None
            if value("loyer_charges_max") is None
            else float(value("loyer_charges_max")),
            mobilite_reduite=bool(value("mobilite_reduite") or False),
            sur_site=str(value("souhait_sur_site") or "indifferent"),
        )


def contraintes(logements: pd.DataFrame, s: Souhaits) -> pd.DataFrame:
    """``logements`` (``nb_pieces, loyer_mensuel, charges_mensuelles, etage,
    ascenseur, code_commune, individuel``) with one column per constraint, ``adapte``
    (all hold) and ``motifs``: the constraints broken, or « conforme aux souhaits »."""
    out = logements.copy()
    rooms = out["nb_pieces"].to_numpy(dtype=np.int64)
    cost = (
        out["loyer_mensuel"].astype(float).fillna(0)
        + out["charges_mensuelles"].astype(float).fillna(0)
    ).to_numpy()
    floor = out["etage"].fillna(0).to_numpy(dtype=np.int64)
    lift = out["ascenseur"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    house = out["individuel"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    commune = out["code_commune"].astype(str).to_numpy()
    reasons: list[list[str]] = [[] for _ in range(len(out))]

    def check(name: str, ok: np.ndarray, why: Any) -> None:
        out[name] = ok
        for i in np.flatnonzero(~ok):
            reasons[i].append(why(i))

    high = s.pieces_max if s.pieces_max is not None else 99
    check("taille_ok", (rooms >= s.pieces_min) & (rooms <= high),
          lambda i: f"{rooms[i]} pièce(s), souhait {s.pieces_min} à {high if s.pieces_max else '…'}")  # fmt: skip
    limit = s.loyer_charges_max if s.loyer_charges_max is not None else np.inf
    check("loyer_ok", cost <= limit + 1e-9,
          lambda i: f"loyer et charges {cost[i]:.2f} € au-delà de {limit:.2f} €".replace(".", ","))  # fmt: skip
    reach = np.ones(len(out), dtype=bool)
    if s.mobilite_reduite:
        reach &= (floor == 0) | lift
    if s.etage_max is not None:
        reach &= (floor <= s.etage_max) | lift
    check("acces_ok", reach, lambda i: f"étage {floor[i]} sans ascenseur"
          + (" (mobilité réduite)" if s.mobilite_reduite else f" (au plus {s.etage_max})"))  # fmt: skip
    wished = np.isin(commune, list(s.communes)) if s.communes else np.ones(len(out), dtype=bool)
    check("commune_ok", wished, lambda i: f"commune {commune[i]} non souhaitée")
    kind = np.ones(len(out), dtype=bool)
    if s.type == "individuel":
        kind = house
    elif s.type == "collectif":
        kind = ~house
    check("type_ok", kind, lambda i: "maison" if house[i] else "logement collectif")
    out["adapte"] = out[["taille_ok", "loyer_ok", "acces_ok", "commune_ok", "type_ok"]].all(axis=1)
    rank = {c: k for k, c in enumerate(s.communes)}
    out["rang_commune"] = [rank.get(c, len(rank)) + 1 if s.communes else 1 for c in commune]
    out["motifs"] = [" ; ".join(r) if r else "conforme aux souhaits" for r in reasons]
    return out
