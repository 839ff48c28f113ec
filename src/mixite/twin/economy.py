"""Resources, employment, tenure and housing benefit of the twin's households."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def logistic(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=float)


def employed_members(
    adults: npt.NDArray[np.int64],
    age: npt.NDArray[np.int64],
    relative_income: npt.NDArray[np.float64],
    rng: np.random.Generator,
) -> npt.NDArray[np.int64]:
    """Adults with a job: likelier with a higher standard of living, none past 64."""
    p = logistic(0.6 + 2.2 * np.log(np.clip(relative_income, 0.05, 20)))
    p = np.where(age >= 65, 0.03, np.where(age >= 60, p * 0.5, p))
    return rng.binomial(adults, p).astype(np.int64)


def housing_benefit_monthly(
    rent_cents: npt.NDArray[np.int64],
    persons: npt.NDArray[np.int64],
    monthly_resources_cents: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """A simplified APL (twin only, not the legal scale), in cents per month.

    Notes
    -----
    APL = max(0, min(rent, cap) + charges allowance − (37 € + 32 % × (R − R0)⁺)) with
    cap = 300 € + 55 € per extra person, charges allowance = 55 € + 12 € per extra
    person, R0 = 600 € + 150 € per extra person; nil under 15 €. A shape that gives
    benefit to about half of social tenants, as in the MEL, and nothing more.
    """
    extra = np.maximum(persons - 1, 0)
    cap = (300 + 55 * extra) * 100
    allowance = (55 + 12 * extra) * 100
    r0 = (600 + 150 * extra) * 100
    participation = 3700 + 0.32 * np.maximum(monthly_resources_cents - r0, 0)
    apl = np.minimum(rent_cents, cap) + allowance - participation
    apl = np.where(apl < 1500, 0, apl)
    return np.asarray(np.rint(np.maximum(apl, 0)), dtype=np.int64)
