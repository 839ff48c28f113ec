"""``mixite commission``: candidates, the sheet, the decision, access and bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixite.cli.main import main
from mixite.io.store import Store
from tests import suite_postgres
from tests.conftest import sha256

DATE = "2026-10-31"


@pytest.fixture(scope="module")
def base(jumeau_2pct: Path) -> Path:
    return jumeau_2pct


@pytest.fixture()
def store(base: Path, tmp_path: Path) -> Store:
    copy = tmp_path / "jumeau.duckdb"
    suite_postgres.copier(base, copy)
    return Store(copy)


def _vacant(store: Store) -> tuple[str, str]:
    row = store.query(
        "SELECT l.id_logement, b.code_bailleur FROM logements l JOIN entrees e USING (id_entree) "
        "JOIN batiments b USING (id_batiment) WHERE l.vacant AND NOT b.individuel "
        "AND EXISTS (SELECT 1 FROM logements o JOIN menages m ON m.id_logement = o.id_logement "
        "WHERE o.id_entree = l.id_entree) ORDER BY l.id_logement LIMIT 1"
    ).iloc[0]
    return str(row["id_logement"]), str(row["code_bailleur"])


def _run(args: list[str], store: Store, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*args, "--store", str(store.path), "--date", DATE])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_candidates_counts_without_scope_and_names_with_it(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dwelling, landlord = _vacant(store)
    code, out, _ = _run(["commission", "candidats", "--logement", dwelling, "--ignorer-souhaits"],
                        store, capsys)  # fmt: skip
    assert code == 0 and "--nominatif" in out and "DEM-" not in out
    assert "Ordre : cotation" in out and "taux d'effort et reste à vivre après APL" in out
    path = tmp_path / "candidats.xlsx"
    code, out, _ = _run(["commission", "candidats", "--logement", dwelling, "--ignorer-souhaits",
                         "--nominatif", f"bailleur:{landlord}", "--sortie", str(path),
                         "--profil", "actif", "--tri", "anciennete"], store, capsys)  # fmt: skip
    assert code == 0 and "DEM-" in out and "Ordre : ancienneté" in out
    assert "profil choisi : au moins un actif occupé" in out
    listed = pd.read_excel(path, sheet_name="Candidats")
    assert (listed["anciennete_mois"].diff().dropna() <= 0).all()
    journal = store.access_journal()
    assert journal["perimetre"].tolist() == [f"bailleur:{landlord}"]


def test_another_landlord_is_refused(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    dwelling, landlord = _vacant(store)
    other = "B01" if landlord != "B01" else "B02"
    code, _, err = _run(["commission", "candidats", "--logement", dwelling, "--nominatif",
                         f"bailleur:{other}"], store, capsys)  # fmt: skip
    assert code == 2 and "accès refusé" in err


def test_the_sheet_and_the_decision_flow_back(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dwelling, landlord = _vacant(store)
    scope = ["--nominatif", f"bailleur:{landlord}"]
    active = store.read(
        "demandes", ["id_demande"], where=f"statut = 'active' AND date_depot <= '{DATE}'"
    )
    ids = active["id_demande"].head(3).tolist()
    html = tmp_path / "fiche.html"
    code, out, err = _run(["commission", "fiche", "--logement", dwelling, "--candidats", ",".join(ids),
                           *scope, "--sortie", str(html)], store, capsys)  # fmt: skip
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    assert all(i in page for i in ids) and "DONNÉES SYNTHÉTIQUES" in page and "<script" not in page
    assert "Attribuer à" in out
    xlsx = tmp_path / "fiche.xlsx"
    assert _run(["commission", "fiche", "--logement", dwelling, "--candidats", ids[0], *scope,
                 "--sortie", str(xlsx)], store, capsys)[0] == 0  # fmt: skip
    assert {"Fiche", "Veille", "Zones", "Objectifs"} <= set(pd.read_excel(xlsx, sheet_name=None))
    before = store.count("attributions")
    code, out, err = _run(["commission", "decision", "--logement", dwelling, "--demande", ids[0],
                           "--decision", "attribution", *scope], store, capsys)  # fmt: skip
    assert code == 0, err
    assert "Décision enregistrée" in out
    assert store.count("attributions") == before + 1
    assert not bool(store.read("logements", where=f"id_logement = '{dwelling}'")["vacant"].iloc[0])
    assert store.read("demandes", where=f"id_demande = '{ids[0]}'")["statut"].iloc[0] == "attribuee"
    assert (
        store.count(
            "menages",
        )
        > 0
    )
    audit = store.read("audit_attributions")
    assert audit["action"].tolist()[-1] == "ajout"
    # The decision shows up in the tracking and in the occupants.
    occupants = store.read("menages", where=f"id_logement = '{dwelling}'")
    assert len(occupants) == 1
    # A second decision on the same dwelling: it is no longer vacant.
    code, _, err = _run(["commission", "decision", "--logement", dwelling, "--demande", ids[1],
                         "--decision", "attribution", *scope], store, capsys)  # fmt: skip
    assert code == 2 and "pas vacant" in err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["fiche", "--candidats", "A,B,C,D"], "de un à trois candidats"),
        (["fiche", "--candidats", "DEM-INCONNUE"], "demande inconnue"),
        (["decision", "--demande", "X", "--decision", "non-attribution"], "doit être motivée"),
    ],
)
def test_bad_input_gets_french_errors(
    extra: list[str], words: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    dwelling, landlord = _vacant(store)
    before = sha256(store.path)
    args = ["commission", extra[0], "--logement", dwelling, "--nominatif", f"bailleur:{landlord}",
            *extra[1:]]  # fmt: skip
    code, _, err = _run(args, store, capsys)
    assert code == 2 and words in err
    assert sha256(store.path) == before


def test_unknown_or_occupied_dwellings_are_refused(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["commission", "candidats", "--logement", "L-INCONNU"], store, capsys)
    assert code == 2 and "logement inconnu" in err
    occupied = store.read("logements", ["id_logement"], where="NOT vacant")["id_logement"].iloc[0]
    code, _, err = _run(["commission", "candidats", "--logement", occupied], store, capsys)
    assert code == 2 and "pas vacant" in err
