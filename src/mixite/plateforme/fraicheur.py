"""How fresh the figures a request gets must be.

After a write (an import, a commission decision, forms sent through the API) every
figure the platform keeps is recomputed. Meanwhile, a request gets the previous
version's figures, and is told so (a banner on pages, the ``Mixite-Donnees: anterieures``
header on every response), except:

- the account or token that wrote, for two minutes after its write: it sees its own
  change, computed for it if need be (« le suivi des objectifs en tient compte »);
- the background computations themselves (:func:`a_jour`).

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

_frais: ContextVar[bool] = ContextVar("mixite_frais", default=False)
_anciens: ContextVar[bool] = ContextVar("mixite_anciens", default=False)

#: The response header that says the figures predate the latest write.
ENTETE = "Mixite-Donnees"


def exige() -> bool:
    """Whether the current request (or thread) needs figures of the latest version."""
    return _frais.get()


@contextmanager
def a_jour() -> Iterator[None]:
    """Within: figures of the latest version only (computed when missing)."""
    token = _frais.set(True)
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


def apres_ecriture(request: HttpRequest) -> None:
    """The logged-in account just wrote: fresh figures for it for a while."""
    request.session["mixite_frais_jusqu_a"] = time.time() + APRES_ECRITURE_S


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
        fresh = _frais.set(until > time.time())
        stale = _anciens.set(False)
        try:
            response: HttpResponse = self.get_response(request)  # type: ignore[operator]
            if _anciens.get():
                response[ENTETE] = "anterieures"
            return response
        finally:
            _anciens.reset(stale)
            _frais.reset(fresh)
