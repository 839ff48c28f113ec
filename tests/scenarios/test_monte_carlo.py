"""Replicates on Dask: the same figures for a seed whatever runs them, and an external
scheduler reached by its address."""

from __future__ import annotations

import numpy as np
import pytest

from mixite.scenarios.modele import Scenario
from mixite.scenarios.monte_carlo import ENVIRONNEMENT, Ensemble, client, lancer
from tests.scenarios.conftest import petit_instantane

SCENARIO = Scenario("s", horizon=3, replicats=6, graine=11)


def same(a: Ensemble, b: Ensemble) -> None:
    assert np.array_equal(a.indices, b.indices, equal_nan=True)
    assert np.array_equal(a.flux, b.flux)
    assert np.array_equal(a.rotation, b.rotation)
    assert np.array_equal(a.fragile_par_entree, b.fragile_par_entree)
    for level in a.zones:
        assert np.array_equal(a.zones[level], b.zones[level])


def test_same_seed_same_figures_with_one_or_two_workers_or_none() -> None:
    inst = petit_instantane()
    alone = lancer(inst, SCENARIO, par_tache=4)
    with client(workers=1) as c:
        one = lancer(inst, SCENARIO, dask_client=c, par_tache=1)
        assert one.workers == 1
    with client(workers=2) as c:
        two = lancer(inst, SCENARIO, dask_client=c, par_tache=2)
        assert two.workers == 2
    same(alone, one)
    same(alone, two)
    assert alone.replicats == 6
    # Replicates differ from one another (each its own seed).
    assert not np.array_equal(alone.flux[0], alone.flux[1])


def test_an_external_scheduler_by_its_address() -> None:
    """A scheduler and a worker started apart (as on a server), reached by address."""
    import dask
    from dask.distributed import LocalCluster

    inst = petit_instantane()
    with dask.config.set(
        {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in ENVIRONNEMENT.items()}
    ):
        cluster = LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
    with cluster, client(cluster.scheduler_address) as c:
        remote = lancer(inst, SCENARIO, dask_client=c)
        assert remote.workers == 1
    same(remote, lancer(inst, SCENARIO))


def test_no_replicate_is_refused() -> None:
    with pytest.raises(ValueError, match="At least one replicate"):
        lancer(petit_instantane(), SCENARIO, replicats=0)
