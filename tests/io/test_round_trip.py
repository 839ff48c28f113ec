"""Export every table of the twin in each format and import it back: the store is
identical (issue 12, round trip)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.core.model import TABLES_BY_NAME, USER_TABLES
from mixite.io.exporters import EXPORT_FORMATS
from mixite.io.store import Store
from mixite.io.twin_store import write_twin
from tests.twin.conftest import make_twin


@pytest.fixture(scope="module")
def twin_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("twin") / "jumeau.duckdb")
    write_twin(store, make_twin(scale=0.01))
    return store


def _same(a: pd.DataFrame, b: pd.DataFrame, name: str, *, digits: int = 17) -> None:
    """Equal tables; decimals to ``digits`` significant digits (Excel keeps 15)."""
    table = TABLES_BY_NAME[name]
    key = list(table.key)
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    for c in table.columns:
        if c.kind == "geometry":
            continue
        x, y = a[c.name], b[c.name]
        if c.kind in ("decimal", "money"):
            xs = x.to_numpy(dtype=float, na_value=np.nan)
            ys = y.to_numpy(dtype=float, na_value=np.nan)
            if digits >= 17:
                assert np.array_equal(xs, ys, equal_nan=True), (name, c.name)
            else:
                assert np.allclose(xs, ys, rtol=10.0**-digits, atol=0, equal_nan=True), (
                    name,
                    c.name,
                )
        else:
            assert (
                x.astype("string").fillna("∅").tolist() == y.astype("string").fillna("∅").tolist()
            ), (name, c.name)


@pytest.mark.parametrize("suffix", EXPORT_FORMATS)
def test_every_table_comes_back_identical(
    suffix: str, twin_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "copie.duckdb"
    for name in USER_TABLES:  # in reference order: landlords before their buildings…
        path = tmp_path / f"{name}{suffix}"
        assert main(["exporter", name, "--sortie", str(path), "--store", str(twin_store.path)]) == 0
        code = main(["importer", name, str(path), "--store", str(target)])
        assert code == 0, capsys.readouterr().err
        digits = 15 if suffix == ".xlsx" else 17
        _same(twin_store.read(name), Store(target).read(name), name, digits=digits)


def test_export_refuses_to_overwrite_and_unknown_tables(
    twin_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "b.csv"
    path.write_text("à garder", encoding="utf-8")
    assert (
        main(["exporter", "bailleurs", "--sortie", str(path), "--store", str(twin_store.path)]) == 2
    )
    assert "--ecraser" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "à garder"
    assert main(["exporter", "carreaux", "--sortie", str(tmp_path / "c.csv"),
                 "--store", str(twin_store.path)]) == 2  # fmt: skip
    assert "tables exportables" in capsys.readouterr().err
