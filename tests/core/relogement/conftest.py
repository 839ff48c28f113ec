"""A hand-made relocation file: 30 households of operation A and 5 of operation B."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest


def make_records() -> pd.DataFrame:
    n_a, n_b = 30, 5
    n = n_a + n_b
    rows = pd.DataFrame(
        {
            "id_relogement": [f"R{i:02d}" for i in range(n)],
            "code_operation": ["A"] * n_a + ["B"] * n_b,
            "id_menage": [f"M{i:02d}" for i in range(n)],
            "code_bailleur": ["B1"] * 20 + ["B2"] * 10 + ["B1"] * n_b,
            "statut": ["reloge"] * 27 + ["a_reloger"] * 3 + ["reloge"] * n_b,
            "date_relogement": [dt.date(2025, 3, 1)] * 15
            + [dt.date(2025, 9, 1)] * 12
            + [None] * 3
            + [dt.date(2025, 4, 1)] * n_b,
            "nb_personnes": [2] * n,
            "unites_consommation": [1.5] * n,
            "avant_code_commune": ["59512"] * n,
            "avant_qpv": [True] * n,
            "avant_loyer_mensuel": [400.0] * n,
            "avant_charges_mensuelles": [100.0] * n,
            "avant_apl_mensuelle": [200.0] * n,
            "avant_ressources_mensuelles": [1500.0] * n,
            "avant_nb_pieces": [3] * n,
            "apres_code_commune": ["59512"] * n,
            "apres_qpv": [False] * 12 + [True] * 23,
            "apres_parc": ["social"] * 26 + ["prive"] * 9,
            "apres_code_bailleur": ["B1"] * 26 + [None] * 9,
            "apres_individuel": [True] * 11 + [False] * 24,
            "apres_annee_construction": [2024] * 14 + [1975] * 21,
            "apres_sur_site": [True] * n,
            # 15 households pay 60 € more (effort +4 points, reste à vivre −1 €/day/person),
            # 12 pay 15 € less; the 3 not relocated have no "after" figures.
            "apres_loyer_mensuel": [460.0] * 15 + [385.0] * 12 + [np.nan] * 3 + [400.0] * n_b,
            "apres_charges_mensuelles": [100.0] * 27 + [np.nan] * 3 + [100.0] * n_b,
            "apres_apl_mensuelle": [200.0] * 27 + [np.nan] * 3 + [200.0] * n_b,
            "apres_ressources_mensuelles": [1500.0] * 27 + [np.nan] * 3 + [1500.0] * n_b,
            "apres_nb_pieces": [4] * 10 + [3] * 17 + [np.nan] * 3 + [3] * n_b,
            "synthetique": [False] * n,
        }
    )
    return rows


@pytest.fixture
def records() -> pd.DataFrame:
    return make_records()
