"""What every command puts around its tables: the synthetic-data banner and the output file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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


def nombre_fr(value: object, decimals: int = 1) -> str:
    """A number the French way (``3 473,5``, with a narrow no-break space); integers
    without decimals.

    Examples
    --------
    >>> print(nombre_fr(3473.0), nombre_fr(12.345), nombre_fr(1234567))
    3 473 12,3 1 234 567
    """
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int) or (isinstance(value, float) and float(value).is_integer()):
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{float(value):,.{decimals}f}".replace(",", "\u202f").replace(".", ",")  # type: ignore[arg-type]


def afficher(
    table: pd.DataFrame,
    *,
    limit: int = 20,
    sort_by: str | None = None,
    ascending: bool = False,
    secret_columns: Sequence[str] | None = None,
) -> None:
    """Print a table for people: sorted by what matters, numbers the French way, masked
    cells as « s » (secret), and how many rows are left out.

    ``secret_columns``: where an empty cell means « secret » (default: every numeric
    column).
    """
    shown = table
    if sort_by is not None and sort_by in table.columns:
        shown = table.sort_values(sort_by, ascending=ascending, na_position="last", kind="stable")
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])]
    secret = set(numeric if secret_columns is None else secret_columns)
    head = shown.head(limit).astype(object)
    for c in head.columns:
        if c in numeric:
            head[c] = [
                ("s" if c in secret else "") if pd.isna(v) else nombre_fr(v) for v in head[c]
            ]
        else:
            head[c] = [
                "" if (v is None or (isinstance(v, float) and pd.isna(v))) else v for v in head[c]
            ]
    with pd.option_context(
        "display.width", 220, "display.max_columns", None, "display.max_colwidth", 60
    ):
        print(head.to_string(index=False))
    if len(shown) > limit:
        order = f", triées par « {sort_by} »" if sort_by else ""
        print(
            f"… {len(shown) - limit} ligne(s) de plus sur {len(shown)} (les {limit} premières{order} "
            "sont affichées ; --sortie pour tout écrire)."
        )


@contextmanager
def etapes(description: str, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on the terminal (stderr, only when it is one) for long commands;
    call the yielded function with the name of each step as it starts."""
    import sys

    from tqdm import tqdm

    with tqdm(
        total=total,
        desc=description,
        unit=" étape",
        file=sys.stderr,
        leave=False,
        disable=not sys.stderr.isatty(),
    ) as bar:
        started = False

        def step(name: str) -> None:
            nonlocal started
            if started:
                bar.update(1)
            started = True
            bar.set_postfix_str(name)

        yield step
        if started:
            bar.update(1)


def ecrire(sortie: Path | None, sheets: Mapping[str, pd.DataFrame], notes: Sequence[str]) -> None:
    """Write the tables to ``sortie`` if one was asked for, and say where."""
    if sortie is not None:
        write_tables(sortie, sheets, notes)
        print(f"Écrit : {sortie}")
