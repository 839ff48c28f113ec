"""Scenario projection on the full twin: 10 years × 200 replicates of the social stock,
run on a local Dask cluster of 1 then 2 worker processes, side by side with the same
replicates in one plain Python process (no Dask), with throughput and ratios; then,
with ``--echelle4``, the memory of each worker on a scale-4 twin.

    python benchmarks/scenarios.py [--store mixite.duckdb] [--replicats 200] [--horizon 10]
                                   [--echelle4 jumeau-4.duckdb]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from
    the process that spawned it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("mixite.duckdb"))
    parser.add_argument("--replicats", type=int, default=200)
    parser.add_argument("--horizon", type=int, default=10)
    parser.add_argument("--scenario", default="statu-quo")
    parser.add_argument(
        "--sans-reference", action="store_true", help="ne pas mesurer le processus seul"
    )
    parser.add_argument(
        "--echelle4", type=Path, help="base d'un jumeau à l'échelle 4 (mémoire par processus)"
    )
    args = parser.parse_args()
    if not args.store.exists():
        print(f"{args.store} absent : lancez d'abord « make demo SERVEUR=0 ».")
        return 2
    import dataclasses

    from mixite.io.config_scenarios import load_scenario
    from mixite.io.scenarios import instantane, resoudre
    from mixite.io.store import Store
    from mixite.scenarios.monte_carlo import client, lancer

    t0 = time.perf_counter()
    inst, _ = instantane(Store(args.store))
    t_load = time.perf_counter() - t0
    scenario = dataclasses.replace(resoudre(load_scenario(args.scenario), Store(args.store)),
                                   horizon=args.horizon, replicats=args.replicats)  # fmt: skip
    social = int((inst.occupant >= 0).sum())
    years = args.replicats * args.horizon
    print(f"Instantané : {len(inst.parc)} logements, {social} ménages du parc social, "
          f"{len(inst.demandeurs)} demandes ouvertes ; lu et estimé en {t_load:.1f} s.")  # fmt: skip
    print(f"Scénario « {scenario.nom} » : {args.replicats} tirages × {args.horizon} ans "
          f"= {years} années-tirages de {social} ménages.")  # fmt: skip
    times: dict[str, float] = {}
    for workers in (1, 2):
        with client(workers=workers) as c:
            start = time.perf_counter()
            e = lancer(inst, scenario, dask_client=c)
            times[f"Dask, {workers} processus"] = time.perf_counter() - start
            rss = c.run(_peak_rss_mb)
        print(f"Dask, {workers} processus : {times[f'Dask, {workers} processus']:.1f} s, "
              f"{years / times[f'Dask, {workers} processus']:.0f} années-tirages/s ; mémoire de pointe "
              f"par processus : {', '.join(f'{v:.0f} Mo' for v in rss.values())}.")  # fmt: skip
    if not args.sans_reference:
        start = time.perf_counter()
        alone = lancer(inst, scenario)
        times["un processus, sans Dask (référence)"] = time.perf_counter() - start
        print(
            f"Un processus sans Dask (référence) : {times['un processus, sans Dask (référence)']:.1f} s."
        )
        assert (alone.indices == e.indices).all(), "the same seed must give the same figures"
    ref = times.get("un processus, sans Dask (référence)", times["Dask, 1 processus"])
    print("\n| exécution | durée | années-tirages/s | rapport à la référence |")
    print("|---|---|---|---|")
    for name, value in times.items():
        print(f"| {name} | {value:.1f} s | {years / value:.0f} | × {ref / value:.2f} |")
    print(
        f"\n2 processus / 1 processus : × {times['Dask, 1 processus'] / times['Dask, 2 processus']:.2f}."
    )
    if args.echelle4 is not None:
        inst4, _ = instantane(Store(args.echelle4))
        small = dataclasses.replace(scenario, replicats=4)
        with client(workers=2) as c:
            start = time.perf_counter()
            lancer(inst4, small, dask_client=c, par_tache=2)
            elapsed = time.perf_counter() - start
            rss = c.run(_peak_rss_mb)
        print(f"Échelle 4 : {int((inst4.occupant >= 0).sum())} ménages du parc social, 4 tirages × "
              f"{args.horizon} ans en {elapsed:.1f} s ; mémoire de pointe par processus : "
              f"{', '.join(f'{v:.0f} Mo' for v in rss.values())}.")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
