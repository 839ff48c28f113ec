"""The partner API (issue 18): tokens, the same scopes and secrecy as the pages, the
allocation forms written through the importer, rate limits, JSON errors; on both
stores."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.test import Client

from mixite.core import model
from mixite.io.exporters import to_import_frame
from mixite.io.publication import indicateurs_publies
from mixite.io.store import Store
from mixite.plateforme import jetons
from mixite.plateforme.comptes import DEMO, creer_comptes_demo
from tests.postgres import copie_de_base

pytestmark = pytest.mark.django_db

GETS = ["/api/v1/", "/api/v1/indicateurs", "/api/v1/veille", "/api/v1/objectifs",
        "/api/v1/rapports"]  # fmt: skip
#: The API's twin of each page: who may call it is who may open the page.
ALLOWED = {
    "/api/v1/": {login for login, *_ in DEMO},
    "/api/v1/indicateurs": {login for login, *_ in DEMO},
    "/api/v1/veille": {login for login, *_ in DEMO},
    "/api/v1/rapports": {login for login, *_ in DEMO},
    "/api/v1/objectifs": {"epci", "commune", "bailleur", "reservataire", "etat"},
    "/api/v1/attributions": {"epci", "bailleur"},
}


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def store_path(
    request: pytest.FixtureRequest, jumeau_2pct: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path | str:
    return copie_de_base(request, jumeau_2pct, tmp_path_factory.mktemp("api"))


@pytest.fixture()
def tokens(settings: Any, store_path: Path | str) -> dict[str, str]:
    """A token per demo organisation."""
    settings.STORE = store_path
    creer_comptes_demo()
    return {login: jetons.creer(role, code, f"SI {login}")[0] for login, role, code, _ in DEMO}


def _get(path: str, token: str | None, **params: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(path, params, headers=headers)


def _post(path: str, token: str, body: Any) -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return Client().post(path, data, content_type="application/json",
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_without_a_valid_token_nothing_but_the_schema(tokens: dict[str, str]) -> None:
    for path in [*GETS, "/api/v1/attributions"]:
        for token in (None, "mxt_inconnu", tokens["epci"][:-1]):
            r = _get(path, token) if path in GETS else _post(path, token or "", {"fiches": []})
            assert r.status_code == 401, (path, token)
            assert r["WWW-Authenticate"].startswith("Bearer")
            assert r.json()["code"] == "jeton_invalide"
    # A session cookie is not a token: the API does not take the pages' login.
    creer_comptes_demo()
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    # Revoked: refused at once.
    jetons.revoquer(tokens["epci"][:12])
    assert _get("/api/v1/", tokens["epci"]).status_code == 401
    assert _get("/api/v1/", tokens["etat"]).status_code == 200


def test_every_role_and_endpoint(tokens: dict[str, str]) -> None:
    for login, token in tokens.items():
        for path in GETS:
            r = _get(path, token)
            expected = 200 if login in ALLOWED[path] else 403
            assert r.status_code == expected, (login, path, r.content[:200])
            assert r["Content-Type"].startswith("application/json")
        # Writing forms: an empty body is refused for those allowed (400), others 403.
        r = _post("/api/v1/attributions", token, {"fiches": []})
        assert r.status_code == (400 if login in ALLOWED["/api/v1/attributions"] else 403)
    me = _get("/api/v1/", tokens["commune"]).json()
    assert (me["role"], me["code"]) == ("commune", "59350")
    assert "POST /api/v1/attributions" not in me["points"]
    assert "POST /api/v1/attributions" in _get("/api/v1/", tokens["bailleur"]).json()["points"]


def _same(api_value: Any, truth: float) -> bool:
    """The API gives null exactly where the published table hides a value."""
    if truth is None or (isinstance(truth, float) and math.isnan(truth)):
        return api_value is None
    return api_value == pytest.approx(truth)


def test_the_figures_are_the_published_ones_with_nulls_where_secret(
    tokens: dict[str, str], store_path: Path | str
) -> None:
    published = indicateurs_publies(Store(store_path))
    # The commune: its own commune only, the library's published figures.
    r = _get("/api/v1/indicateurs", tokens["commune"]).json()
    assert [z["code"] for z in r["zones"]] == ["59350"]
    assert r["seuil_secret"] == 11
    truth = published.tables["code_commune"].loc["59350"]
    for column in ("menages", "taux_pauvrete", "sous_40_plus", "mediane_niveau_de_vie"):
        assert _same(r["zones"][0][column], truth[column]), column
    # A territory-wide level is outside a commune's scope: no zone.
    assert _get("/api/v1/indicateurs", tokens["commune"], niveau="qpv").json()["zones"] == []
    # The EPCI at IRIS level: every IRIS, null exactly where the publication hides.
    iris = _get("/api/v1/indicateurs", tokens["epci"], niveau="iris").json()
    table = published.tables["code_iris"]
    assert sorted(z["code"] for z in iris["zones"]) == sorted(table.index.astype(str))
    hidden = 0
    for zone in iris["zones"]:
        for column in ("taux_pauvrete", "monoparentales", "allocataires_apl"):
            assert _same(zone[column], table.loc[zone["code"], column]), (zone["code"], column)
            hidden += zone[column] is None
    assert hidden > 0, "the 2 % twin has IRIS under the threshold: some cells are hidden"
    # No count column (n_…) from which a hidden share could be recovered.
    assert not any(k.startswith("n_") for z in iris["zones"] for k in z)
    # Unknown values are refused with the permitted ones.
    bad = _get("/api/v1/indicateurs", tokens["epci"], niveau="rue")
    assert bad.status_code == 400 and "commune" in bad.json()["permis"]
    assert _get("/api/v1/indicateurs", tokens["epci"], millesime="1789").status_code == 400
    assert _get("/api/v1/objectifs", tokens["epci"], charte="autre").status_code == 400


def test_the_watch_a_landlords_entrances_or_counts(
    tokens: dict[str, str], store_path: Path | str
) -> None:
    store = Store(store_path)
    own = set(
        store.query(
            "SELECT e.id_entree FROM entrees e JOIN batiments b USING (id_batiment) "
            "WHERE b.code_bailleur = 'B01'"
        )["id_entree"]
    )
    mine = _get("/api/v1/veille", tokens["bailleur"]).json()
    assert mine["entrees"] and {e["id_entree"] for e in mine["entrees"]} <= own
    assert "statuts" not in mine
    counts = _get("/api/v1/veille", tokens["commune"]).json()
    assert "entrees" not in counts
    assert {s["statut"] for s in counts["statuts"]} == {"ok", "vigilance", "fragile"}
    tracked = _get("/api/v1/objectifs", tokens["etat"], charte="loi-2017").json()
    assert tracked["charte"] == "loi-2017" and tracked["objectifs"]


def _forms(store: Store, landlord: str, n: int, prefix: str) -> list[dict[str, Any]]:
    """``n`` allocation forms of ``landlord``'s dwellings as JSON objects, with JSON's
    own types (integers, booleans, null)."""
    rows = store.query(
        "SELECT * FROM attributions WHERE code_bailleur = ? ORDER BY id_attribution LIMIT ?",
        [landlord, n],
    )
    rows = rows.assign(id_attribution=[f"{prefix}-{i}" for i in range(len(rows))])
    text = to_import_frame(rows, model.ATTRIBUTIONS)
    out = []
    for record in text.to_dict("records"):
        form: dict[str, Any] = {}
        for c in model.ATTRIBUTIONS.columns:
            value = record.get(c.name)
            if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
                form[c.name] = None
            elif c.kind == "boolean":
                form[c.name] = value in ("1", "true", "vrai")
            elif c.kind == "integer":
                form[c.name] = int(value)
            else:
                form[c.name] = value
        out.append(form)
    return out


def test_a_landlord_records_its_own_forms_once_and_nothing_else(
    tokens: dict[str, str], store_path: Path | str
) -> None:
    store = Store(store_path)
    n0, audit0 = store.count("attributions"), store.count("audit_attributions")
    token = tokens["bailleur"]
    # Another landlord's dwelling among them: all refused, nothing written.
    mixed = _forms(store, "B01", 2, "API-M") + _forms(store, "B02", 1, "API-X")
    r = _post("/api/v1/attributions", token, {"fiches": mixed})
    assert r.status_code == 422, r.content
    problems = r.json()["problemes"]
    assert [(p["ligne"], p["valeur"]) for p in problems] == [(3, "B02")]
    assert store.count("attributions") == n0
    # Its own: written, audited under the token's name.
    own = _forms(store, "B01", 3, "API-B01")
    r = _post("/api/v1/attributions", token, {"fiches": own})
    assert r.status_code == 201, r.content
    assert r.json()["enregistrees"] == 3 and r.json()["ids"] == [f["id_attribution"] for f in own]
    assert store.count("attributions") == n0 + 3
    assert store.count("audit_attributions") == audit0 + 3
    audit = store.read("audit_attributions").tail(3)
    assert set(audit["utilisateur"]) == {f"api:{token[:12]} (bailleur:B01)"}
    assert store.verify_journals() == []
    # Sent again: refused (already recorded), nothing duplicated.
    again = _post("/api/v1/attributions", token, {"fiches": own})
    assert again.status_code == 422 and again.json()["total"] == 3
    assert store.count("attributions") == n0 + 3
    # The validation report names form, field, value and rule.
    broken = [dict(own[0], id_attribution="API-BAD", nb_personnes=0, decision="peut-être")]
    report = _post("/api/v1/attributions", token, {"fiches": broken}).json()
    assert {p["colonne"] for p in report["problemes"]} >= {"nb_personnes", "decision"}
    assert all(p["ligne"] == 1 and p["regle"] for p in report["problemes"])
    # A NUL byte in a key (PostgreSQL cannot even compare it): refused by the rule.
    nul = _post("/api/v1/attributions", token, {"fiches": [
        dict(own[0], id_attribution="API-\x00", id_logement="L\x00")]})  # fmt: skip
    assert nul.status_code == 422, nul.content
    assert {p["colonne"] for p in nul.json()["problemes"]} == {"id_attribution", "id_logement"}
    nested = [dict(own[0], id_attribution="API-N", motif_decision={"a": 1})]
    assert _post("/api/v1/attributions", token, {"fiches": nested}).status_code == 422
    for body in (b"{", "[]", {"fiches": "x"}, {"fiches": [1]}):
        assert _post("/api/v1/attributions", token, body).status_code == 400, body
    assert store.count("attributions") == n0 + 3
    # The objectives the pages show count the new forms at once.
    assert Client().get("/api/v1/attributions", headers={
        "Authorization": f"Bearer {token}"}).status_code == 405  # fmt: skip


def test_rate_limit_and_json_errors(
    tokens: dict[str, str], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from mixite.plateforme import jetons

    # The limit counts per minute: the four requests must not straddle two minutes.
    monkeypatch.setattr(jetons, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    settings.API_DEBIT = 3
    for _ in range(3):
        assert _get("/api/v1/", tokens["etat"]).status_code == 200
    r = _get("/api/v1/", tokens["etat"])
    assert r.status_code == 429 and 1 <= int(r["Retry-After"]) <= 60
    assert r.json()["code"] == "trop_de_requetes"
    assert _get("/api/v1/", tokens["epci"]).status_code == 200, "each token has its own limit"
    missing = _get("/api/v1/nulle-part", tokens["epci"])
    assert missing.status_code == 404 and missing.json()["code"] == "adresse_inconnue"
    assert _get("/api/v1/rapports/../../etc/passwd", tokens["epci"]).status_code == 404


def test_the_cli_creates_lists_and_revokes_tokens(
    store_path: Path | str,
    capsys: pytest.CaptureFixture[str],
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mixite.cli.main import main
    from mixite.io import est_url

    if est_url(str(store_path)):
        pytest.skip("the accounts of a server's store are the settings' (one test is enough)")
    monkeypatch.setenv("MIXITE_STORE", str(store_path))  # the command sets it: restored after
    args = ["--store", str(store_path)]
    assert main(["jeton-api", "creer", "--organisation", "epci:200093201", "--nom", "SIG",
                 *args]) == 0  # fmt: skip
    token = capsys.readouterr().out.split("\n")[1].strip()
    assert token.startswith("mxt_") and _get("/api/v1/", token).status_code == 200
    assert main(["jeton-api", "lister", *args]) == 0
    listing = capsys.readouterr().out
    assert f"{token[:12]}…" in listing and "SIG — actif" in listing
    assert main(["jeton-api", "revoquer", token[:12], *args]) == 0
    assert _get("/api/v1/", token).status_code == 401
    assert main(["jeton-api", "creer", "--organisation", "bailleur:B99", "--nom", "x", *args]) != 0
    assert "organisation inconnue" in capsys.readouterr().err


def test_the_schema_describes_the_forms_from_the_data_model() -> None:
    from mixite.plateforme.api_schema import schema

    doc = schema()
    fiche = doc["components"]["schemas"]["Fiche"]
    assert set(fiche["properties"]) == set(model.ATTRIBUTIONS.column_names)
    assert fiche["properties"]["decision"]["enum"] == list(model.DECISIONS_CAL)
    assert fiche["properties"]["rang"]["maximum"] == 3 and fiche["properties"]["rang"]["nullable"]
    assert "id_attribution" in fiche["required"] and "rang" not in fiche["required"]
    assert pd.Series(list(doc["paths"])).str.startswith("/api/v1/").all()


def test_the_rate_limit_is_shared_by_server_processes_with_the_database_cache(
    tmp_path: Path,
) -> None:
    """``MIXITE_CACHE=base``: two processes (two gunicorn workers) count one token's
    requests together; with the memory cache each would count its own."""
    import subprocess
    import sys

    env = {**os.environ, "MIXITE_STORE": str(tmp_path / "vide.duckdb"),
           "MIXITE_COMPTES": str(tmp_path / "comptes.sqlite3"), "MIXITE_API_DEBIT": "3",
           "DJANGO_SETTINGS_MODULE": "mixite.plateforme.settings"}  # fmt: skip
    script = (
        "import django, sys; django.setup()\n"
        "from django.core.management import call_command\n"
        "from mixite.plateforme import jetons\n"
        "from mixite.plateforme.comptes import creer_comptes_demo\n"
        "from mixite.plateforme.models import Jeton\n"
        "if sys.argv[1] == 'creer':\n"
        "    call_command('migrate', verbosity=0); call_command('createcachetable', verbosity=0)\n"
        "    creer_comptes_demo(); jetons.creer('bailleur', 'B01', 'partage')\n"
        "j = Jeton.objects.get(nom='partage')\n"
        "print([jetons.debit(j) is None for _ in range(int(sys.argv[2]))])\n"
    )  # fmt: skip

    def run(cache: str, *args: str) -> str:
        out = subprocess.run([sys.executable, "-c", script, *args], env={**env, "MIXITE_CACHE": cache},
                             capture_output=True, text=True, check=True)  # fmt: skip
        return out.stdout.strip()

    import time

    if time.time() % 60 > 40:  # the three runs in one minute (the limit's window)
        time.sleep(61 - time.time() % 60)
    assert run("base", "creer", "2") == "[True, True]"
    assert run("base", "autre", "2") == "[True, False]", "the third request of the minute"
    assert run("memoire", "autre", "2") == "[True, True]", "a process of its own counts anew"
