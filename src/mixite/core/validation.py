"""Check a whole file against a :class:`~mixite.core.schema.Table` before anything is written.

Every problem names the file, the row, the column, the value and the rule. All the
rules run on the whole file in vectorized passes; only the first ``limit`` problems
(in file order) are kept for the report, and ``total`` counts them all.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mixite.core import codes
from mixite.core.codes import TEXT
from mixite.core.schema import Column, Table
from mixite.errors import InvalidDataError

REPORT_LIMIT = 50

_MONEY_RE = r"-?[0-9]{1,13}(?:[.,][0-9]{1,2})?"
_NUMBER_RE = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"

#: Control and invisible characters (C0/C1 controls, zero-width and direction marks, BOM).
_INVISIBLE = r"[\x00-\x1F\x7F-\x9F\x{200B}-\x{200F}\x{2028}-\x{202E}\x{2060}-\x{2064}\x{FEFF}]"

#: Dates outside this range are typing errors (year 0001, 1066, 9999…).
DATE_MIN, DATE_MAX = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")

#: Largest integer kept exactly (2⁵³) and largest amount the store holds (DECIMAL(14,2)).
INT_MAX = 2**53
MONEY_MAX_CENTS = 10**14 - 1


def _matches(text: pd.Series, pattern: str) -> npt.NDArray[np.bool_]:
    """Where ``text`` matches the RE2 ``pattern`` (Arrow)."""
    arr = pa.array(text.astype(codes.TEXT), type=pa.string())
    hit = pc.match_substring_regex(arr, pattern)
    return np.asarray(hit.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


_TRUE = frozenset({"1", "oui", "o", "vrai", "true", "t", "yes", "y", "x"})
_FALSE = frozenset({"0", "non", "n", "faux", "false", "f", "no"})

_CODE_CHECKS = {
    "commune": codes.commune_code_problems,
    "communes": codes.commune_list_problems,
    "iris": codes.iris_code_problems,
    "siren": codes.siren_problems,
    "qpv": codes.qpv_code_problems,
    "carreau": codes.grid_cell_problems,
}


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule: where (file, row, column), what (value) and why (rule, in French)."""

    row: int
    column: str
    value: str
    rule: str
    source: str = ""
    row_label: str = "ligne"

    def format(self) -> str:
        where = self.source
        if self.row > 0:
            where += f", {self.row_label} {format_int(self.row)}"
        if self.column:
            where += f", colonne « {self.column} »"
        value = f"« {self.value} » : " if self.value != "" else ""
        return f"{where} : {value}{self.rule}"


def format_int(n: int) -> str:
    """An integer with French thousands separators: ``1 284``."""
    return f"{n:,}".replace(",", " ")


#: The report's first words for each kind of refusal.
HEADINGS = {
    "import": ("Import refusé", " ; rien n'a été écrit."),
    "reglages": ("Réglages refusés", " ; la commande n'a rien fait."),
    "lecture": ("Fichier refusé", " ; la commande n'a rien fait."),
}


def format_report(
    problems: tuple[Problem, ...], *, total: int, source: str, action: str = "import"
) -> str:
    """The French report: a summary line, one line per kept problem, the count left out."""
    noun = "problème" if total == 1 else "problèmes"
    head, tail = HEADINGS[action]
    lines = [f"{head} : {format_int(total)} {noun} dans « {source} »{tail}"]
    lines += ["  - " + p.format() for p in problems]
    if total > len(problems):
        rest = total - len(problems)
        lines.append(f"  … et {format_int(rest)} autre(s) problème(s) non affiché(s).")
    return "\n".join(lines)


@dataclass(frozen=True)
class KnownKeys:
    """Keys already in the store, for reference and duplicate checks."""

    values: Mapping[tuple[str, str], pd.Index]
    existing: pd.DataFrame | None = None


class _Collector:
    def __init__(self, source: str, row_numbers: npt.NDArray[np.int64], row_label: str, limit: int):
        self.source = source
        self.rows = row_numbers
        self.row_label = row_label
        self.limit = limit
        self.kept: list[Problem] = []
        self.total = 0

    def add_mask(
        self, mask: npt.NDArray[np.bool_], column: str, values: pd.Series, rule: str
    ) -> None:
        idx = np.flatnonzero(mask)
        self.total += len(idx)
        for i in idx[: self.limit]:
            self.kept.append(
                Problem(
                    int(self.rows[i]),
                    column,
                    str(values.iloc[i]),
                    rule,
                    self.source,
                    self.row_label,
                )
            )

    def add(self, problem: Problem) -> None:
        self.total += 1
        self.kept.append(problem)

    def raise_if_any(self) -> None:
        if self.total:
            kept = sorted(self.kept, key=lambda p: (p.row, p.column))[: self.limit]
            raise InvalidDataError(kept, total=self.total, source=self.source)


def validate(
    raw: pd.DataFrame,
    table: Table,
    *,
    source: str,
    row_numbers: npt.NDArray[np.int64] | None = None,
    row_label: str = "ligne",
    known: KnownKeys | None = None,
    allow_extra_columns: bool = False,
    limit: int = REPORT_LIMIT,
) -> pd.DataFrame:
    """Return ``raw`` converted to the table's types, or raise :class:`InvalidDataError`.

    Parameters
    ----------
    raw : DataFrame
        The file as read, every cell as text (``""`` for an empty cell); geometry
        columns hold WKB bytes or ``None``.
    table : Table
        The description to check against.
    source : str
        The file name shown in the report.
    row_numbers : array of int, optional
        The number the user sees for each row (the line in a CSV, the row in Excel).
        Defaults to ``index + 2`` (a header line, then data from line 2).
    known : KnownKeys, optional
        Keys already in the store: references must exist there or in this file, and
        this file's keys must not repeat a stored key.
    allow_extra_columns : bool
        Ignore columns the table does not describe instead of reporting them.

    Notes
    -----
    Money is converted to integer cents (``int64``) exactly, without a float step.
    Rules across columns run only on rows whose columns all passed their own checks.
    """
    n = len(raw)
    rows = np.arange(2, n + 2, dtype=np.int64) if row_numbers is None else row_numbers
    col = _Collector(source, rows, row_label, limit)
    expected = set(table.column_names)

    for c in table.columns:
        if c.name not in raw.columns and c.required:
            col.add(Problem(0, c.name, "", "colonne obligatoire absente du fichier", source))
    if not allow_extra_columns:
        extra = [c for c in raw.columns if c not in expected]
        for name in extra:
            key = str(name).casefold().replace(" ", "_")
            close = (
                difflib.get_close_matches(key, table.column_names, n=1, cutoff=0.6)
                or [c for c in table.column_names if key and key in c.split("_")][:1]
            )
            hint = f"vouliez-vous dire « {close[0]} » ? " if close else ""
            col.add(
                Problem(
                    0,
                    str(name),
                    "",
                    f"colonne inconnue ; {hint}colonnes attendues : "
                    + ", ".join(table.column_names)
                    + " (--colonnes ancien=nouveau pour renommer)",
                    source,
                )
            )
    col.raise_if_any()

    typed: dict[str, pd.Series] = {}
    valid_by_column: dict[str, npt.NDArray[np.bool_]] = {}
    for c in table.columns:
        if c.name not in raw.columns:
            typed[c.name] = _empty_series(c, n)
            valid_by_column[c.name] = np.ones(n, dtype=bool)
            continue
        series, ok = _convert(raw[c.name], c, col)
        typed[c.name] = series
        valid_by_column[c.name] = ok

    frame = pd.DataFrame(typed, index=raw.index)
    key_valid = np.ones(n, dtype=bool)
    for k in table.key:
        key_valid &= valid_by_column[k]
    _check_keys(frame, table, col, key_valid, known)
    _check_references(frame, table, col, valid_by_column, known)
    for rule in table.rules:
        rows_ok = np.ones(n, dtype=bool)
        for name in rule.columns:
            rows_ok &= valid_by_column[name] & frame[name].notna().to_numpy(dtype=bool)
        if not rows_ok.any():
            continue
        failing = np.zeros(n, dtype=bool)
        failing[rows_ok] = rule.failing(frame.loc[rows_ok])
        shown = _joined(frame, rule.columns, failing)
        col.add_mask(failing, " / ".join(rule.columns), shown, rule.description)
    col.raise_if_any()
    return frame.reset_index(drop=True)


def _empty_series(c: Column, n: int) -> pd.Series:
    dtype = {
        "text": "string",
        "integer": "Int64",
        "decimal": "Float64",
        "money": "Int64",
        "date": "datetime64[s]",
        "boolean": "boolean",
        "geometry": "object",
    }[c.kind]
    return pd.Series([None] * n, dtype=dtype)


def _convert(
    values: pd.Series, c: Column, col: _Collector
) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    n = len(values)
    if c.kind == "geometry":
        missing = values.isna().to_numpy(dtype=bool)
        if c.required:
            blank = pd.Series([""] * n, index=values.index)
            col.add_mask(missing, c.name, blank, "géométrie absente ou illisible")
        return values.astype("object"), ~missing if c.required else np.ones(n, dtype=bool)

    text = values.astype(TEXT).fillna("").str.strip()
    empty = (text == "").to_numpy(dtype=bool)
    ok = np.ones(n, dtype=bool)
    if c.required:
        col.add_mask(empty, c.name, text, "valeur obligatoire manquante")
        ok &= ~empty

    present = ~empty
    hidden = present & _matches(text, _INVISIBLE)
    if hidden.any():  # the values shown with the character marked: only when reported
        col.add_mask(
            hidden,
            c.name,
            text.str.replace(_INVISIBLE, "�", regex=True),
            "caractère de contrôle ou invisible (NUL, tabulation, espace de largeur nulle…) "
            "interdit",
        )
    ok &= ~hidden
    if c.kind == "text":
        result: pd.Series = text.where(present, None)
        bad = hidden.copy()
        if c.code is not None or c.references is not None or c.name.startswith(("id_", "code_")):
            foreign = present & ~hidden & ~_matches(text, r"^[\x20-\x7E]*$")
            col.add_mask(
                foreign,
                c.name,
                text,
                "identifiant ou code en caractères ASCII seulement (chiffres 0-9 et lettres "
                "sans accent ; un chiffre « pleine chasse » ou un signe invisible est interdit)",
            )
            bad |= foreign
            formula = present & ~foreign & _matches(text, r"^[=+\-@]")
            col.add_mask(
                formula,
                c.name,
                text,
                "un identifiant ne peut pas commencer par = + - @ (une formule de tableur)",
            )
            bad |= formula
        if c.code is not None:
            check = _CODE_CHECKS[c.code]
            # Codes repeat (95 communes for 10⁶ households): each distinct value once.
            inverse, uniques = pd.factorize(text)
            distinct = pd.Series(uniques, dtype=codes.TEXT)
            if c.list_separator:
                bad_distinct = _list_problems(distinct, c.list_separator, check)
            else:
                bad_distinct = check(distinct)
            bad = np.asarray(bad_distinct, dtype=bool)[inverse] & present
            col.add_mask(
                bad, c.name, text, f"code invalide ; attendu : {c.rule_text().split(' ; ')[0]}"
            )
        if c.choices is not None and c.list_separator:
            # A list of choices: every element one of them (each distinct list once).
            inverse, uniques = pd.factorize(text)
            allowed = set(c.choices)
            fine = np.array([all(part.strip() in allowed for part in str(u).split(c.list_separator))
                             for u in uniques], dtype=bool)  # fmt: skip
            not_choice = present & ~fine[inverse] if len(uniques) else present & False
            col.add_mask(not_choice, c.name, text, "liste de valeurs séparées par « "
                         f"{c.list_separator} » ; valeurs : " + ", ".join(c.choices))  # fmt: skip
            bad |= not_choice
        elif c.choices is not None:
            not_choice = present & ~codes.isin(text, c.choices)
            col.add_mask(
                not_choice, c.name, text, "valeur non autorisée ; valeurs : " + ", ".join(c.choices)
            )
            bad |= not_choice
        return result, ok & ~bad

    if c.kind == "boolean":
        low = text.str.lower()
        is_true = codes.isin(low, _TRUE)
        is_false = codes.isin(low, _FALSE)
        bad = present & ~(is_true | is_false)
        col.add_mask(bad, c.name, text, "n'est pas un booléen (oui/non, 1/0, vrai/faux)")
        out = pd.Series(pd.arrays.BooleanArray(is_true, ~present | bad), index=values.index)
        return out, ok & ~bad

    if c.kind == "date":
        iso = pd.to_datetime(text.where(present, None), format="%Y-%m-%d", errors="coerce")
        fr = pd.to_datetime(text.where(present, None), format="%d/%m/%Y", errors="coerce")
        parsed = iso.fillna(fr)
        bad = present & ~hidden & parsed.isna().to_numpy(dtype=bool)
        col.add_mask(bad, c.name, text, "n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA)")
        stamps = parsed.to_numpy(dtype="datetime64[ns]")
        odd = (
            present
            & ~bad
            & ((stamps < DATE_MIN.to_datetime64()) | (stamps > DATE_MAX.to_datetime64()))
        )
        col.add_mask(odd, c.name, text, "date hors de la plage plausible (1900 à 2100)")
        bad |= odd
        parsed = parsed.where(~pd.Series(odd, index=parsed.index))
        return parsed.astype("datetime64[s]"), ok & ~bad

    if c.kind == "money":
        fast = _cast_all(text, present, pa.decimal128(14, 2))  # what the store holds
        if fast is not None:  # every amount has at most 2 decimals and fits: exact cents
            cents = np.rint(np.nan_to_num(fast) * 100).astype(np.int64)
            number = pd.Series(pd.array(cents, dtype="Int64"), index=values.index)
            number[~present] = pd.NA
            return number, ok & _bounds(number.astype("Float64") / 100, c, col, text, present)
        shape = text.str.fullmatch(_MONEY_RE).fillna(False).to_numpy(dtype=bool)
        bad = present & ~shape
        col.add_mask(bad, c.name, text, "n'est pas un montant en euros (2 décimales au plus)")
        # At most 2 decimals and under 10¹³ €: rint(x × 100) recovers the exact cents.
        amounts = codes.parse_numbers(text.str.replace(",", ".", regex=False), present & shape)
        too_big = present & shape & (np.abs(np.nan_to_num(amounts)) * 100 > MONEY_MAX_CENTS)
        col.add_mask(too_big, c.name, text, "montant trop grand (au plus 999 999 999 999,99 €)")
        bad |= too_big
        amounts = np.where(too_big, 0.0, amounts)
        cents = np.rint(np.nan_to_num(amounts) * 100).astype(np.int64)
        number = pd.Series(pd.array(cents, dtype="Int64"), index=values.index)
        number[~present | bad] = pd.NA
        ok &= ~bad
        ok &= _bounds(number.astype("Float64") / 100, c, col, text, present & ~bad)
        return number, ok

    # integer and decimal
    normalized = text.str.replace(",", ".", regex=False)
    fast = _cast_all(normalized, present, pa.float64())
    if fast is not None:
        numbers = fast
    else:
        shape = normalized.str.fullmatch(_NUMBER_RE).fillna(False).to_numpy(dtype=bool)
        numbers = codes.parse_numbers(normalized, present & shape)
    finite = np.isfinite(numbers)
    bad = present & ~hidden & ~finite
    col.add_mask(bad, c.name, text, "n'est pas un nombre (chiffres 0-9, virgule ou point décimal)")
    huge = present & finite & (np.abs(np.where(finite, numbers, 0.0)) > INT_MAX)
    col.add_mask(huge, c.name, text, "nombre trop grand (au plus 9 007 199 254 740 992)")
    bad |= huge | hidden
    finite &= ~huge
    clean = np.where(finite, numbers, 0.0)
    if c.kind == "integer":
        fractional = present & finite & (clean != np.floor(clean))
        col.add_mask(fractional, c.name, text, "n'est pas un nombre entier")
        bad |= fractional
        missing = ~present | bad
        out = pd.Series(
            pd.arrays.IntegerArray(np.rint(clean).astype(np.int64), missing), index=values.index
        )
    else:
        missing = ~present | bad
        out = pd.Series(pd.arrays.FloatingArray(clean, missing), index=values.index)
    ok &= ~bad
    ok &= _bounds(pd.Series(np.where(missing, np.nan, clean)), c, col, text, present & ~bad)
    return out, ok


def _cast_all(
    text: pd.Series, present: npt.NDArray[np.bool_], target: pa.DataType
) -> npt.NDArray[np.float64] | None:
    """The present cells cast by Arrow in one pass (NaN elsewhere), or None when any of
    them does not cast (then the slower rule-by-rule path reports each bad cell).

    Arrow's text-to-number cast accepts what the rules accept (signs, decimals,
    exponents; at most 2 decimals for a decimal(15, 2)); it also reads "nan" and "inf",
    which the finiteness check rejects.
    """
    arr = pa.array(text.astype(codes.TEXT).where(pd.Series(present, index=text.index), None))
    try:
        cast = pc.cast(arr, target, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pa.types.is_decimal(target):
        cast = pc.cast(cast, pa.float64())
    return np.asarray(cast.to_numpy(zero_copy_only=False), dtype=float)


def _bounds(
    number: pd.Series, c: Column, col: _Collector, text: pd.Series, checked: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    ok = np.ones(len(number), dtype=bool)
    values = number.to_numpy(dtype=float, na_value=np.nan)
    if c.minimum is not None:
        low = checked & (values < c.minimum)
        rule = "ne doit pas être négatif" if c.minimum == 0 else f"doit être ≥ {c.minimum:g}"
        col.add_mask(low, c.name, text, rule)
        ok &= ~low
    if c.maximum is not None:
        high = checked & (values > c.maximum)
        col.add_mask(high, c.name, text, f"doit être ≤ {c.maximum:g}")
        ok &= ~high
    return ok


def _list_problems(
    text: pd.Series, sep: str, check: Callable[[pd.Series], npt.NDArray[np.bool_]]
) -> npt.NDArray[np.bool_]:
    exploded = text.str.split(sep).explode().str.strip()
    bad_items = pd.Series(check(exploded.fillna("")), index=exploded.index)
    return np.asarray(bad_items.groupby(level=0).any().reindex(text.index).fillna(True), dtype=bool)


def _joined(
    frame: pd.DataFrame, columns: tuple[str, ...], mask: npt.NDArray[np.bool_]
) -> pd.Series:
    """The values of ``columns`` joined by " / ", computed only on the rows in ``mask``."""
    out = pd.Series("", index=frame.index, dtype=object)
    if mask.any():
        part = frame.loc[mask, list(columns)].astype(TEXT).fillna("")
        out.loc[mask] = part.agg(" / ".join, axis=1).to_numpy()
    return out


def _check_keys(
    frame: pd.DataFrame,
    table: Table,
    col: _Collector,
    valid: npt.NDArray[np.bool_],
    known: KnownKeys | None,
) -> None:
    key = list(table.key)
    if not key:
        return
    dup = frame.duplicated(subset=key, keep="first").to_numpy(dtype=bool) & valid
    clash = np.zeros(len(frame), dtype=bool)
    if known is not None and known.existing is not None and len(known.existing):
        stored = pd.MultiIndex.from_frame(known.existing[key].astype(TEXT))
        mine = pd.MultiIndex.from_frame(frame[key].astype(TEXT))
        clash = np.asarray(mine.isin(stored), dtype=bool) & valid & ~dup
    shown = _joined(frame, tuple(key), dup | clash)
    if dup.any():
        first = frame.drop_duplicates(subset=key, keep="first")
        first_row = pd.Series(
            col.rows[first.index.to_numpy()], index=pd.MultiIndex.from_frame(first[key])
        )
        dup_idx = np.flatnonzero(dup)
        col.total += len(dup_idx)
        for i in dup_idx[: col.limit]:
            k = tuple(frame.iloc[i][key])
            original = int(first_row.loc[k] if len(key) > 1 else first_row.loc[(k[0],)])
            col.kept.append(
                Problem(
                    int(col.rows[i]),
                    " / ".join(key),
                    str(shown.iloc[i]),
                    f"identifiant en double (déjà à la {col.row_label} {format_int(original)})",
                    col.source,
                    col.row_label,
                )
            )
    if clash.any():
        col.add_mask(
            clash,
            " / ".join(key),
            shown,
            "identifiant déjà présent dans la base (utilisez --remplacer pour remplacer la table)",
        )


def _check_references(
    frame: pd.DataFrame,
    table: Table,
    col: _Collector,
    valid_by_column: Mapping[str, npt.NDArray[np.bool_]],
    known: KnownKeys | None,
) -> None:
    for c in table.columns:
        if c.references is None:
            continue
        target_table, target_col = c.references
        allowed: pd.Index = pd.Index([], dtype=TEXT)
        if known is not None and (target_table, target_col) in known.values:
            allowed = known.values[(target_table, target_col)].astype(TEXT)
        if target_table == table.name:
            allowed = allowed.append(pd.Index(frame[target_col].dropna().astype(TEXT)))
        values = frame[c.name].astype(TEXT)
        present = values.notna().to_numpy(dtype=bool) & valid_by_column[c.name]
        missing = present & ~codes.isin(values, allowed)
        col.add_mask(
            missing,
            c.name,
            values.fillna(""),
            f"référence inconnue : absente de {target_table}.{target_col} (importez d'abord {target_table})",
        )
