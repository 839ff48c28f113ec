"""The scenario engine on the twin at 2 %: the snapshot and its estimated behaviour, the
command, statistical secrecy of every published zone figure, and the backtest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.io.scenarios import backtest, instantane, resoudre, verifier
from mixite.io.store import Store
from mixite.scenarios.modele import Scenario
from mixite.scenarios.monte_carlo import lancer
from mixite.scenarios.moteur import ATTRIBUTIONS, FLUX
from tests import suite_postgres


@pytest.fixture(scope="module")
def snapshot(jumeau_2pct: Path):  # type: ignore[no-untyped-def]
    return instantane(Store(jumeau_2pct))


def test_the_snapshot_holds_the_store_stock_and_its_history(snapshot, jumeau_2pct: Path) -> None:  # type: ignore[no-untyped-def]
    inst, fit = snapshot
    store = Store(jumeau_2pct)
    assert len(inst.parc) == int(store.query("SELECT count(*) AS n FROM logements")["n"].iloc[0])
    occupied = store.query(
        "SELECT count(DISTINCT id_logement) AS n FROM menages WHERE id_logement IS NOT NULL"
    )
    assert int((inst.occupant >= 0).sum()) == int(occupied["n"].iloc[0])
    assert 0 < inst.departs.probabilite.min() <= inst.departs.probabilite.max() < 1
    assert 0 < inst.demande.radiation < 1 and inst.demande.nouvelles_par_an > 0
    assert np.allclose(inst.profils_observes.sum(axis=-1), 1.0)
    # The calibration table sets expected departures beside observed ones per decile.
    assert fit.calibration["departs_observes"].sum() == fit.cellules["departs"].sum()


def test_the_renewal_programme_resolves_and_relocates_first(snapshot, jumeau_2pct: Path) -> None:  # type: ignore[no-untyped-def]
    from mixite.io.config_scenarios import load_scenario

    inst, _ = snapshot
    s = resoudre(load_scenario("renouvellement"), Store(jumeau_2pct))
    verifier(s, inst)
    assert s.programme.demolitions[0].batiments
    assert all(c.iris for c in s.programme.constructions)
    e = lancer(
        inst, Scenario(s.nom, horizon=5, replicats=2, politique=s.politique, programme=s.programme)
    )
    flux = e.flux[0]
    demolished = flux[:, FLUX.index("logements_demolis")]
    assert demolished[2] > 0  # 2026
    assert flux[:, FLUX.index("logements_neufs")][4] == 2 * 200 * 0 + sum(
        c.logements for c in s.programme.constructions
    )
    assert (
        e.par_bailleur[0, :, :, ATTRIBUTIONS.index("relogements")].sum()
        == flux[2, FLUX.index("reloges_sortis")]
    )


def test_unknown_codes_are_named_in_french(snapshot) -> None:  # type: ignore[no-untyped-def]
    from mixite.scenarios.modele import Programme, Vente

    inst, _ = snapshot
    bad = Scenario("x", programme=Programme(ventes=(Vente(2040, "ZZ", 3),)))
    with pytest.raises(ValueError, match=r"bailleur inconnu « ZZ ».*hors de la projection"):
        verifier(bad, inst)


def test_the_command_writes_tables_and_fan_charts_under_secrecy(
    jumeau_2pct: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "comparaison.xlsx"
    charts = tmp_path / "eventails"
    code = main(["scenarios", "comparer", "statu-quo", "loi-2017", "--replicats", "4", "--horizon", "3",
                 "--workers", "1", "--sortie", str(out), "--graphiques", str(charts), "--store", str(jumeau_2pct)])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "part_q1_loges_en_qpv au 1er janvier 2027" in text
    sheets = pd.read_excel(out, sheet_name=None)
    assert {
        "indicateurs",
        "indices",
        "objectifs",
        "flux",
        "entrees fragiles",
        "comparaison",
    } <= set(sheets)
    assert (sheets["flux"]["ecart_bilan_max"] == 0).all()
    assert len(list(charts.glob("*.png"))) == 4 and len(list(charts.glob("*.svg"))) == 4
    z = sheets["indicateurs"]
    published = z["menages"].notna()
    assert (z.loc[published, "menages"] >= 11).all()
    assert z.loc[~published, "mediane_niveau_de_vie"].isna().all()
    # Territories are a level of their own: where all are published they add up to the EPCI.
    first = z[(z["scenario"] == z["scenario"].iloc[0]) & (z["au_1er_janvier"] == 2024)]
    territories = first[first["niveau"] == "territoire"]
    assert len(territories) >= 2
    if territories["menages"].notna().all():
        assert (
            territories["menages"].sum() == first.loc[first["niveau"] == "EPCI", "menages"].iloc[0]
        )
    assert z.loc[published & (z["niveau"] == "EPCI"), "mediane_niveau_de_vie"].gt(5000).all()
    # No published commune gives a single hidden IRIS away by difference.
    for (scen, year), part in z.groupby(["scenario", "au_1er_janvier"]):
        iris = part[part["niveau"] == "IRIS"]
        communes = part[(part["niveau"] == "commune") & part["menages"].notna()]
        hidden = iris[iris["menages"].isna() & (iris["zone"] != "ensemble")]
        for code_commune in communes["zone"]:
            inside = hidden[hidden["zone"].astype(str).str[:5] == str(code_commune)]
            assert len(inside) != 1, (scen, year, code_commune)
    # Refuses to overwrite without --remplacer.
    again = main(["scenarios", "lancer", "statu-quo", "--replicats", "2", "--horizon", "1", "--workers", "1",
                  "--sortie", str(out), "--store", str(jumeau_2pct)])  # fmt: skip
    assert again != 0
    assert "--remplacer" in capsys.readouterr().err


def test_backtest_sets_observed_beside_the_bands(jumeau_2pct: Path) -> None:
    table, coverage = backtest(Store(jumeau_2pct), replicats=8)
    assert table.attrs["annee"] == 2026
    assert 0 < table.attrs["fraction_observee"] < 1
    assert 0 <= coverage <= 1
    assert set(table["mesure"]) >= {"attributions (sur l'année)", "part premier quartile (%)"}
    total = table[
        (table["bailleur"] == "ensemble") & (table["mesure"] == "attributions (sur l'année)")
    ]
    assert float(total["observe"].iloc[0]) > 0


def test_a_copy_is_not_needed_the_store_is_only_read(jumeau_2pct: Path, tmp_path: Path) -> None:
    copy = tmp_path / "j.duckdb"
    suite_postgres.copier(jumeau_2pct, copy)
    before = suite_postgres.etat(copy)
    instantane(Store(copy))
    assert suite_postgres.etat(copy) == before


def test_a_landlord_gets_its_own_entrances_one_by_one(jumeau_2pct: Path, tmp_path: Path) -> None:
    out = tmp_path / "b01.xlsx"
    code = main(["scenarios", "lancer", "veille", "--replicats", "3", "--horizon", "2", "--workers", "1",
                 "--bailleur", "B01", "--sortie", str(out), "--store", str(jumeau_2pct)])  # fmt: skip
    assert code == 0
    sheet = pd.read_excel(out, sheet_name="entrees du bailleur")
    own = Store(jumeau_2pct).query(
        "SELECT DISTINCT e.id_entree FROM entrees e JOIN batiments b ON b.id_batiment = e.id_batiment "
        "WHERE b.code_bailleur = 'B01'"
    )
    assert len(sheet) > 0
    assert set(sheet["entree"].astype(str)) <= set(own["id_entree"].astype(str))
    shares = sheet.filter(like="% des tirages").to_numpy()
    assert ((shares >= 0) & (shares <= 100)).all()
    assert set(sheet["statut au depart"]) <= {"ok", "vigilance", "fragile"}
