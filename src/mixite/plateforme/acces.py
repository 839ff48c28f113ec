"""Who may see and do what on the platform: one place, named predicates.

A landlord sees its own entrances; a commune, its territory's aggregates; the EPCI and
the State, every aggregate; a read-only partner, the public aggregates. Views ask
:func:`peut` and filter by :func:`communes_visibles` — never anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class Lecteur:
    """The viewer: the role and code of its organisation."""

    role: str
    code: str
    organisation: str
    compte: str

    @property
    def perimetre(self) -> str:
        return f"{self.role}:{self.code}"


def lecteur(user: AbstractBaseUser | AnonymousUser) -> Lecteur | None:
    """The viewer an account acts as (None: not logged in or without organisation)."""
    if not user.is_authenticated:
        return None
    profil = getattr(user, "profil", None)
    if profil is None:
        return None
    o = profil.organisation
    return Lecteur(o.role, o.code, o.nom, user.get_username())


TOUS = frozenset(
    {"epci", "commune", "bailleur", "reservataire", "renouvellement", "etat", "partenaire"}
)

#: Each action and the roles allowed to do it.
PREDICATS: dict[str, Callable[[Lecteur], bool]] = {
    "voir_tableau": lambda v: v.role in TOUS,
    "voir_indicateurs": lambda v: v.role in TOUS,
    # Entrance by entrance: a landlord, for its own stock only; others see counts.
    "voir_veille_detail": lambda v: v.role == "bailleur",
    "voir_veille": lambda v: v.role in TOUS,
    "voir_objectifs": lambda v: v.role in {"epci", "etat", "bailleur", "reservataire", "commune"},
}


def peut(v: Lecteur | None, action: str) -> bool:
    """Whether viewer ``v`` may do ``action`` (an unknown action is refused)."""
    return v is not None and action in PREDICATS and PREDICATS[action](v)


def communes_visibles(v: Lecteur) -> frozenset[str] | None:
    """The communes whose zones the viewer sees one by one (None: all of them)."""
    if v.role == "commune":
        return frozenset({v.code})
    return None


# The allocation commission: household-level, a landlord's own dwellings only.
PREDICATS["commission"] = lambda v: v.role == "bailleur"
PREDICATS["voir_journal"] = lambda v: v.role in {"epci", "etat"}

# Relocation: the aggregate dashboard for the partners who follow renewal; the
# household-level follow-up for the operation's team and the household's landlord only.
PREDICATS["voir_relogement"] = lambda v: v.role in {"renouvellement", "bailleur", "epci", "etat"}
PREDICATS["suivre_menages_reloges"] = lambda v: v.role in {"renouvellement", "bailleur"}

# Imports: the EPCI (every kind, replacement allowed) and a landlord (its own stock only,
# checked row by row in ``mixite.plateforme.imports``).
PREDICATS["importer"] = lambda v: v.role in {"epci", "bailleur"}

# Reports (published figures only): every partner reads them; a commune, its own and the
# EPCI's (``mixite.plateforme.rapports.visible``).
PREDICATS["voir_rapports"] = lambda v: v.role in TOUS
