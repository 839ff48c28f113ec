"""Several platform processes share the published figures one of them computed, and
wait for each other instead of computing the same figures twice (issue 18: several
gunicorn processes under load)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mixite.core import model
from mixite.io.store import Store, Write
from mixite.plateforme import donnees, partage
from tests import suite_postgres

ROOT = Path(__file__).resolve().parents[2]
#: Communes of the 2 % twin, in a set: its order differs from one process to another.
COMMUNES = frozenset({"59350", "59009", "59512", "59599"})
SCOPE = "frozenset({'59599', '59512', '59009', '59350'})"


def _other_process(store_path: Path, code: str) -> str:
    """Run ``code`` in another Python process on the same store (another hash seed)."""
    from django.conf import settings

    where = suite_postgres.emplacement(store_path)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mixite.plateforme.settings",
           "MIXITE_STORE": where, "MIXITE_FICHIERS": str(settings.FICHIERS.parent),
           "PYTHONHASHSEED": "12345"}  # fmt: skip
    prelude = ("import django; django.setup()\nfrom mixite.plateforme import donnees\n"
               "from mixite.io.store import Store\n"
               f"store = Store({where!r}, partagee=True)\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", prelude + code], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_process_reads_the_figures_another_computed(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _other_process(store_path, f"print(donnees.chiffres_cles(store, {SCOPE})[0])")
    assert out.strip()
    computed = []
    monkeypatch.setattr(donnees, "_chiffres_cles", lambda *a: computed.append(a))
    store = Store(store_path, partagee=True)
    figures = donnees.chiffres_cles(store, COMMUNES)
    assert computed == [], "the figures were computed again"
    assert str(figures[0]) == out.strip()
    # Household-level frames are not written for the other processes.
    donnees.cadre_commission(store)
    folder = donnees.a_cote(".chiffres")
    assert {pickle.loads(f.read_bytes())[0][0] for f in folder.glob("*.pickle")} == {"chiffres"}
    assert folder.stat().st_mode & 0o077 == 0, "the folder is readable by others"


def test_after_a_write_the_other_processes_figures_are_the_previous_version(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that has not computed a figure yet serves another's older version while
    its own is computed in the background, and says so."""
    from mixite.plateforme import fraicheur

    _other_process(store_path, "donnees.table_veille(store, None)")
    store = Store(store_path)
    # A write to a table the population's figures read: a new data version.
    store.write([Write(model.BAILLEURS, store.read("bailleurs"), "test", replace_all=True)])
    shared = Store(store_path, partagee=True)
    held = threading.Event()
    monkeypatch.setattr(donnees, "_table_veille", lambda *a: held.wait(60) and None)
    table, notes = donnees.table_veille(shared, None)
    assert fraicheur.anciens() and len(table) > 0 and notes
    held.set()
    donnees._attendre_fils()


def test_one_process_computes_a_figure_while_the_others_wait(store_path: Path) -> None:
    key = ("chiffres", str(store_path), ("peuplement", 1), None)
    inside: list[float] = []

    def hold() -> None:
        with partage.verrou(key):
            inside.append(time.monotonic())
            time.sleep(1.0)

    first = threading.Thread(target=hold)
    first.start()
    while not inside:
        time.sleep(0.01)
    t0 = time.monotonic()
    with partage.verrou(key):
        waited = time.monotonic() - t0
    first.join()
    assert waited >= 0.8
    # A later version is not replaced by an earlier one written late.
    partage.ecrire(("chiffres", str(store_path), ("peuplement", 5), None), "cinq")
    partage.ecrire(key, "un")
    assert partage.lire(key) == (("peuplement", 5), "cinq")


def test_the_background_recomputes_shared_figures_in_a_process_of_its_own(
    store_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a write, the stale figures' recomputation runs in the figures' child
    process (niced); the serving process reads its result from the shared folder."""
    from mixite.plateforme import fraicheur

    settings.CALCULS_A_PART = True
    shared = Store(store_path, partagee=True)
    before = donnees.chiffres_cles(shared, None)
    store = Store(store_path)
    store.write([Write(model.BAILLEURS, store.read("bailleurs"), "test", replace_all=True)])

    def not_here(*args: object) -> None:
        raise AssertionError("computed in the serving process")

    monkeypatch.setattr(donnees, "_chiffres_cles", not_here)
    fraicheur._anciens.set(False)
    assert donnees.chiffres_cles(shared, None)[0] == before[0] and fraicheur.anciens()
    donnees._attendre_fils()
    fraicheur._anciens.set(False)
    after = donnees.chiffres_cles(shared, None)
    assert not fraicheur.anciens(), "the recomputed figures were not found"
    assert after[0] == before[0]  # the same landlords written again: the same figures


def test_the_warm_up_runs_in_the_figures_process(store_path: Path, settings: Any) -> None:
    settings.CALCULS_A_PART = True
    shared = Store(store_path, partagee=True)
    donnees.rechauffer(shared).join(300)
    written = donnees.a_cote(".chiffres").glob("*.pickle")
    names = {pickle.loads(f.read_bytes())[0][0] for f in written}
    assert names == {"chiffres", "evolution", "carte-fragilite", "carte-typologie",
                     "carte-mixite", "indicateurs"}  # fmt: skip
    here = {key[0] for key in donnees._cache if key[1].startswith(shared.nom)}
    assert here.isdisjoint(names), "computed in the serving process"


def test_fresh_figures_are_computed_in_a_child_process_not_behind_the_background(
    store_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request that must have the latest figures (its account just wrote) has them
    computed in a child process, not in the serving one (whose pages would wait
    meanwhile), and does not queue behind a warm-up pass or the recomputations of the
    background, which have their own."""
    import signal

    from mixite.io import queries
    from mixite.plateforme import a_part, fraicheur

    settings.CALCULS_A_PART = True
    shared = Store(store_path, partagee=True)
    children = [a_part.executer(kind, os.getpid) for kind in ("rechauffe", "chiffres")]
    busy = [a_part.executeur(kind).submit(time.sleep, 120) for kind in ("rechauffe", "chiffres")]

    def not_here(*args: object) -> None:
        raise AssertionError("computed in the serving process")

    monkeypatch.setattr(queries, "allocations_in_context", not_here)
    try:
        t0 = time.perf_counter()
        with fraicheur.a_jour():
            suivi, notes = donnees.suivi_objectifs(shared, "loi-2017")
        assert time.perf_counter() - t0 < 100 and not any(b.done() for b in busy)
        assert len(suivi.published) > 0 and notes
    finally:
        for pid in children:
            os.kill(pid, signal.SIGKILL)  # the next computation gets a new process
