"""The allocation plan as an optimisation problem: which applicant for which vacancy.

**Variables.** One binary ``x_p`` per candidate pair *p* = (vacancy, applicant). Pairs
are generated sparsely: an applicant is a candidate for a vacancy only when the
dwelling is in a commune it wishes, of the type it wishes, within its rent cap, of a
size it may occupy (neither over- nor under-occupied, the commission's rules), under
the resource ceiling of its financing for the household, and when the application was
filed by the vacancy's date and not yet closed. Of those, the
``candidats_par_logement`` best by the objective's weight are kept for each vacancy
(the plan cannot use a pair below that rank; the note says how many were set aside).

**Objective** (maximised; weights in ``plan.yaml``): for each pair kept,
``logement_attribue + prioritaire·[priority household] + cotation·points +
anciennete_mois·months waited + premiere_commune·[first wished commune]``.

**Constraints.** Each vacancy to at most one applicant, each applicant at most one
vacancy; every objective of the charters (legal quotas, charter objectives) as a linear
row per group of its ventilation, over the pairs of the vacancies in its scope:
``Σ_p (public_p − cible)·x_p ≥ 0`` (at least) or ``≤ 0`` (at most) — the share of the
public among the scope's allocations, without dividing by an unknown number of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.commission.eligibilite import Regles, plafonds_applicables
from mixite.core.objectifs.charte import COMPARATEURS, Charte

FINANCEMENTS = ("PLAI", "PLUS", "PLS")
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Poids:
    """The objective's weights (``plan.yaml``, section ``poids``)."""

    logement_attribue: float = 1000.0
    prioritaire: float = 100.0
    cotation: float = 1.0
    anciennete_mois: float = 0.5
    premiere_commune: float = 20.0


@dataclass(frozen=True)
class ReglesPlan:
    """How the plan is computed (``plan.yaml``)."""

    poids: Poids = field(default_factory=Poids)
    candidats_par_logement: int = 30
    #: « dure »: every objective must hold; « souple »: a missing allocation costs
    #: ``penalite_souple`` in the objective.
    objectifs: str = "dure"
    penalite_souple: float = 500.0
    ecart: float = 0.01
    duree_max_s: float = 110.0
    #: Check each proposed pair's effort rate and reste à vivre after housing benefit
    #: (OpenFisca-France) and re-solve without the pairs that fail.
    abordabilite: bool = True

    def __post_init__(self) -> None:
        if self.objectifs not in ("dure", "souple"):
            raise ValueError(f"objectifs must be 'dure' or 'souple'; got {self.objectifs!r}.")
        if self.candidats_par_logement < 1:
            raise ValueError("candidats_par_logement must be at least 1.")


@dataclass(frozen=True)
class Contrainte:
    """One objective row: the public's share among the pairs of its scope."""

    code: str
    groupe: str
    libelle: str
    comparateur: str  # au_moins | au_plus
    cible: float  # fraction
    paires: IntArray
    public: BoolArray

    @property
    def nom(self) -> str:
        return f"{self.code} ({self.groupe})" if self.groupe != "ensemble" else self.code

    def describe(self) -> str:
        return (f"{self.libelle} — {self.groupe} : part {COMPARATEURS[self.comparateur]} "
                f"{self.cible * 100:g} %")  # fmt: skip


@dataclass
class Probleme:
    """Vacancies, applicants, candidate pairs with their weights, objective rows."""

    vacances: pd.DataFrame
    demandes: pd.DataFrame
    paires: pd.DataFrame  # columns v, a, poids
    contraintes: list[Contrainte]
    regles: ReglesPlan
    ecartees: int = 0  # eligible pairs beyond the rank kept

    @property
    def taille(self) -> str:
        return (f"{len(self.vacances)} logements, {len(self.demandes)} demandes, "
                f"{len(self.paires)} paires, {len(self.contraintes)} lignes d'objectifs")  # fmt: skip


def poids_des_demandes(demandes: pd.DataFrame, poids: Poids) -> npt.NDArray[np.float64]:
    """Each applicant's weight, but the first-wished-commune bonus."""
    d = demandes
    return np.asarray(
        poids.logement_attribue
        + poids.prioritaire * d["prioritaire"].to_numpy(dtype=float)
        + poids.cotation * d["cotation"].fillna(0).to_numpy(dtype=float)
        + poids.anciennete_mois * d["anciennete_mois"].fillna(0).to_numpy(dtype=float),
        dtype=float,
    )


def _plafonds(
    demandes: pd.DataFrame, plafonds: pd.DataFrame, regles: Regles, annee: int
) -> dict[str, npt.NDArray[np.float64]]:
    return {
        f: plafonds_applicables(
            plafonds, demandes, financement=f, zone=regles.zone_plafonds, annee=annee
        )[0].astype(float)
        for f in FINANCEMENTS
    }


def paires(
    vacances: pd.DataFrame,
    demandes: pd.DataFrame,
    *,
    plafonds: pd.DataFrame,
    regles: Regles,
    annee: int,
    poids: Poids,
    k: int,
    chunk: int = 256,
) -> tuple[pd.DataFrame, int]:
    """The candidate pairs (``v``: vacancy row, ``a``: applicant row, ``poids``) and
    how many eligible pairs were set aside beyond the ``k`` best of each vacancy."""
    d = demandes.reset_index(drop=True)
    base = poids_des_demandes(d, poids)
    ceilings = _plafonds(d, plafonds, regles, annee)
    income = np.rint(d["ressources_annuelles"].to_numpy(dtype=float) * 100)
    persons = d["nb_personnes"].to_numpy(dtype=float)
    kind = d["type_souhaite"].astype("string").fillna("indifferent").to_numpy(dtype=str)
    cap = d["loyer_max"].astype(float).to_numpy() if "loyer_max" in d else np.full(len(d), np.nan)
    filed = pd.to_datetime(d["date_depot"]).to_numpy()
    closed = (
        pd.to_datetime(d["date_sortie"]).to_numpy()
        if "date_sortie" in d
        else np.full(len(d), np.datetime64("NaT"))
    )
    listed = d["communes_souhaitees"].astype("string").fillna("").str.split(";").explode()
    wishes = pd.DataFrame(
        {"a": listed.index.to_numpy(dtype=np.int64), "commune": listed.to_numpy()}
    )
    wishes["rang"] = wishes.groupby("a").cumcount()
    wishes = wishes[wishes["commune"] != ""]
    by_commune = {str(c): g for c, g in wishes.groupby("commune")}
    v = vacances.reset_index(drop=True)
    fin = v["financement"].astype(str).where(v["financement"].isin(FINANCEMENTS), "PLUS").to_numpy()
    rooms = v["nb_pieces"].to_numpy(dtype=float)
    total = v["loyer_mensuel"].fillna(0).to_numpy(dtype=float) + v["charges_mensuelles"].fillna(
        0
    ).to_numpy(dtype=float)
    house = (
        v["individuel"].fillna(False).to_numpy(dtype=bool)
        if "individuel" in v
        else np.zeros(len(v), dtype=bool)
    )
    when = pd.to_datetime(v["date"]).to_numpy()
    out_v: list[IntArray] = []
    out_a: list[IntArray] = []
    out_w: list[npt.NDArray[np.float64]] = []
    dropped = 0
    for commune, positions in v.groupby(v["code_commune"].astype(str)).indices.items():
        rows = np.asarray(positions, dtype=np.int64)
        group = by_commune.get(str(commune))
        if group is None:
            continue
        apps = group["a"].to_numpy(dtype=np.int64)
        bonus = np.where(group["rang"].to_numpy() == 0, poids.premiere_commune, 0.0)
        weight = base[apps] + bonus
        for start in range(0, len(rows), chunk):
            vs = rows[start : start + chunk]
            ok = persons[apps][None, :] <= regles.personnes_par_piece_max * rooms[vs][:, None]
            ok &= (rooms[vs][:, None] - persons[apps][None, :]) <= regles.pieces_en_trop_max
            ceiling = np.stack([ceilings[f][apps] for f in fin[vs]])
            ok &= income[apps][None, :] <= ceiling * 100
            ok &= (kind[apps][None, :] == "indifferent") | (
                kind[apps][None, :] == np.where(house[vs], "individuel", "collectif")[:, None]
            )
            capped = cap[apps][None, :]
            ok &= np.isnan(capped) | (capped >= total[vs][:, None])
            ok &= filed[apps][None, :] <= when[vs][:, None]
            shut = closed[apps]
            ok &= np.isnat(shut)[None, :] | (shut[None, :] >= when[vs][:, None])
            scores = np.where(ok, weight[None, :], -np.inf)
            n_ok = ok.sum(axis=1)
            take = min(k, len(apps))
            top = (
                np.argpartition(-scores, take - 1, axis=1)[:, :take]
                if take < len(apps)
                else np.tile(np.arange(len(apps)), (len(vs), 1))
            )
            chosen = np.take_along_axis(scores, top, axis=1)
            keep = np.isfinite(chosen)
            rr, cc = np.nonzero(keep)
            out_v.append(vs[rr].astype(np.int64))
            out_a.append(apps[top[rr, cc]])
            out_w.append(chosen[rr, cc])
            dropped += int(np.maximum(n_ok - take, 0).sum())
    if not out_v:
        return pd.DataFrame({"v": [], "a": [], "poids": []}), dropped
    frame = pd.DataFrame({"v": np.concatenate(out_v), "a": np.concatenate(out_a),
                          "poids": np.concatenate(out_w)})  # fmt: skip
    return frame.sort_values(["v", "a"]).reset_index(drop=True), dropped


def contraintes(
    vacances: pd.DataFrame, publics: pd.DataFrame, pairs: pd.DataFrame, chartes: tuple[Charte, ...]
) -> list[Contrainte]:
    """One row per objective of ``chartes`` and group of its ventilation, over the
    pairs of the vacancies in its scope (``publics``: one boolean column per public,
    one row per applicant)."""
    from mixite.core.objectifs.suivi import _group_values, _in_scope

    v = vacances.reset_index(drop=True)
    pv, pa = pairs["v"].to_numpy(dtype=np.int64), pairs["a"].to_numpy(dtype=np.int64)
    rows = []
    for charte in chartes:
        for o in charte.objectifs:
            scope = _in_scope(v, o.perimetre)
            groups = _group_values(v, o.ventilation)
            public = publics[o.public].to_numpy(dtype=bool)
            for label in sorted(groups[scope].unique()):
                members = scope & (groups == label).to_numpy()
                idx = np.flatnonzero(members[pv])
                rows.append(Contrainte(o.code, str(label), o.libelle, o.comparateur,
                                       o.cible / 100, idx, public[pa[idx]]))  # fmt: skip
    return rows
