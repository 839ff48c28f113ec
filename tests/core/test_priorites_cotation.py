"""Priority criteria and scoring, by hand, one case per legal criterion."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from mixite.core.cotation import Grid, applicant_information, score
from mixite.core.priorites import derived_fields, evaluate
from mixite.io.config import load_priority_catalogue

REF = dt.date(2026, 6, 30)
BASE = {
    "date_depot": dt.date(2025, 6, 30),
    "nb_personnes": 3,
    "nb_enfants": 1,
    "age_demandeur": 35,
    "sans_logement": False,
    "menace_expulsion": False,
    "heberge_structure": False,
    "logement_insalubre": False,
    "logement_indecent": False,
    "surface_actuelle": 60.0,
    "handicap": False,
    "logement_inadapte_handicap": False,
    "violences_familiales": False,
    "jeune_insertion": False,
    "refus_offre_adaptee": 0,
    "statut": "active",
    "date_sortie": None,
    "nb_pieces_souhaite": 3,
}

# (criterion, fields changed, met?)
CASES = [
    ("DALO-1", {"sans_logement": True}, True),
    ("DALO-2", {"menace_expulsion": True}, True),
    ("DALO-3", {"heberge_structure": True}, True),
    ("DALO-4", {"logement_insalubre": True}, True),
    ("DALO-5", {"logement_indecent": True}, True),
    ("DALO-5", {"logement_indecent": True, "nb_enfants": 0, "nb_personnes": 2}, False),
    ("DALO-5", {"logement_indecent": True, "nb_enfants": 0, "handicap": True}, True),
    ("DALO-6", {"surface_actuelle": 24.0}, True),  # 3 persons: under 25 m²
    ("DALO-6", {"surface_actuelle": 25.0}, False),  # « pas supérieure ou égale » : 25 is enough
    ("DALO-6", {"surface_actuelle": 24.0, "nb_enfants": 0}, False),
    ("DALO-8", {"logement_inadapte_handicap": True}, True),
    ("P-HANDI", {"handicap": True}, True),
    ("P-VIOLCOUPLE", {"violences_familiales": True}, True),
    ("P-SUROCC", {"logement_indecent": True}, True),
    ("P-SUROCC", {"logement_indecent": True, "nb_enfants": 0}, False),
    ("ACI-JEUNE-INSERTION", {"jeune_insertion": True, "age_demandeur": 24}, True),
    ("ACI-JEUNE-INSERTION", {"jeune_insertion": True, "age_demandeur": 31}, False),
]


def _frame(rows: list[dict[str, object]], delai: float | None = None) -> pd.DataFrame:
    f = pd.DataFrame(rows)
    f.insert(0, "id_demande", [f"D{i}" for i in range(len(f))])
    return derived_fields(f, reference=REF, delai_anormalement_long_mois=delai)


@pytest.mark.parametrize(
    ("criterion", "changes", "met"),
    CASES,
    ids=[f"{c}-{'oui' if m else 'non'}-{i}" for i, (c, _, m) in enumerate(CASES)],
)
def test_criterion(criterion: str, changes: dict[str, object], met: bool) -> None:
    catalogue = load_priority_catalogue()
    frame = _frame([{**BASE, **changes}])
    result = evaluate(frame, (catalogue.criteria[criterion],))
    assert bool(result.met[criterion].iloc[0]) is met
    if met:
        assert result.reasons.iloc[0].startswith(f"{criterion} (")


def test_reasons_name_the_fields() -> None:
    catalogue = load_priority_catalogue()
    frame = _frame([{**BASE, "surface_actuelle": 20.0}])
    result = evaluate(frame, (catalogue.criteria["DALO-6"],))
    assert result.reasons.iloc[0] == (
        "DALO-6 (surface_actuelle = 20 < surface_norme_dalo = 25 ; enfant_mineur = oui)"
    )


def test_dalo7_needs_the_prefectoral_delay() -> None:
    catalogue = load_priority_catalogue()
    crit = (catalogue.criteria["DALO-7"],)
    old = {**BASE, "date_depot": dt.date(2022, 6, 30)}
    unknown = evaluate(_frame([old]), crit)
    assert not unknown.met["DALO-7"].iloc[0] and unknown.not_evaluable["DALO-7"] == 1
    known = evaluate(_frame([old], delai=36), crit)
    assert known.met["DALO-7"].iloc[0] and known.not_evaluable["DALO-7"] == 0


def test_lists() -> None:
    catalogue = load_priority_catalogue()
    assert len(catalogue.select("lille_13")) == 13
    with pytest.raises(ValueError, match="Unknown criteria list"):
        catalogue.select("paris")


def test_score_and_what_the_applicant_is_told() -> None:
    rows = [
        {**BASE, "sans_logement": True},  # DALO-1 40 + 12 months
        {**BASE, "refus_offre_adaptee": 1},  # 12 months − 15
        {**BASE, "date_depot": dt.date(2018, 1, 1)},  # capped at 60
        {
            **BASE,
            "statut": "attribuee",
            "date_depot": dt.date(2025, 1, 1),
            "date_sortie": dt.date(2026, 1, 1),
        },
    ]
    frame = _frame(rows)
    met = evaluate(frame, tuple(load_priority_catalogue().criteria.values())).met
    frame.index = met.index
    grid = Grid({"DALO-1": 40}, points_par_mois=1, plafond_anciennete=60, refus=-15)
    s = score(frame, met, grid)
    assert s.score.round(1).tolist() == [52.0, -3.0, 60.0, 17.9]  # 545 days = 17.9 months
    assert s.explanation.iloc[0] == "DALO-1 +40 ; anciennete +12"
    info = applicant_information(frame, s.score, reference=pd.Timestamp(REF))
    assert info["position"].tolist() == [2, 3, 1]
    assert info["demandes_similaires"].tolist() == [3, 3, 3]
    assert info["attente_moyenne_mois"].round(1).tolist() == [12.0] * 3
    with pytest.raises(ValueError, match="not evaluated"):
        score(frame, met.drop(columns=["DALO-1"]), grid)
