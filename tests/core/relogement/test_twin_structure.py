"""On the twin, the dashboard has the shape of the GIP LMRU figures (not a copy of them):
2,226 relocated (90 %), 97 % social, 30 % individual, 30 % a room more, 38 % new or
recent, 42 % outside ZUS, effort 15-20 % before and +2 to +2.5 points for two thirds,
reste à vivre up for 889 and down for 1,098."""

from __future__ import annotations

import datetime as dt

import pytest

from mixite.core.relogement import ResteAVivreFormula, dashboard, household_figures
from tests.twin.conftest import make_twin


@pytest.mark.parametrize(
    "scale",
    [pytest.param(0.25, id="quart"), pytest.param(1.0, marks=pytest.mark.slow, id="entier")],
)
def test_structure_of_the_source_figures(scale: float) -> None:
    twin = make_twin(scale=scale)
    records = twin.tables["relogements"].copy()
    for c in records.columns:
        if c.endswith(("_mensuel", "_mensuelle", "_mensuelles")):
            records[c] = records[c].astype(float) / 100  # cents → euros, as the store gives them
    figures = household_figures(records, ResteAVivreFormula(), reference_date=dt.date(2026, 10, 31))
    total = (
        dashboard(figures, ResteAVivreFormula(), reference_year=2026)
        .table.set_index("ligne")
        .loc["Total"]
    )
    assert 2470 * scale * 0.97 <= total["menages"] <= 2470 * scale * 1.03
    assert 85 <= total["part_reloges"] <= 95
    assert total["part_parc_social"] >= 93
    assert 15 <= total["part_individuel"] <= 40
    assert 20 <= total["part_piece_supplementaire"] <= 40
    assert 25 <= total["part_neuf_ou_recent"] <= 50
    assert 35 <= total["part_hors_qpv"] <= 70
    assert 15 <= total["taux_effort_avant_median"] <= 22
    assert 1 <= total["taux_effort_apres_median"] - total["taux_effort_avant_median"] <= 4
    assert 55 <= total["part_hausse_taux_effort"] <= 75
    assert total["n_rav_en_baisse"] > total["n_rav_en_hausse"]
