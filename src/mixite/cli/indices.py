"""``mixite indices``: every index for every region of a file of units."""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixite.cli.types import hidden
from mixite.indices import INDICES, segregation_indices
from mixite.indices.decomposition import decompose_scales
from mixite.indices.inference import random_benchmark
from mixite.io.readers import read_table

FORMATS = (".csv", ".parquet", ".json")


def add_parser(
    sub: argparse._SubParsersAction[Any], store_arg: Callable[[argparse.ArgumentParser], None]
) -> None:
    del store_arg  # the command works on a file, not on the store
    p = sub.add_parser(
        "indices",
        help="indices de ségrégation et de mixité pour chaque région d'un fichier d'unités",
        description="Calcule les indices du registre pour chaque région (--par) d'un fichier "
        "d'unités (carreaux, IRIS…) : une ligne par région, une colonne par indice.",
        epilog="Indices : " + ", ".join(INDICES),
    )
    p.add_argument("fichier", type=Path, help="fichier d'unités (.csv, .parquet, .xlsx)")
    p.add_argument(
        "--groupe", dest="group", help="colonne de l'effectif du groupe (indices à un groupe)"
    )
    p.add_argument("--total", help="colonne de la population de l'unité")
    p.add_argument(
        "--groupes",
        dest="groups",
        help="colonnes des groupes, séparées par des virgules (indices multigroupes)",
    )
    p.add_argument(
        "--ordonne",
        action="store_true",
        help="les groupes sont ordonnés (classes de revenu) : indices ordinaux en plus",
    )
    p.add_argument("--par", dest="by", help="colonne des régions (sinon une seule région)")
    p.add_argument(
        "--indice",
        dest="index",
        action="append",
        help="indice à calculer (répétable ; défaut : tous ceux possibles)",
    )
    p.add_argument(
        "--echelles",
        help="niveaux emboîtés, du plus large au plus fin, séparés par des virgules : décomposition de M",
    )
    p.add_argument(
        "--aleatoire",
        type=int,
        metavar="N",
        help="ajouter pour chaque indice à un groupe sa valeur attendue sous répartition aléatoire (N tirages) et sa valeur corrigée",
    )
    p.add_argument("--graine", type=int, default=2014, help="graine des tirages (défaut 2014)")
    p.add_argument(
        "--sortie", dest="output", type=Path, help="fichier de sortie .csv, .parquet ou .json"
    )
    # The first spellings, kept working but no longer shown.
    hidden(p, "--group", dest="group")
    hidden(p, "--groups", dest="groups")
    hidden(p, "--by", dest="by")
    hidden(p, "--index", dest="index", action="append")
    hidden(p, "--output", dest="output", type=Path)


def run(args: argparse.Namespace) -> int:
    if args.output is None:
        raise ValueError("indiquez le fichier de sortie avec --sortie (.csv, .parquet ou .json)")
    if args.output.suffix.lower() not in FORMATS:
        raise ValueError(
            f"format de sortie non pris en charge : « {args.output.suffix} » ; formats : {', '.join(FORMATS)}"
        )
    raw = read_table(args.fichier)
    units = raw.frame.copy()
    numeric = [
        c for c in [args.group, args.total, *(args.groups.split(",") if args.groups else [])] if c
    ]
    for column in numeric:
        if column not in units.columns:
            raise ValueError(
                f"colonne « {column} » absente de {raw.source} ; colonnes : {', '.join(units.columns)}"
            )
        units[column] = pd.to_numeric(
            units[column].str.replace(",", ".", regex=False), errors="coerce"
        )
    groups = args.groups.split(",") if args.groups else None
    levels = args.echelles.split(",") if args.echelles else []
    for column in [*levels, *([args.by] if args.by else [])]:
        if column not in units.columns:
            raise ValueError(
                f"colonne « {column} » absente de {raw.source} ; colonnes : {', '.join(units.columns)}"
            )
    for coarse, fine in itertools.pairwise(levels):
        parents = units.groupby(fine, dropna=False)[coarse].nunique(dropna=False)
        if (parents > 1).any():
            examples = ", ".join(str(v) for v in parents[parents > 1].index[:3])
            raise ValueError(
                f"l'échelle « {fine} » n'est pas emboîtée dans « {coarse} » : {int((parents > 1).sum())} "
                f"valeur(s) appartiennent à plusieurs (ex. {examples}) ; donnez les échelles de la plus large à la plus fine"
            )
    if args.echelles:
        if not groups:
            raise ValueError("la décomposition par échelles demande --groupes")
        result = decompose_scales(units, groups=groups, levels=levels).table
    elif args.aleatoire:
        if not (args.group and args.total):
            raise ValueError("--aleatoire demande --groupe et --total")
        result = random_benchmark(
            units,
            group=args.group,
            total=args.total,
            by=args.by,
            indices=args.index,
            draws=args.aleatoire,
            rng=np.random.default_rng(args.graine),
        ).reset_index()
    else:
        result = segregation_indices(
            units,
            group=args.group,
            groups=groups,
            total=args.total,
            by=args.by,
            indices=args.index,
            ordered=args.ordonne,
        ).reset_index()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    suffix = args.output.suffix.lower()
    if suffix == ".csv":
        result.to_csv(args.output, index=False)
    elif suffix == ".parquet":
        result.to_parquet(args.output, index=False)
    else:
        result.to_json(args.output, orient="records", force_ascii=False, indent=1)
    with pd.option_context("display.width", 200, "display.max_columns", 12):
        print(result.head(20).to_string(index=False))
    print(f"{len(result)} ligne(s) écrite(s) dans {args.output}")
    return 0
