"""Household categories and ceilings, against the rows of the reference table."""

from __future__ import annotations

import pytest

from mixite.core.plafonds import categorie_menage, plafond_ressources
from mixite.errors import ReferenceDataError
from mixite.io.refdata import plafonds_ressources


@pytest.mark.parametrize(
    ("persons", "single_parent", "young", "disabled", "expected"),
    [
        (1, False, False, False, (1, 0)),
        (1, False, False, True, (2, 0)),  # personne seule en situation de handicap
        (2, False, False, False, (2, 0)),
        (2, True, False, False, (3, 0)),  # personne seule avec une personne à charge
        (2, False, True, False, (3, 0)),  # jeune ménage sans personne à charge
        (2, False, False, True, (3, 0)),  # deux personnes dont une handicapée
        (3, False, True, False, (3, 0)),  # jeune ménage only counts for 2 persons
        (5, False, False, False, (5, 0)),
        (6, True, False, False, (6, 1)),
        (8, False, False, False, (6, 2)),
    ],
)
def test_categories(
    persons: int, single_parent: bool, young: bool, disabled: bool, expected: tuple[int, int]
) -> None:
    cat, extra = categorie_menage(
        [persons], adulte_seul_avec_charge=single_parent, jeune_menage=young, handicap=disabled
    )
    assert (int(cat[0]), int(extra[0])) == expected


def test_ceilings_match_source_rows() -> None:
    p = plafonds_ressources()
    plus_2024_z3 = p[(p.vintage == 2024) & (p.financing == "PLUS") & (p.zone == 3)].set_index(
        "category"
    )
    got = plafond_ressources(
        p, financement="PLUS", zone=3, millesime=2024, categorie=[1, 2, 3, 4, 5, 6]
    )
    assert got.tolist() == [int(plus_2024_z3.loc[str(c), "amount_eur"]) for c in range(1, 7)]
    eight = plafond_ressources(
        p, financement="PLUS", zone=3, millesime=2024, categorie=6, personnes_supplementaires=2
    )
    assert int(eight) == int(plus_2024_z3.loc["6", "amount_eur"]) + 2 * int(
        plus_2024_z3.loc["per_extra_person", "amount_eur"]
    )


def test_missing_vintage_is_an_error_not_a_guess() -> None:
    with pytest.raises(ReferenceDataError, match="No PLAI ceiling for vintage 2014"):
        plafond_ressources(
            plafonds_ressources(), financement="PLAI", zone=3, millesime=2014, categorie=1
        )


def test_pls_published_or_derived_with_its_rule() -> None:
    from mixite.core.plafonds import PLS_RULE, plafond_pls

    p = plafonds_ressources()
    published, derived = plafond_pls(p, zone=3, millesime=[2025], categorie=[1])
    row = p[(p.vintage == 2025) & (p.financing == "PLS") & (p.zone == 3) & (p.category == "1")]
    assert int(published[0]) == int(row["amount_eur"].iloc[0]) and not derived[0]
    plus = plafond_ressources(p, financement="PLUS", zone=3, millesime=2024, categorie=2).item()
    value, derived = plafond_pls(p, zone=3, millesime=[2024], categorie=[2])
    assert derived[0] and int(value[0]) == round(plus * 1.3)
    assert "majorés de 30 %" in PLS_RULE


@pytest.mark.parametrize(
    ("resources", "units", "expected"),
    [
        (18_911_00, 2.0, True),
        (18_912_00, 2.0, False),
        (9_455_00, 1.0, True),
        (9_456_00, 1.0, False),
    ],
    ids=["sous-le-seuil", "au-seuil", "seul-sous", "seul-au-seuil"],
)
def test_first_quartile_mel_2026(resources: int, units: float, expected: bool) -> None:
    from mixite.core.plafonds import premier_quartile, seuil_premier_quartile
    from mixite.io.refdata import premier_quartile as quartiles

    threshold = seuil_premier_quartile(quartiles(), epci="200093201", millesime=2026)
    assert threshold == 9456  # refdata/SOURCES.md: MEL 2026
    assert bool(premier_quartile([resources], [units], seuil_eur=threshold)[0]) is expected


def test_first_quartile_missing_vintage() -> None:
    from mixite.core.plafonds import seuil_premier_quartile
    from mixite.io.refdata import premier_quartile as quartiles

    with pytest.raises(
        ReferenceDataError, match="vintages known for this EPCI: \\[2024, 2025, 2026\\]"
    ):
        seuil_premier_quartile(quartiles(), epci="200093201", millesime=2022)


def test_share_of_ceiling_and_under_40_exact_in_cents() -> None:
    from mixite.core.plafonds import part_du_plafond

    plus = 22_642  # PLUS 2024, zone 3, category 1
    assert part_du_plafond([905_680], [plus])[0] == pytest.approx(0.4)
    assert 40 * plus > 905_679 and not 40 * plus > 905_680
