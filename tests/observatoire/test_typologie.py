"""Typologies: rules, classes and reasons; presets load; errors name the line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixite.errors import InvalidDataError
from mixite.io.config import TYPOLOGY_PRESETS, load_typology
from mixite.observatoire.typologie import Axe, Regle, Typologie, classer

ZONES = pd.DataFrame(
    {
        "locataires_sociaux": [45.0, 10.0, 2.0],
        "taux_pauvrete": [30.0, 10.0, None],
        "sans_actif_occupe": [60.0, 40.0, 30.0],
    },
    index=["a", "b", "c"],
)


def test_classes_and_reasons() -> None:
    t = Typologie(
        "t",
        (
            Axe(
                "statut",
                "logement social",
                (Regle("locataires_sociaux", ">", 40), Regle("locataires_sociaux", "<", 5)),
            ),
            Axe("occupation", "occupation sociale", (Regle("taux_pauvrete", ">", 25),)),
        ),
        (("à enjeux", 2), ("en alerte", 1), ("en veille", 0)),
    )
    out = classer(ZONES, t)
    assert out["classe"].tolist() == ["à enjeux", "en veille", "en alerte"]
    assert (
        out.loc["a", "motifs"]
        == "logement social : locataires_sociaux = 45.0 > 40 ; occupation sociale : taux_pauvrete = 30.0 > 25"
    )
    assert "occupation sociale : non renseigné" in out.loc["c", "motifs"]
    assert pd.isna(out.loc["c", "axe_occupation"])


@pytest.mark.parametrize("name", TYPOLOGY_PRESETS)
def test_presets(name: str) -> None:
    t = load_typology(name)
    assert len(t.axes) == 3 and t.classes[-1][1] == 0


def test_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    text = "nom: x\naxes:\n  - code: a\n    regles:\n      - {indicateur: p, operateur: '=>', seuil: 3}\nclasses: []\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidDataError) as info:
        load_typology(path)
    rows = {(p.row, p.column) for p in info.value.problems}
    assert (5, "regles") in rows and (1, "classes") in rows
