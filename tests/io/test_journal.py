"""The audit and access journals are chained by hash (tamper-evident), and a store
written by an earlier version gains the optional columns added since."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.core import model
from mixite.io.exporters import write_import_csv
from mixite.io.importers import import_file
from mixite.io.store import Store, acteur, en_tant_que
from tests import suite_postgres
from tests.twin.conftest import make_twin


@pytest.fixture(scope="module")
def twin_tables() -> dict[str, pd.DataFrame]:
    return make_twin(scale=0.01).tables


def _store_with_allocations(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> Store:
    store = Store(tmp_path / "s.duckdb")
    for kind in ("bailleurs", "batiments", "entrees", "logements", "demandes", "attributions"):
        path = write_import_csv(tables[kind], model.TABLES_BY_NAME[kind], tmp_path / f"{kind}.csv")
        import_file(kind, path, store)
    store.journal_access(perimetre="bailleur:B01", objet="essai", lignes=3, destination="écran")
    store.journal_access(perimetre="bailleur:B02", objet="essai", lignes=1, destination="x.csv")
    return store


def test_intact_journals_verify(tmp_path: Path, twin_tables: dict[str, pd.DataFrame],
                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    store = _store_with_allocations(tmp_path, twin_tables)
    assert store.verify_journals() == []
    assert store.read("audit_attributions")["chaine"].notna().all()
    assert main(["journal", "verifier", "--store", str(store.path)]) == 0
    assert "Chaînes intactes" in capsys.readouterr().out


@pytest.mark.parametrize(
    "tampering",
    [
        "UPDATE audit_attributions SET utilisateur = 'quelqu''un' WHERE id_attribution = "
        "(SELECT min(id_attribution) FROM audit_attributions)",
        "DELETE FROM _mixite_journal_acces WHERE perimetre = 'bailleur:B01'",
        "UPDATE _mixite_journal_acces SET lignes = 0",
        "UPDATE _mixite_imports SET rows = rows + 1 WHERE table_name = 'logements'",
        "DELETE FROM _mixite_imports WHERE table_name = 'entrees'",
    ],
)
def test_a_changed_or_removed_line_breaks_the_chain(
    tampering: str, tmp_path: Path, twin_tables: dict[str, pd.DataFrame],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    store = _store_with_allocations(tmp_path, twin_tables)
    suite_postgres.executer(store.path, tampering)
    assert store.verify_journals()
    assert main(["journal", "verifier", "--store", str(store.path)]) == 2
    assert "ROMPU" in capsys.readouterr().err


def test_a_store_of_an_earlier_version_gains_the_new_optional_columns(
    tmp_path: Path, twin_tables: dict[str, pd.DataFrame]
) -> None:
    store = Store(tmp_path / "ancienne.duckdb")
    for kind in ("bailleurs", "batiments", "entrees", "logements"):
        path = write_import_csv(
            twin_tables[kind], model.TABLES_BY_NAME[kind], tmp_path / f"{kind}.csv"
        )
        import_file(kind, path, store)
    suite_postgres.executer(  # as an earlier version left it
        store.path,
        *(f"ALTER TABLE logements DROP COLUMN {c}" for c in ("etage", "ascenseur", "contingent")),
    )
    extra = twin_tables["logements"].head(0)
    path = write_import_csv(extra, model.LOGEMENTS, tmp_path / "vide.csv")
    rows = twin_tables["logements"].assign(id_logement=lambda f: f["id_logement"] + "-bis").head(3)
    path = write_import_csv(rows, model.LOGEMENTS, tmp_path / "nouveaux.csv")
    import_file("logements", path, store)
    stored = store.read("logements")
    assert {"etage", "ascenseur", "contingent"} <= set(stored.columns)
    assert stored["etage"].notna().sum() == 3  # the new rows carry it; the old ones are empty


def test_the_journals_record_who_acts(tmp_path: Path, twin_tables: dict[str, pd.DataFrame]) -> None:
    """On the platform the actor is the logged-in account, not the system user."""
    store = Store(tmp_path / "s.duckdb")
    path = write_import_csv(twin_tables["bailleurs"], model.BAILLEURS, tmp_path / "bailleurs.csv")
    with en_tant_que("marie (epci:245900410)"):
        import_file("bailleurs", path, store)
        store.journal_access(
            perimetre="epci:245900410", objet="essai", lignes=1, destination="écran"
        )
    store.journal_access(perimetre="x", objet="essai", lignes=1, destination="écran")
    imports = store.imports_journal()
    assert imports["utilisateur"].tolist() == ["marie (epci:245900410)"]
    assert imports["rows"].tolist() == [len(twin_tables["bailleurs"])]
    assert store.access_journal()["utilisateur"].tolist() == ["marie (epci:245900410)", acteur()]
    assert acteur() != "marie (epci:245900410)"
    assert store.verify_journals() == []
