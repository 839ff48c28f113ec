"""The entrance watch: thresholds with margins, statuses with reasons, scopes."""

from __future__ import annotations

import pandas as pd
import pytest

from mixite.core.acces import Perimetre
from mixite.observatoire.veille import Variable, entrance_variables, statuses, watch

VARS = (
    Variable("a", "variable a", 50, 10),
    Variable("b", "variable b", 40, 10),
    Variable("c", "variable c", 1, 0.3),
)


def _entrances() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code_bailleur": ["B1", "B1", "B2", "B2"],
            "a": [30.0, 65.0, 55.0, 70.0],
            "b": [20.0, 30.0, 45.0, 60.0],
            "c": [0.5, 0.9, 0.8, 1.2],
        },
        index=["E1", "E2", "E3", "E4"],
    )


def test_statuses_and_reasons() -> None:
    out = statuses(_entrances(), VARS)
    assert out["statut"].tolist() == ["ok", "vigilance", "vigilance", "fragile"]
    assert out.loc["E1", "motifs"] == "aucun seuil dépassé"
    assert out.loc["E2", "motifs"] == "variable a : 65 > 50 + marge 10"
    assert out.loc["E3", "dans_la_marge"] == 2 and out.loc["E3", "depassements"] == 0
    assert out.loc["E4", "depassements"] == 2 and "dans la marge" in out.loc["E4", "motifs"]


def test_scopes() -> None:
    out = statuses(_entrances(), VARS)
    own = watch(out, Perimetre("bailleur", "B2"))
    assert list(own.index) == ["E3", "E4"]
    public = watch(out, Perimetre("epci", "200093201"))
    assert public.set_index("statut")["entrees"].to_dict() == {
        "ok": 1,
        "vigilance": 2,
        "fragile": 1,
    }


def test_variables_from_households() -> None:
    h = pd.DataFrame(
        {
            "id_entree": ["E1"] * 4,
            "code_bailleur": ["B1"] * 4,
            "nb_actifs_occupes": [0, 1, 0, 2],
            "type_menage": [
                "monoparental",
                "couple_avec_enfants",
                "personne_seule",
                "monoparental",
            ],
            "nb_enfants": [2, 3, 0, 1],
        }
    )
    v = entrance_variables(h, pd.Series([True, False, True, False]))
    row = v.loc["E1"]
    assert (
        row["menages"],
        row["part_sans_actif"],
        row["part_sous_40_plus"],
        row["part_monoparentales"],
        row["enfants_par_logement"],
    ) == (4, 50.0, 50.0, 50.0, 1.5)


def test_single_houses_are_not_entrances_and_calibration_flags_a_minority() -> None:
    import numpy as np
    import pandas as pd

    from mixite.observatoire.veille import DEFAULT_VARIABLES, calibrate, collectives, statuses

    rng = np.random.default_rng(0)
    n = 1000
    entrances = pd.DataFrame(
        {
            "code_bailleur": "B1",
            "part_sans_actif": rng.uniform(20, 80, n),
            "part_sous_40_plus": rng.uniform(10, 70, n),
            "part_monoparentales": rng.uniform(5, 45, n),
            "enfants_par_logement": rng.uniform(0.3, 1.8, n),
            "individuel": np.arange(n) < 200,
        }
    )
    block = collectives(entrances)
    assert int(block.sum()) == 800
    fixed = statuses(entrances[block], DEFAULT_VARIABLES)
    assert (fixed["statut"] != "ok").mean() > 0.5  # the example thresholds flag most
    tuned = calibrate(entrances[block], DEFAULT_VARIABLES)
    result = statuses(entrances[block], tuned)
    flagged = (result["statut"] != "ok").mean()
    assert 0.05 < flagged < 0.35, flagged
    for v in tuned:
        share_over = (entrances.loc[block, v.code] > v.seuil).mean()
        assert share_over == pytest.approx(0.10, abs=0.01)
