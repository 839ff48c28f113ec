"""One small twin shared by the twin tests (scale 0.02, the tests' scale)."""

from __future__ import annotations

import numpy as np
import pytest

from mixite.core.model import MENAGES
from mixite.io import refdata
from mixite.io.commission import _typed
from mixite.io.store import Store, Write
from mixite.twin.build import Twin, build_twin
from mixite.twin.params import TwinParameters

SCALE = 0.02


def make_twin(scale: float = SCALE, seed: int = 2014) -> Twin:
    return build_twin(
        refdata.mel_sources(),
        refdata.plafonds_ressources(),
        refdata.premier_quartile(),
        TwinParameters(scale=scale, seed=seed),
    )


@pytest.fixture(scope="session")
def twin() -> Twin:
    return make_twin()


def millesime_anterieur(store: Store, *, absents: int = 0, plus_riches: float = 1.0) -> None:
    """Give ``store`` an earlier vintage: the same households a year before (ids
    suffixed « -avant »), one in ``absents`` (by id) not yet there, and those of every
    other IRIS (by code) ``plus_riches`` times richer then."""
    now = store.read("menages")
    before = now.sort_values("id_menage").reset_index(drop=True)
    if absents:
        before = before[before.index % absents != 0]
    iris = np.sort(before["code_iris"].dropna().unique())
    richer = before["code_iris"].isin(iris[::2])
    money = before["ressources_annuelles"]
    before = before.assign(
        id_menage=before["id_menage"] + "-avant",
        millesime=before["millesime"] - 1,
        ressources_annuelles=money.where(~richer, (money * plus_riches).round()).astype(
            money.dtype
        ),
    )
    # Rows as read (money in euros) typed again for writing, as a decision's household.
    store.write([Write(MENAGES, _typed(before, MENAGES, store), "tests : millésime antérieur")])
