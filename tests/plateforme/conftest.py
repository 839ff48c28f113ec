"""The platform's tests each start with an empty cache (login throttling counts), and
keep the files a server's store puts under ``MIXITE_FICHIERS`` in their own folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import suite_postgres


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fichiers(settings: object, tmp_path: Path) -> None:
    """Reports and uploads of a PostgreSQL store go to the test's folder, not the
    working directory."""
    settings.FICHIERS = tmp_path / "mixite"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _recalcul_immediat(settings: object) -> None:
    """Figures recomputed after every write, in the serving process (the throttle and
    the child process have their own tests)."""
    settings.RECALCUL_S = 0  # type: ignore[attr-defined]
    settings.CALCULS_A_PART = False  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _calculs_finis() -> Iterator[None]:
    """A test's background computations end with it: a map still drawn afterwards
    would be written beside the next test's store (the settings say where)."""
    yield
    from mixite.plateforme import donnees

    donnees._attendre_fils()


@pytest.fixture()
def store_path(settings: object, jumeau_2pct: Path, tmp_path: Path) -> Path:
    """A copy of the 2 % twin served by the platform (test_pages has its own, on both
    stores)."""
    path = tmp_path / "mixite.duckdb"
    suite_postgres.copier(jumeau_2pct, path)
    settings.STORE = suite_postgres.adresse(path) if suite_postgres.ACTIVE else path  # type: ignore[attr-defined]
    return path
