"""Indicators by hand on 10 households; secrecy that totals cannot defeat."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.io.refdata import plafonds_ressources
from mixite.observatoire.indicateurs import (
    evolution,
    flags,
    grouped_weighted_median,
    indicateurs,
    publier,
)

# PLUS 2024 zone 3: category 1 = 22 642 €, so 40 % = 9 056.80 €.
HOUSEHOLDS = pd.DataFrame(
    {
        "zone": ["A"] * 6 + ["B"] * 4,
        "nb_personnes": [1, 2, 3, 5, 1, 4, 1, 1, 2, 6],
        "nb_adultes": [1, 2, 1, 2, 1, 2, 1, 1, 1, 2],
        "nb_enfants": [0, 0, 2, 3, 0, 2, 0, 0, 1, 4],
        "unites_consommation": [1.0, 1.5, 1.6, 2.5, 1.0, 2.1, 1.0, 1.0, 1.3, 2.7],
        "ressources_annuelles": [9000.0, 30000, 14000, 20000, 40000, 35000, 9100, 15000, 12000, 18000],
        "type_menage": ["personne_seule", "couple_sans_enfant", "monoparental", "couple_avec_enfants", "personne_seule", "couple_avec_enfants", "personne_seule", "personne_seule", "monoparental", "couple_avec_enfants"],
        "age_reference": [70, 66, 35, 40, 80, 45, 30, 67, 29, 41],
        "nb_actifs_occupes": [0, 0, 1, 2, 0, 2, 1, 0, 0, 1],
        "apl_annuelle": [1200.0, 0, 2400, 1000, 0, 0, 800, np.nan, 3000, 2000],
        "statut_occupation": ["locataire_social", "proprietaire", "locataire_social", "locataire_social", "proprietaire", "locataire_prive", "locataire_prive", "proprietaire", "locataire_social", "locataire_social"],
    }
)  # fmt: skip


def test_ten_households_by_hand() -> None:
    f = flags(HOUSEHOLDS, plafonds_ressources(), millesime=2024, zone=3, seuil_pauvrete=12_000)
    raw = indicateurs(HOUSEHOLDS, f, "zone")
    a = raw.loc["A"]
    assert a["menages"] == 6 and a["personnes"] == 16
    # Standards of living in A: 9000, 20000, 8750, 8000, 40000, 16667 → poor (< 12 000): 1 + 3 + 5 persons.
    assert a["n_taux_pauvrete"] == 9 and a["taux_pauvrete"] == pytest.approx(9 / 16 * 100)
    # Under 40 % of PLUS 2024 (zone 3): alone 9 000 < 9 056.80 (cat. 1) yes; couple 30 000 <
    # 12 095.20 (cat. 2) no; single parent of 3, cat. 4: 14 000 < 17 559.60 yes; 5 persons,
    # cat. 5: 20 000 < 20 656.40 yes; the other two no.
    assert a["n_sous_40_plus"] == 3
    assert a["n_monoparentales"] == 1 and a["n_grandes_familles"] == 1
    assert a["n_reference_65_plus"] == 3 and a["n_sans_actif_occupe"] == 3
    assert a["n_allocataires_apl"] == 3 and a["n_locataires_sociaux"] == 3
    b = raw.loc["B"]
    # 9 100 € alone is above 9 056.80 €; single parent of 2 (cat. 3) 12 000 < 14 544.80 and
    # 6 persons (cat. 6) 18 000 < 23 280 are under.
    assert b["n_sous_40_plus"] == 2
    assert b["n_allocataires_apl"] == 3  # a missing benefit counts as none
    assert raw.loc["ensemble", "menages"] == 10
    # Person-weighted median of B, sorted: 6 666.67 (6 p., mid-rank 0.3), 9 100 (1 p., 0.65),
    # 9 230.77 (2 p., 0.8), 15 000 (1 p., 0.95): 6 666.67 + 0.2/0.35 × 2 433.33 = 8 057.14.
    assert raw.loc["B", "mediane_niveau_de_vie"] == pytest.approx(
        6666.6667 + 0.2 / 0.35 * (9100 - 6666.6667), rel=1e-6
    )


def test_published_tables_hide_small_zones_even_from_the_total() -> None:
    big = pd.concat(
        [HOUSEHOLDS.assign(zone=z) for z in ["C", "D"] for _ in range(2)], ignore_index=True
    )
    data = pd.concat([HOUSEHOLDS.iloc[:6].assign(zone="A"), big], ignore_index=True)
    f = flags(data, plafonds_ressources(), millesime=2024, zone=3, seuil_pauvrete=12_000)
    pub = publier(indicateurs(data, f, "zone"))
    assert np.isnan(pub.loc["A", "menages"])  # 6 households
    # Total − the other zones would give A back: one of them is hidden too.
    others = pub.drop(index=["A", "ensemble"])["menages"]
    assert others.isna().sum() >= 1
    shown = pub.drop(index="ensemble")[
        [c for c in pub.columns if c.startswith("n_") or c in ("menages",)]
    ].to_numpy(dtype=float)
    values = shown[~np.isnan(shown)]
    assert ((values == 0) | (values >= 11)).all()


def test_evolution_between_vintages() -> None:
    f = flags(HOUSEHOLDS, plafonds_ressources(), millesime=2024, zone=3, seuil_pauvrete=12_000)
    before = indicateurs(HOUSEHOLDS, f, "zone")
    later = HOUSEHOLDS.assign(ressources_annuelles=HOUSEHOLDS["ressources_annuelles"] * 1.1)
    after = indicateurs(
        later,
        flags(later, plafonds_ressources(), millesime=2024, zone=3, seuil_pauvrete=12_000),
        "zone",
    )
    ev = evolution(before, after)
    assert ev.loc["A", "evolution_mediane_niveau_de_vie"] > 0
    assert "evolution_n_sous_40_plus" not in ev.columns


def test_stock_indicators_by_hand() -> None:
    from mixite.observatoire.indicateurs import indicateurs_parc

    dwellings = pd.DataFrame(
        {
            "id_logement": [f"L{i}" for i in range(40)],
            "vacant": [i % 3 == 0 for i in range(40)],
            "zone": ["A"] * 25 + ["B"] * 15,
        }
    )
    allocations = pd.DataFrame(
        {"id_logement": [f"L{i}" for i in range(0, 40, 3)]}
    )  # 14 allocations
    out = indicateurs_parc(dwellings, allocations, "zone")
    assert out.loc["ensemble", "logements"] == 40 and out.loc["ensemble", "n_vacants"] == 14
    assert out.loc["ensemble", "taux_rotation"] == pytest.approx(14 / 40 * 100)
    assert np.isnan(out.loc["A", "n_vacants"]) and np.isnan(
        out.loc["B", "n_vacants"]
    )  # 9 and 5: hidden
    assert out.loc["A", "logements"] == 25


def test_filosofi_grid_keeps_imputed_cells_visible() -> None:
    from mixite.observatoire.indicateurs import indicateurs_filosofi

    grid = pd.DataFrame(
        {
            "Idcar_200m": [f"c{i}" for i in range(6)],
            "I_est_200": [1, 1, 0, 0, 0, 0],
            "lcog_geo": ["97201", "97201", "97201", "9720197202", "97202", "97202"],
            "Men": [5.0, 6.0, 20.0, 30.0, 25.0, 40.0],
            "Men_pauv": [2.0, 3.0, 5.0, 10.0, 5.0, 8.0],
            "Men_fmp": [1.0] * 6,
            "Men_5ind": [1.0] * 6,
            "Men_prop": [2.0] * 6,
            "Log_soc": [0.0] * 6,
            "Ind": [10.0, 12.0, 40.0, 60.0, 50.0, 80.0],
            "Ind_snv": [150000.0, 180000.0, 800000.0, 1200000.0, 1000000.0, 1600000.0],
        }
    )
    out = indicateurs_filosofi(grid)
    # Commune 97201 holds cells 0-3 (the straddling cell goes to its first commune): 61 households, 11 in imputed cells.
    assert out.loc["97201", "menages"] == 61
    assert out.loc["97201", "part_menages_carreaux_imputes"] == round(11 / 61 * 100, 1)
    assert out.loc["97201", "niveau_de_vie_moyen"] == pytest.approx(2_330_000 / 122)


def _reference_median(values: np.ndarray, weights: np.ndarray) -> float:
    """One zone at a time: tied values merged, then interpolation at mid-ranks."""
    v, inverse = np.unique(values, return_inverse=True)
    w = np.bincount(inverse, weights=weights)
    cum = np.cumsum(w)
    return float(np.interp(0.5, (cum - w / 2) / cum[-1], v))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=4),
            st.floats(min_value=0, max_value=1e5, allow_nan=False),
            st.integers(min_value=1, max_value=8),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_grouped_weighted_median_matches_the_per_zone_loop(
    rows: list[tuple[int, float, int]],
) -> None:
    codes = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([r[1] for r in rows])
    weights = np.array([r[2] for r in rows], dtype=float)
    got = grouped_weighted_median(codes, values, weights, 5)
    for g in range(5):
        sel = codes == g
        expected = _reference_median(values[sel], weights[sel]) if sel.any() else np.nan
        assert np.allclose(got[g], expected, equal_nan=True, rtol=1e-12, atol=1e-9)
