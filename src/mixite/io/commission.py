"""The allocation commission's data, read from the store: the frame of the impact
(households, allocations, charters, watch thresholds), a vacant dwelling in context,
the applications, and the recording of a decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mixite.commission.eligibilite import Regles
from mixite.commission.impact import Cadre
from mixite.core import model
from mixite.core.schema import Table
from mixite.core.validation import validate
from mixite.errors import InvalidDataError
from mixite.io import refdata
from mixite.io.config import load_charter, load_watch
from mixite.io.exporters import to_import_frame
from mixite.io.fiche_commission import Fiche
from mixite.io.importers import audit_allocations
from mixite.io.queries import allocations_in_context, households_in_context
from mixite.io.store import Modification, Store, Write
from mixite.observatoire.indicateurs import flags
from mixite.observatoire.veille import calibrate, collectives, entrance_variables

#: Charters applied by default: Lille's and the legal quotas.
CHARTES = ("lille", "loi-2017")


def _refuse(rule: str, value: str = "", column: str = "") -> InvalidDataError:
    return InvalidDataError.single("commission", rule, column=column, value=value)


def charger_cadre(
    store: Store,
    *,
    chartes: Sequence[str | Path] = CHARTES,
    veille: Path | None = None,
    calibrer: float | None = 90.0,
    attributions: bool = True,
) -> Cadre:
    """Everything the impact of a candidate needs, read once (without the allocations
    made, with ``attributions=False``: to be added by the caller)."""
    households = households_in_context(store)
    year = int(households["millesime"].max())
    households = households[households["millesime"] == year].reset_index(drop=True)
    plafonds = refdata.plafonds_ressources()
    variables, fragile_des, vigilance_marges = load_watch(veille)
    social = households[households["statut_occupation"] == "locataire_social"]
    under = flags(social, plafonds, millesime=year, zone=3, seuil_pauvrete=0.0)["sous_40_plus"]
    entrances = entrance_variables(
        social.dropna(subset=["id_entree"]), under[social["id_entree"].notna()]
    )
    entrances["individuel"] = social.groupby("id_entree")["individuel"].first()
    entrances = entrances[collectives(entrances)]
    thresholds = {}
    for landlord, mine in entrances.groupby("code_bailleur"):
        thresholds[str(landlord)] = (
            calibrate(mine, variables, quantile=calibrer / 100) if calibrer else variables
        )
    thresholds.setdefault("", variables)
    loaded = tuple(load_charter(c) for c in chartes)
    return Cadre(
        menages=households,
        attributions=allocations_in_context(store) if attributions else pd.DataFrame(),
        plafonds=plafonds,
        quartiles=refdata.premier_quartile(),
        chartes=loaded,
        veille=thresholds,
        fragile_des=fragile_des,
        vigilance_marges=vigilance_marges,
        seuil_pauvrete=refdata.default_poverty_threshold(year),
        millesime=year,
        zone=loaded[0].zone_plafonds if loaded else 3,
        epci=loaded[0].epci if loaded else "",
    )


def logements_en_contexte(store: Store, ids: Sequence[str]) -> pd.DataFrame:
    """Dwellings ``ids`` (those known) with their entrance, building, zones, landlord,
    QPV, and the building's 200 m cell (from its households)."""
    if not ids:
        ids = [""]
    communes = store.has_table("communes")
    marks = ", ".join("?" * len(ids))
    rows = store.query(
        "SELECT l.*, e.id_batiment, b.code_bailleur, b.code_commune, b.code_iris, b.code_qpv, "
        "b.code_qpv IS NOT NULL AS en_qpv, b.individuel, b.x, b.y, "
        + (
            "c.code_territoire, c.code_epci "
            if communes
            else "NULL AS code_territoire, NULL AS code_epci "
        )
        + "FROM logements l JOIN entrees e ON e.id_entree = l.id_entree "
        "JOIN batiments b ON b.id_batiment = e.id_batiment "
        + ("LEFT JOIN communes c ON c.code_commune = b.code_commune " if communes else "")
        + f"WHERE l.id_logement IN ({marks}) ORDER BY l.id_logement",
        list(ids),
    )
    buildings = sorted(set(rows["id_batiment"].astype(str)))
    if buildings:
        cells = store.query(
            "SELECT e.id_batiment, min(m.idcar_200m) AS idcar_200m FROM menages m "
            "JOIN logements l ON l.id_logement = m.id_logement JOIN entrees e "
            f"ON e.id_entree = l.id_entree WHERE e.id_batiment IN ({', '.join('?' * len(buildings))}) "
            "GROUP BY e.id_batiment",
            buildings,
        ).set_index("id_batiment")["idcar_200m"]
        rows["idcar_200m"] = rows["id_batiment"].astype(str).map(cells)
    else:
        rows["idcar_200m"] = pd.Series(dtype="string")
    return rows


def logement(store: Store, id_logement: str, *, vacant: bool = True) -> pd.Series:
    """A dwelling with its entrance, building, zones, landlord and QPV; refused in
    French when unknown or (``vacant``) occupied."""
    rows = logements_en_contexte(store, [id_logement])
    if rows.empty:
        raise _refuse("logement inconnu de la base", id_logement, "--logement")
    row = rows.iloc[0]
    if vacant and not bool(row["vacant"]):
        raise _refuse("ce logement n'est pas vacant : il n'y a rien à attribuer", id_logement,
                      "--logement")  # fmt: skip
    if pd.isna(row["idcar_200m"]):
        row["idcar_200m"] = None
    return row


def demandes(
    store: Store, ids: Sequence[str] | None = None, *, date: dt.date | None = None
) -> pd.DataFrame:
    """Applications (all, or those of ``ids``, which must be active and, with ``date``,
    filed by then)."""
    if ids is None:
        return store.read("demandes")
    quoted = ", ".join("'" + str(i).replace("'", "''") + "'" for i in ids)
    frame = store.read("demandes", where=f"id_demande IN ({quoted})")
    known = frame.set_index("id_demande")
    missing = [i for i in ids if i not in known.index]
    if missing:
        raise _refuse("demande inconnue de la base", ", ".join(missing), "--candidats")
    chosen = known.loc[list(ids)].reset_index()
    housed = chosen[chosen["statut"] != "active"]
    if len(housed):
        raise _refuse(
            "demande qui n'est plus active (déjà attribuée ou radiée) : le ménage n'est plus "
            "candidat",
            ", ".join(housed["id_demande"]),
            "--candidats",
        )
    if date is not None:
        late = chosen[pd.to_datetime(chosen["date_depot"]) > pd.Timestamp(date)]
        if len(late):
            raise _refuse(
                f"demande déposée après la date de la commission ({date:%d/%m/%Y})",
                ", ".join(late["id_demande"]),
                "--candidats",
            )
    return chosen


@dataclass(frozen=True)
class Decision:
    """What a commission decided for one candidate."""

    id_logement: str
    id_demande: str
    decision: str  # model.DECISIONS_CAL
    date_cal: dt.date
    id_commission: str
    rang: int | None = None
    suite: str = "en_attente"
    motif: str = ""
    contingent: str | None = None
    prioritaire: bool = False
    #: The housing benefit estimated for the household in this dwelling (€ per month).
    apl_mensuelle: float | None = None
    #: Who decided (the commission's scope, e.g. ``bailleur:B02``), kept in the audit.
    par: str = ""


def enregistrer(store: Store, d: Decision, cadre_millesime: int | None = None) -> str:
    """Record a decision in one transaction: the allocation form (and its audit line);
    for an allocation the household accepted or may still accept (rank 1 or alone), the
    dwelling is no longer vacant, the application is satisfied and the household joins
    the occupants (so the entrance's indicators and the tracking see it). Returns the
    form's identifier."""
    if d.decision not in model.DECISIONS_CAL:
        raise _refuse(
            "décision inconnue ; décisions : " + ", ".join(model.DECISIONS_CAL), d.decision
        )
    if d.suite not in model.SUITES:
        raise _refuse("suite inconnue ; suites : " + ", ".join(model.SUITES), d.suite)
    with store.writer():
        dwelling = logement(store, d.id_logement, vacant=True)
        app = demandes(store, [d.id_demande], date=d.date_cal).iloc[0]
        ident = f"CAL-{d.date_cal:%Y%m%d}-{d.id_logement}-{d.id_demande}"
        if store.count("attributions") and len(
            store.read("attributions", ["id_attribution"], where=f"id_attribution = '{ident}'")
        ):
            raise _refuse("décision déjà enregistrée pour ce logement, cette demande et cette date",
                          ident)  # fmt: skip
        form = pd.DataFrame([{
            "id_attribution": ident, "date_cal": pd.Timestamp(d.date_cal),
            "id_commission": d.id_commission, "code_bailleur": dwelling["code_bailleur"],
            "id_logement": d.id_logement, "id_demande": d.id_demande,
            "contingent": d.contingent or dwelling.get("contingent") or "autre",
            **{c: app[c] for c in ("nb_personnes", "nb_adultes", "nb_enfants", "nb_moins_14",
                                   "unites_consommation", "nb_actifs_occupes")},
            "ressources_annuelles": float(app["ressources_annuelles"]),  # euros
            "prioritaire": d.prioritaire, "relogement_renouvellement": False,
            "decision": d.decision, "suite": d.suite, "rang": d.rang,
            "motif_decision": d.motif or None, "synthetique": bool(app.get("synthetique", False)),
        }])  # fmt: skip
        # The dwelling (with its landlord) and the application were just read under the
        # writer's lock, and the form's identifier checked absent.
        lus = {("logements", "id_logement"): [d.id_logement],
               ("demandes", "id_demande"): [d.id_demande],
               ("bailleurs", "code_bailleur"): [str(dwelling["code_bailleur"])]}  # fmt: skip
        typed = _typed(form, model.ATTRIBUTIONS, store, lus, absents=True)
        writes: list[Write | Modification] = [Write(model.ATTRIBUTIONS, typed, "commission")]
        source = f"commission {d.id_commission}" + (f" ({d.par})" if d.par else "")
        audit = audit_allocations(typed, store, source=source, replace=False)
        writes.append(Write(model.AUDIT_ATTRIBUTIONS, audit, "commission"))
        housed = (
            d.decision in ("attribution", "attribution_rang", "attribution_sous_condition")
            and (d.rang in (None, 1))
            and d.suite != "refus_demandeur"
        )
        if housed:
            writes += _housed(store, dwelling, app, d, cadre_millesime)
        store.write(writes)
    return ident


def _typed(frame: pd.DataFrame, table: Table, store: Store,
           lus: Mapping[tuple[str, str], Sequence[str]] | None = None, *,
           absents: bool = False) -> pd.DataFrame:  # fmt: skip
    """``frame`` validated as an import of it would be; ``lus``: references already read
    (:func:`mixite.io.importers._known`), ``absents``: its keys already checked absent."""
    from mixite.io.importers import _known

    text = to_import_frame(frame, table)
    existing = (
        pd.DataFrame({k: pd.Series([], dtype="string") for k in table.key}) if absents else None
    )
    known = _known(store, table, replace_all=False, lot=text, lus=lus, existing=existing)
    return validate(text, table, source="commission", known=known)


def _housed(store: Store, dwelling: pd.Series, app: pd.Series, d: Decision,
            millesime: int | None) -> list[Write | Modification]:  # fmt: skip
    """The dwelling occupied, the application satisfied, the household an occupant. The
    first two change in place, and only if still vacant and active: a decision recorded
    meanwhile by another writer refuses this one instead of being overwritten."""
    from mixite.commission.impact import type_menage

    year = millesime or int(store.query("SELECT max(millesime) AS y FROM menages")["y"].iloc[0])
    hh = pd.DataFrame([{
        "id_menage": f"MEN-{d.id_demande}", "millesime": year,
        "code_commune": dwelling["code_commune"], "code_iris": dwelling.get("code_iris"),
        "idcar_200m": dwelling.get("idcar_200m"), "statut_occupation": "locataire_social",
        "id_logement": d.id_logement,
        "type_menage": type_menage(pd.DataFrame([app])).iloc[0],
        "age_reference": app["age_demandeur"],
        **{c: app[c] for c in ("nb_personnes", "nb_adultes", "nb_enfants", "nb_moins_14",
                               "unites_consommation", "nb_actifs_occupes")},
        "ressources_annuelles": float(app["ressources_annuelles"]),  # euros
        "apl_annuelle": np.nan if d.apl_mensuelle is None else round(d.apl_mensuelle * 12, 2),
        "synthetique": bool(app.get("synthetique", False)),
    }])  # fmt: skip
    return [
        Modification(model.LOGEMENTS, {"id_logement": d.id_logement, "vacant": True},
                     {"vacant": False}, "commission"),
        Modification(model.DEMANDES, {"id_demande": d.id_demande, "statut": "active"},
                     {"statut": "attribuee", "date_sortie": d.date_cal}, "commission"),
        Write(model.MENAGES, _typed(hh, model.MENAGES, store,
                                    {("logements", "id_logement"): [d.id_logement]}), "commission"),
    ]  # fmt: skip


def priorites_des_demandes(
    demandes: pd.DataFrame, date: dt.date
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """For each application (by ``id_demande``): priority household (the catalogue's
    criteria or DALO recognised), cotation points and the reasons."""
    from mixite.core import priorites
    from mixite.core.cotation import score
    from mixite.io.config import load_grid, load_priority_catalogue

    catalogue = load_priority_catalogue(None)
    frame = priorites.derived_fields(demandes, reference=date)
    result = priorites.evaluate(frame, tuple(catalogue.criteria.values()))
    points = score(frame.set_index("id_demande"), result.met, load_grid(None)).score
    dalo = (
        demandes.set_index("id_demande")["dalo_reconnu"].astype("boolean").fillna(False)
        if "dalo_reconnu" in demandes
        else pd.Series(False, index=result.prioritaire.index)
    )
    return result.prioritaire | dalo.astype(bool), points, result.reasons


def month_for(date: dt.date) -> str:
    """The month OpenFisca computes: the commission's (capped at the legislation held)."""
    return f"{min(date.year, 2026):04d}-{date.month:02d}"


def apl_dans(dwelling: pd.Series, date: dt.date) -> Callable[[pd.DataFrame], np.ndarray]:
    """The housing benefit of applicants if they lived in ``dwelling`` (OpenFisca)."""
    from mixite.commission.apl import estimer_apl

    def run(d: pd.DataFrame) -> np.ndarray:
        frame = pd.DataFrame({
            "nb_adultes": d["nb_adultes"].to_numpy(), "nb_enfants": d["nb_enfants"].to_numpy(),
            "age_reference": d["age_demandeur"].to_numpy(),
            "ressources_annuelles": d["ressources_annuelles"].to_numpy(dtype=float),
            "loyer": float(dwelling["loyer_mensuel"] or 0),
            "code_commune": str(dwelling["code_commune"]),
            "ages_enfants": d["ages_enfants"].to_numpy() if "ages_enfants" in d else None,
        })  # fmt: skip
        return estimer_apl(frame, month=month_for(date))

    return run


def preparer_fiche(
    store: Store,
    cadre: Cadre,
    dwelling: pd.Series,
    ids: Sequence[str],
    date: dt.date,
    *,
    regles: Regles | None = None,
) -> Fiche:
    """The commission sheet for up to three candidates (the Python API of
    ``mixite commission fiche``)."""
    from mixite.commission.eligibilite import examiner
    from mixite.commission.impact import impacts
    from mixite.commission.recherche import resume_menage
    from mixite.io.config import load_commission
    from mixite.io.fiche_commission import Fiche

    if not 1 <= len(ids) <= 3:
        raise ValueError("--candidats : de un à trois candidats (article R. 441-3 du CCH)")
    apps = demandes(store, ids, date=date)
    prio, points, reasons = priorites_des_demandes(apps, date)
    apl = apl_dans(dwelling, date)(apps)
    checked = examiner(apps, dwelling, plafonds=cadre.plafonds, regles=regles or load_commission(None),
                       annee=date.year, apl_mensuelle=apl)  # fmt: skip
    flags = prio.reindex(apps["id_demande"]).fillna(False).to_numpy(dtype=bool)
    result = impacts(cadre, dwelling, apps, apl_mensuelle=apl.tolist(), prioritaire=flags.tolist(),
                     date=date, eligibilite=checked)  # fmt: skip
    table = apps.join(checked)
    table["menage"] = resume_menage(apps)
    filed = pd.to_datetime(apps["date_depot"])
    table["anciennete_mois"] = ((pd.Timestamp(date) - filed).dt.days / 30.4375).round(1)
    table["prioritaire"] = flags
    table["motifs_priorite"] = apps["id_demande"].map(reasons).fillna("")
    table["cotation"] = apps["id_demande"].map(points)
    table["statut_entree_apres"] = [i.statut_apres for i in result]
    table["phrase"] = [i.phrase for i in result]
    return Fiche(
        titre=f"Commission d'attribution — logement {dwelling['id_logement']} ({date:%d/%m/%Y})",
        logement=dwelling,
        statut_entree=result[0].statut_avant if result else "",
        candidats=table,
        impacts=result,
        notes=[
            f"Commission du {date:%d/%m/%Y} ; bailleur {dwelling['code_bailleur']}",
            "Aide à la décision : aucun classement automatique ; les candidats sont dans "
            "l'ordre donné par la commission",
            "APL estimée avec OpenFisca-France (le montant réel est celui de la CAF) ; seuils "
            "de la veille : centile 90 des entrées du bailleur, marge jusqu'au centile 95",
            "Document nominatif : diffusion restreinte aux membres de la commission ; "
            "consultation journalisée",
        ],
    )


def effet_veille(cadre: Cadre, dwelling: pd.Series) -> Callable[[pd.DataFrame], np.ndarray]:
    """For candidate applications: how many watch variables of the dwelling's entrance
    would be beyond threshold + margin once each moves in (for ``--tri veille``)."""
    from mixite.commission.impact import menages_candidats, watch_after_each

    hh = cadre.menages
    entrance = hh[hh["id_entree"].astype("string") == str(dwelling["id_entree"])]
    landlord = str(dwelling["code_bailleur"])

    def run(d: pd.DataFrame) -> np.ndarray:
        people = menages_candidats(d, dwelling, [0.0] * len(d), cadre.millesime)
        after = watch_after_each(cadre, entrance, people, landlord)
        return np.asarray(after["depassements"].to_numpy(), dtype=np.int64)

    return run
