"""``mixite relogement``: the relocation dashboard, the follow-up list, the snapshots."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from mixite.cli.sortie import avec_bandeau, ecrire, nombre_fr
from mixite.cli.types import date_fr, hidden
from mixite.core.acces import Perimetre
from mixite.core.relogement import (
    DIMENSIONS,
    compare_snapshots,
    dashboard,
    follow_up_list,
    household_figures,
)
from mixite.core.relogement.followup import visible_to
from mixite.core.secret import THRESHOLD
from mixite.io.config import RelocationSettings, load_relocation_settings
from mixite.io.store import Store


def add_parser(
    sub: argparse._SubParsersAction[Any], store_arg: Callable[[argparse.ArgumentParser], None]
) -> None:
    reloc = sub.add_parser(
        "relogement",
        help="suivi du relogement (tableau de bord, ménages fragiles, état semestriel)",
        description="Suivi des ménages relogés : taux d'effort et reste à vivre avant/après, "
        "ménages fragiles, tableau de bord, état semestriel.",
    )
    rsub = reloc.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=type(reloc)
    )

    def common(p: argparse.ArgumentParser, *, dated: bool = True) -> None:
        p.add_argument(
            "--reglages",
            dest="config",
            type=Path,
            help="réglages YAML (formule du reste à vivre, critères)",
        )
        hidden(p, "--config", dest="config", type=Path)
        p.add_argument("--operation", help="se limiter à une opération (code)")
        p.add_argument(
            "--date",
            type=date_fr,
            # « etat » has its two dates: the reference date stays, hidden, for its figures.
            help="date de référence (défaut : dernière date de relogement)"
            if dated
            else argparse.SUPPRESS,
        )
        p.add_argument("--sortie", type=Path, help="écrire le résultat (.csv ou .xlsx)")
        store_arg(p)

    board = rsub.add_parser(
        "tableau-de-bord", help="tableau de bord agrégé (secret statistique appliqué)"
    )
    board.add_argument(
        "--par", choices=list(DIMENSIONS), help="ventilation : " + ", ".join(DIMENSIONS)
    )
    common(board)

    follow = rsub.add_parser(
        "suivi", help="liste nominative des ménages fragiles (bailleur ou équipe d'opération)"
    )
    who = follow.add_mutually_exclusive_group(required=True)
    who.add_argument("--bailleur", help="code du bailleur qui consulte")
    who.add_argument("--equipe", help="code de l'opération dont l'équipe consulte")
    common(follow)

    state = rsub.add_parser("etat", help="état à deux dates côte à côte (rapport semestriel)")
    state.add_argument(
        "--date-1", type=date_fr, required=True, help="première date (AAAA-MM-JJ ou JJ/MM/AAAA)"
    )
    state.add_argument(
        "--date-2", type=date_fr, required=True, help="seconde date (AAAA-MM-JJ ou JJ/MM/AAAA)"
    )
    state.add_argument("--par", choices=list(DIMENSIONS), help="ventilation")
    viewer = state.add_mutually_exclusive_group()
    viewer.add_argument(
        "--bailleur", help="lister aussi les ménages de ce bailleur restant à reloger"
    )
    viewer.add_argument(
        "--equipe", help="lister aussi les ménages de cette opération restant à reloger"
    )
    common(state, dated=False)


def _load(args: argparse.Namespace) -> tuple[pd.DataFrame, RelocationSettings, dt.date, list[str]]:
    store: Store = args.store
    settings = load_relocation_settings(args.config)
    records = store.read("relogements")
    if args.operation:
        records = records[records["code_operation"] == args.operation]
        if records.empty:
            raise ValueError(f"aucune ligne pour l'opération « {args.operation} »")
    dates = pd.to_datetime(records["date_relogement"]).dropna()
    ref = args.date or (dates.max().date() if len(dates) else dt.date.today())
    figures = household_figures(
        records, settings.formula, reference_date=ref, recent_years=settings.recent_years
    )
    notes = avec_bandeau(
        [
            f"Formule : {settings.formula.describe()}",
            "Taux d'effort = (loyer + charges − APL) / ressources",
            f"Secret statistique : aucune case ne décrit moins de {THRESHOLD} ménages (cases masquées vides)",
            f"Date de référence : {ref.isoformat()} ; réglages : {settings.source}",
        ],
        records,
    )
    return figures, settings, ref, notes


def _print_table(frame: pd.DataFrame) -> None:
    """Print lines as columns; a suppressed cell shows « s » (secret), as INSEE prints it."""
    shown = frame.set_index(frame.columns[0]).T
    text = shown.map(
        lambda v: "s" if pd.isna(v) else (nombre_fr(v) if isinstance(v, float | int) else str(v))
    )
    print(text.to_string())


def run(args: argparse.Namespace) -> int:
    figures, settings, ref, notes = _load(args)
    for note in notes:
        print(note)
    print()
    if args.action == "tableau-de-bord":
        board = dashboard(
            figures,
            settings.formula,
            by=args.par,
            criteria=settings.criteria,
            reference_year=ref.year,
        )
        table = board.french()
        _print_table(table)
        print("\nRépartition des taux d'effort (ménages relogés) :")
        print(board.distribution.to_string(index=False))
        print(f"\n{board.suppressed} case(s) masquée(s) par le secret statistique.")
        ecrire(args.sortie, {"Tableau de bord": table, "Taux d'effort": board.distribution}, notes)
        return 0
    if args.action == "suivi":
        viewer = (
            Perimetre("bailleur", args.bailleur)
            if args.bailleur
            else Perimetre("operation", args.equipe)
        )
        listing = follow_up_list(figures, viewer)
        print(
            f"{len(listing)} ménage(s) à suivre pour {viewer.role} {viewer.code} (liste nominative, ne pas diffuser)."
        )
        with pd.option_context("display.width", 200, "display.max_columns", None):
            print(listing.head(30).to_string(index=False))
        ecrire(
            args.sortie,
            {"Ménages à suivre": listing},
            [*notes, "Liste nominative : diffusion limitée au groupe de suivi"],
        )
        return 0
    comparison = compare_snapshots(
        figures, settings.formula, args.date_1, args.date_2, by=args.par, criteria=settings.criteria
    )
    headers = comparison.second.headers
    changes = comparison.changes.copy()
    changes.columns = [
        " / ".join(str(p) for p in c if p) if isinstance(c, tuple) else c for c in changes.columns
    ]
    changes = changes.rename(columns=lambda c: _french_pair(c, headers))
    _print_table(changes)
    print(
        f"\nRelogés entre les deux dates : {len(comparison.relocated_between)} ; restant à reloger : {len(comparison.still_to_relocate)}"
    )
    if args.bailleur or args.equipe:
        viewer = (
            Perimetre("bailleur", args.bailleur)
            if args.bailleur
            else Perimetre("operation", args.equipe)
        )
        remaining = visible_to(comparison.still_to_relocate, viewer)
        print(
            f"Ménages restant à reloger visibles pour {viewer.role} {viewer.code} "
            f"(liste nominative) : {len(remaining)}"
        )
        print(remaining.to_string(index=False))
    ecrire(args.sortie, {"État": changes}, notes)
    return 0


def _french_pair(column: str, headers: dict[str, str]) -> str:
    if " / " not in column:
        return headers.get(column, column)
    when, name = column.split(" / ", 1)
    return f"{headers.get(name, name)} — {when}"
