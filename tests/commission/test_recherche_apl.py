"""The candidate search with the housing benefit computed only where needed
(``apl_pour``, the platform's page): the same candidates, in the same order, with the
same filter steps, and the same benefit, effort rate and reste à vivre for the rows
shown, as when every candidate's benefit is computed (issue 18: the commission page
under load)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.commission.recherche import rechercher
from mixite.io import refdata
from mixite.io.commission import apl_dans, logement, priorites_des_demandes
from mixite.io.config import load_commission
from mixite.io.store import Store


@pytest.mark.parametrize("tri", ["cotation", "priorite", "anciennete"])
def test_lazy_benefit_gives_the_same_search(jumeau_2pct: Path, tri: str) -> None:
    store = Store(jumeau_2pct)
    date = dt.date(2026, 10, 31)
    ids = store.query(
        "SELECT l.id_logement FROM logements l WHERE l.vacant AND l.financement = 'PLUS' "
        "ORDER BY l.id_logement LIMIT 3"
    )["id_logement"]
    apps = store.read("demandes")
    prio, points, reasons = priorites_des_demandes(apps, date)
    compared = 0
    for ident in ids:
        dwelling = logement(store, ident, vacant=True)
        calls: list[int] = []
        base = apl_dans(dwelling, date)

        def counted(frame: pd.DataFrame, base=base, calls=calls) -> np.ndarray:  # type: ignore[no-untyped-def]
            calls.append(len(frame))
            return base(frame)

        kwargs = dict(plafonds=refdata.plafonds_ressources(), regles=load_commission(None),
                      date=date, prioritaire=prio, cotation=points, motifs_priorite=reasons,
                      ignorer_souhaits=True, tri=tri)  # fmt: skip
        full = rechercher(dwelling, apps, apl=base, **kwargs)  # type: ignore[arg-type]
        lazy = rechercher(dwelling, apps, apl=counted, apl_pour=20, **kwargs)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(full.etapes, lazy.etapes)
        assert list(full.candidats["id_demande"]) == list(lazy.candidats["id_demande"])
        shown = ["apl", "taux_effort", "reste_a_vivre", "abordable", "motifs"]
        pd.testing.assert_frame_equal(
            full.candidats[shown].head(20), lazy.candidats[shown].head(20)
        )
        if len(full.candidats) > 20:
            assert sum(calls) < len(full.candidats), "the benefit was computed for everyone"
        compared += len(full.candidats)
    assert compared > 100
