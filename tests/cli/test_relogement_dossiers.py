"""``mixite relogement dossier|offres`` (issue 19): a household's file and the vacant
dwellings fitting its wishes, for its landlord or the operation's team only, journaled;
the housing benefit and effort rate of each offer recomputed independently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.core.relogement.formulas import effort_rate
from mixite.io.store import Store
from tests import suite_postgres


@pytest.fixture()
def store_path(jumeau_2pct: Path, tmp_path: Path) -> Path:
    path = tmp_path / "mixite.duckdb"
    suite_postgres.copier(jumeau_2pct, path)
    return path


def _a_file(store: Store) -> pd.Series:
    """A relocated household with an interview and a refused offer."""
    refused = store.query(
        "SELECT DISTINCT p.id_relogement FROM propositions_relogement p JOIN relogements r "
        "USING (id_relogement) WHERE p.reponse = 'refusee' AND r.statut = 'reloge' "
        "ORDER BY 1 LIMIT 1"
    )
    ident = refused["id_relogement"].iloc[0]
    return store.query("SELECT * FROM relogements WHERE id_relogement = ?", [ident]).iloc[0]


def test_the_file_for_the_team_and_the_households_landlord_only(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(store_path)
    r = _a_file(store)
    before = len(store.access_journal())
    assert main(["relogement", "dossier", r["id_relogement"], "--equipe", r["code_operation"],
                 "--store", str(store_path)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Entretien :" in out and "refusee" in out and "entretien_social" in out
    assert main(["relogement", "dossier", r["id_relogement"], "--bailleur",
                 r["code_bailleur"], "--store", str(store_path)]) == 0  # fmt: skip
    journal = store.access_journal()
    assert len(journal) == before + 2
    assert journal["objet"].iloc[-1] == f"dossier de relogement {r['id_relogement']}"
    other = "B02" if r["code_bailleur"] != "B02" and r["apres_code_bailleur"] != "B02" else "B03"
    assert main(["relogement", "dossier", r["id_relogement"], "--bailleur", other,
                 "--store", str(store_path)]) != 0  # fmt: skip
    assert "accès refusé" in capsys.readouterr().err
    assert len(store.access_journal()) == before + 2, "a refused reading is not a reading"
    assert main(["relogement", "dossier", "REL-INCONNU", "--equipe", "PRU-MEL-01",
                 "--store", str(store_path)]) != 0  # fmt: skip
    assert "dossier de relogement inconnu" in capsys.readouterr().err


def test_offers_fit_the_wishes_with_benefit_and_effort_recomputed(
    store_path: Path, tmp_path: Path
) -> None:
    from mixite.commission.apl import estimer_apl
    from mixite.core.acces import Perimetre
    from mixite.core.relogement.offres import Souhaits, contraintes
    from mixite.io.config import load_relocation_settings
    from mixite.io.dossiers_relogement import dossier, logements_vacants, offres

    store = Store(store_path)
    r = _a_file(store)
    date = dt.date(2026, 10, 31)
    out_file = tmp_path / "offres.csv"
    assert main(["relogement", "offres", r["id_relogement"], "--equipe", r["code_operation"],
                 "--date", "2026-10-31", "--sortie", str(out_file),
                 "--store", str(store_path)]) == 0  # fmt: skip
    shown = pd.read_csv(out_file, sep=";", decimal=",", encoding="utf-8-sig", comment="#")
    d = dossier(store, r["id_relogement"], Perimetre("operation", r["code_operation"]),
                destination="test")  # fmt: skip
    found = offres(store, d, date, load_relocation_settings(None).formula)
    assert len(shown) == len(found) > 0
    assert found["adapte"].all()
    # Every constraint recomputed from the interview on the vacant stock.
    wishes = Souhaits.de_l_entretien({str(k): v for k, v in d.entretien.items()})  # type: ignore[union-attr]
    truth = contraintes(logements_vacants(store), wishes)
    assert set(found["id_logement"]) == set(truth.loc[truth["adapte"], "id_logement"])
    # The benefit of the first offer, by OpenFisca directly, and its effort rate.
    first = found.iloc[0]
    m = store.query("SELECT nb_adultes, nb_enfants, age_reference FROM menages "
                    "WHERE id_menage = ? ORDER BY millesime", [r["id_menage"]]).iloc[-1]  # fmt: skip
    monthly = float(r["avant_ressources_mensuelles"])
    apl = estimer_apl(pd.DataFrame({
        "nb_adultes": [int(m["nb_adultes"])], "nb_enfants": [int(m["nb_enfants"])],
        "age_reference": [int(m["age_reference"])], "ressources_annuelles": [monthly * 12],
        "loyer": [float(first["loyer_mensuel"])], "code_commune": [str(first["code_commune"])],
    }), month="2026-10")[0]  # fmt: skip
    assert first["apl"] == pytest.approx(round(apl, 2))
    rate = effort_rate([first["loyer_mensuel"]], [first["charges_mensuelles"]], [first["apl"]],
                       [monthly])[0] * 100  # fmt: skip
    assert first["taux_effort"] == pytest.approx(round(rate, 1))
    # Best wished commune first, then the lowest effort rate.
    keys = list(zip(found["rang_commune"], found["taux_effort"], strict=True))
    assert keys == sorted(keys)
    assert np.isfinite(found["reste_a_vivre"]).all()


def test_the_reverse_search_lists_exactly_the_households_whose_offers_hold_the_dwelling(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mixite.core.acces import Perimetre
    from mixite.io.config import load_relocation_settings
    from mixite.io.dossiers_relogement import dossier, menages_pour, offres

    store = Store(store_path)
    formula, date = load_relocation_settings(None).formula, dt.date(2026, 10, 31)
    team = Perimetre("operation", "PRU-MEL-01")
    waiting = store.query("SELECT id_relogement FROM relogements WHERE statut = 'a_reloger' "
                          "ORDER BY id_relogement")["id_relogement"]  # fmt: skip
    fits = {w: set(offres(store, dossier(store, w, team, destination="t"), date, formula)["id_logement"])
            for w in waiting}  # fmt: skip
    counted = pd.Series([x for s in fits.values() for x in s]).value_counts()
    for dwelling in [counted.index[0], counted.index[-1]]:
        _, found = menages_pour(store, dwelling, team, date, formula, destination="t")
        assert set(found["id_relogement"]) == {w for w, s in fits.items() if dwelling in s}
        assert found["adapte"].all() and np.isfinite(found["taux_effort"]).all()
        keys = list(zip(found["rang_commune"], found["taux_effort"], strict=True))
        assert keys == sorted(keys)
    # The landlord sees its own households only; every reading journaled.
    before = len(store.access_journal())
    _, all_of_them = menages_pour(store, counted.index[0], team, date, formula, destination="t",
                                  tous=True)  # fmt: skip
    landlord = str(all_of_them["code_bailleur"].iloc[0])
    _, mine = menages_pour(store, counted.index[0], Perimetre("bailleur", landlord), date,
                           formula, destination="t", tous=True)  # fmt: skip
    records = store.read("relogements").set_index("id_relogement")
    assert ((records.loc[mine["id_relogement"], "code_bailleur"] == landlord)
            | (records.loc[mine["id_relogement"], "apres_code_bailleur"] == landlord)).all()  # fmt: skip
    assert 0 < len(mine) < len(all_of_them)
    assert len(store.access_journal()) == before + 2
    assert main(["relogement", "candidats", counted.index[0], "--equipe", "PRU-MEL-01",
                 "--date", "2026-10-31", "--store", str(store_path)]) == 0  # fmt: skip
    assert "Aide à la décision" in capsys.readouterr().out
    assert main(["relogement", "candidats", "LOG-INCONNU", "--equipe", "PRU-MEL-01",
                 "--store", str(store_path)]) != 0  # fmt: skip
    assert "logement inconnu ou non vacant" in capsys.readouterr().err


def test_the_households_to_see_per_role_journaled(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(store_path)
    before = len(store.access_journal())
    out = tmp_path / "a_voir.csv"
    assert main(["relogement", "suivi-visites", "--equipe", "PRU-MEL-01", "--hausse-points", "3",
                 "--sortie", str(out), "--store", str(store_path)]) == 0  # fmt: skip
    team = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", comment="#")
    assert len(team) > 0 and team["à voir parce que"].notna().all()
    assert main(["relogement", "suivi-visites", "--bailleur", "B01", "--sortie", str(out),
                 "--hausse-points", "3", "--store", str(store_path)]) == 0  # fmt: skip
    b01 = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", comment="#")
    assert ((b01["bailleur d'origine"] == "B01") | (b01["bailleur d'accueil"] == "B01")).all()
    assert set(b01["dossier"]) <= set(team["dossier"]) and len(b01) < len(team)
    journal = store.access_journal()
    assert len(journal) == before + 2
    assert journal["objet"].iloc[-1] == "ménages relogés à voir (suivi des visites)"
    capsys.readouterr()
    with pytest.raises(SystemExit):  # a scope is required: no nominative list without one
        main(["relogement", "suivi-visites", "--store", str(store_path)])


def test_process_and_receiving_reports_keep_the_secret(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "processus.csv"
    assert main(["relogement", "processus", "--par", "bailleur", "--sortie", str(out),
                 "--store", str(store_path)]) == 0  # fmt: skip
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", comment="#")
    assert "taux de refus (% des réponses)" in table.columns
    counts = table[["ménages à reloger", "ménages relogés", "relogés hors site"]].to_numpy(float)
    assert not ((counts >= 1) & (counts < 11)).any()
    welcome = tmp_path / "accueil.xlsx"
    assert main(["relogement", "accueil", "--niveau", "iris", "--bailleur", "B01",
                 "--sortie", str(welcome), "--store", str(store_path)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "Par IRIS (avant → après" in printed and "Entrées d'accueil du bailleur B01" in printed
    sheets = pd.read_excel(welcome, sheet_name=None)
    entrances = sheets["Entrées d'accueil"]
    codes = Store(store_path).query(
        "SELECT e.id_entree FROM entrees e JOIN batiments b USING (id_batiment) "
        "WHERE b.code_bailleur = 'B01'")["id_entree"]  # fmt: skip
    assert len(entrances) and entrances["entrée"].isin(codes).all()
