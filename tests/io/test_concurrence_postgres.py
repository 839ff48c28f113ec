"""Ten clients at once on the PostgreSQL store: allocation forms imported and commission
decisions recorded concurrently lose nothing and duplicate nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mixite.cli.main import main
from mixite.core.model import TABLES_BY_NAME
from mixite.io.exporters import export_table
from mixite.io.store import Store
from mixite.io.transfert import copier_base


def test_ten_clients_import_forms_and_decide_at_once(
    jumeau_2pct: Path, base_postgres: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pg = Store(base_postgres)
    copier_base(Store(jumeau_2pct), pg)
    before, journal = pg.count("attributions"), len(pg.imports_journal())
    rows = pg.read("attributions").head(60).reset_index(drop=True)
    rows["id_attribution"] = [f"ATT-95{k:05d}" for k in range(len(rows))]
    forms = []
    for k in range(10):  # ten forms of six allocations, all new
        path = tmp_path / f"fiche-{k}.csv"
        export_table(rows.iloc[6 * k : 6 * k + 6], TABLES_BY_NAME["attributions"], path)
        forms.append(path)
    again = tmp_path / "fiche-0-bis.csv"  # the first form sent a second time, at once
    again.write_bytes(forms[0].read_bytes())
    vacant = pg.query(
        "SELECT l.id_logement, b.code_bailleur FROM logements l JOIN entrees e USING (id_entree) "
        "JOIN batiments b USING (id_batiment) WHERE l.vacant ORDER BY l.id_logement LIMIT 4"
    )
    active = sorted(pg.read("demandes", ["id_demande"], where="statut = 'active'")["id_demande"])
    calls = [
        ["importer", "attributions", str(f), "--store", base_postgres] for f in [*forms, again]
    ]
    calls += [["commission", "decision", "--logement", str(v.id_logement), "--demande", active[i],
               "--decision", "attribution", "--nominatif", f"bailleur:{v.code_bailleur}",
               "--date", "2026-11-15", "--store", base_postgres]
              for i, v in enumerate(vacant.itertuples())]  # fmt: skip
    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(main, calls))
    capsys.readouterr()
    # Form 0 sent twice at once: whichever came second was refused (its keys were
    # stored when its turn came), in French, and wrote nothing.
    assert sorted([codes[0], codes[10]]) == [0, 2]
    assert codes[1:10] == [0] * 9 and codes[11:] == [0] * len(vacant)
    stored = pg.read("attributions")
    assert stored["id_attribution"].is_unique
    assert len(stored) == before + 60 + len(vacant)
    assert set(rows["id_attribution"]) <= set(stored["id_attribution"])
    assert len(pg.imports_journal()) >= journal + 10
    assert pg.verify_journals() == []
    decided = pg.read("demandes", where=f"id_demande IN ({', '.join(repr(a) for a in active[:4])})")
    assert set(decided["statut"]) == {"attribuee"}


KILLED_WRITER = """
import sys, pandas as pd
from mixite.core.model import TABLES_BY_NAME
from mixite.io.store import Store, Write
store = Store(sys.argv[1])
rows = store.read("menages")
big = pd.concat([rows] * 200, ignore_index=True)
big["id_menage"] = [f"M-X{k:08d}" for k in range(len(big))]
store.write([Write(TABLES_BY_NAME["menages"], big, "gros.csv")])
"""


def test_a_killed_import_leaves_the_store_as_it_was(
    jumeau_2pct: Path, base_postgres: str, tmp_path: Path
) -> None:
    """The importing process is killed while its rows stream into the database: the
    server rolls its transaction back; counts and journals are those of before."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psycopg

    pg = Store(base_postgres)
    copier_base(Store(jumeau_2pct), pg)
    before = pg.count("menages"), len(pg.imports_journal())
    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), base_postgres])
    try:
        with psycopg.connect(base_postgres, autocommit=True) as watch:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                busy = watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%%menages%%' "
                    "AND state = 'active'"
                ).fetchone()
                if busy and busy[0]:
                    break
                time.sleep(0.02)
            assert proc.poll() is None, "the writer finished before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert (pg.count("menages"), len(pg.imports_journal())) == before
    assert pg.verify_journals() == []
