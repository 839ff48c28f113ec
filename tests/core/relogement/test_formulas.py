"""Effort rate and reste à vivre by hand, for every formula option."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixite.core.relogement import ResteAVivreFormula, effort_rate, household_figures

# resources 1500, rent 400, charges 100, APL 200; 3 persons, 2.1 UC; 30-day month.
CASES = [
    (ResteAVivreFormula(), (1500 - 400 - 100 + 200) / 3 / 30),
    (ResteAVivreFormula(par="uc"), (1500 - 400 - 100 + 200) / 2.1 / 30),
    (ResteAVivreFormula(periode="mois"), (1500 - 400 - 100 + 200) / 3),
    (ResteAVivreFormula(avec_charges=False), (1500 - 400 + 200) / 3 / 30),
    (ResteAVivreFormula(avec_apl=False), (1500 - 400 - 100) / 3 / 30),
    (
        ResteAVivreFormula(par="uc", periode="mois", avec_charges=False, avec_apl=False),
        (1500 - 400) / 2.1,
    ),
    (ResteAVivreFormula(jours_par_mois=30.4), (1500 - 400 - 100 + 200) / 3 / 30.4),
]


@pytest.mark.parametrize(("formula", "expected"), CASES, ids=[f.describe()[:60] for f, _ in CASES])
def test_reste_a_vivre_by_hand(formula: ResteAVivreFormula, expected: float) -> None:
    got = formula.compute([1500], [400], [100], [200], [3], [2.1])
    assert got[0] == pytest.approx(expected, rel=1e-12)


def test_formula_is_described_in_french() -> None:
    f = ResteAVivreFormula(par="uc", periode="mois", avec_apl=False)
    assert f.describe() == (
        "reste à vivre = (ressources − loyer − charges) / unités de consommation ; "
        "fragile sous 180 € par mois et par unité de consommation"
    )
    assert ResteAVivreFormula(seuil_fragilite=7.5).threshold == 7.5


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="par must be 'personne' or 'uc'; got 'menage'"):
        ResteAVivreFormula(par="menage")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="periode must be"):
        ResteAVivreFormula(periode="an")  # type: ignore[arg-type]


def test_effort_rate_by_hand_and_without_resources() -> None:
    assert effort_rate([400, 400], [100, 100], [200, 200], [1500, 0]).tolist()[0] == pytest.approx(
        0.2
    )
    assert np.isnan(effort_rate([400], [100], [200], [0])[0])
    assert effort_rate([400], [np.nan], [np.nan], [1000])[0] == pytest.approx(0.4)


@given(
    st.floats(500, 5000), st.floats(0, 900), st.floats(0, 200), st.floats(0, 400), st.integers(1, 8)
)
def test_more_rent_never_raises_reste_a_vivre(
    res: float, rent: float, charges: float, apl: float, n: int
) -> None:
    f = ResteAVivreFormula()
    base = f.compute([res], [rent], [charges], [apl], [n], [1.0])[0]
    more = f.compute([res], [rent + 10], [charges], [apl], [n], [1.0])[0]
    assert more < base
    assert (
        effort_rate([rent + 10], [charges], [apl], [res])[0]
        > effort_rate([rent], [charges], [apl], [res])[0]
    )


def test_household_figures_flags(records: pd.DataFrame) -> None:
    f = household_figures(records, ResteAVivreFormula(), reference_date=dt.date(2026, 1, 1))
    first = f.iloc[0]
    assert first["taux_effort_avant"] == pytest.approx(0.2)
    assert first["taux_effort_apres"] == pytest.approx(0.24)
    assert first["variation_taux_effort"] == pytest.approx(4.0)
    assert first["rav_avant"] == pytest.approx(20.0)
    assert first["variation_rav"] == pytest.approx(-1.0)
    assert f["rav_en_baisse"].sum() == 15
    assert f["rav_en_hausse"].sum() == 12
    assert f["reloge"].sum() == 32
    assert np.isnan(f.loc[27, "rav_apres"])
    assert f["neuf_ou_recent"].sum() == 14  # built 2024, within 5 years of 2026
    assert f["piece_supplementaire"].sum() == 10
    assert f["hors_qpv"].sum() == 12
    assert not f["fragile"].any()
    strict = household_figures(
        records, ResteAVivreFormula(seuil_fragilite=19.5), reference_date=dt.date(2026, 1, 1)
    )
    assert strict["fragile"].sum() == 15
