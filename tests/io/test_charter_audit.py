"""Charters (presets, French errors with lines) and the audit of allocation forms."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixite.core.model import TABLES_BY_NAME
from mixite.errors import InvalidDataError
from mixite.io.config import CHARTER_PRESETS, load_charter, load_grid
from mixite.io.exporters import write_import_csv
from mixite.io.importers import ImportOptions, import_file
from mixite.io.store import Store


@pytest.mark.parametrize("name", CHARTER_PRESETS)
def test_presets_load(name: str) -> None:
    charter = load_charter(name)
    assert charter.objectifs and charter.epci == "200093201"


def test_invalid_charter_names_every_line(tmp_path: Path) -> None:
    path = tmp_path / "charte.yaml"
    path.write_text(
        "nom: essai\n"
        "epci: '200093201'\n"
        "zone_plafond: 3\n"
        "objectifs:\n"
        "  - code: a\n"
        "    libelle: x\n"
        "    public: riches\n"
        "    comparateur: au_moins\n"
        "    cible: 140\n"
        "  - code: b\n"
        "    libelle: y\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidDataError) as info:
        load_charter(path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {
        (3, "zone_plafond"),
        (7, "objectifs.public"),
        (9, "objectifs.cible"),
        (10, "objectifs"),
    }
    assert (
        "charte.yaml, ligne 7, colonne « objectifs.public » : « riches » : publics possibles"
        in info.value.report()
    )


def test_unknown_charter(tmp_path: Path) -> None:
    with pytest.raises(InvalidDataError, match="1 problem"):
        load_charter(tmp_path / "absente.yaml")


def test_grid_refuses_unknown_criteria(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("criteres:\n  DALO-1: 10\n  DALO-99: 5\n", encoding="utf-8")
    with pytest.raises(InvalidDataError) as info:
        load_grid(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "criteres.DALO-99")]


def test_every_change_to_an_allocation_form_is_audited(tmp_path: Path) -> None:
    from tests.twin.conftest import make_twin

    twin = make_twin(scale=0.005)
    store = Store(tmp_path / "s.duckdb")
    for kind in ("bailleurs", "batiments", "entrees", "logements", "demandes"):
        import_file(
            kind,
            write_import_csv(twin.tables[kind], TABLES_BY_NAME[kind], tmp_path / f"{kind}.csv"),
            store,
        )
    forms = twin.tables["attributions"].head(6).copy()
    import_file(
        "attributions",
        write_import_csv(forms, TABLES_BY_NAME["attributions"], tmp_path / "a1.csv"),
        store,
    )
    changed = forms.iloc[1:].copy()  # form 0 deleted
    changed.loc[changed.index[0], "contingent"] = "autre"  # form 1 modified
    path = write_import_csv(changed, TABLES_BY_NAME["attributions"], tmp_path / "a2.csv")
    import_file("attributions", path, store, ImportOptions(replace=True))
    audit = store.read("audit_attributions")
    first = forms["id_attribution"].iloc[0]
    second = forms["id_attribution"].iloc[1]
    assert (audit["action"] == "ajout").sum() == 6
    by_action = audit[audit["fichier"] == "a2.csv"].set_index("id_attribution")["action"]
    assert by_action.to_dict() == {second: "modification", first: "suppression"}
    row = audit[(audit["fichier"] == "a2.csv") & (audit["id_attribution"] == second)].iloc[0]
    assert row["empreinte_avant"] != row["empreinte_apres"] and len(row["empreinte_apres"]) == 64
    assert pd.notna(row["utilisateur"]) and row["horodatage"].startswith("20")
