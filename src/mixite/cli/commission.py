"""``mixite commission``: prepare, hold and record the allocation commission (CAL).

- ``candidats --logement L``: the active applications a vacant dwelling suits, filtered
  and sorted by the commission's criterion, with what each filter set aside;
- ``fiche --logement L --candidats D1,D2,D3``: the commission sheet, candidates side by
  side with their eligibility, affordability after APL and marginal impact;
- ``decision --logement L --demande D --decision …``: record the outcome.

Candidate detail is household-level: it needs ``--nominatif bailleur:CODE`` (the
dwelling's landlord, whose commission it is) and every output of it is journaled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixite.cli.types import date_fr
from mixite.io.store import Store

DECISIONS = {
    "attribution": ("attribution", 1, "en_attente"),
    "rang-2": ("attribution_rang", 2, "en_attente"),
    "rang-3": ("attribution_rang", 3, "en_attente"),
    "sous-condition": ("attribution_sous_condition", 1, "en_attente"),
    "non-attribution": ("non_attribution", None, "en_attente"),
    "irrecevable": ("irrecevabilite", None, "en_attente"),
    "refus-demandeur": ("attribution", 1, "refus_demandeur"),
}


def add_parser(
    sub: argparse._SubParsersAction[Any], store_arg: Callable[[argparse.ArgumentParser], None]
) -> None:
    cal = sub.add_parser(
        "commission",
        help="commission d'attribution : candidats, fiche, décision",
        description="Aide à la décision de la commission d'attribution : ce que chaque "
        "candidat changerait, avant de décider ; puis la décision enregistrée. Rien n'est "
        "classé automatiquement comme « la réponse ».",
    )
    csub = cal.add_subparsers(dest="action", metavar="ACTION", required=True,
                              parser_class=sub._parser_class)  # fmt: skip
    common: list[argparse.ArgumentParser] = []
    cand = csub.add_parser(
        "candidats", help="demandes actives que le logement vacant peut satisfaire"
    )
    fiche = csub.add_parser(
        "fiche", help="fiche de la commission, jusqu'à trois candidats côte à côte"
    )
    dec = csub.add_parser("decision", help="enregistrer la décision de la commission")
    for p in (cand, fiche, dec):
        p.add_argument("--logement", required=True, help="identifiant du logement vacant")
        p.add_argument("--date", type=date_fr, help="date de la commission (défaut : aujourd'hui)")
        p.add_argument(
            "--nominatif",
            metavar="bailleur:CODE",
            help="périmètre de la commission (le bailleur du logement) : détail par ménage, "
            "journalisé",
        )
        store_arg(p)
        common.append(p)
    for p in (cand, fiche):
        p.add_argument("--charte", action="append", help="charte (défaut : lille et loi-2017)")
        p.add_argument("--sortie", type=Path, help="écrire (.xlsx, .csv ; fiche : .html ou .xlsx)")
    cand.add_argument(
        "--tri", default="cotation", help="cotation, anciennete, priorite, effort, veille"
    )
    cand.add_argument("--profil", action="append", default=[],
                      help="orienter : actif, au_dessus_40_plus, sans_famille_monoparentale")  # fmt: skip
    cand.add_argument(
        "--ignorer-souhaits", action="store_true", help="ne pas filtrer sur les souhaits"
    )
    cand.add_argument("--limite", type=int, default=20, help="candidats affichés (défaut 20)")
    fiche.add_argument(
        "--candidats", required=True, help="jusqu'à trois demandes, séparées par des virgules"
    )
    dec.add_argument("--demande", required=True, help="demande concernée")
    dec.add_argument("--decision", required=True, choices=list(DECISIONS), help="décision")
    dec.add_argument("--motif", default="", help="motif (obligatoire pour une non-attribution)")
    dec.add_argument(
        "--commission", help="identifiant de la commission (défaut : CAL-BAILLEUR-AAAA-MM)"
    )


def _scope(args: argparse.Namespace, landlord: str) -> str | None:
    """The commission's scope, checked against the dwelling's landlord."""
    from mixite.core.acces import AccesRefuse

    if not args.nominatif:
        return None
    role, _, code = args.nominatif.partition(":")
    if role != "bailleur" or not code:
        raise ValueError("--nominatif : attendu bailleur:CODE (le bailleur du logement)")
    if code != landlord:
        raise AccesRefuse(
            f"accès refusé : le logement appartient au bailleur {landlord}, pas à {code} ; "
            "seule sa commission voit le détail des candidats"
        )
    return str(args.nominatif)


def _priorities(
    store: Store, apps: pd.DataFrame, date: dt.date
) -> tuple[pd.Series, pd.Series, pd.Series]:
    from mixite.core import priorites
    from mixite.core.cotation import score
    from mixite.io.config import load_grid, load_priority_catalogue

    catalogue = load_priority_catalogue(None)
    frame = priorites.derived_fields(apps, reference=date)
    result = priorites.evaluate(frame, tuple(catalogue.criteria.values()))
    points = score(frame.set_index("id_demande"), result.met, load_grid(None)).score
    dalo = (
        apps.set_index("id_demande")["dalo_reconnu"].fillna(False).astype(bool)
        if "dalo_reconnu" in apps
        else False
    )
    prio = result.prioritaire | dalo
    return prio, points, result.reasons


def _apl(dwelling: pd.Series, date: dt.date) -> Callable[[pd.DataFrame], np.ndarray]:
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
        return estimer_apl(frame, month=_month(date))

    return run


def _month(date: dt.date) -> str:
    """The month for OpenFisca: the commission's, within the legislation it holds."""
    return f"{min(date.year, 2026):04d}-{date.month:02d}"


def run(args: argparse.Namespace) -> int:
    from mixite.io.commission import logement

    store: Store = args.store
    date = args.date or dt.date.today()
    dwelling = logement(store, args.logement, vacant=True)
    scope = _scope(args, str(dwelling["code_bailleur"]))
    if args.action == "decision":
        return _decision(args, store, dwelling, date, scope)
    if args.action == "candidats":
        return _candidates(args, store, dwelling, date, scope)
    return _sheet(args, store, dwelling, date, scope)


def _rules() -> Any:
    from mixite.io.config import load_commission

    return load_commission(None)


def _candidates(args: argparse.Namespace, store: Store, dwelling: pd.Series, date: dt.date,
                scope: str | None) -> int:  # fmt: skip
    from mixite.cli.sortie import afficher, avec_bandeau, ecrire
    from mixite.commission.recherche import rechercher, resume_menage
    from mixite.io import refdata

    t0 = time.perf_counter()
    apps = store.read("demandes")
    prio, points, reasons = _priorities(store, apps, date)
    found = rechercher(
        dwelling, apps, plafonds=refdata.plafonds_ressources(), regles=_rules(), date=date,
        prioritaire=prio, cotation=points, motifs_priorite=reasons, apl=_apl(dwelling, date),
        profils=args.profil, tri=args.tri, ignorer_souhaits=args.ignorer_souhaits,
    )  # fmt: skip
    notes = avec_bandeau(
        [f"Logement {dwelling['id_logement']} ({int(dwelling['nb_pieces'])} pièces, "
         f"{dwelling['financement']}, commune {dwelling['code_commune']}) ; commission du {date:%d/%m/%Y}",
         *found.notes, f"Recherche en {time.perf_counter() - t0:.1f} s"],
        apps,
    )  # fmt: skip
    for n in notes:
        print(n)
    print(found.etapes.to_string(index=False))
    if scope is None:
        print(
            f"{len(found.candidats)} demande(s) éligible(s) et solvable(s) ; le détail par ménage "
            "demande --nominatif bailleur:CODE (journalisé)"
        )
        return 0
    c = found.candidats.head(args.limite).copy()
    c.insert(1, "menage", resume_menage(c))
    shown = c[["id_demande", "menage", "anciennete_mois", "prioritaire", "motifs_priorite", "cotation",
               "part_plafond", "apl", "taux_effort", "reste_a_vivre"]]  # fmt: skip
    afficher(shown, limit=args.limite)
    store.journal_access(perimetre=scope, objet=f"candidats du logement {dwelling['id_logement']}",
                         lignes=len(shown), destination=str(args.sortie or "écran"))  # fmt: skip
    ecrire(args.sortie, {"Candidats": shown, "Étapes": found.etapes}, notes)
    return 0


def _sheet(args: argparse.Namespace, store: Store, dwelling: pd.Series, date: dt.date,
           scope: str | None) -> int:  # fmt: skip
    from mixite.cli.sortie import bandeau
    from mixite.commission.eligibilite import examiner
    from mixite.commission.impact import impacts
    from mixite.commission.recherche import resume_menage
    from mixite.io import refdata
    from mixite.io.commission import CHARTES, charger_cadre, demandes
    from mixite.io.fiche_commission import Fiche, ecrire_excel, ecrire_html

    if scope is None:
        raise ValueError(
            "la fiche de commission est nominative : --nominatif bailleur:CODE (le bailleur du "
            "logement ; la consultation est journalisée)"
        )
    ids = [i.strip() for i in args.candidats.split(",") if i.strip()]
    if not 1 <= len(ids) <= 3:
        raise ValueError("--candidats : de un à trois candidats (article R. 441-3 du CCH)")
    t0 = time.perf_counter()
    cadre = charger_cadre(store, chartes=args.charte or CHARTES)
    loaded = time.perf_counter()
    apps = demandes(store, ids, date=date)
    everyone = store.read("demandes")
    prio, points, reasons = _priorities(store, everyone, date)
    apl = _apl(dwelling, date)(apps)
    checked = examiner(apps, dwelling, plafonds=refdata.plafonds_ressources(), regles=_rules(),
                       annee=date.year, apl_mensuelle=apl)  # fmt: skip
    flags = prio.reindex(apps["id_demande"]).fillna(False).to_numpy(dtype=bool)
    result = impacts(cadre, dwelling, apps, apl_mensuelle=apl.tolist(), prioritaire=flags.tolist(),
                     date=date, eligibilite=checked)  # fmt: skip
    table = apps.join(checked)
    table["menage"] = resume_menage(apps)
    table["anciennete_mois"] = (
        (pd.Timestamp(date) - pd.to_datetime(apps["date_depot"])).dt.days / 30.4375
    ).round(1)
    table["prioritaire"] = flags
    table["motifs_priorite"] = apps["id_demande"].map(reasons).fillna("")
    table["cotation"] = apps["id_demande"].map(points)
    table["statut_entree_apres"] = [i.statut_apres for i in result]
    table["phrase"] = [i.phrase for i in result]
    notes = [
        f"Commission du {date:%d/%m/%Y} ; bailleur {dwelling['code_bailleur']} ; périmètre {scope}",
        "Aide à la décision : aucun classement automatique ; l'ordre des candidats est celui "
        "donné par la commission (--candidats)",
        "APL estimée avec OpenFisca-France (le montant réel est celui de la CAF) ; seuils de la "
        "veille : centile 90 des entrées du bailleur, marge jusqu'au centile 95",
        "Document nominatif : diffusion restreinte aux membres de la commission ; consultation "
        "journalisée",
        f"Préparée en {time.perf_counter() - t0:.1f} s (base lue en {loaded - t0:.1f} s)",
    ]
    banner = bandeau(cadre.menages)
    before = result[0].statut_avant if result else ""
    fiche = Fiche(
        titre=f"Commission d'attribution — logement {dwelling['id_logement']} ({date:%d/%m/%Y})",
        logement=dwelling, statut_entree=before, candidats=table, impacts=result,
        notes=[banner, *notes] if banner else notes,
    )  # fmt: skip
    from mixite.io.fiche_commission import tableau

    if banner:
        print(banner)
    print(fiche.titre)
    print(f"Entrée {dwelling['id_entree']} : « {before} »")
    with pd.option_context("display.width", 200, "display.max_colwidth", 48):
        print(tableau(fiche).drop(index="en résumé").to_string())
    for imp in result:
        print(imp.phrase)
    destination = "écran"
    if args.sortie:
        suffix = args.sortie.suffix.lower()
        if suffix == ".html":
            ecrire_html(fiche, args.sortie, bandeau=banner)
        elif suffix == ".xlsx":
            ecrire_excel(fiche, args.sortie)
        else:
            raise ValueError("--sortie : fiche .html (imprimable) ou .xlsx")
        destination = str(args.sortie)
        print(f"Écrit : {args.sortie}")
    store.journal_access(perimetre=scope, objet=f"fiche de commission du logement {dwelling['id_logement']}",
                         lignes=len(ids), destination=destination)  # fmt: skip
    return 0


def _decision(args: argparse.Namespace, store: Store, dwelling: pd.Series, date: dt.date,
              scope: str | None) -> int:  # fmt: skip
    from mixite.io.commission import Decision, demandes, enregistrer

    if scope is None:
        raise ValueError("enregistrer une décision demande --nominatif bailleur:CODE")
    decision, rank, suite = DECISIONS[args.decision]
    if decision in ("non_attribution", "irrecevabilite") and not args.motif.strip():
        raise ValueError(f"--motif : une décision « {args.decision} » doit être motivée")
    app = demandes(store, [args.demande], date=date)
    everyone = store.read("demandes")
    prio, _points, _reasons = _priorities(store, everyone, date)
    apl = float(_apl(dwelling, date)(app)[0])
    commission = args.commission or f"CAL-{dwelling['code_bailleur']}-{date:%Y-%m}"
    ident = enregistrer(
        store,
        Decision(args.logement, args.demande, decision, date, commission, rank, suite,
                 args.motif.strip(), None, bool(prio.get(args.demande, False)), apl),
    )  # fmt: skip
    housed = (
        decision != "non_attribution"
        and decision != "irrecevabilite"
        and rank == 1
        and suite != "refus_demandeur"
    )
    print(f"Décision enregistrée : {ident} ({args.decision}) par {scope}, commission {commission}.")
    if housed:
        print(
            f"Le logement {args.logement} est occupé, la demande {args.demande} satisfaite et le "
            "ménage compté dans l'entrée : « mixite objectifs suivi » et « mixite observatoire "
            "veille » en tiennent compte."
        )
    return 0


__all__ = ["add_parser", "run"]
