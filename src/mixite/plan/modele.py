"""The allocation plan as an optimisation problem: which applicant for which vacancy.

**Variables.** One binary ``x_p`` per candidate pair *p* = (vacancy, applicant). Pairs
are generated sparsely: an applicant is a candidate for a vacancy only when the
dwelling is in a commune it wishes, of the type it wishes, within its rent cap, of a
size it may occupy (neither over- nor under-occupied, the commission's rules), under
the resource ceiling of its financing for the household, and when the application was
filed by the vacancy's date and not yet closed. Of those, the
``candidats_par_logement`` best by the objective's weight are kept for each vacancy
(see :func:`paires` for which: a window of ranks, so that the commune's best applicants
are spread over its vacancies).

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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
    #: The entrance watch: each entrance's variables kept under their fragile level
    #: (threshold + margin), a household beyond it costing ``penalite_veille``.
    veille: bool = True
    penalite_veille: float = 200.0

    def __post_init__(self) -> None:
        if self.objectifs not in ("dure", "souple"):
            raise ValueError(f"objectifs must be 'dure' or 'souple'; got {self.objectifs!r}.")
        if self.candidats_par_logement < 1:
            raise ValueError("candidats_par_logement must be at least 1.")


@dataclass(frozen=True)
class Contrainte:
    """One objective row: the public's share among the allocations of its scope."""

    code: str
    groupe: str
    libelle: str
    comparateur: str  # au_moins | au_plus
    cible: float  # fraction
    vacances: IntArray  # the vacancy rows in its scope
    public: BoolArray  # for each applicant row: in the public?

    @property
    def nom(self) -> str:
        return f"{self.code} ({self.groupe})" if self.groupe != "ensemble" else self.code

    def describe(self) -> str:
        return (f"{self.libelle} — {self.groupe} : part {COMPARATEURS[self.comparateur]} "
                f"{self.cible * 100:g} %")  # fmt: skip


@dataclass(frozen=True)
class LigneVeille:
    """One entrance's watch variable after the plan's allocations, each newcomer taking
    the place of an average occupant: Σ_p (value_a − mean_e)·x_p ≤ (limit − mean_e)·n_e,
    over the pairs of the entrance's vacancies; beyond, a penalty per household."""

    entree: str
    variable: str
    vacances: IntArray
    valeur: npt.NDArray[np.float64]  # per applicant row: 1/0 for a share, children for a mean
    moyenne: float
    limite: float
    menages: float
    #: Units of the variable per household (100 for a share in %, 1 for a mean).
    echelle: float = 100.0

    @property
    def marge(self) -> float:
        return (self.limite - self.moyenne) * self.menages


#: The watch's variables and what each applicant brings to them (a share's flag, or a
#: count for a mean per dwelling).
VALEURS_VEILLE: dict[str, tuple[str, float]] = {
    "part_sans_actif": ("sans_actif", 100.0),
    "part_sous_40_plus": ("sous_40_plus", 100.0),
    "part_monoparentales": ("monoparental", 100.0),
    "enfants_par_logement": ("nb_enfants", 1.0),
}


def lignes_veille(
    vacances: pd.DataFrame, demandes: pd.DataFrame, entrees: pd.DataFrame, variables: Sequence[Any]
) -> list[LigneVeille]:
    """One row per collective entrance holding a vacancy and per watch variable, its
    limit the variable's threshold plus margin (the fragile level) — left out when even
    the most loaded applicant in each of its vacancies would keep it under; ``entrees`` is the
    watch's table (``menages`` and one column per variable, indexed by entrance) and
    ``demandes`` carries ``sans_actif, sous_40_plus, monoparental, nb_enfants``."""
    v = vacances.reset_index(drop=True)
    rows = []
    by_entrance = v.groupby(v["id_entree"].astype(str)).indices
    known = entrees.index.astype(str)
    frame = entrees.set_axis(known)
    for var in variables:
        if var.code not in VALEURS_VEILLE or var.code not in frame:
            continue
        column, scale = VALEURS_VEILLE[var.code]
        value = demandes[column].fillna(0).to_numpy(dtype=float) * scale
        means = {str(k): float(x) for k, x in frame[var.code].items()}
        sizes = {str(k): float(x) for k, x in frame["menages"].items()}
        top = float(value.max(initial=0.0))
        for entrance, positions in by_entrance.items():
            key = str(entrance)
            if key not in means:
                continue
            if (
                len(positions) * (top - means[key])
                <= (var.seuil + var.marge - means[key]) * sizes[key]
            ):
                continue  # even the most loaded newcomers in every vacancy stay under: no row
            rows.append(LigneVeille(key, var.code, np.asarray(positions, dtype=np.int64), value,
                                    means[key], float(var.seuil + var.marge), sizes[key], scale))  # fmt: skip
    return rows


@dataclass
class Probleme:
    """Vacancies, applicants, candidate pairs with their weights, objective rows."""

    vacances: pd.DataFrame
    demandes: pd.DataFrame
    paires: pd.DataFrame  # columns v, a, poids
    contraintes: list[Contrainte]
    regles: ReglesPlan
    ecartees: int = 0  # vacancies with more eligible applicants than the rank kept
    veille: list[LigneVeille] = field(default_factory=list)

    @property
    def taille(self) -> str:
        return (f"{len(self.vacances)} logements, {len(self.demandes)} demandes, "
                f"{len(self.paires)} paires, {len(self.contraintes)} lignes d'objectifs, "
                f"{len(self.veille)} lignes de veille")  # fmt: skip


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
    bloc: int = 512,
) -> tuple[pd.DataFrame, int]:
    """The candidate pairs (``v``: vacancy row, ``a``: applicant row, ``poids``) and
    the number of vacancies that had more eligible applicants than they kept.

    In each commune, vacancies are taken in date order and applicants wishing the
    commune by decreasing weight. The r-th vacancy keeps its eligible applicants of
    ranks r − k/2 to r + k/2 (from the first when r < k/2): the best applicants are
    spread over the commune's vacancies instead of all being offered the same ``k``
    (which would leave most vacancies with the same few candidates), and each vacancy
    still has the ``k`` around the rank it would reach if vacancies were filled in
    order of weight. Ties: the earlier application row."""
    d = demandes.reset_index(drop=True)
    base = poids_des_demandes(d, poids)
    ceilings = np.stack([c * 100 for c in _plafonds(d, plafonds, regles, annee).values()])
    income = np.rint(d["ressources_annuelles"].to_numpy(dtype=float) * 100)
    persons = d["nb_personnes"].to_numpy(dtype=float)
    kind = d["type_souhaite"].astype("string").fillna("indifferent").to_numpy(dtype=str)
    wants = np.select([kind == "individuel", kind == "collectif"], [1, 0], -1)
    cap = d["loyer_max"].astype(float).to_numpy() if "loyer_max" in d else np.full(len(d), np.nan)
    cap = np.where(np.isnan(cap), np.inf, cap)
    day = np.timedelta64(1, "D")
    filed = (pd.to_datetime(d["date_depot"]).to_numpy() - np.datetime64("1970-01-01")) // day
    shut_dates = (
        pd.to_datetime(d["date_sortie"]) if "date_sortie" in d else pd.Series(pd.NaT, index=d.index)
    )
    shut = np.full(len(d), np.inf)
    known = shut_dates.notna().to_numpy()
    shut[known] = (shut_dates[known].to_numpy() - np.datetime64("1970-01-01")) // day
    listed = d["communes_souhaitees"].astype("string").fillna("").str.split(";").explode()
    wishes = pd.DataFrame(
        {"a": listed.index.to_numpy(dtype=np.int64), "commune": listed.to_numpy()}
    )
    wishes["rang"] = wishes.groupby("a").cumcount()
    wishes = wishes[wishes["commune"] != ""]
    by_commune = {str(c): g for c, g in wishes.groupby("commune")}
    v = vacances.reset_index(drop=True)
    codes = v["financement"].astype(str).map({f: i for i, f in enumerate(FINANCEMENTS)})
    fin = codes.fillna(FINANCEMENTS.index("PLUS")).to_numpy(dtype=np.int64)
    rooms = v["nb_pieces"].to_numpy(dtype=float)
    total = v["loyer_mensuel"].fillna(0).to_numpy(dtype=float) + v["charges_mensuelles"].fillna(
        0
    ).to_numpy(dtype=float)
    house = (v["individuel"].fillna(False).to_numpy(dtype=bool) if "individuel" in v
             else np.zeros(len(v), dtype=bool)).astype(np.int64)  # fmt: skip
    when = (pd.to_datetime(v["date"]).to_numpy() - np.datetime64("1970-01-01")) // day
    out_v: list[IntArray] = []
    out_a: list[IntArray] = []
    out_w: list[npt.NDArray[np.float64]] = []
    crowded = 0
    for commune, positions in v.groupby(v["code_commune"].astype(str)).indices.items():
        group = by_commune.get(str(commune))
        if group is None:
            continue
        apps = group["a"].to_numpy(dtype=np.int64)
        weight = base[apps] + np.where(group["rang"].to_numpy() == 0, poids.premiere_commune, 0.0)
        order = np.argsort(-weight, kind="stable")
        apps, weight = apps[order], weight[order]
        pending = np.asarray(positions, dtype=np.int64)
        pending = pending[np.argsort(when[pending], kind="stable")]
        lo = np.maximum(np.arange(len(pending)) - k // 2, 0)  # the r-th vacancy's window
        hi = lo + k
        seen = np.zeros(len(pending), dtype=np.int64)
        for start in range(0, len(apps), bloc):
            cols = apps[start : start + bloc]
            vs = pending
            ok = persons[cols][None, :] <= regles.personnes_par_piece_max * rooms[vs][:, None]
            ok &= (rooms[vs][:, None] - persons[cols][None, :]) <= regles.pieces_en_trop_max
            ok &= income[cols][None, :] <= ceilings[fin[vs]][:, cols]
            ok &= (wants[cols][None, :] < 0) | (wants[cols][None, :] == house[vs][:, None])
            ok &= cap[cols][None, :] >= total[vs][:, None]
            ok &= filed[cols][None, :] <= when[vs][:, None]
            ok &= shut[cols][None, :] >= when[vs][:, None]
            rank = seen[:, None] + np.cumsum(ok, axis=1)
            take = ok & (rank > lo[:, None]) & (rank <= hi[:, None])
            rr, cc = np.nonzero(take)
            out_v.append(vs[rr])
            out_a.append(cols[cc])
            out_w.append(weight[start + cc])
            seen += ok.sum(axis=1)
            left = seen < hi
            crowded += int((~left).sum())
            pending, lo, hi, seen = pending[left], lo[left], hi[left], seen[left]
            if not len(pending):
                break
    if not out_v:
        return pd.DataFrame({"v": [], "a": [], "poids": []}), crowded
    frame = pd.DataFrame({"v": np.concatenate(out_v), "a": np.concatenate(out_a),
                          "poids": np.concatenate(out_w)})  # fmt: skip
    return frame.sort_values(["v", "a"]).reset_index(drop=True), crowded


def contraintes(
    vacances: pd.DataFrame, publics: pd.DataFrame, chartes: tuple[Charte, ...]
) -> list[Contrainte]:
    """One row per objective of ``chartes`` and group of its ventilation, over the
    vacancies in its scope (``publics``: one boolean column per public, one row per
    applicant)."""
    from mixite.core.objectifs.suivi import _group_values, _in_scope

    v = vacances.reset_index(drop=True)
    rows = []
    for charte in chartes:
        for o in charte.objectifs:
            scope = _in_scope(v, o.perimetre)
            groups = _group_values(v, o.ventilation)
            public = publics[o.public].to_numpy(dtype=bool)
            for label in sorted(groups[scope].unique()):
                members = np.flatnonzero(scope & (groups == label).to_numpy())
                rows.append(Contrainte(o.code, str(label), o.libelle, o.comparateur,
                                       o.cible / 100, members, public))  # fmt: skip
    return rows
