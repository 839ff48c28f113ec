"""One small twin shared by the twin tests (scale 0.02, the tests' scale)."""

from __future__ import annotations

import pytest

from mixite.io import refdata
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
