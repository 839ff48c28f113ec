"""Official variable dictionaries (RPLS, OPS, SNE) turned into mappings to the data model.

Each dictionary is a YAML file of ``data/dictionnaires``: the format's variables under
their official names, the names other vintages or extractions use (``alias``), the
mixite column each feeds (``champ``), its type and bounds, and the codes it takes
(``valeurs``, recoded to mixite's). Reading a file through a dictionary

1. matches its headers to the variables (case, accents and spaces ignored, aliases
   and the user's own mapping first),
2. refuses a file missing a required variable, naming it and its aliases,
3. says which columns no variable describes (with a « vouliez-vous dire »),
4. checks the codes of coded variables, then hands the renamed text to validation;
   problems are reported under the file's own column names.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from mixite.core.schema import Column, Table
from mixite.core.validation import Problem
from mixite.errors import InvalidDataError
from mixite.io.readers import RawTable

#: The dictionaries mixite ships, by import kind.
DICTIONNAIRES = ("rpls", "ops", "ops_agregats", "sne_demandes", "sne_attributions")


@dataclass(frozen=True)
class Variable:
    """One variable of an official format."""

    nom: str
    alias: tuple[str, ...] = ()
    libelle: str = ""
    champ: str | None = None
    type: str | None = None
    code: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    obligatoire: bool = True
    valeurs: Mapping[str, str] | None = None
    sans_objet: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.nom, *self.alias)


@dataclass(frozen=True)
class Dictionnaire:
    """An official format: its name, its legal or statistical reference, its variables."""

    code: str
    nom: str
    reference: str
    variables: tuple[Variable, ...]

    def by_champ(self, champ: str) -> Variable:
        return next(v for v in self.variables if v.champ == champ)


def _normalized(name: str) -> str:
    from mixite.io.importers import normalized

    return normalized(name)


@functools.cache
def charger(code: str) -> Dictionnaire:
    """The packaged dictionary ``code`` (``rpls``, ``ops``, ``sne_demandes``…)."""
    if code not in DICTIONNAIRES:
        raise ValueError(f"Unknown dictionary {code!r}; available: {', '.join(DICTIONNAIRES)}")
    text = (resources.files("mixite") / "data" / "dictionnaires" / f"{code}.yaml").read_text(
        "utf-8"
    )
    data: dict[str, Any] = yaml.safe_load(text)
    variables = []
    for v in data["variables"]:
        valeurs = v.get("valeurs")
        variables.append(
            Variable(
                nom=str(v["nom"]),
                alias=tuple(str(a) for a in v.get("alias", ())),
                libelle=str(v.get("libelle", "")),
                champ=v.get("champ"),
                type=v.get("type"),
                code=v.get("code"),
                minimum=v.get("minimum"),
                maximum=v.get("maximum"),
                obligatoire=bool(v.get("obligatoire", v.get("champ") is not None)),
                valeurs={str(k): str(x) for k, x in valeurs.items()} if valeurs else None,
                sans_objet=tuple(str(s) for s in v.get("sans_objet", ())),
            )
        )
    return Dictionnaire(code, str(data["nom"]), str(data["reference"]).strip(), tuple(variables))


@dataclass(frozen=True)
class Lecture:
    """A file read through a dictionary: text columns named by ``champ``, codes recoded,
    and the file's name of each ``champ`` (to report problems as the user sees them)."""

    raw: RawTable
    noms: Mapping[str, str]

    def present(self, champ: str) -> bool:
        return champ in self.raw.frame.columns

    def table(self, columns: tuple[Column, ...], key: tuple[str, ...] = ()) -> Table:
        """A table over the columns the file has (and the required ones)."""
        kept = tuple(c for c in columns if c.required or c.name in self.raw.frame.columns)
        return Table("lecture", "", "", kept, key=key)

    def relabel(self, error: InvalidDataError) -> InvalidDataError:
        """The same problems, each under the file's column name."""
        problems = [replace(p, column=self.noms.get(p.column, p.column)) for p in error.problems]
        return InvalidDataError(problems, total=error.total, source=error.source)


def lire(raw: RawTable, dico: Dictionnaire, explicit: Mapping[str, str] | None = None) -> Lecture:
    """Match ``raw``'s headers to ``dico``, check required variables and codes, recode."""
    explicit = dict(explicit or {})
    by_name: dict[str, Variable] = {}
    for var in dico.variables:
        for n in var.names:
            by_name.setdefault(_normalized(n), var)
    found: dict[str, str] = {}  # variable nom -> file column
    unknown: list[str] = []
    for col in raw.frame.columns:
        target = explicit.get(col, col)
        v: Variable | None = by_name.get(_normalized(target))
        if v is None and target in {x.champ for x in dico.variables}:
            v = next(x for x in dico.variables if x.champ == target)
        if v is None:
            unknown.append(col)
        elif v.nom not in found:
            found[v.nom] = col
    missing = [v for v in dico.variables if v.obligatoire and v.nom not in found]
    if missing:
        problems = [
            Problem(
                0,
                v.nom,
                "",
                f"variable obligatoire du dictionnaire « {dico.nom} » absente ({v.libelle})"
                + (f" ; autres noms acceptés : {', '.join(v.alias)}" if v.alias else "")
                + " ; --colonnes NOM_DU_FICHIER="
                + v.nom
                + " l'indique si elle porte un autre nom",
                raw.source,
            )
            for v in missing
        ]
        raise InvalidDataError(problems, total=len(problems), source=raw.source)
    notices = list(raw.notices)
    if unknown:
        known = [n for v in dico.variables for n in v.names]
        shown = []
        for u in unknown[:12]:
            close = difflib.get_close_matches(u.upper(), known, n=1, cutoff=0.75)
            shown.append(f"{u} (vouliez-vous dire {close[0]} ?)" if close else u)
        more = f" et {len(unknown) - 12} autre(s)" if len(unknown) > 12 else ""
        notices.append(
            f"colonnes hors du dictionnaire « {dico.nom} », ignorées : {', '.join(shown)}{more}"
        )
    frame = pd.DataFrame(index=raw.frame.index)
    noms: dict[str, str] = {}
    bad_codes: list[Problem] = []
    for v in dico.variables:
        if v.champ is None or v.nom not in found:
            continue
        col = found[v.nom]
        text = raw.frame[col].astype("string").fillna("").str.strip()
        if v.sans_objet:
            text = text.mask(text.isin(v.sans_objet), "")
        if v.valeurs:
            bad = (text != "") & ~text.isin(list(v.valeurs))
            for i in np.flatnonzero(bad.to_numpy(dtype=bool))[:20]:
                bad_codes.append(
                    Problem(
                        int(raw.row_numbers[i]),
                        col,
                        str(text.iloc[i]),
                        "code inconnu ; codes : "
                        + ", ".join(dict.fromkeys(v.valeurs))
                        + f" ({v.libelle})",
                        raw.source,
                        raw.row_label,
                    )
                )
            text = text.map(lambda s, m=v.valeurs: m.get(s, s) if s else s).astype("string")
        frame[v.champ] = text
        noms[v.champ] = col
    if bad_codes:
        raise InvalidDataError(bad_codes, total=len(bad_codes), source=raw.source)
    return Lecture(replace(raw, frame=frame, notices=tuple(notices)), noms)


def colonne(v: Variable, model: Column | None = None) -> Column:
    """The column a variable is checked as: the model's own column when it feeds one
    directly, else one built from the dictionary (type, bounds, code)."""
    assert v.champ is not None
    if model is not None and v.type is None:
        return replace(model, required=v.obligatoire)
    return Column(
        v.champ,
        v.type or "text",  # type: ignore[arg-type]
        v.libelle,
        required=v.obligatoire,
        minimum=v.minimum,
        maximum=v.maximum,
        code=v.code,  # type: ignore[arg-type]
    )


#: Import kinds read through a dictionary, and the dictionary of each.
KINDS = {
    "rpls": "rpls",
    "ops": "ops",
    "ops-agregats": "ops_agregats",
    "sne-demandes": "sne_demandes",
    "sne-attributions": "sne_attributions",
}


def table_modele(dico: Dictionnaire, model: Table | None = None) -> Table:
    """The template of a published format: one column per variable mixite reads, under
    its official name, with its codes as a drop-down list and its bounds."""
    columns = []
    for v in dico.variables:
        if v.champ is None:
            continue
        base = (
            model.column(v.champ) if model is not None and v.champ in model.column_names else None
        )
        c = colonne(v, base if v.type is None else None)
        kind = "decimal" if c.kind == "money" else c.kind
        choices = tuple(dict.fromkeys(v.valeurs)) if v.valeurs else c.choices
        columns.append(
            Column(
                v.nom,
                "text" if v.valeurs else kind,
                v.libelle,
                c.unit,
                required=v.obligatoire,
                minimum=None if v.valeurs else c.minimum,
                maximum=None if v.valeurs else c.maximum,
                choices=choices,
            )
        )
    return Table(dico.code, dico.nom, dico.reference, tuple(columns), key=())
