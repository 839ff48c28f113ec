"""Imports from the browser: what each role may import, the scope check, and the
background run that reports its progress.

The file goes through :func:`mixite.io.importers.import_file`, the CLI's path: it is
validated whole before anything is written, and written in one transaction. A landlord
may only add rows of its own stock (checked after validation, before the write); the
EPCI may import every kind and replace a table. Imports run one at a time in a thread of
the server process (ADR 0002), under the store's writer lock, while pages keep reading.
"""

from __future__ import annotations

import logging
import re
import shutil
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from mixite.core.validation import Problem
from mixite.errors import InvalidDataError, MixiteError
from mixite.io.importers import IMPORT_STEPS, IMPORTERS, ImportOptions, import_file
from mixite.io.readers import RawTable
from mixite.io.store import Store, Write, en_tant_que
from mixite.plateforme.acces import Lecteur
from mixite.plateforme.donnees import a_cote, rechauffer
from mixite.plateforme.models import Import

log = logging.getLogger(__name__)

#: What a landlord may import: files about its own stock, households and allocations.
TYPES_BAILLEUR = ("rpls", "logements", "menages", "ops", "attributions", "sne-attributions")

#: File types the platform accepts (the readers' formats).
EXTENSIONS = (".csv", ".txt", ".xlsx", ".parquet", ".geojson", ".json")

#: How many rows outside the scope are listed before « … et N autres ».
LIMITE_RAPPORT = 50


def types_permis(v: Lecteur) -> list[str]:
    """The import kinds ``v`` may use (empty: no import)."""
    if v.role == "epci":
        return list(IMPORTERS)
    if v.role == "bailleur":
        return [k for k in TYPES_BAILLEUR if k in IMPORTERS]
    return []


def perimetre_bailleur(code: str, store: Store) -> Callable[[RawTable, Sequence[Write]], None]:
    """The check that every validated row belongs to landlord ``code``'s stock: its own
    code, buildings, entrances and dwellings (already stored, or added by the same file)."""

    def check(raw: RawTable, writes: Sequence[Write]) -> None:
        own: dict[str, set[str]] = {"batiments": set(), "entrees": set(), "logements": set()}
        stock = {"batiments", "entrees", "logements"}
        if not any(w.table.name in stock for w in writes):
            # Rows about dwellings only (allocation forms…): the landlord's dwellings
            # among theirs, not its whole stock.
            ids = sorted({str(i) for w in writes if "id_logement" in w.frame.columns
                          for i in w.frame["id_logement"].dropna()})  # fmt: skip
            if ids and store.has_table("logements"):
                own["logements"] = set(store.query(
                    "SELECT l.id_logement FROM logements l JOIN entrees e USING (id_entree) "
                    "JOIN batiments b USING (id_batiment) WHERE b.code_bailleur = ? AND "
                    f"l.id_logement IN ({', '.join('?' * len(ids))})", [code, *ids],
                )["id_logement"])  # fmt: skip
        else:
            _tout_le_parc(store, code, own)
        problems: list[Problem] = []
        for w in writes:  # in the order written: buildings before entrances before dwellings
            f = w.frame
            name = w.table.name
            if "code_bailleur" in f.columns:
                bad = f["code_bailleur"].astype("string") != code
                column, rule = "code_bailleur", f"bailleur autre que le vôtre ({code})"
            elif name == "entrees":
                bad = ~f["id_batiment"].isin(own["batiments"])
                column, rule = "id_batiment", "bâtiment qui n'est pas dans votre parc"
            elif name == "logements":
                bad = ~f["id_entree"].isin(own["entrees"])
                column, rule = "id_entree", "entrée qui n'est pas dans votre parc"
            elif "id_logement" in f.columns:
                bad = ~f["id_logement"].isin(own["logements"])
                column, rule = "id_logement", "logement qui n'est pas dans votre parc"
            else:
                continue
            outside = bad.fillna(True).to_numpy(dtype=bool)
            rows = _row_numbers(raw, f)
            for i in outside.nonzero()[0]:
                problems.append(
                    Problem(int(rows[i]), column, str(f[column].iloc[i]), rule, raw.source)
                )
            key = {"batiments": "id_batiment", "entrees": "id_entree", "logements": "id_logement"}
            if name in key:
                own[name] |= set(f.loc[~outside, key[name]])
        if problems:
            raise InvalidDataError(
                sorted(problems)[:LIMITE_RAPPORT], total=len(problems), source=raw.source
            )

    return check


def _tout_le_parc(store: Store, code: str, own: dict[str, set[str]]) -> None:
    """Landlord ``code``'s buildings, entrances and dwellings already stored."""
    if store.has_table("batiments"):
        own["batiments"] = set(
            store.query("SELECT id_batiment FROM batiments WHERE code_bailleur = ?", [code])[
                "id_batiment"
            ]
        )
    if store.has_table("entrees"):
        ent = store.read("entrees", ["id_entree", "id_batiment"])
        own["entrees"] = set(ent.loc[ent["id_batiment"].isin(own["batiments"]), "id_entree"])
    if store.has_table("logements"):
        log_ = store.read("logements", ["id_logement", "id_entree"])
        own["logements"] = set(log_.loc[log_["id_entree"].isin(own["entrees"]), "id_logement"])


def _row_numbers(raw: RawTable, frame: pd.DataFrame) -> Sequence[int]:
    """The file's line of each validated row, when the table maps one row per line
    (otherwise 0: the row is derived, e.g. a building grouped from dwellings)."""
    if len(frame) == len(raw.frame):
        return [int(n) for n in raw.row_numbers]
    return [0] * len(frame)


# --- Background runs ----------------------------------------------------------------

_EXECUTEUR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mixite-import")
#: When this process started: an import left unfinished by an earlier process was cut
#: short (its transaction never committed, so nothing of it was written).
DEMARRAGE = timezone.now()


def dossier_depot() -> Path:
    """Where uploaded files wait for their import (beside the store; deleted after)."""
    d = a_cote(".depots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def deposer(v: Lecteur, compte_id: int, kind: str, nom: str, contenu: bytes | Path,
            options: ImportOptions) -> Import:  # fmt: skip
    """Record the import, keep the file, and start it in the background."""
    # The file keeps the user's name (the reports and journals cite it), in a folder of
    # its own; only its last component is kept, and characters outside a safe set dropped.
    safe = re.sub(r"[^\w.\- ]", "_", Path(nom).name).strip(". ") or "fichier"
    folder = dossier_depot() / uuid.uuid4().hex
    folder.mkdir()
    path = folder / safe
    if isinstance(contenu, Path):
        path.write_bytes(contenu.read_bytes())
    else:
        path.write_bytes(contenu)
    job = Import.objects.create(
        compte_id=compte_id, perimetre=v.perimetre, type=kind, fichier=nom,
        remplacer=options.replace, bailleur=options.bailleur or "",
    )  # fmt: skip
    _EXECUTEUR.submit(_executer, job.pk, path, v, options).add_done_callback(_signaler)
    return job


def _signaler(future: Future[None]) -> None:
    """An error outside the import itself (the accounts database…) goes to the log."""
    exc = future.exception()
    if exc is not None:
        log.error("Background import failed outside the import", exc_info=exc)


def _executer(job_id: int, path: Path, v: Lecteur, options: ImportOptions) -> None:
    close_old_connections()
    try:
        job = Import.objects.get(pk=job_id)
        job.etat, job.etape = "en_cours", 0
        job.save(update_fields=["etat", "etape"])

        def progress(i: int) -> None:
            Import.objects.filter(pk=job_id).update(etape=i)

        store = Store(settings.STORE, partagee=True)
        scope = perimetre_bailleur(v.code, store) if v.role == "bailleur" else None
        try:
            with en_tant_que(f"{v.compte} ({v.perimetre})"):
                result = import_file(job.type, path, store, options, progress=progress, scope=scope)
        except InvalidDataError as e:
            noun = "problème" if e.total == 1 else "problèmes"
            _fin(job, "refuse", f"{e.total} {noun} dans « {e.source} ».",
                 problemes=e.problems, total=e.total)  # fmt: skip
            return
        except MixiteError as e:
            _fin(job, "refuse", str(e))
            return
        except Exception:
            log.exception("Import %s failed", job_id)
            _fin(job, "echec", "L'import a échoué sur une erreur inattendue ; rien n'a été "
                 "écrit. L'équipe technique trouvera le détail dans le journal du serveur.")  # fmt: skip
            return
        lines = [f"{result.rows} ligne(s) importée(s) dans la table « {result.table} »"
                 + (f", millésime {result.vintage}" if result.vintage else "") + "."]  # fmt: skip
        lines += [f"Et {n} ligne(s) dans la table « {t} »." for t, n in (result.also or {}).items()]
        lines += list(result.notices)
        job.lignes = result.rows
        _fin(job, "reussi", "\n".join(lines))
        rechauffer(store)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
        connection.close()


def _fin(job: Import, etat: str, message: str, *, problemes: Sequence[Problem] = (),
         total: int = 0) -> None:  # fmt: skip
    job.etat, job.message, job.fini_le = etat, message, timezone.now()
    job.etape = len(IMPORT_STEPS) if etat == "reussi" else job.etape
    job.problemes = [
        {"ligne": p.row, "colonne": p.column, "valeur": p.value, "regle": p.rule} for p in problemes
    ]
    job.total_problemes = total
    job.save()


def interrompus() -> None:
    """Mark the imports an earlier server process left unfinished."""
    Import.objects.filter(etat__in=["attente", "en_cours"], cree_le__lt=DEMARRAGE).update(
        etat="interrompu",
        message="Import interrompu par l'arrêt du serveur ; rien n'en a été écrit. Relancez-le.",
        fini_le=timezone.now(),
    )


def attendre(job_id: int, timeout: float = 120.0) -> Import:
    """Wait until an import has finished (or ``timeout`` seconds have passed)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        job = Import.objects.get(pk=job_id)
        if job.fini or time.monotonic() > deadline:
            return job
        time.sleep(0.1)
