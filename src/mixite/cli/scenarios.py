"""``mixite scenarios lancer|comparer|backtest``: project the occupation of the social
stock under allocation policies and renewal programmes, as Monte Carlo replicates on a
Dask cluster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

AVERTISSEMENT = (
    "Projection : médiane et bande de 90 % de tirages d'un modèle estimé sur l'historique de "
    "la base ; une aide pour comparer des politiques, pas une prévision."
)


def add_parser(sub: Any, store_arg: Any) -> None:
    p = sub.add_parser("scenarios", help="projeter l'occupation du parc social sous des politiques",
                       description=AVERTISSEMENT)  # fmt: skip
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text, example in (
        ("lancer", "projeter un scénario", "mixite scenarios lancer loi-2017 --sortie loi.xlsx"),
        ("comparer", "projeter plusieurs scénarios et les comparer (mêmes tirages)",
         "mixite scenarios comparer statu-quo loi-2017 --sortie comparaison.xlsx --graphiques eventails"),
    ):  # fmt: skip
        a = actions.add_parser(name, help=text, description=f"{text[0].upper()}{text[1:]}. {AVERTISSEMENT}",
                               epilog=f"Exemple : {example}. Modèles : statu-quo, loi-2017, "
                               "pecquencourt, veille, renouvellement, sans-attribution.")  # fmt: skip
        a.add_argument("scenarios", nargs="+" if name == "comparer" else 1, metavar="SCENARIO",
                       help="fichier YAML de scénario ou nom d'un modèle")  # fmt: skip
        _common(a, store_arg)
        a.add_argument("--horizon", type=int, help="années projetées (remplace celle du fichier)")
        a.add_argument("--graphiques", type=Path, help="dossier des éventails (PNG et SVG)")
        a.add_argument(
            "--bailleur",
            help="ajouter les entrées de ce bailleur une à une (diffusion restreinte au bailleur)",
        )
        a.add_argument(
            "--typologie",
            default="pecquencourt",
            help="typologie des IRIS (modèle ou fichier YAML ; défaut pecquencourt)",
        )
    b = actions.add_parser("backtest", help="valider le modèle : estimer jusqu'à une date, projeter l'année suivante, comparer à l'observé",
                           epilog="Exemple : mixite scenarios backtest --fin-estimation 2025-12-31")  # fmt: skip
    b.add_argument(
        "--fin-estimation",
        default="2025-12-31",
        help="dernier jour de l'historique utilisé (AAAA-MM-JJ)",
    )
    _common(b, store_arg)


def _common(a: argparse.ArgumentParser, store_arg: Any) -> None:
    a.add_argument("--replicats", type=int, help="nombre de tirages (remplace celui du fichier)")
    a.add_argument("--workers", type=int, default=2, help="processus Dask locaux (défaut 2)")
    a.add_argument("--cluster", help="adresse d'un ordonnanceur Dask existant (tcp://hôte:port)")
    a.add_argument(
        "--sortie", type=Path, help="fichier .xlsx (toutes les feuilles), .csv ou .parquet"
    )
    a.add_argument("--remplacer", action="store_true", help="remplacer un fichier existant")
    store_arg(a)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r  {done}/{total} tirages", end="" if done < total else "\n", file=sys.stderr)


def _fr(x: float, pct: bool = True) -> str:
    return (f"{x * 100:.1f} %" if pct else f"{x:.3f}").replace(".", ",")


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from mixite.cli.sortie import ecrire
    from mixite.io.config_scenarios import load_scenario
    from mixite.io.scenarios import backtest, instantane, resoudre, tableaux, verifier
    from mixite.scenarios.monte_carlo import client, lancer
    from mixite.scenarios.moteur import INDICES

    if args.sortie is not None and args.sortie.exists() and not args.remplacer:
        raise ValueError(
            f"{args.sortie} existe déjà ; choisissez un autre nom ou ajoutez --remplacer"
        )
    if args.workers < 1:
        raise ValueError("--workers : au moins 1 processus")
    print(AVERTISSEMENT)
    if args.action == "backtest":
        import datetime as dt

        try:
            end = dt.date.fromisoformat(args.fin_estimation)
        except ValueError:
            raise ValueError(
                f"--fin-estimation : date AAAA-MM-JJ attendue, reçu « {args.fin_estimation} »"
            ) from None
        with client(args.cluster, args.workers) as c:
            table, coverage = backtest(
                args.store, fin_estimation=end, replicats=args.replicats or 200, dask_client=c
            )
        print(f"Estimé jusqu'au {end:%d/%m/%Y}, projeté sur {table.attrs['annee']} "
              f"({table.attrs['fraction_observee'] * 100:.0f} % de l'année observée) : "
              f"{coverage * 100:.0f} % des chiffres observés dans leur bande de 90 %.")  # fmt: skip
        print(table.round(1).to_string(index=False))
        ecrire(
            args.sortie,
            {"backtest": table},
            [AVERTISSEMENT, f"Couverture des bandes de 90 % : {coverage * 100:.0f} %"],
        )
        return 0
    scenarios = []
    for name in args.scenarios:
        s = load_scenario(name)
        changes = {k: v for k, v in (("replicats", args.replicats), ("horizon", args.horizon)) if v}
        scenarios.append(dataclasses.replace(s, **changes))
    inst, fit = instantane(args.store)
    if any(s.politique.abordabilite for s in scenarios):
        from mixite.io.scenarios import avec_abordabilite

        inst = avec_abordabilite(inst)
        print("Abordabilité après APL : table OpenFisca-France calculée "
              f"({inst.abordabilite.apl[1:].size if inst.abordabilite else 0} cas).")  # fmt: skip
    stat, df, pvalue = fit.rapport_de_vraisemblance
    print(f"Millésime {inst.seuils.annee} : {len(inst.parc)} logements sociaux, {len(inst.occupants)} ménages, "
          f"{len(inst.demandeurs)} demandes ouvertes ; départs estimés par {df + 1} cellules "
          f"(rapport de vraisemblance {stat:.0f}, p = {pvalue:.2g}).")  # fmt: skip
    ensembles = []
    with client(args.cluster, args.workers) as c:
        for s in scenarios:
            s = resoudre(s, args.store)
            verifier(s, inst)
            e = lancer(inst, s, dask_client=c, progression=_progress)
            ensembles.append(e)
            print(f"« {s.nom} » : {e.replicats} tirages sur {s.horizon} ans en {e.duree_s:.1f} s "
                  f"({e.workers} processus Dask).")  # fmt: skip
    import numpy as np

    horizon_year = inst.seuils.annee + min(e.indices.shape[1] for e in ensembles) - 1
    for name, pct in (("part_q1_loges_en_qpv", True), ("part_q1_parmi_menages_qpv", True),
                      ("D_premier_quartile_iris", False)):  # fmt: skip
        j = INDICES.index(name)
        print(f"{name} au 1er janvier {horizon_year} :")
        for e in ensembles:
            t = horizon_year - inst.seuils.annee
            low, mid, high = np.nanquantile(e.indices[:, t, j], (0.05, 0.5, 0.95))
            start = e.indices[0, 0, j]
            print(f"  {e.scenario.nom} : {_fr(mid, pct)} [{_fr(low, pct)} ; {_fr(high, pct)}] "
                  f"(millésime : {_fr(start, pct)})")  # fmt: skip
    sheets = tableaux(ensembles, inst, fit, args.bailleur, args.typologie)
    notes = [AVERTISSEMENT, "Secret statistique : aucune case ne repose sur moins de 11 ménages "
             "(cases vides) ; les entrées ne sont publiées qu'en nombre."]  # fmt: skip
    if args.bailleur:
        notes.append(f"Feuille « entrees du bailleur » : entrées de {args.bailleur} une à une, "
                     "diffusion restreinte à ce bailleur.")  # fmt: skip
    ecrire(args.sortie, sheets, notes)
    if args.graphiques is not None:
        from mixite.io.eventails import eventails

        written = eventails(ensembles, inst.seuils.annee, args.graphiques)
        print(f"Éventails : {len(written)} fichiers dans {args.graphiques}")
    return 0
