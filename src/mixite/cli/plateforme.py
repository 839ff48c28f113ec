"""``mixite plateforme``: prepare and serve the web platform on the embedded store."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any


def add_parser(
    sub: argparse._SubParsersAction[Any], store_arg: Callable[[argparse.ArgumentParser], None]
) -> None:
    p = sub.add_parser(
        "plateforme",
        help="servir la plateforme web (comptes de démonstration affichés)",
        description="Prépare la base des comptes (à côté de la base mixite), crée un compte de "
        "démonstration par rôle (mot de passe affiché une seule fois) et sert la plateforme "
        "sur http://127.0.0.1:8000.",
    )
    p.add_argument("--hote", default="127.0.0.1", help="adresse d'écoute (défaut 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (défaut 8000)")
    p.add_argument(
        "--sans-serveur", action="store_true", help="préparer seulement (comptes), sans servir"
    )
    store_arg(p)
    add_jeton_parser(sub, store_arg)


def add_jeton_parser(
    sub: argparse._SubParsersAction[Any], store_arg: Callable[[argparse.ArgumentParser], None]
) -> None:
    p = sub.add_parser(
        "jeton-api",
        help="jetons de l'API des partenaires : créer, lister, révoquer",
        description="Un jeton agit pour une organisation de la plateforme, avec son périmètre "
        "(docs/api.md). Il n'est affiché qu'à sa création : seule son empreinte est gardée.",
        epilog="Exemple : mixite jeton-api creer --organisation bailleur:B01 --nom "
        '"logiciel de gestion locative"',
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = actions.add_parser("creer", help="créer un jeton (affiché une seule fois)")
    c.add_argument("--organisation", required=True, metavar="ROLE:CODE",
                   help="l'organisation pour laquelle il agit, ex. bailleur:B01, epci:200093201")  # fmt: skip
    c.add_argument("--nom", required=True, help="le système qui l'utilisera")
    actions.add_parser("lister", help="les jetons, actifs et révoqués")
    r = actions.add_parser("revoquer", help="révoquer un jeton")
    r.add_argument(
        "prefixe", metavar="DEBUT", help="le début du jeton, tel que « lister » le montre"
    )
    for q in (c, actions.choices["lister"], r):
        store_arg(q)


def run_jeton(args: argparse.Namespace) -> int:
    setup(args.store)
    from django.core.management import call_command

    from mixite.plateforme import jetons
    from mixite.plateforme.models import Jeton

    call_command("migrate", verbosity=0, interactive=False)
    if args.action == "creer":
        role, _, code = args.organisation.partition(":")
        token, record = jetons.creer(role, code, args.nom)
        print(f"Jeton pour {record.organisation} ({args.nom}) — affiché cette fois seulement :")
        print(f"  {token}")
        print("À envoyer dans l'en-tête : Authorization: Bearer <jeton>")
    elif args.action == "revoquer":
        record = jetons.revoquer(args.prefixe)
        print(f"Jeton {record.prefixe}… révoqué ({record.nom}, {record.organisation}).")
    else:
        rows = list(Jeton.objects.select_related("organisation"))
        if not rows:
            print("Aucun jeton.")
        for j in rows:
            state = f"révoqué le {j.revoque_le:%Y-%m-%d}" if j.revoque_le else "actif"
            used = f"utilisé le {j.utilise_le:%Y-%m-%d %H:%M}" if j.utilise_le else "jamais utilisé"
            print(f"{j.prefixe}…  {j.organisation.role}:{j.organisation.code:<12} {j.nom} "
                  f"— {state}, {used}")  # fmt: skip
    return 0


def setup(store: object) -> None:
    """Point Django at the store and load it (once per process)."""
    import django

    os.environ["MIXITE_STORE"] = getattr(store, "emplacement", str(store))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mixite.plateforme.settings")
    django.setup()


def run(args: argparse.Namespace) -> int:
    setup(args.store)
    from django.core.management import call_command

    from mixite.plateforme.comptes import creer_comptes_demo

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)  # MIXITE_CACHE=base: shared by processes
    created = creer_comptes_demo()
    url = f"http://{args.hote}:{args.port}/"
    if created:
        print("Comptes de démonstration (mot de passe affiché cette fois seulement) :")
        for login, password, role in created:
            print(f"  {login:<16} {password}   ({role})")
    else:
        print("Comptes de démonstration déjà créés (epci, commune, bailleur, reservataire, "
              "renouvellement, etat, partenaire).")  # fmt: skip
    if args.sans_serveur:
        return 0
    print(f"Plateforme : {url}  (Ctrl+C pour arrêter)")
    from django.conf import settings

    from mixite.io.store import Store
    from mixite.plateforme.donnees import rechauffer

    rechauffer(Store(settings.STORE, partagee=True))  # figures ready before the first visit
    call_command("runserver", f"{args.hote}:{args.port}", "--noreload", "--insecure")
    return 0
