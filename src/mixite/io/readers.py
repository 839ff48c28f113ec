"""Read CSV, Parquet, Excel and GeoJSON files as text, with the row numbers users see.

Every reader returns a :class:`RawTable`: all cells as text (``""`` when empty), so
that validation can quote the value exactly as it stands in the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from mixite.core.validation import Problem
from mixite.errors import InvalidDataError

#: Files larger than this show a progress bar while they are imported.
PROGRESS_BYTES = 5_000_000


@dataclass(frozen=True)
class RawTable:
    """A file read as text: the cells, the row numbers shown to users and their label."""

    frame: pd.DataFrame
    row_numbers: npt.NDArray[np.int64]
    row_label: str
    source: str


def read_table(path: Path, *, sheet: str | int = 0) -> RawTable:
    """Read a CSV, Parquet, Excel or GeoJSON file by its extension."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise InvalidDataError(
            [Problem(0, "", str(path), "fichier introuvable", path.name)], total=1, source=path.name
        )
    if suffix in {".csv", ".txt"}:
        return read_csv(path)
    if suffix in {".parquet", ".pq"}:
        return read_parquet(path)
    if suffix in {".xlsx", ".xlsm"}:
        return read_excel(path, sheet=sheet)
    if suffix in {".geojson", ".json"}:
        return read_geojson(path)
    raise InvalidDataError(
        [
            Problem(
                0,
                "",
                path.suffix,
                "format non pris en charge ; formats acceptés : .csv, .parquet, .xlsx, .geojson",
                path.name,
            )
        ],
        total=1,
        source=path.name,
    )


def _sniff_separator(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        head = fh.readline()
    counts = {sep: head.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: counts[s])


def read_csv(path: Path) -> RawTable:
    """Read a CSV file (separator ``,``, ``;`` or tab, UTF-8 with or without BOM).

    Arrow's multi-threaded reader is used (5x faster than pandas' C parser on 10⁶
    rows); a file it rejects is read again by the C parser for a precise message.
    """
    sep = _sniff_separator(path)
    options = {"sep": sep, "dtype": str, "keep_default_na": False, "encoding": "utf-8-sig"}
    try:
        frame = pd.read_csv(path, engine="pyarrow", dtype_backend="pyarrow", **options)  # type: ignore[call-overload]
    except Exception:
        try:
            frame = pd.read_csv(path, **options)  # type: ignore[call-overload]
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InvalidDataError(
                [Problem(0, "", "", f"fichier CSV illisible : {exc}", path.name)],
                total=1,
                source=path.name,
            ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return RawTable(frame, rows, "ligne", path.name)


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file; cells are turned to text exactly as pandas prints them."""
    frame = pd.read_parquet(path)
    text = _as_text(frame)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return RawTable(text, rows, "enregistrement", path.name)


def read_excel(path: Path, *, sheet: str | int = 0) -> RawTable:
    """Read one sheet of an Excel workbook; row numbers are the sheet's row numbers."""
    frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
    text = _as_text(frame)
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return RawTable(text, rows, "ligne", path.name)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        s = frame[name]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[str(name)] = s.dt.strftime("%Y-%m-%d").fillna("")
            continue
        values = []
        for v in s.tolist():
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
                values.append("")
            elif isinstance(v, pd.Timestamp):
                values.append(v.strftime("%Y-%m-%d"))
            elif isinstance(v, float) and v.is_integer():
                values.append(str(int(v)))
            elif isinstance(v, bool | np.bool_):
                values.append("1" if v else "0")
            else:
                values.append(str(v))
        out[str(name)] = values
    return pd.DataFrame(out, dtype=str)


def read_geojson(path: Path) -> RawTable:
    """Read a GeoJSON FeatureCollection: one row per feature, properties as text.

    The geometry becomes WKB in the ``geometrie`` column; invalid geometries are kept
    for validation to report.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidDataError(
            [Problem(0, "", "", f"GeoJSON illisible : {exc}", path.name)], total=1, source=path.name
        ) from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise InvalidDataError(
            [Problem(0, "", "", "le fichier n'est pas une FeatureCollection GeoJSON", path.name)],
            total=1,
            source=path.name,
        )
    props = [f.get("properties") or {} for f in features]
    frame = _as_text(pd.DataFrame(props)) if props else pd.DataFrame()
    geoms: list[bytes | None] = []
    for f in features:
        g = f.get("geometry")
        if not g:
            geoms.append(None)
            continue
        try:
            shape = shapely.from_geojson(json.dumps(g))
        except shapely.errors.GEOSException:
            geoms.append(None)
            continue
        geoms.append(None if shape.is_empty else shapely.to_wkb(shape))
    frame["geometrie"] = pd.Series(geoms, dtype=object)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return RawTable(frame, rows, "entité", path.name)
