"""Statistical secrecy: primary and secondary suppression; totals cannot give a cell away."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mixite.core.secret import Count, Share, Statistic, apply_secrecy


def _table(counts: list[int]) -> pd.DataFrame:
    t = pd.DataFrame({"zone": [f"Z{i}" for i in range(len(counts))], "n": counts})
    total = pd.DataFrame({"zone": ["Total"], "n": [sum(counts)]})
    return pd.concat([t, total], ignore_index=True)


def test_primary_and_secondary() -> None:
    t = _table([40, 5, 30, 12])
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total")
    assert out.table["n"].isna().tolist() == [False, True, False, True, False]
    assert out.n_suppressed == 2


def test_two_primary_cells_need_no_secondary() -> None:
    t = _table([40, 5, 30, 3])
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total")
    assert out.table["n"].isna().tolist() == [False, True, False, True, False]


def test_zero_is_published_and_large_counts_stay() -> None:
    t = _table([0, 25, 30])
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total")
    assert out.n_suppressed == 0


def test_shares_follow_numerator_complement_and_base() -> None:
    t = pd.DataFrame(
        {
            "n": [100, 100, 100, 8, 0],
            "k": [50, 95, 5, 4, 0],
        }
    )
    t["part"] = t["k"] / t["n"].replace(0, np.nan)
    t["moyenne"] = [0.2, 0.3, 0.1, 0.5, np.nan]
    out = apply_secrecy(
        t, [Count("n"), Count("k"), Share("part", "k", "n"), Statistic("moyenne", "n")]
    )
    assert out.table["part"].isna().tolist() == [False, True, True, True, True]
    assert out.table["moyenne"].isna().tolist() == [False, False, False, True, True]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=8))
def test_no_suppressed_count_can_be_recovered_from_the_total(counts: list[int]) -> None:
    t = _table(counts)
    out = apply_secrecy(t, [Count("n")], total_rows=t["zone"] == "Total").table
    published = out["n"].to_numpy()
    detail = published[:-1]
    hidden = np.isnan(detail)
    # Every published count is 0 or at least 11.
    shown = detail[~hidden]
    assert ((shown == 0) | (shown >= 11)).all()
    # Subtracting published cells from the total never isolates one hidden cell.
    total_published = not np.isnan(published[-1])
    assert not (total_published and hidden.sum() == 1), f"a hidden cell can be recovered:\n{out}"
