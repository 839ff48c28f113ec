"""Static maps (PNG and SVG) with matplotlib: legend, scale bar, source and date; no tile
server, no download — every layer comes from the data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon
from shapely.geometry.base import BaseGeometry

# Element ids of the SVG files from a fixed salt: the same map gives the same file.
matplotlib.rcParams["svg.hashsalt"] = "mixite"

MIX_COLOURS: dict[str, str] = {
    "pauvre": "#b2182b",
    "moyen": "#cfc6b8",  # a visible neutral: never mistaken for the empty background
    "mixte": "#f4a582",
    "riche": "#2166ac",
}

#: Outlines drawn over a map, each with the name shown at its centre (or None).
Outlines = Sequence[tuple[BaseGeometry, str | None]]


def _outlines(ax: Axes, outlines: Outlines | None) -> None:
    """Thin boundaries (communes) and their names, drawn above the data."""
    if not outlines:
        return
    for geom, name in outlines:
        for part in shapely.get_parts(geom):
            if part.geom_type != "Polygon":
                continue
            xy = np.asarray(part.exterior.coords)
            ax.plot(xy[:, 0], xy[:, 1], color="#333333", linewidth=0.35, zorder=3)
        if name:
            point = geom.representative_point()
            ax.text(
                point.x,
                point.y,
                name,
                fontsize=6.5,
                ha="center",
                va="center",
                zorder=4,
                color="#111111",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )


CLASS_COLOURS: tuple[str, ...] = ("#67001f", "#d6604d", "#fddbc7", "#92c5de", "#2166ac")
#: Zones without a value (secret, or no household).
MISSING = "#dddddd"


def _finish(
    ax: Axes,
    title: str,
    source: str,
    legend: Sequence[tuple[str, str]],
    base: Path,
    span_m: float,
    date: dt.date | None = None,
) -> list[Path]:
    ax.set_title(title, fontsize=11)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.legend(
        handles=[Patch(facecolor=c, edgecolor="#666666", label=label) for label, c in legend],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=True,
    )
    # Scale bar: a round length about a fifth of the map's width.
    length = 10 ** np.floor(np.log10(span_m / 5))
    length *= 5 if span_m / 5 >= 5 * length else (2 if span_m / 5 >= 2 * length else 1)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx, by = x1 - (x1 - x0) * 0.05 - length, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length], [by, by], color="black", linewidth=3)
    ax.text(
        bx + length / 2, by + (y1 - y0) * 0.015, f"{length / 1000:g} km", ha="center", fontsize=8
    )
    ax.figure.text(
        0.01,
        0.01,
        f"Source : {source}. Carte mixite, {date or dt.date.today():%d/%m/%Y}.",
        fontsize=7,
        color="#444444",
    )
    figure = ax.get_figure(root=True)
    if not isinstance(figure, Figure):
        raise TypeError("The axes must belong to a figure.")
    written = []
    for suffix in (".png", ".svg"):
        path = base.with_suffix(suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        # No creation date in the file: the same map gives the same bytes (reports).
        meta = {"Date": None} if suffix == ".svg" else {}
        figure.savefig(path, dpi=150, bbox_inches="tight", metadata=meta)
        written.append(path)
    plt.close(figure)
    return written


def grid_map(
    x: np.ndarray,
    y: np.ndarray,
    classes: Sequence[str],
    *,
    cell: float,
    title: str,
    source: str,
    base: Path,
    colours: Mapping[str, str] = MIX_COLOURS,
    outlines: Outlines | None = None,
    date: dt.date | None = None,
) -> list[Path]:
    """Cells (south-west corners, metres) drawn as squares of their true size, coloured
    by class; classes with no cell are left out of the legend."""
    from matplotlib.colors import ListedColormap

    _fig, ax = plt.subplots(figsize=(9, 8))
    order = list(colours)
    codes = np.array([order.index(c) if c in order else -1 for c in classes])
    x0, y0 = float(x.min()), float(y.min())
    col = np.rint((x - x0) / cell).astype(int)
    row = np.rint((y - y0) / cell).astype(int)
    raster = np.full((row.max() + 1, col.max() + 1), np.nan)
    keep = codes >= 0
    raster[row[keep], col[keep]] = codes[keep]
    ax.imshow(
        raster,
        origin="lower",
        extent=(x0, x0 + (col.max() + 1) * cell, y0, y0 + (row.max() + 1) * cell),
        cmap=ListedColormap([colours[name] for name in order]),
        vmin=-0.5,
        vmax=len(order) - 0.5,
        interpolation="nearest",
        zorder=2,
    )
    _outlines(ax, outlines)
    ax.set_xlim(x0 - cell, x0 + (col.max() + 2) * cell)
    ax.set_ylim(y0 - cell, y0 + (row.max() + 2) * cell)
    span = float(max(x.max() - x.min(), y.max() - y.min()) + cell)
    counts = {name: int((codes == k).sum()) for k, name in enumerate(order)}
    legend = [
        (f"{name} ({counts[name]:,} carreaux)".replace(",", "\u202f"), colours[name])
        for name in order
        if counts[name] > 0
    ]
    return _finish(ax, title, source, legend, base, span, date)


FRAGILITY_LABELS = (
    "classe 1 (la plus fragile)",
    "classe 2",
    "classe 3",
    "classe 4",
    "classe 5 (la moins fragile)",
)
"""Legend of the five fragility classes, as every fragility map shows it."""


def polygon_map(
    geometries: Sequence[BaseGeometry],
    classes: Sequence[float],
    labels: Sequence[str],
    *,
    title: str,
    source: str,
    base: Path,
    names: Sequence[str | None] | None = None,
    missing: str | None = None,
    colours: Sequence[str] = CLASS_COLOURS,
    date: dt.date | None = None,
) -> list[Path]:
    """Polygons (projected, metres) coloured by class 1 … k (1 = first colour), with
    their ``names`` where given; classes with no polygon are left out of the legend.
    Polygons of class NaN are grey, in the legend as ``missing`` when it is given."""
    _fig, ax = plt.subplots(figsize=(8, 8))
    patches, faces = [], []
    for geom, cls in zip(geometries, classes, strict=True):
        for part in shapely.get_parts(geom):
            if part.geom_type != "Polygon":
                continue
            patches.append(Polygon(np.asarray(part.exterior.coords), closed=True))
            faces.append(colours[(int(cls) - 1) % len(colours)] if cls == cls else MISSING)
    ax.add_collection(PatchCollection(patches, facecolor=faces, edgecolor="#555555", linewidth=0.3))
    bounds = np.array([g.bounds for g in geometries])
    ax.set_xlim(bounds[:, 0].min(), bounds[:, 2].max())
    ax.set_ylim(bounds[:, 1].min(), bounds[:, 3].max())
    span = float(
        max(bounds[:, 2].max() - bounds[:, 0].min(), bounds[:, 3].max() - bounds[:, 1].min())
    )
    if names is not None:
        _outlines(ax, [(g, n) for g, n in zip(geometries, names, strict=True) if n])
    present = {int(c) for c in classes if c == c}
    legend = [
        (label, colours[i % len(colours)]) for i, label in enumerate(labels) if i + 1 in present
    ]
    if missing and any(c != c for c in classes):
        legend.append((missing, MISSING))
    return _finish(ax, title, source, legend, base, span, date)
