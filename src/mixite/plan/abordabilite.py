"""Affordability of the candidate pairs after housing benefit.

Every candidate pair gets its APL (OpenFisca-France, about 0.1 ms a pair: 35 s for the
300 000 pairs of a year of the full twin), effort rate and reste à vivre with the
commission's formulas and thresholds (``commission.yaml``); the pairs that fail are
left out of the problem and the plan is solved once. (Solving first and checking only the proposed
pairs, then solving again, took 35 solves and 5 minutes on the full twin.)
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, replace

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


@dataclass(frozen=True)
class Abordable:
    """The problem restricted to affordable pairs, its plan and how it was reached."""

    probleme: Probleme  # the candidate pairs that pass, renumbered
    plan: Plan  # rows of ``probleme.paires``
    verifiees: int  # pairs whose APL was computed
    interdites: int  # pairs left out as unaffordable
    duree_apl_s: float
    efforts: pd.DataFrame  # the proposed pairs' APL, effort rate, reste à vivre


def resoudre_abordable(probleme: Probleme, regles: Regles, annee: int) -> Abordable:
    """Compute every candidate pair's APL, leave out the unaffordable pairs, solve.

    Every later solve (the price of each objective, the conflicts) must use the
    returned ``probleme``, so that no plan compared with this one houses a household
    in a dwelling it cannot afford."""
    t0 = time.perf_counter()
    efforts = effort_des_paires(probleme, np.arange(len(probleme.paires)), regles, annee)
    took = time.perf_counter() - t0
    ok = efforts["abordable"].to_numpy(dtype=bool)
    kept = replace(probleme, paires=probleme.paires[ok].reset_index(drop=True))
    plan = resoudre(kept)
    efforts = efforts[ok].reset_index(drop=True)
    return Abordable(kept, plan, len(ok), int((~ok).sum()), took, efforts.loc[plan.choisies])
