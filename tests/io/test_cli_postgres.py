"""The command line runs unchanged on PostgreSQL: each command on a copy of the 2 %
twin in PostgreSQL prints and writes what it prints and writes on the DuckDB file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.io.store import Store
from mixite.io.transfert import copier_base

pytestmark = pytest.mark.duckdb  # compares the DuckDB file with PostgreSQL

#: Durations differ from run to run: « 1.2 s », « 0 s ».
DUREE = re.compile(r"\d+(?:[.,]\d+)? s\b")


@pytest.fixture(scope="module")
def deux_bases(
    jumeau_2pct: Path, serveur_postgres: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    from tests import postgres

    duck = tmp_path_factory.mktemp("duck") / "jumeau.duckdb"
    shutil.copy(jumeau_2pct, duck)
    url = postgres.nouvelle_base(serveur_postgres)
    copier_base(Store(duck), Store(url))
    return str(duck), url


def _run(args: list[str], store: str, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main([a.replace("OUT", str(out)) for a in args] + ["--store", store])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    text = printed.out.replace(store, "<base>").replace(str(out), "<sortie>")
    return DUREE.sub("<durée>", text)


def _same_file(a: Path, b: Path) -> None:
    if a.suffix == ".xlsx":
        left, right = pd.read_excel(a, sheet_name=None), pd.read_excel(b, sheet_name=None)
        assert list(left) == list(right)
        for sheet in left:
            if sheet != "Notes":  # the notes name the store and the solver's time
                pd.testing.assert_frame_equal(left[sheet], right[sheet], check_exact=False)
    else:
        assert a.read_bytes() == b.read_bytes()


COMMANDES = [
    ["info"],
    ["observatoire", "indicateurs", "--niveau", "iris", "--sortie", "OUT.csv"],
    ["observatoire", "veille"],
    ["objectifs", "suivi", "--charte", "pecquencourt"],
    ["relogement", "tableau-de-bord"],
    ["relogement", "suivi", "--bailleur", "B01"],
    ["demandes", "priorites", "--liste", "lille_13"],
    ["exporter", "logements", "--sortie", "OUT.csv"],
    ["plan", "calculer", "--periode", "2025", "--charte", "loi-2017", "--sortie", "OUT.xlsx"],
    ["scenarios", "lancer", "statu-quo", "--replicats", "2", "--horizon", "1", "--workers", "1",
     "--sortie", "OUT.xlsx"],
    ["journal", "verifier"],
]  # fmt: skip


@pytest.mark.parametrize("args", COMMANDES, ids=lambda a: " ".join(a[:2]))
def test_the_command_gives_the_same_answer_on_both_stores(
    args: list[str], deux_bases: tuple[str, str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    duck, pg = deux_bases
    suffix = next((Path(a).suffix for a in args if a.startswith("OUT")), "")
    out_duck, out_pg = tmp_path / f"duckdb{suffix}", tmp_path / f"postgresql{suffix}"
    on_duck = _run(args, duck, out_duck.with_suffix(""), capsys)
    on_pg = _run(args, pg, out_pg.with_suffix(""), capsys)
    assert on_pg == on_duck
    if suffix:
        _same_file(out_duck, out_pg)


def test_an_import_writes_the_same_rows_on_both_stores(
    deux_bases: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A landlords' file exported, then imported again with --remplacer, on both."""
    duck, pg = deux_bases
    csv = tmp_path / "bailleurs.csv"
    assert main(["exporter", "bailleurs", "--sortie", str(csv), "--store", duck]) == 0
    for store in (duck, pg):
        assert main(["importer", "bailleurs", str(csv), "--remplacer", "--store", store]) == 0
    capsys.readouterr()
    left, right = Store(duck).read("bailleurs"), Store(pg).read("bailleurs")
    pd.testing.assert_frame_equal(left, right)
    assert Store(pg).imports_journal()["source"].iloc[-1] == csv.name


def test_the_report_is_the_same_from_both_stores(
    deux_bases: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = []
    for name, store in zip(("duckdb", "postgresql"), deux_bases, strict=True):
        out = tmp_path / f"{name}.html"
        assert main(["rapport", "etat-du-peuplement", "--territoire", "commune", "59350",
                     "--date", "2026-06-30", "--sortie", str(out), "--store", store]) == 0  # fmt: skip
        pages.append(out.read_text(encoding="utf-8").replace(store, "<base>"))
    capsys.readouterr()
    assert pages[0] == pages[1]


def test_a_commission_decision_is_recorded_alike_on_both_stores(
    deux_bases: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The candidates of one vacant dwelling, then the decision (an allocation, the
    dwelling and the application updated, the chained audit journal): same on both."""
    date = "2026-03-15"
    row = (
        Store(deux_bases[0])
        .query(
            "SELECT l.id_logement, b.code_bailleur FROM logements l JOIN entrees e USING (id_entree) "
            "JOIN batiments b USING (id_batiment) WHERE l.vacant AND NOT b.individuel "
            "ORDER BY l.id_logement LIMIT 1"
        )
        .iloc[0]
    )
    dwelling, scope = str(row["id_logement"]), ["--nominatif", f"bailleur:{row['code_bailleur']}"]
    answers, audits = [], []
    for store in deux_bases:
        args = ["commission", "candidats", "--logement", dwelling, "--ignorer-souhaits"]
        assert main([*args, "--store", store, "--date", date]) == 0
        answers.append(DUREE.sub("<durée>", capsys.readouterr().out.replace(store, "<base>")))
        active = Store(store).read(
            "demandes", ["id_demande"], where=f"statut = 'active' AND date_depot <= '{date}'"
        )
        first = sorted(active["id_demande"])[0]
        decision = ["commission", "decision", "--logement", dwelling, "--demande", first,
                    "--decision", "attribution", *scope, "--store", store, "--date", date]  # fmt: skip
        assert main(decision) == 0, capsys.readouterr().err
        capsys.readouterr()
        audit = Store(store).read("audit_attributions")
        audits.append(audit.drop(columns=["horodatage", "utilisateur", "chaine"]))
        assert Store(store).verify_journals() == []
        assert Store(store).read("demandes", where=f"id_demande = '{first}'")["statut"].iloc[0] == (
            "attribuee"
        )
    assert answers[0] == answers[1]
    pd.testing.assert_frame_equal(audits[0], audits[1])
