"""Argument types of the command line: the forms users write, refused in French.

Dates as ``AAAA-MM-JJ`` or ``JJ/MM/AAAA`` and numbers with a decimal comma or point, as
the importers accept them; percentages between 0 and 100; counts of at least 1.
"""

from __future__ import annotations

import argparse
import datetime as dt


def date_fr(text: str) -> dt.date:
    """``2025-06-30`` or ``30/06/2025``.

    Examples
    --------
    >>> date_fr("30/06/2025"), date_fr("2025-06-30")
    (datetime.date(2025, 6, 30), datetime.date(2025, 6, 30))
    """
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date invalide « {text} » (AAAA-MM-JJ ou JJ/MM/AAAA)")


def nombre(text: str) -> float:
    """A number with a decimal comma or point (``14000,50``), spaces as thousands
    separators allowed.

    Examples
    --------
    >>> nombre("14 000,50")
    14000.5
    """
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    try:
        value = float(cleaned.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre invalide « {text} »") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"nombre invalide « {text} »")
    return value


def positif(text: str) -> float:
    """A number ≥ 0."""
    value = nombre(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"« {text} » : un nombre positif ou nul est attendu")
    return value


def pourcentage(text: str) -> float:
    """A percentage between 0 and 100."""
    value = nombre(text)
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"« {text} » : un pourcentage entre 0 et 100 est attendu")
    return value


def _entier(text: str, minimum: int, rule: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"entier invalide « {text} »") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"« {text} » : {rule}")
    return value


def entier_positif(text: str) -> int:
    """An integer ≥ 1 (persons, draws)."""
    return _entier(text, 1, "un entier d'au moins 1 est attendu")


def entier_naturel(text: str) -> int:
    """An integer ≥ 0 (children)."""
    return _entier(text, 0, "un entier positif ou nul est attendu")


def hidden(parser: argparse.ArgumentParser, *names: str, dest: str, **kw: object) -> None:
    """An older spelling of an option: still accepted, no longer shown in the help."""
    parser.add_argument(*names, dest=dest, help=argparse.SUPPRESS, **kw)  # type: ignore[arg-type]
