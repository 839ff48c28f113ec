"""Security headers Django does not set by itself, on every response; the journals'
actor; mixite's own errors shown in French instead of a server error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

#: Only the platform's own files: no CDN, no inline script from elsewhere.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class EntetesDeSecurite:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class Acteur:
    """The journals record the logged-in account and its organisation's scope, not the
    system user the server runs as."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from mixite.io.store import en_tant_que
        from mixite.plateforme.acces import lecteur

        v = lecteur(request.user)
        if v is None:
            return self.get_response(request)
        with en_tant_que(f"{v.compte} ({v.perimetre})"):
            return self.get_response(request)


class ErreursMixite:
    """An error mixite raises on purpose (reference data missing, the database out of
    reach) becomes a French page instead of a server error: 503 when the store cannot
    be reached (the next request reconnects), 422 otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from mixite.errors import MixiteError, ReferenceDataError, StoreError

        if not isinstance(exception, MixiteError):
            return None
        if isinstance(exception, StoreError):
            title, status = "Base momentanément indisponible", 503
            text = f"La base ne peut pas être lue pour l'instant ({exception}). Réessayez dans un instant."
        elif isinstance(exception, ReferenceDataError):
            title, status = "Données de référence manquantes", 422
            text = f"Rien n'est deviné : {exception}"
        else:
            title, status = "Demande impossible", 422
            text = str(exception)
        return render(request, "plateforme/erreur.html", {"title": title, "titre": title,
                                                          "message": text}, status=status)  # fmt: skip
