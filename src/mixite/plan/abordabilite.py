"""Affordability of the proposed pairs after housing benefit, by lazy re-solving.

Computing the housing benefit (OpenFisca-France) of every candidate pair would cost
hours on a year of the full twin (about 2.4 ms a pair). The plan is solved first; the
pairs it proposes get their APL, effort rate and reste à vivre with the commission's
formulas and thresholds (``commission.yaml``); the pairs that fail are forbidden and the
plan solved again, until every proposed pair is affordable. Each pair is computed once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.commission.eligibilite import JOURS_PAR_MOIS, Regles
from mixite.core.relogement.formulas import effort_rate
from mixite.plan.modele import Probleme
from mixite.plan.resolution import Plan, resoudre


def effort_des_paires(
    probleme: Probleme, rows: npt.ArrayLike, regles: Regles, annee: int
) -> pd.DataFrame:
    """APL (OpenFisca-France, June of ``annee``), effort rate and reste à vivre of the
    pairs ``rows``, and whether they meet the commission's thresholds."""
    from mixite.commission.apl import estimer_apl
    from mixite.io.commission import month_for

    idx = np.asarray(rows, dtype=np.int64)
    pairs = probleme.paires.iloc[idx]
    v = probleme.vacances.iloc[pairs["v"].to_numpy()].reset_index(drop=True)
    d = probleme.demandes.iloc[pairs["a"].to_numpy()].reset_index(drop=True)
    rent = v["loyer_mensuel"].fillna(0).to_numpy(dtype=float)
    charges = v["charges_mensuelles"].fillna(0).to_numpy(dtype=float)
    frame = pd.DataFrame({
        "nb_adultes": d["nb_adultes"].to_numpy(), "nb_enfants": d["nb_enfants"].to_numpy(),
        "age_reference": d["age_demandeur"].to_numpy(),
        "ressources_annuelles": d["ressources_annuelles"].to_numpy(dtype=float),
        "loyer": rent, "code_commune": v["code_commune"].astype(str).to_numpy(),
        "ages_enfants": d["ages_enfants"].to_numpy() if "ages_enfants" in d else None,
    })  # fmt: skip
    apl = estimer_apl(frame, month=month_for(dt.date(annee, 6, 30)))
    monthly = (
        (
            d["ressources_mensuelles"].astype(float)
            if "ressources_mensuelles" in d
            else pd.Series(np.nan, index=d.index)
        )
        .fillna(d["ressources_annuelles"].astype(float) / 12)
        .to_numpy()
    )
    effort = effort_rate(rent, charges, apl, monthly)
    rav = (
        (monthly + apl - rent - charges)
        / d["unites_consommation"].to_numpy(dtype=float)
        / JOURS_PAR_MOIS
    )
    ok = (effort <= regles.taux_effort_max) & (rav >= regles.reste_a_vivre_min)
    return pd.DataFrame(
        {"apl": apl, "taux_effort": effort, "reste_a_vivre": rav, "abordable": ok}, index=idx
    )


def _dearer(probleme: Probleme, bad: list[int]) -> set[int]:
    """The failing pairs and every pair of the same household, in the same commune, at
    a rent and a rent plus charges at least as high."""
    pairs = probleme.paires
    v = probleme.vacances
    rent = v["loyer_mensuel"].fillna(0).to_numpy(dtype=float)[pairs["v"].to_numpy()]
    total = rent + v["charges_mensuelles"].fillna(0).to_numpy(dtype=float)[pairs["v"].to_numpy()]
    commune = v["code_commune"].astype(str).to_numpy()[pairs["v"].to_numpy()]
    frame = pd.DataFrame(
        {"a": pairs["a"].to_numpy(), "commune": commune, "loyer": rent, "total": total}
    )
    failing = frame.loc[bad]
    joined = frame.reset_index(names="row").merge(
        failing, on=["a", "commune"], suffixes=("", "_ko")
    )
    dearer = joined[
        (joined["loyer"] >= joined["loyer_ko"]) & (joined["total"] >= joined["total_ko"])
    ]
    return set(bad) | set(dearer["row"].astype(int))


@dataclass(frozen=True)
class Abordable:
    """The affordable plan and how it was reached."""

    plan: Plan
    tours: int
    verifiees: int
    interdites: int
    efforts: pd.DataFrame  # the proposed pairs' APL, effort rate, reste à vivre


def resoudre_abordable(
    probleme: Probleme, regles: Regles, annee: int, *, tours_max: int = 60
) -> Abordable:
    """Solve, forbid the proposed pairs that are not affordable, solve again."""
    checked = pd.DataFrame(columns=["apl", "taux_effort", "reste_a_vivre", "abordable"])
    banned: set[int] = set()
    plan = resoudre(probleme)
    for tour in range(1, tours_max + 1):
        new = [int(r) for r in plan.choisies if r not in checked.index]
        if new:
            fresh = effort_des_paires(probleme, new, regles, annee)
            checked = pd.concat([checked, fresh]) if len(checked) else fresh
        bad = [int(r) for r in plan.choisies if not bool(checked.loc[r, "abordable"])]
        if not bad:
            return Abordable(plan, tour, len(checked), len(banned), checked.loc[plan.choisies])
        banned.update(_dearer(probleme, bad))
        plan = resoudre(probleme, interdites=sorted(banned))
    raise RuntimeError(
        f"affordability not reached after {tours_max} rounds ({len(banned)} pairs forbidden); "
        "raise tours_max or candidats_par_logement"
    )
