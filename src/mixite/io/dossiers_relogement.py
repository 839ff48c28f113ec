"""A household's relocation file read from the store, and the vacant dwellings that fit
its wishes, with effort rate and reste à vivre after housing benefit (OpenFisca, as the
commission estimates it). Household-level: the household's landlord (before or after)
and the operation's team only, every reading journaled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.commission.impact import Cadre
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


def logements_vacants(store: Store, id_logement: str | None = None) -> pd.DataFrame:
    """Vacant social dwellings (or the one given, if vacant) with what the matching reads."""
    return store.query(
        "SELECT l.id_logement, l.id_entree, b.code_commune, b.code_bailleur, b.code_qpv, "
        "b.individuel, l.nb_pieces, l.loyer_mensuel, l.charges_mensuelles, l.etage, "
        "l.ascenseur, l.financement FROM logements l JOIN entrees e USING (id_entree) "
        "JOIN batiments b USING (id_batiment) WHERE l.vacant"
        + (" AND l.id_logement = ?" if id_logement is not None else "")
        + " ORDER BY l.id_logement",
        [] if id_logement is None else [id_logement],
    )


def _compositions(store: Store, records: pd.DataFrame) -> pd.DataFrame:
    """Adults, children and the reference person's age of each file's household (from
    the latest vintage holding it; from the file's size otherwise), by ``id_relogement``,
    read in one query."""
    persons = records["nb_personnes"].astype(int).to_numpy()
    out = pd.DataFrame({"nb_adultes": np.minimum(2, persons),
                        "nb_enfants": np.maximum(0, persons - 2), "age_reference": 40},
                       index=records["id_relogement"].astype(str).to_numpy())  # fmt: skip
    ids = sorted(set(records["id_menage"].dropna().astype(str)))
    if ids and store.has_table("menages"):
        m = store.query(
            "SELECT id_menage, nb_adultes, nb_enfants, age_reference FROM menages WHERE id_menage "
            f"IN ({', '.join('?' * len(ids))}) ORDER BY millesime", ids,
        ).drop_duplicates("id_menage", keep="last").set_index("id_menage")  # fmt: skip
        known = (
            records["id_menage"].astype("string").isin(m.index).fillna(False).to_numpy(dtype=bool)
        )
        found = m.loc[list(records.loc[known, "id_menage"].astype(str))]
        rows = records.loc[known, "id_relogement"].astype(str).to_numpy()
        out.loc[rows, "nb_adultes"] = found["nb_adultes"].astype(int).to_numpy()
        out.loc[rows, "nb_enfants"] = found["nb_enfants"].astype(int).to_numpy()
        out.loc[rows, "age_reference"] = found["age_reference"].fillna(40).astype(int).to_numpy()
    return out


def solvabilite(pairs: pd.DataFrame, date: dt.date, formula: ResteAVivreFormula) -> pd.DataFrame:
    """Housing benefit (OpenFisca-France), effort rate (%) and reste à vivre of each
    household-dwelling pair, and the change of effort rate from before (points).

    ``pairs``: ``nb_adultes, nb_enfants, age_reference, nb_personnes,
    unites_consommation, ressources_mensuelles, loyer_mensuel, charges_mensuelles,
    code_commune`` and the household's current ``taux_effort_avant`` (a share)."""
    from mixite.commission.apl import estimer_apl
    from mixite.io.commission import month_for

    monthly = pairs["ressources_mensuelles"].astype(float).to_numpy()
    rent = pairs["loyer_mensuel"].astype(float).to_numpy()
    charges = pairs["charges_mensuelles"].astype(float).to_numpy()
    benefit = np.zeros(len(pairs))
    if len(pairs):
        benefit = estimer_apl(pd.DataFrame({
            "nb_adultes": pairs["nb_adultes"].to_numpy(), "nb_enfants": pairs["nb_enfants"].to_numpy(),
            "age_reference": pairs["age_reference"].to_numpy(), "ressources_annuelles": monthly * 12,
            "loyer": rent, "code_commune": pairs["code_commune"].astype(str).to_numpy(),
        }), month=month_for(date)).round(2)  # fmt: skip
    effort = (effort_rate(rent, charges, benefit, monthly) * 100).round(1)
    return pd.DataFrame({
        "apl": benefit, "taux_effort": effort,
        "reste_a_vivre": formula.compute(monthly, rent, charges, benefit,
                                         pairs["nb_personnes"].to_numpy(dtype=float),
                                         pairs["unites_consommation"].to_numpy(dtype=float)).round(2),
        "variation_taux_effort": (effort - pairs["taux_effort_avant"].to_numpy(dtype=float) * 100).round(1),
    }, index=pairs.index)  # fmt: skip


def _avant(r: pd.Series) -> float:
    """The file's effort rate before the move (a share)."""
    return float(effort_rate([r["avant_loyer_mensuel"]], [r["avant_charges_mensuelles"]],
                             [r["avant_apl_mensuelle"]], [r["avant_ressources_mensuelles"]])[0])  # fmt: skip


def offres(store: Store, d: Dossier, date: dt.date, formula: ResteAVivreFormula,
           *, toutes: bool = False) -> pd.DataFrame:  # fmt: skip
    """The vacant dwellings fitting the file's wishes (all of them with ``toutes``, the
    others with the constraint they break), best wished commune first, then lowest
    effort rate; for fitting ones, housing benefit, effort rate and reste à vivre."""
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
    adults, kids, age = _compositions(store, r.to_frame().T).iloc[0].astype(int).tolist()
    fit = stock["adapte"].to_numpy(dtype=bool)
    pairs = stock[fit].assign(
        nb_adultes=adults, nb_enfants=kids, age_reference=age, nb_personnes=int(r["nb_personnes"]),
        unites_consommation=float(r["unites_consommation"]),
        ressources_mensuelles=float(r["avant_ressources_mensuelles"]), taux_effort_avant=_avant(r),
    )  # fmt: skip
    out = stock.join(solvabilite(pairs, date, formula))
    return out.sort_values(["adapte", "rang_commune", "taux_effort"],
                           ascending=[False, True, True], kind="stable").reset_index(drop=True)  # fmt: skip


def menages_pour(store: Store, id_logement: str, viewer: Perimetre, date: dt.date,
                 formula: ResteAVivreFormula, *, destination: str,
                 tous: bool = False) -> tuple[pd.Series, pd.DataFrame]:  # fmt: skip
    """The reverse of :func:`offres`: for a vacant dwelling, the households to relocate
    that ``viewer`` may see (its operation's, or its landlord's) whose recorded wishes
    it fits — each with the wish rank of its commune, housing benefit, effort rate and
    reste à vivre — the others too with ``tous``, with the constraint it breaks. The
    dwelling and the list; journaled (household-level)."""
    place = logements_vacants(store, id_logement)
    if place.empty:
        raise InvalidDataError.single("logements", "logement inconnu ou non vacant",
                                      column="id_logement", value=id_logement)  # fmt: skip
    records = store.query("SELECT * FROM relogements WHERE statut = 'a_reloger'")
    files = visible_to(records, viewer)
    interviews = store.read("entretiens_relogement") if store.has_table("entretiens_relogement") \
        else pd.DataFrame(columns=["id_relogement"])  # fmt: skip
    wishes = interviews.drop_duplicates("id_relogement").set_index("id_relogement")
    rows = []
    composition = _compositions(store, files)
    for _, r in files.iterrows():
        if r["id_relogement"] not in wishes.index:
            continue
        w = Souhaits.de_l_entretien({str(k): v for k, v in wishes.loc[r["id_relogement"]].items()})
        c = contraintes(place, w).iloc[0]
        adults, kids, age = (int(x) for x in composition.loc[str(r["id_relogement"])].to_numpy())
        rows.append({
            "id_relogement": r["id_relogement"], "id_menage": r["id_menage"],
            "code_bailleur": r["code_bailleur"], "nb_personnes": int(r["nb_personnes"]),
            "adapte": bool(c["adapte"]), "rang_commune": int(c["rang_commune"]),
            "motifs": c["motifs"], "nb_adultes": adults, "nb_enfants": kids,
            "age_reference": age, "unites_consommation": float(r["unites_consommation"]),
            "ressources_mensuelles": float(r["avant_ressources_mensuelles"]),
            "taux_effort_avant": _avant(r),
            **{k: place.iloc[0][k] for k in ("loyer_mensuel", "charges_mensuelles", "code_commune")},
        })  # fmt: skip
    found = pd.DataFrame(rows)
    if found.empty:
        found = pd.DataFrame(columns=["id_relogement", "adapte", "rang_commune", "motifs"])
    elif not tous:
        found = found[found["adapte"]]
    fit = found["adapte"].astype(bool).to_numpy()
    out = found.join(solvabilite(found[fit], date, formula))
    out = out.sort_values(["adapte", "rang_commune", "taux_effort"],
                          ascending=[False, True, True], kind="stable").reset_index(drop=True)  # fmt: skip
    store.journal_access(perimetre=f"{viewer.role}:{viewer.code}",
                         objet=f"ménages à reloger pour le logement {id_logement}",
                         lignes=len(out), destination=destination)  # fmt: skip
    return place.iloc[0], out


def menage_du_dossier(store: Store, cadre: Cadre, d: Dossier) -> pd.DataFrame:
    """The household of a file as the latest vintage describes it (one row), or as its
    file does when the vintage does not hold it (:func:`_compositions`' defaults)."""
    from mixite.commission.impact import type_menage

    r = d.relogement
    hh = cadre.menages
    mine = hh[hh["id_menage"].astype("string") == str(r.get("id_menage"))]
    if len(mine):
        return mine.iloc[[0]]
    out = _compositions(store, r.to_frame().T).reset_index(drop=True).assign(
        id_menage=str(r.get("id_menage") or r["id_relogement"]), millesime=cadre.millesime,
        nb_personnes=int(r["nb_personnes"]), nb_moins_14=0, nb_actifs_occupes=0,
        unites_consommation=float(r["unites_consommation"]),
        ressources_annuelles=float(r["avant_ressources_mensuelles"]) * 12,
        apl_annuelle=float(r["avant_apl_mensuelle"] or 0) * 12,
    )  # fmt: skip
    return out.assign(type_menage=type_menage(out))


def impacts_des_offres(store: Store, cadre: Cadre, d: Dossier, found: pd.DataFrame,
                       limite: int) -> pd.DataFrame:  # fmt: skip
    """``found`` (:func:`offres`) with, for its first ``limite`` fitting dwellings, the
    receiving entrance's watch status before → after the household's arrival and its
    building's and IRIS's share of households without an employed member, before →
    after (the commission's mechanism)."""
    from mixite.core.relogement.accueil import impact_offre
    from mixite.io.commission import logements_en_contexte

    out = found.copy()
    for c in ("entree_avant_apres", "batiment_sans_actif", "iris_sans_actif"):
        out[c] = pd.Series([None] * len(out), dtype="object")
    rows = out.index[out["adapte"].to_numpy(dtype=bool)][:limite]
    if not len(rows):
        return out
    menage = menage_du_dossier(store, cadre, d)
    places = logements_en_contexte(store, list(out.loc[rows, "id_logement"].astype(str)))
    by_id = {str(p["id_logement"]): p for _, p in places.iterrows()}
    for i in rows:
        imp = impact_offre(cadre, by_id[str(out.at[i, "id_logement"])], menage)
        out.at[i, "entree_avant_apres"] = imp.resume()
        for level, column in (("bâtiment", "batiment_sans_actif"), ("IRIS", "iris_sans_actif")):
            z = imp.zones[imp.zones.index.get_level_values("niveau") == level]
            if len(z):
                b, a = z["sans_actif_occupe_avant"].iloc[0], z["sans_actif_occupe_apres"].iloc[0]
                out.at[i, column] = f"{b:.1f} → {a:.1f} %".replace(".", ",")
    return out


def arrivees(store: Store, cadre: Cadre, *, operation: str | None = None) -> pd.DataFrame:
    """The relocated households whose new dwelling is known, as the latest vintage
    describes them, placed in that dwelling (:func:`~mixite.core.relogement.accueil.installer`),
    with their file's ``id_relogement``, ``code_operation`` and landlord of origin."""
    from mixite.core.relogement.accueil import installer
    from mixite.io.commission import logements_en_contexte

    records = store.read("relogements")
    moved = records[(records["statut"] == "reloge") & records["apres_id_logement"].notna()]
    if operation:
        moved = moved[moved["code_operation"] == operation]
    hh = cadre.menages.drop_duplicates("id_menage").set_index("id_menage")
    moved = moved[moved["id_menage"].isin(hh.index)]
    places = logements_en_contexte(store, sorted(set(moved["apres_id_logement"].astype(str))))
    places = places.set_index("id_logement")
    moved = moved[moved["apres_id_logement"].isin(places.index)]
    rows = hh.loc[moved["id_menage"]].reset_index()
    where = places.loc[moved["apres_id_logement"]].reset_index()
    out = installer(rows, where)
    out["id_relogement"] = moved["id_relogement"].to_numpy()
    out["code_operation"] = moved["code_operation"].to_numpy()
    out["bailleur_origine"] = moved["code_bailleur"].to_numpy()
    return out
