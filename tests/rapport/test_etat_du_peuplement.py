"""The « état du peuplement » (issue 15): a self-contained HTML report identical at each
build, a PDF whose text gives the library's figures, no figure under the threshold."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.cli.sortie import nombre_fr
from mixite.core.secret import THRESHOLD
from mixite.io.publication import indicateurs_publies
from mixite.io.store import Store
from mixite.observatoire.indicateurs import TOTAL
from mixite.rapport.contenu import construire
from mixite.rapport.rendu import ecrire, en_html
from tests import suite_postgres
from tests.twin.conftest import millesime_anterieur

DATE = dt.date(2026, 6, 30)
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")


@pytest.fixture(scope="module")
def store(jumeau_2pct: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    copy = tmp_path_factory.mktemp("rapport") / "jumeau.duckdb"
    suite_postgres.copier(jumeau_2pct, copy)
    return Store(copy)


def test_two_builds_give_the_same_html(store: Store) -> None:
    first = en_html(construire(store, "epci", "200093201", DATE))
    second = en_html(construire(store, "epci", "200093201", DATE))
    assert first == second
    assert "http://" not in first.replace("http://www.w3.org", "")  # nothing fetched
    assert "<script" not in first and "30/06/2026" in first
    today = dt.date.today()
    if today != DATE:
        assert f"{today:%d/%m/%Y}" not in first  # no date but the report's


def test_no_published_count_rests_on_fewer_than_eleven_households(store: Store) -> None:
    report = construire(store, "epci", "200093201", DATE)
    checked = 0
    for section in report.sections:
        for t in section.tableaux:
            for column in ("ménages (ménages)", "logements sociaux"):
                if column in t.table.columns:
                    values = pd.to_numeric(t.table[column], errors="coerce").dropna()
                    assert (values >= THRESHOLD).all(), (t.titre, column)
                    checked += len(values)
    assert checked > 50


@pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed (.ci/run installs it)")
def test_the_pdf_gives_the_librarys_figures(store: Store, tmp_path: Path) -> None:
    pdf = ecrire(construire(store, "epci", "200093201", DATE), tmp_path / "mel.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    for title in ("1. Chiffres clés", "2. Cartes du territoire", "3. Le parc social",
                  "4. Attributions et objectifs légaux", "DONNÉES SYNTHÉTIQUES"):  # fmt: skip
        assert title in text
    truth = indicateurs_publies(store).tables
    epci = truth["code_epci"].drop(index=TOTAL, errors="ignore").iloc[0]
    line = next(x for x in text.splitlines() if x.strip().startswith("ménages du territoire"))
    assert line.replace("\u202f", " ").endswith(
        nombre_fr(epci["menages"], 0).replace("\u202f", " ")
    )
    poverty = next(x for x in text.splitlines() if x.strip().startswith("taux de pauvreté"))
    assert nombre_fr(epci["taux_pauvrete"]) in poverty
    # Every commune row of the table: its households as published (or « s »).
    communes = truth["code_commune"].drop(index=TOTAL, errors="ignore")
    start = text.index("Indicateurs publiés par commune")
    table = text[start : text.index("2. Cartes du territoire", start)]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\s*(59\d{3})\s.*$", table, re.M)}
    assert len(rows) >= len(communes) // 2
    for code, row in rows.items():
        published = communes.loc[code, "menages"]
        expected = "s" if pd.isna(published) else nombre_fr(published, 0)
        assert expected.replace("\u202f", " ") in row.replace("\u202f", " "), (code, row)
    pages = int(re.search(r"page 1 sur (\d+)", text).group(1))  # type: ignore[union-attr]
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) == pages >= 4


def test_the_command_writes_a_commune_report_and_never_overwrites(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lille.html"
    args = ["rapport", "etat-du-peuplement", "--territoire", "commune", "59350",
            "--date", "2026-06-30", "--sortie", str(out), "--store", str(store.path)]  # fmt: skip
    assert main(args) == 0
    text = out.read_text(encoding="utf-8")
    assert "Lille (59350)" in text and "Indicateurs publiés par commune" not in text
    assert main(args) == 2 and "existe déjà" in capsys.readouterr().err
    bad = [*args[:3], "region", "32", *args[5:], "--remplacer"]
    assert main(bad) == 2 and "epci, commune, bailleur ou operation" in capsys.readouterr().err


def test_the_command_runs_outside_the_platform(store: Store, tmp_path: Path) -> None:
    """`mixite rapport` in a process of its own, with no Django settings: the figures
    it shares with the platform are computed in process, and nothing is written beside
    the platform's store."""
    import os
    import sys

    out = tmp_path / "epci.html"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-m", "mixite.cli.main", "rapport", "etat-du-peuplement",
         "--territoire", "epci", "200093201", "--date", "2026-06-30", "--sortie", str(out),
         "--store", suite_postgres.emplacement(store.path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Métropole Européenne de Lille" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epci.html"]


def test_the_segregation_part_reads_the_engines_values(store: Store) -> None:
    from mixite.indices import segregation_indices
    from mixite.plateforme.donnees import publication

    report = construire(store, "epci", "200093201", DATE)
    part = next(s for s in report.sections if s.titre == "Ségrégation et échelles")
    pub = publication(store)
    h = pub.menages.assign(pauvres=pub.flags["pauvre"].to_numpy().astype(int))
    units = h.groupby("code_iris").agg(menages=("id_menage", "size"), pauvres=("pauvres", "sum"))
    d = segregation_indices(units.reset_index(), group="pauvres", total="menages",
                            indices=["dissimilarity"]).iloc[0]["dissimilarity"]  # fmt: skip
    assert part.tableaux[0].table["valeur"].iloc[0] == nombre_fr(d, 3)
    assert f"{round(d * 100)} % des ménages pauvres devraient changer d’IRIS" in part.paragraphes[1]
    shares = part.tableaux[1].table["part de M (%)"]
    assert shares.sum() == pytest.approx(100, abs=0.2)


def test_each_priority_neighbourhood_has_its_page_with_published_figures(store: Store) -> None:
    report = construire(store, "commune", "59512", DATE)
    pages = [s for s in report.sections if s.titre.startswith("Quartier prioritaire")]
    qpv = store.query("SELECT code_qpv FROM qpv WHERE code_commune = '59512'")["code_qpv"]
    published = indicateurs_publies(store).tables["code_qpv"]
    expected = [c for c in sorted(qpv) if c in published.index]
    assert len(pages) == len(expected) > 0
    for page, code in zip(pages, expected, strict=True):
        assert f"({code})" in page.titre
        shown = page.tableaux[0].table.set_index("indicateur")["quartier"]
        truth = published.loc[code]
        assert pd.isna(shown.iloc[0]) == pd.isna(truth["menages"])
        if pd.notna(truth["menages"]):
            assert shown.iloc[0] == truth["menages"] >= THRESHOLD


def test_a_landlords_report_lists_its_own_alert_entrances(store: Store) -> None:
    from mixite.plateforme.donnees import table_veille

    report = construire(store, "bailleur", "B01", DATE)
    watch, _ = table_veille(store, "B01")
    listed = report.sections[0].tableaux[1].table
    alert = watch[watch["statut"].isin(["fragile", "vigilance"]).to_numpy()]
    assert listed["entrée"].tolist() == alert["entrée"].tolist()
    mine = store.query(
        "SELECT e.id_entree FROM entrees e JOIN batiments b USING (id_batiment) "
        "WHERE b.code_bailleur = 'B01'"
    )["id_entree"]
    assert set(listed["entrée"]) <= set(mine)  # its own entrances only
    objectives = report.sections[2].tableaux[0].table
    assert (objectives["ventilation"] == "bailleur B01").all()


def test_an_operations_report_sets_its_two_dates_side_by_side(store: Store) -> None:
    from mixite.core.relogement import household_figures
    from mixite.core.relogement.snapshots import compare_snapshots
    from mixite.io.config import load_relocation_settings

    report = construire(store, "operation", "PRU-MEL-01", DATE, dt.date(2025, 12, 31))
    table = report.sections[0].tableaux[0].table.set_index("indicateur")
    records = store.read("relogements")
    records = records[records["code_operation"] == "PRU-MEL-01"]
    settings = load_relocation_settings(None)
    figures = household_figures(records, settings.formula, reference_date=DATE,
                                recent_years=settings.recent_years)  # fmt: skip
    truth = compare_snapshots(figures, settings.formula, dt.date(2025, 12, 31), DATE,
                              criteria=settings.criteria).changes.iloc[0]  # fmt: skip
    relocated = table.loc["ménages relogés"]
    assert relocated["au 30/06/2026"] == truth[("2026-06-30", "reloges")] >= THRESHOLD
    change, expected = relocated["évolution"], truth[("évolution", "reloges")]
    assert (pd.isna(change) and pd.isna(expected)) or change == expected  # may be secret
    with pytest.raises(ValueError, match="absente"):
        construire(store, "operation", "PRU-INCONNUE", DATE)


@pytest.fixture(scope="module")
def two_vintages(jumeau_2pct: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The twin with an earlier vintage: the same households a year before, those of
    every other IRIS then 60 % richer (so poverty really rose there), tenure unchanged."""
    copy = tmp_path_factory.mktemp("deux") / "deux.duckdb"
    suite_postgres.copier(jumeau_2pct, copy)
    millesime_anterieur(Store(copy), plus_riches=1.6)
    return Store(copy)


def test_changes_are_tested_and_a_real_change_is_significant(two_vintages: Store) -> None:
    from mixite.indices import segregation_indices

    report = construire(two_vintages, "epci", "200093201", DATE)
    first = report.sections[0]
    evolution = next(t.table for t in first.tableaux if t.titre.startswith("Évolution"))
    verdicts = evolution.set_index("indicateur")["variation significative (5 %)"]
    assert verdicts["taux de pauvreté (% des personnes)"].startswith("oui (p = 0,00")
    # The same households rent the same dwellings: no change at all, p = 1.
    assert verdicts["taux de logement social (% des ménages)"] == "non (p = 1,000)"
    assert verdicts["ménages (ménages)"] == "—"  # a count is not tested
    assert any("test de permutation apparié" in p for p in first.paragraphes)
    part = next(s for s in report.sections if s.titre == "Ségrégation et échelles")
    change = next(t.table for t in part.tableaux if t.titre.startswith("Évolution"))
    years = [c for c in change.columns if c.isdigit()]
    assert len(years) == 2
    for year in map(int, years):  # each vintage's D, computed here from its own households
        pub = indicateurs_publies(two_vintages, millesime=year)
        h = pub.menages.assign(pauvres=pub.flags["pauvre"].to_numpy().astype(int))
        units = h.groupby("code_iris").agg(menages=("id_menage", "size"),
                                           pauvres=("pauvres", "sum")).reset_index()  # fmt: skip
        d = segregation_indices(units, group="pauvres", total="menages",
                                indices=["dissimilarity"]).iloc[0]["dissimilarity"]  # fmt: skip
        assert change[str(year)].iloc[0] == nombre_fr(d, 3)


def test_fragile_neighbourhoods_outside_the_qpv_have_their_page(store: Store) -> None:
    """The IRIS mostly outside any QPV and as fragile as the median IRIS mostly inside
    one, recomputed here from the published IRIS and the households' QPV; each page
    shows the IRIS's published figures."""
    from mixite.io.config import load_fragility
    from mixite.observatoire.fragilite import indice_fragilite

    report = construire(store, "epci", "200093201", DATE)
    pages = [s for s in report.sections if s.titre.startswith("Quartier fragile hors QPV")]
    pub = indicateurs_publies(store)
    iris = pub.tables["code_iris"].drop(index=TOTAL, errors="ignore")
    iris = iris[iris["menages"].notna()]
    score = indice_fragilite(iris, load_fragility(None))["score"]
    in_qpv = pub.menages["code_qpv"].notna().groupby(pub.menages["code_iris"]).mean()
    share = in_qpv.reindex(score.index).fillna(0)
    expected = score[(share < 0.5) & (score >= score[share > 0.5].median())]
    assert len(pages) == len(expected) > 0
    shown = [re.search(r"\((\d{9})\)", p.titre).group(1) for p in pages]  # type: ignore[union-attr]
    assert shown == expected.sort_values(ascending=False).index.tolist()
    for page, code in zip(pages, shown, strict=True):
        figures = page.tableaux[0].table.set_index("indicateur")["quartier"]
        assert figures["ménages (ménages)"] == iris.loc[code, "menages"] >= THRESHOLD
        assert "rang" in page.paragraphes[0] and "Plus fragile" in page.paragraphes[1]


def test_an_operations_report_shows_its_neighbourhood_before_and_after(
    two_vintages: Store,
) -> None:
    from mixite.io.publication import evolution_publiee

    report = construire(two_vintages, "operation", "PRU-MEL-01", DATE, dt.date(2025, 12, 31))
    qpv = two_vintages.query("SELECT code_qpv FROM operations")["code_qpv"].iloc[0]
    page = report.sections[1]
    assert page.titre.startswith("Le quartier de l'opération") and qpv in page.titre
    ev = evolution_publiee(two_vintages, "code_qpv")
    table = page.tableaux[0].table.set_index("indicateur")
    first, last = map(str, ev.millesimes)
    assert ev.premier is not None
    for column, truth in ((first, ev.premier), (last, ev.dernier)):
        shown = table.loc["ménages (ménages)", column]
        assert shown == truth.loc[qpv, "menages"] >= THRESHOLD
        for label, code in (("taux de pauvreté (% des personnes)", "taux_pauvrete"),
                            ("grandes familles (% des ménages)", "grandes_familles")):  # fmt: skip
            got, expected = table.loc[label, column], truth.loc[qpv, code]
            assert (pd.isna(got) and pd.isna(expected)) or got == pytest.approx(expected)


def test_the_whole_report_is_audited_as_one_release(store: Store) -> None:
    """The EPCI report's count cells, all tables together, leak nothing; the audit does
    fail when a table prints a cell the release had hidden (one that gives a smaller one
    away), when it prints a wrong figure, and when it prints a cell under 11."""
    from mixite.rapport.audit import auditer

    report = construire(store, "epci", "200093201", DATE)
    assert (
        report.verification is not None and "vérifié sur le document entier" in report.verification
    )
    cells = report.cellules()
    assert set(cells["niveau"]) >= {"code_epci", "code_commune", "code_qpv", "code_iris"}
    assert {s.split("/")[0] for s in cells["source"]} == {"menages", "parc"}
    assert auditer(store, cells).empty
    # Every other commune's households printed, the smallest commune's hidden: the
    # territory's total minus the others gives it away.
    truth = indicateurs_publies(store)
    from mixite.observatoire.indicateurs import indicateurs

    raw = indicateurs(truth.menages, truth.flags, "code_commune").drop(index=TOTAL)["menages"]
    small = [c for c in raw.index if 0 < raw[c] < THRESHOLD]
    assert small, "the 2 % twin has communes of fewer than 11 households"
    households = (cells["niveau"] == "code_commune") & (cells["mesure"] == "menages") & (
        cells["source"].str.startswith("menages"))  # fmt: skip
    others = households & ~cells["zone"].isin([small[0], TOTAL])
    shown = cells.copy()
    shown.loc[others, "valeur"] = shown.loc[others, "zone"].map(raw).astype(float)
    shown.loc[others, "vu"] = True
    found = auditer(store, shown)
    leak = found[found["probleme"].str.contains("retrouvable par différence")]
    assert small[0] in set(leak["zone"])
    tiny = cells.copy()
    one = households & (cells["zone"] == small[0])
    tiny.loc[one, ["valeur", "vu"]] = [float(raw[small[0]]), True]
    assert auditer(store, tiny)["probleme"].str.contains("imprimée de moins de 11").any()
    wrong = cells.copy()
    first = wrong.index[wrong["vu"] & wrong["valeur"].notna()][0]
    wrong.loc[first, "valeur"] += 1
    assert auditer(store, wrong)["probleme"].str.startswith("valeur imprimée").any()


def test_a_report_failing_its_audit_is_not_written(
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import mixite.rapport.audit as audit

    breach = pd.DataFrame([("menages", "code_commune", "59999", "menages", 4.0,
                            "case imprimée de moins de 11 ménages")],
                          columns=["source", "niveau", "zone", "mesure", "menages", "probleme"])  # fmt: skip
    monkeypatch.setattr(audit, "auditer", lambda store, cells: breach)
    out = tmp_path / "r.html"
    args = ["rapport", "etat-du-peuplement", "--territoire", "commune", "59350",
            "--date", "2026-06-30", "--sortie", str(out), "--store", str(store.path)]  # fmt: skip
    assert main(args) == 2
    assert "ne respecte pas le secret statistique" in capsys.readouterr().err
    assert not out.exists()
