"""Candidate search for a vacant dwelling: the active applications it suits, with their
priority, cotation, wait, affordability and effect on the entrance, filtered and sorted
by the commission's criterion — never a ranking presented as « the answer », and never
a priority household dropped without saying so.

Each filter is a step; the notes count what every step set aside and, among those, the
priority households (DALO recognised or priority criteria), by name of the filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.commission.eligibilite import Regles, examiner
from mixite.core.plafonds import plafond_plus_des_menages

#: Profile filters a commission may add, to orient the search (each reported).
PROFILS: dict[str, tuple[str, Callable[[pd.DataFrame], npt.NDArray[np.bool_]]]] = {
    "actif": (
        "au moins un actif occupé",
        lambda d: np.asarray(d["nb_actifs_occupes"].to_numpy() >= 1, dtype=bool),
    ),
    "au_dessus_40_plus": (
        "ressources d'au moins 40 % du plafond PLUS",
        lambda d: np.asarray(d["_part_plus"].to_numpy() >= 0.4, dtype=bool),
    ),
    "sans_famille_monoparentale": (
        "pas une famille monoparentale",
        lambda d: (
            ~np.asarray(
                (d["nb_adultes"].to_numpy() == 1) & (d["nb_enfants"].to_numpy() > 0), dtype=bool
            )
        ),
    ),
}

#: Orders a commission may choose; the criterion is always shown with the list.
TRIS: dict[str, tuple[str, list[str], list[bool]]] = {
    "cotation": ("cotation (points), puis ancienneté", ["cotation", "anciennete_mois"], [False, False]),
    "anciennete": ("ancienneté de la demande", ["anciennete_mois"], [False]),
    "priorite": ("ménages prioritaires d'abord, puis cotation", ["prioritaire", "cotation"], [False, False]),
    "effort": ("taux d'effort après APL, du plus bas au plus haut", ["taux_effort"], [True]),
    "veille": ("effet sur l'entrée : variables au-delà du seuil après attribution, du moins au plus",
               ["depassements_apres", "cotation"], [True, False]),
}  # fmt: skip


@dataclass
class Recherche:
    """The candidates, the order used and what each filter set aside."""

    candidats: pd.DataFrame
    tri: str
    etapes: pd.DataFrame
    notes: list[str]


def _wishes(d: pd.DataFrame, logement: pd.Series) -> npt.NDArray[np.bool_]:
    commune = str(logement["code_commune"])
    wished = d["communes_souhaitees"].astype("string").fillna("")
    ok_commune = (wished == "") | wished.str.split(";").map(lambda xs: commune in xs)
    kind = (
        d["type_souhaite"].astype("string").fillna("indifferent")
        if "type_souhaite" in d
        else pd.Series("indifferent", index=d.index)
    )
    house = bool(logement.get("individuel", False))
    ok_type = (kind == "indifferent") | (kind == ("individuel" if house else "collectif"))
    total = float(logement["loyer_mensuel"] or 0) + float(
        0 if pd.isna(logement.get("charges_mensuelles")) else logement["charges_mensuelles"]
    )
    cap = d["loyer_max"].astype(float) if "loyer_max" in d else pd.Series(np.nan, index=d.index)
    ok_rent = cap.isna() | (cap >= total)
    return np.asarray((ok_commune & ok_type & ok_rent).to_numpy(dtype=bool))


def rechercher(
    logement: pd.Series,
    demandes: pd.DataFrame,
    *,
    plafonds: pd.DataFrame,
    regles: Regles,
    date: dt.date,
    prioritaire: pd.Series,
    cotation: pd.Series,
    motifs_priorite: pd.Series,
    apl: Callable[[pd.DataFrame], npt.NDArray[np.float64]],
    profils: Sequence[str] = (),
    tri: str = "cotation",
    ignorer_souhaits: bool = False,
    effet_veille: Callable[[pd.DataFrame], npt.NDArray[np.int64]] | None = None,
    apl_pour: int | None = None,
) -> Recherche:
    """Active applications filed by ``date`` that ``logement`` suits.

    ``prioritaire``, ``cotation`` and ``motifs_priorite`` are indexed by ``id_demande``;
    ``apl(frame)`` gives the monthly housing benefit of candidates in this dwelling;
    ``effet_veille(frame)``, the number of watch variables beyond threshold + margin in
    the entrance after each candidate (for the ``veille`` order).

    ``apl_pour=n`` (a page showing the first ``n``): the housing benefit is computed
    for the candidates the affordability filter needs it for — those not affordable
    without it; a candidate affordable without benefit stays so with it — and for the
    first ``n`` of the order; the others' benefit, effort rate and reste à vivre are
    left unknown (NaN). Same candidates, same order, same steps (unless the order is by
    effort rate, which needs them all).
    """
    if tri not in TRIS:
        raise ValueError(f"tri must be one of {list(TRIS)}; got {tri!r}.")
    unknown = [p for p in profils if p not in PROFILS]
    if unknown:
        raise ValueError(f"profils must be among {list(PROFILS)}; got {unknown}.")
    d = demandes[(demandes["statut"] == "active")
                 & (pd.to_datetime(demandes["date_depot"]) <= pd.Timestamp(date))].copy()  # fmt: skip
    d["prioritaire"] = d["id_demande"].map(prioritaire).fillna(False).astype(bool)
    d["cotation"] = d["id_demande"].map(cotation).astype(float)
    d["motifs_priorite"] = d["id_demande"].map(motifs_priorite).fillna("")
    d["anciennete_mois"] = (
        (pd.Timestamp(date) - pd.to_datetime(d["date_depot"])).dt.days / 30.4375
    ).round(1)
    ceiling = plafond_plus_des_menages(
        plafonds, nb_personnes=d["nb_personnes"], nb_adultes=d["nb_adultes"],
        nb_enfants=d["nb_enfants"], millesime=date.year, zone=regles.zone_plafonds,
    )  # fmt: skip
    d["_part_plus"] = d["ressources_annuelles"].to_numpy(dtype=float) / ceiling
    steps: list[dict[str, object]] = [
        {"etape": "demandes actives déposées avant la commission", "restent": len(d),
         "ecartees": 0, "dont_prioritaires": 0, "dont_dalo": 0}
    ]  # fmt: skip

    def step(name: str, keep: npt.NDArray[np.bool_]) -> None:
        nonlocal d
        dropped = d[~keep]
        steps.append({
            "etape": name, "restent": int(keep.sum()), "ecartees": len(dropped),
            "dont_prioritaires": int(dropped["prioritaire"].sum()),
            "dont_dalo": int(dropped.get("dalo_reconnu", pd.Series(False, index=dropped.index)).fillna(False).astype(bool).sum()),
        })  # fmt: skip
        d = d[keep]

    if not ignorer_souhaits:
        step("souhaits (communes, type, loyer maximal)", _wishes(d, logement))
    no_apl = examiner(d, logement, plafonds=plafonds, regles=regles, annee=date.year,
                      apl_mensuelle=np.zeros(len(d)))  # fmt: skip
    step("plafond de ressources du logement", no_apl["sous_plafond"].to_numpy(dtype=bool))
    step("taille (sur- et sous-occupation)",
         no_apl.loc[d.index, "taille_ok"].to_numpy(dtype=bool))  # fmt: skip
    for p in profils:
        label, test = PROFILS[p]
        step(f"profil choisi : {label}", test(d))
    lazy = apl_pour is not None and tri != "effort"
    benefit = np.zeros(len(d))
    computed = np.ones(len(d), dtype=bool)
    if lazy and len(d):
        computed = ~no_apl.loc[d.index, "abordable"].to_numpy(dtype=bool)
        if computed.any():
            benefit[computed] = apl(d[computed])
    elif len(d):
        benefit = apl(d)
    checked = examiner(d, logement, plafonds=plafonds, regles=regles, annee=date.year,
                       apl_mensuelle=benefit)  # fmt: skip
    d["_apl_calculee"] = computed
    d = d.join(
        checked[["apl", "taux_effort", "reste_a_vivre", "part_plafond", "abordable", "motifs"]]
    )
    step("taux d'effort et reste à vivre après APL", d["abordable"].to_numpy(dtype=bool))
    if effet_veille is not None and len(d):
        d["depassements_apres"] = effet_veille(d)
    elif tri == "veille":
        raise ValueError("tri 'veille' needs effet_veille.")
    label, columns, ascending = TRIS[tri]
    d = d.sort_values(columns, ascending=ascending, kind="stable", na_position="last")
    if lazy and len(d):
        d = _apl_des_premiers(d, int(apl_pour or 0), logement, apl,
                              plafonds=plafonds, regles=regles, annee=date.year)  # fmt: skip
    d = d.drop(columns="_apl_calculee")
    etapes = pd.DataFrame(steps)
    notes = [
        f"Ordre : {label} (critère choisi par la commission ; aucune liste n'est « la réponse »)"
    ]
    for s in steps[1:]:
        if s["dont_prioritaires"]:
            notes.append(
                f"Attention : l'étape « {s['etape']} » écarte {s['ecartees']} demande(s), dont "
                f"{s['dont_prioritaires']} de ménage(s) prioritaire(s) (DALO : {s['dont_dalo']})"
            )
    return Recherche(d.drop(columns=["_part_plus"]), tri, etapes, notes)


def _apl_des_premiers(d: pd.DataFrame, n: int, logement: pd.Series,
                      apl: Callable[[pd.DataFrame], npt.NDArray[np.float64]],
                      **regles: Any) -> pd.DataFrame:  # fmt: skip
    """The benefit of the first ``n`` candidates that lack it; unknown beyond."""
    d = d.copy()
    head = d.index[:n]
    missing = head[~d.loc[head, "_apl_calculee"].to_numpy(dtype=bool)]
    if len(missing):
        part = d.loc[missing]
        done = examiner(part, logement, apl_mensuelle=apl(part), **regles)
        for c in ("apl", "taux_effort", "reste_a_vivre", "part_plafond", "abordable", "motifs"):
            d.loc[missing, c] = done[c]
        d.loc[missing, "_apl_calculee"] = True
    unknown = ~d["_apl_calculee"].to_numpy(dtype=bool)
    d.loc[unknown, ["apl", "taux_effort", "reste_a_vivre"]] = np.nan
    return d


def resume_menage(d: pd.DataFrame) -> pd.Series:
    """« couple, 2 enfant(s) (3, 7 ans), 1 actif(s) occupé(s), demandeur de 34 ans »."""
    adults = d["nb_adultes"].to_numpy(dtype=np.int64)
    kids = d["nb_enfants"].to_numpy(dtype=np.int64)
    workers = d["nb_actifs_occupes"].to_numpy(dtype=np.int64)
    age = d["age_demandeur"].to_numpy(dtype=np.int64)
    ages = (
        d["ages_enfants"].astype("string").fillna("").tolist()
        if "ages_enfants" in d
        else [""] * len(d)
    )
    out = []
    for a, k, w, y, g in zip(adults, kids, workers, age, ages, strict=True):
        who = {1: "personne seule" if k == 0 else "parent seul", 2: "couple"}.get(
            int(a), f"{a} adultes"
        )
        kid_text = f", {k} enfant(s)" + (f" ({g.replace(';', ', ')} ans)" if g else "") if k else ""
        out.append(f"{who}{kid_text}, {w} actif(s) occupé(s), demandeur de {y} ans")
    return pd.Series(out, index=d.index)
