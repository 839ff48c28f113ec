"""Replicates run as Dask tasks: a local cluster of processes by default, or an existing
scheduler by its address.

The snapshot and the prepared scenario are scattered once to every worker (no task
carries a copy, none reads the store). Replicate i draws from the i-th child of the
scenario's seed (``SeedSequence.spawn``), and results are gathered in replicate order:
a given seed gives the same figures whatever the number of workers. Each task returns
one batch of replicates, with the entrances' statuses already summed, so that the
memory of the driver grows with the replicates' aggregates, never with households.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from mixite.scenarios.modele import Instantane, Scenario
from mixite.scenarios.moteur import (
    NIVEAUX,
    STATUT_FRAGILE,
    Prepare,
    Resultat,
    preparer,
    simuler,
)

#: Environment of a worker process: glibc keeps freed memory for reuse (see :func:`client`).
ENVIRONNEMENT = {"MALLOC_MMAP_THRESHOLD_": 1 << 28, "MALLOC_TRIM_THRESHOLD_": 1 << 28}


@dataclass(frozen=True)
class Ensemble:
    """Every replicate's measures, stacked on a first axis (replicate order), and the
    entrances' statuses summed over replicates."""

    scenario: Scenario
    zones: dict[str, np.ndarray]  # level → (replicates, years + 1, zones, MESURES)
    medianes: dict[str, np.ndarray]  # level → (replicates, years + 1, zones)
    indices: np.ndarray  # (replicates, years + 1, INDICES)
    flux: np.ndarray  # (replicates, years, FLUX)
    objectifs: np.ndarray  # (replicates, years, constraints, 2)
    attributions: np.ndarray  # (replicates, years)
    par_bailleur: np.ndarray  # (replicates, years, landlords, ATTRIBUTIONS)
    #: (replicates, years + 1, 3): fragile entrances; of which fragile at the snapshot;
    #: entrances fragile at the snapshot that no longer are.
    rotation: np.ndarray
    #: (years + 1, entrances): in how many replicates each entrance is fragile.
    fragile_par_entree: np.ndarray
    statut_initial: np.ndarray  # (entrances,) status at the snapshot
    duree_s: float
    workers: int

    @property
    def replicats(self) -> int:
        return int(self.indices.shape[0])


def _lot(
    inst: Instantane, prep: Prepare, scenario: Scenario, graines: list[np.random.SeedSequence]
) -> dict[str, Any]:
    """A batch of replicates, reduced for the trip back to the driver."""
    runs: list[Resultat] = [simuler(inst, prep, scenario, g) for g in graines]
    statuses = np.stack([r.statuts for r in runs])  # (batch, years + 1, entrances)
    fragile = statuses == STATUT_FRAGILE
    initially = fragile[:, :1, :]
    rotation = np.stack(
        [
            fragile.sum(axis=2),
            (fragile & initially).sum(axis=2),
            (initially & ~fragile).sum(axis=2),
        ],
        axis=2,
    )
    return {
        "zones": {k: np.stack([r.zones[k] for r in runs]) for k in NIVEAUX},
        "medianes": {k: np.stack([r.medianes[k] for r in runs]) for k in NIVEAUX},
        "indices": np.stack([r.indices for r in runs]),
        "flux": np.stack([r.flux for r in runs]),
        "objectifs": np.stack([r.objectifs for r in runs]),
        "attributions": np.stack([r.attributions for r in runs]),
        "par_bailleur": np.stack([r.par_bailleur for r in runs]),
        "rotation": rotation,
        "fragile": fragile.sum(axis=0, dtype=np.int32),
        "initial": runs[0].statuts[0],
    }


@contextmanager
def client(cluster: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A Dask client: on the scheduler at ``cluster`` (``tcp://host:port``), or on a
    local cluster of ``workers`` single-threaded processes, closed on exit."""
    import logging

    from dask.distributed import Client, LocalCluster

    if cluster:
        c = Client(cluster, timeout="20s")
        try:
            yield c
        finally:
            c.close()
        return
    import dask

    # Dask sets MALLOC_TRIM_THRESHOLD_ in its workers, which freezes glibc's mmap
    # threshold at 128 KiB: every array of a replicate would then be mapped and unmapped
    # anew, twice as slow. Both thresholds are raised together (the same setting is
    # documented for workers started by hand).
    with dask.config.set(
        {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in ENVIRONNEMENT.items()}
    ):
        lc = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # The scheduler's HTTP endpoint on a free port: never a clash on 8787.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )
    with lc, Client(lc) as c:
        yield c


def lancer(
    inst: Instantane,
    scenario: Scenario,
    *,
    dask_client: Any | None = None,
    replicats: int | None = None,
    par_tache: int = 4,
    progression: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Run the scenario's replicates (``replicats`` overrides the scenario's count) on
    ``dask_client``, or in this process when it is None (the reference for tests)."""
    n = scenario.replicats if replicats is None else replicats
    if n < 1:
        raise ValueError(f"At least one replicate is needed; got {n}.")
    start = time.perf_counter()
    prep = preparer(inst, scenario)
    seeds = np.random.SeedSequence(scenario.graine).spawn(n)
    batches = [seeds[i : i + par_tache] for i in range(0, n, par_tache)]
    if dask_client is None:
        parts = []
        for k, b in enumerate(batches):
            parts.append(_lot(inst, prep, scenario, b))
            if progression:
                progression(min((k + 1) * par_tache, n), n)
        workers = 0
    else:
        from dask.distributed import as_completed

        # Fresh keys (hash=False): a second run must not share, then lose, the first's data.
        inst_f, prep_f = dask_client.scatter([inst, prep], broadcast=True, hash=False)
        futures = [
            dask_client.submit(_lot, inst_f, prep_f, scenario, b, pure=False) for b in batches
        ]
        position = {f.key: i for i, f in enumerate(futures)}
        results: list[dict[str, Any] | None] = [None] * len(futures)
        done = 0
        for fut in as_completed(futures):
            results[position[fut.key]] = fut.result()
            done += len(batches[position[fut.key]])
            if progression:
                progression(done, n)
            fut.release()
        parts = [r for r in results if r is not None]
        workers = len(dask_client.scheduler_info().get("workers", {}))
    return Ensemble(
        scenario=scenario,
        zones={k: np.concatenate([p["zones"][k] for p in parts]) for k in NIVEAUX},
        medianes={k: np.concatenate([p["medianes"][k] for p in parts]) for k in NIVEAUX},
        indices=np.concatenate([p["indices"] for p in parts]),
        flux=np.concatenate([p["flux"] for p in parts]),
        objectifs=np.concatenate([p["objectifs"] for p in parts]),
        attributions=np.concatenate([p["attributions"] for p in parts]),
        par_bailleur=np.concatenate([p["par_bailleur"] for p in parts]),
        rotation=np.concatenate([p["rotation"] for p in parts]),
        fragile_par_entree=np.sum([p["fragile"] for p in parts], axis=0),
        statut_initial=parts[0]["initial"],
        duree_s=time.perf_counter() - start,
        workers=workers,
    )
