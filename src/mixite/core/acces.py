"""Who sees what: the viewer's scope (périmètre) for household-level data (GDPR).

A landlord sees its own households; an operation team sees its operation's; an EPCI,
a commune or the State see aggregates only. Functions that return named households
take a :class:`Perimetre` and raise :class:`AccesRefuse` outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mixite.errors import MixiteError

Role = Literal["bailleur", "operation", "epci", "commune", "etat"]
ROLES: tuple[str, ...] = ("bailleur", "operation", "epci", "commune", "etat")


class AccesRefuse(MixiteError):  # noqa: N818 - a French term users read in messages
    """The viewer's scope does not allow household-level data (message in French)."""


@dataclass(frozen=True)
class Perimetre:
    """A viewer: a role and the code it acts for (landlord code, operation code, …)."""

    role: Role
    code: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}; got {self.role!r}.")
        if not self.code:
            raise ValueError("code must name the landlord, operation or territory; got ''.")
