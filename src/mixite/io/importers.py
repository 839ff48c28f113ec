"""``mixite importer KIND FILE``: one importer per kind, all validating before writing.

An import reads the whole file as text, checks it against its format (types, codes,
bounds, keys, references to what the store already holds, rules across columns) and
writes it in one transaction only if nothing is wrong. Otherwise it raises
:class:`~mixite.errors.InvalidDataError` and the store is not opened for writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from mixite.core import model
from mixite.core.schema import Column, Table
from mixite.core.validation import KnownKeys, Problem, validate
from mixite.errors import InvalidDataError, UnknownKindError
from mixite.io import formats, publies
from mixite.io.exporters import to_import_frame
from mixite.io.publies import Outcome
from mixite.io.readers import PROGRESS_BYTES, RawTable, read_table
from mixite.io.store import Store, Write, acteur


@dataclass(frozen=True)
class ImportOptions:
    """Options of one import: replace the table (or the vintage), force a vintage."""

    replace: bool = False
    vintage: int | None = None
    sheet: str | int = 0
    #: With ``replace``: accept an empty file (it empties the table).
    allow_empty: bool = False
    #: With ``replace``: delete the rows of other tables left pointing at nothing.
    cascade: bool = False
    #: The file's encoding (``utf-8``, ``windows-1252``, ``latin-1``); detected if None.
    encoding: str | None = None
    #: The user's names for columns → mixite's (``--colonnes Code_Bailleur=code_bailleur``).
    columns: Mapping[str, str] = field(default_factory=dict)
    #: RPLS: the landlord's code when the file does not name its owner.
    bailleur: str | None = None
    #: EPSG code of the file's coordinates (buildings, RPLS); detected if None.
    projection: int | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    kind: str
    table: str
    rows: int
    source: str
    vintage: int | None = None
    #: Rows of other tables deleted by ``cascade`` (table → count).
    cascaded: dict[str, int] | None = None
    #: What the user should know (other sheets not read, outlines repaired…).
    notices: tuple[str, ...] = ()
    #: Rows written to the other tables of a multi-table format (RPLS: table → rows).
    also: dict[str, int] | None = None


Runner = Callable[[RawTable, Store, ImportOptions], "tuple[Write, int | None] | Outcome"]


@dataclass(frozen=True)
class Importer:
    """One import kind: its French description and the function that validates and maps."""

    kind: str
    description: str
    run: Runner


#: Up to this many rows, the stored keys an import is checked against are fetched for
#: the rows' own values only (a form sent through the API, a commission decision),
#: instead of whole key columns (400 000 dwellings on the full twin: a second a form).
LOT_RESTREINT = 2000
_CLE = re.compile(r"[\x20-\x7E]+")


def _known(
    store: Store, table: Table, *, replace_all: bool, existing: pd.DataFrame | None = None,
    lot: pd.DataFrame | None = None, lus: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> KnownKeys:  # fmt: skip
    """The stored keys ``table``'s rows refer to, and its own stored keys. With ``lot``
    (the rows as read, at most :data:`LOT_RESTREINT`), only those equal to its values:
    the checks give the same answers. ``lus``: the keys of referenced tables the caller
    has just read under the writer's lock (a decision's dwelling and application), not
    looked up again."""
    small = lot is not None and len(lot) <= LOT_RESTREINT

    def keys(target: str, column: str, source: str) -> pd.DataFrame:
        if not small or lot is None or source not in lot.columns:
            return store.read_if_exists(target, [column])
        # Keys are printable ASCII (the validator refuses the rest, and a NUL byte is not
        # even a value PostgreSQL can compare): other values cannot match a stored key.
        wanted = sorted({k for v in lot[source].dropna() if _CLE.fullmatch(k := str(v).strip())})
        if not wanted or not store.has_table(target):
            return pd.DataFrame({column: pd.Series([], dtype="string")})
        marks = ", ".join("?" * len(wanted))
        return store.query(f"SELECT {column} FROM {target} WHERE {column} IN ({marks})", wanted)

    values: dict[tuple[str, str], pd.Index] = {}
    for c in table.columns:
        if c.references and c.references[0] != table.name:
            target, column = c.references
            if lus is not None and (target, column) in lus:
                values[(target, column)] = pd.Index(list(lus[(target, column)]), dtype="string")
                continue
            frame = keys(target, column, c.name)
            values[(target, column)] = pd.Index(frame[column].astype("string"))
    if existing is None and not replace_all:
        if len(table.key) == 1:
            existing = keys(table.name, table.key[0], table.key[0])
        else:
            existing = store.read_if_exists(table.name, list(table.key))
    return KnownKeys(values, None if replace_all else existing)


def _check(
    raw: RawTable, table: Table, known: KnownKeys, *, allow_extra: bool = False
) -> pd.DataFrame:
    return validate(
        raw.frame,
        table,
        source=raw.source,
        row_numbers=raw.row_numbers,
        row_label=raw.row_label,
        known=known,
        allow_extra_columns=allow_extra,
    )


def _project_buildings(raw: RawTable, opts: ImportOptions) -> RawTable:
    """Buildings given in WGS 84 or another projection (``--projection``) are converted
    to their department's projection before validation; cells that are not numbers are
    left for validation to report."""
    from mixite.core.projections import ACCEPTEES, WGS84, semble_wgs84, vers_la_base

    f = raw.frame
    if not {"x", "y", "code_commune"} <= set(f.columns):
        return raw
    x = pd.to_numeric(f["x"].astype("string").str.replace(",", "."), errors="coerce")
    y = pd.to_numeric(f["y"].astype("string").str.replace(",", "."), errors="coerce")
    source = opts.projection or (WGS84 if semble_wgs84(x, y) else None)
    if source is None:
        return raw
    if source not in ACCEPTEES:
        raise InvalidDataError.single(
            raw.source,
            "système de coordonnées non pris en charge ; codes EPSG acceptés : "
            + ", ".join(map(str, sorted(ACCEPTEES))),
            column="--projection",
            value=str(source),
        )
    xs, ys = vers_la_base(x, y, source, f["code_commune"])
    ok = x.notna() & y.notna()
    frame = f.copy()
    frame["x"] = f["x"].mask(ok, pd.Series(xs, index=f.index).map(repr))
    frame["y"] = f["y"].mask(ok, pd.Series(ys, index=f.index).map(repr))
    notice = f"coordonnées converties de EPSG:{source} vers la projection de chaque département"
    return replace(raw, frame=frame, notices=(*raw.notices, notice))


def _entity(table: Table) -> Runner:
    def run(raw: RawTable, store: Store, opts: ImportOptions) -> Outcome:
        if table is model.BATIMENTS:
            raw = _project_buildings(raw, opts)
        known = _known(store, table, replace_all=opts.replace, lot=raw.frame)
        typed = _check(raw, table, known)
        if "synthetique" in typed.columns:
            typed["synthetique"] = typed["synthetique"].fillna(False)
        return Outcome(
            [Write(table, typed, raw.source, replace_all=opts.replace)], None, raw.notices
        )

    return run


def row_fingerprints(frame: pd.DataFrame, table: Table) -> pd.Series:
    """SHA-256 of each row's content, as text in the table's column order."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    text = to_import_frame(frame, table)
    joined = text.astype(str).agg("\x1f".join, axis=1)
    return joined.map(lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest())


def audit_allocations(
    new: pd.DataFrame, store: Store, *, source: str, replace: bool
) -> pd.DataFrame:
    """The audit rows of an allocation-form import: additions, and with ``replace``,
    modifications and deletions against what the store held."""
    after = pd.Series(
        row_fingerprints(new, model.ATTRIBUTIONS).to_numpy(), index=new["id_attribution"].to_numpy()
    )
    before = pd.Series(dtype=str)
    if replace and store.has_table("attributions"):  # adding: nothing stored to compare
        stored = store.read("attributions")
        if len(stored):
            before = pd.Series(
                row_fingerprints(stored, model.ATTRIBUTIONS).to_numpy(),
                index=stored["id_attribution"].to_numpy(),
            )
    old: dict[str, str] = {str(k): str(v) for k, v in before.items()}
    new_digests: dict[str, str] = {str(k): str(v) for k, v in after.items()}
    rows: list[tuple[str, str, str | None, str | None]] = []
    for ident, digest in new_digests.items():
        if ident not in old:
            rows.append(("ajout", ident, None, digest))
        elif old[ident] != digest:
            rows.append(("modification", ident, old[ident], digest))
    for ident in sorted(set(old) - set(new_digests)):
        rows.append(("suppression", ident, old[ident], None))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return pd.DataFrame(
        {
            "horodatage": now,
            "utilisateur": acteur(),
            "fichier": source,
            "action": [r[0] for r in rows],
            "id_attribution": [r[1] for r in rows],
            "empreinte_avant": pd.array([r[2] for r in rows], dtype="string"),
            "empreinte_apres": pd.array([r[3] for r in rows], dtype="string"),
        }
    )


def with_vintage(table: Table, rename: Callable[[str], str], name: str | None = None) -> Table:
    """The store's version of a file format: a ``millesime`` column, then renamed columns."""
    cols = tuple(replace(c, name=rename(c.name)) for c in table.columns)
    vintage = Column(
        "millesime", "integer", "millésime des données", "année", minimum=1990, maximum=2100
    )
    return Table(
        name or table.name,
        table.title,
        table.description,
        (vintage, *cols),
        key=("millesime", *(rename(k) for k in table.key)),
    )


def _vintage_runner(
    fmt: Table,
    store_table: Table,
    rename: Callable[[str], str],
    vintage: int,
    raw: RawTable,
    store: Store,
    opts: ImportOptions,
) -> Write:
    existing = None
    if not opts.replace and store.has_table(store_table.name):
        stored = store.read(
            store_table.name, [rename(k) for k in fmt.key], where=f"millesime = {int(vintage)}"
        )
        existing = stored.rename(columns={rename(k): k for k in fmt.key})
    known = _known(store, fmt, replace_all=opts.replace, existing=existing)
    typed = _check(raw, fmt, known, allow_extra=True)
    typed = typed.rename(columns={c: rename(c) for c in typed.columns})
    typed.insert(0, "millesime", pd.Series(np.full(len(typed), vintage), dtype="Int64"))
    return Write(
        store_table,
        typed,
        raw.source,
        replace_where={"millesime": vintage} if opts.replace else None,
    )


def _require_vintage(raw: RawTable, opts: ImportOptions, guessed: int | None, hint: str) -> int:
    vintage = opts.vintage or guessed
    if vintage is None:
        raise InvalidDataError(
            [
                Problem(
                    0,
                    "",
                    raw.source,
                    f"millésime introuvable ({hint}) ; précisez --millesime AAAA",
                    raw.source,
                )
            ],
            total=1,
            source=raw.source,
        )
    _check_vintage(vintage, raw.source, "millesime")
    return vintage


def _check_vintage(vintage: int, source: str, column: str) -> None:
    """Refuse a vintage outside the plausible range (a typing error: 1800, −5)."""
    if not MIN_VINTAGE <= vintage <= MAX_VINTAGE:
        raise InvalidDataError.single(
            source,
            f"millésime hors de la plage plausible ({MIN_VINTAGE} à {MAX_VINTAGE})",
            column=column,
            value=str(vintage),
        )


#: Vintages of data mixite accepts (the same bounds as the ``millesime`` columns).
MIN_VINTAGE, MAX_VINTAGE = 1990, 2100


def _filosofi_carreaux(
    raw: RawTable, store: Store, opts: ImportOptions
) -> tuple[Write, int | None]:
    import re

    m = re.search(r"(20\d{2})", raw.source)
    vintage = _require_vintage(
        raw, opts, int(m.group(1)) if m else None, "année absente du nom de fichier"
    )
    store_table = with_vintage(formats.FILOSOFI_CARREAUX, str.lower)
    return _vintage_runner(
        formats.FILOSOFI_CARREAUX, store_table, str.lower, vintage, raw, store, opts
    ), vintage


def _filosofi_zones(raw: RawTable, store: Store, opts: ImportOptions) -> tuple[Write, int | None]:
    cols = list(raw.frame.columns)
    vintage = _require_vintage(raw, opts, formats.filosofi_year(cols), "colonne MEDaa absente")
    yy = f"{vintage % 100:02d}"
    codes = raw.frame["CODGEO"] if "CODGEO" in raw.frame else pd.Series(dtype=str)
    level = "epci" if len(codes) and codes.str.fullmatch(r"\d{9}").mean() > 0.5 else "commune"
    fmt = formats.filosofi_zones(level, yy)
    raw2 = raw

    def rename(c: str) -> str:
        named = {"CODGEO": "code_zone", "LIBGEO": "libelle"}
        return named.get(c, c.removesuffix(yy).lower())

    store_table = with_vintage(fmt, rename)
    store_table = replace(
        store_table,
        columns=(
            store_table.columns[0],
            Column("niveau", "text", "commune ou epci", choices=("commune", "epci")),
            *store_table.columns[1:],
        ),
        key=("millesime", "niveau", "code_zone"),
    )
    existing = None
    if not opts.replace and store.has_table(store_table.name):
        stored = store.read(
            store_table.name,
            ["code_zone"],
            where=f"millesime = {int(vintage)} AND niveau = '{level}'",
        )
        existing = stored.rename(columns={"code_zone": "CODGEO"})
    typed = _check(
        raw2, fmt, _known(store, fmt, replace_all=opts.replace, existing=existing), allow_extra=True
    )
    typed = typed.rename(columns={c: rename(c) for c in typed.columns})
    typed.insert(0, "niveau", level)
    typed.insert(0, "millesime", pd.Series(np.full(len(typed), vintage), dtype="Int64"))
    where = {"millesime": vintage, "niveau": level} if opts.replace else None
    return Write(store_table, typed, raw.source, replace_where=where), vintage


def _census(raw: RawTable, store: Store, opts: ImportOptions) -> tuple[Write, int | None]:
    frame = raw.frame.drop(
        columns=[c for c in raw.frame.columns if c == "" or c.startswith("Unnamed")]
    )
    found = formats.census_layout(list(frame.columns))
    if found is None:
        expected = "; ".join(
            ", ".join(n.replace("{yy}", "AA") for n in names[:2]) + ", …"
            for _, names in formats.CENSUS_LAYOUTS.values()
        )
        raise InvalidDataError(
            [
                Problem(
                    0,
                    "",
                    "",
                    f"en-tête non reconnu ; colonnes attendues, par exemple : {expected}",
                    raw.source,
                )
            ],
            total=1,
            source=raw.source,
        )
    layout, year = found
    vintage = opts.vintage or year
    fmt = formats.census_table(layout, year)
    rename = formats.strip_census_year
    store_table = with_vintage(fmt, lambda c: "code_iris" if c == "IRIS" else rename(c))
    raw2 = RawTable(frame, raw.row_numbers, raw.row_label, raw.source)
    return _vintage_runner(
        fmt,
        store_table,
        lambda c: "code_iris" if c == "IRIS" else rename(c),
        vintage,
        raw2,
        store,
        opts,
    ), vintage


QPV_GEOJSON = Table(
    "qpv",
    "Périmètres QPV",
    "Contours des quartiers prioritaires (GeoJSON).",
    (
        Column("code_qp", "text", "code du QPV", code="qpv"),
        Column("nom_qp", "text", "nom du QPV"),
        Column("code_commune", "text", "commune", code="commune", required=False),
        Column("nom_commune", "text", "nom de la commune", required=False),
        Column("geometrie", "geometry", "périmètre"),
    ),
    key=("code_qp",),
)


def communes_geojson(code: str = "code", nom: str = "nom") -> Table:
    """Commune outlines as a GeoJSON names them (``code``/``nom`` or ``code_commune``/``nom_commune``)."""
    return Table(
        "communes",
        "Contours des communes",
        "Communes avec leur contour (GeoJSON, propriétés code et nom).",
        (
            Column(code, "text", "code commune INSEE", code="commune"),
            Column(nom, "text", "nom de la commune"),
            Column("geometrie", "geometry", "contour"),
        ),
        key=(code,),
    )


def _qpv(raw: RawTable, store: Store, opts: ImportOptions) -> tuple[Write, int | None]:
    if "geometrie" not in raw.frame.columns:
        table = formats.QPV_INDICATEURS
        typed = _check(
            raw, table, _known(store, table, replace_all=opts.replace), allow_extra=False
        )
        return Write(table, typed, raw.source, replace_all=opts.replace), None
    names = {"code_qp": "code_qpv", "nom_qp": "nom"}
    existing = None
    if not opts.replace:
        existing = store.read_if_exists("qpv", ["code_qpv"]).rename(columns={"code_qpv": "code_qp"})
    typed = _check(
        raw,
        QPV_GEOJSON,
        _known(store, QPV_GEOJSON, replace_all=opts.replace, existing=existing),
        allow_extra=True,
    )
    typed = typed.rename(columns=names)
    typed["synthetique"] = False
    return Write(model.QPV, typed, raw.source, replace_all=opts.replace), None


def _communes(raw: RawTable, store: Store, opts: ImportOptions) -> tuple[Write, int | None]:
    columns = raw.frame.columns
    code, nom = (
        ("code_commune", "nom_commune")
        if "code" not in columns and "code_commune" in columns
        else ("code", "nom")
    )
    fmt = communes_geojson(code, nom)
    existing = None
    if not opts.replace:
        existing = store.read_if_exists("communes", ["code_commune"]).rename(
            columns={"code_commune": code}
        )
    typed = _check(
        raw, fmt, _known(store, fmt, replace_all=opts.replace, existing=existing), allow_extra=True
    )
    typed = typed.rename(columns={code: "code_commune", nom: "nom"})
    typed["code_epci"] = pd.array([None] * len(typed), dtype="string")
    typed["code_territoire"] = pd.array([None] * len(typed), dtype="string")
    typed["synthetique"] = False
    return Write(model.COMMUNES, typed, raw.source, replace_all=opts.replace), None


IMPORTERS: dict[str, Importer] = {
    i.kind: i
    for i in (
        Importer("filosofi-carreaux", "Filosofi carroyé 200 m (CSV INSEE)", _filosofi_carreaux),
        Importer("filosofi-communes", "Filosofi par commune ou EPCI (CSV INSEE)", _filosofi_zones),
        Importer(
            "recensement-iris", "Recensement, bases infracommunales IRIS (CSV INSEE)", _census
        ),
        Importer("qpv", "QPV : indicateurs (CSV) ou périmètres (GeoJSON)", _qpv),
        Importer("communes", "Contours des communes (GeoJSON, propriétés code et nom)", _communes),
        Importer("bailleurs", model.BAILLEURS.description, _entity(model.BAILLEURS)),
        Importer("batiments", model.BATIMENTS.description, _entity(model.BATIMENTS)),
        Importer("entrees", model.ENTREES.description, _entity(model.ENTREES)),
        Importer("logements", model.LOGEMENTS.description, _entity(model.LOGEMENTS)),
        Importer("menages", model.MENAGES.description, _entity(model.MENAGES)),
        Importer("demandes", model.DEMANDES.description, _entity(model.DEMANDES)),
        Importer("attributions", model.ATTRIBUTIONS.description, _entity(model.ATTRIBUTIONS)),
        Importer("operations", model.OPERATIONS.description, _entity(model.OPERATIONS)),
        Importer("relogements", model.RELOGEMENTS.description, _entity(model.RELOGEMENTS)),
        *(
            Importer(t.name, t.description, _entity(t))
            for t in (
                model.ENTRETIENS_RELOGEMENT,
                model.PROPOSITIONS_RELOGEMENT,
                model.ACTIONS_RELOGEMENT,
                model.VISITES_RELOGEMENT,
            )
        ),
        Importer(
            "rpls",
            "RPLS, un logement par ligne → bailleurs, bâtiments, entrées, logements",
            publies.rpls,
        ),
        Importer(
            "ops",
            "OPS, un ménage enquêté par ligne → ménages (locataires du parc social)",
            publies.ops,
        ),
        Importer("ops-agregats", "OPS, résultats par commune, QPV ou EPCI", publies.ops_agregats),
        Importer("sne-demandes", "SNE, extrait des demandes → demandes", publies.sne_demandes),
        Importer(
            "sne-attributions",
            "SNE, extrait des attributions → attributions",
            publies.sne_attributions,
        ),
    )
}


#: The steps of an import, in order, as :func:`import_file` reports them to ``progress``.
IMPORT_STEPS = ("lecture du fichier", "attente des autres écritures", "validation", "écriture")


def import_file(
    kind: str,
    path: Path | str,
    store: Store,
    options: ImportOptions | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    scope: Callable[[RawTable, Sequence[Write]], None] | None = None,
) -> ImportResult:
    """Validate ``path`` as ``kind`` and write it to ``store``; nothing is written on failure.

    ``progress(i)`` is called as step ``IMPORT_STEPS[i]`` begins (the platform shows it).
    ``scope(raw, writes)`` may refuse validated rows outside the importer's scope (raising
    :class:`InvalidDataError`) before anything is written.
    """
    step = progress or (lambda i: None)
    _known_kind(kind)
    opts = options or ImportOptions()
    path = Path(path)
    if opts.vintage is not None:
        _check_vintage(opts.vintage, path.name, "--millesime")
    big = path.exists() and path.stat().st_size >= PROGRESS_BYTES
    with tqdm(
        total=3, desc=f"Import de {path.name}", unit=" étape", disable=not big, leave=False
    ) as bar:
        bar.set_postfix_str("lecture")
        step(0)
        raw = read_table(path, sheet=opts.sheet, encoding=opts.encoding)
        bar.update(1)
        return _import(kind, raw, store, opts, step, scope, bar)


def import_rows(
    kind: str,
    raw: RawTable,
    store: Store,
    options: ImportOptions | None = None,
    *,
    scope: Callable[[RawTable, Sequence[Write]], None] | None = None,
) -> ImportResult:
    """:func:`import_file` for rows already read as text (the partner API's JSON forms):
    the same column mapping, validation, scope check, audit and single write."""
    _known_kind(kind)
    if options is not None and options.vintage is not None:
        _check_vintage(options.vintage, raw.source, "millesime")
    with tqdm(total=3, disable=True) as bar:
        return _import(kind, raw, store, options or ImportOptions(), lambda i: None, scope, bar)


def _known_kind(kind: str) -> None:
    if kind not in IMPORTERS:
        raise UnknownKindError(
            f"Unknown import kind {kind!r}; available kinds: {', '.join(IMPORTERS)}"
        )


def _import(
    kind: str,
    raw: RawTable,
    store: Store,
    opts: ImportOptions,
    step: Callable[[int], None],
    scope: Callable[[RawTable, Sequence[Write]], None] | None,
    bar: Any,
) -> ImportResult:
    if kind in model.TABLES_BY_NAME:
        raw = map_columns(raw, model.TABLES_BY_NAME[kind], opts.columns)
    # Checks against the stored keys and the write happen under one writer lock.
    step(1)
    with store.writer():
        step(2)
        bar.set_postfix_str(f"validation de {len(raw.frame):,} lignes".replace(",", " "))
        outcome = IMPORTERS[kind].run(raw, store, opts)
        if not isinstance(outcome, Outcome):
            outcome = Outcome([outcome[0]], outcome[1], raw.notices)
        vintage = outcome.vintage
        bar.update(1)
        bar.set_postfix_str("écriture")
        step(3)
        for w in outcome.writes:
            _check_replacement(w, store, opts, raw.source)
        if scope is not None:
            scope(raw, outcome.writes)
        writes = list(outcome.writes)
        write = writes[-1]
        if kind in ("attributions", "sne-attributions"):
            audit = audit_allocations(write.frame, store, source=raw.source, replace=opts.replace)
            writes.append(Write(model.AUDIT_ATTRIBUTIONS, audit, raw.source))
        if all(len(w.frame) == 0 for w in outcome.writes) and not opts.replace:
            cascaded: dict[str, int] = {}  # nothing to add: the store is not touched
        else:
            cascaded = store.write(writes, cascade=opts.replace and opts.cascade)
    bar.update(1)
    also = {w.table.name: len(w.frame) for w in outcome.writes[:-1]}
    return ImportResult(
        kind,
        write.table.name,
        len(write.frame),
        raw.source,
        vintage,
        cascaded or None,
        outcome.notices,
        also or None,
    )


def normalized(name: str) -> str:
    """A header as mixite compares it: no accents, lower case, ``_`` between words.

    Examples
    --------
    >>> normalized(" Code Bailleur "), normalized("Année-de-mise en service")
    ('code_bailleur', 'annee_de_mise_en_service')
    """
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", plain.casefold()).strip("_")


def map_columns(raw: RawTable, table: Table, explicit: Mapping[str, str]) -> RawTable:
    """Rename the file's columns to the table's: first the user's mapping, then headers
    that differ only by case, accents, spaces or hyphens; say what was renamed."""
    expected = {normalized(c): c for c in table.column_names}
    unknown_targets = [v for v in explicit.values() if v not in table.column_names]
    if unknown_targets:
        raise InvalidDataError(
            [
                Problem(
                    0,
                    v,
                    "",
                    "--colonnes : colonne inconnue de mixite ; colonnes : "
                    + ", ".join(table.column_names),
                    raw.source,
                )
                for v in unknown_targets
            ],
            total=len(unknown_targets),
            source=raw.source,
        )
    renames: dict[str, str] = {}
    for name in raw.frame.columns:
        if name in explicit:
            renames[name] = explicit[name]
        elif name not in table.column_names and normalized(name) in expected:
            renames[name] = expected[normalized(name)]
    if not renames:
        return raw
    notices = (
        "colonnes renommées : " + ", ".join(f"« {a} » → « {b} »" for a, b in renames.items()),
    )
    frame = raw.frame.rename(columns=renames)
    return replace(raw, frame=frame, notices=(*raw.notices, *notices))


def dependents(table: Table) -> list[tuple[Table, Column]]:
    """Columns of other entity tables that reference ``table``'s keys."""
    return [
        (t, c)
        for t in model.ENTITY_TABLES
        for c in t.columns
        if c.references is not None and c.references[0] == table.name and t.name != table.name
    ]


def _check_replacement(write: Write, store: Store, opts: ImportOptions, source: str) -> None:
    """Refuse a replacement that would silently empty a table or orphan other rows."""
    if not opts.replace or write.replace_where:
        return
    name = write.table.name
    stored = store.count(name)
    if len(write.frame) == 0 and stored and not opts.allow_empty:
        raise InvalidDataError(
            [
                Problem(
                    0,
                    "",
                    "",
                    f"le fichier ne contient aucune ligne : --remplacer viderait la table "
                    f"« {name} » ({stored} lignes) ; ajoutez --vider pour le confirmer",
                    source,
                )
            ],
            total=1,
            source=source,
        )
    if opts.cascade:
        return
    problems = []
    for t, c in dependents(write.table):
        target = c.references[1] if c.references else c.name
        keys = pd.Index(write.frame[target].astype("string").dropna())
        theirs = store.read_if_exists(t.name, [c.name])[c.name].astype("string").dropna()
        lost = int((~theirs.isin(keys)).sum())
        if lost:
            problems.append(
                Problem(
                    0,
                    c.name,
                    "",
                    f"remplacer « {name} » laisserait {lost} ligne(s) de « {t.name} » sans "
                    f"{name} correspondant ; remplacez d'abord « {t.name} », ou ajoutez "
                    "--cascade pour supprimer ces lignes",
                    source,
                )
            )
    if problems:
        raise InvalidDataError(problems, total=len(problems), source=source)
