"""Issue 9: an adversary reads every table the CLI can publish on the twin and tries to
recover a figure about 1 to 10 households: differences within a row, between rows and
their total, between levels, between dates and vintages, and inversion of rates and
intervals. Nothing may be recovered (scale 0.05 by default, the full twin when slow)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.cli.observatoire import _households
from mixite.core.objectifs import publics_des_attributions, suivre
from mixite.core.relogement import DIMENSIONS, ResteAVivreFormula, dashboard, household_figures
from mixite.core.relogement.dashboard import MEASURES, TOTAL
from mixite.core.relogement.snapshots import compare_snapshots
from mixite.core.secret import THRESHOLD, Release, leaks
from mixite.io import refdata
from mixite.io.config import load_charter
from mixite.io.queries import allocations_in_context
from mixite.io.refdata import default_poverty_threshold
from mixite.io.store import Store
from mixite.observatoire.indicateurs import CATALOGUE, flags
from mixite.observatoire.publication import release_niveaux, release_parc

FORMULA = ResteAVivreFormula()


def _store(tmp_path_factory: pytest.TempPathFactory, scale: float) -> Store:
    path = tmp_path_factory.mktemp(f"secret{scale}") / "demo.duckdb"
    assert main(["demo", "--scale", str(scale), "--store", str(path)]) == 0
    return Store(path)


@pytest.fixture(scope="module")
def twin_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return _store(tmp_path_factory, 0.05)


def _small(values: np.ndarray) -> np.ndarray:
    v = np.nan_to_num(values.astype(float))
    return (v > 0) & (v < THRESHOLD)


def _observatory(store: Store) -> None:
    households = _households(store)
    year = int(households["millesime"].max())
    part = households[households["millesime"] == year]
    f = flags(
        part,
        refdata.plafonds_ressources(),
        millesime=year,
        zone=3,
        seuil_pauvrete=default_poverty_threshold(year),
    )
    # A second vintage one year earlier: the same households with a few moves.
    rng = np.random.default_rng(9)
    moved = rng.random(len(part)) < 0.02
    earlier = part[~moved]
    vintages = {year - 1: (earlier, f[~moved]), year: (part, f)}
    release, raws = release_niveaux(vintages)
    found = leaks(release)
    assert found.empty, f"recovered by differences across rows, levels and vintages:\n{found}"
    published = release.publish()
    shares = [i.code for i in CATALOGUE if i.nature == "part"]
    for (y, level), raw in raws.items():
        table = published[f"{y}/{level}"].table
        # Item 1: nothing about a zone of 1 to 10 households, whatever the unit.
        small = _small(raw["menages"].to_numpy())
        measures = ["menages", "personnes", "mediane_niveau_de_vie", *shares]
        assert table.loc[small, measures].isna().all().all(), (y, level)
        # Item 4: a rate times its published base never gives back a hidden count.
        for name in shares:
            base = "personnes" if name == "taux_pauvrete" else "menages"
            rate, b = table[name].to_numpy(float), table[base].to_numpy(float)
            hidden_count = table[f"n_{name}"].isna().to_numpy()
            inverted = np.isfinite(rate) & np.isfinite(b) & hidden_count
            assert not inverted.any(), (y, level, name)


def _stock(store: Store) -> None:
    dwellings = store.query(
        "SELECT l.id_logement, l.vacant, b.code_commune, b.code_iris, b.code_qpv, b.id_batiment, "
        "e.id_entree, c.code_territoire FROM logements l JOIN entrees e ON e.id_entree = l.id_entree "
        "JOIN batiments b ON b.id_batiment = e.id_batiment "
        "LEFT JOIN communes c ON c.code_commune = b.code_commune"
    )
    allocations = store.query("SELECT id_logement FROM attributions WHERE decision = 'attribution'")
    levels = [
        "code_territoire",
        "code_commune",
        "code_iris",
        "code_qpv",
        "id_batiment",
        "id_entree",
    ]
    release, _ = release_parc(dwellings, allocations, levels)
    found = leaks(release)
    assert found.empty, f"social stock recovered across levels:\n{found}"


def _relocation(store: Store) -> None:
    records = store.read("relogements")
    dates = pd.to_datetime(records["date_relogement"]).dropna()
    ref = dates.max().date()
    figures = household_figures(records, FORMULA, reference_date=ref)
    for by in (None, *DIMENSIONS):
        board = dashboard(figures, FORMULA, by=by, reference_year=ref.year)
        release = Release()
        release.add_table("t", board.raw, MEASURES(board.flags))
        release.add_totals("t", (board.raw["ligne"] == TOTAL).to_numpy())
        assert leaks(release).empty, by
        # Published equals what the release decides.
        assert board.table.isna().sum().sum() == release.publish()["t"].table.isna().sum().sum()
    # Item 5: two dates one day apart, by landlord.
    day = dates.sort_values().iloc[len(dates) // 2].date()
    comparison = compare_snapshots(figures, FORMULA, day, day + dt.timedelta(days=1), by="bailleur")
    change = comparison.changes["évolution"]
    counts = [c for c in change.columns if c in ("menages", "reloges") or c.startswith("n_")]
    assert not _small(change[counts].abs().to_numpy()).any()
    stats = ["taux_effort_avant_median", "taux_effort_apres_median"]
    raw_change = (
        comparison.second.raw["reloges"].to_numpy() - comparison.first.raw["reloges"].to_numpy()
    )
    small_change = _small(np.abs(raw_change))
    assert change.loc[small_change, stats].isna().all().all()


def _objectives(store: Store) -> None:
    allocations = allocations_in_context(store)
    ref = pd.to_datetime(allocations["date_cal"]).max().date()
    for preset in ("loi-2017", "pecquencourt", "lille"):
        charter = load_charter(preset)
        enriched = publics_des_attributions(
            allocations,
            refdata.plafonds_ressources(),
            refdata.premier_quartile(),
            epci=charter.epci,
            zone=charter.zone_plafonds,
        )
        result = suivre(enriched, charter, reference=ref)
        pub, raw = result.published, result.table
        # Item 3: no interval, status or share beside a hidden count.
        hidden = pub["public"].isna() | pub["attributions"].isna()
        for col in ("part", "ic_bas", "ic_haut", "a_orienter"):
            assert pub.loc[hidden, col].isna().all(), (preset, col)
        assert (pub.loc[hidden, "statut"] == "s").all()
        # Within a row and against each objective's « ensemble »: nothing recoverable.
        release = Release()
        from mixite.core.secret import Count

        release.add_table(
            "t", raw, [Count("attributions"), Count("public", part_of="attributions")]
        )
        key = raw["objectif"].astype(str) + "|" + raw["periode"].astype(str)
        has_detail = key.map(key.value_counts()) > 1
        release.add_totals(
            "t", ((raw["groupe"] == "ensemble") & has_detail).to_numpy(), key.to_numpy()
        )
        assert leaks(release).empty, preset
        assert (release.publish()["t"].table["public"].isna() == pub["public"].isna()).all()


def test_nothing_is_recovered_on_the_twin(twin_store: Store) -> None:
    _observatory(twin_store)
    _stock(twin_store)
    _relocation(twin_store)
    _objectives(twin_store)


@pytest.mark.slow
def test_nothing_is_recovered_on_the_full_twin(tmp_path_factory: pytest.TempPathFactory) -> None:
    store = _store(tmp_path_factory, 1.0)
    _observatory(store)
    _stock(store)
    _relocation(store)
    _objectives(store)
