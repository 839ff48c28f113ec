"""Allocation objectives: the charter (:mod:`.charte`), who counts (:mod:`.publics`),
tracking with recoverability (:mod:`.suivi`) and apportionment over territories
(:mod:`.repartition`)."""

from mixite.core.objectifs.charte import COMPARATEURS, PUBLICS, Charte, Objectif, Perimetre
from mixite.core.objectifs.publics import publics_des_attributions
from mixite.core.objectifs.repartition import Repartition, repartir
from mixite.core.objectifs.suivi import Suivi, suivre, wilson

__all__ = [
    "COMPARATEURS",
    "PUBLICS",
    "Charte",
    "Objectif",
    "Perimetre",
    "Repartition",
    "Suivi",
    "publics_des_attributions",
    "repartir",
    "suivre",
    "wilson",
]
