"""``mixite rapport etat-du-peuplement``: the twice-yearly report of a territory."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path
from typing import Any


def add_parser(sub: Any, store_arg: Any) -> None:
    p = sub.add_parser(
        "rapport",
        help="rapports : l'état du peuplement d'un territoire (HTML autonome ou PDF)",
        description="Rapports lisibles sans mixite.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="RAPPORT")
    e = actions.add_parser(
        "etat-du-peuplement",
        help="état du peuplement et de son évolution (deux fois par an)",
        description="L'état du peuplement d'un EPCI ou d'une commune à une date : chiffres "
        "clés et évolution, cartes, parc social, objectifs d'attribution, relogement. Un "
        "fichier HTML autonome (sans réseau) ou un PDF ; secret statistique appliqué.",
        epilog="Exemple : mixite rapport etat-du-peuplement --territoire commune 59350 "
        "--date 2026-06-30 --sortie lille.pdf",
    )
    e.add_argument("--territoire", nargs=2, metavar=("NIVEAU", "CODE"), required=True,
                   help="epci CODE, commune CODE, bailleur CODE (son propre parc, entrée par "
                   "entrée) ou operation CODE (le relogement d'une opération)")  # fmt: skip
    e.add_argument("--date", type=dt.date.fromisoformat, required=True, help="AAAA-MM-JJ")
    e.add_argument("--precedent", type=dt.date.fromisoformat,
                   help="date du rapport précédent (défaut : six mois plus tôt)")  # fmt: skip
    e.add_argument("--sortie", type=Path, required=True, help="rapport.html ou rapport.pdf")
    e.add_argument("--remplacer", action="store_true", help="remplacer un fichier existant")
    store_arg(e)


def run(args: argparse.Namespace) -> int:
    from mixite.rapport.contenu import construire
    from mixite.rapport.rendu import ecrire

    niveau, code = args.territoire
    if niveau not in ("epci", "commune", "bailleur", "operation"):
        raise ValueError(
            f"niveau de territoire « {niveau} » : epci, commune, bailleur ou operation"
        )
    if args.sortie.exists() and not args.remplacer:
        raise ValueError(
            f"{args.sortie} existe déjà ; choisissez un autre nom ou ajoutez --remplacer"
        )
    t0 = time.perf_counter()
    rapport = construire(args.store, niveau, code, args.date, args.precedent)
    t1 = time.perf_counter()
    ecrire(rapport, args.sortie)
    n = len(rapport.sections)
    print(f"Écrit : {args.sortie} ({n} partie{'s' if n > 1 else ''} ; contenu {t1 - t0:.1f} s, "
          f"mise en page {time.perf_counter() - t1:.1f} s)")  # fmt: skip
    return 0
