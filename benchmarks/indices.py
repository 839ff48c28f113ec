"""The index engine against PySAL ``segregation``, side by side in one run.

PySAL works one region at a time and some of its indices are O(n²); where running it
in full would take minutes, it is timed on a part and the full cost is extrapolated
linearly (per region) or quadratically (O(n²) indices) — each line says which.

Usage: ``python benchmarks/indices.py [--quick]``. Prints times, ratios and peak memory.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from mixite.indices import INDICES, segregation_indices
from mixite.indices.inference import null_distribution
from mixite.indices.smoothing import bespoke_indices, multiscalar_profile, smooth

warnings.simplefilter("ignore")
ROWS: list[tuple[str, float, float | None, str]] = []


def timed(fn: Callable[[], Any], *, memory: bool = False) -> tuple[float, float]:
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    peak = 0.0
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return elapsed, peak


def report(name: str, ours: float, theirs: float | None, how: str) -> None:
    ROWS.append((name, ours, theirs, how))
    ratio = f"{theirs / ours:10.0f}×" if theirs else "          "
    print(
        f"{name:<58} mixite {ours:8.3f} s   PySAL {theirs if theirs else float('nan'):9.2f} s {ratio}  {how}",
        flush=True,
    )


def synthetic_grid(n_cells: int, n_regions: int, rng: np.random.Generator) -> pd.DataFrame:
    """Cells of a square grid, ~12 households each, regions by nearest seed."""
    side = int(np.ceil(np.sqrt(n_cells * 1.3)))
    flat = rng.choice(side * side, n_cells, replace=False)
    x, y = (flat % side) * 200.0, (flat // side) * 200.0
    seeds = rng.uniform(0, side * 200.0, (n_regions, 2))
    region = cKDTree(seeds).query(np.column_stack([x, y]))[1]
    share = rng.beta(2, 5, n_regions)[region]
    t = rng.poisson(12, n_cells).astype(float) + 1
    g = rng.binomial(t.astype(int), share).astype(float)
    return pd.DataFrame(
        {"x": x, "y": y, "region": region, "menages": t, "pauvres": g, "autres": t - g}
    )


def blocks(n_regions: int, size: int, rng: np.random.Generator) -> pd.DataFrame:
    t = rng.poisson(12, n_regions * size).astype(float) + 1
    share = np.repeat(rng.beta(2, 5, n_regions), size)
    g = rng.binomial(t.astype(int), share).astype(float)
    return pd.DataFrame(
        {
            "region": np.repeat(np.arange(n_regions), size),
            "menages": t,
            "pauvres": g,
            "autres": t - g,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller PySAL samples")
    args = parser.parse_args()
    rng = np.random.default_rng(2014)
    from segregation import multigroup as mg
    from segregation import singlegroup as sg

    cheap = [sg.Dissim, sg.Entropy, sg.Isolation, sg.Interaction, sg.CorrelationR, sg.Atkinson]
    aspatial = [
        k
        for k, v in INDICES.items()
        if v.family in ("single", "multi") and not v.stochastic and not v.on_request
    ]

    # 1. 1,000 regions × 1,000 cells.
    data = blocks(1000, 1000, rng)
    same = [
        "dissimilarity",
        "entropy",
        "isolation",
        "exposure",
        "correlation_ratio",
        "atkinson_0.5",
    ]
    segregation_indices(data.head(1000), group="pauvres", total="menages", by="region")  # warm-up
    sample = 20 if args.quick else 100
    parts = [p for _, p in data.groupby("region")][:sample]
    theirs, _ = timed(
        lambda: [cls(p, "pauvres", "menages").statistic for p in parts for cls in cheap]
    )
    ours, peak = timed(
        lambda: segregation_indices(
            data, group="pauvres", total="menages", by="region", indices=same
        ),
        memory=True,
    )
    report(
        "the same 6 indices, 1,000 regions × 1,000 cells",
        ours,
        theirs * 1000 / sample,
        f"PySAL: {sample} regions × {1000 // sample}; peak {peak:.0f} MB",
    )
    ours, peak = timed(
        lambda: segregation_indices(
            data, group="pauvres", total="menages", by="region", indices=aspatial
        ),
        memory=True,
    )
    report(
        f"all {len(aspatial)} aspatial indices (Gini, MultiGini incl.), same",
        ours,
        theirs * 1000 / sample,
        f"PySAL: only its 6 cheap indices; peak {peak:.0f} MB",
    )

    # Every index PySAL and mixite share (7 single-group, 10 multigroup), same data.
    shared_single = {
        "dissimilarity": sg.Dissim,
        "gini": sg.Gini,
        "entropy": sg.Entropy,
        "isolation": sg.Isolation,
        "exposure": sg.Interaction,
        "correlation_ratio": sg.CorrelationR,
        "atkinson_0.5": sg.Atkinson,
    }
    shared_multi = {
        "multi_dissimilarity": mg.MultiDissim,
        "multi_gini": mg.MultiGini,
        "multi_normalized_exposure": mg.MultiNormExposure,
        "multi_information_theory": mg.MultiInfoTheory,
        "multi_relative_diversity": mg.MultiRelativeDiversity,
        "multi_squared_coefficient_of_variation": mg.MultiSquaredCoefVar,
        "simpson_interaction": mg.SimpsonsInteraction,
        "simpson_concentration": mg.SimpsonsConcentration,
        "multi_diversity": mg.MultiDiversity,
        "mutual_information": mg.MultiDivergence,
    }
    parts = [p for _, p in data.groupby("region")][: (20 if args.quick else 50)]
    theirs, _ = timed(
        lambda: [
            [cls(p, "pauvres", "menages").statistic for cls in shared_single.values()]
            + [cls(p, ["pauvres", "autres"]).statistic for cls in shared_multi.values()]
            for p in parts
        ]
    )
    names = [*shared_single, *shared_multi]
    best = min(
        timed(
            lambda: segregation_indices(
                data, group="pauvres", total="menages", by="region", indices=names
            )
        )[0]
        for _ in range(3)
    )
    report(
        f"the {len(names)} indices both compute, 1,000 regions × 1,000 cells",
        best,
        theirs * 1000 / len(parts),
        f"PySAL: {len(parts)} regions × {1000 // len(parts)}; mixite: best of 3",
    )

    # Bias-corrected D: exact expectation (mixite) against the cheap indices and the
    # bootstrap (PySAL, 500 replicates), 10⁶ cells in 1,000 regions.
    cheap7 = list(shared_single)
    t_cheap, _ = timed(
        lambda: segregation_indices(
            data, group="pauvres", total="menages", by="region", indices=cheap7
        )
    )
    ours, peak = timed(
        lambda: segregation_indices(
            data,
            group="pauvres",
            total="menages",
            by="region",
            indices=["bias_corrected_dissimilarity"],
        ),
        memory=True,
    )
    one = parts[0]
    theirs, _ = timed(lambda: sg.BiasCorrectedDissim(one, "pauvres", "menages").statistic)
    report(
        "bias-corrected D (exact), 1,000 regions × 1,000 cells",
        ours,
        theirs * 1000,
        f"{ours / t_cheap:.1f}× the 7 cheap single-group indices ({t_cheap:.2f} s); "
        f"peak {peak:.0f} MB; PySAL: 1 region × 1,000 (500 replicates)",
    )

    # 2. France-sized grid: 2.3 million cells, 35,000 communes.
    france = synthetic_grid(2_300_000, 35_000, rng)
    ours, peak = timed(
        lambda: segregation_indices(
            france, group="pauvres", total="menages", by="region", indices=aspatial
        ),
        memory=True,
    )
    parts = [p for _, p in france.groupby("region")][: (100 if args.quick else 500)]
    theirs, _ = timed(
        lambda: [cls(p, "pauvres", "menages").statistic for p in parts for cls in cheap]
    )
    report(
        "same, 2.3 M cells in 35,000 communes",
        ours,
        theirs * 35_000 / len(parts),
        f"PySAL: 6 cheap indices, {len(parts)} communes × {35_000 // len(parts)}; peak {peak:.0f} MB",
    )

    # 3. Gini on one region of 10⁶ cells (PySAL is O(n²): timed at 10⁴ cells × 10⁴).
    big = blocks(1, 1_000_000, rng)
    ours, _ = timed(
        lambda: segregation_indices(big, group="pauvres", total="menages", indices=["gini"])
    )
    small = big.head(10_000)
    theirs, _ = timed(lambda: sg.Gini(small, "pauvres", "menages").statistic)
    report("Gini, 10⁶ cells", ours, theirs * 10_000, "PySAL: 10⁴ cells × 10⁴ (O(n²))")
    theirs_m, _ = timed(lambda: mg.MultiGini(small.head(3000), ["pauvres", "autres"]).statistic)
    ours_m, _ = timed(
        lambda: segregation_indices(big, groups=["pauvres", "autres"], indices=["multi_gini"])
    )
    report(
        "MultiGini, 10⁶ cells",
        ours_m,
        theirs_m * (1_000_000 / 3000) ** 2,
        "PySAL: 3,000 cells × 1.1·10⁵ (O(n²))",
    )

    # 4. Smoothing at 1 km and bespoke indices on the France-sized grid.
    ours, _ = timed(
        lambda: smooth(
            france["x"], france["y"], france[["pauvres", "menages"]].to_numpy(), bandwidth=1000
        )
    )
    report(
        "conservative bisquare smoothing at 1 km, 2.3 M cells",
        ours,
        None,
        "btb-style; PySAL has no conservative smoothing",
    )
    ours, _ = timed(
        lambda: bespoke_indices(
            france, group="pauvres", total="menages", bandwidth=1000, by="region"
        )
    )
    import geopandas as gpd

    n_p = 5_000 if args.quick else 10_000
    part = france.head(n_p)
    gdf = gpd.GeoDataFrame(
        part, geometry=gpd.points_from_xy(part["x"] + 100, part["y"] + 100), crs=2154
    )
    theirs, _ = timed(lambda: sg.Dissim(gdf, "pauvres", "menages", distance=1000).statistic)
    report(
        "bespoke D, H, isolation at 1 km, 2.3 M cells, 35,000 communes",
        ours,
        theirs * 2_300_000 / n_p,
        f"PySAL: kernel Dissim at {n_p:,} cells × {2_300_000 // n_p} (linear, optimistic)",
    )

    # 5. Multiscalar profile, 8 bandwidths, a Lille-sized grid (17,000 cells).
    lille = synthetic_grid(17_000, 95, rng)
    bands = [400, 600, 800, 1000, 1500, 2000, 3000, 4000]
    ours, _ = timed(
        lambda: multiscalar_profile(
            lille, group="pauvres", total="menages", bandwidths=bands, by="region"
        )
    )
    part = lille.head(2000)
    gdf = gpd.GeoDataFrame(
        part, geometry=gpd.points_from_xy(part["x"] + 100, part["y"] + 100), crs=2154
    )
    theirs, _ = timed(
        lambda: [sg.Dissim(gdf, "pauvres", "menages", distance=d).statistic for d in bands[:2]]
    )
    report(
        "multiscalar profile, 8 bandwidths, 17,000 cells, 95 communes",
        ours,
        theirs * 4 * 17_000 / 2000,
        "PySAL: 2 bandwidths at 2,000 cells × 4 × 8.5 (linear, optimistic)",
    )

    # 6. 1,000 random allocations of D on 10,000 cells.
    cells = blocks(1, 10_000, rng)
    null_distribution(
        cells["pauvres"], cells["menages"], "dissimilarity", draws=10, rng=rng
    )  # warm-up
    ours, _ = timed(
        lambda: null_distribution(
            cells["pauvres"], cells["menages"], "dissimilarity", draws=1000, rng=rng
        )
    )
    ours_b, _ = timed(
        lambda: null_distribution(
            cells["pauvres"],
            cells["menages"],
            "dissimilarity",
            draws=1000,
            rng=rng,
            model="binomial",
        )
    )
    from segregation.inference import SingleValueTest

    d = sg.Dissim(cells, "pauvres", "menages")
    theirs, _ = timed(
        lambda: SingleValueTest(d, iterations_under_null=100, null_approach="systematic", n_jobs=1)
    )
    report(
        "1,000 random allocations of D, 10,000 cells (hypergeometric)",
        ours,
        theirs * 10,
        "PySAL: 100 iterations × 10",
    )
    report("same, binomial model", ours_b, theirs * 10, "PySAL: 100 iterations × 10")


if __name__ == "__main__":
    main()
