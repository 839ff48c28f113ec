"""``mixite observatoire`` on the twin: published indicators and the fragility index."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.errors import InvalidDataError
from mixite.io.config import load_fragility


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("obs") / "demo.duckdb"
    assert main(["demo", "--scale", "0.05", "--store", str(store)]) == 0
    return store


def test_indicators_with_secrecy(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "iris.csv"
    assert (
        main(
            [
                "observatoire",
                "indicateurs",
                "--niveau",
                "iris",
                "--store",
                str(demo_store),
                "--sortie",
                str(out),
            ]
        )
        == 0
    )
    assert "Secret statistique" in capsys.readouterr().out
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    counts = table["ménages (ménages)"].dropna()
    assert ((counts == 0) | (counts >= 11)).all()
    assert table["ménages (ménages)"].isna().any()  # at scale 0.05 some IRIS hold fewer than 11


def test_fragility_with_stability(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fragilite.xlsx"
    assert (
        main(
            [
                "observatoire",
                "fragilite",
                "--store",
                str(demo_store),
                "--tirages",
                "200",
                "--sortie",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert (
        "indice de fragilité (modèle lillois)" in printed and "Part moyenne des tirages" in printed
    )
    book = openpyxl.load_workbook(out)
    headers = [c.value for c in book["Observatoire"][1]]
    assert {"score", "rang", "classe", "part_classe_conservee"} <= set(headers)


def test_fragility_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(
        "normalisation: logit\nclasses: 1\ncomposantes:\n  - {indicateur: taux_pauvrete, sens: haut}\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidDataError) as info:
        load_fragility(path)
    assert {(p.row, p.column) for p in info.value.problems} == {
        (1, "normalisation"),
        (2, "classes"),
        (4, "composantes"),
    }


def test_entrance_watch_scopes(demo_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["observatoire", "veille", "--store", str(demo_store)]) == 0
    public = capsys.readouterr().out
    assert "statut" in public and "entrees" in public and "BAT-" not in public
    assert main(["observatoire", "veille", "--bailleur", "B01", "--store", str(demo_store)]) == 0
    own = capsys.readouterr().out
    assert "BAT-" in own and " B02 " not in own


def test_typology_from_the_store(demo_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "observatoire",
                "typologie",
                "--modele",
                "pecquencourt",
                "--niveau",
                "commune",
                "--store",
                str(demo_store),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "typologie de Pecquencourt" in out and "Un seul millésime" in out


def test_maps_command(demo_store: Path, tmp_path: Path) -> None:
    from tests.conftest import REAL, require_shared

    require_shared()
    out = tmp_path / "cartes"
    args = [
        "observatoire", "cartes", "--store", str(demo_store), "--sortie", str(out),
        "--martinique", str(REAL / "filosofi-carreaux-martinique" / "Filosofi2017_carreaux_200m_mart.csv"),
        "--filosofi-communes", str(REAL / "filosofi-communes-2016" / "filosofi_com_2016.csv"),
    ]  # fmt: skip
    assert main(args) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        f"{base}.{ext}"
        for base in (
            "mel_jumeau_mixite",
            "mel_jumeau_fragilite",
            "martinique_mixite",
            "mel_filosofi2016_fragilite",
        )
        for ext in ("png", "svg")
    )


def test_stock_and_filosofi_commands(demo_store: Path, tmp_path: Path) -> None:
    from tests.conftest import REAL, require_shared

    out = tmp_path / "parc.parquet"
    assert (
        main(
            [
                "observatoire",
                "parc",
                "--niveau",
                "qpv",
                "--store",
                str(demo_store),
                "--sortie",
                str(out),
            ]
        )
        == 0
    )
    import pyarrow.parquet as pq

    table = pq.read_table(out)
    assert b"DONN" in table.schema.metadata[b"mixite.notes"]
    assert "taux de rotation (%)" in table.column_names
    require_shared()
    out2 = tmp_path / "martinique.csv"
    assert (
        main(
            [
                "observatoire",
                "filosofi",
                str(REAL / "filosofi-carreaux-martinique" / "Filosofi2017_carreaux_200m_mart.csv"),
                "--sortie",
                str(out2),
            ]
        )
        == 0
    )
    frame = pd.read_csv(
        out2, sep=";", decimal=",", encoding="utf-8-sig", dtype={"commune": str}
    ).set_index("commune")
    assert (
        round(float(frame.loc["ensemble", "part_pauvres"]), 1) == 30.8
    )  # SOURCE.md: 30.8 % of households poor


def test_entrance_watch_settings(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mixite.io.config import load_watch

    variables, fragile, vigilance = load_watch(None)
    assert (fragile, vigilance) == (2, 2)
    assert [v.code for v in variables] == [
        "part_sans_actif",
        "part_sous_40_plus",
        "part_monoparentales",
        "enfants_par_logement",
    ]
    cfg = tmp_path / "v.yaml"
    cfg.write_text(
        "variables:\n  - {code: part_sans_actif, seuil: 99, marge: 1}\nfragile_des: 1\n",
        encoding="utf-8",
    )
    assert main(["observatoire", "veille", "--config", str(cfg), "--store", str(demo_store)]) == 0
    assert "seuil 99 marge 1" in capsys.readouterr().out
    bad = tmp_path / "b.yaml"
    bad.write_text("variables:\n  - {code: loyer, seuil: 1, marge: 0}\n", encoding="utf-8")
    with pytest.raises(InvalidDataError) as info:
        load_watch(bad)
    assert info.value.problems[0].row == 2


@pytest.mark.parametrize("action", ["typologie", "veille", "parc", "indicateurs"])
def test_every_export_of_the_twin_says_it_is_synthetic(
    demo_store: Path, tmp_path: Path, action: str
) -> None:
    out = tmp_path / f"{action}.csv"
    assert main(["observatoire", action, "--store", str(demo_store), "--sortie", str(out)]) == 0
    notes = out.with_name(out.stem + ".notes.txt").read_text(encoding="utf-8-sig").splitlines()
    assert notes[0].startswith("DONNÉES SYNTHÉTIQUES")
