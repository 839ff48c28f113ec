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


def bandeau(frame: pd.DataFrame) -> str | None:
    """The banner that ``frame``'s content calls for: synthetic only, mixed, or none.

    Examples
    --------
    >>> bandeau(pd.DataFrame({"synthetique": [True, False, False]}))
    'DONNÉES MÊLÉES : 1 ligne(s) synthétique(s) du jumeau et 2 ligne(s) importée(s) ; les chiffres combinent les deux'
    """
    if not synthetique(frame):
        return None
    flag = frame["synthetique"].fillna(False).astype(bool)
    real = int((~flag).sum())
    if real == 0:
        return SYNTHETIQUE
    return (
        f"DONNÉES MÊLÉES : {int(flag.sum())} ligne(s) synthétique(s) du jumeau et {real} "
        "ligne(s) importée(s) ; les chiffres combinent les deux"
    )


def avec_bandeau(notes: Sequence[str], source: pd.DataFrame) -> list[str]:
    """``notes`` headed by the banner that ``source``'s rows call for (see :func:`bandeau`)."""
    banner = bandeau(source)
    return [banner, *notes] if banner else list(notes)


def ecrire(sortie: Path | None, sheets: Mapping[str, pd.DataFrame], notes: Sequence[str]) -> None:
    """Write the tables to ``sortie`` if one was asked for, and say where."""
    if sortie is not None:
        write_tables(sortie, sheets, notes)
        print(f"Écrit : {sortie}")
