"""Shared fixtures: where the read-only shared data lives, a fresh store per test."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mixite.io.store import Store
from tests import suite_postgres

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "data" / "real"
REFDATA = SHARED / "data" / "refdata"


def sha256(path: Path) -> str:
    """A file's fingerprint; a store's rows when the suite runs on PostgreSQL."""
    return suite_postgres.empreinte(path) or hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "test.duckdb")


@pytest.fixture(scope="session")
def serveur_postgres() -> Iterator[str]:
    """A PostgreSQL server for the session (skipped when PostgreSQL is not installed:
    ``.ci/run`` installs Debian's package)."""
    from tests import postgres

    if not postgres.disponible():
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    with postgres.serveur() as url:
        yield url
        # The platform's background computations finish before their server stops.
        if "mixite.plateforme.donnees" in sys.modules:
            sys.modules["mixite.plateforme.donnees"]._attendre_fils()


@pytest.fixture
def base_postgres(serveur_postgres: str) -> str:
    """The URL of a fresh empty database on the session's PostgreSQL server."""
    from tests import postgres

    return postgres.nouvelle_base(serveur_postgres)


@pytest.fixture(scope="session", autouse=True)
def _suite_postgres(request: pytest.FixtureRequest) -> Iterator[None]:
    """With ``MIXITE_TESTS_BASE=postgresql``, every store opens a PostgreSQL database
    (see :mod:`tests.suite_postgres`)."""
    if not suite_postgres.ACTIVE:
        yield
        return
    with suite_postgres.redirection(request.getfixturevalue("serveur_postgres")):
        yield


def pytest_configure(config: pytest.Config) -> None:
    if suite_postgres.ACTIVE:  # a plugin, so that it sees the session's fixtures too
        config.pluginmanager.register(suite_postgres.Portees(), "suite_postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL: the tests of the file itself are skipped, and the tests
    parametrized over both stores run their PostgreSQL case only."""
    if not suite_postgres.ACTIVE:
        return
    skip = pytest.mark.skip(reason="needs DuckDB files (the suite runs on PostgreSQL)")
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "duckdb" in params.values():
            dropped.append(item)
            continue
        if item.get_closest_marker("duckdb"):
            item.add_marker(skip)
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def require_shared() -> None:
    if not REAL.exists():
        pytest.skip("../shared/data/real is not beside the repository")


@pytest.fixture(scope="session")
def jumeau_2pct(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the twin at 2 %, built once per session. Read it; copy it before
    writing (decisions, journals)."""
    from mixite.io.twin_store import write_twin
    from tests.twin.conftest import make_twin

    path = tmp_path_factory.mktemp("jumeau") / "jumeau.duckdb"
    write_twin(Store(path), make_twin(scale=0.02))
    return path
