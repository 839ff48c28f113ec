"""Rounding that keeps totals exact."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def largest_remainder(values: npt.ArrayLike, total: int) -> npt.NDArray[np.int64]:
    """Integers summing to ``total``, each the floor of its value or one more.

    Examples
    --------
    >>> largest_remainder(np.array([1.5, 1.5, 1.0]), 4).tolist()
    [2, 1, 1]
    """
    values = np.asarray(values, dtype=float)
    base = np.floor(values).astype(np.int64)
    short = total - int(base.sum())
    if short > 0:
        order = np.argsort(-(values - base), kind="stable")
        base[order[:short]] += 1
    elif short < 0:
        order = np.argsort(values - base, kind="stable")
        for i in order:
            if short == 0:
                break
            if base[i] > 0:
                base[i] -= 1
                short += 1
    return np.asarray(base, dtype=np.int64)
