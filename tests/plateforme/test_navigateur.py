"""End-to-end journeys in a real browser (Playwright driving Debian's chromium), with an
accessibility check (axe-core from the npm registry) and a screenshot of each page in
sorties/captures/ (issue 14)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from mixite.plateforme.comptes import creer_comptes_demo
from tests.postgres import copie_de_base, dupliquer, empreinte

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CAPTURES = ROOT / "sorties" / "captures"

pytestmark = [
    pytest.mark.navigateur,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)"),
]


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def store_path(
    request: pytest.FixtureRequest, jumeau_2pct: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path | str:
    """A copy, in the embedded store and on PostgreSQL: the pages record accesses in
    the store's journal."""
    return copie_de_base(request, jumeau_2pct, tmp_path_factory.mktemp("navigateur"))


@pytest.fixture()
def browser_page(settings: Any, store_path: Path | str, live_server: Any) -> Any:
    from playwright.sync_api import sync_playwright

    settings.STORE = store_path
    accounts = {login: password for login, password, _ in creer_comptes_demo()}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=fr"])
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, bypass_csp=True, locale="fr-FR"
        )
        page = context.new_page()
        yield page, live_server.url, accounts
        browser.close()


def _login(page: Any, url: str, login: str, password: str) -> None:
    page.goto(f"{url}/connexion/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _check(page: Any, name: str) -> None:
    """Screenshot, then no serious accessibility violation (axe-core, WCAG A/AA)."""
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"{name}.png"), full_page=True)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.help)"
    )
    assert violations == [], (name, violations)


def _loaded(page: Any, selector: str) -> None:
    """The image is drawn (the server's SVG arrived and decoded)."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0 }",
        arg=selector,
        timeout=60_000,
    )


def test_a_landlord_watches_its_entrances_and_downloads_them(browser_page: Any) -> None:
    page, url, accounts = browser_page
    _login(page, url, "bailleur", accounts["bailleur"])
    _check(page, "tableau-bailleur")
    page.click("text=Veille des entrées")
    page.wait_for_url(f"{url}/veille/")
    assert page.locator("table tbody tr").count() > 0
    _check(page, "veille-bailleur")
    with page.expect_download() as info:
        page.click("text=Télécharger (CSV)")
    assert info.value.suggested_filename == "veille_des_entrees.csv"


def test_the_epci_explores_indicators_without_reloading(browser_page: Any) -> None:
    page, url, accounts = browser_page
    _login(page, url, "epci", accounts["epci"])
    _loaded(page, "#carte-fragilite img")
    _check(page, "tableau-epci")
    page.click("#onglet-typologie")
    _loaded(page, "#carte-typologie img")
    page.click("#onglet-mixite")
    _loaded(page, "#carte-mixite img")
    page.locator("#carte-mixite").screenshot(path=str(CAPTURES / "carte-mixite.png"))
    page.click("text=Indicateurs")
    page.wait_for_url(f"{url}/indicateurs/")
    communes = page.locator("#resultat table tbody tr").count()
    page.select_option("#niveau", "iris")  # htmx swaps the table, the page stays
    page.wait_for_function(
        f"document.querySelectorAll('#resultat table tbody tr').length != {communes}"
    )
    assert "niveau=iris" in page.url
    page.select_option("#indicateur", "locataires_sociaux")
    page.wait_for_selector("#resultat img[src*='indicateur=locataires_sociaux']")
    _loaded(page, "#resultat img")
    _check(page, "indicateurs-epci")
    page.click("text=Objectifs")
    _check(page, "objectifs-epci")
    page.click("nav >> text=Rapports")
    page.wait_for_url(f"{url}/rapports/")
    _check(page, "rapports-epci")


def test_a_commission_records_its_decision_and_the_tracking_follows(
    browser_page: Any, store_path: Path | str, tmp_path: Path, settings: Any
) -> None:
    copy = dupliquer(store_path, tmp_path)
    settings.STORE = copy
    page, url, accounts = browser_page
    _login(page, url, "bailleur", accounts["bailleur"])
    page.click("text=Commission")
    _check(page, "commission-logements")
    page.locator("table tbody tr a").first.click()
    page.click("label[for=souhaits]")  # DSFR checkboxes are checked through their label
    page.click("text=Relancer la recherche")
    page.wait_for_selector("input[name=candidat]")
    _check(page, "commission-candidats")
    boxes = page.locator("input[name=candidat]")
    for i in range(min(2, boxes.count())):
        page.click(f"label[for=c{i + 1}]")
    page.click("text=Préparer la fiche")
    page.wait_for_selector("text=Attribuer à")
    _check(page, "commission-fiche")
    page.click("text=Enregistrer la décision")
    page.wait_for_url(f"{url}/objectifs/")
    assert page.locator(".fr-alert--success").count() == 1
    _check(page, "objectifs-apres-decision")


def test_a_bad_file_is_refused_with_its_report_and_nothing_is_written(
    browser_page: Any, store_path: Path | str, tmp_path: Path, settings: Any
) -> None:
    copy = dupliquer(store_path, tmp_path)
    settings.STORE = copy
    before = empreinte(copy)
    from mixite.core import model
    from mixite.io.exporters import write_import_csv
    from mixite.io.store import Store

    forms = (
        Store(copy)
        .query(
            "SELECT * FROM attributions WHERE code_bailleur = 'B01' ORDER BY id_attribution LIMIT 3"
        )
        .assign(id_attribution=["WEB-1", "WEB-2", "WEB-3"])
    )
    forms.loc[2, "id_logement"] = "L-INCONNU"
    bad = write_import_csv(forms, model.ATTRIBUTIONS, tmp_path / "fiches_attribution.csv")
    lines = bad.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[2].split(",")
    cells[lines[0].split(",").index("date_cal")] = "2025-13-01"  # no 13th month
    bad.write_text("\n".join([*lines[:2], ",".join(cells), *lines[3:]]) + "\n", encoding="utf-8")
    page, url, accounts = browser_page
    _login(page, url, "bailleur", accounts["bailleur"])
    page.click("text=Imports")
    page.wait_for_url(f"{url}/imports/")
    _check(page, "imports-bailleur")
    page.select_option("#type", "attributions")
    page.set_input_files("#fichier", str(bad))
    page.click("text=Vérifier puis importer")
    page.wait_for_selector("text=Rapport de validation", timeout=60_000)
    text = page.inner_text("main")
    _check(page, "import-refuse")
    assert "rien n'a été écrit" in text and "2025-13-01" in text and "L-INCONNU" in text
    assert empreinte(copy) == before


def test_the_renewal_team_follows_its_relocated_households(browser_page: Any) -> None:
    page, url, accounts = browser_page
    _login(page, url, "renouvellement", accounts["renouvellement"])
    page.click("text=Relogement")
    page.wait_for_url(f"{url}/relogement/")
    _check(page, "relogement-tableau")
    page.click("text=Ménages à suivre")
    page.wait_for_url(f"{url}/relogement/?tableau=suivi")
    assert page.locator("table tbody tr").count() > 0
    _check(page, "relogement-suivi")
    page.click("text=Quartiers d'accueil")
    page.wait_for_url(f"{url}/relogement/?tableau=accueil")
    page.select_option("#niveau", "qpv")
    page.wait_for_url(f"{url}/relogement/?tableau=accueil&niveau=qpv")
    assert "ménages relogés arrivés" in page.inner_text("main")
    _check(page, "relogement-accueil")
    page.click("text=Ménages à voir")
    page.wait_for_url(f"{url}/relogement/?tableau=visites")
    page.locator("table tbody tr td a").first.click()
    page.wait_for_selector("text=Souhaits recueillis", timeout=60_000)
    assert "Logements vacants conformes aux souhaits" in page.inner_text("main")
    _check(page, "relogement-dossier")
