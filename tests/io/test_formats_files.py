"""Entities import from CSV, Parquet and Excel alike; errors cite the sheet's own rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixite.core.model import TABLES_BY_NAME
from mixite.errors import InvalidDataError
from mixite.io.exporters import to_import_frame
from mixite.io.importers import import_file
from mixite.io.store import Store
from tests import suite_postgres
from tests.conftest import sha256

BAILLEURS = pd.DataFrame(
    {
        "code_bailleur": ["B1", "B2"],
        "siren": ["245900410", ""],
        "nom": ["Habitat Un", "Logis Deux"],
        "type_bailleur": ["OPH", "ESH"],
    }
)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_same_rows_whatever_the_format(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"bailleurs{suffix}"
    if suffix == ".csv":
        BAILLEURS.to_csv(path, index=False)
    elif suffix == ".parquet":
        BAILLEURS.to_parquet(path, index=False)
    else:
        BAILLEURS.to_excel(path, index=False)
    store = Store(tmp_path / "s.duckdb")
    assert import_file("bailleurs", path, store).rows == 2
    got = store.read("bailleurs").sort_values("code_bailleur")
    assert got["nom"].tolist() == ["Habitat Un", "Logis Deux"]
    assert got["siren"].isna().tolist() == [False, True]
    assert not got["synthetique"].any()


def test_excel_typed_cells_and_errors_cite_sheet_rows(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "code_operation": ["OP1", "OP2", "OP3"],
            "nom": ["Un", "Deux", "Trois"],
            "code_commune": ["59512", "59599", "59350"],
            "code_qpv": ["", "", ""],
            "nb_menages_prevus": [120, 80.0, -4],
        }
    )
    path = tmp_path / "operations.xlsx"
    frame.to_excel(path, index=False, sheet_name="Opérations")
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(InvalidDataError) as info:
        import_file("operations", path, store)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (4, "nb_menages_prevus", "-4")
    assert not suite_postgres.existe(store.path)


def test_parquet_money_and_dates_round_trip(tmp_path: Path) -> None:
    from tests.twin.conftest import make_twin

    twin = make_twin(scale=0.005)
    store = Store(tmp_path / "s.duckdb")
    for kind in ("bailleurs", "batiments", "entrees", "logements"):
        table = TABLES_BY_NAME[kind]
        path = tmp_path / f"{kind}.parquet"
        to_import_frame(twin.tables[kind], table).to_parquet(path, index=False)
        import_file(kind, path, store)
    before = sha256(store.path)
    bad = to_import_frame(twin.tables["logements"], TABLES_BY_NAME["logements"]).head(5)
    bad.loc[3, "loyer_mensuel"] = "412.456"
    bad.to_parquet(tmp_path / "bad.parquet", index=False)
    with pytest.raises(InvalidDataError) as info:
        import_file("logements", tmp_path / "bad.parquet", store)
    assert sha256(store.path) == before
    rows = {(p.row, p.column) for p in info.value.problems}
    assert (4, "loyer_mensuel") in rows
    assert all(p.row_label == "enregistrement" for p in info.value.problems)
    stored = store.read("logements", ["loyer_mensuel"])["loyer_mensuel"].to_numpy(dtype=float)
    expected = twin.tables["logements"]["loyer_mensuel"].to_numpy() / 100
    assert abs(stored - expected).max() < 1e-9
