"""Demo accounts: one organisation and one account per role, on the twin's codes."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model

from mixite.plateforme.models import Organisation, Profil

#: (login, role, code, organisation name) of the demo accounts.
DEMO = (
    ("epci", "epci", "200093201", "Métropole Européenne de Lille"),
    ("commune", "commune", "59350", "Ville de Lille"),
    ("bailleur", "bailleur", "B01", "Bailleur B01"),
    ("reservataire", "reservataire", "prefecture", "Préfecture du Nord (contingent)"),
    (
        "renouvellement",
        "renouvellement",
        "PRU-MEL-01",
        "Équipe de renouvellement urbain (PRU-MEL-01)",
    ),
    ("etat", "etat", "59", "Services de l'État (DDTM du Nord)"),
    ("partenaire", "partenaire", "lecture", "Partenaire en lecture seule"),
)


def creer_comptes_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; returns (login, password, role)
    of those created (each with a new random password)."""
    User = get_user_model()  # noqa: N806 - Django's idiom
    created = []
    for login, role, code, name in DEMO:
        if User.objects.filter(username=login).exists():
            continue
        org, _ = Organisation.objects.get_or_create(role=role, code=code, defaults={"nom": name})
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(login, password=password)
        Profil.objects.create(compte=user, organisation=org)
        created.append((login, password, role))
    return created
