"""``mixite exporter-base`` and ``mixite importer-base``: move a whole store between a
DuckDB file and a PostgreSQL database (``postgresql://…``), without loss."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = (
    "Copie toutes les tables de la base (données, catalogue, journaux d'import, d'accès et "
    "d'audit) dans une autre : d'un fichier DuckDB vers une base PostgreSQL "
    "(postgresql://utilisateur:motdepasse@serveur:5432/base) ou l'inverse, en une seule "
    "transaction, montants exacts, journaux dans leur ordre. Une base cible qui contient "
    "déjà des tables n'est remplacée qu'avec --remplacer."
)


def add_parser(sub: Any, store_arg: Any) -> None:
    for name, target, help_text, example in (
        ("exporter-base", "CIBLE", "copier toute la base vers une autre (fichier ou PostgreSQL)",
         "mixite exporter-base postgresql://mixite@localhost/mel --store mixite.duckdb"),
        ("importer-base", "SOURCE", "remplir la base depuis une autre (fichier ou PostgreSQL)",
         "mixite importer-base mixite.duckdb --store postgresql://mixite@localhost/mel"),
    ):  # fmt: skip
        p = sub.add_parser(name, help=help_text, description=DESCRIPTION,
                           epilog=f"Exemple : {example}")  # fmt: skip
        p.add_argument("autre", metavar=target, help="fichier .duckdb ou URL postgresql://…")
        p.add_argument("--remplacer", action="store_true",
                       help="remplacer entièrement la base cible si elle contient des tables")  # fmt: skip
        store_arg(p)
    add_securite_parser(sub, store_arg)


def add_securite_parser(sub: Any, store_arg: Any) -> None:
    p = sub.add_parser(
        "securiser-base",
        help="rôles des bailleurs et sécurité au niveau des lignes (PostgreSQL)",
        description="Crée dans la base PostgreSQL un rôle par bailleur (mixite_bailleur_b01…, "
        "sans connexion : la plateforme ou un administrateur le prend avec SET ROLE) et "
        "active la sécurité au niveau des lignes : chaque rôle ne lit que son parc, ses "
        "ménages, ses attributions et ses relogements, plus les tables partagées "
        "(territoires, demandes), même à travers une erreur de l'application. Les règles "
        "sont reposées après chaque écriture.",
        epilog="Exemple : mixite securiser-base --store postgresql://mixite@localhost/mel",
    )
    p.add_argument("--bailleur", action="append", metavar="CODE",
                   help="seulement ce bailleur (répétable ; défaut : tous ceux de la base)")  # fmt: skip
    store_arg(p)


def run_securite(args: argparse.Namespace) -> int:
    from mixite.io.store_postgres import PostgresStore

    store = args.store
    if not isinstance(store, PostgresStore):
        raise ValueError(
            "la sécurité au niveau des lignes est celle de PostgreSQL : indiquez la base "
            "avec --store postgresql://… (un fichier DuckDB n'a ni rôles ni droits)"
        )
    codes = args.bailleur or sorted(store.read("bailleurs", ["code_bailleur"])["code_bailleur"])
    roles = store.securiser([str(c) for c in codes])
    print(f"{len(roles)} rôle(s) de bailleur, sécurité au niveau des lignes active : "
          + ", ".join(roles))  # fmt: skip
    return 0


def run(args: argparse.Namespace) -> int:
    from mixite.io.store import Store
    from mixite.io.transfert import copier_base

    other = Store(args.autre)
    source, target = (args.store, other) if args.command == "exporter-base" else (other, args.store)
    copied = copier_base(source, target, remplacer=args.remplacer)
    rows = sum(copied.values())
    print(f"{len(copied)} tables, {rows} lignes copiées de « {source.nom} » vers « {target.nom} ».")
    problems = target.verify_journals()
    if problems:  # the source's journals were already broken: say so, the copy is faithful
        print("Attention, journaux rompus dans la source : " + " ; ".join(problems))
    return 0
