"""A configurable composite fragility index (Lille « indice de fragilité », Lyon « indice
de sensibilité») and how much its classes depend on the weights.

score_z = Σ_c w_c s_c n_c(z) / Σ_c w_c over the components available for zone z, with
n_c the normalised indicator (z-score, rank in [0, 1] or min–max against the reference
area: the zones given) and s_c = +1 when a higher value means more fragile, −1 otherwise.
Zones are ranked (1 = most fragile) and cut into ``classes`` equal-count classes (5:
quintiles; class 1 = most fragile). A secret (missing) indicator is left out of that zone's
weighted mean rather than guessed.

Because weights are a choice, :func:`stabilite_des_rangs` redraws them around the chosen
ones (Dirichlet with mean the chosen weights and concentration ``concentration``; 50 by
default, i.e. each weight varies by roughly ±30 % of itself) and reports, per zone, the
share of draws in which it keeps its class and the spread of its rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

NORMALISATIONS: tuple[str, ...] = ("zscore", "rang", "minmax")


@dataclass(frozen=True)
class Composante:
    """One indicator of the index: its column, its direction and its weight."""

    indicateur: str
    sens: Literal["+", "-"]
    poids: float = 1.0
    libelle: str = ""

    def __post_init__(self) -> None:
        if self.sens not in ("+", "-"):
            raise ValueError(f"sens must be '+' (higher = more fragile) or '-'; got {self.sens!r}.")
        if self.poids <= 0:
            raise ValueError(f"poids must be positive; got {self.poids} for {self.indicateur!r}.")


@dataclass(frozen=True)
class ConfigFragilite:
    """The components, the normalisation and the number of classes."""

    composantes: tuple[Composante, ...]
    normalisation: Literal["zscore", "rang", "minmax"] = "zscore"
    classes: int = 5
    nom: str = "indice de fragilité"

    def __post_init__(self) -> None:
        if not self.composantes:
            raise ValueError("A fragility index needs at least one component.")
        if self.normalisation not in NORMALISATIONS:
            raise ValueError(
                f"normalisation must be one of {NORMALISATIONS}; got {self.normalisation!r}."
            )
        if self.classes < 2:
            raise ValueError(f"classes must be at least 2; got {self.classes}.")

    def describe(self) -> str:
        parts = [f"{c.indicateur} ({c.sens}, poids {c.poids:g})" for c in self.composantes]
        return f"{self.nom} = moyenne pondérée, normalisation {self.normalisation} : " + ", ".join(
            parts
        )


def _normalise(values: npt.NDArray[np.float64], how: str) -> npt.NDArray[np.float64]:
    v = values.astype(float)
    ok = np.isfinite(v)
    out = np.full(v.shape, np.nan)
    if ok.sum() == 0:
        return out
    if how == "zscore":
        sd = v[ok].std()
        out[ok] = (v[ok] - v[ok].mean()) / (sd if sd > 0 else 1.0)
    elif how == "rang":
        ranks = pd.Series(v[ok]).rank(method="average").to_numpy()
        out[ok] = (ranks - 1) / max(ok.sum() - 1, 1)
    else:
        span = v[ok].max() - v[ok].min()
        out[ok] = (v[ok] - v[ok].min()) / (span if span > 0 else 1.0)
    return out


def _scores(
    norm: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Weighted means over available components; ``weights`` is (components,) or (draws, components)."""
    available = np.isfinite(norm)
    filled = np.where(available, norm, 0.0)
    w = np.atleast_2d(weights)
    num = w @ filled.T
    den = w @ available.T.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(num / den, dtype=float)


def _classes(
    scores: npt.NDArray[np.float64], k: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Ranks (1 = most fragile) and classes (1 = most fragile) along the last axis."""
    order = np.argsort(-np.where(np.isfinite(scores), scores, -np.inf), axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(
        ranks, order, np.arange(scores.shape[-1])[None, :].repeat(scores.shape[0], 0), axis=-1
    )
    n = scores.shape[-1]
    classes = np.floor(ranks * k / n) + 1
    return ranks.astype(float) + 1, classes


def indice_fragilite(zones: pd.DataFrame, config: ConfigFragilite) -> pd.DataFrame:
    """Score, rank, class and each component's normalised value, for every zone.

    Examples
    --------
    >>> z = pd.DataFrame({"pauvrete": [10, 30, 20], "mediane": [25000, 13000, 18000]}, index=["a", "b", "c"])
    >>> cfg = ConfigFragilite((Composante("pauvrete", "+"), Composante("mediane", "-")), classes=3)
    >>> indice_fragilite(z, cfg)["rang"].tolist()
    [3.0, 1.0, 2.0]
    """
    missing = [c.indicateur for c in config.composantes if c.indicateur not in zones.columns]
    if missing:
        raise ValueError(
            f"Indicators {missing} are not columns of the zones; available: {list(zones.columns)}."
        )
    norm = np.column_stack(
        [
            (1 if c.sens == "+" else -1)
            * _normalise(zones[c.indicateur].to_numpy(dtype=float), config.normalisation)
            for c in config.composantes
        ]
    )
    weights = np.array([c.poids for c in config.composantes])
    score = _scores(norm, weights)[0]
    ranks, classes = _classes(score[None, :], config.classes)
    out = pd.DataFrame(index=zones.index)
    for j, c in enumerate(config.composantes):
        out[f"n_{c.indicateur}"] = norm[:, j]
    out["composantes_disponibles"] = np.isfinite(norm).sum(axis=1)
    out["score"] = score
    out["rang"] = ranks[0]
    out["classe"] = classes[0].astype(int)
    return out


def stabilite_des_rangs(
    zones: pd.DataFrame,
    config: ConfigFragilite,
    *,
    draws: int = 1000,
    concentration: float = 50.0,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Per zone: share of weight draws keeping its class, and its rank's 5-95 % range."""
    base = indice_fragilite(zones, config)
    norm = base[[f"n_{c.indicateur}" for c in config.composantes]].to_numpy(dtype=float)
    weights = np.array([c.poids for c in config.composantes])
    alpha = weights / weights.sum() * concentration
    drawn = rng.dirichlet(alpha, size=draws)
    scores = _scores(norm, drawn)
    ranks, classes = _classes(scores, config.classes)
    keep = (classes == base["classe"].to_numpy()[None, :]).mean(axis=0)
    out = base[["score", "rang", "classe"]].copy()
    out["part_classe_conservee"] = keep
    out["rang_p05"] = np.percentile(ranks, 5, axis=0)
    out["rang_p95"] = np.percentile(ranks, 95, axis=0)
    return out


def quartiers_fragiles_hors_qpv(
    zones: pd.DataFrame, part_en_qpv: pd.Series, config: ConfigFragilite
) -> pd.DataFrame:
    """The fragile neighbourhoods that are not priority ones: the zones (IRIS) whose
    households live mostly outside any QPV (``part_en_qpv`` < ½) and whose fragility
    score reaches the median score of the zones mostly inside one (> ½) — « as fragile
    as a typical priority neighbourhood ». Without such a reference, the most fragile
    class. :func:`indice_fragilite`'s columns, most fragile first."""
    index = indice_fragilite(zones, config)
    share = part_en_qpv.reindex(index.index).fillna(0.0)
    inside = index.loc[(share > 0.5).to_numpy(), "score"].dropna()
    outside = index[(share < 0.5).to_numpy()]
    if len(inside):
        kept = outside[(outside["score"] >= inside.median()).to_numpy()]
    else:
        kept = outside[(outside["classe"] == 1).to_numpy()]
    return kept.sort_values("rang")
