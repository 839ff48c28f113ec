"""The mix map's classification by hand; the maps are written (PNG and SVG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mixite.observatoire.carte_mixite import _classify, classer_carreaux


def test_rule_by_hand() -> None:
    low = np.array([0.35, 0.10, 0.25, 0.10, 0.29])
    high = np.array([0.10, 0.35, 0.25, 0.10, 0.10])
    assert _classify(low, high, 0.2, 0.2, 1.5).tolist() == [
        "pauvre",
        "riche",
        "mixte",
        "moyen",
        "moyen",
    ]


def test_cells_of_two_neighbourhoods() -> None:
    # A poor west (standards of living 8 000) and a rich east (40 000), far apart.
    cells = pd.DataFrame(
        {
            "idcar_200m": [f"c{i}" for i in range(20)],
            "x": [i * 200.0 if i < 10 else 5000 + i * 200.0 for i in range(20)],
            "y": 0.0,
        }
    )
    rows = []
    for i in range(20):
        for k in range(10):
            rich = i >= 10
            rows.append(
                {
                    "idcar_200m": f"c{i}",
                    "niveau_de_vie": (40000.0 if rich else 8000.0) + k * 10,
                    "personnes": 2,
                }
            )
    # A middle-income town in between fixes the quintiles (half of the households).
    for i in range(20):
        rows += [
            {"idcar_200m": f"m{i}", "niveau_de_vie": 20000.0 + k, "personnes": 2} for k in range(20)
        ]
    cells = pd.concat(
        [
            cells,
            pd.DataFrame(
                {
                    "idcar_200m": [f"m{i}" for i in range(20)],
                    "x": [2400 + i * 200.0 for i in range(20)],
                    "y": 20000.0,
                }
            ),
        ]
    )
    out = classer_carreaux(pd.DataFrame(rows), cells, bandwidth=400)
    by_cell = out.set_index("idcar_200m")["classe"]
    assert set(by_cell[[f"c{i}" for i in range(10)]]) == {"pauvre"}
    assert set(by_cell[[f"c{i}" for i in range(10, 20)]]) == {"riche"}
    assert set(by_cell[[f"m{i}" for i in range(20)]]) == {"moyen"}


def test_maps_are_written(tmp_path: Path) -> None:
    import shapely

    from mixite.io.cartes import grid_map, polygon_map

    files = grid_map(
        np.arange(10) * 200.0,
        np.zeros(10),
        ["pauvre"] * 5 + ["riche"] * 5,
        cell=200.0,
        title="t",
        source="test",
        base=tmp_path / "grille",
    )
    files += polygon_map(
        [shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
        [1, 5],
        ["c1", "c2", "c3", "c4", "c5"],
        title="t",
        source="test",
        base=tmp_path / "communes",
    )
    assert [f.suffix for f in files] == [".png", ".svg", ".png", ".svg"]
    assert all(f.stat().st_size > 1000 for f in files)
    assert files[0].read_bytes()[:4] == bytes([0x89, 0x50, 0x4E, 0x47])
    assert files[1].read_text(encoding="utf-8").startswith("<?xml")


def test_maps_draw_squares_outlines_names_and_no_empty_class(tmp_path: Path) -> None:
    # Issue 11.11: a class with no cell is not in the legend; outlines and names are drawn.
    import shapely

    from mixite.io.cartes import grid_map

    x = np.array([0.0, 200.0, 400.0, 0.0])
    y = np.array([0.0, 0.0, 0.0, 200.0])
    outline = shapely.box(-100, -100, 700, 500)
    written = grid_map(
        x,
        y,
        ["pauvre", "riche", "riche", "moyen"],
        cell=200.0,
        title="Essai — DONNÉES SYNTHÉTIQUES",
        source="test",
        base=tmp_path / "carte",
        outlines=[(outline, "Commune")],
    )
    svg = next(p for p in written if p.suffix == ".svg").read_text(encoding="utf-8")
    assert "mixte" not in svg and "riche (2" in svg and "Commune" in svg
    assert "DONNÉES SYNTHÉTIQUES" in svg
