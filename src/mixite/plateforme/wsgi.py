"""WSGI entry point (``gunicorn mixite.plateforme.wsgi``; ADR 0002: one process, threads).

The territory-wide figures and maps are computed in the background as the application
loads, so that the first visitor does not wait for them."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mixite.plateforme.settings")
application = get_wsgi_application()


def _rechauffer() -> None:
    from django.conf import settings

    from mixite.io.store import Store
    from mixite.plateforme.donnees import rechauffer

    store = Store(settings.STORE, partagee=True)
    if store.exists():
        rechauffer(store)


_rechauffer()
