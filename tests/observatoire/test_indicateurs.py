"""Indicators by hand on 10 households; secrecy that totals cannot defeat."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mixite.io.refdata import plafonds_ressources
from mixite.observatoire.indicateurs import evolution, flags, indicateurs, publier

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
