"""The whole suite on PostgreSQL (``make test-postgresql``, or ``MIXITE_TESTS_BASE=postgresql``).

Tests name their stores by file (``Store(tmp_path / "x.duckdb")``, ``--store x.duckdb``).
In this mode every such name opens a database of the session's PostgreSQL server
instead: the first ``Store`` of a file creates its database, the next ones open the same
one, and the library runs its PostgreSQL code (:class:`PostgresStore`) from end to end.
A database a test created is dropped when the test ends; those of module and session
fixtures live as long as their fixture.

Tests about the file itself (its bytes, its lock file, a store that does not exist yet)
carry the ``duckdb`` marker and are skipped in this mode; tests already parametrized
over both stores run their PostgreSQL case only.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ACTIVE = os.environ.get("MIXITE_TESTS_BASE", "duckdb") == "postgresql"

#: The session's server (its ``postgres`` database), once started.
_serveur: str | None = None
#: The database standing for each store file (by resolved path).
_bases: dict[str, str] = {}
#: Files whose database belongs to the running test (dropped at its end).
_du_test: list[str] = []
#: Scopes of the fixtures being set up (a database created under a module or session
#: fixture outlives the test that first asked for it).
_portees: list[str] = []
_verrou = threading.Lock()


def _cle(path: Path | str) -> str:
    return str(Path(path).resolve())


def adresse(path: Path | str) -> str:
    """The database standing for the store file ``path`` (created at first use)."""
    from tests.postgres import nouvelle_base

    assert _serveur is not None, "the PostgreSQL suite's server is not started"
    key = _cle(path)
    with _verrou:
        url = _bases.get(key)
        if url is None:
            url = _bases[key] = nouvelle_base(_serveur)
            if not _portees or _portees[-1] == "function":
                _du_test.append(key)
    return url


def emplacement(path: Path | str) -> str:
    """What names the store ``path`` on a command line: the file, or its database."""
    return adresse(path) if ACTIVE else str(path)


def copier(source: Path | str, cible: Path | str) -> None:
    """Copy the store ``source`` over ``cible``: the file, or the database (made again
    from the source's as a template, under the same name, so that a ``Store`` already
    open on ``cible`` sees the copy)."""
    if not ACTIVE:
        shutil.copy(source, cible)
        return
    import psycopg

    from mixite.io.store import Store
    from mixite.io.store_postgres import fermer_connexions
    from mixite.io.transfert import copier_base

    origine = adresse(source)
    url = adresse(cible)
    _supprimer(url)
    assert _serveur is not None
    with psycopg.connect(_serveur, autocommit=True) as con:
        for attempt in range(3):
            fermer_connexions(origine)  # a template database must have no open connection
            try:
                con.execute(f'CREATE DATABASE "{_nom(url)}" TEMPLATE "{_nom(origine)}"'.encode())
                return
            except psycopg.errors.ObjectInUse:  # another thread of the test is reading it
                time.sleep(0.2 * (attempt + 1))
        con.execute(f'CREATE DATABASE "{_nom(url)}"'.encode())
    copier_base(Store(origine), Store(url))  # row by row, beside the other reader


def existe(path: Path | str) -> bool:
    """Whether the store ``path`` holds anything: its file exists, or its database
    has a table."""
    if not ACTIVE:
        return Path(path).exists()
    if _cle(path) not in _bases:
        return False
    from mixite.io.store import Store

    tables = Store(path).query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return not tables.empty


def effacer(path: Path | str) -> None:
    """Remove the store ``path`` (its file, or its database)."""
    if not ACTIVE:
        Path(path).unlink(missing_ok=True)
        return
    with _verrou:
        url = _bases.pop(_cle(path), None)
    if url is not None:
        _supprimer(url)


def etat(path: Path | str) -> object:
    """What changes when the store ``path`` is written: its file's modification time,
    or its database's rows and write journal."""
    if not ACTIVE:
        return Path(path).stat().st_mtime_ns
    from mixite.io.store import Store

    return empreinte(Path(path)), Store(path).ecritures_par_table()


def executer(path: Path | str, *statements: str) -> None:
    """Run SQL statements on the store ``path`` behind the library's back (a tampering,
    a store as an older version left it), in its file or its database."""
    if ACTIVE:
        import psycopg

        from mixite.io.store_postgres import fermer_connexions

        url = adresse(path)
        with psycopg.connect(url, autocommit=True) as con:
            for statement in statements:
                con.execute(statement.encode())
        fermer_connexions(url)  # kept connections may hold plans of the old tables
        return
    import duckdb

    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)


def empreinte(path: Path) -> str | None:
    """A fingerprint of the database standing for the file ``path`` (None: the file
    is not a store of this mode)."""
    if not ACTIVE or _cle(path) not in _bases:
        return None
    from tests.postgres import empreinte as rows_fingerprint

    return rows_fingerprint(_bases[_cle(path)])


def _nom(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _supprimer(url: str) -> None:
    import psycopg

    from mixite.io.store_postgres import fermer_connexions

    assert _serveur is not None
    fermer_connexions(url)
    with psycopg.connect(_serveur, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{_nom(url)}" WITH (FORCE)'.encode())


def fin_du_test() -> None:
    """Drop the databases the test that just ended created."""
    with _verrou:
        urls = [_bases.pop(k) for k in _du_test if k in _bases]
        _du_test.clear()
    for url in urls:
        _supprimer(url)


class Portees:
    """Which fixture scope creates a database, and the end of each test (a plugin: a
    conftest's hooks do not see the session's fixtures)."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[object]) -> Iterator[object]:
        _portees.append(fixturedef.scope)
        try:
            return (yield)
        finally:
            _portees.pop()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self) -> Iterator[None]:
        try:
            return (yield)
        finally:
            fin_du_test()


@contextmanager
def redirection(serveur: str) -> Iterator[None]:
    """Every ``Store`` named by a file opens its database on ``serveur`` instead."""
    global _serveur
    from mixite.io import est_url
    from mixite.io.store import Store
    from mixite.io.store_postgres import PostgresStore

    new, init = Store.__new__, PostgresStore.__init__

    def store_new(cls: type[Store], path: Any = None, **kwargs: Any) -> Store:
        if cls is Store and path is not None and not est_url(path):
            return object.__new__(PostgresStore)
        return new(cls, path, **kwargs) if path is not None else new(cls, **kwargs)

    def postgres_init(self: PostgresStore, path: Any, **kwargs: Any) -> None:
        if est_url(path):
            init(self, path, **kwargs)
            return
        init(self, adresse(path), **kwargs)
        self.path = Path(path)  # the tests' name for it (the library never reads it)

    _serveur = serveur
    Store.__new__ = store_new  # type: ignore[method-assign,assignment]
    PostgresStore.__init__ = postgres_init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Store.__new__ = new  # type: ignore[method-assign]
        PostgresStore.__init__ = init  # type: ignore[method-assign]
        _serveur = None
        _bases.clear()
