"""``mixite observatoire … --sources publiques``: the observatory of a store without
households, from the published sources it holds (Filosofi, census, grid, OPS results)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from mixite.cli.sortie import afficher, ecrire
from mixite.core.secret import THRESHOLD
from mixite.io.queries import lecteur_sources
from mixite.io.store import Store
from mixite.observatoire.fragilite import ConfigFragilite
from mixite.observatoire.sources import (
    INDICATEURS,
    NIVEAUX_SOURCES,
    SOURCES,
    Provenance,
    Reader,
    observatoire,
)

#: Microdata first when the store has every tenure; published sources otherwise.
MODES = ("auto", "menages", "publiques")


def has_all_tenures(store: Store) -> bool:
    """Whether the store's households cover every tenure (the twin), not only the social
    tenants of an OPS survey."""
    if not store.has_table("menages"):
        return False
    n = store.query(
        "SELECT count(*) AS n FROM menages WHERE statut_occupation <> 'locataire_social'"
    )
    return int(n["n"].iloc[0]) > 0


def has_sources(store: Store) -> bool:
    return any(store.has_table(s.tables[0]) for s in SOURCES.values())


def mode(store: Store, asked: str) -> str:
    """The source mode: the one asked, or for ``auto`` the household microdata when they
    cover every tenure, else the published sources, else the households (OPS)."""
    if asked != "auto":
        return asked
    if has_all_tenures(store):
        return "menages"
    if has_sources(store):
        return "publiques"
    return "menages"


def territoire(store: Store, text: str | None) -> frozenset[str] | None:
    """``epci:SIREN``, ``dep:59`` or ``commune:59350,59512`` as commune codes; by default
    the communes the store holds (none: every zone of the sources)."""
    read = lecteur_sources(store)
    communes = read("communes")
    known = set(communes["code_commune"].astype(str)) if not communes.empty else set()
    if text is None:
        return frozenset(known) or None
    kind, _, value = text.partition(":")
    codes = [v.strip() for v in value.split(",") if v.strip()]
    if kind == "commune" and codes:
        return frozenset(codes)
    if kind == "dep" and codes:
        pool = known | _all_communes(read)
        found = frozenset(c for c in pool if any(c.startswith(d) for d in codes))
        if found:
            return found
        raise ValueError(f"--territoire : aucune commune du département {', '.join(codes)}")
    if kind == "epci" and codes:
        from mixite.io import refdata

        # Any vintage of the DGCL membership (an EPCI's SIREN changes when it merges),
        # and the store's own communes.
        m = refdata.epci_membership()
        members = set(m.loc[m["epci_siren"].isin(codes), "insee_code"].astype(str))
        if not communes.empty and "code_epci" in communes:
            members |= set(communes.loc[communes["code_epci"].isin(codes), "code_commune"])
        if members:
            return frozenset(members)
        raise ValueError(f"--territoire : EPCI {', '.join(codes)} inconnu de la base")
    raise ValueError(
        f"--territoire « {text} » ; attendu : epci:SIREN, dep:NN ou commune:CODE[,CODE…]"
    )


def _all_communes(read: Reader) -> set[str]:
    """Every commune some published source of the store describes."""
    out: set[str] = set()
    z = read("filosofi_zones")
    if not z.empty:
        out |= set(z.loc[z["niveau"] == "commune", "code_zone"].astype(str))
    for name in ("recensement_iris_logements", "recensement_iris_menages"):
        t = read(name)
        if not t.empty:
            out |= set(t["code_iris"].astype(str).str[:5])
    g = read("filosofi_carreaux")
    if not g.empty:
        out |= set(g["lcog_geo"].dropna().astype(str).str[:5])
    return out


def provenance_table(chosen: list[Provenance]) -> pd.DataFrame:
    """One row per indicator: its label, source, vintage, field and definition."""
    return pd.DataFrame(
        {
            "indicateur": [p.indicateur for p in chosen],
            "libellé": [p.libelle for p in chosen],
            "source": [SOURCES[p.source].libelle for p in chosen],
            "millésime": [p.millesime for p in chosen],
            "champ": [SOURCES[p.source].champ for p in chosen],
            "définition": [p.definition for p in chosen],
        }
    )


def table(
    store: Store, level: str, args: argparse.Namespace
) -> tuple[pd.DataFrame, list[Provenance], list[str]]:
    """The published table of ``level`` with its provenance and notes (French errors)."""
    if level not in NIVEAUX_SOURCES:
        raise ValueError(
            "niveau non disponible avec les sources publiques ; niveaux : carreau, iris, "
            "qpv, commune, epci"
        )
    asked = getattr(args, "territoire", None)
    communes = territoire(store, asked)
    read = lecteur_sources(store)
    try:
        try:
            out, chosen, notes = observatoire(
                read, level, millesime=args.millesime, communes=communes
            )
        except LookupError:
            if asked is not None or communes is None:
                raise
            # By default the store's communes; a level none of them has (the Martinique
            # grid in a Nord store) is shown whole.
            communes = None
            out, chosen, notes = observatoire(read, level, millesime=args.millesime)
    except LookupError:
        held = [s.libelle for s in SOURCES.values() if store.has_table(s.tables[0])]
        raise ValueError(
            "aucune source publique de la base ne couvre ce niveau"
            + (f" (millésime {args.millesime})" if args.millesime else "")
            + " ; sources présentes : "
            + (", ".join(held) or "aucune (importez Filosofi, le recensement, l'OPS…)")
        ) from None
    notes = [
        *notes,
        f"Secret statistique : aucune case ne décrit moins de {THRESHOLD} ménages, ni "
        "directement ni par différence (IRIS et communes publiés ensemble) ; cases masquées "
        "vides ; taux arrondis à 0,1 point",
    ]
    if communes is not None:
        notes.append(f"Territoire : {len(communes)} commune(s)")
    if communes is None:
        notes.append(
            "Ligne « ensemble » : somme des effectifs des zones ; les médianes et taux d'une "
            "source qui ne publie pas l'ensemble restent vides"
        )
    else:
        notes.append(
            "Pas de ligne « ensemble » pour un territoire choisi (elle donnerait une zone "
            "masquée par différence entre deux territoires) : la ligne de l'EPCI "
            "(--niveau epci) en tient lieu"
        )
    if "recensement" in {p.source for p in chosen} and level != "code_iris":
        notes.append(
            "Recensement : IRIS d'habitat seulement ; une commune non découpée en IRIS n'a pas "
            "de valeur du recensement"
        )
    return out, chosen, notes


def indicateurs(args: argparse.Namespace, level: str, with_names: object) -> int:
    store: Store = args.store
    out, chosen, notes = table(store, level, args)
    titles = {code: f"{lib}" for code, (lib, _) in INDICATEURS.items()}
    shown = out.rename(columns=titles).reset_index()
    shown = with_names(shown, level, store)  # type: ignore[operator]
    for n in notes:
        print(n)
    afficher(shown, limit=20, sort_by=titles["menages"] if titles["menages"] in shown else None)
    ecrire(args.sortie, {"Observatoire": shown, "Sources": provenance_table(chosen)}, notes)
    return 0


def fragilite(args: argparse.Namespace, level: str, with_names: object) -> int:
    from mixite.io.config import load_fragility
    from mixite.observatoire import indice_fragilite, stabilite_des_rangs

    store: Store = args.store
    out, chosen, notes = table(store, level, args)
    config, zones = rankable(out, load_fragility(args.config, "fragilite-publique.yaml"), notes)
    result = stabilite_des_rangs(
        zones, config, draws=args.tirages, rng=np.random.default_rng(args.graine)
    )
    detail = indice_fragilite(zones, config)
    res = result.join(detail.drop(columns=["score", "rang", "classe"])).reset_index()
    notes.append(config.describe())
    notes.append(
        f"Stabilité : {args.tirages} tirages de poids ; part moyenne des tirages où une zone "
        f"garde sa classe : {result['part_classe_conservee'].mean():.1%}"
    )
    for n in notes:
        print(n)
    res = with_names(res, level, store)  # type: ignore[operator]
    afficher(res, limit=20, sort_by="rang", ascending=True)
    ecrire(args.sortie, {"Fragilité": res, "Sources": provenance_table(chosen)}, notes)
    return 0


def rankable(
    out: pd.DataFrame, config: ConfigFragilite, notes: list[str]
) -> tuple[ConfigFragilite, pd.DataFrame]:
    """The index's components present at this level and the zones that can be ranked:
    a zone with most of its components under secrecy is not ranked on the rest."""
    present = [c for c in config.composantes if c.indicateur in out.columns]
    absent = [c.indicateur for c in config.composantes if c.indicateur not in out.columns]
    if len(present) < 2:
        raise ValueError(
            "indice de fragilité : moins de deux composantes disponibles à ce niveau ; "
            "indicateurs disponibles : " + ", ".join(out.columns)
        )
    if absent:
        notes.append("Composantes absentes à ce niveau, écartées : " + ", ".join(absent))
    zones = out.drop(index="ensemble", errors="ignore").astype(float)
    if "menages" in zones:
        zones = zones[zones["menages"].notna()]
    enough = zones[[c.indicateur for c in present]].notna().sum(axis=1) * 2 >= len(present)
    if (~enough).any():
        notes.append(
            f"{int((~enough).sum())} zone(s) écartée(s) : moins de la moitié des composantes "
            "publiées (secret de l'Insee ou de mixite)"
        )
    return replace(config, composantes=tuple(present)), zones[enough]


def typologie(args: argparse.Namespace, level: str) -> int:
    from mixite.io.config import load_typology
    from mixite.observatoire.typologie import classer

    store: Store = args.store
    args.millesime = getattr(args, "millesime", None)
    out, chosen, notes = table(store, level, args)
    typology = load_typology(args.modele)
    zones = out.drop(index="ensemble", errors="ignore")
    result = classer(zones, typology).reset_index()
    print(f"{typology.nom} ; niveau {args.niveau} ; sources publiques")
    for n in notes:
        print(n)
    print(result["classe"].value_counts().to_string())
    ecrire(args.sortie, {"Typologie": result, "Sources": provenance_table(chosen)}, notes)
    return 0


def cartes(args: argparse.Namespace) -> list[Path]:
    """The maps of a store without households: the mix map of each Filosofi grid held,
    the fragility of the communes from the published sources, on their outlines."""
    from mixite.io.cartes import FRAGILITY_LABELS, grid_map, polygon_map
    from mixite.observatoire import indice_fragilite
    from mixite.observatoire.carte_mixite import classer_carreaux_filosofi

    store: Store = args.store
    written: list[Path] = []
    read = lecteur_sources(store)
    grid = read("filosofi_carreaux")
    for year in sorted(grid["millesime"].unique()) if not grid.empty else []:
        g = grid[grid["millesime"] == year]
        cells = pd.DataFrame(
            {
                "Idcar_200m": g["idcar_200m"].astype(str),
                "Men": g["men"].astype(float),
                "Men_pauv": g["men_pauv"].astype(float),
                "Ind": g["ind"].astype(float),
                "Ind_snv": g["ind_snv"].astype(float),
            }
        )
        corner = cells["Idcar_200m"].str.extract(r"N(\d+)E(\d+)").astype(float)
        cells["y"], cells["x"] = corner[0].to_numpy(), corner[1].to_numpy()
        crs = cells["Idcar_200m"].str.extract(r"CRS(\d+)")[0].iloc[0]
        classes = classer_carreaux_filosofi(cells, bandwidth=args.portee)
        written += grid_map(
            classes["x"].to_numpy(),
            classes["y"].to_numpy(),
            classes["classe"].tolist(),
            cell=200.0,
            title=f"Mixité sociale, carreaux de 200 m lissés à {args.portee:g} m (Filosofi {year})",
            source=f"Insee, Filosofi {year}, données carroyées (EPSG:{crs})",
            base=args.sortie / f"filosofi{year}_mixite",
        )
    communes = read("communes")
    if communes.empty or not store.has_table("filosofi_zones"):
        return written
    from shapely import wkb

    from mixite.twin.geography import to_l93

    args.millesime, args.territoire = None, getattr(args, "territoire", None)
    out, chosen, _notes = table(store, "code_commune", args)
    from mixite.io.config import load_fragility

    config, zones = rankable(out, load_fragility(None, "fragilite-publique.yaml"), [])
    frag = indice_fragilite(zones, config)
    geoms = communes.dropna(subset=["geometrie"]).set_index("code_commune")
    codes = [c for c in frag.index if c in geoms.index]
    shapes = {c: to_l93(wkb.loads(bytes(geoms.loc[c, "geometrie"]))) for c in codes}
    biggest = _spread_names(zones.loc[codes, "menages"], shapes)
    names = geoms["nom"].astype(str).to_dict()
    year = max(p.millesime for p in chosen)
    written += polygon_map(
        [shapes[c] for c in codes],
        frag.loc[codes, "classe"].tolist(),
        FRAGILITY_LABELS,
        title=f"Indice de fragilité des communes (données publiques, {year})",
        source="; ".join(sorted({f"{SOURCES[p.source].libelle} {p.millesime}" for p in chosen}))
        + " ; contours du fichier importé",
        base=args.sortie / "communes_fragilite_publique",
        names=[names.get(c) if c in biggest else None for c in codes],
    )
    return written


def _spread_names(
    households: pd.Series,
    shapes: Mapping[str, BaseGeometry],
    *,
    count: int = 12,
    apart_m: float = 12_000,
) -> set[str]:
    """The most populous communes to name on a map, none within ``apart_m`` metres of
    one already named (so that the labels of a conurbation do not overlap)."""
    chosen: list[tuple[str, float, float]] = []
    for code in households.sort_values(ascending=False).index:
        c = shapes[code].centroid
        if all((c.x - x) ** 2 + (c.y - y) ** 2 >= apart_m**2 for _, x, y in chosen):
            chosen.append((code, c.x, c.y))
        if len(chosen) == count:
            break
    return {code for code, _, _ in chosen}
