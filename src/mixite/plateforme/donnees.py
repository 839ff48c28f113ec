"""The figures the pages show, computed by the library's own functions (the same code
path as the command line), kept in memory until the store changes."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd

from mixite.io.publication import (
    Evolution,
    Publication,
    indicateurs_publies,
    veille_des_entrees,
)
from mixite.io.store import Store
from mixite.observatoire.indicateurs import CATALOGUE, TOTAL
from mixite.plateforme import partage

#: Levels of the explorer: French name → column.
NIVEAUX = {
    "commune": "code_commune",
    "iris": "code_iris",
    "qpv": "code_qpv",
    "territoire": "code_territoire",
    "epci": "code_epci",
    "carreau": "idcar_200m",
}

_lock = threading.RLock()  # reentrant: rechauffer() registers its thread under it
_cache: dict[tuple[Any, ...], Any] = {}
#: One lock per figure being computed (its key without the version): concurrent
#: requests for the same figures wait for the first computation instead of repeating it
#: (20 users on a cold cache).
_en_cours: dict[tuple[Any, ...], threading.Lock] = {}
#: Per store: the file's last modification seen, the data version it had, its identity.
_vues: dict[str, tuple[int | None, dict[str, int], str]] = {}
#: Entries kept at most (the oldest go first).
TAILLE_CACHE = 64


def a_cote(suffixe: str) -> Path:
    """The platform's folder ``suffixe`` (``.rapports``, ``.depots``): beside the
    store's file, or under ``settings.FICHIERS`` for a server's database."""
    from django.conf import settings

    from mixite.io import est_url

    base = settings.FICHIERS if est_url(settings.STORE) else Path(settings.STORE)
    return base.with_name(base.name + suffixe)


#: Tables the population's figures (indicators, maps, watch) do not read: a commission
#: decision or an allocation form leaves them as they are.
TABLES_DES_ATTRIBUTIONS = frozenset({"attributions", "audit_attributions"})


def _version(store: Store, attributions: bool = False) -> tuple[str, tuple[str, int]]:
    """The store's identity and data version: the number of writes it recorded — to
    every table (``attributions=True``: the objectives, the commission), or to the
    tables the population's figures read (by default).

    Every data write appends to the store's write journal; the access journal does not
    (viewing a household must not throw away every computed figure). The journal is
    counted again only when the file or its write-ahead log changed (on PostgreSQL,
    whose files are the server's, at every call: one count of a small table).

    The identity is the store's name and its first write's link in the journal's hash
    chain: a store built anew under the same name (``mixite demo`` again, a base
    replaced by ``importer-base --remplacer``) is another store, whose figures are not
    those kept for the previous one, even at the same count of writes."""
    stamp = store.modifiee_le()
    with _lock:
        seen = _vues.get(store.nom)
    if seen is None or stamp is None or seen[0] != stamp:
        counts = store.ecritures_par_table()
        versions = {
            "tout": sum(counts.values()),
            "peuplement": sum(n for t, n in counts.items() if t not in TABLES_DES_ATTRIBUTIONS),
        }
        key = seen[2] if seen is not None and seen[1] == versions else _identite(store, counts)
        with _lock:
            _vues[store.nom] = (stamp, versions, key)
            # Figures of an older version are kept aside, to be shown (said to be) while
            # the new ones are computed (:func:`_cached`).
            for k in [k for k in _cache if k[1] == key and k[2][1] != versions[k[2][0]]]:
                _anciens[partage.logique(k)] = (k[2], _cache.pop(k))
            while len(_anciens) > TAILLE_CACHE:
                del _anciens[next(iter(_anciens))]
        seen = (stamp, versions, key)
    kind = "tout" if attributions else "peuplement"
    return seen[2], (kind, seen[1][kind])


def versions(store: Store, kinds: frozenset[str]) -> dict[str, int]:
    """The store's data versions of ``kinds`` now ("tout", "peuplement"): after a write,
    the earliest its writer may be shown (:mod:`mixite.plateforme.fraicheur`)."""
    _version(store)
    with _lock:
        counts = _vues[store.nom][1]
    return {kind: counts[kind] for kind in kinds}


def _identite(store: Store, counts: dict[str, int]) -> str:
    """The store's name and its first write's link in the write journal's chain."""
    if not counts:
        return store.nom
    first = store.query("SELECT chaine FROM _mixite_imports ORDER BY rowid LIMIT 1")
    return f"{store.nom}#{str(first['chaine'].iloc[0])[:16]}"


#: Per figure (its key without the data version): an older version and its value.
_anciens: dict[tuple[Any, ...], tuple[tuple[str, int], Any]] = {}
#: Figures never shown from an older version: the commission's frame (a decision is
#: prepared on the dwellings, households and allocations as they are; the candidate
#: search keeps its applications itself: :mod:`mixite.plateforme.recherche`).
TOUJOURS_A_JOUR = frozenset({"cadre", "cadre_menages"})


def _cached(key: tuple[Any, ...], compute: Any) -> Any:
    """The figures of ``key`` (name, store, data version, parameters), computed once.

    After a write, until the new figures are ready, a request gets the previous
    version's (stale-while-revalidate) — unless :mod:`mixite.plateforme.fraicheur`
    says it needs fresh figures (its own write, a background warm-up) — and the response
    says so; the new figures are computed once, in the background."""
    from mixite.plateforme import fraicheur

    with _lock:
        if key in _cache:
            return _cache[key]
        old = _anciens.get(partage.logique(key))
    if old is None and partage.partage(key):
        # Not seen by this process yet: another's figures, of this version or older.
        found = partage.lire(key)
        if found is not None and found[0] == key[2]:
            return _garder(key, found[1])
        if found is not None and found[0][0] == key[2][0] and found[0][1] < key[2][1]:
            old = found
    need = fraicheur.exige(key[2][0])
    if old is not None and need is not None and old[0][1] < need:
        old = _au_moins(key, need) or old  # the writer's own write may be counted already
    with _lock:
        # One computation of a figure at a time, whatever the version: writes in a row
        # do not pile up computations of versions already outdated.
        pending = _en_cours.setdefault(partage.logique(key), threading.Lock())
        recent = time.monotonic() - _calcule_le.get(partage.logique(key), -1e9) < _intervalle()
    if old is not None and key[0] not in TOUJOURS_A_JOUR and (need is None or old[0][1] >= need):
        fraicheur.signaler_anciens()
        # Computed less than RECALCUL_S ago: served as they are, recomputed later.
        if not recent and pending.acquire(blocking=False):  # nobody computes them yet
            _en_arriere_plan(lambda: _revalider(key, compute, pending), "mixite-revalide")
        return old[1]
    with pending:
        # Computed meanwhile (the recomputation a write started, this request waiting for
        # it): this version, or an earlier one that counts the writer's write.
        found = _au_moins(key, need) if need is not None else None
        if found is not None and found[0] != key[2] and key[0] not in TOUJOURS_A_JOUR:
            fraicheur.signaler_anciens()
            return found[1]
        if found is None and _a_part(key[0]) and partage.partage(key):
            # In a child process: a computation of seconds in this one would hold
            # every page it serves meanwhile (one thread at a time runs Python).
            try:
                _calculer_a_part(key[0], key[3:], attendu=True)
            except Exception:  # computed (and its error reported) here, below
                logging.getLogger(__name__).warning("%s: computed in the serving process", key[0])
        return _calculer(key, compute)


def _au_moins(key: tuple[Any, ...], need: int) -> tuple[tuple[str, int], Any] | None:
    """The latest figures of ``key`` at a version from ``need`` to ``key``'s (this
    process's, or another's in the shared folder), with their version; ``None`` if none."""
    kind, current = key[2]
    logical = partage.logique(key)
    with _lock:
        held = [(k[2], v) for k, v in _cache.items() if partage.logique(k) == logical]
        if logical in _anciens:
            held.append(_anciens[logical])
    if partage.partage(key):
        found = partage.lire(key)
        if found is not None:
            held.append(found)
    usable = [h for h in held if h[0][0] == kind and need <= h[0][1] <= current]
    return max(usable, key=lambda h: h[0][1]) if usable else None


#: Per figure (its key without the data version): when its latest computation started.
_calcule_le: dict[tuple[Any, ...], float] = {}


def _intervalle() -> float:
    """Seconds between two background recomputations of a figure (``settings.RECALCUL_S``;
    none outside the platform, e.g. for a command's report)."""
    from django.conf import settings

    return float(getattr(settings, "RECALCUL_S", 0)) if settings.configured else 0.0


def _calculer(key: tuple[Any, ...], compute: Any) -> Any:
    """Compute ``key``'s figures (the caller holds its pending lock) unless they are in
    — in this process's memory, or written by another process (which this one waits
    for while it computes them)."""
    with _lock:
        if key in _cache:
            return _cache[key]
        _calcule_le[partage.logique(key)] = time.monotonic()
    if not partage.partage(key):
        value = compute()
    else:
        with partage.verrou(key):
            found = partage.lire(key)
            # This version, or a later one (another process saw a later write).
            if found is not None and found[0][0] == key[2][0] and found[0][1] >= key[2][1]:
                value = found[1]
            else:
                value = compute()
                partage.ecrire(key, value)
    _garder(key, value)
    with _lock:
        _en_cours.pop(partage.logique(key), None)
    return value


def _garder(key: tuple[Any, ...], value: Any) -> Any:
    """Keep ``key``'s figures in memory (the oldest go first)."""
    with _lock:
        while len(_cache) >= TAILLE_CACHE:
            del _cache[next(iter(_cache))]
        _cache[key] = value
        _anciens.pop(partage.logique(key), None)
    return value


def _revalider(key: tuple[Any, ...], compute: Any, pending: threading.Lock) -> None:
    from mixite.plateforme import fraicheur

    try:
        with fraicheur.a_jour():
            if _a_part(key[0]):
                _calculer_a_part(key[0], key[3:])  # then read from the shared folder, below
            _calculer(key, compute)
    except Exception:  # the next request computes (and reports) it itself
        logging.getLogger(__name__).exception("Background recomputation of %s failed", key[0])
    finally:
        pending.release()


#: Shared figures recomputed in the background by a process of their own
#: (:mod:`mixite.plateforme.a_part`): their name → the function of the store and of
#: their key's parameters that computes them (this module's and the maps').
A_PART: dict[str, Any] = {}


def _a_part(nom: str) -> bool:
    """Whether the figures ``nom`` (or the warm-up) are computed in a child process
    (never from a child itself: it computes them)."""
    from django.conf import settings

    known = nom in A_PART or nom == RECHAUFFE
    return (settings.configured and bool(getattr(settings, "CALCULS_A_PART", False))
            and known and not _dans_un_enfant)  # fmt: skip


#: Set in a child process of :mod:`mixite.plateforme.a_part`.
_dans_un_enfant = False


def _calculer_a_part(nom: str, parametres: tuple[Any, ...], *, attendu: bool = False) -> None:
    """Compute the figures ``nom`` of ``parametres`` in a child process, which writes
    them to the shared folder (:mod:`mixite.plateforme.partage`). Each kind of work has
    its child, one computation at a time in each: what a request waits for
    (``attendu``), the background's recomputations, the warm-up. A request's figures do
    not queue behind a warm-up pass of several seconds, nor behind the recomputations a
    write sets off."""
    from django.conf import settings

    from mixite.plateforme.a_part import executer

    child = "frais" if attendu else "rechauffe" if nom == RECHAUFFE else "chiffres"
    executer(child, _dans_l_enfant, str(settings.STORE), str(settings.FICHIERS), nom,
             parametres)  # fmt: skip


def _dans_l_enfant(emplacement: str, fichiers: str, nom: str, parametres: tuple[Any, ...]) -> None:
    """In the child: the platform's settings as the serving process has them, then the
    figures of the latest version (kept in the child too, and written to the folder)."""
    global _dans_un_enfant
    import django
    from django.conf import settings

    from mixite.io import est_url
    from mixite.plateforme import cartes, fraicheur  # noqa: F401 - registers the maps

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mixite.plateforme.settings")
    django.setup()
    _dans_un_enfant = True
    settings.STORE = emplacement if est_url(emplacement) else Path(emplacement)
    settings.FICHIERS = Path(fichiers)
    task = _tout_rechauffer if nom == RECHAUFFE else A_PART[nom]
    with fraicheur.a_jour():
        task(Store(emplacement, partagee=True), *parametres)


def publication(store: Store, millesime: int | None = None) -> Publication:
    """The observatory's published tables (:func:`mixite.io.publication.indicateurs_publies`).

    The latest vintage, when the store holds several, comes from the release that also
    publishes the first one (the evolution's): a page or report that shows both the
    figures and their change shows one release, so no cell hidden there is given away
    by the other. That release is computed once for both (:func:`_jointe`)."""
    if millesime is None:
        return _jointe(store)[0]
    out: Publication = _cached(
        ("pub", *_version(store), millesime),
        lambda: indicateurs_publies(store, millesime=millesime),
    )
    return out


def _jointe(
    store: Store,
) -> tuple[Publication, dict[tuple[int, str], pd.DataFrame], list[int]]:
    from mixite.io.publication import publication_jointe

    return _cached(("jointe", *_version(store)), lambda: publication_jointe(store))  # type: ignore[no-any-return]


def millesimes(store: Store) -> list[int]:
    """The vintages of the households in the store."""

    def compute() -> list[int]:
        frame = store.query("SELECT DISTINCT millesime FROM menages WHERE millesime IS NOT NULL")
        return sorted(int(y) for y in frame["millesime"])

    return _cached(("millesimes", *_version(store)), compute)  # type: ignore[no-any-return]


def deux_millesimes(store: Store, niveau: str) -> Evolution:
    """The first and latest vintages published together, for ``niveau``
    (:func:`mixite.io.publication.evolution_de`); with one vintage, the publication."""
    from mixite.io.publication import evolution_de

    _, published, years = _jointe(store)
    return evolution_de(published, years, niveau)


TITRES = {i.code: f"{i.libelle} ({i.unite})" for i in CATALOGUE} | {
    "code_commune": "code commune", "nom": "commune", "code_iris": "code IRIS",
    "code_qpv": "code QPV", "code_territoire": "territoire", "code_epci": "EPCI",
    "idcar_200m": "carreau de 200 m",
}  # fmt: skip


def _names(store: Store) -> dict[str, str]:
    if not store.has_table("communes"):
        return {}
    c = store.read("communes", ["code_commune", "nom"])
    return dict(zip(c["code_commune"].astype(str), c["nom"].astype(str), strict=False))


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns=[c for c in table.columns if c.startswith("n_")])


def _notes(pub: Publication) -> list[str]:
    from mixite.cli.sortie import bandeau
    from mixite.core.secret import THRESHOLD

    notes = [
        f"Millésime {pub.millesime} ; seuil de pauvreté {pub.seuil_pauvrete:.0f} € par UC et par an ({pub.seuil_explication})",
        f"Secret statistique : aucune case ne décrit moins de {THRESHOLD} ménages, ni directement "
        "ni par différence (cases masquées : « s ») ; taux arrondis à 0,1 point",
    ]
    banner = bandeau(pub.menages)
    return [banner, *notes] if banner else notes


def chiffres_cles(
    store: Store, communes: frozenset[str] | None
) -> tuple[list[tuple[str, str]], pd.DataFrame, list[str]]:
    """Key figures of the viewer's territory and its communes' published indicators."""
    key = ("chiffres", *_version(store), communes)
    return _cached(key, lambda: _chiffres_cles(store, communes))  # type: ignore[no-any-return]


def _chiffres_cles(
    store: Store, communes: frozenset[str] | None
) -> tuple[list[tuple[str, str]], pd.DataFrame, list[str]]:
    from mixite.cli.sortie import nombre_fr

    pub = publication(store)
    table = _shown(pub.tables["code_commune"])
    if communes is None and "code_epci" in pub.tables:
        epci = pub.tables["code_epci"]
        row = epci.drop(index=TOTAL, errors="ignore").iloc[0]
        scope = "intercommunalité"
    else:
        position = table.index.get_loc(sorted(communes)[0] if communes else TOTAL)
        row = table.iloc[int(position)]  # type: ignore[arg-type]
        scope = "commune"
    figures = [
        (
            "ménages" if scope == "commune" else "ménages du territoire",
            nombre_fr(row["menages"], 0),
        ),
        ("taux de pauvreté", f"{nombre_fr(row['taux_pauvrete'])} %"),
        ("médiane du niveau de vie", f"{nombre_fr(row['mediane_niveau_de_vie'], 0)} €"),
        ("locataires du parc social", f"{nombre_fr(row['locataires_sociaux'])} %"),
        ("ménages sous 40 % du plafond PLUS", f"{nombre_fr(row['sous_40_plus'])} %"),
    ]
    if communes is not None:
        table = table[table.index.isin(communes)]
    names = _names(store)
    out = table.reset_index()
    out.insert(1, "nom", out["code_commune"].astype(str).map(names).fillna(""))
    out = out.rename(columns=TITRES)
    return figures, out, _notes(pub)


def table_indicateurs(
    store: Store, niveau: str, millesime: int | None, communes: frozenset[str] | None
) -> tuple[pd.DataFrame, list[dict[str, str]], list[str], list[int]]:
    """The explorer's table: one level and vintage, the viewer's zones, French headers,
    and the catalogue's definitions."""
    key = ("indicateurs", *_version(store), niveau, millesime, communes)
    return _cached(key, lambda: _table_indicateurs(store, niveau, millesime, communes))  # type: ignore[no-any-return]


def _table_indicateurs(
    store: Store, niveau: str, millesime: int | None, communes: frozenset[str] | None
) -> tuple[pd.DataFrame, list[dict[str, str]], list[str], list[int]]:
    out, notes, years, _ = indicateurs_bruts(store, niveau, millesime, communes)
    out = out.rename(columns=TITRES)
    definitions = [{"libelle": i.libelle, "definition": i.definition, "unite": i.unite}
                   for i in CATALOGUE]  # fmt: skip
    return out, definitions, notes, years


def indicateurs_bruts(
    store: Store, niveau: str, millesime: int | None, communes: frozenset[str] | None
) -> tuple[pd.DataFrame, list[str], list[int], int]:
    """The published indicators of one level and vintage in the viewer's zones, with
    the catalogue's codes as headers (the explorer's table before its French titles;
    the partner API's rows), its notes, the store's vintages and the vintage shown."""
    years = millesimes(store)
    pub = publication(store, millesime)
    level = NIVEAUX[niveau]
    notes = _notes(pub)
    table = _shown(pub.tables.get(level, pd.DataFrame()))
    if communes is not None:
        codes = table.index.to_series().astype(str)
        if level == "code_commune":
            keep = codes.isin(communes)
        elif level == "code_iris":
            keep = codes.str[:5].isin(communes)
        else:
            keep = codes == "\0"  # a territory-wide level: not the commune's own
            notes.append("Niveau hors du périmètre d'une commune : choisissez commune ou IRIS")
        table = table[keep.to_numpy()]
    out = table.reset_index()
    if level == "code_commune":
        out.insert(1, "nom", out["code_commune"].astype(str).map(_names(store)).fillna(""))
    return out, notes, years, pub.millesime


def veille(store: Store, bailleur: str | None) -> Any:
    """The entrances' watch (:func:`mixite.io.publication.veille_des_entrees`), kept."""
    return _cached(("veille", *_version(store), bailleur),
                   lambda: veille_des_entrees(store, bailleur=bailleur))  # fmt: skip


def table_veille(store: Store, bailleur: str | None) -> tuple[pd.DataFrame, list[str]]:
    """A landlord's entrances with status and reasons, or the count by status; kept
    (and shared between processes: :mod:`mixite.plateforme.partage`)."""
    return _cached(("table-veille", *_version(store), bailleur),  # type: ignore[no-any-return]
                   lambda: _table_veille(store, bailleur))  # fmt: skip


def _table_veille(store: Store, bailleur: str | None) -> tuple[pd.DataFrame, list[str]]:
    from mixite.observatoire.veille import watch

    v = veille(store, bailleur)
    notes = [
        f"Millésime {v.millesime} ; entrées d'immeubles collectifs ({v.maisons} maison(s) individuelle(s) hors veille)",
        "Seuils : " + v.calibrage,
        "Variables : " + " ; ".join(f"{x.libelle} seuil {x.seuil:.1f} marge {x.marge:.1f}".replace(".", ",") for x in v.variables),
        "Aide à la décision : chaque statut est accompagné de ses motifs",
    ]  # fmt: skip
    if bailleur is None:
        from mixite.core.acces import Perimetre

        return watch(v.entrees, Perimetre("epci", "public")), notes
    mine = v.entrees[v.entrees["code_bailleur"] == bailleur].reset_index()
    order = {"fragile": 0, "vigilance": 1, "ok": 2}
    mine = mine.sort_values("statut", key=lambda s: s.map(order), kind="stable")
    labels = {x.code: x.libelle for x in v.variables}
    columns = ["id_entree", "statut", "motifs", "menages", *labels, "depassements", "dans_la_marge"]
    return mine[columns].rename(columns={
        "id_entree": "entrée", "menages": "ménages occupants", "depassements": "variables au-delà",
        "dans_la_marge": "variables dans la marge", **labels,
    }), notes  # fmt: skip


def table_objectifs(
    store: Store, charte: str, bailleur: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """The tracking of a charter, as ``mixite objectifs suivi`` publishes it."""
    suivi, notes = suivi_objectifs(store, charte)
    return suivi.french(), notes


def suivi_objectifs(store: Store, charte: str) -> tuple[Any, list[str]]:
    """The tracking of a charter (:class:`mixite.core.objectifs.suivi.Suivi`: its
    published table is the one every partner sees) and its notes, kept."""
    from mixite.core.objectifs import publics_des_attributions, suivre
    from mixite.io import refdata
    from mixite.io.config import load_charter
    from mixite.io.queries import allocations_in_context

    def compute() -> tuple[Any, list[str]]:
        charter = load_charter(charte)
        allocations = allocations_in_context(store)
        ref = pd.to_datetime(allocations["date_cal"]).max().date()
        enriched = publics_des_attributions(allocations, refdata.plafonds_ressources(),
                                            refdata.premier_quartile(), epci=charter.epci,
                                            zone=charter.zone_plafonds)  # fmt: skip
        result = suivre(enriched, charter, reference=ref)
        notes = [f"Charte : {charter.nom} ({charter.fondement})", f"Date de référence : {ref.isoformat()}",
                 "Intervalle de confiance : Wilson à 95 %"]  # fmt: skip
        return result, notes

    return _cached(("objectifs", *_version(store, attributions=True), charte), compute)  # type: ignore[no-any-return]


def logements_vacants(store: Store, bailleur: str) -> pd.DataFrame:
    """A landlord's vacant dwellings in collective entrances, with their entrance."""
    return store.query(
        "SELECT l.id_logement, l.id_entree, b.code_commune, l.nb_pieces, l.financement, "
        "l.loyer_mensuel, l.charges_mensuelles FROM logements l JOIN entrees e USING (id_entree) "
        "JOIN batiments b USING (id_batiment) WHERE l.vacant AND b.code_bailleur = ? "
        "ORDER BY l.id_logement LIMIT 200",
        [bailleur],
    )


def cadre_commission(store: Store) -> Any:
    """The commission's frame (households, allocations, charters, thresholds), kept.
    Households and the watch's thresholds are kept per population version: an
    allocation only re-reads the allocations (0.2 s instead of 1.8 s on the full twin)."""
    from dataclasses import replace

    from mixite.io.commission import charger_cadre
    from mixite.io.queries import allocations_in_context

    def compute() -> Any:
        base = _cached(("cadre_menages", *_version(store)),
                       lambda: charger_cadre(store, attributions=False))  # fmt: skip
        return replace(base, attributions=allocations_in_context(store))

    return _cached(("cadre", *_version(store, attributions=True)), compute)


#: Per store: the warm-up under way, and whether another write came meanwhile (then it
#: runs once more, for the latest version, instead of one warm-up per write).
_rechauffe: dict[str, dict[str, Any]] = {}


#: The warm-up's name among the computations of the figures' child process.
RECHAUFFE = "rechauffe"


def _tout_rechauffer(store: Store) -> None:
    """The territory-wide figures and maps (the warm-up's pass)."""
    from mixite.plateforme import cartes

    chiffres_cles(store, None)
    cartes.evolution(store, None)
    for draw in (cartes.carte_fragilite, cartes.carte_typologie, cartes.carte_mixite):
        draw(store)
    table_indicateurs(store, "commune", None, None)


def rechauffer(store: Store) -> threading.Thread:
    """Compute the territory-wide figures and maps in the background (at start-up and
    after each write), so that the next visitor does not wait for them; requests that
    arrive meanwhile get the previous version's figures, or wait for the same
    computation when they need fresh ones (:func:`_cached`). Writes in a row make one
    more warm-up, not one each."""

    def run() -> None:
        from mixite.plateforme import fraicheur

        while True:
            # At most one pass every RECALCUL_S seconds while writes keep coming.
            with _lock:
                wait = state["dernier"] + _intervalle() - time.monotonic()
            if wait > 0:
                me = threading.current_thread()
                with _lock:
                    _fils.discard(me)  # nothing to wait for at exit while it waits
                if _arret.wait(wait):
                    return  # the process exits
                with _lock:
                    _fils.add(me)
            with _lock:
                state["dernier"] = time.monotonic()
            try:
                with fraicheur.a_jour():
                    if _a_part(RECHAUFFE):
                        _calculer_a_part(RECHAUFFE, ())
                    else:
                        _tout_rechauffer(store)
            except Exception:  # the pages will compute (and report) it themselves
                logging.getLogger(__name__).exception("Background warm-up failed")
            with _lock:
                if not state["encore"]:
                    state["fil"] = None
                    return
                state["encore"] = False

    with _lock:
        state = _rechauffe.setdefault(store.nom, {"fil": None, "encore": False, "dernier": -1e9})
        running = state["fil"]
        if running is not None:
            state["encore"] = True
            return running  # type: ignore[no-any-return]
        thread = _en_arriere_plan(run, "mixite-rechauffe", start=False)
        state["fil"] = thread
    thread.start()
    return thread


#: The charters the objectives page and the API track, and the one shown by default
#: (where a decision sends its writer).
CHARTES = ["lille", "loi-2017", "pecquencourt"]
CHARTE_PAR_DEFAUT = "lille"


def suivis_a_jour(store: Store) -> None:
    """After a commission decision: the tracking of the default charter and of each
    charter shown so far, recomputed at once in the background (in a child process) for
    the new version. The writer is sent to it and must be given a version that counts its
    decision: the page finds it computed, or waits for the computation under way instead
    of starting it then (0.5 s on the full twin, more under load)."""
    from mixite.plateforme import fraicheur

    identity, _ = _version(store, attributions=True)  # the earlier tracking set aside
    with _lock:  # kept: (name, store, version, charter); set aside: without the version
        shown = {k[-1] for k in [*_cache, *_anciens] if k[0] == "objectifs" and k[1] == identity}
    # The page the writer is sent to first.
    chartes = [CHARTE_PAR_DEFAUT, *sorted(shown - {CHARTE_PAR_DEFAUT})]

    def run() -> None:
        for charte in chartes:
            try:
                with fraicheur.a_jour(fraicheur.ATTRIBUTIONS):
                    suivi_objectifs(store, charte)
            except Exception:  # the page will compute (and report) it itself
                logging.getLogger(__name__).exception("Tracking of %s after a write", charte)

    _en_arriere_plan(run, "mixite-suivi")


#: Background computations under way: the process waits for them as it exits (a
#: database query cut by the interpreter's exit aborts it).
_fils: set[threading.Thread] = set()
#: Set as the process exits: a warm-up waiting for its next pass stops.
_arret = threading.Event()


def _en_arriere_plan(target: Any, name: str, *, start: bool = True) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            with _lock:
                _fils.discard(threading.current_thread())

    thread = threading.Thread(target=run, name=name, daemon=True)
    with _lock:
        _fils.add(thread)
    if start:
        thread.start()
    return thread


@atexit.register
def _a_la_sortie() -> None:
    _arret.set()
    _attendre_fils()


def _attendre_fils(timeout: float = 120.0) -> None:
    """Wait for the background computations, those they start included."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            alive = [t for t in _fils if t.is_alive() and t is not threading.current_thread()]
        if not alive:
            return
        for thread in alive:
            thread.join(max(0.0, deadline - time.monotonic()))


A_PART.update({
    "chiffres": chiffres_cles, "indicateurs": table_indicateurs, "table-veille": table_veille,
    "objectifs": suivi_objectifs,
})  # fmt: skip
