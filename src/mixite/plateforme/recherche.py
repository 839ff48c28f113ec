"""The commission's candidate search, in a process of its own, at a lower priority
(:mod:`mixite.plateforme.a_part`).

The search computes the housing benefit of the applicants it needs with OpenFisca (2 to
3 s on the full twin); in the process that serves the pages, every page of that
process waited behind it. The child keeps the applications and
their priorities per data version (1 s on the full twin, the same for every dwelling a
commission examines): a decision, which writes the application, makes them read again;
a form sent through the API does not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from mixite.plateforme.a_part import executer

#: Columns of the candidates' table shown and downloaded.
COLONNES = ["id_demande", "menage", "anciennete_mois", "prioritaire", "cotation",
            "taux_effort", "reste_a_vivre"]  # fmt: skip


def chercher(
    emplacement: str, version: tuple[Any, ...], logement: pd.Series, date: dt.date,
    ignorer_souhaits: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:  # fmt: skip
    """The first 20 candidates ``logement`` suits (:data:`COLONNES`), the search's steps
    and its notes, computed in the child process (:mod:`mixite.plateforme.a_part`).
    ``version`` is the store's data version (the child's applications are kept for it)."""
    return executer("recherche", _chercher, emplacement, version, logement, date,
                    ignorer_souhaits)  # fmt: skip


#: In the child: the store, version and date of the applications kept, and them.
_gardees: dict[tuple[Any, ...], Any] = {}


def _chercher(
    emplacement: str, version: tuple[Any, ...], logement: pd.Series, date: dt.date,
    ignorer_souhaits: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:  # fmt: skip
    from mixite.commission.recherche import rechercher, resume_menage
    from mixite.io import refdata
    from mixite.io.commission import apl_dans, priorites_des_demandes
    from mixite.io.config import load_commission
    from mixite.io.store import Store

    key = (emplacement, version, date)
    if key not in _gardees:
        _gardees.clear()
        apps = Store(emplacement, partagee=True).read("demandes")
        _gardees[key] = (apps, priorites_des_demandes(apps, date))
    apps, (prio, points, reasons) = _gardees[key]
    found = rechercher(logement, apps, plafonds=refdata.plafonds_ressources(),
                       regles=load_commission(None), date=date, prioritaire=prio,
                       cotation=points, motifs_priorite=reasons, apl=apl_dans(logement, date),
                       ignorer_souhaits=ignorer_souhaits, apl_pour=20)  # fmt: skip
    top = found.candidats.head(20).copy()
    top["menage"] = resume_menage(top)
    return top[COLONNES], found.etapes, found.notes
