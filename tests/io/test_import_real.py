"""Every real file imports; a corrupted copy of each is refused with a full report and
the store stays byte-for-byte unchanged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from mixite.errors import InvalidDataError
from mixite.io.importers import import_file
from mixite.io.store import Store
from tests import suite_postgres
from tests.conftest import REAL, require_shared, sha256


@dataclass(frozen=True)
class RealFile:
    kind: str
    path: str
    rows: int
    table: str
    key: str
    number: str | None
    code: str
    bad_code: str


REAL_FILES = [
    RealFile("filosofi-carreaux", "filosofi-carreaux-martinique/Filosofi2017_carreaux_200m_mart.csv",
             11132, "filosofi_carreaux", "Idcar_200m", "Men", "lcog_geo", "00000"),
    RealFile("filosofi-communes", "filosofi-communes-2016/filosofi_com_2016.csv",
             34932, "filosofi_zones", "CODGEO", "NBMENFISC16", "CODGEO", "20001"),
    RealFile("filosofi-communes", "filosofi-communes-2016/filosofi_epci_2016.csv",
             1244, "filosofi_zones", "CODGEO", "NBMENFISC16", "CODGEO", "200093202"),
    RealFile("recensement-iris", "rp2016-iris-habitat/IRIS_household_detailed_IR_Hab.csv",
             14943, "recensement_iris_menages", "IRIS", "C16_PMEN_MENFAMMONO", "IRIS", "000000101"),
    RealFile("recensement-iris", "rp2016-iris-habitat/IRIS_population_IR_Hab.csv",
             14943, "recensement_iris_population", "IRIS", "P16_POP75P", "IRIS", "999990101"),
    RealFile("recensement-iris", "rp2016-iris-habitat/IRIS_housing_IR_Hab.csv",
             14943, "recensement_iris_logements", "IRIS", "P16_RP_LOCHLMV", "IRIS", "59350010A"),
    RealFile("qpv", "qpv-occitanie/qp.csv", 105, "qpv_indicateurs", "code_qp", "pop_mun", "code_qp", "QP0A9001"),
    RealFile("qpv", "qpv-occitanie/qp.geojson", 105, "qpv", "code_qp", None, "code_commune", "00000"),
    RealFile("communes", "filosofi-communes-2016/communes-59-nord.geojson", 648, "communes", "code", None, "code", "59000"),
    RealFile("communes", "filosofi-communes-2016/communes-62-pas-de-calais.geojson", 891, "communes", "code", None, "code", "20001"),
    RealFile("communes", "qpv-occitanie/communes.geojson", 48, "communes", "code_commune", None, "code_commune", "96001"),
]  # fmt: skip

IDS = [f.path.split("/")[-1] for f in REAL_FILES]


@pytest.fixture(autouse=True)
def _shared() -> None:
    require_shared()


@pytest.mark.parametrize("real", REAL_FILES, ids=IDS)
def test_real_file_imports(real: RealFile, store: Store) -> None:
    result = import_file(real.kind, REAL / real.path, store)
    assert result.rows == real.rows
    assert result.table == real.table
    assert len(store.read(real.table)) == real.rows


def _corrupt_csv(src: Path, dst: Path, real: RealFile) -> dict[str, tuple[int, str]]:
    """Write a copy with four faults at known lines; return {rule: (line, column)}."""
    frame = pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.drop(
        columns=[c for c in frame.columns if c.startswith("Unnamed")], errors="ignore"
    )
    assert real.number is not None
    frame.loc[2, real.number] = "douze"
    frame.loc[4, real.number] = "-3"
    frame.loc[6, real.code] = real.bad_code
    frame = pd.concat([frame, frame.iloc[[8]]], ignore_index=True)
    frame.to_csv(dst, index=False)
    last = len(frame) + 1
    return {
        "n'est pas un nombre": (4, real.number),
        "ne doit pas être négatif": (6, real.number),
        "code invalide": (8, real.code),
        "identifiant en double": (last, real.key),
    }


def _corrupt_geojson(src: Path, dst: Path, real: RealFile) -> dict[str, tuple[int, str]]:
    doc = json.loads(src.read_text(encoding="utf-8-sig"))
    feats = doc["features"]
    feats[6]["properties"][real.code] = real.bad_code
    feats.append(json.loads(json.dumps(feats[8])))
    feats[3]["geometry"] = None
    dst.write_text(json.dumps(doc), encoding="utf-8")
    return {
        "code invalide": (7, real.code),
        "identifiant en double": (len(feats), real.key),
        "géométrie absente": (4, "geometrie"),
    }


def _seeded_store(store: Store) -> None:
    """A store that already holds data, so that 'unchanged' means something."""
    import_file("qpv", REAL / "qpv-occitanie/qp.csv", store)


@pytest.mark.parametrize("real", REAL_FILES, ids=IDS)
def test_corrupted_copy_is_refused_and_store_unchanged(
    real: RealFile, store: Store, tmp_path: Path
) -> None:
    src = REAL / real.path
    dst = tmp_path / src.name
    if src.suffix == ".csv":
        expected = _corrupt_csv(src, dst, real)
    else:
        expected = _corrupt_geojson(src, dst, real)
    if real.table != "qpv_indicateurs":
        _seeded_store(store)
    else:
        import_file("communes", REAL / "qpv-occitanie/communes.geojson", store)
    before = sha256(store.path)
    with pytest.raises(
        InvalidDataError, match=r"4 problem\(s\) found|3 problem\(s\) found"
    ) as info:
        import_file(real.kind, dst, store)
    assert sha256(store.path) == before
    err = info.value
    assert err.total == len(expected)
    report = err.report()
    assert f"« {dst.name} »" in report
    for rule, (line, column) in expected.items():
        matching = [p for p in err.problems if rule in p.rule]
        assert matching, f"no problem for rule {rule!r} in:\n{report}"
        assert matching[0].row == line
        assert column in matching[0].column


@pytest.mark.parametrize("real", REAL_FILES, ids=IDS)
def test_missing_column_is_refused(real: RealFile, tmp_path: Path) -> None:
    src = REAL / real.path
    dst = tmp_path / src.name
    if src.suffix == ".csv":
        frame = pd.read_csv(src, dtype=str, keep_default_na=False, nrows=20, encoding="utf-8-sig")
        frame.drop(columns=[real.key]).to_csv(dst, index=False)
    else:
        doc = json.loads(src.read_text(encoding="utf-8-sig"))
        doc["features"] = doc["features"][:20]
        for f in doc["features"]:
            f["properties"].pop(real.key)
        dst.write_text(json.dumps(doc), encoding="utf-8")
    store = Store(tmp_path / "absent.duckdb")
    with pytest.raises(InvalidDataError) as info:
        import_file(real.kind, dst, store)
    assert not suite_postgres.existe(store.path), "a failed import must not create the store"
    assert any("absente" in p.rule or "non reconnu" in p.rule for p in info.value.problems)
