"""The commission's candidate search runs in a niced process of its own and gives what
the search gives in the serving process (issue 18: pages under load)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest

from mixite.commission.recherche import rechercher, resume_menage
from mixite.errors import InvalidDataError, ReferenceDataError
from mixite.io import refdata
from mixite.io.commission import apl_dans, logement, priorites_des_demandes
from mixite.io.config import load_commission
from mixite.io.store import Store
from mixite.plateforme import recherche
from tests import suite_postgres

DATE = dt.date(2026, 10, 31)


def _vacant(store: Store, plai: bool) -> list[str]:
    rows = store.query(
        "SELECT l.id_logement FROM logements l JOIN entrees e USING (id_entree) JOIN batiments b "
        "USING (id_batiment) WHERE l.vacant AND NOT b.individuel AND "
        + ("l.financement = 'PLAI'" if plai else "l.financement <> 'PLAI'")
        + " ORDER BY 1 LIMIT 3"
    )
    return list(rows["id_logement"].astype(str))


def test_the_child_finds_the_candidates_the_search_finds(jumeau_2pct: Path) -> None:
    store = Store(jumeau_2pct)
    apps = store.read("demandes")
    prio, points, reasons = priorites_des_demandes(apps, DATE)
    for ident in _vacant(store, plai=False):
        dwelling = logement(store, ident)
        for ignore in (True, False):
            shown, steps, notes = recherche.chercher(
                suite_postgres.emplacement(jumeau_2pct), ("peuplement", 1), dwelling, DATE, ignore
            )
            here = rechercher(dwelling, apps, plafonds=refdata.plafonds_ressources(),
                              regles=load_commission(None), date=DATE, prioritaire=prio,
                              cotation=points, motifs_priorite=reasons,
                              apl=apl_dans(dwelling, DATE), ignorer_souhaits=ignore,
                              apl_pour=20)  # fmt: skip
            top = here.candidats.head(20).copy()
            top["menage"] = resume_menage(top)
            pd.testing.assert_frame_equal(shown, top[recherche.COLONNES])
            pd.testing.assert_frame_equal(steps, here.etapes)
            assert notes == here.notes
    assert len(shown) > 0


def test_the_childs_refusals_reach_the_page_whole(jumeau_2pct: Path) -> None:
    """The reference data lack the 2026 PLAI ceilings: the child's error comes back as
    itself (the page says it in French, HTTP 422); an unknown store, as a French error."""
    store = Store(jumeau_2pct)
    plai = _vacant(store, plai=True)
    if not plai:
        pytest.skip("no vacant PLAI dwelling in the 2 % twin")
    with pytest.raises(ReferenceDataError, match="PLAI"):
        recherche.chercher(
            suite_postgres.emplacement(jumeau_2pct),
            ("peuplement", 1),
            logement(store, plai[0]),
            DATE,
            True,
        )
    error = InvalidDataError.single("demandes", "règle", row=3, column="c", value="v")
    import pickle

    again = pickle.loads(pickle.dumps(error))
    assert again.report() == error.report() and again.total == 1


def test_the_child_runs_at_a_lower_priority() -> None:
    from mixite.plateforme.a_part import PRIORITE, executer

    assert executer("recherche", os.nice, 0) - os.nice(0) == PRIORITE


def test_a_child_leaves_when_its_parent_dies() -> None:
    """A serving process killed without a word (gunicorn's timeout): its child does not
    stay behind."""
    import subprocess
    import sys
    import time

    script = (
        "import os, sys\n"
        "from mixite.plateforme.a_part import executer\n"
        "print(executer('essai', os.getpid), flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True)  # fmt: skip
    child = int(out.stdout.strip())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _vivant(child):
        time.sleep(0.2)
    assert not _vivant(child)


def _vivant(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, already finished, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


def test_a_child_that_died_is_replaced() -> None:
    import signal

    from mixite.plateforme.a_part import executer

    first = executer("essai", os.getpid)
    os.kill(first, signal.SIGKILL)
    second = executer("essai", os.getpid)
    assert second != first and second != os.getpid()
