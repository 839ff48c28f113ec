"""Local indices: one value per unit (and per group for the location quotient).

With ``by``, the reference composition (π_k) is the unit's region's.

References: Isard (1960) for location quotients; Theil (1972); Simpson (1949);
Elbers (2023) for the local contributions to M.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mixite.indices._regions import regions_from


def local_indices(
    units: pd.DataFrame, *, groups: Sequence[str], by: str | None = None
) -> pd.DataFrame:
    """Per unit: location quotient of each group, local diversity and entropy, Simpson's
    concentration and interaction, and the unit's contribution to M.

    Notes
    -----
    LQ_ik = π_ik / π_k; diversity_i = −Σ_k π_ik ln π_ik; entropy_i = diversity_i / ln K;
    concentration_i = Σ_k π_ik²; interaction_i = 1 − concentration_i;
    m_i = (t_i / T) Σ_k π_ik ln(π_ik / π_k), so that Σ_i m_i = M of the region.
    Units with no population get NaN.

    Examples
    --------
    >>> u = pd.DataFrame({"a": [3, 1], "b": [1, 3]})
    >>> local_indices(u, groups=["a", "b"])["quotient_a"].tolist()
    [1.5, 0.5]
    """
    missing = [g for g in groups if g not in units.columns]
    if missing:
        raise ValueError(
            f"The 'groups' parameter of local_indices names absent columns {missing}; available: {list(units.columns)}."
        )
    n = units[list(groups)].to_numpy(dtype=float)
    if (n < 0).any() or np.isnan(n).any():
        raise ValueError("local_indices needs non-negative, non-missing group counts.")
    r = regions_from(units[by] if by is not None else None, len(units), by or "region")
    t = n.sum(axis=1)
    T = r.sum(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        pi_k = np.column_stack([r.sum(n[:, k]) for k in range(n.shape[1])]) / T[:, None]
        pi_ik = n / t[:, None]
        logs = np.where(pi_ik > 0, np.log(np.where(pi_ik > 0, pi_ik, 1)), 0.0)
        diversity = -(pi_ik * logs).sum(axis=1)
        contrib_terms = np.where(pi_ik > 0, pi_ik * (logs - np.log(pi_k[r.codes])), 0.0)
        m_i = t / T[r.codes] * contrib_terms.sum(axis=1)
        out = pd.DataFrame(index=units.index)
        for k, g in enumerate(groups):
            out[f"quotient_{g}"] = pi_ik[:, k] / pi_k[r.codes, k]
        out["diversite"] = diversity
        out["entropie"] = diversity / np.log(len(groups))
        out["concentration_simpson"] = (pi_ik**2).sum(axis=1)
        out["interaction_simpson"] = 1 - out["concentration_simpson"]
        out["contribution_m"] = m_i
    empty = t == 0
    out.loc[empty, :] = np.nan
    return out
