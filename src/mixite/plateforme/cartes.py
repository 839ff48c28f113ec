"""The platform's maps, drawn by the server as SVG from the store's outlines (no tile
server): fragility and typology of the communes, the mix of the 200 m cells, and the
indicator explorer's choropleth. Every map shows published figures only (secrecy
applied) and is kept per store version like the tables."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixite.core.secret import THRESHOLD
from mixite.io.store import Store
from mixite.observatoire.indicateurs import CATALOGUE, TOTAL
from mixite.plateforme.donnees import (
    A_PART,
    NIVEAUX,
    _cached,
    _version,
    deux_millesimes,
    publication,
)

#: Sequential colours of the explorer (class 1 = lowest values; none is grey, the colour
#: of secret zones).
SEQUENTIELLE = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
#: Colours of the typology's classes, most severe first.
TYPOLOGIE = ("#b2182b", "#f4a582", "#92c5de", "#2166ac")
#: Outline tables of the levels that have them.
CONTOURS = {"code_commune": "communes", "code_iris": "iris", "code_qpv": "qpv"}


def _svg(draw: Callable[[Path], list[Path]]) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        written = draw(Path(d) / "carte")
        return next(p for p in written if p.suffix == ".svg").read_bytes()


def _tag(store: Store) -> str:
    from mixite.cli.sortie import synthetique

    return " — DONNÉES SYNTHÉTIQUES" if synthetique(publication(store).menages) else ""


def _outlines(store: Store, level: str, project: Callable[[Any], Any]) -> pd.Series:
    """Projected outlines of ``level``'s zones, by code (empty if the store has none)."""
    from shapely import wkb

    table = CONTOURS.get(level)
    frame = store.read_if_exists(table, [level, "geometrie"]) if table else pd.DataFrame()
    if frame.empty:
        return pd.Series(dtype=object)
    frame = frame.dropna(subset=["geometrie"])
    return pd.Series(
        [project(wkb.loads(bytes(g))) for g in frame["geometrie"]],
        index=frame[level].astype(str).to_numpy(),
    )


def _names(store: Store) -> dict[str, str]:
    c = store.read_if_exists("communes", ["code_commune", "nom"])
    return dict(zip(c["code_commune"].astype(str), c["nom"].astype(str), strict=False))


def _big_communes(store: Store, n: int = 12) -> set[str]:
    """The ``n`` communes with most households, whose names the maps print."""
    counts = publication(store).menages["code_commune"].astype(str).value_counts()
    return set(counts.head(n).index)


def carte_fragilite(store: Store, date: dt.date | None = None) -> bytes:
    """The communes' fragility index (classes of the observatory's default model on the
    communes whose indicators are published, as ``mixite observatoire cartes``)."""

    def compute() -> bytes:
        from mixite.io.cartes import FRAGILITY_LABELS, polygon_map
        from mixite.io.config import load_fragility
        from mixite.observatoire import indice_fragilite
        from mixite.observatoire.indicateurs import indicateurs
        from mixite.twin.geography import to_l93

        pub = publication(store)
        raw = indicateurs(pub.menages, pub.flags, "code_commune").drop(index=TOTAL)
        published = pub.tables["code_commune"].drop(index=TOTAL, errors="ignore")
        zones = raw[published.reindex(raw.index)["menages"].notna().to_numpy()]
        frag = indice_fragilite(zones, load_fragility(None))
        geoms = _outlines(store, "code_commune", to_l93)
        codes = [c for c in frag.index.astype(str) if c in geoms.index]
        names, big = _names(store), _big_communes(store)
        return _svg(lambda base: polygon_map(
            list(geoms.loc[codes]), frag.loc[codes, "classe"].tolist(), FRAGILITY_LABELS,
            title=f"Indice de fragilité des communes ({pub.millesime}){_tag(store)}",
            source="mixite, observatoire ; contours de la base", base=base,
            names=[names.get(c) if c in big else None for c in codes], date=date,
        ))  # fmt: skip

    return _cached(("carte-fragilite", *_version(store), date), compute)  # type: ignore[no-any-return]


def carte_typologie(store: Store, modele: str = "arras", date: dt.date | None = None) -> bytes:
    """The communes' typology (classes with their reasons in ``mixite observatoire
    typologie``), on published figures of the first and latest vintages."""

    def compute() -> bytes:
        from mixite.io.cartes import polygon_map
        from mixite.io.config import load_typology
        from mixite.observatoire.typologie import classer
        from mixite.twin.geography import to_l93

        typology = load_typology(modele)
        evolution = deux_millesimes(store, "code_commune")
        zones = evolution.dernier.drop(index=TOTAL, errors="ignore")
        classes = classer(zones, typology)
        labels = [label for label, _ in typology.classes]
        geoms = _outlines(store, "code_commune", to_l93)
        codes = [c for c in classes.index.astype(str) if c in geoms.index]
        rank = {label: i + 1 for i, label in enumerate(labels)}
        values = [
            float(rank[k]) if zones.loc[c, "menages"] == zones.loc[c, "menages"] else np.nan
            for c, k in zip(codes, classes.loc[codes, "classe"], strict=True)
        ]
        years = "–".join(map(str, evolution.millesimes))
        names, big = _names(store), _big_communes(store)
        return _svg(lambda base: polygon_map(
            list(geoms.loc[codes]), values, labels,
            title=f"{typology.nom[0].upper()}{typology.nom[1:]} des communes ({years}){_tag(store)}",
            source="mixite, observatoire ; contours de la base", base=base,
            names=[names.get(c) if c in big else None for c in codes],
            missing=f"secret (moins de {THRESHOLD} ménages)", colours=TYPOLOGIE, date=date,
        ))  # fmt: skip

    return _cached(("carte-typologie", *_version(store), modele, date), compute)  # type: ignore[no-any-return]


#: Smoothing ranges tried for the mix map, shortest first (metres).
PORTEES = (400.0, 800.0, 1200.0, 2000.0)


def carreaux_mixite(store: Store, portee: float | None = None) -> tuple[pd.DataFrame, float]:
    """The mix class of each 200 m cell (:func:`classer_carreaux`), kept only where the
    smoothing window holds at least ``THRESHOLD`` households, and the range used.

    A cell's smoothed shares come only from the cells within the range (the kernel is
    zero beyond it): ``menages_fenetre`` counts those households, and a cell is shown
    only when it is at least 11, so no class rests on fewer. Without ``portee``, the
    shortest range of :data:`PORTEES` whose shown cells hold 80 % of the households (a
    sparse store needs a wider window to show anything)."""
    from scipy.spatial import cKDTree  # type: ignore[import-untyped]

    from mixite.observatoire.carte_mixite import classer_carreaux

    pub = publication(store)
    hh = pd.DataFrame({
        "idcar_200m": pub.menages["idcar_200m"].to_numpy(),
        "niveau_de_vie": pub.flags["niveau_de_vie"].to_numpy(),
        "personnes": pub.flags["personnes"].to_numpy(),
    }).dropna(subset=["idcar_200m"])  # fmt: skip
    cells = store.read("carreaux", ["idcar_200m", "x", "y"])
    for p in (portee,) if portee else PORTEES:
        mix = classer_carreaux(hh, cells, bandwidth=p)
        xy = mix[["x", "y"]].to_numpy()
        counts = mix["menages"].to_numpy()
        near = cKDTree(xy).query_ball_point(xy, r=p)
        mix["menages_fenetre"] = [int(counts[i].sum()) for i in near]
        shown = mix[mix["menages_fenetre"] >= THRESHOLD].reset_index(drop=True)
        if shown["menages"].sum() >= 0.8 * mix["menages"].sum():
            break
    return shown, p


def carte_mixite(store: Store, date: dt.date | None = None) -> bytes:
    """The mix map of the 200 m cells, under the communes' outlines and names."""

    def compute() -> bytes:
        from mixite.io.cartes import grid_map
        from mixite.twin.geography import to_laea

        mix, portee = carreaux_mixite(store)
        geoms = _outlines(store, "code_commune", to_laea)
        names, big = _names(store), _big_communes(store)
        outlines = [(g, names.get(c) if c in big else None) for c, g in geoms.items()]
        year = publication(store).millesime
        return _svg(lambda base: grid_map(
            mix["x"].to_numpy(), mix["y"].to_numpy(), mix["classe"].tolist(), cell=200.0,
            title=f"Mixité sociale, carreaux de 200 m lissés à {portee:g} m ({year}){_tag(store)}",
            source=f"mixite, observatoire ; carreaux dont la fenêtre compte au moins {THRESHOLD} ménages",
            base=base, outlines=outlines, date=date,
        ))  # fmt: skip

    return _cached(("carte-mixite", *_version(store), date), compute)  # type: ignore[no-any-return]


def classes_egales(values: pd.Series, k: int = 5) -> tuple[pd.Series, list[str]]:
    """Quantile classes 1 … k of the published ``values`` (NaN stays NaN) and their
    French labels « de a à b ». Fewer classes when there are fewer distinct values."""
    from mixite.cli.sortie import nombre_fr

    known = values.dropna().astype(float)
    if known.empty:
        return pd.Series(np.nan, index=values.index), []
    edges = np.unique(np.quantile(known, np.linspace(0, 1, k + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0]])
    classes = pd.Series(np.nan, index=values.index)
    inner = np.searchsorted(edges[1:-1], known.to_numpy(), side="right") + 1
    classes.loc[known.index] = inner.astype(float)
    labels = [f"de {nombre_fr(a)} à {nombre_fr(b)}" for a, b in itertools.pairwise(edges)]
    return classes, labels


def carte_indicateur(
    store: Store,
    niveau: str,
    millesime: int | None,
    indicateur: str,
    communes: frozenset[str] | None,
) -> bytes | None:
    """The explorer's map: one published indicator of one level and vintage, in quantile
    classes, secret zones in grey. None when the level has no outlines in the store."""
    level = NIVEAUX[niveau]
    if level not in CONTOURS or indicateur not in {i.code for i in CATALOGUE}:
        return None
    scope = tuple(sorted(communes)) if communes is not None else None

    def compute() -> bytes | None:
        from mixite.io.cartes import polygon_map
        from mixite.twin.geography import to_l93

        pub = publication(store, millesime)
        table = pub.tables.get(level)
        geoms = _outlines(store, level, to_l93)
        if table is None or geoms.empty:
            return None
        values = table[indicateur].drop(index=TOTAL, errors="ignore")
        values.index = values.index.astype(str)
        codes = [c for c in geoms.index if c in values.index]
        if scope is not None:
            codes = [c for c in codes if c[:5] in scope or c in scope]
        if level == "code_qpv" and scope is not None:
            qpv = store.read_if_exists("qpv", ["code_qpv", "code_commune"])
            inside = set(qpv.loc[qpv["code_commune"].astype(str).isin(scope), "code_qpv"])
            codes = [c for c in geoms.index if c in inside and c in values.index]
        if not codes:
            return None
        classes, labels = classes_egales(pd.to_numeric(values.loc[codes], errors="coerce"))
        info = next(i for i in CATALOGUE if i.code == indicateur)
        return _svg(lambda base: polygon_map(
            list(geoms.loc[codes]), classes.tolist(), labels,
            title=f"{info.libelle[0].upper()}{info.libelle[1:]} ({info.unite}), {niveau} "
                  f"({pub.millesime}){_tag(store)}",
            source="mixite, observatoire ; contours de la base", base=base,
            missing=f"secret (moins de {THRESHOLD} ménages) ou sans ménage", colours=SEQUENTIELLE,
        ))  # fmt: skip

    key = ("carte-indicateur", *_version(store), niveau, millesime, indicateur, scope)
    return _cached(key, compute)  # type: ignore[no-any-return]


def evolution(store: Store, communes: frozenset[str] | None) -> tuple[pd.DataFrame, Sequence[int]]:
    """The key figures of the viewer's territory at the first and latest vintages and
    their change, from the two vintages published together (secrecy by difference)."""

    def compute() -> tuple[pd.DataFrame, list[int]]:
        if communes is None:
            ev = deux_millesimes(store, "code_epci")
            row = ev.dernier.drop(index=TOTAL, errors="ignore").index[0]
        else:
            ev = deux_millesimes(store, "code_commune")
            row = sorted(communes)[0]
        if ev.premier is None:
            return pd.DataFrame(), ev.millesimes
        first, last = ev.millesimes[0], ev.millesimes[-1]
        rows = []
        for code in ("menages", "personnes", "taux_pauvrete", "mediane_niveau_de_vie",
                     "locataires_sociaux", "sous_40_plus"):  # fmt: skip
            info = next(i for i in CATALOGUE if i.code == code)
            a = ev.premier[code].get(row, np.nan)
            b = ev.dernier[code].get(row, np.nan)
            change = b - a if pd.notna(a) and pd.notna(b) else np.nan
            points = info.unite.startswith("%")
            rows.append({
                "indicateur": f"{info.libelle} ({info.unite})",
                str(first): a, str(last): b,
                "évolution": change if points else (change / a * 100 if a else np.nan),
                "unité de l'évolution": "points" if points else "%",
            })  # fmt: skip
        out = pd.DataFrame(rows)
        out["évolution"] = pd.to_numeric(out["évolution"]).round(1)
        return out, ev.millesimes

    key = ("evolution", *_version(store), tuple(sorted(communes)) if communes else None)
    return _cached(key, compute)  # type: ignore[no-any-return]


def _evolution_cle(store: Store, communes: tuple[str, ...] | None) -> Any:
    return evolution(store, frozenset(communes) if communes else None)


def _carte_indicateur_cle(store: Store, niveau: str, millesime: int | None, indicateur: str,
                          communes: tuple[str, ...] | None) -> Any:  # fmt: skip
    return carte_indicateur(store, niveau, millesime, indicateur,
                            frozenset(communes) if communes is not None else None)  # fmt: skip


# The maps the background recomputes in a process of its own (their keys' parameters).
A_PART.update({
    "carte-fragilite": carte_fragilite, "carte-typologie": carte_typologie,
    "carte-mixite": carte_mixite, "evolution": _evolution_cle,
    "carte-indicateur": _carte_indicateur_cle,
})  # fmt: skip
