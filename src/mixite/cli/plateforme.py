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
