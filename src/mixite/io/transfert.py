"""Move a whole store between a DuckDB file and a PostgreSQL database, without loss.

Every table of the source (data, catalog, metadata, import and access journals, audit)
is copied with its columns, types and rows, journals in their order so that their hash
chains still verify, money as exact decimals, in one transaction on the target: all
tables or none. A target that already holds tables is refused unless ``remplacer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mixite.core.model import TABLES_BY_NAME
from mixite.errors import StoreError
from mixite.io.store import (
    CHAINED,
    Store,
    _quote,
    _types,
    create_statement,
    indexer,
    table_names,
    transaction,
)

#: The column kinds both databases share, read from ``information_schema.columns``.
_KINDS = {
    "varchar": "text", "character varying": "text", "text": "text",
    "bigint": "integer", "integer": "integer", "smallint": "integer", "hugeint": "integer",
    "double": "decimal", "double precision": "decimal", "real": "decimal", "float": "decimal",
    "date": "date", "boolean": "boolean", "blob": "geometry", "bytea": "geometry",
}  # fmt: skip


@dataclass(frozen=True)
class Colonne:
    name: str
    kind: str  # text | integer | decimal | money | date | boolean | geometry


def _kind(data_type: str, scale: int | None) -> str:
    t = data_type.lower()
    if t.startswith(("decimal", "numeric")):
        if scale not in (2, None) and "(14,2)" not in t:
            raise StoreError(f"type décimal non pris en charge : {data_type}")
        return "money"
    if t not in _KINDS:
        raise StoreError(f"type de colonne non pris en charge par le transfert : {data_type}")
    return _KINDS[t]


def _columns(con: Any, table: str) -> list[Colonne]:
    rows = con.execute(
        "SELECT column_name, data_type, numeric_scale FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [Colonne(str(n), _kind(str(t), s)) for n, t, s in rows if n != "_rang"]


def _insert(con: Any, table: str, columns: Sequence[Colonne], rows: list[tuple[Any, ...]]) -> None:
    names = [c.name for c in columns]
    if getattr(con, "dialecte", "duckdb") == "postgresql":
        con.copier(table, names, iter(rows))
        return
    import pyarrow as pa

    types = {"text": pa.string(), "integer": pa.int64(), "decimal": pa.float64(),
             "money": pa.decimal128(14, 2), "date": pa.date32(), "boolean": pa.bool_(),
             "geometry": pa.binary()}  # fmt: skip
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays = [
        pa.array([bytes(v) if isinstance(v, memoryview) else v for v in col], type=types[c.kind])
        for col, c in zip(values, columns, strict=True)
    ]
    con.register("_transfert", pa.Table.from_arrays(arrays, names=names))
    try:
        cols = ", ".join(_quote(n) for n in names)
        con.execute(f"INSERT INTO {_quote(table)} ({cols}) SELECT {cols} FROM _transfert")
    finally:
        con.unregister("_transfert")


def copier_base(source: Store, cible: Store, *, remplacer: bool = False) -> dict[str, int]:
    """Copy every table of ``source`` into ``cible``; the rows copied per table."""
    if not source.exists():
        raise StoreError(f"la base source « {source.nom} » n'existe pas")
    with source._connect(read_only=True) as src:
        contents = {}
        for table in table_names(src):
            columns = _columns(src, table)
            order = " ORDER BY rowid" if table in CHAINED else ""
            cols = ", ".join(_quote(c.name) for c in columns)
            contents[table] = (
                columns,
                src.execute(f"SELECT {cols} FROM {_quote(table)}{order}").fetchall(),
            )
    with cible.writer():
        cible._preparer()
        with cible._connect(read_only=False) as dst:
            present = table_names(dst)
            if present and not remplacer:
                raise StoreError(
                    f"la base cible « {cible.nom} » contient déjà {len(present)} table(s) "
                    f"({', '.join(present[:5])}{'…' if len(present) > 5 else ''}) ; rien n'a été "
                    "écrit. Ajoutez --remplacer pour la remplacer entièrement."
                )
            with transaction(dst):
                for table in present:
                    dst.execute(f"DROP TABLE {_quote(table)}")
                for table, (columns, rows) in contents.items():
                    pairs = [(c.name, c.kind) for c in columns]
                    dst.execute(create_statement(table, pairs, _types(dst)))
                    _insert(dst, table, columns, rows)
                    if table in TABLES_BY_NAME:
                        indexer(dst, TABLES_BY_NAME[table])
                cible._avant_validation(dst)
        cible._statistiques(list(contents))
    return {table: len(rows) for table, (_, rows) in contents.items()}
