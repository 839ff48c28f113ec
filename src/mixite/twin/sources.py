"""The real inputs of the twin, loaded by :func:`mixite.io.refdata.mel_sources`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class MelSources:
    """The real open data the twin is calibrated on.

    ``communes``: ``refdata/mel_communes.csv``; ``filosofi``: Filosofi 2016 rows of the
    95 communes; ``iris``: census 2016 habitat IRIS (households and housing);
    ``polygons``: commune outlines (EPSG:4326); ``poverty_threshold``: € per year.
    """

    communes: pd.DataFrame
    filosofi: pd.DataFrame
    iris: pd.DataFrame
    polygons: dict[str, BaseGeometry]
    poverty_threshold: float
