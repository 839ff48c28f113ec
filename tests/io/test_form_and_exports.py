"""Issue 10: the allocation form imports back; no export holds a live formula."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.io.exports import write_tables
from mixite.io.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("form") / "d.duckdb"
    assert main(["demo", "--scale", "0.02", "--store", str(store)]) == 0
    return store


def test_the_form_imports_back_with_real_dates_and_numbers(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = tmp_path / "fiche.xlsx"
    assert main(["modele", "fiche-attribution", "--sortie", str(form)]) == 0
    # The blank template: zero rows and a French notice, nothing written.
    assert main(["importer", "attributions", str(form), "--store", str(demo)]) == 0
    assert "aucune ligne dans le fichier" in capsys.readouterr().out
    stored = Store(demo).read("attributions").iloc[0]
    book = openpyxl.load_workbook(form)
    sheet = book["Fiche"]
    header = [c.value for c in sheet[1]]
    values = {
        **{h: stored[h] for h in header if h in stored.index},
        "id_attribution": "ATT-9000001",
        "date_cal": dt.datetime(2026, 11, 15),  # a real date cell, as Excel stores it
        "ressources_annuelles": 14000.5,
        "nb_personnes": 3,
    }
    for j, h in enumerate(header, start=1):
        v = values[h]
        v = None if v is pd.NA or (not isinstance(v, str | dt.datetime) and pd.isna(v)) else v
        sheet.cell(row=2, column=j, value=v.item() if hasattr(v, "item") else v)
    book.save(form)
    assert main(["importer", "attributions", str(form), "--store", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "1 lignes importées" in out and "autres feuilles non lues : Listes, Aide" in out
    row = Store(demo).query("SELECT * FROM attributions WHERE id_attribution = 'ATT-9000001'")
    assert str(row["date_cal"].iloc[0])[:10] == "2026-11-15"
    assert float(row["ressources_annuelles"].iloc[0]) == 14000.5


def test_no_export_holds_a_live_formula(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {"id": ['=HYPERLINK("http://x.invalid")', "@SUM(A1)", "B1"], "n": [-1, 2, 3]}
    )
    csv = write_tables(tmp_path / "t.csv", {"T": table}, ["=note"])
    text = csv.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text and ";-1" in text
    xlsx = write_tables(tmp_path / "t.xlsx", {"T": table}, ["=note"])
    book = openpyxl.load_workbook(xlsx)
    cells = [c for row in book["T"].iter_rows(min_row=2) for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert book["T"]["A2"].value == '=HYPERLINK("http://x.invalid")'
    assert book["Notes"]["A2"].data_type == "s"


def test_parquet_export_of_mixed_columns(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "suivi.parquet"
    args = ["objectifs", "suivi", "--charte", "loi-2017", "--store", str(demo)]
    assert main([*args, "--sortie", str(out)]) == 0
    assert len(pd.read_parquet(out)) > 0
