"""The mix map: poor, rich, mixed and middle areas from localized incomes.

Following INSEE's principle for mapping mix from localized fiscal income (Floch, ONZUS
2012 report): households are « low-income » under the reference area's first quintile
of standard of living (person-weighted) and « high-income » above its last quintile, so
each group is 20 % of the reference area. After smoothing (the engine's conservative
bisquare kernel, 400 m by default), a cell is

- ``pauvre`` when its share of low-income households is at least ``ratio`` × 20 % and its
  share of high-income households under 20 %;
- ``riche`` symmetrically;
- ``mixte`` when both shares are at least 20 %;
- ``moyen`` otherwise.

With ``ratio = 1.5`` (default), « at least 30 % » where the area has 20 %. For the INSEE
200 m grid, which gives the number of poor households and the sum of standards of living
but not their distribution, :func:`classer_carreaux_filosofi` applies the same rule to the
poor-household share and to the mean standard of living relative to the area.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.indices.smoothing import smooth
from mixite.twin.income import weighted_quantile

CLASSES: tuple[str, ...] = ("pauvre", "moyen", "mixte", "riche")


def _classify(
    low: npt.NDArray[np.float64],
    high: npt.NDArray[np.float64],
    ref_low: float,
    ref_high: float,
    ratio: float,
) -> npt.NDArray[np.object_]:
    poor = (low >= ratio * ref_low) & (high < ref_high)
    rich = (high >= ratio * ref_high) & (low < ref_low)
    mixed = (low >= ref_low) & (high >= ref_high)
    return np.asarray(
        np.where(poor, "pauvre", np.where(rich, "riche", np.where(mixed, "mixte", "moyen"))),
        dtype=object,
    )


def classer_carreaux(
    households: pd.DataFrame, cells: pd.DataFrame, *, bandwidth: float = 400.0, ratio: float = 1.5
) -> pd.DataFrame:
    """Classify the cells from household standards of living.

    ``households``: ``idcar_200m``, ``niveau_de_vie``, ``personnes``; ``cells``: ``idcar_200m``,
    ``x``, ``y`` (south-west corners, metres). Returns cells with the smoothed shares and class.
    """
    q20 = weighted_quantile(households["niveau_de_vie"], households["personnes"], 0.2)
    q80 = weighted_quantile(households["niveau_de_vie"], households["personnes"], 0.8)
    h = households.assign(
        bas=households["niveau_de_vie"] < q20, haut=households["niveau_de_vie"] > q80
    )
    counts = h.groupby("idcar_200m").agg(
        menages=("bas", "size"), bas=("bas", "sum"), haut=("haut", "sum")
    )
    grid = cells.set_index("idcar_200m").join(counts, how="inner").reset_index()
    smoothed = smooth(
        grid["x"],
        grid["y"],
        grid[["menages", "bas", "haut"]].to_numpy(dtype=float),
        bandwidth=bandwidth,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        low = smoothed[:, 1] / smoothed[:, 0]
        high = smoothed[:, 2] / smoothed[:, 0]
    ref_low = float(h["bas"].mean())
    ref_high = float(h["haut"].mean())
    grid["part_bas_revenus"] = low * 100
    grid["part_hauts_revenus"] = high * 100
    grid["classe"] = _classify(low, high, ref_low, ref_high, ratio)
    grid.attrs["seuils"] = {"q20": q20, "q80": q80, "part_bas": ref_low, "part_haut": ref_high}
    return grid


def classer_carreaux_filosofi(
    grid: pd.DataFrame, *, bandwidth: float = 400.0, ratio: float = 1.5
) -> pd.DataFrame:
    """The same rule on the INSEE grid: poor-household share (``Men_pauv / Men``) against
    the area's, and mean standard of living (``Ind_snv / Ind``) against ``ratio`` × the area's
    mean for « riche ». ``grid`` has ``x``, ``y``, ``Men``, ``Men_pauv``, ``Ind``, ``Ind_snv``."""
    values = grid[["Men", "Men_pauv", "Ind", "Ind_snv"]].to_numpy(dtype=float)
    s = smooth(grid["x"], grid["y"], values, bandwidth=bandwidth)
    with np.errstate(divide="ignore", invalid="ignore"):
        poor = s[:, 1] / s[:, 0]
        mean_nv = s[:, 3] / s[:, 2]
    ref_poor = grid["Men_pauv"].sum() / grid["Men"].sum()
    ref_nv = grid["Ind_snv"].sum() / grid["Ind"].sum()
    rich_level = mean_nv >= ratio * ref_nv
    out = grid.copy()
    out["part_menages_pauvres"] = poor * 100
    out["niveau_de_vie_moyen"] = mean_nv
    cls = np.where(
        (poor >= ratio * ref_poor) & ~rich_level,
        "pauvre",
        np.where(
            rich_level & (poor < ref_poor),
            "riche",
            np.where(rich_level | (poor >= ratio * ref_poor), "mixte", "moyen"),
        ),
    )
    out["classe"] = cls
    return out
