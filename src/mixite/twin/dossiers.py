"""The relocation files of the twin: for every household of the renewal operation, the
interview (needs and wishes), the offers made (refusals with their reasons, then the
dwelling accepted), the accompaniment and, after the move, the follow-up visits.

Money in cents, as the twin keeps it. Drawn with a generator of their own (seeded from the twin's seed), after the relocations
themselves: the rest of the twin is the same with or without them. The history is
consistent with the relocation records: the accepted offer is the dwelling moved into,
it fits the wishes recorded at the interview, offers precede the move, visits follow it.
Shapes (assumptions, docs/jumeau.md): most households accept the first or second offer;
refusals are mostly about location, size, rent and the dwelling's condition; about one
file in eight is a difficult case after the move (arrears, isolation, charges), more
often among households under 6 € a day and a person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from mixite.core import model
from mixite.twin.params import TwinParameters

#: Offers refused before the accepted one: 0, 1, 2, 3 (assumption).
REFUS = (0.55, 0.30, 0.12, 0.03)
#: Reasons of a refusal, in the order of :data:`mixite.core.model.MOTIFS_REFUS`.
MOTIFS = (0.30, 0.15, 0.15, 0.15, 0.10, 0.10, 0.05)
#: Share of relocated households whose first wished commune is the one they moved to.
PREMIER_SOUHAIT = 0.65
#: Share of difficult cases after the move (twice as frequent under 6 € a day).
DIFFICILES = 0.10


def _jour(d: object) -> dt.date:
    return pd.Timestamp(d).date()  # type: ignore[arg-type]


def dossiers(
    relogements: pd.DataFrame, logements: pd.DataFrame, communes: pd.Series,
    params: TwinParameters,
) -> dict[str, pd.DataFrame]:  # fmt: skip
    """The four tables of the relocation files.

    ``logements`` are the social dwellings with ``id_logement, nb_pieces, loyer_mensuel,
    charges_mensuelles, etage, ascenseur, code_commune``; ``communes`` is the commune of
    each operation (``code_operation`` → commune)."""
    rng = np.random.default_rng([params.seed, 19])
    stock: dict[Any, dict[Any, Any]] = logements.set_index("id_logement").to_dict("index")
    by_commune = {c: g["id_logement"].to_numpy() for c, g in logements.groupby("code_commune")}
    everywhere = logements["id_logement"].to_numpy()
    end = params.fin
    interviews, offers, actions, visits = [], [], [], []
    for r in relogements.to_dict("records"):
        moved = r["statut"] == "reloge"
        target = str(r["apres_id_logement"]) if moved and pd.notna(r["apres_id_logement"]) else None
        home = str(communes.get(r["code_operation"], r["avant_code_commune"]))
        move = _jour(r["date_relogement"]) if moved else None
        first = (move if move else end) - dt.timedelta(days=int(rng.integers(120, 420)))
        # The interview: wishes the accepted dwelling fits.
        after = (
            str(r["apres_code_commune"]) if moved and pd.notna(r["apres_code_commune"]) else home
        )
        wished = [after, home] if rng.random() < PREMIER_SOUHAIT else [home, after]
        wished = list(dict.fromkeys(wished))
        reduced = bool(rng.random() < 0.08)
        rooms = (
            int(r["apres_nb_pieces"])
            if moved and pd.notna(r["apres_nb_pieces"])
            else int(r["avant_nb_pieces"])
        )
        low = max(1, rooms - int(rng.random() < 0.3))
        budget = None
        if target is not None and target in stock:
            d = stock[target]
            budget = float(d["loyer_mensuel"] + d["charges_mensuelles"]) * float(
                rng.uniform(1.0, 1.25)
            )
            reduced = reduced and (int(d["etage"]) == 0 or bool(d["ascenseur"]))
        on_site = r["apres_sur_site"] if moved and pd.notna(r["apres_sur_site"]) else None
        interviews.append({
            "id_relogement": r["id_relogement"], "date_entretien": first,
            "mobilite_reduite": reduced, "besoin_sante": bool(rng.random() < 0.1),
            "souhait_communes": ";".join(wished),
            "souhait_sur_site": ("oui" if on_site else "non") if on_site is not None and rng.random() < 0.7 else "indifferent",
            "souhait_type": "individuel" if moved and r["apres_individuel"] and rng.random() < 0.6 else "indifferent",
            "souhait_pieces_min": low, "souhait_pieces_max": max(low, rooms) + int(rng.random() < 0.5),
            "etage_max": 0 if reduced else None,
            "loyer_charges_max": None if budget is None else int(np.ceil(budget)),  # cents
        })  # fmt: skip
        actions.append({"id_relogement": r["id_relogement"], "date_action": first,
                        "type_action": "entretien_social", "commentaire": "entretien initial"})  # fmt: skip
        # Offers: refused ones first (other dwellings of the wished commune), then the
        # accepted dwelling; a household still to relocate may have one pending.
        n_refused = int(rng.choice(len(REFUS), p=REFUS))
        if not moved:
            n_refused = min(n_refused, 2)
        last = move - dt.timedelta(days=int(rng.integers(20, 60))) if move else end
        span = max(1, (last - first).days)
        dates = sorted(first + dt.timedelta(days=int(x)) for x in rng.integers(1, span, n_refused))
        pool = by_commune.get(wished[0], everywhere)
        for k, when in enumerate(dates):
            offers.append({"id_relogement": r["id_relogement"],
                           "id_logement": str(pool[int(rng.integers(len(pool)))]),
                           "date_proposition": when, "reponse": "refusee",
                           "motif_refus": model.MOTIFS_REFUS[int(rng.choice(len(MOTIFS), p=MOTIFS))],
                           "_rang": k})  # fmt: skip
            actions.append({"id_relogement": r["id_relogement"], "date_action": when,
                            "type_action": "visite_de_logement", "commentaire": None})  # fmt: skip
        if target is not None:
            offers.append({"id_relogement": r["id_relogement"], "id_logement": target,
                           "date_proposition": last, "reponse": "acceptee", "motif_refus": None,
                           "_rang": n_refused})  # fmt: skip
            actions.append({"id_relogement": r["id_relogement"],
                            "date_action": move - dt.timedelta(days=int(rng.integers(1, 15))),  # type: ignore[operator]
                            "type_action": "aide_au_demenagement", "commentaire": None})  # fmt: skip
        elif not moved and rng.random() < 0.3:
            offers.append({"id_relogement": r["id_relogement"],
                           "id_logement": str(pool[int(rng.integers(len(pool)))]),
                           "date_proposition": end - dt.timedelta(days=int(rng.integers(1, 30))),
                           "reponse": "en_attente", "motif_refus": None, "_rang": n_refused})  # fmt: skip
        if rng.random() < 0.35:
            actions.append({"id_relogement": r["id_relogement"],
                            "date_action": first + dt.timedelta(days=int(rng.integers(1, 60))),
                            "type_action": "ouverture_de_droits", "commentaire": None})  # fmt: skip
        # Follow-up visits after the move: at 3, 9 and 18 months, while before the end;
        # a minority of difficult cases, more among the poorest.
        if move is None:
            continue
        fragile = (
            (float(r["apres_ressources_mensuelles"]) - float(r["apres_loyer_mensuel"])
             - float(r["apres_charges_mensuelles"]) + float(r["apres_apl_mensuelle"] or 0))
            / 100 / 30.0 / float(r["nb_personnes"]) < 6.0  # money in cents
        )  # fmt: skip
        hard = rng.random() < DIFFICILES * (2.0 if fragile else 1.0)
        for months in (3, 9, 18):
            when = move + dt.timedelta(days=int(months * 30.4))
            if when > end or (months > 3 and rng.random() < 0.25):
                break
            problems = "aucune"
            measure = None
            if hard:
                problems = ";".join(sorted(set(rng.choice(
                    ["impayes", "isolement", "charges", "voisinage", "etat_du_logement"],
                    size=int(rng.integers(1, 3)), replace=False))))  # fmt: skip
                if rng.random() < 0.6:
                    measure = str(rng.choice([
                        "plan d'apurement avec le bailleur", "orientation vers le CCAS",
                        "demande de FSL", "accompagnement social renforcé",
                        "mutation proposée"]))  # fmt: skip
            visits.append({"id_relogement": r["id_relogement"], "date_visite": when,
                           "difficultes": problems, "mesure_corrective": measure})  # fmt: skip
    entretiens = pd.DataFrame(interviews)
    propositions = pd.DataFrame(offers).sort_values(["id_relogement", "_rang"], kind="stable")
    propositions.insert(0, "id_proposition", [f"PROP-{i:06d}" for i in range(len(propositions))])
    propositions = propositions.drop(columns="_rang")
    actions_f = pd.DataFrame(actions).sort_values(["id_relogement", "date_action"], kind="stable")
    actions_f.insert(0, "id_action", [f"ACT-{i:06d}" for i in range(len(actions_f))])
    visites = pd.DataFrame(visits, columns=["id_relogement", "date_visite", "difficultes",
                                            "mesure_corrective"])  # fmt: skip
    visites.insert(0, "id_visite", [f"VIS-{i:06d}" for i in range(len(visites))])
    return {
        "entretiens_relogement": entretiens,
        "propositions_relogement": propositions.reset_index(drop=True),
        "actions_relogement": actions_f.reset_index(drop=True),
        "visites_relogement": visites,
    }
