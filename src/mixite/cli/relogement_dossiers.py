"""``mixite relogement candidats|suivi-visites|processus|accueil``: the relocation
team's case work beyond one file — the households a vacancy suits, the households to go
and see, how the process went, and where the relocated households arrived."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
from collections.abc import Callable

import pandas as pd

from mixite.cli.relogement import _records, _viewer
from mixite.cli.sortie import avec_bandeau, ecrire, nombre_fr
from mixite.core.relogement import household_figures
from mixite.core.secret import THRESHOLD
from mixite.io.config import RelocationSettings, load_relocation_settings
from mixite.io.store import Store

#: Headers of the households a vacancy suits.
COLONNES_CANDIDATS = {
    "id_relogement": "dossier", "id_menage": "ménage", "code_bailleur": "bailleur",
    "nb_personnes": "personnes", "rang_commune": "rang du souhait de commune",
    "apl": "APL estimée (€)", "taux_effort": "taux d'effort (%)",
    "variation_taux_effort": "écart au taux d'avant (points)",
    "reste_a_vivre": "reste à vivre", "motifs": "souhaits",
}  # fmt: skip

#: Headers of the households to see.
COLONNES_VISITES = {
    "id_relogement": "dossier", "id_menage": "ménage", "code_operation": "opération",
    "code_bailleur": "bailleur d'origine", "apres_code_bailleur": "bailleur d'accueil",
    "date_relogement": "relogé le", "nb_personnes": "personnes",
    "taux_effort_avant": "taux d'effort avant (%)", "taux_effort_apres": "taux d'effort après (%)",
    "rav_apres": "reste à vivre après", "derniere_visite": "dernière visite",
    "difficultes": "difficultés notées", "mesure_corrective": "mesure corrective",
    "motif": "à voir parce que",
}  # fmt: skip
#: What the households to see read of the follow-up visits.
COLONNES_VISITES_LUES = ["id_relogement", "date_visite", "difficultes", "mesure_corrective"]


def visites_en_clair(
    listing: pd.DataFrame, dates: Callable[[pd.Series], pd.Series]
) -> pd.DataFrame:
    """The households to see as the command and the page show them: effort rates in
    percent, reste à vivre in cents, difficulties in words, dates by ``dates``, French
    headers."""
    out = listing.copy()
    for c in ("taux_effort_avant", "taux_effort_apres"):
        out[c] = (pd.to_numeric(out[c], errors="coerce") * 100).round(1)
    out["rav_apres"] = pd.to_numeric(out["rav_apres"], errors="coerce").round(2)
    for c in ("date_relogement", "derniere_visite"):
        out[c] = dates(pd.to_datetime(out[c]))
    out["difficultes"] = out["difficultes"].str.replace("_", " ").str.replace(";", ", ")
    return out.rename(columns=COLONNES_VISITES)


def lire_processus(store: Store, figures: pd.DataFrame) -> pd.DataFrame:
    """The per-household process figures of :mod:`mixite.core.relogement.processus`,
    from the interviews and offers stored (none when the tables are absent)."""
    from mixite.core.relogement.processus import indicateurs_par_menage

    return indicateurs_par_menage(
        figures,
        store.read_if_exists("entretiens_relogement",
                             ["id_relogement", "date_entretien", "souhait_communes"]),
        store.read_if_exists("propositions_relogement", ["id_relogement", "reponse", "motif_refus"]),
    )  # fmt: skip


def _show(frame: pd.DataFrame, n: int = 30) -> None:
    with pd.option_context("display.width", 220, "display.max_columns", None):
        print(frame.head(n).to_string(index=False) if len(frame) else "  aucun")


def run(args: argparse.Namespace) -> int:
    store: Store = args.store
    settings = load_relocation_settings(args.config)
    records = _records(store, args.operation)
    dates = pd.to_datetime(records["date_relogement"]).dropna()
    ref = args.date or (dates.max().date() if len(dates) else dt.date.today())
    base = [f"Formule : {settings.formula.describe()}",
            f"Date de référence : {ref.isoformat()} ; réglages : {settings.source}"]  # fmt: skip
    if args.action == "candidats":
        return _candidats(args, store, settings, ref, base, records)
    figures = household_figures(records, settings.formula, reference_date=ref,
                                recent_years=settings.recent_years)  # fmt: skip
    if args.action == "suivi-visites":
        return _visites(args, store, figures, ref, base)
    if args.action == "processus":
        return _processus(args, store, figures, base)
    return _accueil(args, store, base)


def _candidats(args: argparse.Namespace, store: Store, settings: RelocationSettings,
               ref: dt.date, base: list[str], records: pd.DataFrame) -> int:  # fmt: skip
    from mixite.io.dossiers_relogement import menages_pour

    viewer = _viewer(args)
    date = args.date or dt.date.today()
    place, found = menages_pour(store, args.id_logement, viewer, date, settings.formula,
                                destination=f"candidats ({getpass.getuser()})", tous=args.tous)  # fmt: skip
    if args.operation:
        found = found[found["id_relogement"].isin(records["id_relogement"])]
    notes = avec_bandeau([*base, "Liste nominative : diffusion limitée au groupe de suivi"],
                         records)  # fmt: skip
    for note in notes:
        print(note)
    cost = float(place["loyer_mensuel"]) + float(place["charges_mensuelles"])
    print(f"\nLogement {place['id_logement']} — commune {place['code_commune']}, "
          f"{int(place['nb_pieces'])} pièce(s), étage {place['etage']}, loyer et charges "
          f"{nombre_fr(cost)} €, bailleur {place['code_bailleur']}")  # fmt: skip
    fitting = int(found["adapte"].sum()) if len(found) else 0
    print(f"{fitting} ménage(s) à reloger visibles pour {viewer.role} {viewer.code} dont les "
          "souhaits enregistrés sont tenus par ce logement. Aide à la décision : mixite ne "
          "propose rien.")  # fmt: skip
    shown = found[[c for c in COLONNES_CANDIDATS if c in found.columns]].rename(
        columns=COLONNES_CANDIDATS
    )
    _show(shown)
    ecrire(args.sortie, {"Ménages": shown}, notes)
    return 0


def _visites(args: argparse.Namespace, store: Store, figures: pd.DataFrame, ref: dt.date,
             base: list[str]) -> int:  # fmt: skip
    from mixite.core.relogement.visites import Criteres, a_voir

    viewer = _viewer(args)
    criteria = Criteres(hausse_points=args.hausse_points, mois_sans_visite=args.mois_sans_visite,
                        duree_suivi_mois=args.duree_suivi)  # fmt: skip
    visits = store.read_if_exists("visites_relogement", COLONNES_VISITES_LUES)
    listing = a_voir(figures, visits, viewer, criteria, ref)
    store.journal_access(perimetre=f"{viewer.role}:{viewer.code}",
                         objet="ménages relogés à voir (suivi des visites)", lignes=len(listing),
                         destination=f"suivi-visites ({getpass.getuser()})")  # fmt: skip
    shown = visites_en_clair(listing, lambda d: d.dt.date)
    notes = avec_bandeau([*base, criteria.decrire(),
                          "Liste nominative : diffusion limitée au groupe de suivi"], figures)  # fmt: skip
    for note in notes:
        print(note)
    print(f"\n{len(listing)} ménage(s) relogé(s) à voir pour {viewer.role} {viewer.code}.")
    _show(shown)
    ecrire(args.sortie, {"Ménages à voir": shown}, notes)
    return 0


def _processus(args: argparse.Namespace, store: Store, figures: pd.DataFrame,
               base: list[str]) -> int:  # fmt: skip
    from mixite.cli.relogement import _print_table
    from mixite.core.relogement.processus import processus

    per = lire_processus(store, figures)
    result = processus(per, par=args.par)
    notes = avec_bandeau([*base, "Taux de refus = refus / propositions ayant reçu une réponse",
                          f"Secret statistique : aucune case ne décrit moins de {THRESHOLD} "
                          "ménages (cases masquées vides)"], figures)  # fmt: skip
    for note in notes:
        print(note)
    print()
    table = result.french()
    _print_table(table)
    print(f"\n{result.suppressed} case(s) masquée(s) par le secret statistique.")
    ecrire(args.sortie, {"Processus": table}, notes)
    return 0


def _accueil(args: argparse.Namespace, store: Store, base: list[str]) -> int:
    from mixite.cli.relogement import _print_table
    from mixite.core.relogement.accueil import (
        ENTETES_QUARTIERS,
        entrees_accueil,
        quartiers_accueil,
    )
    from mixite.io.commission import charger_cadre
    from mixite.io.dossiers_relogement import arrivees

    cadre = charger_cadre(store)
    arrivals = arrivees(store, cadre, operation=args.operation)
    entrances = entrees_accueil(cadre, arrivals)
    level = {"commune": "commune", "iris": "IRIS", "qpv": "QPV"}[args.niveau]
    notes = avec_bandeau([*base, f"Ménages du millésime {cadre.millesime} ; relogés placés "
                          "dans leur nouveau logement ; entrées collectives (la veille ne "
                          "porte pas sur les maisons)", "Statuts de veille : seuils de chaque "
                          f"bailleur ; secret statistique : aucune case ne décrit moins de "
                          f"{THRESHOLD} ménages"], arrivals)  # fmt: skip
    for note in notes:
        print(note)
    houses = int(arrivals["individuel"].astype("boolean").fillna(False).sum())
    print(f"\n{len(arrivals)} ménage(s) relogé(s) dont le nouveau logement est connu, dont "
          f"{houses} en maison ; {len(entrances)} entrée(s) collective(s) d'accueil.")  # fmt: skip
    sheets: dict[str, pd.DataFrame] = {}
    if len(entrances):
        zones = quartiers_accueil(entrances)[level].reset_index()
        zones = zones.rename(columns={**ENTETES_QUARTIERS, level: level})
        print(f"\nPar {level} (avant → après l'arrivée des ménages relogés) :")
        _print_table(zones)
        sheets[f"Par {level}"] = zones
    if args.bailleur:
        mine = entrances[entrances["code_bailleur"] == args.bailleur] if len(entrances) \
            else entrances  # fmt: skip
        shown = entrees_en_clair(mine)
        print(f"\nEntrées d'accueil du bailleur {args.bailleur} ({len(shown)}) :")
        _show(shown, 40)
        sheets["Entrées d'accueil"] = shown
    ecrire(args.sortie, sheets, notes)
    return 0


def entrees_en_clair(entrances: pd.DataFrame) -> pd.DataFrame:
    """A landlord's receiving entrances, with French headers."""
    if entrances.empty:
        return pd.DataFrame(columns=["entrée"])
    cols = {
        "id_entree": "entrée", "code_commune": "commune", "code_iris": "IRIS", "code_qpv": "QPV",
        "arrivees": "ménages relogés arrivés", "menages_avant": "ménages avant",
        "menages_apres": "ménages après", "statut_avant": "statut avant",
        "statut_apres": "statut après", "part_sans_actif_avant": "sans actif occupé avant (%)",
        "part_sans_actif_apres": "sans actif occupé après (%)",
        "part_sous_40_plus_avant": "sous 40 % du plafond avant (%)",
        "part_sous_40_plus_apres": "sous 40 % du plafond après (%)", "motifs_apres": "motifs après",
    }  # fmt: skip
    out = entrances[list(cols)].copy()
    for c in [c for c in cols if c.startswith("part_")]:
        out[c] = out[c].astype(float).round(1)
    order = {"fragile": 0, "vigilance": 1, "ok": 2}
    out = out.sort_values(["statut_apres", "id_entree"], key=lambda s: s.map(order).fillna(s)
                          if s.name == "statut_apres" else s, kind="stable")  # fmt: skip
    return out.rename(columns=cols)
