"""A small hand-made snapshot: 240 dwellings in 6 buildings, 4 IRIS, 2 communes, one
QPV, two landlords, and an applicant pool; every behaviour set by the test."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mixite.scenarios.departs import N_CELLULES
from mixite.scenarios.modele import (
    N_PROFILS,
    Demande,
    Departs,
    Instantane,
    Menages,
    Parc,
    Seuils,
    Zones,
)


def menages(n: int, rng: np.random.Generator) -> Menages:
    persons = rng.integers(1, 6, n)
    adults = np.minimum(persons, rng.integers(1, 3, n))
    children = persons - adults
    return Menages(
        personnes=persons,
        adultes=adults,
        enfants=children,
        moins_14=rng.binomial(children, 0.7),
        age=rng.integers(20, 85, n),
        ressources=rng.lognormal(np.log(18_000), 0.6, n),
        actifs=rng.binomial(adults, 0.5),
        monoparental=(adults == 1) & (children > 0),
        prioritaire=rng.random(n) < 0.3,
    )


def petit_instantane(*, depart: float = 0.1, n_demandeurs: int = 400, seed: int = 7) -> Instantane:
    rng = np.random.default_rng(seed)
    n = 240
    building = np.repeat(np.arange(6), 40)
    iris_of_building = np.array([0, 0, 1, 2, 3, 3])
    iris = iris_of_building[building]
    occupied = rng.random(n) < 0.95
    occupant = np.where(occupied, np.cumsum(occupied) - 1, -1)
    parc = Parc(
        entree=building * 2 + (np.arange(n) % 2),
        batiment=building,
        iris=iris,
        commune=np.array([0, 0, 1, 1])[iris],
        qpv=np.where(building < 2, 0, -1),
        bailleur=np.where(building % 2 == 0, 0, 1),
        contingent=np.arange(n) % 5,
        financement=np.arange(n) % 3,
        pieces=rng.integers(1, 6, n),
        collectif=np.ones(n, dtype=bool),
        loyer=250.0 + 60.0 * rng.integers(1, 6, n),
        charges=np.full(n, 90.0),
    )
    zones = Zones(
        entrees=tuple(f"E{i}" for i in range(12)),
        batiments=tuple(f"B{i}" for i in range(6)),
        iris=("IRIS-A1", "IRIS-A2", "IRIS-B1", "IRIS-B2"),
        communes=("A", "B"),
        qpv=("QPV-1",),
        bailleurs=("L1", "L2"),
        contingents=("prefecture", "action_logement", "collectivite", "bailleur", "autre"),
        commune_de_l_iris=np.array([0, 0, 1, 1]),
    )
    ceilings = 24_000.0 + 7_000.0 * np.arange(13)
    return Instantane(
        parc=parc,
        zones=zones,
        occupant=occupant,
        occupants=menages(int(occupied.sum()), rng),
        demandeurs=menages(n_demandeurs, rng),
        seuils=Seuils(2024, ceilings, ceilings * 1.1, 11_000.0, 12_000.0),
        departs=Departs(np.full(N_CELLULES, depart)),
        demande=Demande(0.05, 60.0, menages(500, rng)),
        profils_observes=np.full((2, 2, 5, N_PROFILS), 1 / N_PROFILS),
        veille_haut=np.tile([60.0, 50.0, 35.0, 1.3], (2, 1)),
        veille_bas=np.tile([50.0, 40.0, 25.0, 1.0], (2, 1)),
    )


@pytest.fixture
def instantane() -> Instantane:
    return petit_instantane()


def avec(inst: Instantane, **changes: object) -> Instantane:
    return dataclasses.replace(inst, **changes)
