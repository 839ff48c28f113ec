"""A shared store (the web platform's) reads while one of its threads writes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mixite.core import model
from mixite.errors import StoreError
from mixite.io.store import Store, Write

BAILLEURS = pd.DataFrame(
    {
        "code_bailleur": ["B01", "B02"],
        "nom": ["Un", "Deux"],
        "siren": [None, None],
        "type_bailleur": [None, None],
        "synthetique": [True, True],
    }
)


def _during_a_write(store: Store, read: Callable[[], object]) -> object:
    """Run ``read`` while another thread holds an open write transaction."""
    started, done = threading.Event(), threading.Event()

    def write() -> None:
        with store._connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("INSERT INTO bailleurs (code_bailleur, nom) VALUES ('B03', 'Trois')")
            started.set()
            done.wait(10)
            con.execute("COMMIT")

    thread = threading.Thread(target=write)
    thread.start()
    started.wait(10)
    try:
        return read()
    finally:
        done.set()
        thread.join()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    Store(tmp_path / "s.duckdb").write([Write(model.BAILLEURS, BAILLEURS, "essai")])
    return tmp_path / "s.duckdb"


def test_a_shared_store_reads_the_last_committed_state_during_a_write(path: Path) -> None:
    store = Store(path, partagee=True)
    assert _during_a_write(store, lambda: store.count("bailleurs")) == 2
    assert store.count("bailleurs") == 3  # committed: the next read sees it


@pytest.mark.duckdb  # DuckDB's own refusal
def test_an_unshared_store_cannot_read_in_the_process_that_writes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the platform needs the shared mode: DuckDB refuses a read-only connection
    beside a read-write one in the same process."""
    monkeypatch.setenv("MIXITE_ATTENTE", "0.2")
    store = Store(path)
    with pytest.raises(StoreError):
        _during_a_write(store, lambda: store.count("bailleurs"))


@pytest.mark.duckdb  # a file
def test_a_shared_store_does_not_create_a_missing_file(tmp_path: Path) -> None:
    store = Store(tmp_path / "absente.duckdb", partagee=True)
    assert not store.has_table("bailleurs")
    assert not store.exists()
