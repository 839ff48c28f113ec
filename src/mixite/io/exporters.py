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
        text = pd.Series(text.to_numpy(dtype=object))
        text[missing] = ""
        out[c.name] = text.to_numpy()
    return pd.DataFrame(out)


def write_import_csv(frame: pd.DataFrame, table: Table, path: Path) -> Path:
    """Write ``frame`` to ``path`` (UTF-8 CSV) so that ``mixite importer`` reads it back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    to_import_frame(frame, table).to_csv(path, index=False)
    return path
