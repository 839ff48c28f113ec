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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

#: How much lower the children's priority is (``nice``).
PRIORITE = 10

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
                initializer=os.nice, initargs=(PRIORITE,),
            )  # fmt: skip
        return _executeurs[nom]


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
