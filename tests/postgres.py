"""A private PostgreSQL server for the tests: a cluster in a temporary folder, started
on a free loopback port with Debian's binaries (``.ci/run`` installs the package when
it is absent), stopped at the end of the session. As root, the server runs as the
``postgres`` system user (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def binaire(name: str) -> str | None:
    """A PostgreSQL server program, on the PATH or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def disponible() -> bool:
    return binaire("initdb") is not None and binaire("pg_ctl") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serveur() -> Iterator[str]:
    """Start a throw-away cluster; yield the URL of its ``postgres`` database."""
    initdb, pg_ctl = binaire("initdb"), binaire("pg_ctl")
    assert initdb and pg_ctl
    base = Path(tempfile.mkdtemp(prefix="mixite-pg-"))
    data = base / "data"
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(base, "postgres")
    port = _free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--locale", "C", "--no-sync"],
                   check=True, capture_output=True)  # fmt: skip
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-l", str(base / "journal.log"),
                    "-o", options, "-w", "start"], check=True, capture_output=True)  # fmt: skip
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    _SERVEURS[url] = [*prefix, pg_ctl, "-D", str(data), "-l", str(base / "journal.log"),
                      "-o", options, "-w"]  # fmt: skip
    try:
        yield url
    finally:
        _SERVEURS.pop(url, None)
        from mixite.io.store_postgres import fermer_connexions

        fermer_connexions()
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


#: How to drive each running server (its pg_ctl command without the action).
_SERVEURS: dict[str, list[str]] = {}


def redemarrer(url: str) -> None:
    """Restart the server of ``url`` at once, as a crash and a recovery would (every
    open connection is cut)."""
    server = url.rsplit("/", 1)[0] + "/postgres"
    command = _SERVEURS[server]
    subprocess.run([*command, "-m", "immediate", "restart"], check=True, capture_output=True)


def nouvelle_base(url: str) -> str:
    """A fresh empty database on the server of ``url``; its URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def copie_de_base(request: Any, source: Path | str, folder: Path) -> Path | str:
    """A copy of the store ``source`` for a test parametrized by store (``duckdb`` or
    ``postgresql``: ``request.param``): a file in ``folder``, or a new database on the
    session's server."""
    backend = getattr(request, "param", "duckdb")
    if backend == "postgresql":
        import pytest

        if not disponible():
            pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
        return dupliquer(source, folder, serveur=request.getfixturevalue("serveur_postgres"))
    return dupliquer(source, folder)


def dupliquer(source: Path | str, folder: Path, *, serveur: str | None = None) -> Path | str:
    """A copy of a store: a new file in ``folder``, or a new database (on ``serveur``,
    or on the source's own server when the source is a database)."""
    from mixite.io import est_url
    from mixite.io.store import Store
    from mixite.io.transfert import copier_base

    if serveur is None and not est_url(source):
        target = folder / f"copie-{uuid.uuid4().hex[:8]}.duckdb"
        from tests.suite_postgres import copier

        copier(source, target)
        return target
    url = nouvelle_base(serveur or str(source))
    copier_base(Store(source), Store(url))
    return url


def empreinte(location: Path | str) -> str:
    """A fingerprint of a whole store: its file's bytes, or every table's rows."""
    import hashlib

    from mixite.io import est_url
    from mixite.io.store import Store

    if not est_url(location):
        return hashlib.sha256(Path(location).read_bytes()).hexdigest()
    store = Store(location)
    tables = store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "ORDER BY table_name"
    )["table_name"]
    digest = hashlib.sha256()
    for table in tables:
        rows = store.query(f'SELECT * FROM "{table}"')
        rows = rows.map(lambda v: v.hex() if isinstance(v, bytes) else str(v))
        digest.update(table.encode() + rows.sort_values(list(rows.columns)).to_csv().encode())
    return digest.hexdigest()
