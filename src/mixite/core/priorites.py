"""Priority criteria: which applications meet which criterion, and why.

The catalogue is data (``data/config/criteres_priorite.yaml``): each criterion is a
list of conditions on application fields. :func:`evaluate` returns, for every
application, the criteria met and, for each, the fields and values that made it true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

OPERATORS: dict[str, str] = {
    "egal": "=",
    "superieur_a": ">",
    "inferieur_a": "<",
    "au_moins": "≥",
    "au_plus": "≤",
}

#: DALO-6 reference surfaces by household size (m²), 8 persons and more: 70 m²
#: (association DALO's table, refdata/dalo_criteria.md).
DALO_SURFACES: tuple[int, ...] = (9, 16, 25, 34, 43, 52, 61, 70)


@dataclass(frozen=True)
class Condition:
    """``champ`` ``operateur`` (``valeur`` or the field ``champ_compare``)."""

    champ: str
    operateur: str
    valeur: float | bool | str | None = None
    champ_compare: str | None = None

    def __post_init__(self) -> None:
        if self.operateur not in OPERATORS:
            raise ValueError(f"operateur must be one of {list(OPERATORS)}; got {self.operateur!r}.")
        if (self.valeur is None) == (self.champ_compare is None):
            raise ValueError(
                f"Condition on {self.champ!r} needs exactly one of valeur or champ_compare."
            )

    def test(self, frame: pd.DataFrame) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """(holds, evaluable): rows where the condition holds, rows where it can be tested."""
        left = frame[self.champ]
        right = frame[self.champ_compare] if self.champ_compare else self.valeur
        evaluable = left.notna().to_numpy(dtype=bool).copy()
        if self.champ_compare:
            evaluable &= frame[self.champ_compare].notna().to_numpy(dtype=bool)
        with np.errstate(invalid="ignore"):
            if self.operateur == "egal":
                holds = (left == right).fillna(False).to_numpy(dtype=bool)
            else:
                a = left.to_numpy(dtype=float, na_value=np.nan)
                b = (
                    right.to_numpy(dtype=float, na_value=np.nan)
                    if isinstance(right, pd.Series)
                    else float(str(right))
                )
                holds = {
                    "superieur_a": a > b,
                    "inferieur_a": a < b,
                    "au_moins": a >= b,
                    "au_plus": a <= b,
                }[self.operateur]
        return np.asarray(holds & evaluable, dtype=bool), evaluable

    def explain(self, columns: Mapping[str, npt.NDArray[np.object_]], i: int) -> str:
        """Why the condition holds for row ``i`` (``columns``: field → values)."""
        shown = _show(columns[self.champ][i])
        if self.champ_compare:
            other = _show(columns[self.champ_compare][i])
            return (
                f"{self.champ} = {shown} {OPERATORS[self.operateur]} {self.champ_compare} = {other}"
            )
        if self.operateur == "egal":
            return f"{self.champ} = {shown}"
        return f"{self.champ} = {shown} {OPERATORS[self.operateur]} {_show(self.valeur)}"


def _show(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Application fields that reveal health, disability or violence (GDPR art. 9 and the
#: protection of victims): criteria resting on them are « sensibles ».
SENSITIVE_FIELDS: frozenset[str] = frozenset(
    {"handicap", "logement_inadapte_handicap", "violences_familiales"}
)


@dataclass(frozen=True)
class Criterion:
    """A priority criterion: all of ``tous`` and, if given, at least one of ``au_moins_un``."""

    id: str
    libelle: str
    famille: str
    reference: str
    tous: tuple[Condition, ...] = ()
    au_moins_un: tuple[Condition, ...] = ()

    def fields(self) -> set[str]:
        return {c.champ for c in (*self.tous, *self.au_moins_un)} | {
            c.champ_compare for c in (*self.tous, *self.au_moins_un) if c.champ_compare
        }

    @property
    def sensible(self) -> bool:
        """Whether the criterion reveals health, disability or violence."""
        return bool(self.fields() & SENSITIVE_FIELDS)


@dataclass(frozen=True)
class Catalogue:
    """Criteria by id and named lists of them (``dalo``, ``lille_13``…)."""

    criteria: Mapping[str, Criterion]
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def select(self, name: str | None) -> tuple[Criterion, ...]:
        if name is None:
            return tuple(self.criteria.values())
        if name not in self.lists:
            raise ValueError(f"Unknown criteria list {name!r}; lists: {list(self.lists)}.")
        return tuple(self.criteria[i] for i in self.lists[name])


def derived_fields(
    demandes: pd.DataFrame, *, reference: dt.date, delai_anormalement_long_mois: float | None = None
) -> pd.DataFrame:
    """Add ``anciennete_mois``, ``surface_norme_dalo``, ``enfant_mineur``, ``delai_depasse``.

    ``delai_depasse`` stays unknown (NA) while the département's délai anormalement long
    is not given: DALO-7 is then reported as not evaluable rather than guessed.
    """
    f = demandes.copy()
    filed = pd.to_datetime(f["date_depot"])
    f["anciennete_mois"] = ((pd.Timestamp(reference) - filed).dt.days / 30.4375).round(1)
    size = np.clip(f["nb_personnes"].to_numpy(dtype=float, na_value=1), 1, len(DALO_SURFACES))
    f["surface_norme_dalo"] = np.asarray(DALO_SURFACES, dtype=float)[size.astype(int) - 1]
    f["enfant_mineur"] = f["nb_enfants"].fillna(0).to_numpy(dtype=float) > 0
    if delai_anormalement_long_mois is None:
        f["delai_depasse"] = pd.array([pd.NA] * len(f), dtype="boolean")
    else:
        f["delai_depasse"] = f["anciennete_mois"] > delai_anormalement_long_mois
    return f


@dataclass(frozen=True)
class PriorityResult:
    """Per application: a boolean column per criterion, the reasons, and who is priority."""

    met: pd.DataFrame
    reasons: pd.Series
    prioritaire: pd.Series
    not_evaluable: pd.Series


def evaluate(
    frame: pd.DataFrame, criteria: Sequence[Criterion], *, id_column: str = "id_demande"
) -> PriorityResult:
    """Which criteria each application meets, with the reason (the fields that decided).

    ``frame`` must carry the derived fields (:func:`derived_fields`).
    """
    met = pd.DataFrame(index=frame.index)
    unknown = pd.DataFrame(index=frame.index)
    tested: dict[str, list[tuple[Condition, npt.NDArray[np.bool_]]]] = {}
    for c in criteria:
        missing = sorted(c.fields() - set(frame.columns))
        if missing:
            raise ValueError(
                f"Criterion {c.id} needs fields {missing} absent from the applications."
            )
        ok = np.ones(len(frame), dtype=bool)
        can = np.ones(len(frame), dtype=bool)
        shown: list[tuple[Condition, npt.NDArray[np.bool_]]] = []
        for cond in c.tous:
            holds, evaluable = cond.test(frame)
            ok &= holds
            can &= evaluable
            shown.append((cond, np.ones(len(frame), dtype=bool)))
        if c.au_moins_un:
            any_ok = np.zeros(len(frame), dtype=bool)
            for cond in c.au_moins_un:
                holds, _ = cond.test(frame)
                any_ok |= holds
                shown.append((cond, holds))
            ok &= any_ok
        met[c.id] = ok
        unknown[c.id] = ~can
        tested[c.id] = shown
    reasons = [""] * len(frame)
    used = set().union(*(c.fields() for c in criteria)) if criteria else set()
    columns = {name: frame[name].to_numpy(dtype=object) for name in used}
    flags = {c.id: met[c.id].to_numpy(dtype=bool) for c in criteria}
    for i in np.flatnonzero(met.to_numpy(dtype=bool).any(axis=1)):
        parts = []
        for c in criteria:
            if flags[c.id][i]:
                why = [cond.explain(columns, int(i)) for cond, holds in tested[c.id] if holds[i]]
                parts.append(f"{c.id} ({' ; '.join(why)})")
        reasons[i] = " | ".join(parts)
    met.index = frame[id_column].to_numpy()
    unknown.index = met.index
    return PriorityResult(
        met=met,
        reasons=pd.Series(reasons, index=met.index, name="motifs"),
        prioritaire=met.any(axis=1).rename("prioritaire"),
        not_evaluable=unknown.sum(axis=0).rename("non_evaluables"),
    )
