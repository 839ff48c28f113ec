"""The reports on the platform: the « état du peuplement » built in the background by
the library's own command path, kept as files beside the store, listed and served.

A report file is written under a temporary name and renamed when complete: the list
shows finished files only, and a report being built is marked by its temporary file."""

from __future__ import annotations

import datetime as dt
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse

from mixite.io.store import Store
from mixite.plateforme.acces import Lecteur
from mixite.plateforme.donnees import a_cote

log = logging.getLogger(__name__)
_EXECUTEUR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mixite-rapport")
#: ``etat-du-peuplement_commune-59350_2026-06-30.pdf``
MOTIF = re.compile(
    r"^etat-du-peuplement_(epci|commune|bailleur|operation)-([\w-]+)_(\d{4}-\d{2}-\d{2})\.(pdf|html)$"
)


@dataclass(frozen=True)
class Fichier:
    nom: str
    niveau: str
    code: str
    date: dt.date
    format: str
    octets: int


def dossier() -> Path:
    d = a_cote(".rapports")
    d.mkdir(parents=True, exist_ok=True)
    return d


def nom(niveau: str, code: str, date: dt.date, fmt: str) -> str:
    return f"etat-du-peuplement_{niveau}-{code}_{date.isoformat()}.{fmt}"


def visible(v: Lecteur, niveau: str, code: str) -> bool:
    """A landlord's report (its entrances one by one) goes to that landlord only. A
    commune sees its own reports and the EPCI's; the other partners, every territory's
    (their figures are published: secrecy applied)."""
    if niveau == "bailleur":
        return v.role == "bailleur" and v.code == code
    return v.role != "commune" or niveau == "epci" or code == v.code


def peut_produire(v: Lecteur, niveau: str, code: str) -> bool:
    """The EPCI produces every territory's and operation's report; a commune, a landlord
    or a renewal team, its own."""
    if niveau == "bailleur":
        return v.role == "bailleur" and v.code == code
    if niveau == "operation":
        return v.role == "epci" or (v.role == "renouvellement" and v.code == code)
    return v.role == "epci" or (v.role == "commune" and niveau == "commune" and code == v.code)


def liste(v: Lecteur) -> tuple[list[Fichier], list[str]]:
    """The finished reports ``v`` may open, newest first, and those being built."""
    files, building = [], []
    for path in dossier().iterdir():
        m = MOTIF.match(path.name.removesuffix(".en-cours"))
        if m is None or not visible(v, m.group(1), m.group(2)):
            continue
        if path.name.endswith(".en-cours"):
            building.append(path.name.removesuffix(".en-cours"))
            continue
        files.append(Fichier(path.name, m.group(1), m.group(2), dt.date.fromisoformat(m.group(3)),
                             m.group(4), path.stat().st_size))  # fmt: skip
    files.sort(key=lambda f: (f.date, f.nom), reverse=True)
    return files, sorted(building)


def chemin(v: Lecteur, name: str) -> Path | None:
    """The report file ``name`` if it exists and ``v`` may open it (None otherwise)."""
    m = MOTIF.match(name)
    if m is None or not visible(v, m.group(1), m.group(2)):
        return None
    path = dossier() / name
    return path if path.is_file() else None


def telecharger(path: Path) -> HttpResponse:
    """A report file as a download (a few MB at most)."""
    kind = "application/pdf" if path.suffix == ".pdf" else "text/html; charset=utf-8"
    response = HttpResponse(path.read_bytes(), content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return response


def produire(niveau: str, code: str, date: dt.date) -> list[str]:
    """Start building the PDF and HTML reports in the background; their file names."""
    names = [nom(niveau, code, date, fmt) for fmt in ("pdf", "html")]
    for n in names:
        (dossier() / f"{n}.en-cours").touch()
    _EXECUTEUR.submit(_construire, niveau, code, date, names)
    return names


def _construire(niveau: str, code: str, date: dt.date, names: list[str]) -> None:
    from mixite.rapport.contenu import construire
    from mixite.rapport.rendu import ecrire

    try:
        rapport = construire(Store(settings.STORE, partagee=True), niveau, code, date)  # type: ignore[arg-type]
        for n in names:
            part = ecrire(rapport, dossier() / f"partiel-{n}")  # complete, then renamed
            part.replace(dossier() / n)
    except Exception:
        log.exception("Report %s failed", names)
    finally:
        for n in names:
            (dossier() / f"{n}.en-cours").unlink(missing_ok=True)
