"""The store on a PostgreSQL server, for several users at once (ADR 0001).

The same tables, generated from the same descriptions, and the same :class:`Store`
methods: ``Store("postgresql://…")`` returns a :class:`PostgresStore`. Its connection
is wrapped in :class:`Connexion`, which speaks the small part of DuckDB's connection
interface the store uses (``execute`` with ``?`` parameters, ``fetchone``,
``fetchall``, ``df``), so that the store's logic is written once. What differs:

- types: ``DOUBLE PRECISION`` and ``BYTEA`` for DuckDB's ``DOUBLE`` and ``BLOB``;
- the journals' order: PostgreSQL has no ``rowid``, so chained journals carry an
  identity column ``_rang`` that reads leave out;
- bulk writes go through ``COPY`` in the write's transaction, money as exact decimals;
- a read connection is read-only (``default_transaction_read_only``);
- one writer at a time through an advisory lock instead of a lock file.
"""

from __future__ import annotations

import atexit
import datetime as dt
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mixite.core.schema import Table
from mixite.errors import StoreError
from mixite.io.store import Store, transaction

#: SQL types on PostgreSQL, for the kinds of ``core.schema.Column``.
TYPES_POSTGRES = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE PRECISION",
    "money": "DECIMAL(14,2)",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "geometry": "BYTEA",
}

#: The identity column that orders a journal's rows on PostgreSQL (DuckDB's ``rowid``).
RANG = "_rang"

#: The advisory lock key that serialises writers (checks then write), as the lock file
#: does beside a DuckDB store.
VERROU_ECRITURE = 7_345_112


def sans_mot_de_passe(url: str) -> str:
    """The URL as it may be shown: the password replaced by ``***``.

    >>> sans_mot_de_passe("postgresql://mixite:secret@db:5432/mel")
    'postgresql://mixite:***@db:5432/mel'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


_PLACEHOLDER = re.compile(r"\?")
_ROWID = re.compile(r"\browid\b", re.IGNORECASE)


class Resultat:
    """The rows of one statement, as DuckDB's connection returns them."""

    def __init__(self, columns: list[str], rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self.columns, self.rows, self.rowcount = columns, rows, rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        if not self.columns:  # DELETE, UPDATE: DuckDB returns the count of rows
            return (self.rowcount,)
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows

    def df(self) -> pd.DataFrame:
        """A data frame typed as DuckDB's ``df()`` types it: exact decimals and integers
        with gaps as floats, dates as ``datetime64``; the journals' ``_rang`` left out."""
        frame = pd.DataFrame.from_records(self.rows, columns=self.columns)
        for name in frame.columns:
            values = frame[name]
            sample = values.dropna()
            if sample.empty:
                continue
            first = sample.iloc[0]
            if isinstance(first, Decimal) or (
                isinstance(first, int | np.integer)
                and not isinstance(first, bool)
                and values.isna().any()
            ):
                frame[name] = values.astype("float64")
            elif isinstance(first, dt.date) and not isinstance(first, dt.datetime):
                frame[name] = pd.to_datetime(values)
            elif isinstance(first, memoryview):
                frame[name] = values.map(lambda v: None if v is None else bytes(v))
        return frame.drop(columns=[RANG], errors="ignore")


class Connexion:
    """A psycopg connection behind the few DuckDB connection methods the store uses."""

    dialecte = "postgresql"

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Resultat:
        sql, args = _psycopg(sql, params)
        with self.raw.cursor() as cur:
            cur.execute(sql, args)
            columns = [d.name for d in cur.description] if cur.description else []
            rows = cur.fetchall() if cur.description else []
            return Resultat(columns, rows, cur.rowcount)

    def lire(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """The rows of a ``SELECT`` as :meth:`Resultat.df` types them, through ``COPY … TO
        STDOUT`` read by Arrow's CSV reader when every column is of a plain type (text,
        integers, floats, numeric, booleans, dates): no Python object per value, twice
        as fast on the full twin's households. Other statements and types: the rows one
        by one (:meth:`execute`)."""
        if not _SELECT.match(sql):
            return self.execute(sql, params).df()
        query, args = _psycopg(sql, params)
        with self.raw.cursor() as cur:
            cur.execute(f"SELECT * FROM ({query}) AS _mixite_q LIMIT 0", args)
            names = [d.name for d in cur.description]
            kinds = [_ARROW.get(d.type_code) for d in cur.description]
            if None in kinds or len(set(names)) < len(names):
                return self.execute(sql, params).df()
            data = bytearray()
            with cur.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)", args) as copy:
                for chunk in copy:
                    data += chunk
        return _depuis_csv(bytes(data), names, kinds).drop(columns=[RANG], errors="ignore")

    def copier(self, table: str, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
        """``COPY`` rows into ``table`` (inside the current transaction)."""
        names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        quoted = '"' + table.replace('"', '""') + '"'
        with self.raw.cursor() as cur, cur.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def copier_csv(self, table: str, columns: Sequence[str], data: bytes) -> None:
        """``COPY`` the rows of :func:`csv_pour_copy` into ``table``."""
        names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        quoted = '"' + table.replace('"', '""') + '"'
        with (
            self.raw.cursor() as cur,
            cur.copy(f"COPY {quoted} ({names}) FROM STDIN (FORMAT csv)") as copy,
        ):
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])


def _psycopg(sql: str, params: Sequence[Any]) -> tuple[str, list[Any] | None]:
    """DuckDB's SQL (``?`` marks, ``rowid``) and values as psycopg takes them."""
    sql = _ROWID.sub(RANG, sql)
    if not params:
        return sql, None
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%")), [_python(v) for v in params]


_SELECT = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)

#: PostgreSQL type oid → how the fast path reads the column (:meth:`Connexion.lire`).
_ARROW = {16: "bool", 20: "int", 21: "int", 23: "int", 700: "float", 701: "float",
          1700: "float", 25: "text", 1042: "text", 1043: "text", 1082: "date"}  # fmt: skip


def _depuis_csv(data: bytes, names: list[str], kinds: list[str | None]) -> pd.DataFrame:
    """PostgreSQL's CSV (NULL unquoted and empty, ``t``/``f`` booleans) as a frame typed
    as :meth:`Resultat.df` types it: integers with gaps as floats, booleans with gaps as
    ``boolean`` (as DuckDB's), dates as ``datetime64[us]``, text as ``str``; a column
    without any value as ``None`` objects."""
    import io

    from pyarrow import csv

    arrow = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "text": pa.string(),
             "date": pa.date32()}  # fmt: skip
    columns = [f"c{i}" for i in range(len(names))]
    if not data:
        table = pa.table(
            {c: pa.array([], type=arrow[str(k)]) for c, k in zip(columns, kinds, strict=True)}
        )
    else:
        table = csv.read_csv(
            io.BytesIO(data),
            read_options=csv.ReadOptions(column_names=columns),
            # A row of one missing value is an empty line: it is a row.
            parse_options=csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=csv.ConvertOptions(
                column_types={c: arrow[str(k)] for c, k in zip(columns, kinds, strict=True)},
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False,
                true_values=["t"], false_values=["f"],
            ),
        )  # fmt: skip
    out = {}
    for name, column, kind in zip(names, table.columns, kinds, strict=True):
        gaps = column.null_count > 0
        if gaps and column.null_count == len(column):
            out[name] = np.full(len(column), None, dtype=object)
        elif kind == "int":
            out[name] = column.to_numpy().astype("float64" if gaps else "int64")
        elif kind == "bool":
            out[name] = pd.array(column.to_pylist(), dtype="boolean") if gaps else column.to_numpy()
        elif kind == "float":
            out[name] = column.to_numpy()
        elif kind == "date":
            out[name] = column.to_pandas(date_as_object=False).astype("datetime64[us]")
        else:
            out[name] = column.to_pandas()
    return pd.DataFrame(out, columns=names)


def _python(value: Any) -> Any:
    """A value psycopg adapts: numpy scalars as Python ones, missing values as NULL."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _valeurs(series: pd.Series, kind: str) -> list[Any]:
    """One column as Python values (``None`` for missing), converted column-wise: a
    value-by-value conversion cost more than the ``COPY`` itself on 10⁶ rows."""
    present = series.notna().to_numpy()
    if kind == "money":
        cents = pd.to_numeric(series, errors="coerce")
        return [_euros(v) if ok else None for v, ok in zip(cents.tolist(), present, strict=True)]
    if kind == "date":
        days = pd.to_datetime(series, errors="coerce").dt.date
        return days.astype(object).where(present, None).tolist()
    if kind == "integer":
        numbers = pd.to_numeric(series, errors="coerce").astype("Int64")
        return numbers.astype(object).where(present, None).tolist()
    values = series.astype(object).where(present, None).tolist()
    if kind == "decimal":
        return [None if v is None else float(v) for v in values]
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def csv_pour_copy(frame: pd.DataFrame, kinds: Sequence[str]) -> bytes | None:
    """The typed frame's rows as the CSV ``COPY`` reads, written by Arrow's CSV writer:
    the same values as :func:`lignes` gives (money from cents to exact euros, dates as
    dates, missing values as NULL), without a Python object per value (4.4 s → under a
    second for the full twin's households). ``None`` when a column holds what this path
    does not write exactly (geometries, money not in whole cents, text that is not text):
    :func:`lignes` writes those."""
    import pyarrow.csv as pacsv
    from pandas.api.types import infer_dtype, is_integer_dtype

    arrays = []
    for (_, series), kind in zip(frame.items(), kinds, strict=True):
        if kind in ("money", "integer"):
            numbers = series
            if not is_integer_dtype(series.dtype):
                try:
                    numbers = pd.to_numeric(series).astype("Float64")
                except (TypeError, ValueError):
                    return None
                whole = numbers.dropna()
                if not (whole == whole.round()).all() or (whole.abs() > 2**53).any():
                    return None
            array = pa.array(numbers.astype("Int64"), type=pa.int64(), from_pandas=True)
            if kind == "money":  # cents × 0.01, in decimals: exact
                array = pc.multiply(array.cast(pa.decimal128(19, 0)),
                                    pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)))  # fmt: skip
        elif kind == "date":
            days = pd.to_datetime(series, errors="coerce").dt.normalize()
            array = pa.array(days, from_pandas=True).cast(pa.date32())
        elif kind == "boolean":
            array = pa.array(series.astype("boolean"), type=pa.bool_(), from_pandas=True)
        elif kind == "decimal":
            try:
                reals = pd.to_numeric(series).to_numpy(dtype=float, na_value=np.nan)
            except (TypeError, ValueError):
                return None
            array = pa.array(reals, type=pa.float64(), from_pandas=True)
        elif kind == "text" and isinstance(series.dtype, pd.StringDtype):
            array = pa.array(series.array, type=pa.string())
        elif kind == "text" and infer_dtype(series, skipna=True) in ("string", "empty"):
            array = pa.array(series.astype(object).where(series.notna(), None), type=pa.string())
        else:
            return None
        arrays.append(array)
    sink = pa.BufferOutputStream()
    table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return bytes(sink.getvalue())


def lignes(frame: pd.DataFrame, kinds: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The frame's rows as Python values for ``COPY``: money from cents to exact euros
    (as the DuckDB store's cast does), dates as dates."""
    columns = [
        _valeurs(series, kind) for (_, series), kind in zip(frame.items(), kinds, strict=True)
    ]
    return zip(*columns, strict=True)


def _euros(cents: Any) -> Decimal:
    """Cents (as the validated frames hold money) to exact euros, rounded half away from
    zero like DuckDB's cast.

    >>> _euros(12345), _euros(12.5)
    (Decimal('123.45'), Decimal('0.13'))
    """
    whole = Decimal(str(cents)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (whole / 100).quantize(Decimal("0.01"))


#: Open connections, one per database, mode and thread: a command runs hundreds of
#: small queries, and opening a connection costs more than most of them.
_OUVERTES: dict[tuple[str, bool, int], Any] = {}


def fermer_connexions(url: str | None = None) -> None:
    """Close the connections kept open: every one (at exit, or before a server is
    stopped), or those to the database ``url`` (before it is dropped or copied)."""
    for key in [k for k in list(_OUVERTES) if url is None or k[0] == url]:
        raw = _OUVERTES.pop(key, None)  # another thread may have taken it meanwhile
        if raw is not None:
            raw.close()


atexit.register(fermer_connexions)


def _ouvrir(url: str, read_only: bool) -> Any:
    import psycopg

    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise StoreError(
            f"la base PostgreSQL « {sans_mot_de_passe(url)} » est injoignable ; vérifiez "
            f"l'adresse, le serveur et le mot de passe (détail : {str(exc).strip()})"
        ) from exc
    if read_only:
        raw.execute("SET default_transaction_read_only = on")
    return raw


@contextmanager
def connecter(url: str, *, read_only: bool) -> Iterator[Connexion]:
    """A connection in autocommit (the store opens its transactions), read-only when
    asked, kept open for the thread's next use; one the server closed (a restart) is
    replaced. An unreachable server is reported in French."""
    import psycopg

    key = (url, read_only, threading.get_ident())
    raw = _OUVERTES.pop(key, None)
    if raw is not None and (raw.closed or raw.broken):
        raw.close()
        raw = None
    if raw is None:
        raw = _ouvrir(url, read_only)
    try:
        yield Connexion(raw)
    except psycopg.OperationalError as exc:
        raw.close()  # the server went away mid-statement: a new connection next time
        raise StoreError(
            f"la connexion à la base PostgreSQL « {sans_mot_de_passe(url)} » a été "
            f"interrompue ; réessayez (détail : {str(exc).strip()})"
        ) from exc
    finally:
        # Kept if idle (never a half-done transaction) and if no nested use of the same
        # kind already left one; closed otherwise.
        if not raw.closed:
            idle = raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            if idle and key not in _OUVERTES:
                _OUVERTES[key] = raw
            else:
                raw.close()


@contextmanager
def verrou_ecriture(url: str) -> Iterator[None]:
    """One writer at a time on the database, from the checks to the write."""
    with connecter(url, read_only=False) as con:
        con.execute(f"SELECT pg_advisory_lock({VERROU_ECRITURE})")
        try:
            yield
        finally:
            con.execute(f"SELECT pg_advisory_unlock({VERROU_ECRITURE})")


def index_sql(table: Table) -> list[str]:
    """``CREATE INDEX IF NOT EXISTS`` on ``table``'s one-column key and the columns that
    refer to another table: a commission decision or a form looks up a few rows by key
    and joins by reference (a dwelling's building's households), which PostgreSQL would
    otherwise scan table by table (DuckDB scans its columns anyway). And the vintage
    (``millesime``): a decision writes its household into the latest, which without an
    index is a scan of every household (64 ms on the full twin, 0.4 ms with it)."""
    columns = [c.name for c in table.columns if c.references and c.references[0] != table.name]
    if len(table.key) == 1:
        columns.insert(0, table.key[0])
    if "millesime" in table.column_names:
        columns.append("millesime")
    return [
        f'CREATE INDEX IF NOT EXISTS "{table.name[:30]}_{c[:28]}_idx" ON "{table.name}" ("{c}")'
        for c in dict.fromkeys(columns)
    ]


class PostgresStore(Store):
    """The store on a PostgreSQL database named by its URL (``postgresql://…``)."""

    def __init__(self, path: Any, *, partagee: bool = False) -> None:
        self.url = str(path)

    @property
    def partagee(self) -> bool:
        return True  # the server shares itself between readers and writers

    @property
    def nom(self) -> str:
        return sans_mot_de_passe(self.url)

    @property
    def emplacement(self) -> str:
        return self.url

    def exists(self) -> bool:
        """The database answers (an unreachable server raises :class:`StoreError`)."""
        with connecter(self.url, read_only=True):
            return True

    @contextmanager
    def _connect(self, *, read_only: bool) -> Iterator[Any]:
        with connecter(self.url, read_only=read_only) as con:
            yield con

    def has_table(self, name: str) -> bool:
        """Whether the table exists and this role may read it, from the server's catalog
        in one query (its ``information_schema`` views cost ten times more, and pages and
        decisions ask often)."""
        with self._connect(read_only=True) as con:
            row = con.execute(
                "SELECT coalesce(has_table_privilege(to_regclass(?), 'SELECT'), false)",
                ['"' + name.replace('"', '""') + '"'],
            ).fetchone()
            return bool(row and row[0])

    @contextmanager
    def writer(self) -> Iterator[None]:
        with verrou_ecriture(self.url):
            yield

    def modifiee_le(self) -> int | None:
        return None  # the server's files are not ours to watch

    def _preparer(self) -> None:
        """Nothing to prepare: the database exists on its server."""

    def _statistiques(self, tables: Sequence[str]) -> None:
        """The planner's statistics of ``tables``, refreshed after a large write. Without
        them, until the server's autovacuum comes by, it estimates a decision's lookups
        over a freshly imported twin as full scans: 0.9 s instead of 0.6 ms."""
        if not tables:
            return
        with self._connect(read_only=False) as con:
            for table in dict.fromkeys(tables):
                con.execute(f'ANALYZE "{table}"')

    def _avant_validation(self, con: Any) -> None:
        """A replaced table is a new table: its row-level security is set again."""
        from mixite.io.securite_postgres import proteger

        proteger(con)

    def securiser(self, codes: list[str]) -> list[str]:
        """A database role per landlord of ``codes`` and row-level security (see
        :mod:`mixite.io.securite_postgres`); the roles' names."""
        from mixite.io.securite_postgres import creer_roles

        with self.writer(), self._connect(read_only=False) as con, transaction(con):
            return creer_roles(con, codes)
