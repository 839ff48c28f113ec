"""How fresh the figures a request gets must be.

After a write (an import, a commission decision, forms sent through the API) every
figure the platform keeps is recomputed. Meanwhile, a request gets the previous
version's figures, and is told so (a banner on pages, the ``Mixite-Donnees: anterieures``
header on every response), except:

- the account or token that wrote, for two minutes after its write: it sees its own
  change, computed for it if need be (« le suivi des objectifs en tient compte »). A
  commission decision or a form needs the figures that read the allocations (the
  objectives' tracking, the commission's frame) fresh; an import, every figure;
- the background computations themselves (:func:`a_jour`).

While writes keep coming, the figures are recomputed in the background at most once
every ``settings.RECALCUL_S`` seconds (:mod:`mixite.plateforme.donnees`): readers get
figures at most that old, plus the time to compute them, and the processes that serve
pages are not kept busy recomputing after every decision.

Figures of an older version are published figures (secrecy applied), only older.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

#: Seconds after its own write during which an account or token waits for fresh figures.
APRES_ECRITURE_S = 120

#: The kinds of figures a writer waits for: those that read the allocations ("tout",
#: the data version counting every write) or every figure (also "peuplement").
ATTRIBUTIONS = frozenset({"tout"})
TOUTES = frozenset({"tout", "peuplement"})

_frais: ContextVar[frozenset[str]] = ContextVar("mixite_frais", default=frozenset())
_anciens: ContextVar[bool] = ContextVar("mixite_anciens", default=False)

#: The response header that says the figures predate the latest write.
ENTETE = "Mixite-Donnees"


def exige(kind: str) -> bool:
    """Whether the current request (or thread) needs the latest version of the figures
    of ``kind`` (the data version they depend on: "peuplement" or "tout")."""
    return kind in _frais.get()


@contextmanager
def a_jour(kinds: frozenset[str] = TOUTES) -> Iterator[None]:
    """Within: figures of the latest version only (computed when missing)."""
    token = _frais.set(kinds)
    try:
        yield
    finally:
        _frais.reset(token)


def signaler_anciens() -> None:
    """The request was given figures of an older version."""
    _anciens.set(True)


def anciens() -> bool:
    """Whether the request was given figures of an older version so far."""
    return _anciens.get()


def apres_ecriture(request: HttpRequest, kinds: frozenset[str] = TOUTES) -> None:
    """The logged-in account just wrote: fresh figures of ``kinds`` for it for a while."""
    session = request.session
    earlier = (
        session.get("mixite_frais", [])
        if session.get("mixite_frais_jusqu_a", 0) > time.time()
        else []
    )
    session["mixite_frais_jusqu_a"] = time.time() + APRES_ECRITURE_S
    session["mixite_frais"] = sorted(kinds | set(earlier))


def jeton_apres_ecriture(jeton_id: int) -> None:
    """An API token just wrote forms: fresh figures for it for a while."""
    from django.core.cache import cache

    cache.set(f"api-frais:{jeton_id}", True, APRES_ECRITURE_S)


def jeton_exige(jeton_id: int) -> bool:
    from django.core.cache import cache

    return bool(cache.get(f"api-frais:{jeton_id}"))


class Fraicheur:
    """Middleware: each request starts needing nothing fresh unless its account wrote
    lately; a response built on older figures carries :data:`ENTETE`."""

    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        until = session.get("mixite_frais_jusqu_a", 0) if session is not None else 0
        kinds = frozenset(session.get("mixite_frais", TOUTES)) if session is not None else TOUTES
        fresh = _frais.set(kinds if until > time.time() else frozenset())
        stale = _anciens.set(False)
        try:
            response: HttpResponse = self.get_response(request)  # type: ignore[operator]
            if _anciens.get():
                response[ENTETE] = "anterieures"
            return response
        finally:
            _anciens.reset(stale)
            _frais.reset(fresh)
