"""Issue 10: replacing a table never loses data silently; concurrent imports never
duplicate keys; readers wait for a busy store."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from mixite.cli.main import main
from mixite.core.model import TABLES_BY_NAME
from mixite.io.exporters import write_import_csv
from mixite.io.importers import ImportOptions, import_file
from mixite.io.store import Store
from tests import suite_postgres
from tests.conftest import sha256
from tests.twin.conftest import make_twin


@pytest.fixture(scope="module")
def twin_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    twin = make_twin(scale=0.02)
    d = tmp_path_factory.mktemp("files")
    return {
        kind: write_import_csv(twin.tables[kind], TABLES_BY_NAME[kind], d / f"{kind}.csv")
        for kind in ("bailleurs", "batiments", "entrees", "logements", "menages")
    }


def _stocked(tmp_path: Path, files: dict[str, Path]) -> Store:
    store = Store(tmp_path / "s.duckdb")
    for kind in ("bailleurs", "batiments", "entrees", "logements", "menages"):
        import_file(kind, files[kind], store)
    return store


def test_an_empty_replacement_needs_vider(
    tmp_path: Path, twin_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    store = _stocked(tmp_path, twin_files)
    header = tmp_path / "vide.csv"
    header.write_text(twin_files["menages"].read_text(encoding="utf-8").splitlines()[0] + "\n")
    before = sha256(store.path)
    args = ["importer", "menages", str(header), "--store", str(store.path), "--remplacer"]
    assert main(args) == 2
    assert "--remplacer viderait la table « menages »" in capsys.readouterr().err
    assert sha256(store.path) == before
    # Appending an empty file writes nothing and says so.
    assert main(["importer", "menages", str(header), "--store", str(store.path)]) == 0
    assert "aucune ligne dans le fichier" in capsys.readouterr().out
    assert sha256(store.path) == before
    assert main([*args, "--vider"]) == 0
    assert store.count("menages") == 0


def test_a_replacement_that_orphans_rows_is_refused_or_cascades(
    tmp_path: Path, twin_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    store = _stocked(tmp_path, twin_files)
    lines = twin_files["logements"].read_text(encoding="utf-8").splitlines()
    few = tmp_path / "trois.csv"
    few.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    before = sha256(store.path)
    args = ["importer", "logements", str(few), "--store", str(store.path), "--remplacer"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "laisserait" in err and "« menages »" in err and "--cascade" in err
    assert sha256(store.path) == before
    households = store.count("menages")
    assert main([*args, "--cascade"]) == 0
    out = capsys.readouterr().out
    assert "ligne(s) de « menages » supprimée(s)" in out
    kept = store.query(
        "SELECT count(*) AS n FROM menages WHERE id_logement IS NOT NULL AND id_logement NOT IN "
        "(SELECT id_logement FROM logements)"
    )
    assert int(kept["n"].iloc[0]) == 0
    assert store.count("menages") < households


def _import(args: tuple[str, str, str]) -> str:
    kind, path, store = args
    try:
        import_file(kind, Path(path), Store(store))
        return "ok"
    except Exception as exc:  # the second import must be refused, not duplicated
        return type(exc).__name__


def test_two_imports_at_once_never_duplicate_keys(
    tmp_path: Path, twin_files: dict[str, Path]
) -> None:
    store = _stocked(tmp_path, {k: v for k, v in twin_files.items()})
    store_path = str(store.path)
    households = store.count("menages")
    ctx = mp.get_context("spawn")
    with ctx.Pool(3) as pool:
        jobs = [("menages", str(twin_files["menages"]), store_path)] * 2
        running = pool.map_async(_import, jobs, chunksize=1)
        reader = pool.apply_async(Store(store_path).count, ("menages",))  # during the imports
        assert reader.get(timeout=120) == households
        results = running.get(timeout=300)
    assert sorted(results) == ["InvalidDataError", "InvalidDataError"]
    distinct = store.query("SELECT count(DISTINCT id_menage) AS d, count(*) AS n FROM menages")
    assert int(distinct["d"].iloc[0]) == int(distinct["n"].iloc[0]) == households


@pytest.mark.duckdb  # its processes open the file (PostgreSQL: test_concurrence_postgres)
def test_two_fresh_imports_at_once_write_once(tmp_path: Path, twin_files: dict[str, Path]) -> None:
    store = Store(tmp_path / "f.duckdb")
    for kind in ("bailleurs", "batiments", "entrees", "logements"):
        import_file(kind, twin_files[kind], store)
    ctx = mp.get_context("spawn")
    with ctx.Pool(3) as pool:
        jobs = [("menages", str(twin_files["menages"]), str(store.path))] * 2
        running = pool.map_async(_import, jobs, chunksize=1)
        reader = pool.apply_async(Store(store.path).count, ("menages",))
        seen = reader.get(timeout=120)
        results = running.get(timeout=300)
    # A reader sees the store before or after an import, never half of one.
    assert seen in (0, store.count("menages"))
    assert sorted(results) == ["InvalidDataError", "ok"]
    distinct = store.query("SELECT count(DISTINCT id_menage) AS d, count(*) AS n FROM menages")
    assert int(distinct["d"].iloc[0]) == int(distinct["n"].iloc[0])


def test_import_options_default_to_safe() -> None:
    opts = ImportOptions()
    assert not (opts.replace or opts.allow_empty or opts.cascade)


@pytest.mark.parametrize("vintage", ["1800", "-5", "9999"])
def test_implausible_vintages_are_refused(
    tmp_path: Path, twin_files: dict[str, Path], capsys: pytest.CaptureFixture[str], vintage: str
) -> None:
    store = tmp_path / "v.duckdb"
    args = ["importer", "bailleurs", str(twin_files["bailleurs"]), "--store", str(store)]
    assert main([*args, "--millesime", vintage]) == 2
    assert "millésime hors de la plage plausible (1990 à 2100)" in capsys.readouterr().err
    assert not suite_postgres.existe(store)


def test_windows_1252_and_users_own_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 12 (part): a French Excel CSV (Windows-1252) with the user's own headers.
    path = tmp_path / "b.csv"
    path.write_bytes(
        "Code_Bailleur;SIREN;Nom;Type Bailleur\nB1;200093201;Cité;OPH\n".encode("cp1252")
    )
    store = tmp_path / "w.duckdb"
    assert main(["importer", "bailleurs", str(path), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "fichier lu en windows-1252" in out and "« Code_Bailleur » → « code_bailleur »" in out
    assert Store(store).read("bailleurs")["nom"].tolist() == ["Cité"]
    other = tmp_path / "c.csv"
    other.write_text("Identifiant;SIREN;Nom;Type\nB2;200093201;Deux;OPH\n", encoding="utf-8")
    assert main(["importer", "bailleurs", str(other), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "vouliez-vous dire « type_bailleur »" in err and "--colonnes" in err
    mapping = "Identifiant=code_bailleur,Type=type_bailleur"
    assert (
        main(["importer", "bailleurs", str(other), "--store", str(store), "--colonnes", mapping])
        == 0
    )
    assert (
        main(["importer", "bailleurs", str(other), "--store", str(store), "--colonnes", "x"]) == 2
    )
