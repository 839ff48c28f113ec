"""A charter of allocation objectives, declarative (loaded from YAML by mixite.io)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Counted populations, computed for each allocation by :mod:`.publics`.
PUBLICS: dict[str, str] = {
    "sous_40_plus": "ménages aux ressources inférieures à 40 % du plafond PLUS",
    "actif_occupe": "ménages comptant au moins un actif occupé",
    "premier_quartile_ou_relogement": "ménages du premier quartile ou relogés (renouvellement urbain)",
    "autres_quartiles": "ménages des deuxième, troisième et quatrième quartiles",
    "prioritaire": "ménages prioritaires (DALO ou L.441-1)",
    "relogement": "ménages relogés au titre du renouvellement urbain",
}

COMPARATEURS: dict[str, str] = {"au_moins": "≥", "au_plus": "≤"}

VENTILATIONS: tuple[str, ...] = ("bailleur", "contingent", "territoire", "commune", "qpv")


@dataclass(frozen=True)
class Perimetre:
    """Which allocations an objective covers (empty = all)."""

    communes: tuple[str, ...] = ()
    territoires: tuple[str, ...] = ()
    bailleurs: tuple[str, ...] = ()
    contingents: tuple[str, ...] = ()
    qpv: bool | None = None  # True: in QPV only; False: outside QPV only

    def describe(self) -> str:
        parts = []
        if self.communes:
            parts.append("communes " + ", ".join(self.communes))
        if self.territoires:
            parts.append("territoires " + ", ".join(self.territoires))
        if self.bailleurs:
            parts.append("bailleurs " + ", ".join(self.bailleurs))
        if self.contingents:
            parts.append("contingents " + ", ".join(self.contingents))
        if self.qpv is not None:
            parts.append("en QPV" if self.qpv else "hors QPV")
        return " ; ".join(parts) or "toutes les attributions"


@dataclass(frozen=True)
class Objectif:
    """``public`` must be ``comparateur`` ``cible`` % of allocations in ``perimetre``."""

    code: str
    libelle: str
    public: str
    comparateur: str
    cible: float  # percent
    tolerance: float = 0.0  # percentage points
    perimetre: Perimetre = field(default_factory=Perimetre)
    periode: str = "annee"  # annee | semestre
    ventilation: tuple[str, ...] = ()
    fondement: str = ""

    def __post_init__(self) -> None:
        if self.public not in PUBLICS:
            raise ValueError(f"public must be one of {list(PUBLICS)}; got {self.public!r}.")
        if self.comparateur not in COMPARATEURS:
            raise ValueError(
                f"comparateur must be one of {list(COMPARATEURS)}; got {self.comparateur!r}."
            )
        if not 0 <= self.cible <= 100:
            raise ValueError(f"cible is a percentage in [0, 100]; got {self.cible}.")
        if self.periode not in ("annee", "semestre"):
            raise ValueError(f"periode must be 'annee' or 'semestre'; got {self.periode!r}.")
        bad = [v for v in self.ventilation if v not in VENTILATIONS]
        if bad:
            raise ValueError(f"ventilation must be among {VENTILATIONS}; got {bad}.")

    def describe(self) -> str:
        return f"{PUBLICS[self.public]} {COMPARATEURS[self.comparateur]} {self.cible:g} % des attributions ({self.perimetre.describe()})"


@dataclass(frozen=True)
class Charte:
    """A charter: its objectives and the reference data they need."""

    nom: str
    fondement: str
    epci: str
    zone_plafonds: int
    objectifs: tuple[Objectif, ...]
