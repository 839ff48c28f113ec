"""The published formats (RPLS, OPS, SNE) import through their official dictionaries:
the twin written in each layout comes back identical; a corrupted copy is refused with
the file's own column names and nothing is written (issue 12, item 1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.core.model import BAILLEURS
from mixite.errors import InvalidDataError
from mixite.io import exemples_publies as fx
from mixite.io.dictionnaires import DICTIONNAIRES, charger
from mixite.io.exporters import write_import_csv
from mixite.io.importers import ImportOptions, import_file
from mixite.io.store import Store
from mixite.twin.build import Twin
from tests import suite_postgres
from tests.conftest import sha256
from tests.twin.conftest import make_twin


@pytest.fixture(scope="module")
def small() -> Twin:
    return make_twin(scale=0.01)


@pytest.fixture(scope="module")
def files(small: Twin, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("publies")
    ops, year = fx.ops_frame(small.tables)
    return {
        "rpls": fx.write(fx.rpls_frame(small.tables), d / "rpls_2024.csv"),
        "rpls2023": fx.write(
            fx.rpls_frame(small.tables, layout="2023"), d / "RPLS_2023_logements.csv"
        ),
        "ops": fx.write(ops, d / f"ops_{year}.csv"),
        "sne-demandes": fx.write(fx.sne_demandes_frame(small.tables), d / "sne_demandes.csv"),
        "sne-attributions": fx.write(fx.sne_attributions_frame(small.tables), d / "sne_attrib.csv"),
    }


@pytest.fixture(scope="module")
def loaded(small: Twin, files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Landlords from their own list, then each landlord's RPLS transmission, the OPS
    and the SNE extracts."""
    d = tmp_path_factory.mktemp("s")
    store = Store(d / "reel.duckdb")
    landlords = small.tables["bailleurs"]
    import_file("bailleurs", write_import_csv(landlords, BAILLEURS, d / "bailleurs.csv"), store)
    for code in landlords["code_bailleur"]:
        path = fx.write(fx.rpls_frame(small.tables, bailleur=code), d / f"rpls_{code}_2024.csv")
        import_file("rpls", path, store, ImportOptions(bailleur=code))
    for kind in ("ops", "sne-demandes", "sne-attributions"):
        import_file(kind, files[kind], store)
    return store


def test_every_dictionary_loads_and_names_each_field_once() -> None:
    for code in DICTIONNAIRES:
        d = charger(code)
        names = [n.upper() for v in d.variables for n in v.names]
        assert len(names) == len(set(names)), code
        champs = [v.champ for v in d.variables if v.champ]
        assert len(champs) == len(set(champs)), code
        assert d.reference


def test_rpls_gives_back_the_twin_stock(small: Twin, loaded: Store) -> None:
    lg = loaded.read("logements").set_index("id_logement").sort_index()
    twin = small.tables["logements"].set_index("id_logement").sort_index()
    assert len(lg) == len(twin)
    assert (lg["financement"] == twin["financement"]).all()
    assert (lg["nb_pieces"].to_numpy() == twin["nb_pieces"].to_numpy()).all()
    assert (lg["vacant"].to_numpy() == twin["vacant"].to_numpy()).all()
    cents = np.rint(lg["loyer_mensuel"].to_numpy(dtype=float) * 100)
    assert (cents == twin["loyer_mensuel"].to_numpy(dtype=float)).all()
    assert loaded.count("batiments") == small.tables["batiments"]["id_batiment"].nunique()
    assert loaded.count("entrees") == len(small.tables["entrees"])
    b = loaded.read("batiments")
    tb = small.tables["batiments"]
    assert sorted(b["code_iris"].dropna()) == sorted(tb["code_iris"].dropna())
    assert sorted(b["code_qpv"].dropna()) == sorted(tb["code_qpv"].dropna())
    assert np.allclose(sorted(b["x"]), sorted(tb["x"]))


def test_rpls_2023_layout_in_wgs84_lands_on_lambert93(
    small: Twin, files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "b.duckdb"
    assert main(["importer", "rpls", str(files["rpls2023"]), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "WGS 84" in out and "millésime 2023" in out
    assert "table « batiments »" in out
    b = Store(store).read("batiments").sort_values("x")
    tb = small.tables["batiments"].sort_values("x")
    assert np.abs(b["x"].to_numpy() - tb["x"].to_numpy()).max() < 0.05
    assert np.abs(b["y"].to_numpy() - tb["y"].to_numpy()).max() < 0.05


def test_ops_records_become_social_tenants(small: Twin, loaded: Store) -> None:
    m = loaded.read("menages").set_index("id_menage").sort_index()
    ops, year = fx.ops_frame(small.tables)
    twin = small.tables["menages"].set_index("id_menage").loc[m.index]
    assert len(m) == len(ops)
    assert (m["millesime"] == year).all()
    assert (m["statut_occupation"] == "locataire_social").all()
    for col in ("type_menage", "nb_adultes", "nb_moins_14", "id_logement"):
        assert (m[col].astype(str) == twin[col].astype(str)).all(), col
    assert np.allclose(m["unites_consommation"], twin["unites_consommation"])


def test_sne_gives_back_applications_and_allocations(small: Twin, loaded: Store) -> None:
    d = loaded.read("demandes").set_index("id_demande").sort_index()
    twin = small.tables["demandes"].set_index("id_demande").sort_index()
    assert len(d) == len(twin)
    single = (
        twin[["sans_logement", "heberge_structure", "locataire_hlm"]].astype(int).sum(axis=1) <= 1
    )
    for col in ("statut", "menace_expulsion", "sans_logement", "locataire_hlm", "nb_moins_14",
                "ages_enfants", "type_souhaite", "dalo_reconnu", "date_renouvellement"):  # fmt: skip
        mine = d.loc[single, col].astype("string").fillna("")
        theirs = twin.loc[single, col].astype("string").fillna("")
        assert (mine == theirs).all(), col
    assert (pd.to_datetime(d["date_depot"]) == pd.to_datetime(twin["date_depot"])).all()
    a = loaded.read("attributions").set_index("id_attribution").sort_index()
    ta = small.tables["attributions"].set_index("id_attribution").sort_index()
    for col in ("contingent", "decision", "suite", "prioritaire", "id_logement"):
        assert (a[col].astype(str) == ta[col].astype(str)).all(), col
    assert loaded.count("audit_attributions") == len(ta)


def _corrupt(path: Path, tmp: Path, column: str, row: int, value: str) -> Path:
    frame = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
    frame.loc[row, column] = value
    return fx.write(frame, tmp / path.name)


@pytest.mark.parametrize(
    ("kind", "column", "value", "rule"),
    [
        ("rpls", "NBPIECE", "trois", "pas un nombre"),
        ("rpls", "MODE", "7", "code inconnu"),
        ("rpls", "DEPCOM", "5935", "commune"),
        ("ops", "TYPE_MENAGE", "9", "code inconnu"),
        ("ops", "NB_ENFANTS", "12", "nb_adultes"),
        ("sne-demandes", "DATE_DEPOT", "31/02/2020", "date"),
        ("sne-attributions", "RESERVATAIRE", "9", "code inconnu"),
    ],
)
def test_a_corrupted_copy_is_refused_under_the_files_names(
    kind: str,
    column: str,
    value: str,
    rule: str,
    files: dict[str, Path],
    loaded: Store,
    tmp_path: Path,
) -> None:
    bad = _corrupt(files[kind], tmp_path, column, 3, value)
    store = Store(tmp_path / "copie.duckdb")
    before = None
    if kind != "rpls":  # later formats refer to the stock: start from a loaded copy
        suite_postgres.copier(loaded.path, store.path)
        before = sha256(store.path)
    with pytest.raises(InvalidDataError) as e:
        import_file(kind, bad, store, ImportOptions(replace=kind != "rpls"))
    report = e.value.report()
    assert "ligne 5" in report, report
    assert rule in report, report
    if column != "NB_ENFANTS":
        assert column in report, report
    if before is None:
        assert not suite_postgres.existe(store.path) or store.count("logements") == 0
    else:
        assert sha256(store.path) == before


def test_missing_variable_names_it_and_its_aliases(files: dict[str, Path], tmp_path: Path) -> None:
    frame = pd.read_csv(files["rpls"], sep=";", dtype=str, encoding="cp1252")
    path = fx.write(frame.drop(columns=["NBPIECE"]), tmp_path / "rpls.csv")
    with pytest.raises(InvalidDataError) as e:
        import_file("rpls", path, Store(tmp_path / "s.duckdb"))
    assert "NBPIECE" in e.value.report()
    assert "NBPIECES" in e.value.report()  # the alias is named too


def test_unknown_columns_are_named_with_a_hint(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(files["rpls"], sep=";", dtype=str, encoding="cp1252")
    frame = frame.rename(columns={"DPEENERGIE": "DPE_ENERGIE"}).assign(MA_NOTE="x")
    path = fx.write(frame, tmp_path / "rpls.csv")
    assert main(["importer", "rpls", str(path), "--store", str(tmp_path / "s.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "DPE_ENERGIE (vouliez-vous dire DPEENERGIE ?)" in out
    assert "MA_NOTE" in out


def test_a_yaml_mapping_renames_a_landlords_own_headers(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(files["rpls"], sep=";", dtype=str, encoding="cp1252")
    frame = frame.rename(columns={"NBPIECE": "Nombre de pièces", "SURFHAB": "Surface m2"})
    path = fx.write(frame, tmp_path / "patrimoine.csv")
    mapping = tmp_path / "colonnes.yaml"
    mapping.write_text(
        "colonnes:\n  Nombre de pièces: NBPIECE\n  Surface m2: surface\n", encoding="utf-8"
    )
    args = ["importer", "rpls", str(path), "--colonnes", str(mapping)]
    assert main([*args, "--store", str(tmp_path / "s.duckdb"), "--bailleur", "B01"]) == 0
    assert "B01" in set(Store(tmp_path / "s.duckdb").read("bailleurs")["code_bailleur"])
    bad = tmp_path / "mauvais.yaml"
    bad.write_text("colonnes:\n  Nombre de pièces: [1, 2]\n", encoding="utf-8")
    assert main([*args[:4], str(bad), "--store", str(tmp_path / "t.duckdb")]) == 2
    assert "nom de colonne" in capsys.readouterr().err


def test_overseas_buildings_keep_their_utm_and_wgs84_is_converted(tmp_path: Path) -> None:
    rows = pd.DataFrame(
        {
            "RPLS_ID": ["M1", "M2"],
            "DEPCOM": ["97209", "97209"],
            "BAT": ["a", "b"],
            "TYPECONST": ["C", "C"],
            "NBPIECE": ["3", "4"],
            "SURFHAB": ["65", "80"],
            "CONSTRUCT": ["1990", "2001"],
            "FINAN": ["PLUS", "LLTS"],
            "MODE": ["1", "1"],
            "X": ["707904.6", "-61.07"],
            "Y": ["1614967.9", "14.6"],
            "EPSG": ["5490", "4326"],
        }
    )
    store = Store(tmp_path / "m.duckdb")
    import_file("rpls", fx.write(rows, tmp_path / "rpls_972_2024.csv"), store)
    b = store.read("batiments").sort_values("x")
    assert np.allclose(b["x"], [707904.6, 707904.6], atol=1)
    assert np.allclose(b["y"], [1614967.9, 1614967.9], atol=1)
    assert sorted(store.read("logements")["financement"]) == ["PLAI", "PLUS"]
    swapped = rows.assign(X=["704061", "704061"], Y=["7059136", "7059136"], EPSG="5490")
    with pytest.raises(InvalidDataError) as e:
        import_file("rpls", fx.write(swapped, tmp_path / "x.csv"), Store(tmp_path / "n.duckdb"))
    assert "hors du département" in e.value.report()


def test_ops_results_per_zone_import_by_vintage(tmp_path: Path) -> None:
    rows = pd.DataFrame(
        {
            "CODGEO": ["59350", "QP059001"],
            "NIVEAU": ["COM", "QPV"],
            "NB_MENAGES": ["12040", "830"],
            "NB_MONOPARENTALES": ["2100", "190"],
            "NB_SOUS_40_PLAFOND": ["4400", "420"],
        }
    )
    store = Store(tmp_path / "o.duckdb")
    result = import_file("ops-agregats", fx.write(rows, tmp_path / "ops_resultats_2022.csv"), store)
    assert result.vintage == 2022
    again = import_file(
        "ops-agregats",
        fx.write(rows, tmp_path / "ops_resultats_2022.csv"),
        store,
        ImportOptions(replace=True),
    )
    assert again.rows == 2 and store.count("ops_agregats") == 2
    t = store.read("ops_agregats").set_index("code_zone")
    assert t.loc["QP059001", "niveau"] == "qpv"
