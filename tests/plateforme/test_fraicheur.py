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


def _get(token: str, path: str = "/api/v1/objectifs?charte=loi-2017") -> Any:
    return Client().get(path, headers={"Authorization": f"Bearer {token}"})


def _landlord() -> Client:
    """The demo landlord's browser, logged in."""
    passwords = {login: pw for login, pw, _ in creer_comptes_demo()}
    landlord = Client()
    assert landlord.login(username="bailleur", password=passwords["bailleur"])
    return landlord


def _decide(landlord: Client, store_path: Path) -> None:
    """The landlord allocates its first vacant dwelling to its first candidate."""
    from mixite.plateforme import donnees

    dwelling = (
        Store(store_path)
        .query(
            "SELECT l.id_logement FROM logements l JOIN entrees e USING (id_entree) JOIN batiments b "
            "USING (id_batiment) WHERE l.vacant AND b.code_bailleur = 'B01' AND NOT b.individuel "
            "ORDER BY l.id_logement LIMIT 1"
        )
        .iloc[0, 0]
    )
    page = landlord.get(f"/commission/{dwelling}/", {"date": "2026-10-31", "souhaits": "ignorer"})
    donnees._attendre_fils()
    done = landlord.post(f"/commission/{dwelling}/decision/", {
        "demande": page.context["ids"][0], "decision": "attribution", "date": "2026-10-31",
    })  # fmt: skip
    assert done.status_code == 302 and done["Location"].endswith("/objectifs/")


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


def test_while_writes_keep_coming_figures_are_recomputed_at_most_every_interval(
    store_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mixite.plateforme import donnees

    settings.RECALCUL_S = 3600
    creer_comptes_demo()
    writer = jetons.creer("bailleur", "B01", "écrit")[0]
    reader = jetons.creer("etat", "59", "lit")[0]
    before = _get(reader)
    calls = []
    original = objectifs.suivre

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(objectifs, "suivre", counted)

    def send(prefix: str) -> None:
        forms = _forms(Store(store_path), "B01", 3, prefix)
        sent = Client().post("/api/v1/attributions", json.dumps({"fiches": forms}),
                             content_type="application/json",
                             headers={"Authorization": f"Bearer {writer}"})  # fmt: skip
        assert sent.status_code == 201

    send("PALIER1")
    # Computed less than an hour ago: the reader gets them as they were, said to be so,
    # and nothing is recomputed for it.
    stale = _get(reader)
    donnees._attendre_fils()
    assert stale[ENTETE] == "anterieures" and stale.json() == before.json()
    assert calls == []
    # The writer gets its own change at once; the reader then gets the same figures.
    fresh = _get(writer)
    assert ENTETE not in fresh and fresh.json() != before.json() and len(calls) == 1
    assert _get(reader).json() == fresh.json()
    # Another write: once the interval has passed, a reader's request starts the one
    # background recomputation, and the next reader gets its result.
    send("PALIER2")
    assert _get(reader)[ENTETE] == "anterieures"
    donnees._attendre_fils()
    assert len(calls) == 1
    settings.RECALCUL_S = 0
    assert _get(reader)[ENTETE] == "anterieures"
    donnees._attendre_fils()
    assert calls[1:] == ["mixite-revalide"]
    last = _get(reader)
    assert ENTETE not in last and last.json() != fresh.json()


def test_a_commission_decision_waits_for_the_objectives_not_for_the_population_figures(
    store_path: Path,
) -> None:
    """The landlord who recorded a decision sees it counted in the objectives at once;
    the population's figures (one more household) come from the background recomputation,
    the dashboard saying meanwhile that they predate the latest write."""
    from mixite.plateforme import donnees

    landlord = _landlord()
    assert ENTETE not in landlord.get("/")
    assert ENTETE not in landlord.get("/objectifs/?charte=loi-2017")
    _decide(landlord, store_path)
    objectives = landlord.get("/objectifs/?charte=loi-2017")
    assert ENTETE not in objectives
    dashboard = landlord.get("/")
    assert dashboard[ENTETE] == "anterieures"
    assert "Chiffres d'avant la dernière écriture" in dashboard.content.decode()
    donnees._attendre_fils()
    assert ENTETE not in landlord.get("/")


def test_a_decision_has_its_writer_s_objectives_computed_before_they_are_asked_for(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decision sends its writer to the objectives, which must count it: their
    computation starts with the decision, in the background, and the page finds it done
    (or under way) instead of starting it then."""
    from mixite.plateforme import donnees

    landlord = _landlord()
    before = list(landlord.get("/objectifs/").context["lignes"])
    _decide(landlord, store_path)
    donnees._attendre_fils()

    def not_now(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the tracking was computed when the page asked for it")

    monkeypatch.setattr(objectifs, "suivre", not_now)
    shown = landlord.get("/objectifs/")
    assert shown.status_code == 200 and ENTETE not in shown
    assert list(shown.context["lignes"]) != before  # the decision counts


def test_a_writer_is_given_figures_that_count_its_write_even_if_others_wrote_since(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read-your-writes, not read-the-latest: after a decision, forms sent by another
    writer make a later version; the decision's writer is given the tracking that counts
    its decision (said to predate the latest write) instead of waiting for another
    computation at each write of others."""
    from mixite.plateforme import donnees

    landlord = _landlord()
    before = list(landlord.get("/objectifs/").context["lignes"])
    _decide(landlord, store_path)
    donnees._attendre_fils()
    counted = list(landlord.get("/objectifs/").context["lignes"])  # counts the decision
    assert counted != before
    other = jetons.creer("bailleur", "B01", "son logiciel")[0]  # another writer
    forms = _forms(Store(store_path), "B01", 3, "ENSUITE")
    sent = Client().post("/api/v1/attributions", json.dumps({"fiches": forms}),
                         content_type="application/json",
                         headers={"Authorization": f"Bearer {other}"})  # fmt: skip
    assert sent.status_code == 201
    donnees._attendre_fils()

    def not_now(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("computed again for the writer")

    monkeypatch.setattr(objectifs, "suivre", not_now)
    shown = landlord.get("/objectifs/")
    assert shown.status_code == 200 and shown[ENTETE] == "anterieures"
    assert list(shown.context["lignes"]) == counted
    # The other writer waits for the tracking that counts its forms.
    monkeypatch.undo()
    fresh = _get(other, "/api/v1/objectifs")
    assert fresh.status_code == 200 and ENTETE not in fresh
