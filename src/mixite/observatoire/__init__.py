"""The observatory of social occupation: fragility index and its stability (pure core).

Indicators at every scale, typologies, the mix map and the entrance watch are the next
parts of issue #4; this package holds what is built so far.
"""

from mixite.observatoire.fragilite import (
    NORMALISATIONS,
    Composante,
    ConfigFragilite,
    indice_fragilite,
    stabilite_des_rangs,
)

__all__ = [
    "NORMALISATIONS",
    "Composante",
    "ConfigFragilite",
    "indice_fragilite",
    "stabilite_des_rangs",
]
