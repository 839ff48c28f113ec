"""Issue 11: user mistakes end in a French message and exit 2; the CLI starts fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mixite.cli.main import main
from tests.conftest import REAL, require_shared

GRID = "filosofi-carreaux-martinique/Filosofi2017_carreaux_200m_mart.csv"


def test_help_and_version_import_no_numerical_library() -> None:
    code = (
        "import sys; from mixite.cli.main import build_parser; "
        "build_parser(['--help']); "
        "print(sorted(m for m in ('pandas', 'numpy', 'scipy', 'duckdb') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_help_is_french_throughout(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage : mixite")
    assert "afficher cette aide et quitter" in out and "show this help" not in out
    assert "positional arguments" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["observatoire", "filosofi", "nope.csv"], "« nope.csv » : fichier introuvable"),
        (
            ["relogement", "etat", "--date-1", "31/13/2025", "--date-2", "2025-12-31"],
            "date invalide « 31/13/2025 »",
        ),
        (
            ["plafonds", "--millesime", "2025", "--personnes", "0"],
            "un entier d'au moins 1 est attendu",
        ),
        (
            ["plafonds", "--millesime", "2025", "--personnes", "2", "--ressources", "douze"],
            "nombre invalide « douze »",
        ),
        (["objectifs", "repartir", "--cible", "140"], "un pourcentage entre 0 et 100 est attendu"),
        pytest.param(["info"], "n'existe pas", marks=pytest.mark.duckdb),  # a file
        pytest.param(["demandes", "priorites"], "n'existe pas", marks=pytest.mark.duckdb),
    ],
)
def test_mistakes_get_french_messages_and_exit_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(tmp_path / "typo.duckdb")] if argv[0] not in ("plafonds",) else []
    try:
        code = main([*argv, *store])
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err


def test_french_forms_of_dates_and_amounts(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["plafonds", "--millesime", "2025", "--personnes", "3", "--ressources", "14 000,50"]
    assert main(args) == 0
    assert "14" in capsys.readouterr().out


def test_index_mistakes_on_the_real_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_shared()
    args = ["indices", str(REAL / GRID), "--group", "Men_pauv", "--total", "Men", "--by", "commune"]
    assert main([*args, "--output", str(tmp_path / "i.csv")]) == 2
    assert "colonne « commune » absente" in capsys.readouterr().err


def test_broken_pipe_is_not_an_error(tmp_path: Path) -> None:
    store = tmp_path / "d.duckdb"
    assert main(["demo", "--scale", "0.02", "--store", str(store)]) == 0
    done = subprocess.run(
        f"{sys.executable} -m mixite.cli.main info --store {store} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr and "erreur interne" not in done.stderr


def test_one_vocabulary_with_the_old_spellings_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_shared()
    out = tmp_path / "i.csv"
    args = ["indices", str(REAL / GRID), "--groupe", "Men_pauv", "--total", "Men"]
    assert (
        main([*args, "--par", "lcog_geo", "--indice", "dissimilarity", "--sortie", str(out)]) == 0
    )
    assert out.exists()
    with pytest.raises(SystemExit):
        main(["indices", "--help"])
    shown = capsys.readouterr().out
    assert (
        "--sortie" in shown and "--par" in shown and "--output" not in shown and "--by" not in shown
    )


def test_observatory_vintage_is_chosen_or_refused_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "d.duckdb"
    assert main(["demo", "--scale", "0.02", "--store", str(store)]) == 0
    capsys.readouterr()
    args = ["observatoire", "indicateurs", "--store", str(store)]
    assert main([*args, "--millesime", "2019"]) == 2
    assert "millésime 2019 absent de la base ; millésimes : 2024" in capsys.readouterr().err
    assert main([*args, "--millesime", "2024"]) == 0
