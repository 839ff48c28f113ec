"""The dashboard on the hand-made file: counts by hand, secrecy, follow-up list, snapshots."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from mixite.core.acces import AccesRefuse, Perimetre
from mixite.core.relogement import (
    QualitativeCriterion,
    ResteAVivreFormula,
    compare_snapshots,
    dashboard,
    follow_up_list,
    household_figures,
)
from mixite.core.relogement.snapshots import as_of

F = ResteAVivreFormula()
REF = dt.date(2026, 1, 1)


def _figures(records: pd.DataFrame, **kw: float) -> pd.DataFrame:
    return household_figures(records, ResteAVivreFormula(**kw), reference_date=REF)  # type: ignore[arg-type]


def test_total_line_by_hand(records: pd.DataFrame) -> None:
    board = dashboard(_figures(records), F, reference_year=2026)
    raw = board.raw.set_index("ligne").loc["Total"]
    assert raw["reloges"] == 32
    assert raw["n_parc_social"] == 26
    assert raw["n_piece_supplementaire"] == 10
    total = board.table.set_index("ligne").loc["Total"]
    assert total["menages"] == 35
    # 32 of 35: the 3 not relocated are fewer than 11, so neither the count of relocated
    # nor their share is published (35 − 32 would give the 3 away).
    assert np.isnan(total["reloges"]) and np.isnan(total["part_reloges"])
    # 11 / 34.4 % would give the hidden 32 back: shares over the relocated are hidden too.
    assert np.isnan(total["part_individuel"])
    assert np.isnan(total["n_parc_social"])  # 32 − 26 = 6 relocated elsewhere
    assert total["n_individuel"] == 11
    assert np.isnan(total["n_piece_supplementaire"])  # 10 households: secret
    assert total["n_rav_en_baisse"] == 15
    assert total["n_rav_en_hausse"] == 12
    assert total["n_hausse_2_points"] == 15
    assert total["taux_effort_avant_median"] == pytest.approx(20.0)
    assert total["n_critere_effort"] == 17  # 12 down + 5 unchanged
    assert "reste à vivre" in board.formula


def test_small_lines_are_suppressed(records: pd.DataFrame) -> None:
    board = dashboard(_figures(records), F, by="operation", reference_year=2026)
    t = board.table.set_index("ligne")
    # Operation B describes 5 households: every figure is hidden.
    assert (
        t.loc["B", ["menages", "reloges", "part_reloges", "taux_effort_avant_median"]].isna().all()
    )
    # and A's count is hidden too, otherwise Total − A would give B away.
    assert np.isnan(t.loc["A", "menages"])
    assert t.loc["Total", "menages"] == 35
    assert board.suppressed > 0


def test_every_published_count_describes_11_households_or_none(records: pd.DataFrame) -> None:
    for by in (None, "operation", "bailleur", "commune", "commune_accueil", "periode"):
        t = dashboard(_figures(records), F, by=by, reference_year=2026).table
        counts = t[
            [
                c
                for c in t.columns
                if c in ("menages", "reloges", "n_fragiles") or c.startswith("n_")
            ]
        ]
        values = counts.to_numpy(dtype=float)
        shown = values[~np.isnan(values)]
        assert ((shown == 0) | (shown >= 11)).all(), by


def test_periods_and_distribution(records: pd.DataFrame) -> None:
    board = dashboard(_figures(records), F, by="periode", reference_year=2026)
    assert set(board.table["ligne"]) == {"2025-S1", "2025-S2", "à reloger", "Total"}
    dist = board.distribution.set_index("classe")
    assert dist.loc["Total", "avant"] == 32
    assert dist.loc["20 à 25 %", "avant"] == 32


def test_configurable_criteria(records: pd.DataFrame) -> None:
    rooms = QualitativeCriterion("taille", "au moins autant de pièces", "taille_adaptee")
    board = dashboard(_figures(records), F, criteria=(rooms,), reference_year=2026)
    assert board.table.set_index("ligne").loc["Total", "n_critere_taille"] == 32
    with pytest.raises(ValueError, match="kind must be one of"):
        QualitativeCriterion("x", "x", "inconnu")


def test_follow_up_list_and_scopes(records: pd.DataFrame) -> None:
    figures = _figures(records, seuil_fragilite=19.5)
    landlord = follow_up_list(figures, Perimetre("bailleur", "B1"))
    assert len(landlord) == 15
    assert set(landlord["code_bailleur"]) == {"B1"}
    assert follow_up_list(figures, Perimetre("bailleur", "B2")).empty
    team = follow_up_list(figures, Perimetre("operation", "A"))
    assert len(team) == 15
    assert set(team["motif"]) == {"reste à vivre sous le seuil ; reste à vivre en baisse"}
    with pytest.raises(AccesRefuse, match="réservée au bailleur du ménage"):
        follow_up_list(figures, Perimetre("epci", "200093201"))
    with pytest.raises(ValueError, match="role must be one of"):
        Perimetre("maire", "59512")  # type: ignore[arg-type]


def test_snapshots(records: pd.DataFrame) -> None:
    figures = _figures(records)
    early = as_of(figures, dt.date(2025, 6, 30))
    assert early["reloge"].sum() == 20
    comparison = compare_snapshots(figures, F, dt.date(2025, 6, 30), dt.date(2025, 12, 31))
    assert len(comparison.relocated_between) == 12
    assert len(comparison.still_to_relocate) == 3
    row = comparison.changes.set_index("ligne").loc["Total"]
    # 20 then 32 relocated of 35: 3 remain at the second date, so 32 is not published,
    # nor the change (which the first date would then give back).
    assert row[("2025-06-30", "menages")] == 35
    assert np.isnan(row[("2025-12-31", "reloges")])
    assert np.isnan(row[("évolution", "reloges")])
    with pytest.raises(ValueError, match="must be before"):
        compare_snapshots(figures, F, dt.date(2026, 1, 1), dt.date(2025, 1, 1))


def test_fragile_households_are_counted_as_of_each_date(records: pd.DataFrame) -> None:
    # Issue 11.1: before its move a household is fragile by its situation then.
    figures = _figures(records, seuil_fragilite=19.5)
    first = dt.date(2025, 6, 30)
    a = as_of(figures, first, threshold=19.5)
    later = (figures["statut"] == "reloge") & (
        pd.to_datetime(figures["date_relogement"]) > pd.Timestamp(first)
    )
    expected = (figures.loc[later, "rav_avant"] < 19.5).to_numpy()
    assert (a.loc[later, "fragile"].to_numpy() == expected).all()
