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
