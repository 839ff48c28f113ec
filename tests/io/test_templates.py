"""Every import kind has a template (blank and with examples), and each imports back as
it is (issue 12, templates for every kind; issue 10, the allocation form)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixite.cli.main import main
from mixite.cli.objectifs import TEMPLATE_KINDS
from mixite.core.model import TABLES_BY_NAME
from mixite.io.exporters import write_import_csv
from mixite.io.importers import import_file
from mixite.io.store import Store
from tests import suite_postgres
from tests.twin.conftest import make_twin


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int]]:
    """For each kind, a store holding the tables its example rows refer to."""
    d = tmp_path_factory.mktemp("templates")
    twin = make_twin(scale=0.01)
    full = {
        k: write_import_csv(twin.tables[k], TABLES_BY_NAME[k], d / f"{k}.csv")
        for k in TEMPLATE_KINDS
    }
    out = {}
    for kind in TEMPLATE_KINDS:
        store = Store(d / f"{kind}.duckdb")
        for other in TEMPLATE_KINDS[: TEMPLATE_KINDS.index(kind)]:
            import_file(other, full[other], store)
        out[kind] = (store.path, min(5, len(twin.tables[kind])))
    return out


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_every_template_imports_back(
    kind: str,
    stores: dict[str, tuple[Path, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blank = tmp_path / f"{kind}.xlsx"
    assert main(["modele", kind, "--sortie", str(blank)]) == 0
    store = tmp_path / "vide.duckdb"
    assert main(["importer", kind, str(blank), "--store", str(store)]) == 0
    assert "aucune ligne dans le fichier" in capsys.readouterr().out
    filled = tmp_path / f"{kind}-exemple.xlsx"
    assert main(["modele", kind, "--exemple", "--sortie", str(filled)]) == 0
    capsys.readouterr()
    path, expected = stores[kind]
    code = main(["importer", kind, str(filled), "--store", str(path)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"{expected} lignes importées" in captured.out


#: Published formats: the store kind whose prerequisites their examples refer to (the
#: template store of a kind holds every kind before it), or none.
PREREQUISITES = {
    "rpls": None,
    "ops": "menages",
    "ops-agregats": None,
    "sne-demandes": None,
    "sne-attributions": "attributions",
}


def test_dictionary_kinds_are_the_importers() -> None:
    from mixite.cli.objectifs import DICTIONARY_KINDS
    from mixite.io.dictionnaires import KINDS

    assert tuple(KINDS) == DICTIONARY_KINDS == tuple(PREREQUISITES)


@pytest.mark.parametrize("kind", list(PREREQUISITES))
def test_every_published_format_template_imports_back(
    kind: str,
    stores: dict[str, tuple[Path, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:

    blank = tmp_path / f"{kind}.xlsx"
    assert main(["modele", kind, "--sortie", str(blank)]) == 0
    vintage = ["--millesime", "2024"]
    assert (
        main(["importer", kind, str(blank), "--store", str(tmp_path / "v.duckdb"), *vintage]) == 0
    )
    assert "aucune ligne dans le fichier" in capsys.readouterr().out
    filled = tmp_path / f"{kind}-exemple.xlsx"
    assert main(["modele", kind, "--exemple", "--sortie", str(filled)]) == 0
    capsys.readouterr()
    store = tmp_path / "s.duckdb"
    prerequisite = PREREQUISITES[kind]
    if prerequisite is not None:
        suite_postgres.copier(stores[prerequisite][0], store)
    # The allocations store may already hold the examples (the test above imports them).
    again = ["--remplacer"] if kind == "sne-attributions" else []
    code = main(["importer", kind, str(filled), "--store", str(store), *vintage, *again])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "5 lignes importées" in captured.out
