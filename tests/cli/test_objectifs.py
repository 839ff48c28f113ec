"""``mixite objectifs``, ``demandes``, ``plafonds`` and ``modele`` on the twin."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from mixite.cli.main import main
from mixite.io.store import Store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("obj") / "demo.duckdb"
    assert main(["demo", "--scale", "0.1", "--store", str(store)]) == 0
    return store


@pytest.mark.parametrize("preset", ["pecquencourt", "lille", "loi-2017"])
def test_tracking_each_preset(
    preset: str, demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "suivi.xlsx"
    assert (
        main(
            [
                "objectifs",
                "suivi",
                "--charte",
                preset,
                "--store",
                str(demo_store),
                "--sortie",
                str(out_file),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("DONNÉES SYNTHÉTIQUES")
    assert "Intervalle de confiance : Wilson à 95 %" in out
    book = openpyxl.load_workbook(out_file)
    headers = [c.value for c in book["Suivi des objectifs"][1]]
    assert "statut" in headers and "attributions restantes" in headers


def test_pecquencourt_flags_the_drifting_landlord(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["objectifs", "suivi", "--charte", "pecquencourt", "--store", str(demo_store)])
    lines = [
        line
        for line in capsys.readouterr().out.splitlines()
        if "sous_40_plus" in line and "bailleur B04" in line and "2026" in line
    ]
    assert lines and ("manqué" in lines[0] or "à risque" in lines[0])


def test_apportionment(demo_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "objectifs",
                "repartir",
                "--cible",
                "40",
                "--min",
                "25",
                "--max",
                "60",
                "--store",
                str(demo_store),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Règle : 40% de" in out and "arrondi au plus fort reste" in out


def test_priorities_and_scoring(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demandes", "priorites", "--liste", "lille_13", "--store", str(demo_store)]) == 0
    out = capsys.readouterr().out
    assert "Liste « lille_13 »" in out and "DALO-7 non évalué" in out
    out_file = tmp_path / "cotation.xlsx"
    args = ["demandes", "cotation", "--store", str(demo_store), "--sortie", str(out_file)]
    assert main([*args, "--nominatif", "commune:59350"]) == 0
    assert "Grille : score = points des critères" in capsys.readouterr().out
    book = openpyxl.load_workbook(out_file)
    notes = [c.value for c in book["Notes"]["A"]]
    assert any("périmètre commune:59350" in str(n) for n in notes)
    assert book["Cotation"].max_row > 1
    assert (
        main(["demandes", "cotation", "--store", str(demo_store), "--demande", "DEM-0000000"]) == 0
    )
    assert "score :" in capsys.readouterr().out


def test_sensitive_lists_need_a_scope_and_are_journaled(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 9.7: by default, counts only; a nominative list needs an explicit scope.
    out_file = tmp_path / "prio.xlsx"
    args = ["demandes", "priorites", "--store", str(demo_store), "--sortie", str(out_file)]
    before = len(Store(demo_store).access_journal())
    assert main(args) == 0
    book = openpyxl.load_workbook(out_file)
    assert book.sheetnames[0] == "Critères" and "Demandes" not in book.sheetnames
    assert len(Store(demo_store).access_journal()) == before
    assert main([*args, "--nominatif", "commune:59350"]) == 0
    book = openpyxl.load_workbook(out_file)
    assert "Demandes" in book.sheetnames
    journal = Store(demo_store).access_journal()
    assert len(journal) == before + 1
    assert journal.iloc[-1]["perimetre"] == "commune:59350"
    capsys.readouterr()
    assert main([*args, "--nominatif", "bailleur"]) == 2
    assert "périmètre « bailleur » invalide" in capsys.readouterr().err


def test_ceilings(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "plafonds",
                "--millesime",
                "2025",
                "--personnes",
                "3",
                "--monoparental",
                "--ressources",
                "14000",
                "--moins-14",
                "2",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "catégorie 4" in out and "plafond PLUS 2025, zone 3 : 44 982 €" in out
    assert "→ premier quartile" in out
    assert (
        main(["plafonds", "--millesime", "2022", "--personnes", "1", "--ressources", "9000"]) == 2
    )
    assert "données de référence manquantes" in capsys.readouterr().err


def test_allocation_form_template_round_trip(
    tmp_path: Path, demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fiche.xlsx"
    assert main(["modele", "fiche-attribution", "--sortie", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Fiche", "Listes", "Aide"]
    sheet = book["Fiche"]
    assert len(sheet.data_validations.dataValidation) >= 10
    headers = [c.value for c in sheet[1]]
    values = {
        "id_attribution": "F-1", "date_cal": "2026-11-02", "id_commission": "CAL-B01-2026-11", "code_bailleur": "B01",
        "id_logement": "INCONNU", "contingent": "prefecture", "nb_personnes": 2, "nb_adultes": 1, "nb_enfants": 1,
        "nb_moins_14": 1, "unites_consommation": 1.3, "nb_actifs_occupes": 1, "ressources_annuelles": 14000,
        "prioritaire": "oui", "relogement_renouvellement": "non", "decision": "attribution", "suite": "bail_signe",
    }  # fmt: skip
    for j, name in enumerate(headers, start=1):
        sheet.cell(row=2, column=j, value=values.get(str(name)))
    book.save(path)
    assert main(["importer", "attributions", str(path), "--store", str(demo_store)]) == 2
    err = capsys.readouterr().err
    assert "fiche.xlsx, ligne 2, colonne « id_logement » : « INCONNU » : référence inconnue" in err


def test_priority_flag_against_computed_criteria(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11.2: the form's flag and the computed criteria side by side, disagreements listed.
    out = tmp_path / "suivi.xlsx"
    args = [
        "objectifs",
        "suivi",
        "--charte",
        "lille",
        "--liste",
        "lille_13",
        "--store",
        str(demo_store),
    ]
    assert main([*args, "--sortie", str(out), "--nominatif", "epci:200093201"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Drapeau"))
    n = int(line.split(" : ")[1].split(" écart")[0])
    sheet = openpyxl.load_workbook(out)["Prioritaires - écarts"]
    assert sheet.max_row - 1 == n > 0
    assert main([*args, "--nominatif", "commune:59350"]) == 2
