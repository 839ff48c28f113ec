"""Partner API tokens: created for an organisation, shown once, kept as a SHA-256,
revocable; and the rate limit each token is held to."""

from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from mixite.plateforme.acces import Lecteur
from mixite.plateforme.models import Jeton, Organisation

#: Every token starts with this, so that a leaked one is recognisable (secret scanners).
PREFIXE = "mxt_"


def _empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode("utf-8")).hexdigest()


def creer(role: str, code: str, nom: str) -> tuple[str, Jeton]:
    """A new token for the organisation ``role:code`` (which must exist): the token,
    to give once to the partner, and its record."""
    try:
        org = Organisation.objects.get(role=role, code=code)
    except Organisation.DoesNotExist:
        known = ", ".join(f"{o.role}:{o.code}" for o in Organisation.objects.order_by("role"))
        raise ValueError(
            f"organisation inconnue : {role}:{code} (organisations : {known or 'aucune'})"
        ) from None
    token = PREFIXE + secrets.token_urlsafe(32)
    record = Jeton.objects.create(
        organisation=org, nom=nom, prefixe=token[: len(PREFIXE) + 8], empreinte=_empreinte(token)
    )
    return token, record


def revoquer(prefixe: str) -> Jeton:
    """Revoke the token whose list name (its first characters) is ``prefixe``."""
    try:
        record = Jeton.objects.get(prefixe=prefixe.rstrip("…. "))
    except Jeton.DoesNotExist:
        raise ValueError(f"aucun jeton ne commence par {prefixe!r}") from None
    if record.revoque_le is None:
        record.revoque_le = timezone.now()
        record.save(update_fields=["revoque_le"])
    return record


def authentifier(entete: str) -> tuple[Jeton, Lecteur] | None:
    """The token of an ``Authorization: Bearer …`` header and the viewer it acts as;
    None when the header is missing, malformed, unknown or revoked."""
    scheme, _, token = entete.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(PREFIXE):
        return None
    try:
        record = Jeton.objects.select_related("organisation").get(empreinte=_empreinte(token))
    except Jeton.DoesNotExist:
        return None
    if record.revoque_le is not None:
        return None
    now = timezone.now()
    if record.utilise_le is None or (now - record.utilise_le).total_seconds() > 60:
        Jeton.objects.filter(pk=record.pk).update(utilise_le=now)  # at most once a minute
    o = record.organisation
    return record, Lecteur(o.role, o.code, o.nom, f"api:{record.prefixe}")


def debit(jeton: Jeton) -> int | None:
    """Count one request against the token's limit (``MIXITE_API_DEBIT`` requests per
    minute, 120 by default); the seconds to wait when the limit is reached, else None.

    The count lives in Django's cache: one per server process with the default memory
    cache, shared between processes when ``CACHES`` points to a shared cache
    (docs/api.md)."""
    limit = int(getattr(settings, "API_DEBIT", 120))
    window = int(time.time() // 60)
    key = f"api-debit:{jeton.pk}:{window}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 120)
        count = 1
    if count > limit:
        return 60 - int(time.time() % 60)
    return None
