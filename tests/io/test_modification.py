"""A write can set columns of existing rows in place (:class:`Modification`): exactly the
rows named, only if they are still in the state expected, journalled like any write,
and all or nothing with the other tables of the same write (on both stores)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from mixite.core.model import DEMANDES, LOGEMENTS
from mixite.errors import StoreError
from mixite.io.store import Modification, Store
from tests import suite_postgres
from tests.conftest import sha256


@pytest.fixture
def store(jumeau_2pct: Path, tmp_path: Path) -> Store:
    copy = tmp_path / "copie.duckdb"
    suite_postgres.copier(jumeau_2pct, copy)
    return Store(copy)


def _first(store: Store, table: str, key: str, where: str) -> str:
    return str(store.read(table, [key], where=where).sort_values(key)[key].iloc[0])


def test_the_rows_named_change_in_place_and_the_write_is_journalled(store: Store) -> None:
    dwelling = _first(store, "logements", "id_logement", "vacant")
    application = _first(store, "demandes", "id_demande", "statut = 'active'")
    logements, demandes = store.read("logements"), store.read("demandes")
    journal = len(store.imports_journal())

    store.write([
        Modification(LOGEMENTS, {"id_logement": dwelling, "vacant": True}, {"vacant": False},
                     "commission"),
        Modification(DEMANDES, {"id_demande": application, "statut": "active"},
                     {"statut": "attribuee", "date_sortie": dt.date(2026, 11, 15)}, "commission"),
    ])  # fmt: skip

    after = store.read("logements").set_index("id_logement").sort_index()
    expected = logements.set_index("id_logement").sort_index()
    expected.loc[dwelling, "vacant"] = False
    pd.testing.assert_frame_equal(after, expected, check_dtype=False)
    now = store.read("demandes").set_index("id_demande").sort_index()
    was = demandes.set_index("id_demande").sort_index()
    assert now.loc[application, "statut"] == "attribuee"
    assert pd.Timestamp(now.loc[application, "date_sortie"]) == pd.Timestamp("2026-11-15")
    others = now.drop(index=application)
    pd.testing.assert_frame_equal(others, was.drop(index=application), check_dtype=False)

    lines = store.imports_journal().iloc[journal:]
    assert list(lines["table_name"]) == ["logements", "demandes"]
    assert list(lines["rows"]) == [1, 1] and set(lines["source"]) == {"commission"}
    assert store.verify_journals() == []


def test_a_row_no_longer_in_the_expected_state_refuses_the_whole_write(store: Store) -> None:
    """Another writer took the dwelling first: nothing of this write is kept, the
    application's change in the same write included."""
    occupied = _first(store, "logements", "id_logement", "NOT vacant")
    application = _first(store, "demandes", "id_demande", "statut = 'active'")
    before = sha256(store.path)
    with pytest.raises(StoreError, match=r"0 ligne.*1 attendue.*rien n'a été écrit"):
        store.write([
            Modification(DEMANDES, {"id_demande": application, "statut": "active"},
                         {"statut": "attribuee"}, "commission"),
            Modification(LOGEMENTS, {"id_logement": occupied, "vacant": True},
                         {"vacant": False}, "commission"),
        ])  # fmt: skip
    assert sha256(store.path) == before


@pytest.mark.parametrize(
    ("where", "values", "words"),
    [
        ({"id_logement": "X"}, {"loyer": 1}, "no column"),
        ({"id_logement": "X"}, {"vacant": "non"}, "not a value of 'vacant'"),
        ({"id_logement": "X"}, {"vacant": None}, "not a value of 'vacant'"),
        ({"id_logement": None}, {"vacant": False}, "not a value|named by values"),
        ({"id_logement": "X"}, {}, "names the rows"),
    ],
)
def test_values_not_of_their_column_are_a_programming_error(
    store: Store, where: dict[str, object], values: dict[str, object], words: str
) -> None:
    before = sha256(store.path)
    with pytest.raises(ValueError, match=words):
        store.write([Modification(LOGEMENTS, where, values, "essai")])
    assert sha256(store.path) == before


def test_a_status_outside_the_choices_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="choices"):
        store.write([Modification(DEMANDES, {"id_demande": "X"}, {"statut": "logee"}, "essai")])
