"""Validation: one hand-made file with one fault per rule; every message pinned."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.core import model
from mixite.core.validation import KnownKeys, format_report, validate
from mixite.errors import InvalidDataError


def _menages(**overrides: list[str]) -> pd.DataFrame:
    base = {
        "id_menage": ["M1", "M2", "M3"],
        "millesime": ["2024"] * 3,
        "code_commune": ["59350", "59512", "59599"],
        "code_iris": ["593500101", "", ""],
        "idcar_200m": ["", "", ""],
        "statut_occupation": ["locataire_social", "proprietaire", "locataire_prive"],
        "id_logement": ["L1", "", ""],
        "type_menage": ["monoparental", "personne_seule", "couple_avec_enfants"],
        "age_reference": ["34", "71", "40"],
        "nb_personnes": ["3", "1", "4"],
        "nb_adultes": ["1", "1", "2"],
        "nb_enfants": ["2", "0", "2"],
        "nb_moins_14": ["2", "0", "1"],
        "unites_consommation": ["1.6", "1", "2.3"],
        "nb_actifs_occupes": ["1", "0", "2"],
        "ressources_annuelles": ["15000", "21000,50", "42000.5"],
        "apl_annuelle": ["2400", "", ""],
        "synthetique": ["non", "non", "non"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


KNOWN = KnownKeys({("logements", "id_logement"): pd.Index(["L1", "L2"])})


def test_valid_file_is_typed_with_exact_cents() -> None:
    typed = validate(_menages(), model.MENAGES, source="menages.csv", known=KNOWN)
    assert typed["ressources_annuelles"].tolist() == [1_500_000, 2_100_050, 4_200_050]
    assert typed["nb_personnes"].dtype == "Int64"
    assert typed["synthetique"].tolist() == [False, False, False]
    assert pd.isna(typed["code_iris"].iloc[1])


@pytest.mark.parametrize(
    ("column", "row", "value", "message"),
    [
        ("age_reference", 1, "trente", "n'est pas un nombre"),
        ("age_reference", 1, "34.5", "n'est pas un nombre entier"),
        ("nb_enfants", 0, "-1", "ne doit pas être négatif"),
        ("age_reference", 2, "130", "doit être ≤ 120"),
        ("code_commune", 0, "00000", "code invalide"),
        ("code_iris", 0, "59350010A", "code invalide"),
        ("statut_occupation", 1, "locataire", "valeur non autorisée"),
        ("ressources_annuelles", 2, "12,345", "n'est pas un montant"),
        ("id_logement", 0, "L9", "référence inconnue"),
        ("code_commune", 1, "", "valeur obligatoire manquante"),
        ("synthetique", 0, "peut-être", "n'est pas un booléen"),
    ],
)
def test_each_fault_is_reported_with_file_row_column_value_rule(
    column: str, row: int, value: str, message: str
) -> None:
    frame = _menages()
    frame.loc[row, column] = value
    with pytest.raises(InvalidDataError, match=r"menages\.csv: 1 problem\(s\) found") as info:
        validate(frame, model.MENAGES, source="menages.csv", known=KNOWN)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (row + 2, column, value)
    assert message in problem.rule
    assert problem.format().startswith(f"menages.csv, ligne {row + 2}, colonne « {column} »")


def test_cross_column_rules() -> None:
    frame = _menages(nb_adultes=["2", "1", "2"], unites_consommation=["1.6", "1", "2.5"])
    frame.loc[1, "id_logement"] = ""
    frame.loc[1, "statut_occupation"] = "locataire_social"
    with pytest.raises(InvalidDataError) as info:
        validate(frame, model.MENAGES, source="m.csv", known=KNOWN)
    rules = sorted(p.rule for p in info.value.problems)
    assert len(rules) == 3
    assert any("nb_adultes + nb_enfants" in r for r in rules)
    assert any("échelle OCDE" in r for r in rules)
    assert any("doit avoir un id_logement" in r for r in rules)


def test_duplicates_and_stored_keys() -> None:
    frame = _menages(id_menage=["M1", "M2", "M1"])
    known = KnownKeys(KNOWN.values, existing=pd.DataFrame({"id_menage": ["M2"]}))
    with pytest.raises(InvalidDataError) as info:
        validate(frame, model.MENAGES, source="m.csv", known=known)
    by_rule = {p.rule.split(" (")[0]: p for p in info.value.problems}
    assert by_rule["identifiant en double"].row == 4
    assert "déjà à la ligne 2" in by_rule["identifiant en double"].rule
    assert by_rule["identifiant déjà présent dans la base"].value == "M2"


def test_missing_and_unknown_columns() -> None:
    frame = _menages().drop(columns=["age_reference"]).assign(age_ref=["1", "2", "3"])
    with pytest.raises(InvalidDataError) as info:
        validate(frame, model.MENAGES, source="m.csv", known=KNOWN)
    assert sorted(p.rule.split(" ;")[0] for p in info.value.problems) == [
        "colonne inconnue",
        "colonne obligatoire absente du fichier",
    ]


def test_report_keeps_first_50_and_counts_all() -> None:
    n = 120
    frame = pd.concat([_menages()] * (n // 3), ignore_index=True)
    frame["id_menage"] = [f"M{i}" for i in range(n)]
    frame["age_reference"] = "x"
    with pytest.raises(InvalidDataError) as info:
        validate(frame, model.MENAGES, source="m.csv", known=KNOWN)
    err = info.value
    assert err.total == n
    assert len(err.problems) == 50
    assert [p.row for p in err.problems] == list(range(2, 52))
    assert err.report().splitlines()[-1] == "  … et 70 autre(s) problème(s) non affiché(s)."
    assert format_report(err.problems[:1], total=1, source="m.csv").startswith(
        "Import refusé : 1 problème"
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30))
def test_money_round_trips_exactly(cents: list[int]) -> None:
    text = [f"{c // 100}.{c % 100:02d}" for c in cents]
    n = len(cents)
    frame = pd.concat([_menages().iloc[[1]]] * n, ignore_index=True)
    frame["id_menage"] = [f"M{i}" for i in range(n)]
    frame["ressources_annuelles"] = text
    typed = validate(frame, model.MENAGES, source="m.csv", known=KNOWN)
    assert typed["ressources_annuelles"].to_numpy(dtype=np.int64).tolist() == cents


def test_oecd_units() -> None:
    assert model.oecd_consumption_units([1, 2, 4, 5], [0, 0, 2, 3]).tolist() == [1.0, 1.5, 2.1, 2.4]
