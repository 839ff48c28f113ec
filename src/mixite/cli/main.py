"""``mixite``: the command line. Help and messages in French; exit 0 on success, 2 on
invalid input, 1 on an internal error."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mixite import __version__
from mixite.core.acces import AccesRefuse
from mixite.errors import (
    InvalidDataError,
    MissingDataError,
    MixiteError,
    ReferenceDataError,
    StoreError,
    UnknownKindError,
)
from mixite.io import DEFAULT_STORE

if TYPE_CHECKING:
    from mixite.io.store import Store


EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2


_FRENCH = {
    "usage: ": "usage : ",
    "options": "options",
    "positional arguments": "arguments",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher la version de mixite et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
}


def _french(text: str) -> str:
    return _FRENCH.get(text, text)


argparse._ = _french  # type: ignore[attr-defined]  # argparse's own words, in French


class _Parser(argparse.ArgumentParser):
    """argparse with French error wording."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        message = (
            message.replace(
                "the following arguments are required", "arguments obligatoires manquants"
            )
            .replace("invalid choice", "choix invalide")
            .replace("choose from", "choix possibles :")
            .replace("unrecognized arguments", "arguments non reconnus")
            .replace("invalid float value", "nombre invalide")
            .replace("invalid int value", "entier invalide")
        )
        self.exit(EXIT_INVALID, f"{self.prog} : erreur : {message}\n")


def _store_location(value: str) -> Path | str:
    """A file path, or a PostgreSQL URL kept as written (a Path would fold its ``//``)."""
    from mixite.io import est_url

    return value if est_url(value) else Path(value)


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        type=_store_location,
        default=_store_location(os.environ.get("MIXITE_STORE", str(DEFAULT_STORE))),
        help="fichier de la base ou URL postgresql://… (défaut : ./mixite.duckdb ou $MIXITE_STORE)",
    )


#: Every command, its one-line help and where its full parser is defined. Only the
#: command being run gets its full parser (and imports what it needs): ``mixite --help``
#: and ``mixite --version`` import no numerical library.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("construire le jumeau synthétique de la MEL dans la base et afficher sa calibration", "main"),
    "importer": ("valider puis importer un fichier", "main"),
    "exporter": ("écrire une table de la base dans un fichier que « importer » relit", "main"),
    "relogement": ("suivi du relogement (tableau de bord, ménages fragiles, état semestriel)", "relogement"),
    "objectifs": ("objectifs d'attribution : suivi, répartition", "objectifs"),
    "demandes": ("critères de priorité et cotation des demandes", "objectifs"),
    "plafonds": ("catégorie, plafonds de ressources et premier quartile d'un ménage", "objectifs"),
    "modele": ("écrire un modèle de fichier à remplir", "objectifs"),
    "indices": ("indices de ségrégation et de mixité pour chaque région d'un fichier d'unités", "indices"),
    "observatoire": ("indicateurs d'occupation sociale et indice de fragilité", "observatoire"),
    "commission": ("commission d'attribution : candidats, fiche, décision", "commission"),
    "plateforme": ("servir la plateforme web", "plateforme"),
    "jeton-api": ("jetons de l'API des partenaires : créer, lister, révoquer", "plateforme"),
    "rapport": ("rapports : l'état du peuplement d'un territoire (HTML ou PDF)", "rapport"),
    "plan": ("plan d'attribution sous objectifs de mixité : optimisation exacte, explications", "plan"),
    "scenarios": ("projeter l'occupation du parc social sous des politiques d'attribution", "scenarios"),
    "exporter-base": ("copier toute la base vers une autre (fichier DuckDB ou PostgreSQL)", "base"),
    "importer-base": ("remplir la base depuis une autre (fichier DuckDB ou PostgreSQL)", "base"),
    "securiser-base": ("rôles des bailleurs et sécurité au niveau des lignes (PostgreSQL)", "base"),
    "info": ("résumer le contenu de la base", "main"),
    "journal": ("vérifier que les journaux (audit, accès) n'ont pas été modifiés", "main"),
}  # fmt: skip


def _command_of(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (its first argument that is not an option)."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the command it runs is defined in full."""
    wanted = _command_of(argv) if argv is not None else None
    full: set[str] = set(COMMANDS) if argv is None else set()
    if wanted is not None and wanted in COMMANDS:
        full = {wanted}
    parser = _Parser(
        prog="mixite",
        description="mixite — mesurer la mixité sociale, fixer et suivre les objectifs d'attribution, "
        "suivre le relogement.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"mixite {__version__}",
        help="afficher la version de mixite et quitter",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser)
    modules = {COMMANDS[c][1] for c in full}
    adders = {
        "relogement": ("relogement", "add_parser"),
        "objectifs": ("objectifs", "add_parsers"),
        "indices": ("indices", "add_parser"),
        "observatoire": ("observatoire", "add_parser"),
        "commission": ("commission", "add_parser"),
        "plateforme": ("plateforme", "add_parser"),
        "rapport": ("rapport", "add_parser"),
        "plan": ("plan", "add_parser"),
        "scenarios": ("scenarios", "add_parser"),
        "base": ("base", "add_parser"),
    }
    done: set[str] = set()
    for name, (help_text, module) in COMMANDS.items():
        if module == "main":
            _main_command(sub, name, full=name in full)
        elif module not in modules:
            sub.add_parser(name, help=help_text)  # listed in the help, defined when run
        elif module not in done:
            done.add(module)
            mod, adder = adders[module]
            getattr(importlib.import_module(f"mixite.cli.{mod}"), adder)(sub, _store_arg)
    return parser


def _main_command(sub: argparse._SubParsersAction[_Parser], name: str, *, full: bool) -> None:
    """``demo``, ``importer`` or ``info`` (a stub unless ``full``)."""
    if not full:
        sub.add_parser(name, help=COMMANDS[name][0])
    elif name == "demo":
        _demo_parser(sub)
    elif name == "importer":
        _import_parser(sub)
    elif name == "journal":
        j = sub.add_parser(
            "journal",
            help=COMMANDS["journal"][0],
            description="Les journaux d'audit des fiches attribution et des accès aux données "
            "nominatives sont chaînés par empreinte (SHA-256) : une ligne modifiée, retirée ou "
            "insérée après coup rompt la chaîne. « verifier » la recalcule.",
        )
        j.add_argument("action", choices=["verifier"], help="verifier : recalculer la chaîne")
        _store_arg(j)
    elif name == "exporter":
        exp = sub.add_parser(
            "exporter",
            help=COMMANDS["exporter"][0],
            description="Écrit une table de la base (bailleurs, logements, ménages, demandes, "
            "attributions…) en CSV pour tableur français, en Excel (le modèle d'import rempli) "
            "ou en Parquet ; « mixite importer TABLE FICHIER » la relit à l'identique.",
        )
        exp.add_argument("table", metavar="TABLE", help="table à écrire (voir « mixite info »)")
        exp.add_argument(
            "--sortie", type=Path, required=True, help="fichier .csv, .xlsx ou .parquet"
        )
        exp.add_argument(
            "--ecraser", action="store_true", help="remplacer le fichier s'il existe déjà"
        )
        _store_arg(exp)
    else:
        info = sub.add_parser(
            "info", help=COMMANDS["info"][0], description="Liste les tables de la base."
        )
        _store_arg(info)


def _demo_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    demo = sub.add_parser(
        "demo",
        help="construire le jumeau synthétique de la MEL dans la base et afficher sa calibration",
        description="Construit le jumeau synthétique de la Métropole Européenne de Lille (données "
        "SYNTHÉTIQUES calibrées sur Filosofi 2016 et le recensement 2016), l'écrit dans la base et "
        "affiche le rapport de calibration.",
    )
    demo.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="part des ménages générés (1.0 : toute la MEL ; 0.02 pour essayer ; jusqu'à 4 pour mesurer à grande taille)",
    )
    demo.add_argument(
        "--graine", type=int, default=2014, help="graine du générateur (défaut : 2014)"
    )
    demo.add_argument(
        "--ecraser",
        action="store_true",
        help="remplacer aussi une base qui contient des données importées (elles seront perdues)",
    )
    demo.add_argument(
        "--rapport", type=Path, help="écrire aussi le rapport de calibration par commune (CSV)"
    )
    _store_arg(demo)


def _import_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    from mixite.io.importers import IMPORTERS

    imp = sub.add_parser(
        "importer",
        help="valider puis importer un fichier",
        description="Valide tout le fichier puis l'importe. En cas de problème, rien n'est écrit et "
        "un rapport (fichier, ligne, colonne, valeur, règle) est affiché.",
        epilog="Types : " + " ; ".join(f"{k} : {v.description}" for k, v in IMPORTERS.items()),
    )
    imp.add_argument(
        "type",
        metavar="TYPE",
        choices=list(IMPORTERS),
        help="type de fichier : " + ", ".join(IMPORTERS),
    )
    imp.add_argument("fichier", type=Path, help="fichier CSV, Parquet, Excel (.xlsx) ou GeoJSON")
    imp.add_argument(
        "--remplacer",
        action="store_true",
        help="remplacer la table (ou le millésime) au lieu d'ajouter",
    )
    imp.add_argument(
        "--vider",
        action="store_true",
        help="avec --remplacer : accepter un fichier sans ligne (la table sera vidée)",
    )
    imp.add_argument(
        "--cascade",
        action="store_true",
        help="avec --remplacer : supprimer les lignes des autres tables qui ne pointeraient "
        "plus sur rien (ménages d'un logement disparu…) ; sans lui, un tel remplacement est refusé",
    )
    imp.add_argument(
        "--millesime", type=int, help="millésime des données (sinon déduit du fichier)"
    )
    imp.add_argument(
        "--feuille", default=0, help="feuille Excel à lire (nom ; défaut : la première)"
    )
    imp.add_argument(
        "--encodage",
        choices=["utf-8", "windows-1252", "latin-1"],
        help="encodage d'un CSV (défaut : détecté, UTF-8 ou Windows-1252)",
    )
    imp.add_argument(
        "--colonnes",
        default="",
        metavar="ANCIEN=NOUVEAU,… | FICHIER.yaml",
        help="renommer des colonnes du fichier vers celles de mixite (ou de la variable "
        "officielle pour rpls, ops, sne-…), en ligne ou dans un fichier YAML (docs/import.md) ; "
        "les en-têtes qui ne diffèrent que par la casse, les accents ou les espaces sont "
        "reconnus d'eux-mêmes",
    )
    imp.add_argument(
        "--bailleur",
        help="rpls : code du bailleur propriétaire quand le fichier ne le dit pas "
        "(données ouvertes ; défaut : RPLS)",
    )
    imp.add_argument(
        "--projection",
        type=int,
        metavar="EPSG",
        help="système des coordonnées x, y (batiments, rpls) : 2154 Lambert-93, 4326 WGS 84, "
        "5490, 2972, 2975, 4471 outre-mer (défaut : celui du département ; WGS 84 détecté)",
    )
    _store_arg(imp)


def _demo(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from mixite.core.validation import format_int
    from mixite.io import refdata
    from mixite.io.twin_store import write_twin
    from mixite.twin.build import build_twin
    from mixite.twin.params import MAX_SCALE, TwinParameters

    try:
        params = TwinParameters(scale=args.scale, seed=args.graine)
    except ValueError:
        print(
            f"mixite demo : --scale doit être compris entre 0 (exclu) et {MAX_SCALE:g} ; reçu {args.scale}.",
            file=sys.stderr,
        )
        return EXIT_INVALID
    start = time.perf_counter()
    with tqdm(
        total=11,
        desc="Jumeau MEL",
        unit=" étape",
        file=sys.stderr,
        leave=False,
        disable=not sys.stderr.isatty(),
    ) as bar:

        def step(name: str) -> None:
            bar.set_postfix_str(name)
            bar.update(1)

        twin = build_twin(
            refdata.mel_sources(),
            refdata.plafonds_ressources(),
            refdata.premier_quartile(),
            params,
            progress=step,
        )
        built = time.perf_counter() - start
        bar.set_postfix_str("écriture")
        with args.store.writer():
            # Never overwrite imported rows silently (checked under the writer lock).
            stored = args.store.imported_tables() if args.store.exists() else {}
            imported = {k: v for k, v in stored.items() if k in twin.tables}
            if imported and not args.ecraser:
                listing = ", ".join(f"{k} ({format_int(v)} lignes)" for k, v in imported.items())
                bar.close()
                print(
                    f"mixite demo : la base « {args.store.nom} » contient des données "
                    f"importées : {listing}. Le jumeau les remplacerait ; rien n'a été écrit. "
                    "Choisissez une autre base (--store jumeau.duckdb) ou confirmez avec --ecraser.",
                    file=sys.stderr,
                )
                return EXIT_INVALID
            write_twin(args.store, twin)
    total = time.perf_counter() - start
    print(
        f"Jumeau synthétique de la MEL écrit dans {args.store.nom} "
        f"(génération {built:.1f} s, total {total:.1f} s). DONNÉES SYNTHÉTIQUES."
    )
    _print_info(args.store)
    print()
    print(twin.report.format())
    if args.rapport:
        args.rapport.parent.mkdir(parents=True, exist_ok=True)
        twin.report.communes.to_csv(args.rapport, index=False)
        print(f"Rapport par commune écrit dans {args.rapport}")
    return EXIT_OK


def _print_info(store: Store) -> None:
    from mixite.core.validation import format_int

    if not store.exists():
        raise MissingDataError(
            f"la base « {store.nom} » n'existe pas ; lancez « mixite demo » ou "
            "« mixite importer », ou indiquez la bonne base avec --store"
        )
    tables = store.tables()
    if not tables:
        print(f"La base {store.nom} est vide. Lancez « mixite demo » ou « mixite importer ».")
        return
    print(f"Base {store.nom} :")
    width = max(len(t.name) for t in tables)
    for t in tables:
        flag = (
            f"  [MÊLÉE : {format_int(t.synthetic_rows)} lignes synthétiques]"
            if t.mixed
            else ("  [SYNTHÉTIQUE]" if t.synthetic else "")
        )
        print(f"  {t.name:<{width}}  {format_int(t.rows):>10} lignes  {t.title}{flag}")
    meta = store.meta()
    if meta.get("jumeau.synthetique") == "oui":
        print(
            f"  Jumeau : échelle {meta.get('jumeau.echelle')}, graine {meta.get('jumeau.graine')}, "
            f"période {meta.get('jumeau.periode')}, calibration {meta.get('jumeau.calibration')}"
        )


def _column_mapping(text: str) -> dict[str, str]:
    """``Code_Bailleur=code_bailleur,Nom=nom`` (or a YAML file of such pairs) as a
    mapping; a malformed pair is an error."""
    if text.lower().endswith((".yaml", ".yml")):
        from mixite.io.config import load_column_mapping

        return load_column_mapping(Path(text))
    out: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise ValueError(f"--colonnes : « {pair} » ; attendu : ancien=nouveau")
        out[old.strip()] = new.strip()
    return out


def _journal(args: argparse.Namespace) -> int:
    store: Store = args.store
    problems = store.verify_journals()
    audit = store.count("audit_attributions") if store.has_table("audit_attributions") else 0
    access = len(store.access_journal())
    print(
        f"Journal d'audit des fiches attribution : {audit} ligne(s) ; journal des accès : {access}"
    )
    if problems:
        for p in problems:
            print(f"  ROMPU : {p}", file=sys.stderr)
        return EXIT_INVALID
    print("Chaînes intactes : aucune ligne modifiée, retirée ou insérée après coup.")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from mixite.core.model import TABLES_BY_NAME, USER_TABLES
    from mixite.io.exporters import export_table

    if args.table not in USER_TABLES:
        raise ValueError(f"table « {args.table} » : tables exportables : {', '.join(USER_TABLES)}")
    if args.sortie.exists() and not args.ecraser:
        raise ValueError(f"{args.sortie} existe déjà ; --ecraser pour le remplacer")
    store: Store = args.store
    frame = store.read(args.table)
    export_table(frame, TABLES_BY_NAME[args.table], args.sortie)
    print(f"{len(frame)} lignes de « {args.table} » écrites : {args.sortie}")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from mixite.io.importers import ImportOptions, import_file

    sheet: str | int = args.feuille
    opts = ImportOptions(
        replace=args.remplacer,
        vintage=args.millesime,
        sheet=sheet,
        allow_empty=args.vider,
        cascade=args.cascade,
        encoding=args.encodage,
        columns=_column_mapping(args.colonnes),
        bailleur=args.bailleur,
        projection=args.projection,
    )
    result = import_file(args.type, args.fichier, args.store, opts)
    for notice in result.notices:
        print(f"{result.source} : {notice}")
    vintage = f", millésime {result.vintage}" if result.vintage else ""
    if result.rows == 0 and not args.remplacer:
        print(f"{result.source} : aucune ligne dans le fichier ; rien n'a été importé.")
        return EXIT_OK
    print(
        f"{result.source} : {result.rows} lignes importées dans la table « {result.table} »{vintage}."
    )
    for table, n in (result.also or {}).items():
        print(f"  et {n} ligne(s) dans la table « {table} ».")
    for table, n in (result.cascaded or {}).items():
        print(f"  --cascade : {n} ligne(s) de « {table} » supprimée(s), devenues sans référence.")
    return EXIT_OK


#: Commands run by another module of the CLI (imported on use: ``mixite --help`` stays fast).
_RUNNERS: dict[str, tuple[str, str]] = {
    "objectifs": ("objectifs", "run_objectifs"),
    "demandes": ("objectifs", "run_demandes"),
    "plafonds": ("objectifs", "run_plafonds"),
    "modele": ("objectifs", "run_modele"),
    "observatoire": ("observatoire", "run"),
    "indices": ("indices", "run"),
    "relogement": ("relogement", "run"),
    "commission": ("commission", "run"),
    "plateforme": ("plateforme", "run"),
    "jeton-api": ("plateforme", "run_jeton"),
    "rapport": ("rapport", "run"),
    "plan": ("plan", "run"),
    "scenarios": ("scenarios", "run"),
    "exporter-base": ("base", "run"),
    "importer-base": ("base", "run"),
    "securiser-base": ("base", "run_securite"),
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help()
        return EXIT_INVALID
    if hasattr(args, "store"):
        from mixite.io.store import Store

        args.store = Store(args.store)
    try:
        if args.command == "demo":
            return _demo(args)
        if args.command == "importer":
            return _import(args)
        if args.command == "exporter":
            return _export(args)
        if args.command == "journal":
            return _journal(args)
        if args.command in _RUNNERS:
            module, name = _RUNNERS[args.command]
            runner = getattr(importlib.import_module(f"mixite.cli.{module}"), name)
            return int(runner(args))
        _print_info(args.store)
        return EXIT_OK
    except InvalidDataError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_INVALID
    except UnknownKindError as exc:
        print(f"mixite : {exc}", file=sys.stderr)
        return EXIT_INVALID
    except MissingDataError as exc:
        print(f"mixite : {exc}.", file=sys.stderr)
        return EXIT_INVALID
    except StoreError as exc:
        print(f"mixite : la base ne peut pas être lue ou écrite ({exc}).", file=sys.stderr)
        return EXIT_INTERNAL
    except ReferenceDataError as exc:
        print(
            f"mixite : données de référence manquantes, rien n'est deviné ({exc}).", file=sys.stderr
        )
        return EXIT_INVALID
    except AccesRefuse as exc:
        print(f"mixite : accès refusé. {exc}", file=sys.stderr)
        return EXIT_INVALID
    except MixiteError as exc:
        print(f"mixite : {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except ValueError as exc:
        print(f"mixite : {exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        # The reader stopped early (``mixite info | head -1``): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        print(
            "mixite : erreur interne. Merci de signaler ce problème avec le détail ci-dessous.",
            file=sys.stderr,
        )
        traceback.print_exc()
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
