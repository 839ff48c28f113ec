"""Imports from the browser (issue 14): the French report and nothing written on a bad
file, a landlord's scope checked row by row, progress in the background, the account
recorded in the journal, and pages that keep answering while an import writes."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest
from django.test import Client

from mixite.core import model
from mixite.io import store as store_module
from mixite.io.exporters import write_import_csv
from mixite.io.store import Store
from mixite.plateforme.comptes import creer_comptes_demo
from mixite.plateforme.donnees import a_cote
from mixite.plateforme.imports import attendre
from mixite.plateforme.models import Import
from tests.postgres import copie_de_base, empreinte

pytestmark = pytest.mark.django_db(transaction=True)  # the import runs in another thread


@pytest.fixture(params=["duckdb", "postgresql"])
def store_path(
    request: pytest.FixtureRequest, jumeau_2pct: Path, tmp_path: Path, settings: object
) -> Path | str:
    """A copy of the twin in the embedded store, and one on PostgreSQL."""
    copy = copie_de_base(request, jumeau_2pct, tmp_path)
    settings.STORE = copy  # type: ignore[attr-defined]
    return copy


@pytest.fixture()
def comptes(store_path: Path | str) -> dict[str, str]:
    return {login: password for login, password, _ in creer_comptes_demo()}


def _client(login: str, comptes: dict[str, str]) -> Client:
    c = Client()
    assert c.login(username=login, password=comptes[login])
    return c


def _new_allocations(store: Store, landlord: str, n: int) -> pd.DataFrame:
    """``n`` allocation forms of ``landlord``'s stock, under new identifiers."""
    rows = store.query(
        "SELECT * FROM attributions WHERE code_bailleur = ? ORDER BY id_attribution LIMIT ?",
        [landlord, n],
    )
    return rows.assign(id_attribution=[f"WEB-{landlord}-{i}" for i in range(len(rows))])


def _upload(c: Client, kind: str, path: Path) -> Import:
    with path.open("rb") as fh:
        r = c.post("/imports/", {"type": kind, "fichier": fh})
    assert r.status_code == 302, r.content[:500]
    job = Import.objects.latest("cree_le")
    assert r["Location"].endswith(f"/imports/{job.pk}/")
    return attendre(job.pk)


def test_a_bad_file_gets_the_french_report_and_the_store_is_unchanged(
    comptes: dict[str, str], store_path: Path | str, tmp_path: Path
) -> None:
    store = Store(store_path)
    forms = _new_allocations(store, "B01", 5)
    path = write_import_csv(forms, model.ATTRIBUTIONS, tmp_path / "fiches.csv")
    text = path.read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(",")
    cells = text[3].split(",")
    cells[header.index("date_cal")] = "31/02/2025"
    text[3] = ",".join(cells)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    before = empreinte(store_path)
    job = _upload(_client("bailleur", comptes), "attributions", path)
    assert job.etat == "refuse" and job.total_problemes == 1
    assert job.problemes == [
        {
            "ligne": 4,
            "colonne": "date_cal",
            "valeur": "31/02/2025",
            "regle": job.problemes[0]["regle"],
        }
    ]
    assert "date" in job.problemes[0]["regle"]
    assert empreinte(store_path) == before  # nothing written
    page = _client("bailleur", comptes).get(f"/imports/{job.pk}/").content.decode()
    assert "rien n&#x27;a été écrit" in page or "rien n'a été écrit" in page
    assert "31/02/2025" in page and "date_cal" in page
    report = _client("bailleur", comptes).get(f"/imports/{job.pk}/?format=csv")
    assert b"31/02/2025" in report.content
    assert not list(a_cote(".depots").glob("*")), "the uploaded file is deleted"


def test_a_landlord_adds_its_own_forms_and_not_another_landlords(
    comptes: dict[str, str], store_path: Path | str, tmp_path: Path
) -> None:
    store = Store(store_path)
    n0 = store.count("attributions")
    mixed = pd.concat([_new_allocations(store, "B01", 3), _new_allocations(store, "B02", 2)])
    path = write_import_csv(mixed, model.ATTRIBUTIONS, tmp_path / "melange.csv")
    landlord = _client("bailleur", comptes)
    job = _upload(landlord, "attributions", path)
    assert job.etat == "refuse" and job.total_problemes == 2
    assert {p["ligne"] for p in job.problemes} == {5, 6}
    assert {p["valeur"] for p in job.problemes} == {"B02"}
    assert store.count("attributions") == n0
    own = write_import_csv(
        _new_allocations(store, "B01", 3), model.ATTRIBUTIONS, tmp_path / "b01.csv"
    )
    job = _upload(landlord, "attributions", own)
    assert job.etat == "reussi" and job.lignes == 3, job.message
    assert store.count("attributions") == n0 + 3
    audit = store.read("audit_attributions").tail(3)
    assert set(audit["utilisateur"]) == {"bailleur (bailleur:B01)"}
    written = store.imports_journal().iloc[-1]
    assert written["utilisateur"] == "bailleur (bailleur:B01)"
    assert store.verify_journals() == []
    # The EPCI sees the landlord's import; the journal page lists the writes.
    assert _client("epci", comptes).get(f"/imports/{job.pk}/").status_code == 200
    assert "b01.csv" in _client("epci", comptes).get("/journal/?journal=imports").content.decode()


def test_what_each_role_may_import(
    comptes: dict[str, str], store_path: Path | str, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id_demande\nD1\n", encoding="utf-8")
    assert _client("commune", comptes).get("/imports/").status_code == 403
    landlord = _client("bailleur", comptes)
    page = landlord.get("/imports/").content.decode()
    assert 'value="attributions"' in page and 'value="demandes"' not in page
    with path.open("rb") as fh:  # a kind outside the landlord's list
        r = landlord.post("/imports/", {"type": "demandes", "fichier": fh}, follow=True)
    assert "ne fait pas partie" in r.content.decode() and not Import.objects.exists()
    exe = tmp_path / "x.exe"
    exe.write_bytes(b"MZ")
    with exe.open("rb") as fh:
        r = landlord.post("/imports/", {"type": "attributions", "fichier": fh}, follow=True)
    assert "Format non pris en charge" in r.content.decode() and not Import.objects.exists()
    epci_job = None
    with path.open("rb") as fh:
        r = _client("epci", comptes).post("/imports/", {"type": "demandes", "fichier": fh})
    epci_job = Import.objects.get()
    assert r.status_code == 302
    assert landlord.get(f"/imports/{epci_job.pk}/").status_code == 404  # not its own
    attendre(epci_job.pk)


def test_pages_keep_answering_while_an_import_writes(
    comptes: dict[str, str], store_path: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write transaction is held open until the pages have been read: every page
    answers from the last committed state, then the import commits in full."""
    store = Store(store_path)
    n0 = store.count("attributions")
    writing, release = threading.Event(), threading.Event()
    original = store_module._write_one

    def slow_write(con: object, w: store_module.Write, now: str) -> None:
        original(con, w, now)  # type: ignore[arg-type]
        if w.table.name == "attributions":
            writing.set()
            release.wait(30)

    monkeypatch.setattr(store_module, "_write_one", slow_write)
    path = write_import_csv(
        _new_allocations(store, "B01", 40), model.ATTRIBUTIONS, tmp_path / "a.csv"
    )
    landlord = _client("bailleur", comptes)
    with path.open("rb") as fh:
        assert (
            landlord.post("/imports/", {"type": "attributions", "fichier": fh}).status_code == 302
        )
    job = Import.objects.get()
    assert writing.wait(30)
    epci = _client("epci", comptes)
    try:
        during = Import.objects.get(pk=job.pk)
        assert during.etat == "en_cours" and during.etape == 3  # « écriture »
        progress = landlord.get(f"/imports/{job.pk}/etat/", HTTP_HX_REQUEST="true").content.decode()
        assert "Écriture" in progress and 'hx-trigger="every 1s"' in progress
        for page in ("/", "/indicateurs/", "/veille/", "/objectifs/?format=csv", "/journal/"):
            assert epci.get(page).status_code == 200, page
        assert Store(store_path, partagee=True).count("attributions") == n0  # not committed yet
    finally:
        release.set()
    done = attendre(job.pk)
    assert done.etat == "reussi" and done.lignes == 40
    assert store.count("attributions") == n0 + 40
    final = landlord.get(f"/imports/{job.pk}/etat/").content.decode()
    assert "hx-trigger" not in final and "Import terminé" in final
