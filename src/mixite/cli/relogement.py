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
    _qui(follow)
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

    for name, text in (
        ("dossier", "le dossier d'un ménage : entretien, propositions, accompagnement, visites"),
        ("offres", "les logements vacants conformes aux souhaits d'un ménage, avec APL, taux "
                   "d'effort et reste à vivre"),
    ):  # fmt: skip
        p = rsub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ". "
                            "Liste nominative : le bailleur du ménage ou l'équipe de l'opération, "
                            "chaque lecture journalisée.")  # fmt: skip
        p.add_argument("id_relogement", metavar="DOSSIER", help="identifiant du dossier (REL-…)")
        _qui(p)
        if name == "offres":
            p.add_argument("--toutes", action="store_true",
                           help="lister aussi les logements écartés, avec la contrainte non tenue")  # fmt: skip
            p.add_argument("--limite", type=int, default=20,
                           help="logements affichés, avec l'effet sur l'entrée d'accueil (défaut 20)")  # fmt: skip
        common(p)

    text = ("les ménages à reloger auxquels un logement vacant conviendrait, avec APL, taux "
            "d'effort et reste à vivre")  # fmt: skip
    cand = rsub.add_parser("candidats", help=text, description=text[0].upper() + text[1:] + ". "
                           "Liste nominative : les ménages de l'opération (équipe) ou du bailleur, "
                           "chaque lecture journalisée.")  # fmt: skip
    cand.add_argument("id_logement", metavar="LOGEMENT", help="identifiant du logement vacant")
    _qui(cand)
    cand.add_argument("--tous", action="store_true",
                      help="lister aussi les ménages écartés, avec la contrainte non tenue")  # fmt: skip
    common(cand)

    visits = rsub.add_parser(
        "suivi-visites",
        help="les ménages relogés à aller voir (fragiles, effort en hausse, sans visite récente)",
        description="Les ménages relogés à aller voir : reste à vivre sous le seuil ou en "
        "baisse, taux d'effort en hausse, difficultés notées, pas de visite depuis longtemps. "
        "Liste nominative : l'équipe de l'opération ou le bailleur du ménage, journalisée.",
    )
    _qui(visits)
    visits.add_argument("--hausse-points", type=float, default=5.0,
                        help="hausse du taux d'effort, en points, au-delà de laquelle voir le "
                        "ménage (défaut 5)")  # fmt: skip
    visits.add_argument("--mois-sans-visite", type=int, default=12,
                        help="mois sans visite au bout desquels voir le ménage (défaut 12)")  # fmt: skip
    visits.add_argument("--duree-suivi", type=int, default=24, metavar="MOIS",
                        help="durée du suivi après le relogement, en mois (défaut 24)")  # fmt: skip
    common(visits)

    process = rsub.add_parser(
        "processus",
        help="indicateurs du processus : propositions, refus et motifs, délais, souhaits "
        "satisfaits (secret statistique appliqué)",
    )
    process.add_argument("--par", choices=["operation", "bailleur", "periode"],
                         help="ventilation : opération, bailleur d'origine ou semestre")  # fmt: skip
    common(process)

    welcome = rsub.add_parser(
        "accueil",
        help="effet des relogements sur les entrées et quartiers d'accueil (veille avant/après)",
        description="Effet des relogements sur les entrées et les quartiers qui ont accueilli "
        "des ménages : statut de veille avant et après leur arrivée. Par quartier, secret "
        "statistique appliqué ; entrée par entrée pour le bailleur (son parc).",
    )
    welcome.add_argument("--niveau", choices=["commune", "iris", "qpv"], default="commune",
                         help="quartiers : commune, IRIS ou QPV (défaut commune)")  # fmt: skip
    welcome.add_argument("--bailleur", help="ajouter ses entrées d'accueil, une par une")
    common(welcome)


def _qui(p: argparse.ArgumentParser) -> None:
    """Who reads a household-level list: a landlord, or an operation's team."""
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--bailleur", help="code du bailleur qui consulte")
    who.add_argument("--equipe", help="code de l'opération dont l'équipe consulte")


def _viewer(args: argparse.Namespace) -> Perimetre:
    """The scope of a household-level command: ``--bailleur`` or ``--equipe``."""
    return (Perimetre("bailleur", args.bailleur) if args.bailleur
            else Perimetre("operation", args.equipe))  # fmt: skip


def _records(store: Store, operation: str | None) -> pd.DataFrame:
    """The relocation records, of one operation when asked (refused if it has none)."""
    records = store.read("relogements")
    if operation:
        records = records[records["code_operation"] == operation]
        if records.empty:
            raise ValueError(f"aucune ligne pour l'opération « {operation} »")
    return records


def _load(args: argparse.Namespace) -> tuple[pd.DataFrame, RelocationSettings, dt.date, list[str]]:
    store: Store = args.store
    settings = load_relocation_settings(args.config)
    records = _records(store, args.operation)
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
    if args.action in ("dossier", "offres"):
        return _dossier(args)
    if args.action in ("candidats", "suivi-visites", "processus", "accueil"):
        from mixite.cli import relogement_dossiers

        return relogement_dossiers.run(args)
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
        viewer = _viewer(args)
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
        viewer = _viewer(args)
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


#: Headers of the offers as the command prints and writes them.
COLONNES_OFFRES = {
    "id_logement": "logement", "code_commune": "commune", "code_bailleur": "bailleur",
    "nb_pieces": "pièces", "loyer_mensuel": "loyer (€)", "charges_mensuelles": "charges (€)",
    "etage": "étage", "rang_commune": "rang du souhait de commune", "apl": "APL estimée (€)",
    "taux_effort": "taux d'effort (%)", "variation_taux_effort": "écart au taux d'avant (points)",
    "reste_a_vivre": "reste à vivre", "motifs": "souhaits",
    "entree_avant_apres": "entrée d'accueil (veille, avant → après)",
    "batiment_sans_actif": "bâtiment : sans actif occupé (%)",
    "iris_sans_actif": "IRIS : sans actif occupé (%)",
}  # fmt: skip


def _dossier(args: argparse.Namespace) -> int:
    """``relogement dossier`` and ``relogement offres``."""
    import getpass

    from mixite.io.commission import charger_cadre
    from mixite.io.dossiers_relogement import dossier, impacts_des_offres, offres

    store: Store = args.store
    viewer = _viewer(args)
    d = dossier(store, args.id_relogement, viewer,
                destination=f"{args.action} ({getpass.getuser()})")  # fmt: skip
    r = d.relogement
    d = type(d)(*(_dates_en_jours(x) for x in (d.relogement, d.entretien, d.propositions,
                                                d.actions, d.visites)))  # fmt: skip
    notes = avec_bandeau(["Liste nominative : diffusion limitée au groupe de suivi"],
                         r.to_frame().T)  # fmt: skip
    for note in notes:
        print(note)
    print(f"\nDossier {r['id_relogement']} — opération {r['code_operation']}, "
          f"{int(r['nb_personnes'])} personne(s), statut {r['statut']}")  # fmt: skip
    if args.action == "dossier":
        tables = {"Propositions": d.propositions, "Accompagnement": d.actions, "Visites": d.visites}
        if d.entretien is not None:
            print("Entretien :")
            print(d.entretien.drop(labels=["synthetique"], errors="ignore").to_string())
            tables = {"Entretien": d.entretien.to_frame().T, **tables}
        for title, frame in tables.items():
            if title != "Entretien":
                print(f"\n{title} ({len(frame)}) :")
                print(frame.drop(columns=["synthetique", "id_relogement"], errors="ignore")
                      .to_string(index=False) if len(frame) else "  aucune")  # fmt: skip
        ecrire(args.sortie, tables, notes)
        return 0
    settings = load_relocation_settings(args.config)
    date = args.date or dt.date.today()
    found = offres(store, d, date, settings.formula, toutes=args.toutes)
    found = impacts_des_offres(store, charger_cadre(store), d, found, args.limite)
    fitting = int(found["adapte"].sum())
    print(f"{fitting} logement(s) vacant(s) conforme(s) aux souhaits ; reste à vivre : "
          f"{settings.formula.describe()} ; APL estimée par OpenFisca-France ({date:%Y-%m}). "
          "Aide à la décision : aucune proposition n'est faite par mixite.")  # fmt: skip
    shown = found[[c for c in COLONNES_OFFRES if c in found.columns]].rename(
        columns=COLONNES_OFFRES
    )
    with pd.option_context("display.width", 220, "display.max_columns", None):
        print(shown.head(args.limite).to_string(index=False))
    ecrire(args.sortie, {"Offres": shown}, notes)
    return 0


def _dates_en_jours(x: Any) -> Any:
    """Timestamps shown as dates (``2026-08-29``, not ``2026-08-29 00:00:00``)."""
    if x is None:
        return None
    if isinstance(x, pd.Series):
        return x.map(lambda v: v.date() if isinstance(v, pd.Timestamp) else v)
    out = x.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.date
    return out
