"""INSEE, SIREN, QPV and grid codes: hand cases, then properties."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.core import codes


@pytest.mark.parametrize(
    ("code", "bad"),
    [
        ("59350", False),  # Lille
        ("2A004", False),  # Ajaccio
        ("97209", False),  # Fort-de-France
        ("00000", True),  # no department 00
        ("20001", True),  # department 20 no longer exists
        ("96001", True),  # no department 96
        ("59000", True),  # commune number 000
        ("5935", True),
        ("593500", True),
        ("97701", True),  # 977 is not a department
        ("", True),
    ],
)
def test_commune_codes(code: str, bad: bool) -> None:
    assert codes.commune_code_problems(pd.Series([code])).tolist() == [bad]


def test_siren_luhn_matches_known_epci() -> None:
    known = ["200093201", "245900410", "200033579", "200044618", "246200364"]
    assert not codes.siren_problems(pd.Series(known)).any()
    assert codes.siren_problems(pd.Series(["200093202", "24590041", "A00093201"])).all()


@given(st.from_regex(r"[0-9]{8}", fullmatch=True))
def test_exactly_one_luhn_digit_completes_a_siren(prefix: str) -> None:
    candidates = pd.Series([prefix + str(d) for d in range(10)])
    assert (~codes.siren_problems(candidates)).sum() == 1


def test_iris_and_lists() -> None:
    assert codes.iris_code_problems(
        pd.Series(["593500101", "59350010A", "000000101"])
    ).tolist() == [
        False,
        True,
        True,
    ]
    assert codes.commune_list_problems(
        pd.Series(["97226", "9722697229", "972269", ""])
    ).tolist() == [
        False,
        False,
        True,
        True,
    ]


def test_grid_cells_are_multiples_of_200() -> None:
    ok = "CRS3035RES200mN3078600E3837400"
    assert codes.grid_cell_problems(
        pd.Series([ok, ok.replace("3078600", "3078650"), "x"])
    ).tolist() == [
        False,
        True,
        True,
    ]


def test_qpv_codes() -> None:
    got = codes.qpv_code_problems(pd.Series(["QP059001", "QN02A001", "QP97201", "QP0590011"]))
    assert got.tolist() == [False, False, True, True]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9 - 1), st.integers(0, 10**9 - 1))
def test_grid_cell_rule_is_multiples_of_200(north: int, east: int) -> None:
    import pandas as pd

    from mixite.core.codes import grid_cell_problems

    for n, e in ((north, east), (north - north % 200, east - east % 200)):
        bad = grid_cell_problems(pd.Series([f"CRS3035RES200mN{n}E{e}"]))[0]
        assert bad == (n % 200 != 0 or e % 200 != 0)
