"""Write published tables to CSV or Excel, with their notes (formula, secrecy, synthetic).

CSV, by default for spreadsheets (the convention of French public data): « ; », decimal
comma, UTF-8 with BOM, and the notes in ``<name>.notes.txt`` beside the table;
``MIXITE_CSV=machine`` gives « , », « . » and the notes as ``#`` lines above the header
(``pandas.read_csv(comment="#")`` reads it). Excel: one sheet per table with French
headers and number formats per column, and a « Notes » sheet. No text cell is ever a live formula: CSV cells starting with
``= + - @`` (or tab, CR) get an apostrophe, Excel cells are stored as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mixite.errors import MixiteError

FORMATS = (".csv", ".xlsx", ".parquet")

#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with an apostrophe
    (OWASP's advice for CSV); numbers are left alone.

    Examples
    --------
    >>> neutralize(pd.DataFrame({"id": ["=1+1", "B1", "-"], "n": [-1, 2, 3]}))["id"].tolist()
    ["'=1+1", 'B1', "'-"]
    """
    out = frame.copy()
    for name in out.columns:
        s = out[name]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        text = s.map(
            lambda v: (
                v if not isinstance(v, str) else ("'" + v if v.startswith(FORMULA_START) else v)
            )
        )
        out[name] = text
    return out


def csv_style() -> str:
    """``tableur`` (default: opens cleanly in French Excel) or ``machine`` (``,``, ``.``,
    notes as ``#`` lines), chosen by the ``MIXITE_CSV`` environment variable."""
    import os

    return "machine" if os.environ.get("MIXITE_CSV", "").strip().lower() == "machine" else "tableur"


def number_format(values: pd.Series, name: str) -> str | None:
    """The Excel format of a column: integers with a thousands separator, percentages
    with one decimal, euros with two, other numbers with one; None for text."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    label = name.lower()
    finite = values.dropna()
    if "%" in label or label.startswith(("part", "taux")):
        return '0.0" %"'
    if "€" in label or "euro" in label or "loyer" in label or "ressources" in label:
        return '#,##0.00" €"'
    if len(finite) and (finite.astype(float) % 1 == 0).all():
        return "#,##0"
    return "#,##0.0"


def _text_not_formulas(sheet: Any) -> None:
    """Store every cell openpyxl took for a formula (``=HYPERLINK…`` from a file) as text."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _parquet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns mixing types (numbers and « — ») become text for Parquet."""
    out = frame.copy()
    for name in out.columns:
        s = out[name]
        if pd.api.types.is_object_dtype(s):
            kinds = {type(v) for v in s.dropna()}
            if len(kinds) > 1:
                out[name] = s.map(lambda v: None if pd.isna(v) else str(v)).astype("string")
    return out


def write_tables(path: Path, sheets: Mapping[str, pd.DataFrame], notes: Sequence[str]) -> Path:
    """Write ``sheets`` (name → table) to ``path`` (.csv and .parquet: the first table, the
    notes in the CSV header or the Parquet metadata; .xlsx: all tables and a Notes sheet)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise MixiteError(
            f"Format de sortie non pris en charge : « {path.suffix} » ; formats : {', '.join(FORMATS)}."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(
            _parquet_safe(next(iter(sheets.values()))), preserve_index=False
        )
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), b"mixite.notes": "\n".join(notes).encode("utf-8")}
        )
        pq.write_table(table, path)
        return path
    if suffix == ".csv":
        first = neutralize(next(iter(sheets.values())))
        if csv_style() == "machine":
            with path.open("w", encoding="utf-8", newline="") as fh:
                for note in notes:
                    fh.write(f"# {note}\n")
                first.to_csv(fh, index=False)
            return path
        # For spreadsheets (French public-data convention): « ; », decimal comma, UTF-8
        # with BOM, the table alone; its notes in a file beside it.
        first.to_csv(path, index=False, sep=";", decimal=",", encoding="utf-8-sig")
        notes_path = path.with_name(path.stem + ".notes.txt")
        notes_path.write_text("\n".join(notes) + "\n", encoding="utf-8-sig")
        return path
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for j, column_name in enumerate(frame.columns, start=1):
                fmt = number_format(frame[column_name], str(column_name))
                if fmt:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                        cell.number_format = fmt
            _text_not_formulas(sheet)
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:50])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
        pd.DataFrame({"notes": list(notes)}).to_excel(writer, sheet_name="Notes", index=False)
        _text_not_formulas(writer.sheets["Notes"])
    return path
