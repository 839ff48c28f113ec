"""Offers matched to a household's wishes (issue 19): every hard constraint holds for
every dwelling said to fit, and a dwelling set aside says which constraint it breaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.core.relogement.offres import Souhaits, contraintes

COMMUNES = ("59350", "59009", "59512")


def test_hand_computed_cases() -> None:
    s = Souhaits(communes=("59009", "59350"), type="collectif", pieces_min=3, pieces_max=3,
                 loyer_charges_max=550.0, etage_max=2)  # fmt: skip
    stock = pd.DataFrame({
        "id_logement": list("ABCDEF"),
        "code_commune": ["59350", "59350", "59009", "59512", "59350", "59350"],
        "nb_pieces": [3, 4, 3, 3, 3, 3],
        "loyer_mensuel": [460.0, 460.0, 470.0, 400.0, 460.0, 400.0],
        "charges_mensuelles": [90.0, 90.0, 90.0, 80.0, 80.0, 80.0],
        "etage": [2, 1, 0, 0, 5, 6],
        "ascenseur": [False, False, False, False, False, True],
        "individuel": [False, False, False, False, False, False],
    })  # fmt: skip
    out = contraintes(stock, s).set_index("id_logement")
    # A: 550 € exactly, 2nd floor without lift but within the limit, second wished commune.
    assert out.loc["A", "adapte"] and out.loc["A", "rang_commune"] == 2
    assert out.loc["B", "motifs"] == "4 pièce(s), souhait 3 à 3"
    assert out.loc["C", "motifs"] == "loyer et charges 560,00 € au-delà de 550,00 €"
    assert out.loc["C", "rang_commune"] == 1
    assert out.loc["D", "motifs"] == "commune 59512 non souhaitée"
    assert out.loc["E", "motifs"] == "étage 5 sans ascenseur (au plus 2)"
    assert out.loc["F", "adapte"], "a lift serves the 6th floor"


@st.composite
def cas(draw: st.DrawFn) -> tuple[pd.DataFrame, Souhaits]:
    n = draw(st.integers(1, 30))
    stock = pd.DataFrame({
        "id_logement": [f"L{i}" for i in range(n)],
        "code_commune": draw(st.lists(st.sampled_from(COMMUNES), min_size=n, max_size=n)),
        "nb_pieces": draw(st.lists(st.integers(1, 7), min_size=n, max_size=n)),
        "loyer_mensuel": draw(st.lists(st.integers(150, 900), min_size=n, max_size=n)),
        "charges_mensuelles": draw(st.lists(st.integers(0, 200), min_size=n, max_size=n)),
        "etage": draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)),
        "ascenseur": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "individuel": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
    })  # fmt: skip
    low = draw(st.integers(1, 6))
    s = Souhaits(
        communes=tuple(draw(st.lists(st.sampled_from(COMMUNES), unique=True, max_size=3))),
        type=draw(st.sampled_from(["indifferent", "collectif", "individuel"])),
        pieces_min=low,
        pieces_max=draw(st.none() | st.integers(low, 7)),
        etage_max=draw(st.none() | st.integers(0, 6)),
        loyer_charges_max=draw(st.none() | st.integers(200, 1000).map(float)),
        mobilite_reduite=draw(st.booleans()),
    )
    return stock, s


@given(cas())
@settings(max_examples=200, deadline=None)
def test_every_dwelling_said_to_fit_respects_every_hard_constraint(
    case: tuple[pd.DataFrame, Souhaits],
) -> None:
    stock, s = case
    out = contraintes(stock, s)
    fit = out[out["adapte"]]
    cost = fit["loyer_mensuel"] + fit["charges_mensuelles"]
    assert (fit["nb_pieces"] >= s.pieces_min).all()
    if s.pieces_max is not None:
        assert (fit["nb_pieces"] <= s.pieces_max).all()
    if s.loyer_charges_max is not None:
        assert (cost <= s.loyer_charges_max).all()
    if s.mobilite_reduite:
        assert ((fit["etage"] == 0) | fit["ascenseur"]).all()
    if s.etage_max is not None:
        assert ((fit["etage"] <= s.etage_max) | fit["ascenseur"]).all()
    if s.communes:
        assert fit["code_commune"].isin(s.communes).all()
    if s.type != "indifferent":
        assert (fit["individuel"] == (s.type == "individuel")).all()
    # Set aside: at least one reason, one per constraint broken.
    aside = out[~out["adapte"]]
    broken = (~aside[["taille_ok", "loyer_ok", "acces_ok", "commune_ok", "type_ok"]]).sum(axis=1)
    assert (broken >= 1).all()
    assert (aside["motifs"].str.count(" ; ") + 1 == broken).all()
    assert (out.loc[out["adapte"], "motifs"] == "conforme aux souhaits").all()
    assert np.array_equal(out["id_logement"], stock["id_logement"])
