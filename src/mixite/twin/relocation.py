"""The renewal operation: households of demolished buildings and where they went.

Buildings are taken in the QPV with the most social housing until about
``menages_a_reloger`` households are reached. A share ``part_reloges`` is relocated by
the extraction date, mostly in the social stock (a third on site, half elsewhere in
the town, the rest in other communes, as Mons-en-Barœul planned), with a new
allocation form flagged ``relogement_renouvellement``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.twin.economy import housing_benefit_monthly
from mixite.twin.params import TwinParameters


def _when(mask: npt.NDArray[np.bool_], values: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """``values`` where ``mask`` holds, ``None`` elsewhere (an object array)."""
    out = np.broadcast_to(np.asarray(values), mask.shape).astype(object)
    out[~mask] = None
    return out


def relocations(
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    buildings: pd.DataFrame,
    qpv: pd.DataFrame,
    params: TwinParameters,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (operations, relogements, allocations of relocated households to social dwellings).

    ``households`` are the social occupants with ``id_logement``, ``ressources_annuelles``
    and ``apl_annuelle``; ``dwellings`` carry rent, rooms and their building.
    """
    target = max(1, round(params.menages_a_reloger * params.scale))
    d = dwellings.set_index("id_logement")
    occ = households.dropna(subset=["id_logement"]).copy()
    occ["building_index"] = d.loc[occ["id_logement"], "building_index"].to_numpy()
    bq = buildings[["code_qpv", "code_commune", "individuel"]]
    occ["code_qpv"] = bq["code_qpv"].to_numpy()[occ["building_index"].to_numpy()]
    in_qpv = occ.dropna(subset=["code_qpv"])
    by_qpv = in_qpv.groupby("code_qpv").size().sort_values(ascending=False)
    chosen_buildings: list[int] = []
    count = 0
    for code in by_qpv.index:
        blds = in_qpv[in_qpv["code_qpv"] == code].groupby("building_index").size()
        blds = blds[~bq["individuel"].to_numpy()[blds.index.to_numpy()]]
        for bi, n in blds.sample(frac=1.0, random_state=int(rng.integers(1 << 31))).items():
            if count >= target:
                break
            chosen_buildings.append(int(bi))
            count += int(n)
    movers = occ[occ["building_index"].isin(chosen_buildings)].reset_index(drop=True)
    op_qpv = str(by_qpv.index[0]) if len(by_qpv) else None
    op_commune = (
        str(qpv.set_index("code_qpv").loc[op_qpv, "code_commune"])
        if op_qpv
        else str(occ["code_commune"].iloc[0])
    )
    operations = pd.DataFrame(
        {
            "code_operation": ["PRU-MEL-01"],
            "nom": ["Opération de renouvellement urbain synthétique n° 1"],
            "code_commune": [op_commune],
            "code_qpv": [op_qpv],
            "nb_menages_prevus": [len(movers)],
        }
    )
    n = len(movers)
    done = rng.random(n) < params.part_reloges
    social_after = rng.random(n) < 0.97
    place = rng.choice(["site", "ville", "ailleurs"], n, p=[1 / 3, 0.5, 1 / 6])

    # Destination dwellings in the social stock, away from the demolished buildings.
    free = dwellings[~dwellings["building_index"].isin(chosen_buildings)].reset_index(drop=True)
    fb = buildings.iloc[free["building_index"].to_numpy()].reset_index(drop=True)
    recent = fb["annee_mise_en_service"].to_numpy() >= params.fin.year - 5
    qpv_dwelling = fb["code_qpv"].notna().to_numpy(dtype=bool)
    # Preferences of the relocation team (assumption): new dwellings, QPV dwellings in
    # town (rebuilt supply), few individual houses.
    weight = (
        (1.0 + 30.0 * recent)
        * (1.0 + 0.6 * fb["individuel"].to_numpy())
        * (1.0 + 3.0 * qpv_dwelling)
    )
    same_town = fb["code_commune"].to_numpy() == op_commune
    dest = np.full(n, -1, dtype=np.int64)
    taken = np.zeros(len(free), dtype=bool)
    on_site = (fb["code_qpv"] == op_qpv).fillna(False).to_numpy(dtype=bool)
    rooms_before_all = d.loc[movers["id_logement"], "nb_pieces"].to_numpy()
    free_rooms = free["nb_pieces"].to_numpy()
    for where, pool in (
        ("site", same_town & on_site),
        ("ville", same_town),
        ("ailleurs", ~same_town),
    ):
        for rooms in np.unique(rooms_before_all):
            who = np.flatnonzero(
                done & social_after & (place == where) & (rooms_before_all == rooms)
            )
            candidates = np.flatnonzero(pool & ~taken)
            if len(candidates) < len(who):
                candidates = np.flatnonzero(~taken)
            # Same size mostly, a room more for some (assumption, docs/jumeau.md).
            fit = np.where(
                free_rooms[candidates] == rooms,
                3.0,
                np.where(free_rooms[candidates] == rooms + 1, 0.9, 0.05),
            )
            # Weighted sampling without replacement (Efraimidis-Spirakis keys).
            keys = np.log(rng.random(len(candidates))) / (weight[candidates] * fit)
            picked = candidates[np.argsort(-keys)[: len(who)]]
            dest[who] = picked
            taken[picked] = True

    size = movers["nb_personnes"].to_numpy()
    res_before = np.rint(movers["ressources_annuelles"].to_numpy() / 12).astype(np.int64)
    res_after = np.rint(res_before * rng.normal(1.01, 0.04, n)).astype(np.int64)
    rent_before = d.loc[movers["id_logement"], "loyer_mensuel"].to_numpy()
    charges_before = d.loc[movers["id_logement"], "charges_mensuelles"].to_numpy()
    rooms_before = d.loc[movers["id_logement"], "nb_pieces"].to_numpy()
    has = dest >= 0
    rent_after = np.where(
        has, free["loyer_mensuel"].to_numpy()[np.maximum(dest, 0)], np.rint(rent_before * 1.6)
    )
    charges_after = np.where(
        has, free["charges_mensuelles"].to_numpy()[np.maximum(dest, 0)], charges_before
    )
    rooms_after = np.where(has, free["nb_pieces"].to_numpy()[np.maximum(dest, 0)], rooms_before)
    span = (params.fin - params.debut).days
    dates = [params.debut + dt.timedelta(days=int(x)) for x in rng.integers(0, span, n)]
    fbd = fb.iloc[np.maximum(dest, 0)]
    relogements = pd.DataFrame(
        {
            "id_relogement": [f"REL-{i:05d}" for i in range(n)],
            "code_operation": "PRU-MEL-01",
            "id_menage": movers["id_menage"].to_numpy(),
            "code_bailleur": buildings["code_bailleur"].to_numpy()[
                movers["building_index"].to_numpy()
            ],
            "statut": np.where(done, "reloge", "a_reloger"),
            "date_relogement": _when(done, np.array(dates, dtype=object)),
            "nb_personnes": size,
            "unites_consommation": movers["unites_consommation"].to_numpy(),
            "avant_code_commune": movers["code_commune"].to_numpy(),
            "avant_qpv": True,
            "avant_loyer_mensuel": rent_before,
            "avant_charges_mensuelles": charges_before,
            "avant_apl_mensuelle": housing_benefit_monthly(rent_before, size, res_before),
            "avant_ressources_mensuelles": res_before,
            "avant_nb_pieces": rooms_before,
            "apres_code_commune": _when(
                done, np.where(has, fbd["code_commune"].to_numpy(), op_commune)
            ),
            "apres_qpv": _when(done, has & fbd["code_qpv"].notna().to_numpy(dtype=bool)),
            "apres_parc": _when(done, np.where(has, "social", "prive")),
            "apres_code_bailleur": _when(done & has, fbd["code_bailleur"].to_numpy()),
            "apres_individuel": _when(done, np.where(has, fbd["individuel"].to_numpy(), False)),
            "apres_annee_construction": _when(
                done, np.where(has, fbd["annee_mise_en_service"].to_numpy(), 1975)
            ),
            "apres_sur_site": _when(done, place == "site"),
            "apres_loyer_mensuel": _when(done, rent_after),
            "apres_charges_mensuelles": _when(done, charges_after),
            "apres_apl_mensuelle": _when(
                done, housing_benefit_monthly(rent_after.astype(np.int64), size, res_after)
            ),
            "apres_ressources_mensuelles": _when(done, res_after),
            "apres_nb_pieces": _when(done, rooms_after),
            "avant_id_logement": movers["id_logement"].to_numpy(),
            "apres_id_logement": _when(
                done & has, free["id_logement"].to_numpy()[np.maximum(dest, 0)]
            ),
        }
    )
    moved = np.flatnonzero(has)
    allocations = pd.DataFrame(
        {
            "date_cal": [dates[i] - dt.timedelta(days=30) for i in moved],
            "code_bailleur": fb["code_bailleur"].to_numpy()[dest[moved]],
            "id_logement": free["id_logement"].to_numpy()[dest[moved]],
            **{c: movers[c].to_numpy()[moved] for c in (
                "nb_personnes", "nb_adultes", "nb_enfants", "nb_moins_14", "unites_consommation",
                "nb_actifs_occupes", "ressources_annuelles",
            )},
        }
    )  # fmt: skip
    return operations, relogements, allocations
