"""The twin's relocation files (issue 19): a consistent history for every household of
the operation — interview before offers, offers before the move, the accepted offer is
the dwelling moved into and fits the wishes, visits after the move — with the shapes
the relocation teams describe (most accept the first or second offer, refusals for
location, size, rent and condition, a minority of difficult cases)."""

from __future__ import annotations

import pandas as pd
import pytest

from mixite.core.relogement.offres import Souhaits, contraintes
from tests.twin.conftest import make_twin


@pytest.fixture(scope="module")
def twin() -> object:
    return make_twin(scale=0.25)


def test_every_file_is_consistent(twin: object) -> None:
    t = twin.tables  # type: ignore[attr-defined]
    files = t["relogements"].set_index("id_relogement")
    interviews = t["entretiens_relogement"].set_index("id_relogement")
    offers = t["propositions_relogement"]
    visits = t["visites_relogement"]
    assert interviews.index.equals(files.index), "one interview per file"
    assert offers["id_logement"].isin(t["logements"]["id_logement"]).all(), (
        "offered dwellings exist"
    )
    moved = files[files["statut"] == "reloge"]
    social = moved[moved["apres_id_logement"].notna()]
    assert len(social) >= 0.9 * len(moved)
    accepted = offers[offers["reponse"] == "acceptee"].set_index("id_relogement")
    assert accepted.index.is_unique
    assert accepted.index.sort_values().equals(social.index.sort_values())
    assert (accepted["id_logement"] == social.loc[accepted.index, "apres_id_logement"]).all()
    first = pd.to_datetime(interviews["date_entretien"])
    when = pd.to_datetime(offers["date_proposition"])
    assert (when.to_numpy() > first.loc[offers["id_relogement"]].to_numpy()).all()
    move = pd.to_datetime(moved["date_relogement"])
    acc_dates = pd.to_datetime(accepted["date_proposition"])
    assert (acc_dates < move.loc[acc_dates.index]).all()
    refused = offers[offers["reponse"] == "refusee"]
    assert refused["motif_refus"].notna().all()
    before = refused[refused["id_relogement"].isin(acc_dates.index)]
    assert (pd.to_datetime(before["date_proposition"]).to_numpy()
            < acc_dates.loc[before["id_relogement"]].to_numpy()).all()  # fmt: skip
    visited = pd.to_datetime(visits["date_visite"])
    assert (visited.to_numpy() > move.loc[visits["id_relogement"]].to_numpy()).all()
    assert visits["id_relogement"].isin(moved.index).all()


def test_the_dwelling_moved_into_fits_the_wishes(twin: object) -> None:
    t = twin.tables  # type: ignore[attr-defined]
    stock = (
        t["logements"]
        .merge(t["entrees"][["id_entree", "id_batiment"]], on="id_entree")
        .merge(t["batiments"][["id_batiment", "code_commune", "individuel"]], on="id_batiment")
    )
    for c in ("loyer_mensuel", "charges_mensuelles"):
        stock[c] = stock[c].astype(float) / 100  # cents → euros
    stock = stock.set_index("id_logement")
    accepted = t["propositions_relogement"].query("reponse == 'acceptee'")
    interviews = t["entretiens_relogement"].set_index("id_relogement")
    for row in accepted.itertuples():
        wishes = interviews.loc[row.id_relogement].to_dict()
        if pd.notna(wishes["loyer_charges_max"]):
            wishes["loyer_charges_max"] = float(wishes["loyer_charges_max"]) / 100
        out = contraintes(
            stock.loc[[row.id_logement]].reset_index(), Souhaits.de_l_entretien(wishes)
        )
        assert out["adapte"].iloc[0], (row.id_relogement, out["motifs"].iloc[0])


def test_the_process_has_the_described_shape(twin: object) -> None:
    t = twin.tables  # type: ignore[attr-defined]
    offers = t["propositions_relogement"]
    moved = t["relogements"].query("statut == 'reloge'")
    per_file = (
        offers[offers["id_relogement"].isin(moved["id_relogement"])].groupby("id_relogement").size()
    )
    assert 1.4 <= per_file.mean() <= 1.9
    refusals = offers[offers["reponse"] == "refusee"]
    assert 0.3 <= len(refusals) / len(offers) <= 0.45
    reasons = refusals["motif_refus"].value_counts(normalize=True)
    assert reasons.index[0] == "localisation"
    visits = t["visites_relogement"]
    hard = visits[visits["difficultes"] != "aucune"]["id_relogement"].nunique()
    assert 0.05 <= hard / visits["id_relogement"].nunique() <= 0.3
    assert visits.loc[visits["difficultes"] != "aucune", "mesure_corrective"].notna().any()
