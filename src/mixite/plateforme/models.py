"""Organisations and the accounts that act for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

#: The roles of the partners, and what each is called in French.
ROLES = {
    "epci": "intercommunalité (EPCI)",
    "commune": "commune",
    "bailleur": "bailleur social",
    "reservataire": "réservataire",
    "renouvellement": "équipe de renouvellement urbain",
    "etat": "services de l'État",
    "partenaire": "partenaire en lecture seule",
}


class Organisation(models.Model):
    """A partner: its role and the code it acts for (SIREN of an EPCI, commune code,
    landlord code, operation code…)."""

    nom = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=list(ROLES.items()))
    code = models.CharField(
        max_length=40, help_text="code du territoire, du bailleur ou de l'opération"
    )

    class Meta:
        unique_together = ("role", "code")

    def __str__(self) -> str:
        return f"{self.nom} ({ROLES[self.role]})"


class Profil(models.Model):
    """Which organisation an account acts for."""

    compte = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="profil")  # fmt: skip
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="comptes")

    def __str__(self) -> str:
        return f"{self.compte} — {self.organisation}"
