"""Statistical secrecy: no published figure may describe fewer than 11 households.

Every table that leaves mixite (dashboards, exports, pages) goes through
:func:`apply_secrecy`. A table declares, for each published column, what it rests on:

- a **count** of households (``Count``): suppressed when 1 to 10;
- a **share** ``numerator / base`` (``Share``): suppressed when the numerator or its
  complement ``base − numerator`` is 1 to 10, or the base is under 11;
- a **statistic** over households (mean, median, distribution; ``Statistic``):
  suppressed when it rests on fewer than 11 households.

**Secondary suppression.** When a table has a total row, a suppressed count could be
recovered as ``total − the other rows``. For each additive count column, if exactly one
detail cell is suppressed, the smallest other non-zero detail cell is suppressed too
(with the shares built on it), so that no difference gives a cell away.

Rule: INSEE / CNIS, « secret statistique » on data about households (11 households).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

THRESHOLD = 11


@dataclass(frozen=True)
class Count:
    """An additive count of households."""

    column: str


@dataclass(frozen=True)
class Share:
    """``column`` = ``numerator / base`` (as a share or a percentage)."""

    column: str
    numerator: str
    base: str


@dataclass(frozen=True)
class Statistic:
    """A statistic (mean, median…) computed over ``base`` households."""

    column: str
    base: str


Measure = Count | Share | Statistic


@dataclass(frozen=True)
class SecretTable:
    """A published table and the mask of what was suppressed (``True`` = hidden)."""

    table: pd.DataFrame
    suppressed: pd.DataFrame

    @property
    def n_suppressed(self) -> int:
        return int(self.suppressed.to_numpy().sum())


def _small(values: npt.NDArray[np.float64], threshold: int) -> npt.NDArray[np.bool_]:
    v = np.nan_to_num(values, nan=0.0)
    return np.asarray((v > 0) & (v < threshold), dtype=bool)


def apply_secrecy(
    table: pd.DataFrame,
    measures: Sequence[Measure],
    *,
    total_rows: npt.ArrayLike | None = None,
    threshold: int = THRESHOLD,
) -> SecretTable:
    """Blank (NaN) every cell that describes fewer than ``threshold`` households.

    Parameters
    ----------
    table : DataFrame
        One row per published line (a landlord, a commune, …), possibly with total rows.
    measures : sequence of Count, Share, Statistic
        What each published column rests on. Columns not listed are labels, never blanked.
    total_rows : array of bool, optional
        Which rows are totals of the others (for secondary suppression).

    Examples
    --------
    >>> t = pd.DataFrame({"bailleur": ["A", "B", "C", "Total"], "n": [40, 5, 30, 75]})
    >>> out = apply_secrecy(t, [Count("n")], total_rows=[False, False, False, True])
    >>> out.table["n"].tolist()
    [40.0, nan, nan, 75.0]
    """
    n = len(table)
    totals = np.zeros(n, dtype=bool) if total_rows is None else np.asarray(total_rows, dtype=bool)
    hidden = {m.column: np.zeros(n, dtype=bool) for m in measures}

    def values(col: str) -> npt.NDArray[np.float64]:
        return table[col].to_numpy(dtype=float, na_value=np.nan)

    counts = [m for m in measures if isinstance(m, Count)]
    for m in counts:
        hidden[m.column] |= _small(values(m.column), threshold)
    # Secondary suppression on additive counts, against the total rows.
    if totals.any():
        detail = ~totals
        for m in counts:
            h = hidden[m.column]
            v = np.nan_to_num(values(m.column))
            if int((h & detail).sum()) == 1:
                candidates = np.flatnonzero(detail & ~h & (v > 0))
                if len(candidates):
                    h[candidates[np.argmin(v[candidates])]] = True
    count_hidden = {c.column: hidden[c.column] for c in counts}
    none = np.zeros(n, dtype=bool)
    for measure in measures:
        if isinstance(measure, Share):
            num = values(measure.numerator)
            base = values(measure.base)
            h = _small(num, threshold) | _small(base - num, threshold)
            h |= np.nan_to_num(base) < threshold
            h |= count_hidden.get(measure.numerator, none) | count_hidden.get(measure.base, none)
            hidden[measure.column] |= h
        elif isinstance(measure, Statistic):
            base = values(measure.base)
            hidden[measure.column] |= (np.nan_to_num(base) < threshold) | count_hidden.get(
                measure.base, none
            )
    out = table.copy()
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    for col, h in hidden.items():
        if h.any():
            out[col] = out[col].astype(float)
            out.loc[h, col] = np.nan
            mask.loc[h, col] = True
    return SecretTable(out, mask)
