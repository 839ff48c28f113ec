"""What an allocation commission sees, added to the twin's applications and dwellings.

Drawn with a random stream of their own (seed, 13), so that everything the twin held
before stays identical: children's ages (consistent with the under-14 count), current
monthly resources (the N-2 tax income drifted), current housing (from the DALO flags),
wishes (type, maximum rent), renewal date, main reason, DALO recognition, contingent;
for dwellings, floor, lift (buildings of five levels or more) and the contingent of
their latest allocation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixite.twin.params import TwinParameters

CONTINGENT_SHARES = {
    "prefecture": 0.25,
    "action_logement": 0.25,
    "collectivite": 0.2,
    "bailleur": 0.27,
    "autre": 0.03,
}

#: The main reason shown, by the first flag that holds (CERFA 14069 wording).
MOTIFS = (
    ("sans_logement", "sans logement ou hébergé"),
    ("menace_expulsion", "procédure d'expulsion"),
    ("heberge_structure", "hébergé en structure"),
    ("logement_insalubre", "logement insalubre ou dangereux"),
    ("logement_indecent", "logement non décent"),
    ("violences_familiales", "violences familiales"),
    ("logement_inadapte_handicap", "logement inadapté au handicap"),
)


def _ages(kids: np.ndarray, under14: np.ndarray, rng: np.random.Generator) -> list[str | None]:
    out: list[str | None] = []
    for k, u in zip(kids.tolist(), under14.tolist(), strict=True):
        if k == 0:
            out.append(None)
            continue
        young = sorted(int(a) for a in rng.integers(0, 14, u))
        old = sorted(int(a) for a in rng.integers(14, 18, k - u))
        out.append(";".join(str(a) for a in young + old))
    return out


def enrich_applications(
    d: pd.DataFrame, params: TwinParameters, rng: np.random.Generator
) -> pd.DataFrame:
    """The application columns a commission needs, drawn consistently with the rest."""
    n = len(d)
    out = d.copy()
    kids = d["nb_enfants"].to_numpy(dtype=np.int64)
    out["ages_enfants"] = _ages(kids, d["nb_moins_14"].to_numpy(dtype=np.int64), rng)
    out["monoparental"] = (d["nb_adultes"].to_numpy() == 1) & (kids > 0)
    drift = np.clip(rng.normal(1.03, 0.15, n), 0.4, 2.0)
    annual = d["ressources_annuelles"].to_numpy(dtype=float)  # cents
    out["ressources_mensuelles"] = np.rint(annual / 12 * drift).astype(np.int64)
    hlm = d["locataire_hlm"].to_numpy(dtype=bool)
    other = rng.choice(
        ["locataire_prive", "heberge_tiers", "proprietaire", "autre"], n, p=[0.6, 0.32, 0.03, 0.05]
    )
    out["situation_logement"] = np.select(
        [d["sans_logement"].to_numpy(dtype=bool), d["heberge_structure"].to_numpy(dtype=bool), hlm],
        ["sans_abri", "structure", "locataire_hlm"],
        other,
    )
    persons = d["nb_personnes"].to_numpy()
    p_house = np.clip(0.08 + 0.06 * (persons - 1), 0.08, 0.5)
    u = rng.random(n)
    out["type_souhaite"] = np.where(
        u < p_house, "individuel", np.where(u < p_house + 0.25, "collectif", "indifferent")
    )
    # What a household says it can pay: a third of its monthly resources plus what
    # housing benefit usually adds, rounded to 10 € (cents).
    monthly = out["ressources_mensuelles"].to_numpy(dtype=float)
    wish = np.maximum(25_000, np.round((monthly / 3 + 15_000 + 3_000 * persons) / 1_000) * 1_000)
    out["loyer_max"] = np.where(rng.random(n) < 0.7, wish, np.nan)
    deposit = pd.to_datetime(d["date_depot"])
    end = pd.to_datetime(d["date_sortie"]).fillna(pd.Timestamp(params.fin))
    years = ((end - deposit).dt.days // 365).clip(lower=0)
    renewed = deposit + pd.to_timedelta(years * 365, unit="D")
    out["date_renouvellement"] = renewed.where(years > 0).astype("datetime64[s]")
    motif = np.full(n, "logement trop petit ou trop cher", dtype=object)
    for flag, label in reversed(MOTIFS):
        motif = np.where(d[flag].to_numpy(dtype=bool), label, motif)
    out["motif"] = motif
    urgent = d[[f for f, _ in MOTIFS[:6]]].any(axis=1).to_numpy()
    out["dalo_reconnu"] = urgent & (rng.random(n) < 0.25)
    out["contingent"] = rng.choice(list(CONTINGENT_SHARES), n, p=list(CONTINGENT_SHARES.values()))
    return out


def enrich_dwellings(
    logements: pd.DataFrame,
    entrees: pd.DataFrame,
    batiments: pd.DataFrame,
    attributions: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Floor, lift and contingent of each dwelling."""
    out = logements.copy()
    bat = entrees.set_index("id_entree")["id_batiment"]
    building = out["id_entree"].map(bat)
    b = batiments.set_index("id_batiment")
    individual = building.map(b["individuel"]).fillna(False).to_numpy(dtype=bool)
    ids = b.index.to_numpy()
    levels = pd.Series(rng.integers(3, 11, len(ids)), index=ids)
    floors = building.map(levels).to_numpy(dtype=np.int64)
    draw = np.floor(rng.random(len(out)) * floors).astype(np.int64)
    out["etage"] = np.where(individual, 0, draw)
    out["ascenseur"] = ~individual & (floors >= 5)
    last = (
        attributions.sort_values("date_cal")
        .drop_duplicates("id_logement", keep="last")
        .set_index("id_logement")["contingent"]
    )
    drawn = rng.choice(list(CONTINGENT_SHARES), len(out), p=list(CONTINGENT_SHARES.values()))
    out["contingent"] = out["id_logement"].map(last).fillna(pd.Series(drawn, index=out.index))
    return out


def seed_of(params: TwinParameters) -> np.random.Generator:
    """The commission columns' own stream: the rest of the twin does not move."""
    return np.random.default_rng([params.seed, 13])
