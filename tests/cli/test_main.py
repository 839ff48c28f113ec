"""The command line: French help, exit codes 0/1/2, the store untouched on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mixite.cli.main import main
from tests.conftest import REAL, require_shared, sha256


def test_help_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "construire le jumeau synthétique" in out
    assert "valider puis importer un fichier" in out


def test_unknown_kind_is_invalid_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["importer", "inconnu", "x.csv", "--store", str(tmp_path / "s.duckdb")])
    assert info.value.code == 2
    assert "choix invalide" in capsys.readouterr().err


def test_demo_then_info(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = tmp_path / "demo.duckdb"
    assert (
        main(
            [
                "demo",
                "--scale",
                "0.02",
                "--store",
                str(store),
                "--rapport",
                str(tmp_path / "cal.csv"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "DONNÉES SYNTHÉTIQUES" in out
    assert "Rapport de calibration" in out
    assert "[SYNTHÉTIQUE]" in out
    assert (tmp_path / "cal.csv").read_text(encoding="utf-8").startswith("code_commune,nom,")
    assert main(["info", "--store", str(store)]) == 0
    assert "menages" in capsys.readouterr().out


def test_bad_scale_is_invalid_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--scale", "5", "--store", str(tmp_path / "s.duckdb")]) == 2
    assert "--scale doit être compris" in capsys.readouterr().err


def test_bad_file_gives_report_exit_2_and_store_unchanged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    require_shared()
    store = tmp_path / "s.duckdb"
    assert (
        main(["importer", "qpv", str(REAL / "qpv-occitanie" / "qp.csv"), "--store", str(store)])
        == 0
    )
    before = sha256(store)
    bad = tmp_path / "bailleurs.csv"
    bad.write_text(
        "code_bailleur,siren,nom,type_bailleur\nB1,200093202,Un,OPH\nB1,,Deux,XXX\n",
        encoding="utf-8",
    )
    assert main(["importer", "bailleurs", str(bad), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "Import refusé : 3 problèmes dans « bailleurs.csv »" in err
    assert "bailleurs.csv, ligne 2, colonne « siren » : « 200093202 »" in err
    assert "ligne 3, colonne « code_bailleur » : « B1 » : identifiant en double" in err
    assert "ligne 3, colonne « type_bailleur » : « XXX » : valeur non autorisée" in err
    assert sha256(store) == before


@pytest.mark.duckdb  # a file that is not a store
def test_internal_error_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    not_a_db = tmp_path / "store.duckdb"
    not_a_db.write_text("ceci n'est pas une base", encoding="utf-8")
    assert main(["info", "--store", str(not_a_db)]) == 1
    assert "la base ne peut pas être lue" in capsys.readouterr().err


def test_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mixite.cli.main", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("mixite ")


def test_banner_follows_the_rows_after_an_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Issue 9.6: real rows imported into a twin store: the banner says the data are mixed.
    store = tmp_path / "demo.duckdb"
    assert main(["demo", "--scale", "0.02", "--store", str(store)]) == 0
    real = tmp_path / "bailleurs.csv"
    real.write_text(
        "code_bailleur,siren,nom,type_bailleur\nB99,200093201,Réel,OPH\n", encoding="utf-8"
    )
    assert main(["importer", "bailleurs", str(real), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["info", "--store", str(store)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "bailleurs" in x)
    assert "[MÊLÉE : 8 lignes synthétiques]" in line


def test_demo_never_overwrites_imported_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Issue 10.1: importing landlords, then running the demo on the same store.
    store = tmp_path / "b.duckdb"
    real = tmp_path / "bailleurs.csv"
    real.write_text(
        "code_bailleur,siren,nom,type_bailleur\nB99,200093201,Réel,OPH\n", encoding="utf-8"
    )
    assert main(["importer", "bailleurs", str(real), "--store", str(store)]) == 0
    before = sha256(store)
    assert main(["demo", "--scale", "0.02", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "contient des données importées : bailleurs (1 lignes)" in err
    assert "--ecraser" in err
    assert sha256(store) == before
    assert main(["demo", "--scale", "0.02", "--store", str(store), "--ecraser"]) == 0
