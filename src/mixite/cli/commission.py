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

import pandas as pd

from mixite.cli.types import date_fr
from mixite.io.commission import apl_dans, priorites_des_demandes
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
    prio, points, reasons = priorites_des_demandes(apps, date)
    watch = None
    if args.tri == "veille":
        from mixite.io.commission import charger_cadre, effet_veille

        watch = effet_veille(charger_cadre(store), dwelling)
    found = rechercher(
        dwelling, apps, plafonds=refdata.plafonds_ressources(), regles=_rules(), date=date,
        prioritaire=prio, cotation=points, motifs_priorite=reasons, apl=apl_dans(dwelling, date),
        profils=args.profil, tri=args.tri, ignorer_souhaits=args.ignorer_souhaits,
        effet_veille=watch,
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
    columns = ["id_demande", "menage", "anciennete_mois", "prioritaire", "motifs_priorite",
               "cotation", "part_plafond", "apl", "taux_effort", "reste_a_vivre"]  # fmt: skip
    if "depassements_apres" in c:
        columns.append("depassements_apres")
    shown = c[columns]
    afficher(shown, limit=args.limite)
    store.journal_access(perimetre=scope, objet=f"candidats du logement {dwelling['id_logement']}",
                         lignes=len(shown), destination=str(args.sortie or "écran"))  # fmt: skip
    ecrire(args.sortie, {"Candidats": shown, "Étapes": found.etapes}, notes)
    return 0


def _sheet(args: argparse.Namespace, store: Store, dwelling: pd.Series, date: dt.date,
           scope: str | None) -> int:  # fmt: skip
    from mixite.cli.sortie import bandeau
    from mixite.io.commission import CHARTES, charger_cadre, preparer_fiche
    from mixite.io.fiche_commission import ecrire_excel, ecrire_html

    if scope is None:
        raise ValueError(
            "la fiche de commission est nominative : --nominatif bailleur:CODE (le bailleur du "
            "logement ; la consultation est journalisée)"
        )
    ids = [i.strip() for i in args.candidats.split(",") if i.strip()]
    t0 = time.perf_counter()
    cadre = charger_cadre(store, chartes=args.charte or CHARTES)
    loaded = time.perf_counter()
    fiche = preparer_fiche(store, cadre, dwelling, ids, date)
    fiche.notes = [
        *fiche.notes,
        f"Périmètre {scope} ; préparée en {time.perf_counter() - loaded:.1f} s "
        f"(base lue en {loaded - t0:.1f} s)",
    ]
    result = fiche.impacts
    banner = bandeau(cadre.menages)
    before = fiche.statut_entree
    if banner:
        fiche.notes = [banner, *fiche.notes]
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
    prio, _points, _reasons = priorites_des_demandes(everyone, date)
    apl = float(apl_dans(dwelling, date)(app)[0])
    commission = args.commission or f"CAL-{dwelling['code_bailleur']}-{date:%Y-%m}"
    ident = enregistrer(
        store,
        Decision(args.logement, args.demande, decision, date, commission, rank, suite,
                 args.motif.strip(), None, bool(prio.get(args.demande, False)), apl, scope),
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
