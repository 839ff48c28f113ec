"""The platform's pages: who may open what (role × address), that each shows the
library's own figures for the viewer's scope, downloads, htmx fragments, login
throttling and security headers (issue 14)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from django.test import Client

from mixite.io.publication import indicateurs_publies
from mixite.io.store import Store
from mixite.plateforme.comptes import DEMO, creer_comptes_demo
from tests.postgres import copie_de_base, dupliquer

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/indicateurs/",
    "/veille/",
    "/objectifs/",
    "/commission/",
    "/journal/",
    "/relogement/",
    "/imports/",
    "/rapports/",
]
#: Which pages each role may open (403 for the others).
ALLOWED = {
    "epci": {
        "/",
        "/rapports/",
        "/indicateurs/",
        "/veille/",
        "/objectifs/",
        "/journal/",
        "/relogement/",
        "/imports/",
    },
    "commune": {"/", "/rapports/", "/indicateurs/", "/veille/", "/objectifs/"},
    "bailleur": {
        "/",
        "/rapports/",
        "/indicateurs/",
        "/veille/",
        "/objectifs/",
        "/commission/",
        "/relogement/",
        "/imports/",
    },
    "reservataire": {"/", "/rapports/", "/indicateurs/", "/veille/", "/objectifs/"},
    "renouvellement": {"/", "/rapports/", "/indicateurs/", "/veille/", "/relogement/"},
    "etat": {
        "/",
        "/rapports/",
        "/indicateurs/",
        "/veille/",
        "/objectifs/",
        "/journal/",
        "/relogement/",
    },
    "partenaire": {"/", "/rapports/", "/indicateurs/", "/veille/"},
}


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def store_path(
    request: pytest.FixtureRequest, jumeau_2pct: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path | str:
    """A copy, in the embedded store and on PostgreSQL: the pages record accesses in
    the store's journal."""
    return copie_de_base(request, jumeau_2pct, tmp_path_factory.mktemp("plateforme"))


@pytest.fixture()
def comptes(settings: object, store_path: Path | str) -> dict[str, str]:
    settings.STORE = store_path  # type: ignore[attr-defined]
    return {login: password for login, password, _ in creer_comptes_demo()}


def _client(login: str, comptes: dict[str, str]) -> Client:
    c = Client()
    assert c.login(username=login, password=comptes[login])
    return c


def test_every_role_and_page(comptes: dict[str, str]) -> None:
    anonymous = Client()
    for page in PAGES:
        r = anonymous.get(page)
        assert r.status_code == 302 and "/connexion/" in r["Location"], page
    for login, *_ in DEMO:
        c = _client(login, comptes)
        for page in PAGES:
            for suffix in ("", "?format=csv"):
                r = c.get(page + suffix)
                expected = 200 if page in ALLOWED[login] else 403
                assert r.status_code == expected, (login, page, suffix)
                if expected == 200 and b"format=csv" in c.get(page).content:
                    # a page offering a download gives a file, never the page again
                    with_file = c.get(page + "?format=csv")
                    assert "attachment" in with_file.get("Content-Disposition", ""), (login, page)


def test_the_commune_sees_its_own_commune_with_the_librarys_figures(
    comptes: dict[str, str], store_path: Path | str
) -> None:
    c = _client("commune", comptes)
    r = c.get("/?format=csv")
    shown = pd.read_csv(io.BytesIO(r.content), sep=";", decimal=",", encoding="utf-8-sig",
                        dtype={"code commune": str})  # fmt: skip
    assert shown["code commune"].tolist() == ["59350"]
    truth = indicateurs_publies(Store(store_path)).tables["code_commune"].loc["59350"]
    assert shown["ménages (ménages)"].iloc[0] == truth["menages"]
    assert shown["taux de pauvreté (% des personnes)"].iloc[0] == pytest.approx(
        truth["taux_pauvrete"]
    )
    r = c.get("/indicateurs/?niveau=iris&format=csv")
    iris = pd.read_csv(
        io.BytesIO(r.content), sep=";", decimal=",", encoding="utf-8-sig", dtype={"code IRIS": str}
    )
    assert len(iris) and iris["code IRIS"].str.startswith("59350").all()


def test_a_landlord_sees_only_its_own_entrances(
    comptes: dict[str, str], store_path: Path | str
) -> None:
    mine = Store(store_path).query(
        "SELECT e.id_entree FROM entrees e JOIN batiments b USING (id_batiment) WHERE b.code_bailleur = 'B01'"
    )["id_entree"]
    r = _client("bailleur", comptes).get("/veille/?format=csv")
    shown = pd.read_csv(io.BytesIO(r.content), sep=";", decimal=",", encoding="utf-8-sig")
    assert len(shown) and shown["entrée"].isin(set(mine)).all()
    other = _client("epci", comptes).get("/veille/?format=csv")
    counts = pd.read_csv(io.BytesIO(other.content), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(counts.columns) == ["statut", "entrees"]  # counts only, no entrance
    assert b"BAT-" not in other.content


def test_htmx_asks_for_a_fragment_and_downloads_are_files(comptes: dict[str, str]) -> None:
    c = _client("epci", comptes)
    svg = c.get("/carte/fragilite.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert Client().get("/carte/fragilite.svg").status_code == 302
    page = c.get("/indicateurs/?niveau=iris")
    assert b"<html" in page.content and b"htmx-2.0.11.min.js" in page.content
    fragment = c.get("/indicateurs/?niveau=iris", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"<table>" in fragment.content
    xlsx = c.get("/objectifs/?charte=loi-2017&format=xlsx")
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    assert pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)


def test_the_dashboard_table_shows_the_rows_it_downloads(comptes: dict[str, str]) -> None:
    client = _client("bailleur", comptes)
    page = client.get("/").content.decode()
    csv = client.get("/?format=csv")
    rows = pd.read_csv(io.BytesIO(csv.content), sep=";", decimal=",", encoding="utf-8-sig")
    assert len(rows)
    assert page.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == len(rows)


def test_login_is_throttled_and_headers_are_strict(comptes: dict[str, str]) -> None:
    c = Client()
    for _ in range(5):
        assert c.post("/connexion/", {"username": "epci", "password": "mauvais"}).status_code == 200
    r = c.post("/connexion/", {"username": "epci", "password": comptes["epci"]})
    assert r.status_code == 200 and "Trop d" in r.content.decode()
    ok = _client("commune", comptes).get("/")
    assert ok["X-Frame-Options"] == "DENY"
    assert ok["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in ok["Content-Security-Policy"]
    assert b"https://" not in ok.content.replace(b"https://www.", b"")  # no CDN


def test_the_commission_from_candidates_to_the_recorded_decision(
    comptes: dict[str, str], store_path: Path | str, tmp_path: Path, settings: object
) -> None:
    copy = dupliquer(store_path, tmp_path)
    settings.STORE = copy  # type: ignore[attr-defined]
    store = Store(copy)
    dwelling = store.query(
        "SELECT l.id_logement FROM logements l JOIN entrees e USING (id_entree) JOIN batiments b "
        "USING (id_batiment) WHERE l.vacant AND b.code_bailleur = 'B01' AND NOT b.individuel "
        "ORDER BY l.id_logement LIMIT 1"
    ).iloc[0, 0]
    other = store.query(
        "SELECT l.id_logement FROM logements l JOIN entrees e USING (id_entree) JOIN batiments b "
        "USING (id_batiment) WHERE l.vacant AND b.code_bailleur <> 'B01' LIMIT 1"
    ).iloc[0, 0]
    landlord = _client("bailleur", comptes)
    assert landlord.get("/commission/").status_code == 200
    assert landlord.get(f"/commission/{other}/").status_code == 403  # another landlord's
    assert _client("epci", comptes).get(f"/commission/{dwelling}/").status_code == 403
    page = landlord.get(f"/commission/{dwelling}/", {"date": "2026-10-31", "souhaits": "ignorer"})
    assert page.status_code == 200
    ids = page.context["ids"]
    assert ids, "without the wishes filter, some application suits the dwelling"
    listed = landlord.get(f"/commission/{dwelling}/", {"date": "2026-10-31", "souhaits": "ignorer",
                                                       "format": "csv"})  # fmt: skip
    assert listed["Content-Disposition"].endswith('.csv"') and ids[0].encode() in listed.content
    sheet = landlord.get(
        f"/commission/{dwelling}/fiche/", {"candidat": ids[:2], "date": "2026-10-31"}
    )
    assert sheet.status_code == 200 and "Attribuer à" in sheet.content.decode()
    sheet_file = landlord.get(
        f"/commission/{dwelling}/fiche/",
        {"candidat": ids[:2], "date": "2026-10-31", "format": "csv"},
    )
    assert sheet_file["Content-Disposition"].endswith('.csv"')
    assert ids[0].encode() in sheet_file.content and "en résumé".encode() in sheet_file.content
    before = store.count("attributions")
    done = landlord.post(f"/commission/{dwelling}/decision/",
                         {"demande": ids[0], "decision": "attribution", "date": "2026-10-31"})  # fmt: skip
    assert done.status_code == 302 and done["Location"].endswith("/objectifs/")
    assert store.count("attributions") == before + 1
    audit = store.read("audit_attributions").iloc[-1]
    assert "bailleur:B01 (bailleur)" in audit["fichier"]  # the logged-in account decided
    assert audit["utilisateur"] == "bailleur (bailleur:B01)"
    assert store.verify_journals() == []
    journal = store.access_journal()
    assert (journal["destination"] == "plateforme:bailleur").sum() >= 2
    seen = _client("epci", comptes).get("/journal/")
    assert "Chaînes d" in seen.content.decode() and "plateforme:bailleur" in seen.content.decode()


def test_relocated_households_are_listed_for_their_team_and_landlord_only(
    comptes: dict[str, str], store_path: Path | str
) -> None:
    team = _client("renouvellement", comptes).get("/relogement/?tableau=suivi&format=csv")
    listed = pd.read_csv(io.BytesIO(team.content), sep=";", decimal=",", encoding="utf-8-sig")
    records = Store(store_path).read("relogements")
    assert len(listed) and set(listed["ménage"]) <= set(records["id_menage"])
    epci = _client("epci", comptes).get("/relogement/?tableau=suivi&format=csv")
    board = pd.read_csv(io.BytesIO(epci.content), sep=";", decimal=",", encoding="utf-8-sig")
    # The EPCI gets the dashboard, never the list.
    assert "ménage" not in board.columns and "id_menage" not in board.columns
    landlord = _client("bailleur", comptes).get("/relogement/?tableau=suivi&format=csv")
    mine = pd.read_csv(io.BytesIO(landlord.content), sep=";", decimal=",", encoding="utf-8-sig")
    ids = set(records.loc[records["apres_code_bailleur"] == "B01", "id_menage"]) | set(
        records.loc[records["code_bailleur"] == "B01", "id_menage"]
    )
    assert len(mine) and set(mine["ménage"]) <= ids


def _csv(response: object) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(response.content), sep=";", decimal=",",  # type: ignore[attr-defined]
                       encoding="utf-8-sig", dtype={0: str})  # fmt: skip


def test_relocation_case_work_pages_per_role(
    comptes: dict[str, str], store_path: Path | str
) -> None:
    """Issue 19 on the platform: the same functions as ``mixite relogement``; published
    tables for every partner that follows relocation, household-level pages for the
    operation's team and the households' landlords only, journaled."""
    from mixite.core.relogement import household_figures
    from mixite.core.relogement.processus import indicateurs_par_menage, processus
    from mixite.io.config import load_relocation_settings

    store = Store(store_path)
    epci = _client("epci", comptes)
    published = _csv(epci.get("/relogement/?tableau=processus&par=bailleur&format=csv"))
    records = store.read("relogements")
    settings = load_relocation_settings(None)
    ref = pd.to_datetime(records["date_relogement"]).max().date()
    figures = household_figures(records, settings.formula, reference_date=ref,
                                recent_years=settings.recent_years)  # fmt: skip
    expected = processus(indicateurs_par_menage(figures, store.read("entretiens_relogement"),
                         store.read("propositions_relogement")), par="bailleur").french()  # fmt: skip
    assert list(published.columns) == list(expected.columns)
    pd.testing.assert_series_equal(published["refus"].astype(float), expected["refus"].astype(float),
                                   check_names=False)  # fmt: skip
    zones = _csv(epci.get("/relogement/?tableau=accueil&niveau=iris&format=csv"))
    assert "ménages relogés arrivés" in zones.columns and len(zones)
    counts = zones[["ménages relogés arrivés", "ménages des entrées d'accueil, après"]].to_numpy(
        float
    )
    assert not ((counts >= 1) & (counts < 11)).any()
    # No household list for the EPCI: the lists fall back to the dashboard, the file
    # pages are refused.
    assert "dossier" not in _csv(epci.get("/relogement/?tableau=visites&format=csv")).columns
    waiting = records[records["statut"] == "a_reloger"].sort_values("id_relogement")
    ident = waiting["id_relogement"].iloc[0]
    assert epci.get(f"/relogement/dossier/{ident}/").status_code == 403
    # The operation's team: the households to see, a file with its offers, a vacancy's
    # households; three readings journaled.
    team = _client("renouvellement", comptes)
    before = len(store.access_journal())
    to_see = _csv(team.get("/relogement/?tableau=visites&format=csv"))
    assert len(to_see) and to_see["à voir parce que"].notna().all()
    page = team.get(f"/relogement/dossier/{ident}/")
    assert page.status_code == 200, page.content[:300]
    html = page.content.decode()
    assert "Souhaits recueillis" in html and "entrée d" in html
    offers = _csv(team.get(f"/relogement/dossier/{ident}/?format=csv"))
    assert (
        len(offers)
        and offers["entrée d'accueil (veille, avant → après)"].str.startswith("entrée").all()
    )
    dwelling = offers["logement"].iloc[0]
    suited = _csv(team.get(f"/relogement/logement/{dwelling}/?format=csv"))
    assert ident in set(suited["dossier"])
    assert len(store.access_journal()) >= before + 4
    assert team.get("/relogement/logement/LOG-INCONNU/").status_code == 404
    # A landlord: another landlord's household's file is refused; its receiving
    # entrances only.
    landlord = _client("bailleur", comptes)
    other = waiting[(waiting["code_bailleur"] != "B01") & (waiting["apres_code_bailleur"] != "B01")]
    assert landlord.get(f"/relogement/dossier/{other['id_relogement'].iloc[0]}/").status_code == 403
    own = _csv(landlord.get("/relogement/?tableau=accueil&entrees=1&format=csv"))
    codes = store.query("SELECT e.id_entree FROM entrees e JOIN batiments b USING (id_batiment) "
                        "WHERE b.code_bailleur = 'B01'")["id_entree"]  # fmt: skip
    assert len(own) and own["entrée"].isin(codes).all()


def test_reports_are_produced_listed_and_served_within_scope(
    comptes: dict[str, str], store_path: Path | str, settings: object, tmp_path: Path
) -> None:
    import time

    from mixite.plateforme import rapports

    copy = dupliquer(store_path, tmp_path)
    settings.STORE = copy  # type: ignore[attr-defined]
    commune = _client("commune", comptes)
    assert commune.post("/rapports/", {"territoire": "epci:200093201", "date": "2026-06-30"},
                        follow=True).content.decode().count("ne peut pas produire") == 1  # fmt: skip
    assert _client("partenaire", comptes).get("/rapports/").status_code == 200
    r = commune.post("/rapports/", {"territoire": "commune:59350", "date": "2026-06-30"})
    assert r.status_code == 302
    deadline = time.monotonic() + 120
    while (
        rapports.liste(rapports_lecteur := _lecteur("commune"))[1] and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    files, building = rapports.liste(rapports_lecteur)
    assert not building and {f.format for f in files} == {"pdf", "html"}
    page = commune.get("/rapports/").content.decode()
    pdf = "etat-du-peuplement_commune-59350_2026-06-30.pdf"
    assert pdf in page
    got = commune.get(f"/rapports/{pdf}")
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    # Another commune's report is not listed nor served to this commune.
    other = rapports.dossier() / "etat-du-peuplement_commune-59009_2026-06-30.pdf"
    other.write_bytes(b"%PDF-1.7")
    assert other.name not in commune.get("/rapports/").content.decode()
    assert commune.get(f"/rapports/{other.name}").status_code == 404
    assert _client("epci", comptes).get(f"/rapports/{other.name}").status_code == 200
    assert commune.get("/rapports/..%2Fjumeau.duckdb").status_code == 404
    # A landlord's report (entrance by entrance) goes to that landlord only.
    own = rapports.dossier() / "etat-du-peuplement_bailleur-B01_2026-06-30.pdf"
    own.write_bytes(b"%PDF-1.7")
    assert _client("bailleur", comptes).get(f"/rapports/{own.name}").status_code == 200
    for role in ("epci", "commune", "etat", "partenaire"):
        assert _client(role, comptes).get(f"/rapports/{own.name}").status_code == 404, role
    refused = _client("bailleur", comptes).post(
        "/rapports/", {"territoire": "bailleur:B02", "date": "2026-06-30"}, follow=True
    )
    assert "ne peut pas produire" in refused.content.decode()
    team = _client("renouvellement", comptes)
    assert (
        "ne peut pas produire"
        in team.post(
            "/rapports/", {"territoire": "operation:PRU-AUTRE", "date": "2026-06-30"}, follow=True
        ).content.decode()
    )
    assert team.post("/rapports/", {"territoire": "operation:PRU-MEL-01",
                                    "date": "2026-06-30"}).status_code == 302  # fmt: skip
    deadline = time.monotonic() + 120
    while rapports.liste(_lecteur("epci"))[1] and time.monotonic() < deadline:
        time.sleep(0.2)
    op = "etat-du-peuplement_operation-PRU-MEL-01_2026-06-30.pdf"
    assert team.get(f"/rapports/{op}").content.startswith(b"%PDF")


def _lecteur(role: str) -> object:
    from mixite.plateforme.acces import Lecteur

    code = {"commune": "59350", "epci": "200093201"}[role]
    return Lecteur(role, code, role, role)


@pytest.mark.parametrize(
    ("error", "status", "words"),
    [("reference", 422, "Données de référence manquantes"),
     ("store", 503, "Base momentanément indisponible")],
)  # fmt: skip
def test_mixites_own_errors_are_french_pages_not_server_errors(
    comptes: dict[str, str], store_path: Path | str, monkeypatch: pytest.MonkeyPatch,
    error: str, status: int, words: str,
) -> None:  # fmt: skip
    """Seen in the load benchmark: a PLAI dwelling of 2026, whose ceilings the reference
    data do not hold yet, gave an HTTP 500 on the commission page."""
    import mixite.plateforme.recherche as recherche
    from mixite.errors import ReferenceDataError, StoreError

    def fails(*args: object, **kwargs: object) -> None:
        if error == "reference":
            raise ReferenceDataError("No PLAI ceiling for vintage 2026, zone 3, category 1")
        raise StoreError("la connexion à la base PostgreSQL a été interrompue ; réessayez")

    monkeypatch.setattr(recherche, "chercher", fails)
    dwelling = (
        Store(store_path)
        .query(
            "SELECT l.id_logement FROM logements l JOIN entrees e USING (id_entree) JOIN batiments b "
            "USING (id_batiment) WHERE l.vacant AND b.code_bailleur = 'B01' ORDER BY 1 LIMIT 1"
        )
        .iloc[0, 0]
    )
    page = _client("bailleur", comptes).get(f"/commission/{dwelling}/")
    assert page.status_code == status
    text = page.content.decode()
    assert words in text and "Traceback" not in text
