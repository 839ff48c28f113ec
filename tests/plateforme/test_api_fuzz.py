"""The partner API fuzzed against its own OpenAPI schema with Schemathesis (issue 18):
for every endpoint, generated requests under three tokens (a commune, a landlord, the
EPCI) and without one. No server error, every response as the schema says (status,
type, body), and nothing outside the token's scope. Bounded in the default suite;
longer, and on PostgreSQL too, behind the ``slow`` marker."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import got_request_exception
from hypothesis import HealthCheck, settings

from mixite.plateforme import jetons
from mixite.plateforme.comptes import creer_comptes_demo
from mixite.plateforme.rapports import MOTIF
from tests.postgres import copie_de_base

pytestmark = pytest.mark.django_db

#: The bounded run (default suite): generated examples only. The long run (``slow``, on
#: PostgreSQL; or MIXITE_FUZZ_LONG=1): also Schemathesis's coverage phase (boundary and
#: invalid values of every parameter and field), and many more examples.
COURT = {"phases": {"coverage": {"enabled": False}}, "generation": {"max-examples": 20}}
LONG = {"generation": {"max-examples": 60}}


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgresql", marks=pytest.mark.slow)]
)
def store_fuzz(
    request: pytest.FixtureRequest, jumeau_2pct: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path | str:
    return copie_de_base(request, jumeau_2pct, tmp_path_factory.mktemp("fuzz"))


@pytest.fixture()
def contexte(settings: Any, store_fuzz: Path | str) -> dict[str, Any]:
    """Tokens of three scopes, and what each may see."""
    from mixite.io.store import Store

    settings.STORE = store_fuzz
    settings.API_DEBIT = 10**9  # the fuzzer sends thousands of requests a minute
    creer_comptes_demo()
    store = Store(store_fuzz)
    own = store.query(
        "SELECT e.id_entree FROM entrees e JOIN batiments b USING (id_batiment) "
        "WHERE b.code_bailleur = 'B01'"
    )
    # A report of each kind, so that the report endpoints have files to refuse or give.
    from mixite.plateforme.rapports import dossier

    for name in ("etat-du-peuplement_bailleur-B02_2025-06-30.pdf",
                 "etat-du-peuplement_commune-59350_2025-06-30.html",
                 "etat-du-peuplement_commune-59009_2025-06-30.html"):  # fmt: skip
        (dossier() / name).write_bytes(b"%PDF-1.7 test" if name.endswith("pdf") else b"<p>r</p>")
    return {
        "jetons": {
            "commune": jetons.creer("commune", "59350", "fuzz")[0],
            "bailleur": jetons.creer("bailleur", "B01", "fuzz")[0],
            "epci": jetons.creer("epci", "200093201", "fuzz")[0],
        },
        "entrees_b01": set(own["id_entree"]),
    }


@pytest.fixture()
def api_schema(contexte: dict[str, Any], store_fuzz: Path | str) -> Iterator[Any]:
    """The schema, served by the platform's WSGI application in the test's database
    transaction (as Django's test client does: requests do not close the connection)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections
    from schemathesis.config import SchemathesisConfig

    from mixite.io import est_url

    long = est_url(str(store_fuzz)) or os.environ.get("MIXITE_FUZZ_LONG") == "1"
    config = SchemathesisConfig.from_dict(LONG if long else COURT)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", get_wsgi_application(), config=config
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def _dans_le_perimetre(role: str, case: Any, body: Any, ctx: dict[str, Any]) -> None:
    """Nothing in a 2xx answer lies outside the token's scope."""
    path = case.operation.path
    if path == "/api/v1/indicateurs" and role == "commune":
        assert all(str(z["code"]).startswith("59350") for z in body["zones"]), body["zones"][:3]
    if path == "/api/v1/veille":
        if role == "bailleur":
            assert {e["id_entree"] for e in body["entrees"]} <= ctx["entrees_b01"]
        else:
            assert "entrees" not in body
    if path == "/api/v1/rapports":
        for r in body["rapports"]:
            m = MOTIF.match(r["nom"])
            assert m is not None
            if m.group(1) == "bailleur":
                assert role == "bailleur" and m.group(2) == "B01", r
            if role == "commune":
                assert m.group(1) == "epci" or m.group(2) == "59350", r
    if path == "/api/v1/rapports/{nom}":
        m = MOTIF.match(case.path_parameters["nom"])
        assert m is not None
        assert m.group(1) != "bailleur" or (role == "bailleur" and m.group(2) == "B01")
    if path == "/api/v1/attributions":
        assert role in ("bailleur", "epci")
        if role == "bailleur":
            assert all(f["code_bailleur"] == "B01" for f in case.body["fiches"])


def _existe(url: str) -> bool:
    """Whether ``url`` is one of the platform's addresses."""
    from urllib.parse import unquote, urlsplit

    from django.urls import Resolver404, resolve

    try:
        resolve(unquote(urlsplit(url).path))
    except Resolver404:
        return False
    return True


#: The server's tracebacks of the current request (a 500 says which line failed).
errors: list[str] = []


def _retenir(sender: Any, request: Any = None, **kwargs: Any) -> None:
    errors.append(traceback.format_exc())


got_request_exception.connect(_retenir)


@schema.parametrize()
@settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_within_its_schema_and_scope(
    case: Any, contexte: dict[str, Any]
) -> None:
    for role, token in contexte["jetons"].items():
        auth = {"Authorization": f"Bearer {token}"}
        errors.clear()
        response = case.call(headers=auth)
        assert response.status_code < 500, (role, case.operation.path, *errors)
        case.validate_response(
            response,
            headers=auth,
            excluded_checks=[
                # A generated form is valid by the schema but names dwellings and
                # applications that do not exist: the importer rightly refuses it (422).
                schemathesis.checks.positive_data_acceptance,
            ],
        )
        if (
            200 <= response.status_code < 300
            and "json" in response.headers.get("Content-Type", [""])[0]
        ):
            _dans_le_perimetre(role, case, response.json(), contexte)
    anonymous = case.call()
    if case.operation.path != "/api/v1/openapi.json":
        # Refused: not authenticated (401), or a method the address does not have (405);
        # an address that is none of the API's (an empty report name) is 404 for all.
        expected = (401, 405) if _existe(anonymous.request.url) else (404,)
        assert anonymous.status_code in expected, (case.method, anonymous.status_code)
