"""Figures shared by the platform's processes.

Several gunicorn processes each keep their figures in memory
(:mod:`mixite.plateforme.donnees`). Without sharing, each would compute the territory's
figures again after every write — the same minutes of computation once per process.
Here, the figures one process computed are written to a folder of the platform
(``…chiffres``, beside the store's file or under ``MIXITE_FICHIERS``); another process
reads them instead of computing them, and while one process computes a figure, the
others wait for it (a lock file per figure) rather than computing it too.

Only published figures are shared — tables with secrecy applied, maps, the objectives'
tracking (:data:`PARTAGES`) — never household-level frames (the commission's frame,
the applications, the households behind a publication): what the folder holds is what
the pages show. It is the platform's own (created readable by its account only): the
files are Python pickles, which a process loads as it trusts them.

One file per figure (its name and parameters); it holds the latest version computed,
so a process that starts, or has not seen a figure yet, can also serve the previous
version while the new one is computed (stale-while-revalidate, as in memory).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Figures written for the other processes (the name that starts their key).
PARTAGES = frozenset({
    "chiffres", "indicateurs", "table-veille", "objectifs", "evolution", "carte-fragilite",
    "carte-typologie", "carte-mixite", "carte-indicateur",
})  # fmt: skip


def _canonique(value: Any) -> Any:
    """A key's parts in an order that does not depend on the process (sets sorted)."""
    if isinstance(value, frozenset | set):
        return ("ensemble", *sorted(_canonique(v) for v in value))
    if isinstance(value, tuple | list):
        return tuple(_canonique(v) for v in value)
    return value


def _dossier() -> Path:
    from mixite.plateforme.donnees import a_cote

    folder = a_cote(".chiffres")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _fichier(logique: tuple[Any, ...]) -> Path:
    digest = hashlib.sha256(repr(_canonique(logique)).encode()).hexdigest()[:32]
    return _dossier() / f"{digest}.pickle"


def partage(key: tuple[Any, ...]) -> bool:
    """Whether ``key``'s figures are shared with the platform's other processes:
    published figures, in a process of the platform (a command's report, outside
    Django, computes its own and writes nothing beside the platform's store)."""
    from django.conf import settings

    return str(key[0]) in PARTAGES and settings.configured


def _version(key: tuple[Any, ...]) -> tuple[str, int]:
    kind, number = key[2]
    return str(kind), int(number)


def logique(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A figure's key without its data version."""
    return (key[0], key[1], *key[3:])


def lire(key: tuple[Any, ...]) -> tuple[tuple[str, int], Any] | None:
    """The version of ``key``'s figure another process wrote, and its value (None when
    no process wrote one, or the file cannot be read)."""
    path = _fichier(logique(key))
    try:
        with path.open("rb") as f:
            stored_key, value = pickle.load(f)  # the platform's own files (see above)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    if _canonique(logique(stored_key)) != _canonique(logique(key)):
        return None  # two figures with the same digest: not this one
    return _version(stored_key), value


def ecrire(key: tuple[Any, ...], value: Any) -> None:
    """Write ``key``'s figure for the other processes (whole, or not at all), unless a
    later version is already there."""
    found = lire(key)
    if found is not None and found[0][0] == _version(key)[0] and found[0][1] > _version(key)[1]:
        return
    path = _fichier(logique(key))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ecrit-")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def verrou(key: tuple[Any, ...]) -> Iterator[None]:
    """Held by the one process computing ``key``'s figure (any version); the others wait."""
    path = _fichier(logique(key)).with_suffix(".verrou")
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
