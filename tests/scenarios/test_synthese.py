"""Summaries of the replicates: bands, fragility classes comparable across dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixite.observatoire.fragilite import Composante, ConfigFragilite
from mixite.scenarios.synthese import _bands, fragilite


def test_bands_are_the_5th_50th_and_95th_centiles_and_ignore_empty_zones() -> None:
    values = np.arange(101, dtype=float)[:, None] * np.ones((1, 2))
    values[:, 1] = np.nan
    b = _bands(values)
    assert b[:, 0].tolist() == [5.0, 50.0, 95.0]
    assert np.isnan(b[:, 1]).all()


def test_fragility_classes_share_one_scale_across_dates() -> None:
    """Two IRIS, two dates; the poverty rate alone, two classes. Pooled over dates, the
    poorer half of the four (IRIS, date) rows is class 1: an IRIS that grows poorer than
    the other's start changes class, which a per-date ranking would never show."""
    z = pd.DataFrame(
        {
            "niveau": "IRIS",
            "zone": ["a", "b", "a", "b"],
            "au_1er_janvier": [2024, 2024, 2034, 2034],
            "menages": 100.0,
            "taux_pauvrete": [10.0, 20.0, 30.0, 40.0],
        }
    )
    config = ConfigFragilite(
        (Composante("taux_pauvrete", "+"), Composante("mediane_niveau_de_vie", "-")), classes=2
    )
    classes, transitions = fragilite(z, config)
    assert classes["classe"].tolist() == [2, 2, 1, 1]
    row = transitions.set_index("IRIS (1 : la plus fragile)").loc["classe 2 en 2024"]
    assert row["classe 1 en 2034"] == 2


def test_typology_classes_and_transitions_and_unprojected_indicators_refused() -> None:
    import pytest

    from mixite.io.config import load_typology
    from mixite.scenarios.synthese import typologie

    z = pd.DataFrame(
        {
            "niveau": "IRIS",
            "zone": ["a", "b", "a", "b"],
            "au_1er_janvier": [2024, 2024, 2034, 2034],
            "menages": 100.0,
            "part_sous_40_plus": [45.0, 10.0, 45.0, 10.0],
            "taux_pauvrete": [10.0, 10.0, 10.0, 10.0],
            "part_sans_actif": [60.0, 20.0, 40.0, 60.0],
            "part_monoparentales": [10.0, 10.0, 10.0, 10.0],
            "part_grandes_familles": 5.0,
            "part_reference_65_plus": 20.0,
        }
    )
    kinds, moves = typologie(z, load_typology("pecquencourt"))
    # a: poverty (45 % > 40) and employment (60 % > 50) → « à enjeux », then only poverty.
    assert kinds["classe"].tolist() == ["quartier à enjeux", "sans enjeu particulier",
                                        "quartier en veille", "quartier en veille"]  # fmt: skip
    row = moves.set_index(moves.columns[0]).loc["quartier à enjeux en 2024"]
    assert row["quartier en veille en 2034"] == 1
    with pytest.raises(ValueError, match="non projeté"):
        typologie(z, load_typology("arras"))
