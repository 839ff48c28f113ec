"""Is a candidate eligible for a dwelling, and can it afford it? Each answer with its reason.

- **Resource ceiling** of the dwelling's financing (PLAI, PLUS; PLS = PLUS × 1.3 where
  no published value; PLI and others: PLUS, said so), zone and year, for the household's
  category (arrêté du 29 juillet 1987): the tax reference income of year N-2 must not
  exceed it, compared at the cent. Derogations, off by default and set in the rules
  (``commission.yaml``): a percentage above the ceilings in QPV (CCH L.441-1, arrêté
  préfectoral), and households relocated by urban renewal exempted.
- **Size**: at most ``personnes_par_piece_max`` persons per main room (over-occupation),
  and no more than ``pieces_en_trop_max`` rooms beyond the persons (under-occupation,
  CCH L.621-2: more rooms than persons plus one).
- **Affordability after housing benefit**: effort rate = (rent + charges − APL) /
  current monthly resources, at most ``taux_effort_max``; reste à vivre = (resources +
  APL − rent − charges) / consumption units / 30 days, at least ``reste_a_vivre_min``
  € per day and unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.plafonds import categorie_menage, plafond_pls, plafond_ressources
from mixite.core.relogement.formulas import effort_rate

#: Days in a month for the reste à vivre per day (the relocation module's convention).
JOURS_PAR_MOIS = 30.0


@dataclass(frozen=True)
class Regles:
    """The commission's rules (``commission.yaml``)."""

    personnes_par_piece_max: float = 2.0
    pieces_en_trop_max: int = 1
    taux_effort_max: float = 0.35
    reste_a_vivre_min: float = 10.0
    derogation_qpv_pct: float = 0.0
    derogation_relogement: bool = False
    zone_plafonds: int = 3

    def __post_init__(self) -> None:
        if self.personnes_par_piece_max <= 0:
            raise ValueError(
                f"personnes_par_piece_max must be > 0; got {self.personnes_par_piece_max}."
            )
        if not 0 < self.taux_effort_max <= 1:
            raise ValueError(
                f"taux_effort_max is a fraction in (0, 1]; got {self.taux_effort_max}."
            )


def plafonds_applicables(
    plafonds: pd.DataFrame,
    candidats: pd.DataFrame,
    *,
    financement: str,
    zone: int,
    annee: int,
) -> tuple[npt.NDArray[np.int64], str]:
    """Each candidate's ceiling (€ per year) for a dwelling of ``financement``, and the
    rule applied, in French."""
    cats, extra = categorie_menage(
        candidats["nb_personnes"].to_numpy(dtype=np.int64),
        adulte_seul_avec_charge=_single_parent(candidats),
    )
    years = np.full(len(candidats), annee)
    if financement == "PLS":
        ceiling, derived = plafond_pls(
            plafonds, zone=zone, millesime=years, categorie=cats, personnes_supplementaires=extra
        )
        rule = "plafond PLS" + (" (PLUS + 30 %)" if derived.any() else "")
        return ceiling, rule
    used = financement if financement in ("PLAI", "PLUS") else "PLUS"
    ceiling = plafond_ressources(
        plafonds, financement=used, zone=zone, millesime=years, categorie=cats,
        personnes_supplementaires=extra,
    )  # fmt: skip
    rule = f"plafond {used}" + ("" if used == financement else f" (logement {financement})")
    return ceiling, rule


def _single_parent(c: pd.DataFrame) -> npt.NDArray[np.bool_]:
    if "monoparental" in c and c["monoparental"].notna().all():
        return np.asarray(c["monoparental"].to_numpy(dtype=bool))
    return np.asarray(
        (c["nb_adultes"].to_numpy() == 1) & (c["nb_enfants"].to_numpy() > 0), dtype=bool
    )


def examiner(
    candidats: pd.DataFrame,
    logement: pd.Series,
    *,
    plafonds: pd.DataFrame,
    regles: Regles,
    annee: int,
    apl_mensuelle: npt.ArrayLike,
) -> pd.DataFrame:
    """Eligibility and affordability of each candidate for ``logement``, with reasons.

    ``candidats``: ``nb_personnes, nb_adultes, nb_enfants, unites_consommation,
    ressources_annuelles`` (€, N-2), ``ressources_mensuelles`` (€, current; the N-2
    income / 12 when missing), optional ``monoparental, relogement_renouvellement``.
    ``logement``: ``financement, nb_pieces, loyer_mensuel, charges_mensuelles`` (€) and
    ``en_qpv``. ``apl_mensuelle``: each candidate's estimated housing benefit (€).
    """
    c = candidats
    ceiling, rule = plafonds_applicables(
        plafonds,
        c,
        financement=str(logement["financement"]),
        zone=regles.zone_plafonds,
        annee=annee,
    )
    ceiling = ceiling.astype(float)
    if regles.derogation_qpv_pct and bool(logement.get("en_qpv", False)):
        ceiling = np.floor(ceiling * (1 + regles.derogation_qpv_pct / 100))
        rule += f", majoré de {regles.derogation_qpv_pct:g} % en QPV (dérogation)"
    income_cents = np.rint(c["ressources_annuelles"].to_numpy(dtype=float) * 100)
    under = income_cents <= ceiling * 100
    relocated = (
        c["relogement_renouvellement"].fillna(False).to_numpy(dtype=bool)
        if "relogement_renouvellement" in c
        else np.zeros(len(c), dtype=bool)
    )
    exempt = regles.derogation_relogement & relocated & ~under
    persons = c["nb_personnes"].to_numpy(dtype=float)
    rooms = float(logement["nb_pieces"])
    crowded = persons > regles.personnes_par_piece_max * rooms
    too_big = rooms - persons > regles.pieces_en_trop_max
    rent = float(logement["loyer_mensuel"] or 0)
    charges = float(
        0 if pd.isna(logement.get("charges_mensuelles")) else logement["charges_mensuelles"]
    )
    current = (
        c["ressources_mensuelles"]
        if "ressources_mensuelles" in c
        else pd.Series(np.nan, index=c.index)
    )
    monthly = current.astype(float).fillna(c["ressources_annuelles"].astype(float) / 12).to_numpy()
    apl = np.asarray(apl_mensuelle, dtype=float)
    effort = effort_rate(np.full(len(c), rent), np.full(len(c), charges), apl, monthly)
    uc = c["unites_consommation"].to_numpy(dtype=float)
    rav = (monthly + apl - rent - charges) / uc / JOURS_PAR_MOIS
    affordable = (effort <= regles.taux_effort_max) & (rav >= regles.reste_a_vivre_min)
    out = pd.DataFrame(index=c.index)
    out["plafond"] = ceiling
    out["regle_plafond"] = rule
    out["part_plafond"] = np.round(income_cents / (ceiling * 100) * 100, 1)
    out["sous_plafond"] = under | exempt
    out["taille_ok"] = ~crowded & ~too_big
    out["loyer_charges"] = rent + charges
    out["apl"] = np.round(apl, 2)
    out["taux_effort"] = np.round(effort * 100, 1)
    out["reste_a_vivre"] = np.round(rav, 2)
    out["abordable"] = affordable
    out["eligible"] = out["sous_plafond"] & out["taille_ok"]
    reasons = []
    for i in range(len(c)):
        r = []
        if not under[i]:
            r.append(
                f"ressources N-2 {income_cents[i] / 100:,.0f} € au-dessus du {rule} ({ceiling[i]:,.0f} €)".replace(
                    ",", " "
                )
                + (" — relogé du renouvellement urbain : dérogation" if exempt[i] else "")
            )
        if crowded[i]:
            r.append(f"{persons[i]:g} personnes pour {rooms:g} pièce(s) : sur-occupation")
        if too_big[i]:
            r.append(f"{rooms:g} pièces pour {persons[i]:g} personne(s) : sous-occupation")
        if effort[i] > regles.taux_effort_max:
            r.append(
                f"taux d'effort {effort[i] * 100:.0f} % après APL > {regles.taux_effort_max * 100:g} %"
            )
        if rav[i] < regles.reste_a_vivre_min:
            r.append(
                f"reste à vivre {rav[i]:.2f} € par jour et par UC < {regles.reste_a_vivre_min:g} €".replace(
                    ".", ","
                )
            )
        reasons.append(" ; ".join(r) if r else "éligible et abordable")
    out["motifs"] = reasons
    return out
