"""The observatory from aggregate sources (issue 12, item 3): a store built only from
the real open data reproduces INSEE's published figures, picks the best source per
level, never mixes vintages silently, and keeps statistical secrecy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.core.secret import THRESHOLD
from mixite.io.importers import import_file
from mixite.io.queries import lecteur_sources
from mixite.io.store import Store
from mixite.observatoire.indicateurs import TOTAL
from mixite.observatoire.sources import (
    INDICATEURS,
    SOURCES,
    lecteur,
    observatoire,
    provenances,
)
from tests.conftest import REAL, require_shared

REAL_FILES = [
    ("communes", "filosofi-communes-2016/communes-59-nord.geojson"),
    ("communes", "filosofi-communes-2016/communes-62-pas-de-calais.geojson"),
    ("filosofi-communes", "filosofi-communes-2016/filosofi_com_2016.csv"),
    ("filosofi-communes", "filosofi-communes-2016/filosofi_epci_2016.csv"),
    ("recensement-iris", "rp2016-iris-habitat/IRIS_housing_IR_Hab.csv"),
    ("recensement-iris", "rp2016-iris-habitat/IRIS_household_detailed_IR_Hab.csv"),
    ("recensement-iris", "rp2016-iris-habitat/IRIS_population_IR_Hab.csv"),
    ("filosofi-carreaux", "filosofi-carreaux-martinique/Filosofi2017_carreaux_200m_mart.csv"),
]
MEL = "245900410"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store built from ../shared/data/real only: no household, no twin."""
    require_shared()
    store = Store(tmp_path_factory.mktemp("reel") / "reel.duckdb")
    for kind, path in REAL_FILES:
        import_file(kind, REAL / path, store)
    return store


def _mel(store: Store) -> frozenset[str]:
    from mixite.cli.observatoire_sources import territoire

    communes = territoire(store, f"epci:{MEL}")
    assert communes is not None
    return communes


def test_filosofi_medians_and_poverty_rates_are_insees(real: Store) -> None:
    table, chosen, _ = observatoire(lecteur_sources(real), "code_commune", communes=_mel(real))
    file = pd.read_csv(REAL / "filosofi-communes-2016/filosofi_com_2016.csv", dtype={"CODGEO": str})
    file = file.set_index("CODGEO")
    assert TOTAL not in table.index  # a territory has no total (differences)
    zones = table
    published = zones["mediane_niveau_de_vie"].dropna()
    assert len(published) >= 80
    assert np.allclose(published, file.loc[published.index, "MED16"])
    rates = zones["taux_pauvrete"].dropna()
    assert np.allclose(rates, file.loc[rates.index, "TP6016"])
    assert zones.loc["59350", "taux_pauvrete"] == 25.0  # Lille, as INSEE publishes it
    assert {p.indicateur: p.source for p in chosen}["mediane_niveau_de_vie"] == "filosofi"


def test_census_households_and_social_housing_per_iris_are_exact(real: Store) -> None:
    table, _, _ = observatoire(lecteur_sources(real), "code_iris", communes=_mel(real))
    file = pd.read_csv(REAL / "rp2016-iris-habitat/IRIS_housing_IR_Hab.csv", dtype={"IRIS": str})
    file = file.set_index("IRIS")
    zones = table
    rp = file.loc[zones.index, "P16_RPMAISON"] + file.loc[zones.index, "P16_RPAPPART"]
    shown = zones["menages"].notna()
    assert shown.mean() > 0.95
    assert np.allclose(zones.loc[shown, "menages"], rp[shown])
    social = zones["locataires_sociaux"].dropna()
    expected = (file.loc[social.index, "P16_RP_LOCHLMV"] / rp[social.index] * 100).round(1)
    assert np.allclose(social, expected)


def test_martinique_share_of_poor_households_is_insees(real: Store) -> None:
    """INSEE, Filosofi 2017 grid for Martinique: 46,044 poor households of 149,697."""
    table, chosen, _ = observatoire(lecteur_sources(real), "idcar_200m")
    assert table.loc[TOTAL, "menages"] == pytest.approx(149_697, abs=1)
    assert table.loc[TOTAL, "menages_pauvres"] == 30.8
    assert {p.source for p in chosen} == {"carreaux"}


def test_the_best_source_per_level_and_no_silent_vintage_mix(real: Store) -> None:
    read = lecteur_sources(real)
    by = {p.indicateur: p for p in provenances(read, "code_commune")}
    assert by["menages"].source == "filosofi"  # exact zone figures before the grid
    assert by["locataires_sociaux"].source == "recensement"
    assert by["menages_pauvres"].millesime == 2017
    _, chosen, notes = observatoire(read, "code_commune", communes=frozenset({"97209", "97213"}))
    assert {p.millesime for p in chosen} == {2016, 2017}
    assert any("millésimes différents" in n for n in notes)
    # In the MEL, the Martinique grid has no zone: it is not used at all.
    _, chosen, notes = observatoire(read, "code_commune", communes=_mel(real))
    assert "carreaux" not in {p.source for p in chosen}
    assert not any("millésimes différents" in n for n in notes)
    _, chosen, _ = observatoire(read, "code_commune", millesime=2017, communes=frozenset({"97209"}))
    assert {p.millesime for p in chosen} == {2017}


def test_every_indicator_names_declared_sources_and_levels() -> None:
    for code, (_label, definitions) in INDICATEURS.items():
        assert definitions, code
        for d in definitions:
            assert d.source in SOURCES, (code, d.source)
            assert (d.numerateur is None) != (d.valeur is None), code


def _census(iris: dict[str, tuple[float, float]]) -> dict[str, pd.DataFrame]:
    """A census with given (principal residences, social) per IRIS."""
    codes = list(iris)
    rp = np.array([v[0] for v in iris.values()])
    hlm = np.array([v[1] for v in iris.values()])
    lg = pd.DataFrame({"millesime": 2016, "code_iris": codes, "p_rpmaison": rp / 2,
                       "p_rpappart": rp / 2, "p_rp_lochlmv": hlm})  # fmt: skip
    return {"recensement_iris_logements": lg}


def test_a_small_iris_stays_secret_even_through_its_commune() -> None:
    # Commune 59001: three IRIS, one of 6 households; commune 59002: two large IRIS.
    read = lecteur(
        _census({
            "590010101": (400.0, 120.0), "590010102": (380.0, 20.0), "590010103": (6.0, 2.0),
            "590020101": (300.0, 30.0), "590020102": (250.5, 40.2),
        })
    )  # fmt: skip
    iris, _, _ = observatoire(read, "code_iris")
    communes, _, _ = observatoire(read, "code_commune")
    assert np.isnan(iris.loc["590010103", "menages"])
    # Not recoverable by commune − other IRIS: a second IRIS or the commune is hidden too.
    others = iris.loc[["590010101", "590010102"], "menages"]
    assert others.isna().any() or np.isnan(communes.loc["59001", "menages"])
    for frame in (iris, communes):
        counts = frame["menages"].dropna().to_numpy()
        assert not ((counts > 0) & (counts < THRESHOLD)).any()


def test_the_cli_runs_the_observatory_without_households(real: Store, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    out = tmp_path / "obs.xlsx"
    args = ["--store", str(real.path), "--territoire", f"epci:{MEL}"]
    assert main(["observatoire", "indicateurs", *args, "--sortie", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Source : Insee, Filosofi" in printed and "Lille" in printed
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"Observatoire", "Sources"} <= set(sheets)
    assert set(sheets["Sources"]["millésime"]) == {2016}
    assert main(["observatoire", "fragilite", *args, "--tirages", "50"]) == 0
    assert "Roubaix" in capsys.readouterr().out
    assert main(["observatoire", "typologie", *args]) == 0
    assert "en veille" in capsys.readouterr().out
    assert (
        main(["observatoire", "cartes", "--store", str(real.path), "--sortie", str(tmp_path)]) == 0
    )
    assert (tmp_path / "communes_fragilite_publique.png").exists()
    assert (tmp_path / "filosofi2017_mixite.png").exists()
    assert (
        main(["observatoire", "indicateurs", "--niveau", "entree", "--store", str(real.path)]) == 2
    )
    assert "niveau non disponible" in capsys.readouterr().err
