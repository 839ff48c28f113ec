"""The twin: deterministic, calibrated, consistent with the data model, always synthetic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.core.model import ENTITY_TABLES, TABLES_BY_NAME, USER_TABLES
from mixite.core.plafonds import categorie_menage, plafond_ressources
from mixite.io import refdata
from mixite.io.exporters import write_import_csv
from mixite.io.importers import import_file
from mixite.io.store import Store
from mixite.twin.build import Twin
from tests.twin.conftest import SCALE, make_twin


def test_every_table_of_the_model_and_every_row_synthetic(twin: Twin) -> None:
    assert set(twin.tables) == {t.name for t in ENTITY_TABLES}
    for name, frame in twin.tables.items():
        assert list(frame.columns) == list(TABLES_BY_NAME[name].column_names), name
        assert frame["synthetique"].all(), name


def test_same_seed_same_twin_other_seed_other_twin(twin: Twin) -> None:
    again = make_twin()
    for name in ("menages", "attributions", "relogements"):
        pd.testing.assert_frame_equal(twin.tables[name], again.tables[name])
    other = make_twin(seed=7)
    assert not twin.tables["menages"]["ressources_annuelles"].equals(
        other.tables["menages"]["ressources_annuelles"]
    )


def test_real_geography(twin: Twin) -> None:
    communes = twin.tables["communes"]
    assert len(communes) == 95
    assert communes["code_territoire"].nunique() == 8
    assert len(twin.tables["territoires"]) == 8
    iris = twin.tables["iris"]
    assert (iris["type_iris"] == "H").sum() == 433
    assert len(twin.tables["qpv"]) == 26


def test_iris_household_counts_are_reproduced(twin: Twin) -> None:
    report = twin.report
    assert report.iris_household_gap == 0
    assert report.iris_social_gap == 0
    sources = refdata.mel_sources()
    h = sources.iris.set_index("IRIS")
    target = np.rint((h["P16_RPMAISON"] + h["P16_RPAPPART"]) * SCALE).astype(int)
    got = (
        twin.tables["menages"]
        .groupby("code_iris")
        .size()
        .reindex(target.index)
        .fillna(0)
        .astype(int)
    )
    assert (got == target).all()


def test_calibration_on_large_communes(twin: Twin) -> None:
    """At scale 0.02 a commune of 15,000 households has 300: medians must hold to 2 %."""
    c = twin.report.communes
    large = c[c["menages_jumeau"] >= 300]
    assert len(large) >= 5
    assert (large["ecart_mediane"].abs() <= 0.02).all()
    poor = large.dropna(subset=["pauvrete_cible"])
    assert (np.abs(poor["pauvrete_jumeau"] - poor["pauvrete_cible"]) <= 1.0).all()


def test_roubaix_poorer_than_lille_and_qpv_poorer(twin: Twin) -> None:
    c = twin.report.communes.set_index("code_commune")
    assert c.loc["59512", "mediane_jumeau"] < c.loc["59350", "mediane_jumeau"]
    m = twin.tables["menages"]
    b = twin.tables["batiments"]
    d = (
        twin.tables["logements"]
        .merge(twin.tables["entrees"], on="id_entree")
        .merge(b, on="id_batiment")
    )
    social = m.dropna(subset=["id_logement"]).merge(
        d[["id_logement", "code_qpv"]], on="id_logement"
    )
    per_uc = social["ressources_annuelles"] / social["unites_consommation"]
    assert per_uc[social["code_qpv"].notna()].median() < per_uc[social["code_qpv"].isna()].median()


def test_drifting_landlord_misses_the_charter() -> None:
    """At scale 0.1 (about 100 allocations a year for B04), the drift is visible in 2026."""
    twin = make_twin(scale=0.1)
    a = twin.tables["attributions"]
    a = a[~a["relogement_renouvellement"]]
    year = pd.to_datetime(a["date_cal"]).dt.year
    cat, extra = categorie_menage(
        a["nb_personnes"], adulte_seul_avec_charge=(a["nb_adultes"] == 1) & (a["nb_enfants"] > 0)
    )
    ceiling = plafond_ressources(
        refdata.plafonds_ressources(),
        financement="PLUS",
        zone=3,
        millesime=year,
        categorie=cat,
        personnes_supplementaires=extra,
    )
    under40 = a["ressources_annuelles"].to_numpy() < 40 * ceiling
    drift = a["code_bailleur"].to_numpy() == "B04"
    last = year.to_numpy() == year.max()
    assert under40[drift & last].mean() > 0.45
    assert under40[~drift].mean() < 0.40


def test_relocation_operation(twin: Twin) -> None:
    r = twin.tables["relogements"]
    expected = round(2470 * SCALE)
    assert abs(len(r) - expected) <= 15
    done = r["statut"] == "reloge"
    assert 0.8 < done.mean() <= 1.0
    assert (r.loc[done, "apres_parc"] == "social").mean() > 0.9
    assert r["avant_qpv"].all()
    flagged = twin.tables["attributions"]["relogement_renouvellement"].sum()
    assert 0 < flagged <= done.sum()


def test_twin_tables_pass_the_importers(twin: Twin, tmp_path: Path) -> None:
    """Exported as CSV and imported back, every entity table satisfies the data model."""
    store = Store(tmp_path / "roundtrip.duckdb")
    for kind in USER_TABLES:
        path = write_import_csv(twin.tables[kind], TABLES_BY_NAME[kind], tmp_path / f"{kind}.csv")
        result = import_file(kind, path, store)
        assert result.rows == len(twin.tables[kind])
    stored = store.read("menages", ["ressources_annuelles"])
    cents = np.rint(stored["ressources_annuelles"].to_numpy(dtype=float) * 100).astype(np.int64)
    assert (cents == twin.tables["menages"]["ressources_annuelles"].to_numpy()).all()


@pytest.mark.slow
def test_full_scale_twin_calibrated_in_under_two_minutes() -> None:
    import time

    start = time.perf_counter()
    full = make_twin(scale=1.0)
    elapsed = time.perf_counter() - start
    assert full.report.within_tolerance, full.report.format()
    assert 440_000 <= len(full.tables["menages"]) <= 520_000
    occupied = (full.tables["menages"]["statut_occupation"] == "locataire_social").sum()
    assert 105_000 <= occupied <= 125_000
    print(f"full-scale twin built in {elapsed:.1f} s")


def test_scale_is_bounded() -> None:
    from mixite.twin.params import TwinParameters

    with pytest.raises(ValueError, match=r"scale must be in \(0, 4\]; got 4.5"):
        TwinParameters(scale=4.5)


@pytest.mark.slow
def test_twin_beyond_one_metropolis_keeps_its_calibration() -> None:
    # Issue 9: --scale up to 4 (more households per IRIS, same calibration rules).
    double = make_twin(scale=2.0)
    assert double.report.within_tolerance, double.report.format()
    assert 2 * 440_000 <= len(double.tables["menages"]) <= 2 * 520_000
