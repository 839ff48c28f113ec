"""The observatory's per-zone computations against the pandas idioms they replaced,
side by side in one run, on the twin (scale 1 by default).

- entrance watch variables: one vectorised ``groupby`` per column against
  ``groupby.apply`` with a lambda per entrance (the previous code);
- person-weighted median standard of living per zone: one sort for all zones against a
  Python loop over zones (the previous code);
- the indicators of every level published together (secrecy across levels).

Usage: ``python benchmarks/observatoire.py [--scale 0.25]``. Prints times and ratios, and
checks that both ways give the same values.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mixite.io import refdata
from mixite.observatoire.indicateurs import LEVELS, flags, grouped_weighted_median
from mixite.observatoire.publication import publier_niveaux
from mixite.observatoire.veille import entrance_variables
from mixite.twin.build import build_twin
from mixite.twin.params import TwinParameters


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def report(name: str, ours: float, theirs: float, how: str) -> None:
    print(f"{name:<52} mixite {ours:7.3f} s   before {theirs:7.3f} s  {theirs / ours:6.0f}×  {how}")


def _apply_variables(h: pd.DataFrame, under: pd.Series) -> pd.DataFrame:
    g = h.assign(_sous40=under.to_numpy(dtype=bool)).groupby("id_entree")
    return pd.DataFrame(
        {
            "part_sans_actif": g["nb_actifs_occupes"].apply(lambda s: (s == 0).mean() * 100),
            "part_monoparentales": g["type_menage"].apply(
                lambda s: (s == "monoparental").mean() * 100
            ),
        }
    )


def _loop_median(zone: pd.Series, values: np.ndarray, weights: np.ndarray) -> pd.Series:
    out = {}
    for key, idx in zone.groupby(zone, sort=False).indices.items():
        v, inverse = np.unique(values[idx], return_inverse=True)
        w = np.bincount(inverse, weights=weights[idx])
        cum = np.cumsum(w)
        out[key] = float(np.interp(0.5, (cum - w / 2) / cum[-1], v))
    return pd.Series(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    twin = build_twin(
        refdata.mel_sources(),
        refdata.plafonds_ressources(),
        refdata.premier_quartile(),
        TwinParameters(scale=args.scale, seed=2014),
    )
    tables = twin.tables
    hh = tables["menages"]
    lg = tables["logements"][["id_logement", "id_entree"]]
    en = tables["entrees"][["id_entree", "id_batiment"]]
    bt = tables["batiments"][["id_batiment", "code_bailleur", "code_qpv"]]
    cm = tables["communes"][["code_commune", "code_territoire", "code_epci"]]
    hh = (
        hh.merge(lg, on="id_logement", how="left")
        .merge(en, on="id_entree", how="left")
        .merge(bt, on="id_batiment", how="left")
        .merge(cm, on="code_commune", how="left")
    )
    year = int(hh["millesime"].max())
    f = flags(hh, refdata.plafonds_ressources(), millesime=year, zone=3, seuil_pauvrete=12_000)
    social = hh.dropna(subset=["id_entree"])
    under = f.loc[social.index, "sous_40_plus"]
    print(
        f"Jumeau à l'échelle {args.scale:g} : {len(hh):,} ménages, {social['id_entree'].nunique():,} entrées"
    )

    theirs, before = timed(lambda: _apply_variables(social, under))
    ours, after = timed(lambda: entrance_variables(social, under))
    for col in before.columns:
        np.testing.assert_allclose(before[col], after[col].reindex(before.index))
    report("entrance watch variables", ours, theirs, "same values")

    zone = social["id_entree"].astype(str)
    nv, w = (
        f.loc[social.index, "niveau_de_vie"].to_numpy(),
        f.loc[social.index, "personnes"].to_numpy(),
    )
    theirs, before_m = timed(lambda: _loop_median(zone, nv, w))
    codes, uniques = pd.factorize(zone)

    def vectorised() -> pd.Series:
        return pd.Series(
            grouped_weighted_median(codes.astype(np.int64), nv, w, len(uniques)), index=uniques
        )

    ours, after_m = timed(vectorised)
    np.testing.assert_allclose(before_m.sort_index(), after_m.sort_index(), rtol=1e-12)
    report("weighted median per entrance", ours, theirs, "same values")

    levels = [lv for lv in LEVELS if lv in hh.columns]
    elapsed, _ = timed(lambda: publier_niveaux({year: (hh, f)}, levels))
    print(
        f"{'indicators of all ' + str(len(levels)) + ' levels, secrecy across them':<52} mixite {elapsed:7.3f} s"
    )


if __name__ == "__main__":
    main()
