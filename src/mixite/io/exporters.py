"""Write a table as a CSV file in the very format its importer reads back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mixite.core.schema import Table


def to_import_frame(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Text columns as the importer expects them: euros with 2 decimals, ISO dates, 1/0.

    Money may be integer cents (typed frames) or decimal euros (read from the store).
    """
    out: dict[str, object] = {}
    for c in table.columns:
        if c.kind == "geometry":
            continue
        s = frame[c.name]
        missing = s.isna().to_numpy(dtype=bool)
        text: pd.Series
        if c.kind == "money":
            values = s.to_numpy(dtype=float, na_value=np.nan)
            cents = values if pd.api.types.is_integer_dtype(s.dtype) else np.rint(values * 100)
            cents = np.nan_to_num(cents).astype(np.int64)
            text = pd.Series(
                [f"{'-' if v < 0 else ''}{abs(v) // 100}.{abs(v) % 100:02d}" for v in cents]
            )
        elif c.kind == "date":
            text = pd.Series(pd.to_datetime(s).dt.strftime("%Y-%m-%d").to_numpy())
        elif c.kind == "boolean":
            text = pd.Series(np.where(s.fillna(False).to_numpy(dtype=bool), "1", "0"))
        elif c.kind == "integer":
            text = pd.Series(s.astype("Int64").astype("string").to_numpy())
        elif c.kind == "decimal":
            text = pd.Series([repr(float(v)) for v in s.to_numpy(dtype=float, na_value=np.nan)])
        else:
            text = pd.Series(s.astype("string").to_numpy())
        cells = text.to_numpy(dtype=object, copy=True)
        cells[missing] = ""
        out[c.name] = cells
    return pd.DataFrame(out)


def write_import_csv(frame: pd.DataFrame, table: Table, path: Path) -> Path:
    """Write ``frame`` to ``path`` (UTF-8 CSV) so that ``mixite importer`` reads it back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    to_import_frame(frame, table).to_csv(path, index=False)
    return path


#: Formats ``mixite exporter`` writes, each read back by ``mixite importer``.
EXPORT_FORMATS = (".csv", ".xlsx", ".parquet")


def export_table(frame: pd.DataFrame, table: Table, path: Path) -> Path:
    """Write a stored table (as :meth:`Store.read` gives it) so that ``mixite importer``
    reads it back identically.

    - ``.csv``: for French spreadsheets: ``;``, decimal comma, UTF-8 with BOM, ISO dates,
      booleans 1/0;
    - ``.xlsx``: the import template of the table filled with the rows (dates as dates,
      amounts in euros, drop-down lists);
    - ``.parquet``: typed columns (amounts in euros as decimals, dates as dates).

    Geometry columns are left out (outlines travel as GeoJSON).
    """
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        from mixite.errors import MixiteError

        raise MixiteError(
            f"Format d'export non pris en charge : « {path.suffix} » ; formats : "
            + ", ".join(EXPORT_FORMATS)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [c for c in table.columns if c.kind != "geometry"]
    if suffix == ".csv":
        text = to_import_frame(frame, table)
        for c in columns:
            if c.kind in ("money", "decimal"):
                text[c.name] = text[c.name].str.replace(".", ",", regex=False)
        text.to_csv(path, index=False, sep=";", encoding="utf-8-sig")
    elif suffix == ".xlsx":
        from mixite.io.template import write_template

        typed = frame.copy()
        for c in columns:
            if c.kind == "money":  # the template takes cents, as typed frames hold them
                euros = typed[c.name].to_numpy(dtype=float, na_value=np.nan)
                typed[c.name] = pd.array(np.rint(euros * 100), dtype="Float64").astype("Int64")
        write_template(table, path, rows=max(500, len(frame)), example=typed, synthetic_flag=True)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        out = frame[[c.name for c in columns]].copy()
        for c in columns:
            if c.kind == "text":
                out[c.name] = out[c.name].astype(object).where(out[c.name].notna(), None)
        pq.write_table(pa.Table.from_pandas(out, preserve_index=False), path)
    return path
