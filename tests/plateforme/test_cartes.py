"""The platform's maps and the dashboard's evolution (issue 14): drawn from the store's
outlines, published figures only, and the same figures as the library."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.test import Client

from mixite.core.secret import THRESHOLD
from mixite.io.publication import evolution_publiee
from mixite.io.store import Store
from mixite.observatoire.indicateurs import TOTAL
from mixite.plateforme.cartes import carreaux_mixite, classes_egales
from mixite.plateforme.comptes import creer_comptes_demo
from tests import suite_postgres
from tests.twin.conftest import millesime_anterieur

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def store_path(jumeau_2pct: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("cartes") / "jumeau.duckdb"
    suite_postgres.copier(jumeau_2pct, copy)
    return copy


@pytest.fixture()
def client(settings: object, store_path: Path) -> Client:
    settings.STORE = store_path  # type: ignore[attr-defined]
    accounts = {login: password for login, password, _ in creer_comptes_demo()}
    c = Client()
    assert c.login(username="epci", password=accounts["epci"])
    return c


@pytest.mark.parametrize("nom", ["fragilite", "typologie", "mixite"])
def test_each_dashboard_map_is_an_svg_with_its_legend(client: Client, nom: str) -> None:
    r = client.get(f"/carte/{nom}.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    text = r.content.decode()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "SYNTHÉTIQUES" in text  # the twin is marked in every title
    assert "km" in text  # scale bar
    assert client.get("/carte/inconnue.svg").status_code == 404


def test_mix_cells_rest_on_at_least_eleven_households(store_path: Path) -> None:
    from mixite.plateforme.donnees import publication

    store = Store(store_path)
    shown, portee = carreaux_mixite(store)
    assert len(shown) and (shown["menages_fenetre"] >= THRESHOLD).all()
    # Recount by hand: the households of the cells within the range of each shown cell.
    pub = publication(store)
    cells = store.read("carreaux", ["idcar_200m", "x", "y"]).set_index("idcar_200m")
    per_cell = pub.menages["idcar_200m"].value_counts()
    xy = cells.loc[per_cell.index]
    for _, row in shown.head(50).iterrows():
        near = np.hypot(xy["x"] - row["x"], xy["y"] - row["y"]) <= portee
        assert per_cell[near.to_numpy()].sum() >= THRESHOLD


def test_quantile_classes_keep_secret_zones_grey() -> None:
    values = pd.Series([1.0, 2.0, np.nan, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    classes, labels = classes_egales(values)
    assert np.isnan(classes.iloc[2])
    assert classes.dropna().tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert labels[0] == "de 1 à 2,8" and labels[-1] == "de 8,2 à 10"
    same, one = classes_egales(pd.Series([4.0, 4.0, np.nan]))
    assert same.tolist()[:2] == [1.0, 1.0] and len(one) == 1


def test_the_explorer_maps_the_chosen_indicator(client: Client) -> None:
    page = client.get("/indicateurs/?niveau=iris&indicateur=locataires_sociaux")
    assert 'src="/indicateurs/carte.svg?niveau=iris' in page.content.decode()
    svg = client.get("/indicateurs/carte.svg?niveau=iris&indicateur=locataires_sociaux")
    assert svg.status_code == 200 and "taux de logement social" in svg.content.decode().lower()
    assert client.get("/indicateurs/carte.svg?niveau=carreau").status_code == 404  # no outlines


@pytest.fixture()
def two_vintages(store_path: Path, tmp_path: Path, settings: object) -> Path:
    """The twin with an earlier vintage: the same households a year before, 1 in 50
    not yet there (the twin itself has one vintage)."""
    copy = tmp_path / "deux.duckdb"
    suite_postgres.copier(store_path, copy)
    millesime_anterieur(Store(copy), absents=50)
    settings.STORE = copy  # type: ignore[attr-defined]
    return copy


def test_the_dashboard_evolution_equals_the_two_vintages_published_together(
    client: Client, two_vintages: Path
) -> None:
    ev = evolution_publiee(Store(two_vintages), "code_epci")
    assert ev.premier is not None and len(ev.millesimes) == 2
    first, last = map(str, ev.millesimes)
    page = client.get("/").content.decode()
    assert f"Évolution de {first} à {last}" in page
    r = client.get("/?tableau=evolution&format=csv")
    shown = pd.read_csv(io.BytesIO(r.content), sep=";", decimal=",", encoding="utf-8-sig")
    row = ev.dernier.drop(index=TOTAL, errors="ignore").index[0]
    poverty = shown[shown["indicateur"].str.startswith("taux de pauvreté")].iloc[0]
    assert poverty[first] == pytest.approx(ev.premier.loc[row, "taux_pauvrete"])
    assert poverty[last] == pytest.approx(ev.dernier.loc[row, "taux_pauvrete"])
    assert poverty["évolution"] == pytest.approx(
        round(ev.dernier.loc[row, "taux_pauvrete"] - ev.premier.loc[row, "taux_pauvrete"], 1)
    )
    assert poverty["unité de l'évolution"] == "points"
    households = shown[shown["indicateur"].str.startswith("ménages")].iloc[0]
    assert households["unité de l'évolution"] == "%"
    assert households["évolution"] == pytest.approx(
        round((ev.dernier.loc[row, "menages"] / ev.premier.loc[row, "menages"] - 1) * 100, 1)
    )
    assert households["évolution"] > 0  # 1 household in 50 arrived


def test_a_single_vintage_shows_no_evolution(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "Évolution de" not in page and "Cartes" in page


def test_figures_are_kept_through_journal_writes_and_recomputed_after_data_writes(
    jumeau_2pct: Path, tmp_path: Path
) -> None:
    """Viewing a household writes the access journal: that must not throw away every
    computed figure; an import or a decision must (the previous figures are given,
    said to be older, until the new ones are ready; fresh ones on demand)."""
    import contextvars

    from mixite.core import model
    from mixite.io.store import Write
    from mixite.plateforme import donnees, fraicheur

    copy = tmp_path / "cache.duckdb"
    suite_postgres.copier(jumeau_2pct, copy)
    store = Store(copy, partagee=True)
    before = donnees.chiffres_cles(store, None)
    version = donnees._version(store)
    store.journal_access(perimetre="bailleur:B01", objet="essai", lignes=1, destination="écran")
    assert donnees._version(store) == version
    assert donnees.chiffres_cles(store, None) is before  # the same object: not recomputed
    # An allocation written: the objectives' version moves, not the population's.
    tracked = donnees._version(store, attributions=True)
    forms = pd.DataFrame({c: [] for c in model.ATTRIBUTIONS.column_names})
    store.write([Write(model.ATTRIBUTIONS, forms, "essai")])
    assert donnees._version(store, attributions=True) != tracked
    assert donnees._version(store) == version
    assert donnees.chiffres_cles(store, None) is before
    empty = pd.DataFrame({c: [] for c in model.OPERATIONS.column_names})
    store.write([Write(model.OPERATIONS, empty, "essai")])
    assert donnees._version(store) != version

    def read() -> tuple[object, bool]:
        return donnees.chiffres_cles(store, None), fraicheur.anciens()

    stale, said = contextvars.copy_context().run(read)
    assert stale is before and said
    with fraicheur.a_jour():
        fresh, said = contextvars.copy_context().run(read)
    assert fresh is not before and not said
    assert fresh[0] == before[0], "an empty table written: the same figures, recomputed"  # type: ignore[index]


def test_figures_and_their_change_come_from_one_release(two_vintages: Path) -> None:
    """With two vintages, the key figures are the latest vintage of the release that
    publishes the change: a cell hidden in one is hidden in the other."""
    from mixite.plateforme import donnees

    store = Store(two_vintages)
    ev = evolution_publiee(store, "code_commune")
    shown = donnees.publication(store).tables["code_commune"]
    pd.testing.assert_frame_equal(
        shown.drop(columns="evolution_personnes_pct", errors="ignore"),
        ev.dernier.drop(columns="evolution_personnes_pct"),
    )
