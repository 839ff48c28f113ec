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


#: The states of an import, in French.
ETATS_IMPORT = {
    "attente": "en attente",
    "en_cours": "en cours",
    "reussi": "importé",
    "refuse": "refusé",
    "echec": "échec",
    "interrompu": "interrompu",
}


class Import(models.Model):
    """A file imported from the browser: who, what, its progress and its report."""

    compte = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    perimetre = models.CharField(max_length=80)
    type = models.CharField(max_length=40)
    fichier = models.CharField(max_length=255)
    remplacer = models.BooleanField(default=False)
    bailleur = models.CharField(max_length=40, blank=True)
    etat = models.CharField(max_length=20, choices=list(ETATS_IMPORT.items()), default="attente")
    #: The step under way (index in ``mixite.io.importers.IMPORT_STEPS``).
    etape = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    #: The validation report: ``[{"ligne", "colonne", "valeur", "regle"}, …]``.
    problemes = models.JSONField(default=list)
    total_problemes = models.PositiveIntegerField(default=0)
    lignes = models.PositiveIntegerField(default=0)
    cree_le = models.DateTimeField(auto_now_add=True)
    fini_le = models.DateTimeField(null=True)

    class Meta:
        ordering = ("-cree_le",)

    @property
    def fini(self) -> bool:
        return self.etat not in ("attente", "en_cours")

    def __str__(self) -> str:
        return f"{self.fichier} ({self.type}, {ETATS_IMPORT[self.etat]})"


class Jeton(models.Model):
    """A partner API token: it acts for one organisation, with that organisation's
    scope. Only the token's SHA-256 is kept; the token itself is shown once, when it
    is created (``mixite jeton-api creer``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="jetons")
    nom = models.CharField(max_length=100, help_text="le système qui l'utilise")
    #: The first characters of the token, to name it in lists and revocations.
    prefixe = models.CharField(max_length=12, unique=True)
    empreinte = models.CharField(max_length=64, unique=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    utilise_le = models.DateTimeField(null=True)
    revoque_le = models.DateTimeField(null=True)

    class Meta:
        ordering = ("cree_le",)

    def __str__(self) -> str:
        return f"{self.prefixe}… {self.nom} — {self.organisation}"
