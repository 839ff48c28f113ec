"""Three years of applications (SNE) and allocations (fiches attribution).

Applicants' resources per consumption unit follow the MEL's published quartiles of
applicants' resources for each year (the first-quartile arrêté gives Q1, Q2, Q3), so
that a quarter of applicants are first-quartile by construction. Each vacated dwelling
goes to a household drawn from the pool; the landlord's propensity to choose a
household under 40 % of the PLUS ceiling is 33 %, except for the drifting landlord.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.model import oecd_consumption_units
from mixite.core.plafonds import categorie_menage, plafond_ressources
from mixite.twin.params import TwinParameters


def _days(a: dt.date, b: dt.date) -> int:
    return (b - a).days


def applicant_composition(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Sizes, adults, children and ages of ``n`` applicant households."""
    size = rng.choice([1, 2, 3, 4, 5, 6, 7], n, p=[0.44, 0.22, 0.14, 0.1, 0.06, 0.03, 0.01])
    single_parent = (size >= 2) & (rng.random(n) < 0.45)
    adults = np.where(single_parent, 1, np.where(size >= 2, 2, 1))
    adults = np.minimum(adults, size)
    children = size - adults
    under14 = rng.binomial(children, 0.72)
    age = np.clip(rng.normal(40, 13, n).round().astype(int), 18, 92)
    return pd.DataFrame(
        {
            "nb_personnes": size,
            "nb_adultes": adults,
            "nb_enfants": children,
            "nb_moins_14": under14,
            "age_demandeur": age,
            "monoparental": single_parent,
        }
    )


def resources_per_uc(
    quartiles: tuple[float, float, float], n: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """Annual resources per UC from a log-linear quantile function through Q1, Q2, Q3."""
    q1, q2, q3 = quartiles
    u = rng.random(n)
    ku = np.array([0.0, 0.02, 0.25, 0.5, 0.75, 0.98, 1.0])
    kv = np.log([q1 * 0.05, q1 * 0.3, q1, q2, q3, q3 * 2.2, q3 * 3.0])
    return np.asarray(np.exp(np.interp(u, ku, kv)), dtype=float)


def applications_and_allocations(
    dwellings: pd.DataFrame,
    buildings: pd.DataFrame,
    quartiles: pd.DataFrame,
    plafonds: pd.DataFrame,
    communes: pd.Series,
    params: TwinParameters,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (demandes, attributions) over ``params.debut`` … ``params.fin``.

    ``communes`` gives each commune's household count: applicants live where people do.
    """
    years = list(range(params.debut.year, params.fin.year + 1))
    spans = []
    for y in years:
        start = max(params.debut, dt.date(y, 1, 1))
        end = min(params.fin, dt.date(y, 12, 31))
        spans.append((y, start, end))
    stock = dwellings.reset_index(drop=True)
    b = buildings.iloc[stock["building_index"].to_numpy()]
    alloc_rows = []
    for y, start, end in spans:
        share_year = (_days(start, end) + 1) / 365.0
        n = int(rng.binomial(len(stock), min(1.0, params.taux_rotation * share_year)))
        idx = rng.choice(len(stock), n, replace=False)
        dates = np.array(
            [start + dt.timedelta(days=int(d)) for d in rng.integers(0, _days(start, end) + 1, n)]
        )
        alloc_rows.append(pd.DataFrame({"stock_index": idx, "date_cal": dates, "annee": y}))
    allocs = (
        pd.concat(alloc_rows, ignore_index=True)
        .sort_values("date_cal", kind="stable")
        .reset_index(drop=True)
    )
    n_alloc = len(allocs)
    n_app = round(n_alloc * params.demandes_par_attribution)

    app = applicant_composition(n_app, rng)
    app["unites_consommation"] = oecd_consumption_units(app["nb_personnes"], app["nb_moins_14"])
    mel = quartiles[quartiles["epci_siren"] == params.code_epci].set_index("vintage")
    ref_year = min(int(y) for y in mel.index)
    q1, q2, q3 = mel.loc[ref_year, ["q1_threshold_eur", "q2_eur", "q3_eur"]].to_numpy(dtype=float)
    q = {"q1_threshold_eur": float(q1)}
    per_uc = resources_per_uc((float(q1), float(q2), float(q3)), n_app, rng)
    app["ressources_annuelles"] = np.rint(
        per_uc * app["unites_consommation"].to_numpy() * 100
    ).astype(np.int64)
    cat, extra = categorie_menage(app["nb_personnes"], adulte_seul_avec_charge=app["monoparental"])
    app["categorie"] = cat
    app["extra"] = extra
    app["nb_actifs_occupes"] = rng.binomial(
        app["nb_adultes"],
        np.clip(0.15 + 0.5 * np.log(per_uc / q["q1_threshold_eur"] * 1.5), 0.05, 0.9),
    )
    flags = {
        "sans_logement": 0.06,
        "menace_expulsion": 0.045,
        "heberge_structure": 0.07,
        "logement_insalubre": 0.03,
        "logement_indecent": 0.05,
        "handicap": 0.11,
        "logement_inadapte_handicap": 0.3,
        "violences_familiales": 0.045,
    }
    for name, p in flags.items():
        app[name] = rng.random(n_app) < p
    app["logement_inadapte_handicap"] &= app["handicap"]
    app["jeune_insertion"] = (app["age_demandeur"] < 30) & (rng.random(n_app) < 0.2)
    app["locataire_hlm"] = ~app["sans_logement"] & (rng.random(n_app) < 0.3)
    app["surface_actuelle"] = np.where(
        app["sans_logement"],
        np.nan,
        np.clip(rng.normal(14 + 11 * app["nb_personnes"], 12), 9, 150).round(0),
    )
    app["refus_offre_adaptee"] = rng.binomial(1, 0.08, n_app)

    # Which applicant each allocation goes to.
    under40 = {}
    for y in years:
        ceiling = plafond_ressources(
            plafonds,
            financement="PLUS",
            zone=params.zone_plafonds,
            millesime=y,
            categorie=app["categorie"].to_numpy(),
            personnes_supplementaires=app["extra"].to_numpy(),
        )
        under40[y] = app["ressources_annuelles"].to_numpy() < 40 * ceiling  # cents vs 0.4 × euros
    landlord = b["code_bailleur"].to_numpy()[allocs["stock_index"].to_numpy()]
    in_qpv = b["code_qpv"].notna().to_numpy(dtype=bool)[allocs["stock_index"].to_numpy()]
    # Landlords house poorer households in QPV than elsewhere (the pattern the 2017 law
    # fights); the drifting landlord's share rises year after year everywhere.
    target = np.where(in_qpv, params.part_moins_40_qpv, params.part_moins_40_hors_qpv)
    drift = landlord == params.bailleur_derive
    for i, y in enumerate(years):
        share = params.part_moins_40_derive[min(i, len(params.part_moins_40_derive) - 1)]
        target[drift & (allocs["annee"].to_numpy() == y)] = share
    wants_under40 = rng.random(n_alloc) < target
    wants_priority = rng.random(n_alloc) < params.part_prioritaires
    priority = app[["sans_logement", "menace_expulsion", "heberge_structure", "logement_insalubre",
                    "logement_indecent", "violences_familiales"]].any(axis=1).to_numpy()  # fmt: skip
    free = np.ones(n_app, dtype=bool)
    perm = rng.permutation(n_app)
    pools: dict[tuple[int, bool, bool], list[int]] = {}
    for y in years:
        for flag in (True, False):
            for prio in (True, False):
                pools[(y, flag, prio)] = [
                    int(i) for i in perm if under40[y][i] == flag and priority[i] == prio
                ]
    chosen = np.empty(n_alloc, dtype=np.int64)
    year_of = allocs["annee"].to_numpy(dtype=np.int64)
    for k in range(n_alloc):
        y = int(year_of[k])
        u, p = bool(wants_under40[k]), bool(wants_priority[k])
        for flag, prio in ((u, p), (u, not p), (not u, p), (not u, not p)):
            pool = pools[(y, flag, prio)]
            while pool and not free[pool[-1]]:
                pool.pop()
            if pool:
                chosen[k] = pool.pop()
                break
        free[chosen[k]] = False

    wait = (
        rng.gamma(2.0, 9.0, n_alloc)
        * 30.4
        * (1 + 0.15 * (app["nb_personnes"].to_numpy()[chosen] - 1))
    )
    date_cal = allocs["date_cal"].to_numpy()
    deposit = np.array([d - dt.timedelta(days=int(w)) for d, w in zip(date_cal, wait, strict=True)])
    app_dates = np.array(
        [params.fin - dt.timedelta(days=int(d)) for d in rng.integers(0, 4 * 365, n_app)]
    )
    app_dates[chosen] = deposit
    status = np.where(rng.random(n_app) < 0.12, "radiee", "active").astype(object)
    status[chosen] = "attribuee"
    exit_date = np.array([None] * n_app, dtype=object)
    exit_date[chosen] = date_cal
    radiee = status == "radiee"
    exit_date[radiee] = [
        min(params.fin, d + dt.timedelta(days=int(x)))
        for d, x in zip(app_dates[radiee], rng.integers(30, 700, int(radiee.sum())), strict=True)
    ]

    residence = rng.choice(
        communes.index.to_numpy(), n_app, p=(communes / communes.sum()).to_numpy()
    )
    wished = residence.astype(object).copy()
    alloc_commune = b["code_commune"].to_numpy()[allocs["stock_index"].to_numpy()]
    wished[chosen] = [
        f"{a};{r}" if a != r else a for a, r in zip(alloc_commune, residence[chosen], strict=True)
    ]
    demandes = pd.DataFrame(
        {
            "id_demande": [f"DEM-{i:07d}" for i in range(n_app)],
            "date_depot": app_dates,
            "code_commune_residence": residence,
            "communes_souhaitees": wished,
            "nb_pieces_souhaite": np.clip(app["nb_personnes"].to_numpy(), 1, 6),
            **{c: app[c].to_numpy() for c in (
                "age_demandeur", "nb_personnes", "nb_adultes", "nb_enfants", "nb_moins_14",
                "unites_consommation", "nb_actifs_occupes", "ressources_annuelles", "locataire_hlm",
                *flags, "surface_actuelle", "jeune_insertion", "refus_offre_adaptee",
            )},
            "statut": status,
            "date_sortie": exit_date,
        }
    )  # fmt: skip
    contingent = rng.choice(
        ["prefecture", "action_logement", "collectivite", "bailleur", "autre"],
        n_alloc,
        p=[0.25, 0.25, 0.2, 0.27, 0.03],
    )
    refused = rng.random(n_alloc) < 0.06
    stock_idx = allocs["stock_index"].to_numpy()
    attributions = pd.DataFrame(
        {
            "id_attribution": [f"ATT-{i:07d}" for i in range(n_alloc)],
            "date_cal": date_cal,
            "id_commission": [f"CAL-{lb}-{d:%Y-%m}" for lb, d in zip(landlord, date_cal, strict=True)],
            "code_bailleur": landlord,
            "id_logement": stock["id_logement"].to_numpy()[stock_idx],
            "id_demande": demandes["id_demande"].to_numpy()[chosen],
            "contingent": contingent,
            **{c: app[c].to_numpy()[chosen] for c in (
                "nb_personnes", "nb_adultes", "nb_enfants", "nb_moins_14", "unites_consommation",
                "nb_actifs_occupes", "ressources_annuelles",
            )},
            "prioritaire": app[["sans_logement", "menace_expulsion", "heberge_structure", "logement_insalubre",
                                "logement_indecent", "violences_familiales"]].any(axis=1).to_numpy()[chosen],
            "relogement_renouvellement": False,
            "decision": "attribution",
            "suite": np.where(refused, "refus_demandeur", "bail_signe"),
        }
    )  # fmt: skip
    return demandes, attributions
