"""Importers of the published formats users hold: RPLS, OPS (records and results), SNE.

Each reads its file through its official dictionary (:mod:`mixite.io.dictionnaires`),
checks it, then maps it onto the data model: the RPLS gives landlords, buildings,
entrances and dwellings; the OPS, occupant households; the SNE, applications and
allocations. Every derived table is validated against the model before anything is
written, and problems name the file's own columns.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mixite.core import model
from mixite.core.projections import ACCEPTEES, WGS84, projection_du_departement, semble_wgs84
from mixite.core.projections import vers_la_base as projeter
from mixite.core.schema import Column, Table
from mixite.core.validation import KnownKeys, Problem, validate
from mixite.errors import InvalidDataError
from mixite.io.dictionnaires import Lecture, charger, colonne, lire
from mixite.io.exporters import to_import_frame
from mixite.io.readers import RawTable
from mixite.io.store import Store, Write

if TYPE_CHECKING:
    from mixite.io.importers import ImportOptions


@dataclass(frozen=True)
class Outcome:
    """What an importer will write: its tables, the vintage, notices for the user."""

    writes: list[Write]
    vintage: int | None = None
    notices: tuple[str, ...] = ()


def _typed(
    lec: Lecture, columns: tuple[Column, ...], known: KnownKeys | None = None
) -> pd.DataFrame:
    raw = lec.raw
    try:
        return validate(
            raw.frame,
            lec.table(columns),
            source=raw.source,
            row_numbers=raw.row_numbers,
            row_label=raw.row_label,
            known=known,
            allow_extra_columns=True,
        )
    except InvalidDataError as e:
        raise lec.relabel(e) from None


def _model_check(
    frame: pd.DataFrame,
    table: Table,
    source: str,
    store: Store,
    *,
    replace_all: bool,
    label: str,
    written: dict[tuple[str, str], pd.Index] | None = None,
) -> pd.DataFrame:
    """Validate a derived table against the model (keys, references, rules); keys
    ``written`` earlier in the same import count as known references."""
    from mixite.io.importers import _known

    known = _known(store, table, replace_all=replace_all)
    values = dict(known.values)
    for ref, keys in (written or {}).items():
        if ref in values:
            values[ref] = values[ref].append(keys)
    known = KnownKeys(values, known.existing)
    text = to_import_frame(frame, table)
    return validate(
        text,
        table,
        source=source,
        row_numbers=np.arange(1, len(text) + 1),
        row_label=label,
        known=known,
    )


def _vintage_from_name(source: str) -> int | None:
    m = re.search(r"(19[9]\d|20\d{2})", source)
    return int(m.group(1)) if m else None


def _short_id(prefix: str, parts: pd.DataFrame) -> pd.Series:
    """A short stable identifier from the parts of a key (SHA-1, 12 hex digits)."""
    text = parts.astype("string").fillna("")
    joined = pd.Series("", index=parts.index, dtype="string")
    for i, c in enumerate(text.columns):
        joined = joined + ("|" if i else "") + text[c]
    return joined.map(lambda s: prefix + hashlib.sha1(s.encode("utf-8")).hexdigest()[:12])


def _financement(code: pd.Series, libelle: pd.Series) -> pd.Series:
    """The RPLS initial financing grouped into mixite's categories (label or code).

    PLA d'intégration, PLA très social, LLTS → PLAI; PLUS, PLA ordinaire, LLS and the
    pre-1977 HLM loans (HBM, PLR/PSR, HLM/O) → PLUS; PLS, PPLS, PCLS, PLA CFF → PLS;
    PLI, ILM, ILN → PLI; anything else → autre.
    """
    text = (code.fillna("") + " " + libelle.fillna("")).str.upper()
    out = pd.Series("autre", index=code.index, dtype="string")
    rules = (
        ("PLI", r"\bPLI\b|\bILM\b|\bILN\b"),
        ("PLS", r"\bPLS\b|PPLS|PCLS|PLA CFF"),
        ("PLUS", r"\bPLUS\b|PLA ORDINAIRE|\bLLS\b|HLM/?O|\bHBM\b|PLR|PSR"),
        ("PLAI", r"PLAI|INT[EÉ]GRATION|TR[EÈ]S SOCIAL|LLTS|\bPLA[ -]?I\b|INSERTION|LOYER MINOR"),
    )
    for name, pattern in rules:
        out = out.mask(text.str.contains(pattern, regex=True), name)
    return out


def rpls(raw: RawTable, store: Store, opts: ImportOptions) -> Outcome:
    """One RPLS file → landlords, buildings, entrances, dwellings."""
    o = opts
    dico = charger("rpls")
    lec = lire(raw, dico, o.columns)
    cols = tuple(colonne(v) for v in dico.variables if v.champ is not None)
    t = _typed(lec, cols)
    notices = list(lec.raw.notices)
    for c in ("finan", "finan_libelle"):
        if c not in t:
            t[c] = pd.Series(pd.NA, index=t.index, dtype="string")
    no_financing = (t["finan"].isna() & t["finan_libelle"].isna()).to_numpy(dtype=bool)
    if no_financing.any():
        rows = lec.raw.row_numbers[no_financing]
        problems = [
            Problem(
                int(r),
                lec.noms.get("finan", "FINAN"),
                "",
                "financement initial manquant (FINAN ou FINAN_LIBELLE)",
                raw.source,
                raw.row_label,
            )
            for r in rows[:50]
        ]
        raise InvalidDataError(problems, total=len(rows), source=raw.source)
    vintage = o.vintage or _vintage_from_name(raw.source)
    if "mode" in t:
        gone = (t["mode"] == "sorti").fillna(False).to_numpy(dtype=bool)
        if gone.any():
            notices.append(f"{int(gone.sum())} logement(s) sortis du patrimoine (MODE 9) écartés")
            t = t[~gone]
    # Identifiers: the register's, else the landlord's, else generated from the row.
    ident = pd.Series(pd.NA, index=t.index, dtype="string")
    for c in ("id_si", "id_rpls"):
        if c in t:
            ident = t[c].astype("string").where(t[c].notna(), ident)
    if ident.isna().any():
        line = pd.Series(lec.raw.row_numbers, index=lec.raw.frame.index).loc[t.index]
        gen = "L" + str(vintage or "") + "-" + line.astype(str).str.zfill(7)
        notices.append(
            f"{int(ident.isna().sum())} logement(s) sans identifiant : identifiant tiré du "
            "numéro de ligne (il ne relie pas deux millésimes)"
        )
        ident = ident.fillna(gen.astype("string"))
    # Landlord: the file's owner (transmission layout), or --bailleur, or « RPLS ».
    bailleur = o.bailleur
    if "siret" in t and t["siret"].notna().any():
        code_b = t["siret"].astype("string").str[:9].fillna(bailleur or "RPLS")
        nom_b = t.get("raison_sociale", code_b).astype("string").fillna(code_b)
        siren = t["siret"].astype("string").str[:9]
    else:
        code_b = pd.Series(bailleur or "RPLS", index=t.index, dtype="string")
        nom_b = pd.Series(
            "bailleur non diffusé (RPLS)" if bailleur is None else bailleur,
            index=t.index,
            dtype="string",
        )
        siren = pd.Series(pd.NA, index=t.index, dtype="string")
    # Coordinates into each department's projection.
    x = t["x"] if "x" in t else pd.Series(np.nan, index=t.index)
    y = t["y"] if "y" in t else pd.Series(np.nan, index=t.index)
    if "epsg" in t and t["epsg"].notna().any():
        src = t["epsg"].fillna(0).astype(np.int64).to_numpy()
        wrong = sorted({int(s) for s in src if s and s not in ACCEPTEES})
        if wrong:
            raise InvalidDataError.single(
                raw.source,
                "système de coordonnées non pris en charge ; codes EPSG acceptés : "
                + ", ".join(map(str, sorted(ACCEPTEES))),
                column=lec.noms.get("epsg", "EPSG"),
                value=str(wrong[0]),
            )
        src = np.where(src == 0, projection_du_departement(t["code_commune"]), src)
    elif o.projection:
        src = np.full(len(t), int(o.projection), dtype=np.int64)
    elif semble_wgs84(x, y):
        src = np.full(len(t), WGS84, dtype=np.int64)
        notices.append("coordonnées lues comme longitudes et latitudes WGS 84, converties")
    else:
        src = projection_du_departement(t["code_commune"])
    xs, ys = projeter(x, y, src, t["code_commune"])
    # IRIS given by its last 4 characters is completed with the commune code.
    iris = t["code_iris"].astype("string") if "code_iris" in t else None
    if iris is not None:
        short = iris.str.len() == 4
        iris = iris.mask(short.fillna(False), t["code_commune"].astype("string") + iris)
    qpv = t["code_qpv"].astype("string") if "code_qpv" in t else None
    if qpv is not None:
        flag = ~qpv.str.fullmatch(r"Q[PN]\w+").fillna(True)
        if flag.any():
            notices.append("QPV donné comme indicateur 1/2 (sans code) : bâtiments sans code QPV")
            qpv = qpv.mask(flag, pd.NA)
    parts = t.reindex(columns=["numvoie", "indrep", "typvoie", "nomvoie"]).astype("string")
    adresse = pd.Series("", index=t.index, dtype="string")
    for c in parts.columns:
        adresse = adresse + " " + parts[c].fillna("")
    adresse = adresse.str.replace(r"\s+", " ", regex=True).str.strip()
    bat_parts = pd.DataFrame(
        {
            "b": code_b,
            "c": t["code_commune"],
            "a": adresse,
            "i": t.get("immeuble", ""),
            "t": t.get("bat", ""),
        }
    )
    id_bat = _short_id("B", bat_parts)
    ent = t["entree"] if "entree" in t else pd.Series(pd.NA, index=t.index, dtype="string")
    if "escalier" in t:
        ent = ent.fillna(t["escalier"])
    id_ent = _short_id("E", pd.DataFrame({"b": id_bat, "e": ent}))
    annee = t.get("annee_mise_en_service")
    if annee is None or annee.isna().any():
        fallback = t.get("annee_construction")
        annee = fallback if annee is None else annee.fillna(fallback)
    d = pd.DataFrame(
        {
            "id_logement": ident,
            "id_entree": id_ent,
            "id_batiment": id_bat,
            "code_bailleur": code_b,
            "nom": nom_b,
            "siren": siren,
            "code_commune": t["code_commune"].astype("string"),
            "code_iris": iris if iris is not None else pd.NA,
            "code_qpv": qpv if qpv is not None else pd.NA,
            "x": xs,
            "y": ys,
            "individuel": t["individuel"],
            "annee": annee,
            "adresse": adresse.mask(adresse == ""),
            "financement": _financement(
                t["finan"].astype("string"), t["finan_libelle"].astype("string")
            ),
            "nb_pieces": t["nb_pieces"],
            "surface": t["surface"],
            "loyer_mensuel": t.get("loyer_mensuel", pd.NA),
            "vacant": (t["mode"] == "vacant").fillna(False) if "mode" in t else False,
            "etage": t.get("etage", pd.NA),
        }
    )
    label = (
        t["finan"].astype("string").fillna("")
        + " "
        + t["finan_libelle"].astype("string").fillna("")
    )
    unknown = (d["financement"] == "autre") & ~label.str.upper().str.contains("AUTRE")
    if unknown.any():
        values = ", ".join(sorted(set(label[unknown].str.strip()))[:8])
        notices.append(
            f"{int(unknown.sum())} logement(s) au financement non reconnu ({values}), classés « autre »"
        )
    replace_all = bool(o.replace)
    landlords = d.groupby("code_bailleur", sort=True).first().reset_index()
    landlords = pd.DataFrame(
        {
            "code_bailleur": landlords["code_bailleur"],
            "siren": landlords["siren"],
            "nom": landlords["nom"],
            "type_bailleur": "autre",
            "synthetique": False,
        }
    )
    g = d.groupby("id_batiment", sort=False)
    buildings = g.agg(
        code_bailleur=("code_bailleur", "first"),
        code_commune=("code_commune", "first"),
        code_iris=("code_iris", "first"),
        code_qpv=("code_qpv", "first"),
        x=("x", "mean"),
        y=("y", "mean"),
        individuel=("individuel", "all"),
        annee_mise_en_service=("annee", "min"),
    ).reset_index()
    buildings["synthetique"] = False
    entrances = d.groupby("id_entree", sort=False).agg(
        id_batiment=("id_batiment", "first"), adresse=("adresse", "first")
    )
    entrances = entrances.reset_index().assign(synthetique=False)
    dwellings = d[
        [
            "etage",
            "id_logement",
            "id_entree",
            "financement",
            "nb_pieces",
            "surface",
            "loyer_mensuel",
            "vacant",
        ]
    ].assign(
        charges_mensuelles=np.nan,
        ascenseur=pd.array([pd.NA] * len(d), dtype="boolean"),
        contingent=pd.array([pd.NA] * len(d), dtype="string"),
        synthetique=False,
    )
    writes = []
    written: dict[tuple[str, str], pd.Index] = {}
    for table, frame, what in (
        (model.BAILLEURS, landlords, "bailleur"),
        (model.BATIMENTS, buildings, "bâtiment"),
        (model.ENTREES, entrances, "entrée"),
        (model.LOGEMENTS, dwellings, "logement"),
    ):
        if not replace_all and table is not model.LOGEMENTS:
            stored = store.read_if_exists(table.name, [table.key[0]])[table.key[0]].astype(str)
            frame = frame[~frame[table.key[0]].astype(str).isin(set(stored))]
        typed = _model_check(
            frame, table, raw.source, store, replace_all=replace_all, label=what, written=written
        )
        written[(table.name, table.key[0])] = pd.Index(typed[table.key[0]].astype("string"))
        writes.append(Write(table, typed, raw.source, replace_all=replace_all))
    return Outcome(writes, vintage, tuple(notices))


def _entity_through(
    code: str,
    table: Table,
    derive: Callable[[pd.DataFrame, ImportOptions], pd.DataFrame] | None = None,
) -> Callable[[RawTable, Store, ImportOptions], Outcome]:
    """An importer of a format whose variables feed one model table directly: rename
    and recode through the dictionary, derive what the model needs, validate against
    the model, report problems under the file's column names."""

    def run(raw: RawTable, store: Store, opts: ImportOptions) -> Outcome:
        from mixite.io.importers import _known

        dico = charger(code)
        lec = lire(raw, dico, opts.columns)
        frame = lec.raw.frame
        if derive is not None:
            frame = derive(frame, opts)
        frame = frame[[c for c in table.column_names if c in frame.columns]]
        replace_all = bool(opts.replace)
        try:
            typed = validate(
                frame,
                table,
                source=raw.source,
                row_numbers=raw.row_numbers,
                row_label=raw.row_label,
                known=_known(store, table, replace_all=replace_all),
            )
        except InvalidDataError as e:
            raise lec.relabel(e) from None
        if "synthetique" in typed.columns:
            typed["synthetique"] = typed["synthetique"].fillna(False)
        return Outcome(
            [Write(table, typed, raw.source, replace_all=replace_all)],
            opts.vintage,
            lec.raw.notices,
        )

    return run


def _text(values: object, index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index, dtype="string")


def _with_uc(frame: pd.DataFrame) -> pd.DataFrame:
    """Consumption units from the persons and children under 14 (modified OECD scale),
    left empty where a count is missing or not a number (validation reports it)."""
    from mixite.core.model import oecd_consumption_units

    out = frame.copy()
    empty = pd.Series("", index=out.index)
    n = pd.to_numeric(out.get("nb_personnes", empty), errors="coerce")
    k = pd.to_numeric(out.get("nb_moins_14", empty), errors="coerce")
    uc = pd.Series(oecd_consumption_units(n.fillna(1), k.fillna(0)), index=out.index)
    out["unites_consommation"] = uc.map(repr).where(n.notna() & k.notna(), "").astype("string")
    return out


def _ops_derive(frame: pd.DataFrame, opts: ImportOptions) -> pd.DataFrame:
    """OPS households are social tenants of the survey's year; their consumption units
    follow from the counts (modified OECD scale)."""
    out = _with_uc(frame)
    vintage = opts.vintage
    if vintage is None:
        raise InvalidDataError.single(
            "OPS", "millésime de l'enquête introuvable ; précisez --millesime AAAA"
        )
    out["millesime"] = _text(str(vintage), out.index)
    out["statut_occupation"] = _text("locataire_social", out.index)
    n = pd.to_numeric(out["nb_personnes"], errors="coerce")
    adults = n - pd.to_numeric(out["nb_enfants"], errors="coerce")
    out["nb_adultes"] = adults.astype("Int64").astype("string").fillna("")
    if "apl_annuelle" not in out:
        out["apl_annuelle"] = _text("0", out.index)
    out["apl_annuelle"] = out["apl_annuelle"].replace("", "0")
    return out


def _sne_derive(frame: pd.DataFrame, opts: ImportOptions) -> pd.DataFrame:
    """The SNE's current housing situation gives the tenancy and DALO-1/-3 flags."""
    out = _with_uc(frame)
    situation = out.pop("situation") if "situation" in out else _text("", out.index)
    out["situation_logement"] = situation
    out["locataire_hlm"] = (situation == "locataire_hlm").map({True: "1", False: "0"})
    out["sans_logement"] = (situation == "sans_abri").map({True: "1", False: "0"})
    out["heberge_structure"] = (situation == "structure").map({True: "1", False: "0"})
    for c in ("jeune_insertion", "refus_offre_adaptee"):
        if c not in out:
            out[c] = _text("0", out.index)
    return out


def ops_results_table() -> Table:
    dico = charger("ops_agregats")
    columns = [
        Column("millesime", "integer", "année de l'enquête", "année", minimum=1990, maximum=2100),
        *(colonne(v) for v in dico.variables if v.champ is not None),
    ]
    niveau = next(i for i, c in enumerate(columns) if c.name == "niveau")
    columns[niveau] = replace(columns[niveau], choices=("commune", "qpv", "epci"))
    return Table(
        "ops_agregats",
        "OPS, résultats par zone",
        "Résultats agrégés de l'enquête d'occupation du parc social (locataires du parc "
        "social) par commune, QPV ou EPCI.",
        tuple(columns),
        key=("millesime", "niveau", "code_zone"),
    )


def ops_agregats(raw: RawTable, store: Store, opts: ImportOptions) -> Outcome:
    """OPS results per zone → the ``ops_agregats`` table, one vintage at a time."""
    table = ops_results_table()
    vintage = opts.vintage or _vintage_from_name(raw.source)
    if vintage is None:
        raise InvalidDataError.single(
            raw.source, "millésime de l'enquête introuvable (nom du fichier) ; précisez --millesime"
        )
    run = _entity_through(
        "ops_agregats",
        table,
        lambda f, _o: f.assign(millesime=str(vintage)),
    )
    out = run(raw, store, opts)
    if opts.replace:
        out = replace(
            out,
            writes=[
                replace(out.writes[0], replace_all=False, replace_where={"millesime": vintage})
            ],
        )
    return replace(out, vintage=vintage)


def ops(raw: RawTable, store: Store, opts: ImportOptions) -> Outcome:
    """OPS household records → ``menages`` (social tenants of the survey's year)."""
    vintage = opts.vintage or _vintage_from_name(raw.source)
    if vintage is None:
        raise InvalidDataError.single(
            raw.source, "millésime de l'enquête introuvable (nom du fichier) ; précisez --millesime"
        )
    return _entity_through("ops", model.MENAGES, _ops_derive)(
        raw,
        store,
        replace(opts, vintage=vintage),
    )


sne_demandes = _entity_through("sne_demandes", model.DEMANDES, _sne_derive)
sne_attributions = _entity_through(
    "sne_attributions", model.ATTRIBUTIONS, lambda f, _o: _with_uc(f)
)
