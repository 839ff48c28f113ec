"""Settings files and exports: French errors with the line, notes in every output."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mixite.errors import InvalidDataError
from mixite.io.config import load_relocation_settings
from mixite.io.exports import write_tables


def test_default_settings() -> None:
    s = load_relocation_settings()
    assert s.formula.par == "personne" and s.formula.threshold == 6
    assert [c.code for c in s.criteria] == ["neuf", "effort", "hors_qpv"]


def test_custom_settings(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "reste_a_vivre:\n  par: uc\n  periode: mois\n  avec_apl: false\n"
        "criteres:\n  - code: t\n    libelle: taille\n    type: taille_adaptee\n",
        encoding="utf-8",
    )
    s = load_relocation_settings(path)
    assert s.formula.describe().startswith(
        "reste à vivre = (ressources − loyer − charges) / unités"
    )
    assert s.criteria[0].kind == "taille_adaptee"


def test_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "reste_a_vivre:\n"
        "  par: famille\n"
        "  jours_par_mois: -3\n"
        "seuils: 4\n"
        "criteres:\n"
        "  - code: a\n    libelle: x\n    type: inconnu\n"
        "  - code: b\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidDataError) as info:
        load_relocation_settings(path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {
        (2, "reste_a_vivre.par"),
        (3, "reste_a_vivre.jours_par_mois"),
        (4, "seuils"),
        (8, "criteres.type"),
        (9, "criteres"),
    }
    assert (
        "r.yaml, ligne 2, colonne « reste_a_vivre.par » : « famille » : valeurs possibles"
        in info.value.report()
    )


def test_unreadable_yaml(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("reste_a_vivre: [\n", encoding="utf-8")
    with pytest.raises(InvalidDataError, match="1 problem"):
        load_relocation_settings(path)


def test_exports_carry_their_notes(tmp_path: Path) -> None:
    table = pd.DataFrame({"ligne": ["A", "Total"], "ménages": [12.0, float("nan")]})
    notes = ["DONNÉES SYNTHÉTIQUES", "Formule : x"]
    table["part (%)"] = [12.5, float("nan")]
    # For spreadsheets: « ; », decimal comma, BOM; the notes beside the table.
    csv = write_tables(tmp_path / "t.csv", {"T": table}, notes)
    raw = csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == [
        "ligne;ménages;part (%)",
        "A;12,0;12,5",
        "Total;;",
    ]
    assert (tmp_path / "t.notes.txt").read_text(encoding="utf-8-sig").splitlines() == notes
    back = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig")
    assert back["ménages"].isna().tolist() == [False, True]
    # For programs: MIXITE_CSV=machine.
    import os

    os.environ["MIXITE_CSV"] = "machine"
    try:
        csv = write_tables(tmp_path / "m.csv", {"T": table}, notes)
    finally:
        del os.environ["MIXITE_CSV"]
    assert csv.read_text(encoding="utf-8").splitlines()[:2] == [
        "# DONNÉES SYNTHÉTIQUES",
        "# Formule : x",
    ]
    assert pd.read_csv(csv, comment="#")["part (%)"].iloc[0] == 12.5
    xlsx = write_tables(tmp_path / "t.xlsx", {"Tableau": table}, notes)
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Tableau", "Notes"]
    assert book["Tableau"]["B2"].number_format == "#,##0"
    assert book["Tableau"]["C2"].number_format == '0.0" %"'
    assert book["Notes"]["A2"].value == "DONNÉES SYNTHÉTIQUES"
    with pytest.raises(Exception, match="Format de sortie non pris en charge"):
        write_tables(tmp_path / "t.ods", {"T": table}, notes)


@pytest.mark.parametrize(
    "loader",
    [
        "load_relocation_settings",
        "load_priority_catalogue",
        "load_charter",
        "load_grid",
        "load_fragility",
        "load_typology",
        "load_watch",
    ],
)
def test_a_missing_settings_file_is_reported_not_crashed(loader: str, tmp_path: Path) -> None:
    from mixite.io import config

    missing = tmp_path / "absent.yaml"
    with pytest.raises(InvalidDataError) as info:
        getattr(config, loader)(missing)
    assert "fichier introuvable" in info.value.report()
    assert str(missing) in info.value.report()
