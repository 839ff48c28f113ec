"""What every command puts around its tables: the synthetic-data banner and the output file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from mixite.io.exports import write_tables

SYNTHETIQUE = "DONNÉES SYNTHÉTIQUES (jumeau de la MEL) : aucun ménage réel"


def synthetique(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` holds rows of the synthetic twin (its ``synthetique`` flag)."""
    return "synthetique" in frame.columns and bool(frame["synthetique"].fillna(False).any())


def avec_bandeau(notes: Sequence[str], source: pd.DataFrame) -> list[str]:
    """``notes`` headed by the synthetic-data banner when ``source`` holds twin rows."""
    return [SYNTHETIQUE, *notes] if synthetique(source) else list(notes)


def ecrire(sortie: Path | None, sheets: Mapping[str, pd.DataFrame], notes: Sequence[str]) -> None:
    """Write the tables to ``sortie`` if one was asked for, and say where."""
    if sortie is not None:
        write_tables(sortie, sheets, notes)
        print(f"Écrit : {sortie}")
