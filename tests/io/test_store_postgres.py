"""The store on PostgreSQL: the same methods as on DuckDB, and a whole store moved to
PostgreSQL and back without loss (identical tables, journals still verifying)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from mixite.core.model import TABLES_BY_NAME
from mixite.errors import StoreError
from mixite.io.store import GRANDE_ECRITURE, Store, Write
from mixite.io.store_postgres import PostgresStore
from mixite.io.transfert import copier_base


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal frames whatever the row order (tables without a journal's order)."""
    assert list(a.columns) == list(b.columns)
    key = list(a.columns)
    left = a.astype(str).sort_values(key).reset_index(drop=True)
    right = b.astype(str).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)


@pytest.mark.duckdb  # a file name opens DuckDB
def test_a_url_opens_the_postgresql_store_and_hides_its_password() -> None:
    store = Store("postgresql://mixite:secret@localhost:5432/mel")
    assert isinstance(store, PostgresStore)
    assert store.nom == "postgresql://mixite:***@localhost:5432/mel"
    assert not isinstance(Store("mixite.duckdb"), PostgresStore)


def test_an_unreachable_server_is_reported_in_french() -> None:
    store = Store("postgresql://mixite:secret@127.0.0.1:1/mel")
    with pytest.raises(StoreError, match="injoignable") as err:
        store.exists()
    assert "secret" not in str(err.value)


@pytest.mark.duckdb  # from the DuckDB file and back
def test_the_twin_moves_to_postgresql_and_back_without_loss(
    jumeau_2pct: Path, base_postgres: str, tmp_path: Path
) -> None:
    """DuckDB → PostgreSQL → DuckDB: every table identical to the original, money to
    the cent, the journals in their order and their chains intact on both sides; the
    store's own reads give the same frames on both databases."""
    original = Store(tmp_path / "origine.duckdb")
    shutil.copy(jumeau_2pct, original.path)
    original.journal_access(perimetre="EPCI", objet="menages", lignes=3, destination="test")
    pg = Store(base_postgres)
    copied = copier_base(original, pg)
    assert copied["menages"] > 1000 and copied["_mixite_journal_acces"] == 1
    assert pg.verify_journals() == []
    back = Store(tmp_path / "retour.duckdb")
    assert copier_base(pg, back) == copied
    assert back.verify_journals() == []
    for table in copied:
        _same(original.query(f'SELECT * FROM "{table}"'), back.query(f'SELECT * FROM "{table}"'))
    # The store's methods read the same on PostgreSQL as on DuckDB.
    assert [t.name for t in pg.tables()] == [t.name for t in original.tables()]
    assert pg.count("logements") == original.count("logements")
    assert pg.meta() == original.meta()
    rents = "SELECT id_logement, loyer_mensuel FROM logements WHERE loyer_mensuel > ?"
    _same(pg.query(rents, [400]), original.query(rents, [400]))
    pd.testing.assert_frame_equal(pg.imports_journal(), original.imports_journal())
    pd.testing.assert_frame_equal(pg.access_journal(), original.access_journal())


def test_writes_on_postgresql_are_all_or_nothing_and_journalled(
    jumeau_2pct: Path, base_postgres: str
) -> None:
    """A write that fails half-way leaves the database as it was; a write that succeeds
    is journalled and chained; a read connection cannot write."""
    from mixite.core.model import TABLES_BY_NAME
    from mixite.io.store import Write

    pg = Store(base_postgres)
    copier_base(Store(jumeau_2pct), pg)
    before = pg.count("bailleurs"), len(pg.imports_journal())
    table = TABLES_BY_NAME["bailleurs"]
    frame = pg.read("bailleurs")
    broken = frame.drop(columns=[table.column_names[-1]])
    with pytest.raises(ValueError, match="lacks columns"):
        pg.write([Write(table, frame.assign(nom="changé"), "a.csv", replace_all=True),
                  Write(table, broken, "b.csv")])  # fmt: skip
    assert (pg.count("bailleurs"), len(pg.imports_journal())) == before
    assert "changé" not in set(pg.read("bailleurs")["nom"])
    pg.write([Write(table, frame.assign(nom="changé"), "a.csv", replace_all=True)])
    assert set(pg.read("bailleurs")["nom"]) == {"changé"}
    assert pg.imports_journal()["source"].iloc[-1] == "a.csv" and pg.verify_journals() == []
    with pytest.raises(Exception, match="read-only"):
        pg.query("DELETE FROM bailleurs")


def test_the_target_is_never_replaced_without_being_told(
    jumeau_2pct: Path, base_postgres: str
) -> None:
    pg = Store(base_postgres)
    copier_base(Store(jumeau_2pct), pg)
    logements = pg.count("logements")
    with pytest.raises(StoreError, match="--remplacer"):
        copier_base(Store(jumeau_2pct), pg)
    assert pg.count("logements") == logements
    assert copier_base(Store(jumeau_2pct), pg, remplacer=True)["logements"] == logements


def test_the_commands_move_a_store_and_read_it_on_postgresql(
    jumeau_2pct: Path, base_postgres: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`exporter-base` to PostgreSQL, `info` and `journal verifier` on it, `importer-base`
    back into a new file; a second export is refused without --remplacer."""
    from mixite.cli.main import main

    assert main(["exporter-base", base_postgres, "--store", str(jumeau_2pct)]) == 0
    assert "tables" in capsys.readouterr().out
    assert main(["info", "--store", base_postgres]) == 0
    info = capsys.readouterr().out
    assert base_postgres in info and "logements" in info
    assert main(["journal", "verifier", "--store", base_postgres]) == 0
    capsys.readouterr()
    back = tmp_path / "retour.duckdb"
    assert main(["importer-base", base_postgres, "--store", str(back)]) == 0
    capsys.readouterr()
    assert Store(back).count("menages") == Store(jumeau_2pct).count("menages")
    assert main(["exporter-base", base_postgres, "--store", str(jumeau_2pct)]) != 0
    assert "--remplacer" in capsys.readouterr().err


def test_a_server_restart_gives_a_clear_error_and_the_next_request_works(
    jumeau_2pct: Path,
) -> None:
    """The server restarts between two requests (its own server: the session's is
    shared): the request on the cut connection fails in French, nothing half-written,
    and the next one reconnects."""
    from tests import postgres

    if not postgres.disponible():
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    with postgres.serveur() as server:
        url = postgres.nouvelle_base(server)
        pg = Store(url)
        copier_base(Store(jumeau_2pct), pg)
        logements = pg.count("logements")
        postgres.redemarrer(url)
        with pytest.raises(StoreError, match="interrompue ; réessayez"):
            pg.count("logements")
        assert pg.count("logements") == logements


def test_row_level_security_keeps_each_landlord_to_its_own_rows(
    jumeau_2pct: Path, base_postgres: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Connected straight to the database (no mixite in between), each landlord's role
    reads its own buildings, dwellings, households, allocations and relocations and
    nothing of another's, even when it asks by identifier; it reads the shared tables,
    cannot write, cannot take another landlord's role; the rules survive a table
    replaced by an import."""
    import psycopg

    from mixite.cli.main import main
    from mixite.io.securite_postgres import role_du_bailleur
    from mixite.io.store import Write

    source = Store(jumeau_2pct)
    copier_base(source, Store(base_postgres))
    assert main(["securiser-base", "--store", base_postgres]) == 0
    assert "mixite_bailleur_b01" in capsys.readouterr().out
    owners = source.query(
        "SELECT m.id_menage, b.code_bailleur FROM menages m JOIN logements l USING (id_logement) "
        "JOIN entrees e USING (id_entree) JOIN batiments b USING (id_batiment)"
    )
    codes = sorted(source.read("bailleurs")["code_bailleur"])
    with psycopg.connect(base_postgres, autocommit=True) as admin:
        for code in codes[:3]:  # an account acting for each landlord, logging in itself
            admin.execute(
                f'CREATE ROLE "compte_{code.lower()}" LOGIN IN ROLE "{role_du_bailleur(code)}"'
            )
    for code in codes[:3]:
        account = base_postgres.replace("postgres@", f"compte_{code.lower()}@", 1)
        with psycopg.connect(account, autocommit=True) as con:
            mine = {r[0] for r in con.execute("SELECT id_menage FROM menages").fetchall()}
            assert mine and mine == set(owners.loc[owners["code_bailleur"] == code, "id_menage"])
            other = owners.loc[owners["code_bailleur"] != code, "id_menage"].iloc[0]
            asked = con.execute("SELECT count(*) FROM menages WHERE id_menage = %s", [other])
            assert asked.fetchone() == (0,)
            for table in ("batiments", "attributions"):
                seen = {r[0] for r in con.execute(f"SELECT DISTINCT code_bailleur FROM {table}")}
                assert seen <= {code}
            assert con.execute("SELECT count(*) FROM demandes").fetchone()[0] > 0  # shared
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute("DELETE FROM menages")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute("SELECT * FROM _mixite_imports")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f'SET ROLE "{role_du_bailleur(codes[-1])}"')
    # An import replaces a table: the new table is protected too.
    from mixite.core.model import TABLES_BY_NAME

    pg = Store(base_postgres)
    pg.write([Write(TABLES_BY_NAME["bailleurs"], pg.read("bailleurs"), "b.csv", replace_all=True)])
    with psycopg.connect(base_postgres, autocommit=True) as con:
        con.execute(f'SET ROLE "{role_du_bailleur(codes[0])}"')
        assert con.execute("SELECT code_bailleur FROM bailleurs").fetchall() == [(codes[0],)]


@pytest.mark.duckdb  # refused on the DuckDB file
def test_row_level_security_needs_postgresql(
    jumeau_2pct: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mixite.cli.main import main

    assert main(["securiser-base", "--store", str(jumeau_2pct)]) == 2
    assert "PostgreSQL" in capsys.readouterr().err


def test_queries_read_through_copy_give_the_rows_as_duckdb_does(
    base_postgres: str, tmp_path: Path
) -> None:
    """The fast read (``COPY`` read by Arrow) keeps missing values apart from empty
    strings, rows of one missing value, quotes, commas and new lines in text, and types
    columns as DuckDB does; a query with parameters and a literal ``%`` too."""
    rows = (
        "SELECT * FROM (VALUES (1, 'a', TRUE, DATE '2024-02-29', 12.34::NUMERIC(10,2), 0.1::FLOAT8),"
        " (NULL, '', NULL, NULL, NULL, NULL), (3, NULL, FALSE, DATE '1999-12-31', -0.5, 1e300),"
        ' (4, \'dit "oui", puis'
        "\nnon', TRUE, DATE '2026-01-01', 0, -2.5)) AS t(n, texte, vrai, jour, montant, reel)"
    )
    frames = {}
    for name, store in (("duckdb", Store(tmp_path / "s.duckdb")), ("pg", Store(base_postgres))):
        store._preparer()
        with store._connect(read_only=False) as con:
            con.execute(f"CREATE TABLE t AS {rows}")
        frames[name] = store.query("SELECT * FROM t ORDER BY n NULLS FIRST")
        only_missing = store.query("SELECT texte FROM t WHERE texte IS NULL OR n = 1 ORDER BY n")
        assert only_missing["texte"].isna().tolist() == [False, True]  # the NULL row is a row
        assert store.query("SELECT texte FROM t WHERE n = ? AND texte LIKE '%a%'", [1]).shape == (
            1,
            1,
        )
    duck, pg = frames["duckdb"], frames["pg"]
    assert pg["texte"].tolist()[:2] == ["", "a"] and pd.isna(pg["texte"].iloc[2])
    assert pg["texte"].iloc[3] == 'dit "oui", puis\nnon'
    assert pg["n"].dtype == "float64" and pg["reel"].tolist()[1:] == [0.1, 1e300, -2.5]
    assert pg["vrai"].dtype == duck["vrai"].dtype == "boolean"
    assert pg["jour"].dtype == duck["jour"].dtype == "datetime64[us]"
    assert pg["montant"].tolist()[1:] == duck["montant"].tolist()[1:] == [12.34, -0.5, 0.0]
    for column in ("texte", "vrai", "jour"):
        pd.testing.assert_series_equal(pg[column], duck[column])
    # A column without any value, and no row at all.
    empty = Store(base_postgres).query("SELECT texte FROM t WHERE n = 3")
    assert empty["texte"].tolist() == [None]
    assert Store(base_postgres).query("SELECT n, texte FROM t WHERE n > 10").shape == (0, 2)


def test_large_writes_refresh_the_planner_statistics(jumeau_2pct: Path, base_postgres: str) -> None:
    """Without statistics the planner takes a decision's lookups on a freshly imported
    store for full scans (0.9 s instead of 0.6 ms on the full twin)."""
    pg = Store(base_postgres)
    copier_base(Store(jumeau_2pct), pg)

    def estimated(table: str) -> float:
        row = pg.query("SELECT reltuples FROM pg_class WHERE relname = ?", [table])
        return float(row["reltuples"].iloc[0])

    households = pg.read("menages")
    assert estimated("menages") == len(households) > GRANDE_ECRITURE  # after the copy
    # The server's own autovacuum must not analyze the table meanwhile.
    with psycopg.connect(base_postgres, autocommit=True) as con:
        con.execute("ALTER TABLE menages SET (autovacuum_enabled = false)")
    more = households.assign(id_menage=households["id_menage"] + "-bis")
    pg.write([Write(TABLES_BY_NAME["menages"], more, "test")])
    assert estimated("menages") == 2 * len(households)  # after a large write
    one = more.head(1).assign(id_menage="M-UNE")
    pg.write([Write(TABLES_BY_NAME["menages"], one, "test")])
    assert estimated("menages") == 2 * len(households)  # a small write leaves them be


def test_large_writes_through_arrow_csv_store_what_row_by_row_writes_store(
    base_postgres: str,
) -> None:
    """A large write's rows go to ``COPY`` as CSV written by Arrow: exactly the values
    the row-by-row path writes (quotes, separators, line breaks and accents in text,
    NULLs, exact cents, dates before 1970, large integers, floats to the last digit)."""
    from mixite.io.store_postgres import connecter, csv_pour_copy, lignes

    n = 1_200
    text = ["a", 'x,"y"\nz', "é;ü", None, " espace ", "0", "NULL", "\\N"]
    frame = pd.DataFrame({
        "t": pd.array([text[i % len(text)] for i in range(n)], dtype="string"),
        "m": pd.array([None if i % 7 == 0 else (i * 1_234_567 - 5) * (-1) ** i
                       for i in range(n)], dtype="Int64"),
        "i": pd.array([None if i % 5 == 0 else 2**53 - i for i in range(n)], dtype="Int64"),
        "r": pd.array([None if i % 9 == 0 else 1 / (i + 3) for i in range(n)], dtype="Float64"),
        "d": pd.to_datetime([None if i % 11 == 0 else f"{1900 + i % 200}-0{1 + i % 9}-1{i % 10}"
                             for i in range(n)]),
        "b": pd.array([None if i % 3 == 0 else i % 2 == 0 for i in range(n)], dtype="boolean"),
    })  # fmt: skip
    kinds = ["text", "money", "integer", "decimal", "date", "boolean"]
    data = csv_pour_copy(frame, kinds)
    assert data is not None
    columns = "t VARCHAR, m DECIMAL(14,2), i BIGINT, r DOUBLE PRECISION, d DATE, b BOOLEAN"
    with connecter(base_postgres, read_only=False) as con:
        for table in ("par_csv", "par_lignes"):
            con.execute(f"CREATE TABLE {table} ({columns}, n SERIAL)")
        con.copier_csv("par_csv", list("tmirdb"), data)
        con.copier("par_lignes", list("tmirdb"), lignes(frame, kinds))
        same = con.execute(
            "SELECT count(*) FROM par_csv a JOIN par_lignes b ON a.n = b.n WHERE "
            "a.t IS NOT DISTINCT FROM b.t AND a.m IS NOT DISTINCT FROM b.m AND "
            "a.i IS NOT DISTINCT FROM b.i AND a.r IS NOT DISTINCT FROM b.r AND "
            "a.d IS NOT DISTINCT FROM b.d AND a.b IS NOT DISTINCT FROM b.b"
        ).fetchone()
        nulls = con.execute("SELECT count(*) FROM par_csv WHERE t IS NULL").fetchone()
    assert same == (n,)
    assert nulls == (n // len(text),)


def test_what_arrow_csv_cannot_write_exactly_goes_row_by_row() -> None:
    from mixite.io.store_postgres import csv_pour_copy

    assert csv_pour_copy(pd.DataFrame({"m": [12.5]}), ["money"]) is None  # half a cent
    assert csv_pour_copy(pd.DataFrame({"g": [b"\x01"]}), ["geometry"]) is None
    assert csv_pour_copy(pd.DataFrame({"t": [3]}), ["text"]) is None
