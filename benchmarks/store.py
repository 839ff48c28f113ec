"""Import of a 10⁶-row household table: mixite (full validation + transactional write)
side by side with the tools users would otherwise reach for, in one run.

- ``pandas.read_csv`` + ``DataFrame.to_sql`` into SQLite (the usual script);
- DuckDB's own ``read_csv`` into a table (fastest possible, but checks nothing).

And the same import into the PostgreSQL store (``--postgresql URL`` of an empty
database, or a private server started for the run when Debian's PostgreSQL is
installed): the ratio to the embedded store is printed (target: at most 2).

Usage: ``python benchmarks/store.py [--rows 1000000] [--postgresql URL]``. Prints times
and ratios.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from mixite.core.model import TABLES_BY_NAME
from mixite.io import refdata
from mixite.io.exporters import write_import_csv
from mixite.io.importers import import_file
from mixite.io.store import Store
from mixite.twin.build import build_twin
from mixite.twin.params import TwinParameters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgresql", metavar="URL", help="base PostgreSQL vide")
    args = parser.parse_args()
    twin = build_twin(
        refdata.mel_sources(),
        refdata.plafonds_ressources(),
        refdata.premier_quartile(),
        TwinParameters(scale=1.0),
    )
    base = twin.tables["menages"]
    reps = int(np.ceil(args.rows / len(base)))
    big = pd.concat([base] * reps, ignore_index=True).iloc[: args.rows].copy()
    big["id_menage"] = [f"MEN-{i:08d}" for i in range(len(big))]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        csv = write_import_csv(big, TABLES_BY_NAME["menages"], d / "menages.csv")
        store = Store(d / "mixite.duckdb")
        for kind in ("bailleurs", "batiments", "entrees", "logements"):
            path = write_import_csv(twin.tables[kind], TABLES_BY_NAME[kind], d / f"{kind}.csv")
            import_file(kind, path, store)
        size_mb = csv.stat().st_size / 1e6
        print(f"menages.csv: {len(big):,} rows, {size_mb:.0f} MB")

        t = time.perf_counter()
        import_file("menages", csv, store)
        t_mixite = time.perf_counter() - t

        t = time.perf_counter()
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        with sqlite3.connect(d / "plain.sqlite") as con:
            frame.to_sql("menages", con, index=False, chunksize=100_000)
        t_sqlite = time.perf_counter() - t

        t = time.perf_counter()
        con2 = duckdb.connect(str(d / "plain.duckdb"))
        con2.execute(f"CREATE TABLE menages AS SELECT * FROM read_csv('{csv}')")
        con2.close()
        t_duck = time.perf_counter() - t

        t_pg = _postgresql(args.postgresql, d, twin, csv)

        t = time.perf_counter()
        agg = store.query(
            "SELECT code_commune, count(*) AS n, median(ressources_annuelles / unites_consommation) AS m "
            "FROM menages GROUP BY code_commune"
        )
        t_query = time.perf_counter() - t

    print(f"{'tool':<48}{'seconds':>10}{'ratio':>10}")
    for name, secs in (
        ("mixite importer (validated, transactional)", t_mixite),
        ("pandas read_csv + to_sql SQLite (no checks)", t_sqlite),
        ("DuckDB read_csv (no checks)", t_duck),
    ):
        print(f"{name:<48}{secs:>10.2f}{secs / t_mixite:>10.2f}")
    print(f"group-by median per commune on the store ({len(agg)} communes): {t_query:.3f} s")
    if t_pg is not None:
        print(f"{'mixite importer into PostgreSQL':<48}{t_pg:>10.2f}{t_pg / t_mixite:>10.2f}")
        print(f"PostgreSQL / embedded store: x {t_pg / t_mixite:.2f} (target: at most 2)")


def _postgresql(url: str | None, d: Path, twin: object, csv: Path) -> float | None:
    """Seconds of the same validated import into a PostgreSQL store (None without one)."""
    import contextlib
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests import postgres

    with contextlib.ExitStack() as stack:
        if url is None:
            if not postgres.disponible():
                print("PostgreSQL absent : comparaison omise (--postgresql URL)")
                return None
            url = postgres.nouvelle_base(stack.enter_context(postgres.serveur()))
        store = Store(url)
        for kind in ("bailleurs", "batiments", "entrees", "logements"):
            import_file(kind, d / f"{kind}.csv", store)
        t = time.perf_counter()
        import_file("menages", csv, store)
        return time.perf_counter() - t


if __name__ == "__main__":
    main()
