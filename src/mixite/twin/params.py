"""The modelling choices of the twin, in one frozen dataclass with their reasons.

These are assumptions, not reference data: each is stated in ``docs/jumeau.md``.
Real figures (medians, poverty rates, household counts, social dwellings, ceilings,
first-quartile thresholds) are never set here; they come from the embedded sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Largest scale: 4 MELs' worth of households in the same IRIS, for measuring at size.
MAX_SCALE = 4.0


@dataclass(frozen=True)
class TwinParameters:
    """Parameters of :func:`mixite.twin.build.build_twin`."""

    scale: float = 1.0
    seed: int = 2014
    #: Date of the occupancy snapshot (OPS) and start of the allocation period.
    debut: dt.date = dt.date(2024, 1, 1)
    #: Extraction date: the last allocations and relocations are before it.
    fin: dt.date = dt.date(2026, 10, 31)
    #: MEL EPCI (SIREN from 2021 on; 245900410 before) and its income-ceiling zone.
    code_epci: str = "200093201"
    nom_epci: str = "Métropole Européenne de Lille"
    zone_plafonds: int = 3
    #: Social-housing rate assumed in the communes that INSEE does not split into IRIS.
    taux_social_communes_non_decoupees: float = 0.08
    #: Mean size of households with children / single-parent / other, to split counts.
    taille_couple_enfants: float = 3.9
    taille_monoparental: float = 2.6
    taille_autre: float = 2.4
    #: Social stock: individual houses, vacancy, yearly turnover (the source: ~10 %).
    part_individuel: float = 0.18
    taux_vacance: float = 0.03
    taux_rotation: float = 0.09
    #: Applications per allocation over the period (demand pressure).
    demandes_par_attribution: float = 3.0
    nb_qpv: int = 26
    #: The landlord whose allocations drift away from the 40 %-under-40 %-of-PLUS charter.
    bailleur_derive: str = "B04"
    part_moins_40_hors_qpv: float = 0.13
    part_moins_40_qpv: float = 0.45
    #: Share of allocations to priority households (the source: 33 % before the agreement).
    part_prioritaires: float = 0.33
    part_moins_40_derive: tuple[float, float, float] = (0.37, 0.46, 0.55)
    #: Renewal operation: households to relocate and share relocated at extraction.
    menages_a_reloger: int = 2470
    part_reloges: float = 0.90

    def __post_init__(self) -> None:
        if not 0 < self.scale <= MAX_SCALE:
            raise ValueError(
                f"scale must be in (0, {MAX_SCALE:g}]; got {self.scale}. 1.0 is the MEL as it "
                "is; above 1, every IRIS holds proportionally more households (load tests)."
            )
        if self.fin <= self.debut:
            raise ValueError(f"fin ({self.fin}) must come after debut ({self.debut}).")


BAILLEURS: tuple[tuple[str, str, str, float], ...] = (
    ("B01", "Habitat Métropole Nord (synthétique)", "OPH", 0.30),
    ("B02", "Logis des Flandres (synthétique)", "ESH", 0.18),
    ("B03", "Foyer de la Deûle (synthétique)", "ESH", 0.14),
    ("B04", "Cités du Ferrain (synthétique)", "ESH", 0.12),
    ("B05", "Toit Lillois (synthétique)", "ESH", 0.10),
    ("B06", "Habitat des Weppes (synthétique)", "SEM", 0.07),
    ("B07", "Résidences de la Lys (synthétique)", "ESH", 0.05),
    ("B08", "Maisons de la Marque (synthétique)", "autre", 0.04),
)
