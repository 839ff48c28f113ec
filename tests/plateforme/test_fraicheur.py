"""After a write, readers get the previous figures, said to be so, while the new ones
are computed once in the background; the account or token that wrote waits for its own
change (issue 18: the platform under reads and form submissions)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mixite.core import objectifs
from mixite.io.store import Store
from mixite.plateforme import jetons
from mixite.plateforme.comptes import creer_comptes_demo
from mixite.plateforme.fraicheur import ENTETE
from tests.plateforme.test_api import _forms

pytestmark = pytest.mark.django_db


@pytest.fixture()
def store_path(settings: Any, jumeau_2pct: Path, tmp_path: Path) -> Path:
    import shutil

    path = tmp_path / "mixite.duckdb"
    shutil.copy(jumeau_2pct, path)
    settings.STORE = path
    return path


def _get(token: str, path: str = "/api/v1/objectifs?charte=loi-2017") -> Any:
    return Client().get(path, headers={"Authorization": f"Bearer {token}"})


def test_readers_get_the_previous_figures_while_the_writer_waits_for_its_own(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passwords = {login: pw for login, pw, _ in creer_comptes_demo()}
    writer = jetons.creer("bailleur", "B01", "écrit")[0]
    reader = jetons.creer("etat", "59", "lit")[0]
    before = _get(reader)
    assert before.status_code == 200 and ENTETE not in before
    # The landlord sends forms: a new data version.
    forms = _forms(Store(store_path), "B01", 5, "FRAIS")
    sent = Client().post("/api/v1/attributions", json.dumps({"fiches": forms}),
                         content_type="application/json",
                         headers={"Authorization": f"Bearer {writer}"})  # fmt: skip
    assert sent.status_code == 201
    # The tracking's recomputation is held until released.
    release = threading.Event()
    calls = []
    original = objectifs.suivre

    def held(*args: Any, **kwargs: Any) -> Any:
        calls.append(threading.current_thread().name)
        assert release.wait(60)
        return original(*args, **kwargs)

    monkeypatch.setattr(objectifs, "suivre", held)
    t0 = time.perf_counter()
    stale = _get(reader)
    assert time.perf_counter() - t0 < 5, "the reader did not wait for the computation"
    assert stale[ENTETE] == "anterieures"
    assert stale.json() == before.json()
    # A page says so too.
    page = Client()
    assert page.login(username="etat", password=passwords["etat"])
    shown = page.get("/objectifs/?charte=loi-2017")
    assert "Chiffres d'avant la dernière écriture" in shown.content.decode()
    assert shown[ENTETE] == "anterieures"
    # The writer waits for its own forms to count (released a second later).
    threading.Timer(1.0, release.set).start()
    t0 = time.perf_counter()
    fresh = _get(writer)
    assert time.perf_counter() - t0 >= 0.9, "the writer was given the figures from before"
    assert ENTETE not in fresh and fresh.json() != before.json()
    # Computed once, in the background (the writer waited for the same computation).
    assert calls == ["mixite-revalide"]
    after = _get(reader)
    assert ENTETE not in after and after.json() == fresh.json()
    assert "Chiffres d'avant" not in page.get("/objectifs/?charte=loi-2017").content.decode()
