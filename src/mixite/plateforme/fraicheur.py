"""How fresh the figures a request gets must be.

After a write (an import, a commission decision, forms sent through the API) every
figure the platform keeps is recomputed. Meanwhile, a request gets the previous
version's figures, and is told so (a banner on pages, the ``Mixite-Donnees: anterieures``
header on every response), except:

- the account or token that wrote, for two minutes after its write: it sees its own
  change, computed for it if need be (« le suivi des objectifs en tient compte »). A
  commission decision or a form needs the figures that read the allocations (the
  objectives' tracking, the commission's frame) of a version that counts it; an import,
  every figure. Figures of a later version do too: while other writers keep writing,
  they are not computed again for each;
- the background computations themselves (:func:`a_jour`).

While writes keep coming, the figures are recomputed in the background at most once
every ``settings.RECALCUL_S`` seconds (:mod:`mixite.plateforme.donnees`): readers get
figures at most that old, plus the time to compute them, and the processes that serve
pages are not kept busy recomputing after every decision.

Figures of an older version are published figures (secrecy applied), only older.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

from django.http import HttpRequest, HttpResponse

#: Seconds after its own write during which an account or token waits for fresh figures.
APRES_ECRITURE_S = 120

#: The kinds of figures a writer waits for: those that read the allocations ("tout",
#: the data version counting every write) or every figure (also "peuplement").
ATTRIBUTIONS = frozenset({"tout"})
TOUTES = frozenset({"tout", "peuplement"})

#: The version a background computation needs: the latest, whatever it is.
DERNIERE = 1 << 62

#: Per kind of data version: the earliest version the request may be given.
_frais: ContextVar[Mapping[str, int]] = ContextVar("mixite_frais", default=MappingProxyType({}))
_anciens: ContextVar[bool] = ContextVar("mixite_anciens", default=False)

#: The response header that says the figures predate the latest write.
ENTETE = "Mixite-Donnees"


def exige(kind: str) -> int | None:
    """The earliest version of the figures of ``kind`` (the data version they depend on:
    "peuplement" or "tout") the current request (or thread) may be given: ``None`` when
    any will do, :data:`DERNIERE` when only the latest will."""
    return _frais.get().get(kind)


@contextmanager
def a_jour(kinds: frozenset[str] = TOUTES) -> Iterator[None]:
    """Within: figures of the latest version only (computed when missing)."""
    with depuis(dict.fromkeys(kinds, DERNIERE)):
        yield


@contextmanager
def depuis(versions: Mapping[str, int]) -> Iterator[None]:
    """Within: figures of at least these versions (per kind)."""
    token = _frais.set(dict(versions))
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


def apres_ecriture(request: HttpRequest, versions: Mapping[str, int] | None = None) -> None:
    """The logged-in account just wrote: for a while, figures of at least ``versions``
    (per kind, those just after its write) for it; without them (an import still to
    run), every figure of the latest version."""
    if versions is None:
        versions = dict.fromkeys(TOUTES, DERNIERE)
    session = request.session
    earlier = _versions(session) if session.get("mixite_frais_jusqu_a", 0) > time.time() else {}
    session["mixite_frais_jusqu_a"] = time.time() + APRES_ECRITURE_S
    session["mixite_frais"] = {
        k: max(n, earlier.get(k, 0)) for k, n in {**earlier, **versions}.items()
    }


def _versions(session: Any) -> dict[str, int]:
    """The versions a session's account waits for (a list of kinds: the latest)."""
    kept = session.get("mixite_frais", {})
    if isinstance(kept, list):  # written before the versions were kept
        return dict.fromkeys(kept, DERNIERE)
    return {str(k): int(n) for k, n in kept.items()}


def jeton_apres_ecriture(jeton_id: int, versions: Mapping[str, int]) -> None:
    """An API token just wrote forms: figures of at least ``versions`` for it for a while."""
    from django.core.cache import cache

    cache.set(f"api-frais:{jeton_id}", dict(versions), APRES_ECRITURE_S)


def jeton_exige(jeton_id: int) -> dict[str, int]:
    """The versions a token waits for since its latest write (none: empty)."""
    from django.core.cache import cache

    kept = cache.get(f"api-frais:{jeton_id}")
    return dict(kept) if isinstance(kept, dict) else {}


class Fraicheur:
    """Middleware: each request starts needing nothing fresh unless its account wrote
    lately; a response built on older figures carries :data:`ENTETE`."""

    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        until = session.get("mixite_frais_jusqu_a", 0) if session is not None else 0
        fresh = _frais.set(_versions(session) if until > time.time() else {})
        stale = _anciens.set(False)
        try:
            response: HttpResponse = self.get_response(request)  # type: ignore[operator]
            if _anciens.get():
                response[ENTETE] = "anterieures"
            return response
        finally:
            _anciens.reset(stale)
            _frais.reset(fresh)
