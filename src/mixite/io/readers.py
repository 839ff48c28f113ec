"""Read CSV, Parquet, Excel and GeoJSON files as text, with the row numbers users see.

Every reader returns a :class:`RawTable`: all cells as text (``""`` when empty), so
that validation can quote the value exactly as it stands in the file.
"""

from __future__ import annotations

import codecs
import datetime as dt
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
    """A file read as text: the cells, the row numbers shown to users and their label,
    and notices for the user (other sheets left unread…)."""

    frame: pd.DataFrame
    row_numbers: npt.NDArray[np.int64]
    row_label: str
    source: str
    notices: tuple[str, ...] = ()


def _refuse(
    path: Path, rule: str, *, row: int = 0, column: str = "", value: str = ""
) -> InvalidDataError:
    return InvalidDataError.single(path.name, rule, row=row, column=column, value=value)


def _duplicate_columns(names: list[str], path: Path) -> None:
    seen: set[str] = set()
    problems = []
    for name in names:
        if name in seen:
            problems.append(
                Problem(
                    0,
                    name,
                    "",
                    "colonne présente deux fois dans l'en-tête ; gardez-en une seule",
                    path.name,
                )
            )
        seen.add(name)
    if problems:
        raise InvalidDataError(problems, total=len(problems), source=path.name)


def read_table(path: Path, *, sheet: str | int = 0, encoding: str | None = None) -> RawTable:
    """Read a CSV, Parquet, Excel or GeoJSON file by its extension."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise _refuse(path, "fichier introuvable", value=str(path))
    if path.is_dir():
        raise _refuse(path, "c'est un dossier, pas un fichier", value=str(path))
    if path.stat().st_size == 0:
        raise _refuse(path, "fichier vide (0 octet)")
    if suffix in {".csv", ".txt"}:
        return read_csv(path, encoding=encoding)
    if suffix in {".parquet", ".pq"}:
        return read_parquet(path)
    if suffix in {".xlsx", ".xlsm"}:
        return read_excel(path, sheet=sheet)
    if suffix in {".geojson", ".json"}:
        return read_geojson(path)
    raise _refuse(
        path,
        "format non pris en charge ; formats acceptés : .csv, .parquet, .xlsx, .geojson",
        value=path.suffix,
    )


def _sniff_separator(head: str) -> str:
    counts = {sep: head.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: counts[s])


def _field_count_problems(
    path: Path, sep: str, expected: int, codec: str = "utf-8"
) -> list[Problem]:
    """Rows whose number of fields differs from the header's (the slow, precise path)."""
    import csv

    problems: list[Problem] = []
    encoding = "utf-8-sig" if codec == "utf-8" else codec
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        next(reader, None)
        for line, row in enumerate(reader, start=2):
            if row and len(row) != expected:
                problems.append(
                    Problem(
                        line,
                        "",
                        sep.join(row)[:80],
                        f"{len(row)} champ(s) au lieu de {expected} (séparateur « {sep} »)",
                        path.name,
                    )
                )
    return problems


#: Encodings users' files come in, by the names ``--encodage`` accepts.
ENCODINGS = {"utf-8": "utf-8", "windows-1252": "cp1252", "latin-1": "latin-1"}


def detect_encoding(path: Path) -> str:
    """``utf-8`` when the whole file decodes as UTF-8 (with or without BOM), else
    ``windows-1252`` when it decodes as that (French Excel's « CSV » on Windows);
    otherwise the file is refused.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes("nom;ville café".encode("cp1252"))
    >>> detect_encoding(p)
    'windows-1252'
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        path.read_bytes().decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _refuse(
            path,
            "encodage inconnu (ni UTF-8 ni Windows-1252) ; enregistrez le fichier en « CSV UTF-8 » "
            "ou précisez --encodage",
        ) from exc
    return "windows-1252"


def read_csv(path: Path, *, encoding: str | None = None) -> RawTable:
    """Read a CSV file (separator ``,``, ``;`` or tab; UTF-8 with or without BOM, or
    Windows-1252, detected unless ``encoding`` says which).

    Arrow's multi-threaded reader is used (5x faster than pandas' C parser on 10⁶
    rows), every column as text. A file it rejects is scanned again line by line for a
    precise report (rows with too many or too few fields).
    """
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    if encoding is not None and encoding not in ENCODINGS:
        raise _refuse(path, f"encodage « {encoding} » inconnu ; encodages : {', '.join(ENCODINGS)}")
    name = encoding or detect_encoding(path)
    codec = ENCODINGS[name]
    notices: tuple[str, ...] = ()
    if encoding is None and name != "utf-8":
        notices = (f"fichier lu en {name} (encodage détecté ; --encodage pour en imposer un)",)
    with path.open("rb") as fh:
        raw_head = fh.read(1 << 16)
    cut = raw_head if len(raw_head) < (1 << 16) else raw_head[: raw_head.rfind(b"\n") + 1]
    try:
        text_head = cut.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        raise _refuse(path, f"le fichier n'est pas en {name} ; précisez --encodage", row=1) from exc
    head = text_head.splitlines()[0] if text_head.strip() else ""
    if not head.strip():
        raise _refuse(path, "fichier vide : aucune ligne d'en-tête")
    sep = _sniff_separator(head)
    names = [c.strip() for c in next(csv.reader([head], delimiter=sep))]
    _duplicate_columns(names, path)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, encoding="utf8" if codec == "utf-8" else codec
            ),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        problems = _field_count_problems(path, sep, len(names), codec)
        if problems:
            raise InvalidDataError(problems[:50], total=len(problems), source=path.name) from exc
        message = str(exc)
        if "UTF8" in message or "utf8" in message.lower():
            raise _refuse(
                path,
                "le fichier contient du texte qui n'est pas en UTF-8 ; enregistrez-le en « CSV UTF-8 »",
            ) from exc
        raise _refuse(path, "fichier CSV illisible (guillemets non fermés ?)") from exc
    frame = table.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if t == pa.string() else None)
    frame.columns = names
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return RawTable(frame, rows, "ligne", path.name, notices)


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file; cells are turned to text exactly as pandas prints them."""
    import pyarrow as pa

    try:
        frame = pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _refuse(path, "n'est pas un fichier Parquet lisible") from exc
    _duplicate_columns([str(c) for c in frame.columns], path)
    text = _as_text(frame)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return RawTable(text, rows, "enregistrement", path.name)


def read_excel(path: Path, *, sheet: str | int = 0) -> RawTable:
    """Read one sheet of an Excel workbook; row numbers are the sheet's row numbers.

    Dates and numbers are read as what they are (a date cell becomes ``AAAA-MM-JJ``);
    the other sheets are named in a notice, never ignored silently.
    """
    import zipfile

    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _refuse(path, "n'est pas un classeur Excel lisible (.xlsx)") from exc
    with book:
        names = [str(n) for n in book.sheet_names]
        wanted: str | int = sheet
        if isinstance(sheet, str) and sheet.isdigit():
            wanted = int(sheet)
        if isinstance(wanted, int):
            if not 0 <= wanted < len(names):
                raise _refuse(path, f"pas de feuille n° {wanted} ; feuilles : {', '.join(names)}")
            wanted = names[wanted]
        if wanted not in names:
            raise _refuse(
                path,
                f"feuille « {wanted} » absente ; feuilles : {', '.join(names)}",
                value=str(wanted),
            )
        header = pd.read_excel(book, sheet_name=wanted, header=None, nrows=1, dtype=object)
        first = [str(v).strip() for v in header.iloc[0].tolist()] if len(header) else []
        _duplicate_columns(first, path)
        frame = pd.read_excel(book, sheet_name=wanted, dtype=object)
    text = _as_text(frame)
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    others = [n for n in names if n != wanted]
    notices = (
        (
            f"feuille « {wanted} » lue ; autres feuilles non lues : {', '.join(others)} (--feuille pour en choisir une)",
        )
        if others
        else ()
    )
    return RawTable(text, rows, "ligne", path.name, notices)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        s = frame[name]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[str(name)] = s.dt.strftime("%Y-%m-%d").fillna("")
            continue
        values = []
        for v in s.tolist():
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
                values.append("")
            elif isinstance(v, pd.Timestamp | dt.datetime) and (v.hour, v.minute, v.second) == (
                0,
                0,
                0,
            ):
                values.append(v.strftime("%Y-%m-%d"))
            elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                values.append(v.isoformat())
            elif isinstance(v, float) and v.is_integer():
                values.append(str(int(v)))
            elif isinstance(v, bool | np.bool_):
                values.append("1" if v else "0")
            else:
                values.append(str(v))
        out[str(name)] = values
    return pd.DataFrame(out, dtype=str)


def read_geojson(path: Path) -> RawTable:
    """Read a GeoJSON FeatureCollection of outlines: one row per feature, properties as
    text, the geometry as WKB in ``geometrie``.

    RFC 7946: coordinates in WGS 84 longitude/latitude. A ``crs`` member naming another
    system, coordinates outside the WGS 84 ranges (a Lambert-93 file, say), a feature
    that is not an object, a geometry that is not a polygon or an invalid polygon
    (self-intersecting ring…) are reported per feature.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _refuse(path, f"GeoJSON illisible (JSON invalide, {type(exc).__name__})") from exc
    except RecursionError as exc:
        raise _refuse(path, "GeoJSON illisible : imbrication trop profonde") from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise _refuse(path, "le fichier n'est pas une FeatureCollection GeoJSON")
    problems: list[Problem] = []
    crs = doc.get("crs")
    if crs is not None:
        name = (
            str((crs.get("properties") or {}).get("name", ""))
            if isinstance(crs, dict)
            else str(crs)
        )
        if not any(k in name.upper() for k in ("CRS84", "4326")):
            problems.append(
                Problem(
                    0,
                    "crs",
                    name[:60],
                    "un GeoJSON est en WGS 84 longitude/latitude (RFC 7946) ; reprojetez le fichier",
                    path.name,
                )
            )
    props: list[dict[str, object]] = []
    geoms: list[bytes | None] = []
    repaired: list[int] = []
    for number, f in enumerate(features, start=1):
        if not isinstance(f, dict):
            problems.append(
                Problem(
                    number,
                    "",
                    str(f)[:40],
                    "une entité GeoJSON doit être un objet",
                    path.name,
                    "entité",
                )
            )
            props.append({})
            geoms.append(None)
            continue
        p = f.get("properties")
        props.append(p if isinstance(p, dict) else {})
        geoms.append(_feature_geometry(f.get("geometry"), number, path, problems, repaired))
    if problems:
        raise InvalidDataError(problems[:50], total=len(problems), source=path.name)
    frame = _as_text(pd.DataFrame(props)) if any(props) else pd.DataFrame(index=range(len(props)))
    frame["geometrie"] = pd.Series(geoms, dtype=object)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    notices = (
        (
            f"{len(repaired)} contour(s) invalide(s) (anneau qui se recoupe…) réparé(s) sans "
            f"perte de surface (entités {', '.join(map(str, repaired[:10]))}"
            f"{'…' if len(repaired) > 10 else ''})",
        )
        if repaired
        else ()
    )
    return RawTable(frame, rows, "entité", path.name, notices)


def _feature_geometry(
    g: object, number: int, path: Path, problems: list[Problem], repaired: list[int]
) -> bytes | None:
    def bad(rule: str, value: str = "") -> None:
        problems.append(Problem(number, "geometrie", value, rule, path.name, "entité"))

    if not g:
        return None
    if not isinstance(g, dict):
        bad("la géométrie doit être un objet GeoJSON")
        return None
    kind = str(g.get("type", ""))
    if kind not in ("Polygon", "MultiPolygon"):
        bad("un contour est attendu (Polygon ou MultiPolygon)", kind)
        return None
    try:
        shape = shapely.from_geojson(json.dumps(g))
    except (shapely.errors.GEOSException, ValueError, TypeError):
        bad("géométrie illisible", kind)
        return None
    if shape.is_empty:
        return None
    xmin, ymin, xmax, ymax = shape.bounds
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        bad(
            "coordonnées hors de WGS 84 (longitude −180 à 180, latitude −90 à 90) ; "
            "le fichier est-il en Lambert-93 ?",
            f"{xmin:.0f}, {ymin:.0f}",
        )
        return None
    if not shape.is_valid:
        # Official outlines often self-intersect by a few metres: repaired (make_valid
        # keeps every covered point), refused only if no surface is left.
        fixed = shapely.make_valid(shape)
        polygons = shapely.get_parts(fixed)
        kept = [p for p in polygons if p.geom_type in ("Polygon", "MultiPolygon")]
        if not kept:
            bad(f"contour invalide et irréparable : {shapely.is_valid_reason(shape)}", kind)
            return None
        shape = shapely.union_all(kept)
        repaired.append(number)
    return bytes(shapely.to_wkb(shape))
