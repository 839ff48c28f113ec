"""``mixite indices`` on the real files: CSV, Parquet and JSON outputs, scale decomposition."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mixite.cli.main import main
from tests.conftest import REAL, require_shared

GRID = "filosofi-carreaux-martinique/Filosofi2017_carreaux_200m_mart.csv"
IRIS = "rp2016-iris-habitat/IRIS_household_detailed_IR_Hab.csv"


def test_every_region_to_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_shared()
    out = tmp_path / "indices.parquet"
    assert (
        main(
            [
                "indices",
                str(REAL / GRID),
                "--group",
                "Men_pauv",
                "--total",
                "Men",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    frame = pd.read_parquet(out)
    assert round(float(frame["dissimilarity"].iloc[0]), 3) == 0.279
    assert {"gini", "mutual_information", "atkinson_0.9"} <= set(frame.columns)
    assert "1 ligne(s) écrite(s)" in capsys.readouterr().out


def test_ordinal_and_json(tmp_path: Path) -> None:
    require_shared()
    out = tmp_path / "m.json"
    groups = ",".join(f"C16_PMEN_CS{i}" for i in (3, 4, 5, 6))
    args = [
        "indices",
        str(REAL / IRIS),
        "--groups",
        groups,
        "--ordonne",
        "--index",
        "ordinal_information",
        "--index",
        "mutual_information",
        "--output",
        str(out),
    ]
    assert main(args) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert set(rows[0]) == {
        "region",
        "unites",
        "population",
        "ordinal_information",
        "mutual_information",
    }


def test_scale_decomposition(tmp_path: Path) -> None:
    require_shared()
    iris = pd.read_csv(REAL / IRIS, dtype={"IRIS": str})
    iris = iris[iris["IRIS"].str[:2].isin(["59", "62"])].drop(columns=["Unnamed: 0"])
    iris["commune"] = iris["IRIS"].str[:5]
    iris["departement"] = iris["IRIS"].str[:2]
    src = tmp_path / "iris.csv"
    iris.to_csv(src, index=False)
    out = tmp_path / "echelles.csv"
    groups = ",".join(f"C16_PMEN_CS{i}" for i in range(1, 9))
    assert (
        main(
            [
                "indices",
                str(src),
                "--groups",
                groups,
                "--echelles",
                "departement,commune",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out)
    assert table["echelle"].tolist() == ["departement", "commune", "unités"]
    assert table["part"].sum() == pytest.approx(1.0)
    assert table["part"].round(2).tolist() == [0.06, 0.48, 0.46]


def test_bad_column_and_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_shared()
    assert (
        main(
            [
                "indices",
                str(REAL / GRID),
                "--group",
                "pauvres",
                "--total",
                "Men",
                "--output",
                str(tmp_path / "x.csv"),
            ]
        )
        == 2
    )
    assert "colonne « pauvres » absente" in capsys.readouterr().err
    assert (
        main(
            [
                "indices",
                str(REAL / GRID),
                "--group",
                "Men_pauv",
                "--total",
                "Men",
                "--output",
                str(tmp_path / "x.xls"),
            ]
        )
        == 2
    )


def test_random_allocation_columns(tmp_path: Path) -> None:
    require_shared()
    out = tmp_path / "aleatoire.csv"
    args = [
        "indices",
        str(REAL / GRID),
        "--group",
        "Men_pauv",
        "--total",
        "Men",
        "--aleatoire",
        "50",
        "--index",
        "dissimilarity",
        "--output",
        str(out),
    ]
    assert main(args) == 0
    row = pd.read_csv(out).iloc[0]
    assert 0.18 < row["dissimilarity_aleatoire"] < 0.20
    assert row["dissimilarity_corrige"] == pytest.approx(
        (row["dissimilarity"] - row["dissimilarity_aleatoire"])
        / (1 - row["dissimilarity_aleatoire"])
    )


def test_random_benchmark_by_commune_on_the_real_grid(tmp_path: Path) -> None:
    # Issue 9.14: regions where an index is undefined used to divide by zero.
    require_shared()
    out = tmp_path / "aleatoire.csv"
    args = ["indices", str(REAL / GRID), "--group", "Men_pauv", "--total", "Men"]
    assert main([*args, "--by", "lcog_geo", "--aleatoire", "5", "--output", str(out)]) == 0
    frame = pd.read_csv(out)
    assert len(frame) > 30 and "dissimilarity_corrige" in frame.columns


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ("commune", "colonne « commune » absente"),
        ("lcog_geo,I_est_200", "l'échelle « I_est_200 » n'est pas emboîtée dans « lcog_geo »"),
    ],
)
def test_scales_on_the_raw_grid_give_french_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], levels: str, message: str
) -> None:
    require_shared()
    args = ["indices", str(REAL / GRID), "--groups", "Men_pauv,Men_prop", "--echelles", levels]
    assert main([*args, "--output", str(tmp_path / "e.csv")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
