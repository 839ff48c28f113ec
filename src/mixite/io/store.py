"""The store: one DuckDB file that the user owns, needing no server — or, named by a
``postgresql://`` URL, the same store on a PostgreSQL server for several users
(:mod:`mixite.io.store_postgres`).

Tables are created from their :class:`~mixite.core.schema.Table` description. Every
write happens in one transaction, after validation: a failed import leaves the file
byte-for-byte unchanged (validation only opens the store read-only). See
``docs/adr/0001-stockage-duckdb.md`` for the choice and its server-side successor.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import getpass
import hashlib
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd
import pyarrow as pa

from mixite.core.schema import Column, Table
from mixite.errors import MissingDataError, StoreError
from mixite.io import DEFAULT_STORE

_SQL_TYPES = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "money": "DECIMAL(14,2)",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "geometry": "BLOB",
}


@dataclass(frozen=True)
class TableInfo:
    """What ``mixite info`` shows about one table."""

    name: str
    title: str
    rows: int
    synthetic: bool
    source: str
    synthetic_rows: int = 0

    @property
    def mixed(self) -> bool:
        """Both twin rows and imported rows (the banner must say so)."""
        return 0 < self.synthetic_rows < self.rows


@dataclass(frozen=True)
class Write:
    """One table to write: its description, its typed rows and how to merge them.

    ``replace_where`` deletes the rows matching ``{column: value}`` first (e.g. one
    vintage); ``replace_all`` empties the table first.
    """

    table: Table
    frame: pd.DataFrame
    source: str
    synthetic: bool = False
    replace_all: bool = False
    replace_where: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Modification:
    """Some columns set anew in the rows of one table matching ``where`` (``{column:
    value}``), inside a write's transaction: a decided dwelling no longer vacant, its
    application satisfied. An ``UPDATE``, not a read and a rewrite: nothing else in the
    rows can be lost to another writer, and ``where`` can hold the state the change
    expects (``vacant = true``). ``lignes``: how many rows must match, or the whole
    write is refused and rolled back.

    The values are of the columns' kinds (``bool``, ``str`` among the choices, a
    ``datetime.date``, a number); money is written through a :class:`Write`, in cents.
    """

    table: Table
    where: Mapping[str, Any]
    values: Mapping[str, Any]
    source: str
    lignes: int = 1


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _types(con: Any) -> dict[str, str]:
    """SQL types of the connection's database (DuckDB, or PostgreSQL's wrapper)."""
    if getattr(con, "dialecte", "duckdb") == "postgresql":
        from mixite.io.store_postgres import TYPES_POSTGRES

        return TYPES_POSTGRES
    return _SQL_TYPES


def create_sql(table: Table, types: Mapping[str, str] = _SQL_TYPES) -> str:
    return create_statement(table.name, [(c.name, c.kind) for c in table.columns], types)


def create_statement(
    name: str, columns: Sequence[tuple[str, str]], types: Mapping[str, str]
) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for ``(column, kind)`` pairs; on PostgreSQL a
    chained journal also gets the identity column that keeps its rows' order."""
    cols = ", ".join(f"{_quote(c)} {types[kind]}" for c, kind in columns)
    if types is not _SQL_TYPES and name in CHAINED:
        cols += ", _rang BIGINT GENERATED ALWAYS AS IDENTITY"
    return f"CREATE TABLE IF NOT EXISTS {_quote(name)} ({cols})"


def table_names(con: Any) -> list[str]:
    """The tables of the connection's schema, by name."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [str(r[0]) for r in rows]


@contextmanager
def transaction(con: Any) -> Iterator[None]:
    """One transaction on ``con``: committed at the end of the block, rolled back if the
    block raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _select_expr(c: Column) -> str:
    name = _quote(c.name)
    if c.kind == "money":
        return f"CAST(CAST({name} AS DECIMAL(18,0)) / 100 AS DECIMAL(14,2)) AS {name}"
    if c.kind == "date":
        return f"CAST({name} AS DATE) AS {name}"
    return name


#: Who acts, for the journals: the platform sets the logged-in account for each request
#: (and its background imports); elsewhere, the system user running the command.
_ACTEUR: contextvars.ContextVar[str | None] = contextvars.ContextVar("mixite_acteur", default=None)


def acteur() -> str:
    """The name the journals record for whoever is acting now."""
    return _ACTEUR.get() or getpass.getuser()


@contextmanager
def en_tant_que(nom: str) -> Iterator[None]:
    """Record ``nom`` as the actor of every journal line written inside the block."""
    token = _ACTEUR.set(nom)
    try:
        yield
    finally:
        _ACTEUR.reset(token)


#: Rows from which a write of a table is large: the server's planner statistics are
#: then refreshed at once (see :meth:`Store._statistiques`).
GRANDE_ECRITURE = 1000

#: Store files this process shares between reading and writing threads (see Store).
_PARTAGEES: set[str] = set()


class Store:
    """A DuckDB file holding every table of mixite; ``Store("postgresql://…")`` gives
    the same store on a PostgreSQL server (:class:`~mixite.io.store_postgres.PostgresStore`).

    ``partagee``: the process reads while it writes (the web platform, whose requests
    read while a background import writes). Every connection is then opened read-write,
    so that they all share one DuckDB instance: readers see the last committed state
    while a write transaction runs (DuckDB's MVCC), instead of failing on a connection
    of another configuration. Other processes can open the file between connections.
    The choice holds for the whole process: once a file is shared, every ``Store`` of
    that file in the process opens it read-write too.
    """

    def __new__(cls, path: Path | str = DEFAULT_STORE, *, partagee: bool = False) -> Store:
        from mixite.io import est_url

        if cls is Store and est_url(path):
            from mixite.io.store_postgres import PostgresStore

            return super().__new__(PostgresStore)
        return super().__new__(cls)

    def __init__(self, path: Path | str = DEFAULT_STORE, *, partagee: bool = False) -> None:
        self.path = Path(path)
        if partagee:  # for the whole process: every Store of this file must open it alike
            _PARTAGEES.add(str(self.path.resolve()))

    @property
    def partagee(self) -> bool:
        return str(self.path.resolve()) in _PARTAGEES

    @property
    def nom(self) -> str:
        """How messages name the store: its file, or its URL without the password."""
        return str(self.path)

    @property
    def emplacement(self) -> str:
        """What opens this store again: its file, or its full URL."""
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def _connect(self, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; while another process writes (DuckDB's file lock), wait up to
        ``MIXITE_ATTENTE`` seconds (default 60), then say in French that the store is busy."""
        deadline = time.monotonic() + float(os.environ.get("MIXITE_ATTENTE", "60"))
        delay = 0.05
        while True:
            try:
                # A shared store opens read-write only once the file exists: reading a
                # missing store must not create it.
                ro = read_only and not (self.partagee and self.path.exists())
                con = duckdb.connect(str(self.path), read_only=ro)
                break
            except duckdb.Error as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    if "lock" in str(exc).lower():
                        raise StoreError(
                            f"la base « {self.nom} » est occupée par une autre commande "
                            "(import en cours ?) ; réessayez quand elle aura fini"
                        ) from exc
                    raise StoreError(f"Cannot open the store {self.path}: {exc}") from exc
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the store for one writer at a time, from the checks to the write.

        Imports read the keys already stored, validate, then write: two imports at once
        must not both check against the same keys. An exclusive lock on a file beside the
        store serialises them (the second waits for the first); readers are not blocked.
        """
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".verrou")
        with lock_path.open("a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def imported_tables(self) -> dict[str, int]:
        """Tables holding rows that are not the twin's (imported data), with their count."""
        out: dict[str, int] = {}
        for t in self.tables():
            real = t.rows - t.synthetic_rows
            if real > 0:
                out[t.name] = real
        return out

    def has_table(self, name: str) -> bool:
        if not self.exists():
            return False
        with self._connect(read_only=True) as con:
            return bool(
                con.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
                ).fetchone()[0]  # type: ignore[index]
            )

    def read(
        self, name: str, columns: Sequence[str] | None = None, where: str = ""
    ) -> pd.DataFrame:
        """Read a table (or some of its columns) into a data frame."""
        if not self.has_table(name):
            if not self.exists():
                raise MissingDataError(
                    f"la base « {self.nom} » n'existe pas ; lancez « mixite demo » ou "
                    "« mixite importer », ou indiquez la bonne base avec --store"
                )
            raise MissingDataError(
                f"la base « {self.nom} » n'a pas de table « {name} » ; importez-la "
                f"(« mixite importer {name.replace('_', '-')} … ») ou lancez « mixite demo »"
            )
        cols = ", ".join(_quote(c) for c in columns) if columns else "*"
        sql = f"SELECT {cols} FROM {_quote(name)}" + (f" WHERE {where}" if where else "")
        with self._connect(read_only=True) as con:
            return _df(con, sql)

    def read_if_exists(self, name: str, columns: Sequence[str], where: str = "") -> pd.DataFrame:
        """Like :meth:`read`, but an empty frame with ``columns`` when the table is absent."""
        if not self.has_table(name):
            return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
        return self.read(name, columns, where)

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run a read-only SQL query."""
        with self._connect(read_only=True) as con:
            return _df(con, sql, list(params))

    def journal_access(self, *, perimetre: str, objet: str, lignes: int, destination: str) -> None:
        """Record that household-level data left the store (who, scope, what, how many, where)."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        with self._connect(read_only=False) as con:
            _ensure_catalog(con)
            values = [now, acteur(), perimetre, objet, lignes, destination]
            link = chain_link(_last_link(con, "_mixite_journal_acces"), values)
            con.execute(
                "INSERT INTO _mixite_journal_acces (consulte_le, utilisateur, perimetre, objet, "
                "lignes, destination, chaine) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [*values, link],
            )

    def verify_journals(self) -> list[str]:
        """Recompute the hash chain of every journal; French descriptions of the rows
        that were changed, removed or inserted out of order (empty: intact)."""
        problems: list[str] = []
        if not self.exists():
            return problems
        with self._connect(read_only=True) as con:
            for table, fields in CHAINED.items():
                exists = con.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
                ).fetchone()
                if not exists or not exists[0]:
                    continue
                cols = ", ".join(_quote(f) for f in fields)
                column = con.execute(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = ? "
                    "AND column_name = 'chaine'",
                    [table],
                ).fetchone()
                if not column or not column[0]:
                    continue
                rows = con.execute(
                    f"SELECT {cols}, chaine FROM {_quote(table)} ORDER BY rowid"
                ).fetchall()
                link = ""
                for n, row in enumerate(rows, start=1):
                    *values, stored = row
                    if stored is None:  # written before the journal was chained
                        continue
                    expected = chain_link(link, values)
                    if stored != expected:
                        problems.append(
                            f"{table}, ligne {n} : empreinte de chaîne incorrecte (ligne modifiée, "
                            "retirée ou insérée depuis l'écriture)"
                        )
                        break
                    link = stored
        return problems

    def access_journal(self) -> pd.DataFrame:
        """Every recorded access to household-level data, oldest first."""
        if not self.has_table("_mixite_journal_acces"):
            return pd.DataFrame(
                columns=[
                    "consulte_le",
                    "utilisateur",
                    "perimetre",
                    "objet",
                    "lignes",
                    "destination",
                ]
            )
        return self.query("SELECT * FROM _mixite_journal_acces ORDER BY consulte_le")

    def imports_journal(self) -> pd.DataFrame:
        """Every write recorded by the store (table, source, rows, who), oldest first."""
        if not self.has_table("_mixite_imports"):
            return pd.DataFrame(columns=["imported_at", "table_name", "source", "rows"])
        return self.query("SELECT * FROM _mixite_imports ORDER BY rowid")

    def ecritures_par_table(self) -> dict[str, int]:
        """The writes the journal recorded, per table (a few rows: read as rows)."""
        if not self.has_table("_mixite_imports"):
            return {}
        with self._connect(read_only=True) as con:
            rows = con.execute(
                "SELECT table_name, count(*) FROM _mixite_imports GROUP BY table_name"
            ).fetchall()
        return {str(table): int(n) for table, n in rows}

    def count(self, name: str) -> int:
        """Rows of a table (0 when it does not exist)."""
        if not self.has_table(name):
            return 0
        with self._connect(read_only=True) as con:
            row = con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()
            return int(row[0]) if row else 0

    def write(
        self,
        writes: Sequence[Write | Modification],
        *,
        meta: Mapping[str, str] | None = None,
        cascade: bool = False,
    ) -> dict[str, int]:
        """Write several tables in one transaction: all of them, or none.

        ``cascade``: then delete, in the same transaction, the rows of other tables whose
        references point at nothing (repeatedly, down the references), and return how
        many rows each table lost.
        """
        self._preparer()
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        with self._connect(read_only=False) as con, transaction(con):
            _ensure_catalog(con)
            for w in writes:
                if isinstance(w, Modification):
                    _modify_one(con, w, now)
                else:
                    _write_one(con, w, now)
            deleted = _delete_orphans(con) if cascade else {}
            for key, value in (meta or {}).items():
                con.execute("DELETE FROM _mixite_meta WHERE key = ?", [key])
                con.execute("INSERT INTO _mixite_meta VALUES (?, ?)", [key, value])
            self._avant_validation(con)
        self._statistiques([w.table.name for w in writes if isinstance(w, Write)
                            and (w.replace_all or len(w.frame) >= GRANDE_ECRITURE)])  # fmt: skip
        return deleted

    def modifiee_le(self) -> int | None:
        """When the file or its write-ahead log last changed (ns), 0 if absent; ``None``
        when the store cannot tell (a server's database)."""
        stamp = self.path.stat().st_mtime_ns if self.path.exists() else 0
        wal = self.path.with_name(self.path.name + ".wal")
        return max(stamp, wal.stat().st_mtime_ns) if wal.exists() else stamp

    def _statistiques(self, tables: Sequence[str]) -> None:
        """After a large write of ``tables``: nothing to do (DuckDB keeps its own)."""

    def _avant_validation(self, con: Any) -> None:
        """Last step of a write's transaction (the server's security, on PostgreSQL)."""

    def _preparer(self) -> None:
        """Before a write: the file's folder exists."""
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def meta(self) -> dict[str, str]:
        if not self.has_table("_mixite_meta"):
            return {}
        frame = self.query("SELECT key, value FROM _mixite_meta ORDER BY key")
        return dict(zip(frame["key"], frame["value"], strict=True))

    def tables(self) -> list[TableInfo]:
        """The data tables of the store, with their row count and whether they are synthetic."""
        if not self.has_table("_mixite_tables"):
            return []
        with self._connect(read_only=True) as con:
            catalog = con.execute(
                "SELECT name, title, synthetic, source FROM _mixite_tables ORDER BY name"
            ).fetchall()
            out = []
            for name, title, synthetic, source in catalog:
                columns = {
                    r[0]
                    for r in con.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                        [name],
                    ).fetchall()
                }
                # Derived from the rows themselves: an import into a twin store mixes them.
                flag = "count(*) FILTER (WHERE synthetique)" if "synthetique" in columns else "0"
                row = con.execute(f"SELECT count(*), {flag} FROM {_quote(name)}").fetchone()
                n, n_synth = (int(row[0]), int(row[1] or 0)) if row else (0, 0)
                if "synthetique" not in columns:
                    n_synth = n if synthetic else 0
                out.append(TableInfo(name, title, n, n > 0 and n_synth == n, source, n_synth))
            return out


def _delete_orphans(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Delete rows whose reference points at no row, until none is left; count them."""
    from mixite.core.model import ENTITY_TABLES

    present = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    deleted: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for t in ENTITY_TABLES:
            for c in t.columns:
                if c.references is None or t.name not in present:
                    continue
                target, column = c.references
                if target not in present:
                    continue
                row = con.execute(
                    f"DELETE FROM {_quote(t.name)} WHERE {_quote(c.name)} IS NOT NULL AND "
                    f"{_quote(c.name)} NOT IN (SELECT {_quote(column)} FROM {_quote(target)} "
                    f"WHERE {_quote(column)} IS NOT NULL)"
                ).fetchone()
                n = int(row[0]) if row else 0
                if n:
                    deleted[t.name] = deleted.get(t.name, 0) + n
                    changed = True
    return deleted


def indexer(con: Any, t: Table) -> None:
    """On PostgreSQL, the indexes of ``t``'s key and references (:func:`index_sql`)."""
    if getattr(con, "dialecte", "duckdb") == "postgresql":
        from mixite.io.store_postgres import index_sql

        for statement in index_sql(t):
            con.execute(statement)


def _df(con: Any, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """The rows of a query as a frame (on PostgreSQL, :meth:`Connexion.lire`)."""
    if getattr(con, "dialecte", "duckdb") == "postgresql":
        frame: pd.DataFrame = con.lire(sql, params)
    else:
        frame = con.execute(sql, list(params)).df()
    return frame


def _ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    if _catalog_ready(con):
        return
    con.execute(
        "CREATE TABLE IF NOT EXISTS _mixite_tables "
        "(name VARCHAR PRIMARY KEY, title VARCHAR, synthetic BOOLEAN, source VARCHAR, updated_at VARCHAR)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS _mixite_imports "
        "(imported_at VARCHAR, table_name VARCHAR, source VARCHAR, rows BIGINT, synthetic BOOLEAN)"
    )
    con.execute("CREATE TABLE IF NOT EXISTS _mixite_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute(
        "CREATE TABLE IF NOT EXISTS _mixite_journal_acces "
        "(consulte_le VARCHAR, utilisateur VARCHAR, perimetre VARCHAR, objet VARCHAR, "
        "lignes BIGINT, destination VARCHAR)"
    )
    con.execute("ALTER TABLE _mixite_journal_acces ADD COLUMN IF NOT EXISTS chaine VARCHAR")
    con.execute("ALTER TABLE _mixite_imports ADD COLUMN IF NOT EXISTS utilisateur VARCHAR")
    con.execute("ALTER TABLE _mixite_imports ADD COLUMN IF NOT EXISTS chaine VARCHAR")
    if getattr(con, "dialecte", "duckdb") == "postgresql":  # no rowid: an identity orders rows
        for journal in ("_mixite_imports", "_mixite_journal_acces"):
            con.execute(
                f"ALTER TABLE {journal} ADD COLUMN IF NOT EXISTS _rang BIGINT GENERATED ALWAYS AS IDENTITY"
            )


def _catalog_ready(con: Any) -> bool:
    """Whether the catalog and journals already have every column (on PostgreSQL an
    ``ALTER TABLE``, even one that changes nothing, locks the table against readers
    until the write commits)."""
    wanted = {("_mixite_journal_acces", "chaine"), ("_mixite_imports", "utilisateur"),
              ("_mixite_imports", "chaine"), ("_mixite_meta", "key"), ("_mixite_tables", "name")}  # fmt: skip
    if getattr(con, "dialecte", "duckdb") == "postgresql":
        wanted |= {("_mixite_imports", "_rang"), ("_mixite_journal_acces", "_rang")}
    have = {(table, c) for table in {t for t, _ in wanted} for c in _columns(con, table)}
    return wanted <= have


#: Journals whose rows are chained by hash (append-only, tamper-evident).
CHAINED: dict[str, tuple[str, ...]] = {
    "audit_attributions": (
        "horodatage", "utilisateur", "fichier", "action", "id_attribution",
        "empreinte_avant", "empreinte_apres",
    ),
    "_mixite_journal_acces": (
        "consulte_le", "utilisateur", "perimetre", "objet", "lignes", "destination",
    ),
    "_mixite_imports": (
        "imported_at", "table_name", "source", "rows", "synthetic", "utilisateur",
    ),
}  # fmt: skip


def chain_link(previous: str, values: Sequence[object]) -> str:
    """SHA-256 of the previous link and the row's values (``None`` as empty).

    Examples
    --------
    >>> chain_link("", ["a", None, 3])[:12]
    'f8caac60475c'
    """
    text = previous + "\x1e" + "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _columns(con: Any, table: str) -> list[str]:
    """``table``'s columns in order (none when it does not exist), PostgreSQL's ``_rang``
    included. PostgreSQL answers from its catalog: a query of its ``information_schema``
    views costs a few milliseconds, and a decision's write asks a dozen times."""
    if getattr(con, "dialecte", "duckdb") == "postgresql":
        rows = con.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [_quote(table)],
        ).fetchall()
    else:
        rows = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
    return [str(r[0]) for r in rows]


def _last_link(con: duckdb.DuckDBPyConnection, table: str) -> str:
    if "chaine" not in _columns(con, table):
        return ""
    row = con.execute(
        f"SELECT chaine FROM {_quote(table)} WHERE chaine IS NOT NULL ORDER BY rowid DESC LIMIT 1"
    ).fetchone()
    return str(row[0]) if row else ""


def _chained(con: duckdb.DuckDBPyConnection, w: Write) -> Write:
    """The journal rows with their chain, continuing the stored one."""
    fields = CHAINED[w.table.name]
    link = "" if w.replace_all else _last_link(con, w.table.name)
    links = []
    for row in w.frame[list(fields)].astype(object).itertuples(index=False):
        link = chain_link(link, [None if pd.isna(v) else v for v in row])
        links.append(link)
    return replace(w, frame=w.frame.assign(chaine=links))


def _migrate(con: duckdb.DuckDBPyConnection, t: Table, existing: list[str]) -> None:
    """A table written by an earlier version gains the optional columns added since (empty
    for its rows); anything else (a column removed or made required) is refused."""
    unknown = [c for c in existing if c not in t.column_names]
    added = [c for c in t.columns if c.name not in existing]
    if unknown or any(c.required for c in added):
        raise StoreError(
            f"La table « {t.name} » de la base n'a pas les colonnes de cette version de mixite "
            f"(base : {len(existing)} colonnes, attendu : {len(t.column_names)}) ; "
            "réimportez-la avec --remplacer ou relancez « mixite demo »."
        )
    for c in added:
        con.execute(
            f"ALTER TABLE {_quote(t.name)} ADD COLUMN {_quote(c.name)} {_types(con)[c.kind]}"
        )


def _write_one(con: duckdb.DuckDBPyConnection, w: Write, now: str) -> None:
    if w.table.name in CHAINED:
        w = _chained(con, w)
    t = w.table
    missing = [c for c in t.column_names if c not in w.frame.columns]
    if missing:
        raise ValueError(
            f"The frame written to {t.name!r} lacks columns {missing}; validate it against the table first."
        )
    if w.replace_all:
        _empty(con, t)
    # Without PostgreSQL's order of a journal's rows.
    existing = [c for c in _columns(con, t.name) if c != "_rang"]
    if existing and existing != list(t.column_names):
        _migrate(con, t, existing)
    con.execute(create_sql(t, _types(con)))
    if w.replace_where:
        clause = " AND ".join(f"{_quote(k)} = ?" for k in w.replace_where)
        con.execute(f"DELETE FROM {_quote(t.name)} WHERE {clause}", list(w.replace_where.values()))
    frame = w.frame[list(t.column_names)]
    if getattr(con, "dialecte", "duckdb") == "postgresql":
        from mixite.io.store_postgres import csv_pour_copy, lignes

        kinds = [c.kind for c in t.columns]
        data = csv_pour_copy(frame, kinds) if len(frame) >= GRANDE_ECRITURE else None
        if data is not None:  # large writes: Arrow writes the rows
            cast(Any, con).copier_csv(t.name, t.column_names, data)
        else:
            cast(Any, con).copier(t.name, t.column_names, lignes(frame, kinds))
    else:
        _insert_duckdb(con, t, frame)
    indexer(con, t)  # after the rows: a new table's indexes are built once, not row by row
    title = t.title + (" — SYNTHÉTIQUE" if w.synthetic else "")
    con.execute(f"COMMENT ON TABLE {_quote(t.name)} IS '{title.replace(chr(39), chr(39) * 2)}'")
    con.execute("DELETE FROM _mixite_tables WHERE name = ?", [t.name])
    con.execute(
        "INSERT INTO _mixite_tables VALUES (?, ?, ?, ?, ?)",
        [t.name, t.title, w.synthetic, w.source, now],
    )
    values = [now, t.name, w.source, len(frame), w.synthetic, acteur()]
    link = chain_link(_last_link(con, "_mixite_imports"), values)
    con.execute(
        "INSERT INTO _mixite_imports (imported_at, table_name, source, rows, synthetic, "
        "utilisateur, chaine) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [*values, link],
    )


def _modify_one(con: Any, m: Modification, now: str) -> None:
    """``UPDATE`` the rows ``m`` names; refused (``StoreError``, the transaction rolled
    back) unless exactly ``m.lignes`` rows match; journalled as a write."""
    t = m.table
    columns = {c.name: c for c in t.columns}
    for name, value in [*m.where.items(), *m.values.items()]:
        if name not in columns:
            raise ValueError(f"{t.name!r} has no column {name!r}")
        _check_value(columns[name], value)
    if any(v is None for v in m.where.values()):
        raise ValueError("A modification's rows are named by values (= NULL matches nothing).")
    if not m.where or not m.values:
        raise ValueError("A modification names the rows (where) and the values to set.")
    assignments = ", ".join(f"{_quote(k)} = ?" for k in m.values)
    clause = " AND ".join(f"{_quote(k)} = ?" for k in m.where)
    row = con.execute(
        f"UPDATE {_quote(t.name)} SET {assignments} WHERE {clause}",
        [*m.values.values(), *m.where.values()],
    ).fetchone()
    n = int(row[0]) if row else 0
    if n != m.lignes:
        shown = ", ".join(f"{k} = {v}" for k, v in m.where.items())
        raise StoreError(
            f"« {t.name} » : {n} ligne(s) trouvée(s) où {shown}, {m.lignes} attendue(s) (une "
            "autre saisie les a peut-être changées entre-temps) ; rien n'a été écrit."
        )
    con.execute(
        "UPDATE _mixite_tables SET source = ?, updated_at = ? WHERE name = ?",
        [m.source, now, t.name],
    )
    values = [now, t.name, m.source, n, False, acteur()]
    link = chain_link(_last_link(con, "_mixite_imports"), values)
    con.execute(
        "INSERT INTO _mixite_imports (imported_at, table_name, source, rows, synthetic, "
        "utilisateur, chaine) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [*values, link],
    )


def _check_value(c: Column, value: Any) -> None:
    """A value set by a :class:`Modification` is of its column's kind (a programming
    error otherwise: users' values go through the validator)."""
    kinds: dict[str, tuple[type, ...]] = {
        "text": (str,), "boolean": (bool,), "date": (dt.date,), "integer": (int,),
        "decimal": (int, float),
    }  # fmt: skip
    fits = c.kind in kinds and isinstance(value, kinds[c.kind])
    if c.kind in ("integer", "decimal") and isinstance(value, bool):
        fits = False
    if value is None:
        fits = not c.required
    if not fits:
        raise ValueError(f"{value!r} is not a value of {c.name!r} ({c.kind})")
    if c.choices is not None and value is not None and value not in c.choices:
        raise ValueError(f"{value!r} is not one of {c.name!r}'s choices {c.choices}")


def _empty(con: Any, t: Table) -> None:
    """Empty a table before it is written again. PostgreSQL deletes its rows when its
    columns are the expected ones (readers keep reading the committed rows meanwhile;
    dropping it would lock them out until the write commits); otherwise, and on DuckDB,
    it is dropped and created anew."""
    postgresql = getattr(con, "dialecte", "duckdb") == "postgresql"
    if postgresql and [c for c in _columns(con, t.name) if c != "_rang"] == list(t.column_names):
        con.execute(f"DELETE FROM {_quote(t.name)}")
        return
    con.execute(f"DROP TABLE IF EXISTS {_quote(t.name)}")


def _insert_duckdb(con: duckdb.DuckDBPyConnection, t: Table, frame: pd.DataFrame) -> None:
    """Insert the typed rows through a registered scan. An Arrow table is scanned by
    DuckDB in parallel and without conversion (geometry columns of Python objects stay a
    pandas scan)."""
    incoming: object = frame
    if not any(c.kind == "geometry" for c in t.columns):
        with contextlib.suppress(pa.ArrowException):
            incoming = pa.Table.from_pandas(frame, preserve_index=False)
    con.register("_incoming", incoming)
    try:
        select = ", ".join(_select_expr(c) for c in t.columns)
        names = ", ".join(_quote(c.name) for c in t.columns)
        con.execute(f"INSERT INTO {_quote(t.name)} ({names}) SELECT {select} FROM _incoming")
    finally:
        # If the transaction already failed, the first error is the one to report.
        with contextlib.suppress(duckdb.Error):
            con.unregister("_incoming")
