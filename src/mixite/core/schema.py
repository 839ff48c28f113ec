"""How a table of the data model is described: columns, keys, references, row rules.

A :class:`Table` is pure data. :mod:`mixite.core.validation` checks a frame against
it, :mod:`mixite.io.store` creates the store's tables from it and ``docs/modele.md``
is written from it, so the description, the checks and the docs cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

Kind = Literal["text", "integer", "decimal", "money", "date", "boolean", "geometry"]
Code = Literal["commune", "communes", "iris", "siren", "qpv", "carreau"]

KIND_LABELS: dict[str, str] = {
    "text": "texte",
    "integer": "entier",
    "decimal": "nombre décimal",
    "money": "montant en euros (2 décimales au plus)",
    "date": "date AAAA-MM-JJ",
    "boolean": "booléen (oui/non, 1/0, vrai/faux)",
    "geometry": "géométrie (WKB)",
}

CODE_LABELS: dict[str, str] = {
    "commune": "code commune INSEE (5 caractères, département existant)",
    "communes": "liste de codes commune INSEE accolés (5, 10, 15… caractères)",
    "iris": "code IRIS (code commune INSEE suivi de 4 chiffres)",
    "siren": "numéro SIREN (9 chiffres, clé de Luhn)",
    "qpv": "code QPV (QPdddnnn ou QNdddnnn)",
    "carreau": "identifiant de carreau INSEE de 200 m (CRSxxxxRES200mN…E…, multiples de 200)",
}


@dataclass(frozen=True)
class Column:
    """One column: its type, unit, bounds and meaning."""

    name: str
    kind: Kind
    description: str
    unit: str = ""
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    code: Code | None = None
    list_separator: str | None = None
    references: tuple[str, str] | None = None

    def rule_text(self) -> str:
        """The rule in French, as the docs and the reports state it."""
        parts = [KIND_LABELS[self.kind]]
        if self.code:
            parts = [CODE_LABELS[self.code]]
        if self.list_separator:
            parts = [f"liste séparée par « {self.list_separator} » de : {parts[0]}"]
        if self.choices:
            parts.append("valeurs : " + ", ".join(self.choices))
        if self.minimum is not None:
            parts.append(f"≥ {_fmt(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"≤ {_fmt(self.maximum)}")
        if self.references:
            parts.append(f"doit exister dans {self.references[0]}.{self.references[1]}")
        parts.append("obligatoire" if self.required else "facultatif")
        return " ; ".join(parts)


def _fmt(value: float) -> str:
    return f"{value:g}".replace(".", ",")


RowTest = Callable[[pd.DataFrame], npt.NDArray[np.bool_]]


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row; ``failing`` returns the mask of broken rows.

    Rows where one of ``columns`` is missing or invalid are not tested by the rule.
    """

    description: str
    columns: tuple[str, ...]
    failing: RowTest


@dataclass(frozen=True)
class Table:
    """A table of the data model."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        missing = [k for k in self.key if k not in names]
        if missing:
            raise ValueError(
                f"Table {self.name!r}: key columns {missing} are not among its columns {names}."
            )

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(
            f"Table {self.name!r} has no column {name!r}; columns: {list(self.column_names)}"
        )
