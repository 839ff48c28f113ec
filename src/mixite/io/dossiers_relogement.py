"""A household's relocation file read from the store, and the vacant dwellings that fit
its wishes, with effort rate and reste à vivre after housing benefit (OpenFisca, as the
commission estimates it). Household-level: the household's landlord (before or after)
and the operation's team only, every reading journaled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.core.acces import Perimetre
from mixite.core.relogement.followup import visible_to
from mixite.core.relogement.formulas import ResteAVivreFormula, effort_rate
from mixite.core.relogement.offres import Souhaits, contraintes
from mixite.errors import InvalidDataError
from mixite.io.store import Store


@dataclass(frozen=True)
class Dossier:
    """Everything recorded about one household to relocate."""

    relogement: pd.Series
    entretien: pd.Series | None
    propositions: pd.DataFrame
    actions: pd.DataFrame
    visites: pd.DataFrame


def _lignes(store: Store, table: str, ident: str) -> pd.DataFrame:
    if not store.has_table(table):
        return pd.DataFrame()
    return store.query(f"SELECT * FROM {table} WHERE id_relogement = ?", [ident])


def dossier(store: Store, ident: str, viewer: Perimetre, *, destination: str) -> Dossier:
    """The file ``ident`` if ``viewer`` may read it (raises :class:`AccesRefuse`
    otherwise, and :class:`InvalidDataError` for an unknown file); journaled."""
    records = _lignes(store, "relogements", ident)
    if records.empty:
        raise InvalidDataError.single("relogements", "dossier de relogement inconnu",
                                      column="id_relogement", value=ident)  # fmt: skip
    seen = visible_to(records, viewer)
    if seen.empty:
        from mixite.core.acces import AccesRefuse

        raise AccesRefuse(
            f"Le dossier {ident} n'est ni d'un ménage de votre parc ni de votre opération."
        )
    interview = _lignes(store, "entretiens_relogement", ident)
    out = Dossier(
        seen.iloc[0],
        interview.iloc[0] if len(interview) else None,
        _lignes(store, "propositions_relogement", ident).sort_values("date_proposition"),
        _lignes(store, "actions_relogement", ident).sort_values("date_action"),
        _lignes(store, "visites_relogement", ident).sort_values("date_visite"),
    )
    store.journal_access(perimetre=f"{viewer.role}:{viewer.code}",
                         objet=f"dossier de relogement {ident}", lignes=1,
                         destination=destination)  # fmt: skip
    return out


def logements_vacants(store: Store) -> pd.DataFrame:
    """Vacant social dwellings with what the matching reads."""
    return store.query(
        "SELECT l.id_logement, l.id_entree, b.code_commune, b.code_bailleur, b.code_qpv, "
        "b.individuel, l.nb_pieces, l.loyer_mensuel, l.charges_mensuelles, l.etage, "
        "l.ascenseur, l.financement FROM logements l JOIN entrees e USING (id_entree) "
        "JOIN batiments b USING (id_batiment) WHERE l.vacant ORDER BY l.id_logement"
    )


def offres(store: Store, d: Dossier, date: dt.date, formula: ResteAVivreFormula,
           *, toutes: bool = False) -> pd.DataFrame:  # fmt: skip
    """The vacant dwellings fitting the file's wishes (all of them with ``toutes``, the
    others with the constraint they break), best wished commune first, then lowest
    effort rate; for fitting ones, housing benefit, effort rate and reste à vivre."""
    from mixite.commission.apl import estimer_apl
    from mixite.io.commission import month_for

    if d.entretien is None:
        raise InvalidDataError.single(
            "entretiens_relogement", "pas d'entretien enregistré pour ce dossier : "
            "les souhaits sont inconnus", column="id_relogement",
            value=str(d.relogement["id_relogement"]),
        )  # fmt: skip
    wishes = Souhaits.de_l_entretien({str(k): v for k, v in d.entretien.items()})
    stock = contraintes(logements_vacants(store), wishes)
    if not toutes:
        stock = stock[stock["adapte"]]
    r = d.relogement
    persons = int(r["nb_personnes"])
    adults, kids, age = min(2, persons), max(0, persons - 2), 40
    if pd.notna(r.get("id_menage")) and store.has_table("menages"):
        m = store.query("SELECT nb_adultes, nb_enfants, age_reference FROM menages "
                        "WHERE id_menage = ? ORDER BY millesime", [str(r["id_menage"])])  # fmt: skip
        if len(m):
            adults, kids = int(m["nb_adultes"].iloc[-1]), int(m["nb_enfants"].iloc[-1])
            age = int(m["age_reference"].iloc[-1]) if pd.notna(m["age_reference"].iloc[-1]) else 40
    monthly = float(r["avant_ressources_mensuelles"])
    fit = stock["adapte"].to_numpy(dtype=bool)
    benefit = np.full(len(stock), np.nan)
    if fit.any():
        households = pd.DataFrame({
            "nb_adultes": adults, "nb_enfants": kids, "age_reference": age,
            "ressources_annuelles": monthly * 12,
            "loyer": stock.loc[fit, "loyer_mensuel"].astype(float).to_numpy(),
            "code_commune": stock.loc[fit, "code_commune"].astype(str).to_numpy(),
        })  # fmt: skip
        benefit[fit] = estimer_apl(households, month=month_for(date)).round(2)
    rent = stock["loyer_mensuel"].astype(float).to_numpy()
    charges = stock["charges_mensuelles"].astype(float).to_numpy()
    out = stock.assign(
        apl=benefit,
        taux_effort=(effort_rate(rent, charges, benefit, np.full(len(stock), monthly)) * 100).round(1),
        reste_a_vivre=formula.compute(np.full(len(stock), monthly), rent, charges, benefit,
                                      np.full(len(stock), persons),
                                      np.full(len(stock), float(r["unites_consommation"]))).round(2),
    )  # fmt: skip
    out.loc[~fit, ["taux_effort", "reste_a_vivre"]] = np.nan
    before = effort_rate([r["avant_loyer_mensuel"]], [r["avant_charges_mensuelles"]],
                         [r["avant_apl_mensuelle"]], [monthly])[0]  # fmt: skip
    out["variation_taux_effort"] = (out["taux_effort"] - before * 100).round(1)
    return out.sort_values(["adapte", "rang_commune", "taux_effort"],
                           ascending=[False, True, True], kind="stable").reset_index(drop=True)  # fmt: skip
