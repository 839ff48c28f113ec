"""Processes of their own, at a lower priority, for the platform's long computations.

A gunicorn process serves pages from several threads, but Python runs one of them at a
time: a computation of seconds in one thread (OpenFisca's housing benefit for the
commission's candidates, the territory's figures after a write) made every page of the
process wait as long. Each such computation runs here in a child process of the
serving process (one per kind, spawned at first use: a fork of a threaded server could
inherit a lock another thread held), niced: the operating system serves the pages
first, the computation takes the processor time left, and the serving thread waits for
its result without holding the interpreter.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

#: How much lower the children's priority is (``nice``).
PRIORITE = 10

#: How often a child checks that its parent is still there (seconds).
VEILLE_S = 1.0

T = TypeVar("T")

_lock = threading.Lock()
_executeurs: dict[str, ProcessPoolExecutor] = {}


def executeur(nom: str) -> ProcessPoolExecutor:
    """The child process of kind ``nom`` (started, niced, at the first call)."""
    with _lock:
        if nom not in _executeurs:
            import multiprocessing

            _executeurs[nom] = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_enfant, initargs=(PRIORITE, os.getpid()),
            )  # fmt: skip
        return _executeurs[nom]


def _enfant(priorite: int, parent: int) -> None:
    """A child's start: niced, and gone as soon as its parent is. A serving process
    killed (gunicorn's timeout, a restart) left its children running on their own, a
    gigabyte of memory each, and they computed on: three benchmark runs in a row served
    the third with the first two's children still taking processor time."""
    os.nice(priorite)

    def veiller() -> None:
        while os.getppid() == parent:
            time.sleep(VEILLE_S)
        os._exit(0)  # orphaned: nobody will ask for the result

    threading.Thread(target=veiller, name="mixite-veille-parent", daemon=True).start()


def executer(nom: str, fonction: Callable[..., T], *args: Any) -> T:
    """``fonction(*args)`` in the child of kind ``nom``; its exceptions are raised here.
    A child that died (killed, out of memory) is replaced once."""
    for attempt in (1, 2):
        child = executeur(nom)
        try:
            return child.submit(fonction, *args).result()
        except BrokenProcessPool:
            with _lock:
                if _executeurs.get(nom) is child:
                    del _executeurs[nom]
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
