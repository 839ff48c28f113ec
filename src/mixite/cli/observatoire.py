"""``mixite observatoire``: indicators at every level and the fragility index, from the store."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixite.cli.sortie import afficher, avec_bandeau, bandeau, ecrire, etapes, synthetique
from mixite.cli.types import hidden
from mixite.core.secret import THRESHOLD
from mixite.io import refdata
from mixite.io.config import load_fragility
from mixite.io.queries import households_in_context
from mixite.io.refdata import default_poverty_threshold
from mixite.io.store import Store
from mixite.observatoire import indice_fragilite, stabilite_des_rangs
from mixite.observatoire.indicateurs import CATALOGUE, TOTAL, flags, indicateurs

NIVEAUX = {
    "carreau": "idcar_200m",
    "iris": "code_iris",
    "qpv": "code_qpv",
    "commune": "code_commune",
    "territoire": "code_territoire",
    "epci": "code_epci",
    "batiment": "id_batiment",
    "entree": "id_entree",
}


def add_parser(
    sub: argparse._SubParsersAction[Any], store_arg: Callable[[argparse.ArgumentParser], None]
) -> None:
    obs = sub.add_parser(
        "observatoire",
        help="indicateurs d'occupation sociale et indice de fragilité",
        description="Indicateurs à toutes les échelles (secret statistique appliqué) et indice de fragilité.",
    )
    osub = obs.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=sub._parser_class
    )
    stock = osub.add_parser(
        "parc", help="parc social : logements, vacance, rotation (secret appliqué)"
    )
    stock.add_argument(
        "--niveau",
        choices=[k for k in NIVEAUX if k not in ("carreau", "epci")],
        default="commune",
        help="échelle",
    )
    stock.add_argument(
        "--mois",
        type=int,
        default=12,
        help="période des attributions pour la rotation, en mois (défaut 12)",
    )
    stock.add_argument("--sortie", type=Path, help="écrire le tableau (.csv, .parquet ou .xlsx)")
    store_arg(stock)
    grid = osub.add_parser(
        "filosofi",
        help="indicateurs communaux d'un fichier Filosofi carroyé (carreaux imputés signalés)",
    )
    grid.add_argument("carreaux", type=Path, help="fichier Filosofi carroyé 200 m (CSV INSEE)")
    grid.add_argument("--sortie", type=Path, help="écrire le tableau (.csv, .parquet ou .xlsx)")
    store_arg(grid)
    maps = osub.add_parser(
        "cartes", help="cartes PNG et SVG : carte de la mixité et indice de fragilité"
    )
    maps.add_argument(
        "--sortie", type=Path, default=Path("cartes"), help="dossier des cartes (défaut : ./cartes)"
    )
    maps.add_argument(
        "--portee",
        type=float,
        default=400.0,
        help="portée du lissage de la carte de la mixité, en mètres (défaut 400)",
    )
    maps.add_argument(
        "--martinique",
        type=Path,
        help="fichier Filosofi carroyé (200 m) : carte de la mixité de ce territoire aussi",
    )
    maps.add_argument(
        "--filosofi-communes",
        type=Path,
        help="fichier Filosofi communal : indice de fragilité réel des communes de la MEL aussi",
    )
    _sources_args(maps)
    store_arg(maps)
    typo = osub.add_parser(
        "typologie", help="typologie des zones (Arras, Pecquencourt ou YAML), avec les motifs"
    )
    typo.add_argument("--modele", default="arras", help="arras, pecquencourt ou un fichier YAML")
    typo.add_argument("--niveau", choices=list(NIVEAUX), default="commune", help="échelle")
    typo.add_argument("--sortie", type=Path, help="écrire le résultat (.csv ou .xlsx)")
    _sources_args(typo)
    store_arg(typo)
    veille = osub.add_parser(
        "veille", help="veille des entrées d'immeuble (quatre variables, seuils et marges)"
    )
    veille.add_argument(
        "--bailleur",
        help="code du bailleur qui consulte ses entrées (sinon : nombre d'entrées par statut)",
    )
    veille.add_argument("--sortie", type=Path, help="écrire le résultat (.csv ou .xlsx)")
    veille.add_argument(
        "--calibrer",
        type=float,
        metavar="CENTILE",
        help="seuils tirés des entrées du bailleur (ou du parc) : chaque seuil au centile "
        "donné, la marge jusqu'au centile 95 (défaut : 90 sans --reglages ; avec --reglages, "
        "les seuils du fichier)",
    )
    veille.add_argument(
        "--reglages",
        dest="config",
        type=Path,
        help="réglages YAML (variables, seuils, marges ; défaut : modèle Vilogia)",
    )
    hidden(veille, "--config", dest="config", type=Path)
    store_arg(veille)
    for name, helptext in (
        ("indicateurs", "indicateurs d'un niveau (secret appliqué)"),
        ("fragilite", "indice de fragilité et stabilité de ses classes"),
    ):
        p = osub.add_parser(name, help=helptext)
        p.add_argument(
            "--niveau",
            choices=list(NIVEAUX),
            default="commune",
            help="échelle : " + ", ".join(NIVEAUX),
        )
        p.add_argument(
            "--millesime", type=int, help="millésime des ménages (défaut : le plus récent)"
        )
        p.add_argument(
            "--seuil-pauvrete",
            type=float,
            help="seuil de pauvreté en € par UC et par an (défaut : seuil Filosofi 2016 revalorisé comme le plafond PLUS)",
        )
        p.add_argument("--sortie", type=Path, help="écrire le tableau (.csv ou .xlsx)")
        _sources_args(p)
        store_arg(p)
        if name == "fragilite":
            p.add_argument(
                "--reglages",
                dest="config",
                type=Path,
                help="réglages YAML de l'indice (défaut : modèle lillois)",
            )
            hidden(p, "--config", dest="config", type=Path)
            p.add_argument(
                "--tirages",
                type=int,
                default=1000,
                help="tirages de poids pour la stabilité (défaut 1000)",
            )
            p.add_argument("--graine", type=int, default=2014, help="graine des tirages")


def _sources_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sources",
        choices=("auto", "menages", "publiques"),
        default="auto",
        help="ménages de la base (jumeau, OPS) ou sources publiques importées (Filosofi, "
        "recensement, carreaux, résultats OPS) ; auto : les ménages s'ils couvrent tous les "
        "statuts, sinon les sources publiques (docs/donnees-reelles.md)",
    )
    p.add_argument(
        "--territoire",
        metavar="epci:SIREN|dep:NN|commune:CODE",
        help="sources publiques : zones de ce territoire (défaut : communes de la base)",
    )


def _vintage(households: pd.DataFrame, asked: int | None) -> int:
    """The vintage asked (``--millesime``) or the latest; a missing one is said in French."""
    available = sorted(int(y) for y in households["millesime"].dropna().unique())
    if not available:
        raise ValueError("aucun ménage dans la base ; lancez « mixite demo » ou importez-en")
    if asked is None:
        return available[-1]
    if asked not in available:
        raise ValueError(
            f"millésime {asked} absent de la base ; millésimes : {', '.join(map(str, available))}"
        )
    return asked


def _with_names(table: pd.DataFrame, level: str, store: Store) -> pd.DataFrame:
    """The zone's name beside its code (communes, territories, QPV), when the store has it."""
    sources = {
        "code_commune": ("communes", "code_commune", "nom"),
        "code_qpv": ("qpv", "code_qpv", "nom"),
    }
    if level not in sources or level not in table.columns:
        return table
    name, key, label = sources[level]
    names = store.read_if_exists(name, [key, label])
    if names.empty:
        return table
    mapping = dict(zip(names[key].astype(str), names[label].astype(str), strict=False))
    out = table.copy()
    out.insert(1, "nom", out[level].astype(str).map(mapping).fillna(""))
    return out


def _households(store: Store) -> pd.DataFrame:
    return households_in_context(store)


def run(args: argparse.Namespace) -> int:
    if args.action in ("indicateurs", "fragilite", "typologie", "cartes"):
        from mixite.cli import observatoire_sources as pub

        if pub.mode(args.store, args.sources) == "publiques":
            level = NIVEAUX[getattr(args, "niveau", "commune")]
            if args.action == "indicateurs":
                return pub.indicateurs(args, level, _with_names)
            if args.action == "fragilite":
                return pub.fragilite(args, level, _with_names)
            if args.action == "typologie":
                return pub.typologie(args, level)
            for path in pub.cartes(args):
                print(f"Écrit : {path}")
            return 0
    if args.action == "veille":
        return _watch(args)
    if args.action == "typologie":
        return _typology(args)
    if args.action == "cartes":
        with etapes("Cartes", 4) as step:
            return _maps(args, step)
    if args.action == "parc":
        return _stock(args)
    if args.action == "filosofi":
        return _filosofi(args)
    with etapes(f"Observatoire ({args.action})", 3) as step:
        step("lecture de la base")
        return _indicators(args, step)


def _indicators(args: argparse.Namespace, step: Callable[[str], None]) -> int:
    from mixite.io.publication import indicateurs_publies

    store: Store = args.store
    level = NIVEAUX[args.niveau]
    step("indicateurs de chaque zone ; secret statistique, tous niveaux à la fois")
    # Secrecy is decided for every level at once, so that no two levels recover a cell.
    pub = indicateurs_publies(store, millesime=args.millesime, seuil_pauvrete=args.seuil_pauvrete)
    year, threshold, how = pub.millesime, pub.seuil_pauvrete, pub.seuil_explication
    households, f = pub.menages, pub.flags
    if level not in pub.tables:
        raise ValueError(f"niveau « {args.niveau} » absent des ménages de la base")
    table = pub.tables[level]
    raw = indicateurs(households, f, level)
    notes = avec_bandeau(
        [
            f"Millésime {year} ; niveau : {args.niveau} ; seuil de pauvreté {threshold:.0f} € par UC et par an ({how})",
            f"Secret statistique : aucune case ne décrit moins de {THRESHOLD} ménages, ni directement ni par différence entre lignes, niveaux ou dates (cases masquées vides) ; taux arrondis à 0,1 point",
        ],
        households,
    )
    titles = {i.code: f"{i.libelle} ({i.unite})" for i in CATALOGUE}
    if args.action == "indicateurs":
        out = (
            table.drop(columns=[c for c in table.columns if c.startswith("n_")])
            .rename(columns=titles)
            .reset_index()
        )
    else:
        config = load_fragility(args.config)
        zones = raw.drop(index=TOTAL)
        published = table.drop(index=TOTAL)
        small = published["menages"].isna()
        result = stabilite_des_rangs(
            zones[~small], config, draws=args.tirages, rng=np.random.default_rng(args.graine)
        )
        detail = indice_fragilite(zones[~small], config)
        out = result.join(detail.drop(columns=["score", "rang", "classe"])).reset_index()
        notes.append(config.describe())
        notes.append(
            f"Stabilité : {args.tirages} tirages de poids (Dirichlet, concentration 50) ; {int(small.sum())} zone(s) de moins de 11 ménages écartée(s)"
        )
        notes.append(
            f"Part moyenne des tirages où une zone garde sa classe : {result['part_classe_conservee'].mean():.1%}"
        )
    for n in notes:
        print(n)
    out = _with_names(out, level, store)
    if args.action == "indicateurs":
        afficher(out, limit=20, sort_by=titles["menages"])
    else:
        afficher(out, limit=20, sort_by="rang", ascending=True)
    ecrire(
        args.sortie,
        {"Observatoire": out, "Catalogue": pd.DataFrame([i.__dict__ for i in CATALOGUE])},
        notes,
    )
    return 0


def _watch(args: argparse.Namespace) -> int:
    from mixite.core.acces import Perimetre
    from mixite.io.publication import veille_des_entrees
    from mixite.observatoire.veille import watch

    store: Store = args.store
    v = veille_des_entrees(store, bailleur=args.bailleur, calibrer=args.calibrer,
                           reglages=args.config)  # fmt: skip
    result, variables, houses, households, year = (
        v.entrees,
        v.variables,
        v.maisons,
        v.menages,
        v.millesime,
    )
    entrances = result
    viewer = Perimetre("bailleur", args.bailleur) if args.bailleur else Perimetre("epci", "public")
    seen = watch(result, viewer)
    print(
        f"{len(entrances)} entrées d'immeubles collectifs ; {houses} maison(s) individuelle(s) hors veille"
    )
    print(
        "Variables : "
        + " ; ".join(f"{v.libelle} seuil {v.seuil:g} marge {v.marge:g}" for v in variables)
    )
    banner = bandeau(households)
    if banner:
        print(banner)
    with pd.option_context(
        "display.width", 200, "display.max_columns", 10, "display.max_colwidth", 80
    ):
        print(seen.head(20).to_string())
    ecrire(
        args.sortie,
        {"Veille des entrées": seen.reset_index()},
        avec_bandeau(
            [
                f"Millésime {year}",
                f"Entrées d'immeubles collectifs ; {houses} maison(s) individuelle(s) hors veille",
                "Seuils : " + v.calibrage,
                "Aide à la décision : chaque statut est accompagné de ses motifs",
            ],
            households,
        ),
    )
    return 0


def _typology(args: argparse.Namespace) -> int:
    from mixite.io.config import load_typology
    from mixite.io.publication import evolution_publiee
    from mixite.observatoire.typologie import classer

    store: Store = args.store
    households = _households(store)
    evolution = evolution_publiee(store, NIVEAUX[args.niveau])
    zones, years = evolution.dernier.drop(index=TOTAL), evolution.millesimes
    typology = load_typology(args.modele)
    result = classer(zones, typology).reset_index()
    print(f"{typology.nom} ; niveau {args.niveau} ; millésimes {years[0]}–{years[-1]}")
    if len(years) == 1:
        print("Un seul millésime : l'axe démographique (évolution) est non renseigné.")
    print(result["classe"].value_counts().to_string())
    ecrire(
        args.sortie,
        {"Typologie": result},
        avec_bandeau([typology.nom, "Chaque classe est accompagnée de ses motifs"], households),
    )
    return 0


def _maps(args: argparse.Namespace, step: Callable[[str], None]) -> int:
    from mixite.io.cartes import FRAGILITY_LABELS, grid_map, polygon_map
    from mixite.io.config import load_fragility
    from mixite.observatoire.carte_mixite import classer_carreaux, classer_carreaux_filosofi
    from mixite.twin.geography import to_l93, to_laea

    step("lecture de la base")
    store: Store = args.store
    written: list[Path] = []
    households = _households(store)
    year = int(households["millesime"].max())
    households = households[households["millesime"] == year]
    f = flags(households, refdata.plafonds_ressources(), millesime=year, zone=3, seuil_pauvrete=0.0)
    hh = pd.DataFrame(
        {
            "idcar_200m": households["idcar_200m"].to_numpy(),
            "niveau_de_vie": f["niveau_de_vie"].to_numpy(),
            "personnes": f["personnes"].to_numpy(),
        }
    )
    cells = store.read("carreaux", ["idcar_200m", "x", "y"])
    synthetic = (
        "jumeau SYNTHÉTIQUE de la MEL (mixite demo)" if synthetique(households) else "base mixite"
    )
    step("carte de la mixité")
    mix = classer_carreaux(hh, cells, bandwidth=args.portee)
    sources = refdata.mel_sources()
    polygons = sources.polygons
    commune_names = sources.communes.set_index("insee_code")["name"].astype(str).to_dict()
    # Names of the 12 most populous communes, outlines of all.
    biggest = set(households["code_commune"].value_counts().head(12).index.astype(str))
    outlines = [
        (to_laea(polygons[c]), commune_names.get(c) if c in biggest else None) for c in polygons
    ]
    tag = " — DONNÉES SYNTHÉTIQUES" if synthetique(households) else ""
    written += grid_map(
        mix["x"].to_numpy(),
        mix["y"].to_numpy(),
        mix["classe"].tolist(),
        cell=200.0,
        title=f"Mixité sociale, carreaux de 200 m lissés à {args.portee:g} m ({year}){tag}",
        source=synthetic,
        base=args.sortie / "mel_jumeau_mixite",
        outlines=outlines,
    )
    raw = indicateurs(
        households,
        flags(
            households,
            refdata.plafonds_ressources(),
            millesime=year,
            zone=3,
            seuil_pauvrete=default_poverty_threshold(year),
        ),
        "code_commune",
    ).drop(index=TOTAL)
    step("carte de la fragilité")
    frag = indice_fragilite(raw, load_fragility(None))
    codes = [c for c in frag.index if c in polygons]
    written += polygon_map(
        [to_l93(polygons[c]) for c in codes],
        frag.loc[codes, "classe"].tolist(),
        FRAGILITY_LABELS,
        title=f"Indice de fragilité des communes ({year}){tag}",
        source=synthetic + " ; contours IGN 2018",
        base=args.sortie / "mel_jumeau_fragilite",
        names=[commune_names.get(c) if c in biggest else None for c in codes],
    )
    step("Martinique et Filosofi")
    if args.martinique:
        grid = _read_insee(args.martinique, ["Idcar_200m", "Men", "Men_pauv", "Ind", "Ind_snv"])
        corner = grid["Idcar_200m"].str.extract(r"N(\d+)E(\d+)").astype(float)
        grid["y"], grid["x"] = corner[0], corner[1]
        classes = classer_carreaux_filosofi(grid, bandwidth=args.portee)
        written += grid_map(
            classes["x"].to_numpy(),
            classes["y"].to_numpy(),
            classes["classe"].tolist(),
            cell=200.0,
            title=f"Martinique : mixité sociale, carreaux de 200 m lissés à {args.portee:g} m",
            source="Insee, Filosofi 2017, données carroyées",
            base=args.sortie / "martinique_mixite",
        )
    if args.filosofi_communes:
        from mixite.observatoire import Composante, ConfigFragilite

        com = _read_insee(args.filosofi_communes, ["CODGEO", "MED16", "D116"])
        mel = com[com["CODGEO"].isin(polygons)].set_index("CODGEO")
        cfg = ConfigFragilite(
            tuple(
                Composante(c, "-" if sens == "-" else "+")
                for c, sens in (
                    ("MED16", "-"),
                    ("D116", "-"),
                    ("TP6016", "+"),
                    ("PPSOC16", "+"),
                    ("PPMINI16", "+"),
                    ("PCHO16", "+"),
                )
            )
        )
        real = indice_fragilite(mel, cfg)
        written += polygon_map(
            [to_l93(polygons[c]) for c in real.index],
            real["classe"].tolist(),
            FRAGILITY_LABELS,
            title="MEL : indice de fragilité des communes (Filosofi 2016)",
            source="Insee, Filosofi 2016 ; contours IGN 2018",
            base=args.sortie / "mel_filosofi2016_fragilite",
        )
    for path in written:
        print(f"Écrit : {path}")
    return 0


def _show_and_write(table: pd.DataFrame, notes: list[str], sortie: Path | None, sheet: str) -> int:
    for n in notes:
        print(n)
    measure = next((c for c in table.columns[1:] if pd.api.types.is_numeric_dtype(table[c])), None)
    afficher(table, limit=20, sort_by=measure)
    ecrire(sortie, {sheet: table}, notes)
    return 0


def _stock(args: argparse.Namespace) -> int:
    from mixite.io.publication import parc_publie

    store: Store = args.store
    table, period = parc_publie(store, NIVEAUX[args.niveau], args.mois)
    notes = avec_bandeau(
        [
            f"Attributions {period} ; rotation = attributions / logements",
            f"Secret statistique : effectifs de moins de {THRESHOLD} masqués, ni directement ni par différence entre niveaux",
        ],
        store.read("logements", ["synthetique"]),
    )
    return _show_and_write(table, notes, args.sortie, "Parc social")


#: Text columns of INSEE files (codes); every other column is a number.
_INSEE_TEXT = ("Idcar_200m", "Idcar_1km", "Idcar_nat", "lcog_geo", "CODGEO", "LIBGEO", "Groupe")


def _read_insee(path: Path, required: list[str]) -> pd.DataFrame:
    """An INSEE CSV read by mixite's reader (French errors for a missing, empty or broken
    file), its required columns checked, numbers converted (decimal comma accepted;
    secret cells stay empty)."""
    from mixite.core.validation import Problem
    from mixite.errors import InvalidDataError
    from mixite.io.readers import read_table

    try:
        raw = read_table(path).frame
    except InvalidDataError as exc:
        raise exc.relabel("lecture") from None
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise InvalidDataError(
            [
                Problem(0, c, "", "colonne obligatoire absente du fichier", path.name)
                for c in missing
            ],
            total=len(missing),
            source=path.name,
            action="lecture",
        )
    out = pd.DataFrame(index=raw.index)
    for c in raw.columns:
        text = raw[c].astype("string").str.strip()
        if c in _INSEE_TEXT:
            out[c] = text.where(text != "", None)
        else:
            out[c] = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    return out


def _filosofi(args: argparse.Namespace) -> int:
    from mixite.observatoire.indicateurs import indicateurs_filosofi

    grid = _read_insee(args.carreaux, ["Idcar_200m", "Men", "Men_pauv", "lcog_geo", "I_est_200"])
    table = indicateurs_filosofi(grid).reset_index()
    notes = [
        f"Source : Insee, Filosofi carroyé ({args.carreaux.name}) ; carreau rattaché à la première commune de lcog_geo",
        "part_menages_carreaux_imputes : part des ménages vivant dans des carreaux imputés (I_est_200 = 1, secret)",
        f"Secret statistique : effectifs de moins de {THRESHOLD} ménages masqués",
    ]
    return _show_and_write(table, notes, args.sortie, "Filosofi carroyé")
