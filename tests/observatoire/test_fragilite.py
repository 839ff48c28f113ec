"""Fragility index: by hand, properties, stability; the real MEL communes (Filosofi 2016)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.observatoire import Composante, ConfigFragilite, indice_fragilite, stabilite_des_rangs
from tests.conftest import REAL, REFDATA, require_shared

ZONES = pd.DataFrame(
    {"pauvrete": [10.0, 30.0, 20.0, 40.0], "mediane": [25000.0, 13000.0, 18000.0, 12000.0]},
    index=["a", "b", "c", "d"],
)
CFG = ConfigFragilite((Composante("pauvrete", "+"), Composante("mediane", "-")), classes=2)


def test_zscore_by_hand() -> None:
    out = indice_fragilite(ZONES, CFG)
    z = (ZONES - ZONES.mean()) / ZONES.std(ddof=0)
    expected = (z["pauvrete"] - z["mediane"]) / 2
    np.testing.assert_allclose(out["score"].to_numpy(), expected.to_numpy())
    assert out["rang"].tolist() == [4.0, 2.0, 3.0, 1.0]
    assert out["classe"].tolist() == [2, 1, 2, 1]


@pytest.mark.parametrize("how", ["rang", "minmax"])
def test_other_normalisations(how: str) -> None:
    cfg = ConfigFragilite(CFG.composantes, normalisation=how, classes=2)  # type: ignore[arg-type]
    out = indice_fragilite(ZONES, cfg)
    assert out["rang"].tolist() == [4.0, 2.0, 3.0, 1.0]
    assert out[["n_pauvrete"]].abs().max().iloc[0] <= 1.0


def test_secret_indicator_is_left_out_not_guessed() -> None:
    zones = ZONES.copy()
    zones.loc["c", "pauvrete"] = np.nan
    out = indice_fragilite(zones, CFG)
    assert out.loc["c", "composantes_disponibles"] == 1
    assert out.loc["c", "score"] == pytest.approx(out.loc["c", "n_mediane"])


def test_bad_configs() -> None:
    with pytest.raises(ValueError, match="sens must be"):
        Composante("x", "haut")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="poids must be positive"):
        Composante("x", "+", 0)
    with pytest.raises(ValueError, match="not columns of the zones"):
        indice_fragilite(ZONES, ConfigFragilite((Composante("chomage", "+"),)))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 60), st.floats(8000, 40000)), min_size=5, max_size=40, unique=True
    ),
    st.floats(0.5, 5),
)
def test_scaling_an_indicator_changes_nothing(
    rows: list[tuple[float, float]], factor: float
) -> None:
    zones = pd.DataFrame(rows, columns=["pauvrete", "mediane"])
    a = indice_fragilite(zones, CFG)
    b = indice_fragilite(zones.assign(mediane=zones["mediane"] * factor), CFG)
    np.testing.assert_allclose(a["score"].to_numpy(), b["score"].to_numpy(), atol=1e-9)


def test_stability_is_seeded_and_bounded() -> None:
    rng = np.random.default_rng(0)
    zones = pd.DataFrame({"a": rng.random(50), "b": rng.random(50), "c": rng.random(50)})
    cfg = ConfigFragilite((Composante("a", "+", 2), Composante("b", "+"), Composante("c", "-")))
    s1 = stabilite_des_rangs(zones, cfg, draws=300, rng=np.random.default_rng(1))
    s2 = stabilite_des_rangs(zones, cfg, draws=300, rng=np.random.default_rng(1))
    pd.testing.assert_frame_equal(s1, s2)
    assert s1["part_classe_conservee"].between(0, 1).all()
    assert (s1["rang_p05"] <= s1["rang"]).all() and (s1["rang"] <= s1["rang_p95"]).all()
    one = ConfigFragilite((Composante("a", "+"),))
    assert (
        stabilite_des_rangs(zones, one, draws=50, rng=np.random.default_rng(1))[
            "part_classe_conservee"
        ]
        == 1
    ).all()


def test_mel_communes_sanity_check() -> None:
    """Filosofi 2016: Roubaix and Tourcoing among the most fragile MEL communes, the
    wealthy western and southern suburbs among the least (an observation, not a tuning)."""
    require_shared()
    mel = pd.read_csv(REFDATA / "mel_communes.csv", dtype=str)
    filo = pd.read_csv(
        REAL / "filosofi-communes-2016" / "filosofi_com_2016.csv", dtype={"CODGEO": str}
    )
    zones = filo[filo["CODGEO"].isin(mel["insee_code"])].set_index("CODGEO")
    cfg = ConfigFragilite(
        (
            Composante("MED16", "-"),
            Composante("D116", "-"),
            Composante("TP6016", "+"),
            Composante("PPSOC16", "+"),
            Composante("PPMINI16", "+"),
            Composante("PCHO16", "+"),
        )
    )
    out = indice_fragilite(zones, cfg)
    assert out.loc["59512", "rang"] <= 3  # Roubaix
    assert out.loc["59599", "rang"] <= 10  # Tourcoing
    least = set(out.nlargest(15, "rang").index)
    assert {"59025", "59487"} & least  # Aubers, Radinghem-en-Weppes (Weppes, west)


def test_fragile_neighbourhoods_outside_qpv_are_as_fragile_as_the_median_qpv_one() -> None:
    """Scores by hand (one component, z-scores of 10, 20, …, 70): QPV IRIS q1, q2, q3
    have poverty 70, 40, 20, their median z-score is that of 40 (0). Outside QPV: a (60)
    and b (40, tie) are kept, c (10) and d (30) are not; e is exactly half in a QPV:
    neither mostly outside nor a reference."""
    from mixite.observatoire.fragilite import quartiers_fragiles_hors_qpv

    zones = pd.DataFrame(
        {"pauvrete": [70, 40, 20, 60, 40, 10, 30, 50]},
        index=["q1", "q2", "q3", "a", "b", "c", "d", "e"],
    )
    in_qpv = pd.Series([1.0, 0.9, 0.6, 0.0, 0.2, 0.0, 0.4, 0.5], index=zones.index)
    cfg = ConfigFragilite((Composante("pauvrete", "+"),))
    out = quartiers_fragiles_hors_qpv(zones, in_qpv, cfg)
    assert out.index.tolist() == ["a", "b"]  # most fragile first
    assert out["rang"].tolist() == [2.0, 5.0]  # q1 70, a 60, e 50, q2 40, b 40
    # No IRIS mostly in a QPV: the most fragile class is the reference.
    none = quartiers_fragiles_hors_qpv(zones, in_qpv * 0, cfg)
    assert none.index.tolist() == indice_fragilite(zones, cfg).query("classe == 1").index.tolist()
