"""Write published tables to CSV or Excel, with their notes (formula, secrecy, synthetic).

CSV: the notes come first as ``#`` comment lines (``pandas.read_csv(comment="#")``
reads the table back). Excel: one sheet per table with French headers, and a
« Notes » sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from mixite.errors import MixiteError

FORMATS = (".csv", ".xlsx", ".parquet")


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

        table = pa.Table.from_pandas(next(iter(sheets.values())), preserve_index=False)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), b"mixite.notes": "\n".join(notes).encode("utf-8")}
        )
        pq.write_table(table, path)
        return path
    if suffix == ".csv":
        first = next(iter(sheets.values()))
        with path.open("w", encoding="utf-8", newline="") as fh:
            for note in notes:
                fh.write(f"# {note}\n")
            first.to_csv(fh, index=False, float_format="%.2f")
        return path
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:50])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
        pd.DataFrame({"notes": list(notes)}).to_excel(writer, sheet_name="Notes", index=False)
    return path
