"""Read-side queries that join store tables for the core's functions."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from mixite.io.store import Store

MADE = ("attribution", "attribution_rang", "attribution_sous_condition")


def allocations_in_context(store: Store) -> pd.DataFrame:
    """Allocations actually made, with their dwelling's commune, territory, IRIS and QPV."""
    for table in ("attributions", "logements", "entrees", "batiments"):
        if not store.has_table(table):
            return store.read(table)  # raises the store's French-friendly error
    communes = (
        "LEFT JOIN communes c ON c.code_commune = b.code_commune"
        if store.has_table("communes")
        else ""
    )
    territory = "c.code_territoire" if communes else "NULL"
    sql = f"""
        SELECT a.*, b.code_commune, b.code_iris, b.code_qpv, b.code_qpv IS NOT NULL AS en_qpv,
               {territory} AS code_territoire
        FROM attributions a
        JOIN logements l ON l.id_logement = a.id_logement
        JOIN entrees e ON e.id_entree = l.id_entree
        JOIN batiments b ON b.id_batiment = e.id_batiment
        {communes}
        WHERE a.decision IN {MADE}
    """
    return store.query(sql)


def lecteur_sources(store: Store) -> Callable[[str], pd.DataFrame]:
    """A reader of the store's tables for :mod:`mixite.observatoire.sources`: each table
    read once, a missing one empty, and the packaged commune → EPCI membership served as
    ``appartenance_epci``."""
    import functools

    from mixite.io import refdata
    from mixite.observatoire.sources import APPARTENANCE

    @functools.cache
    def read(name: str) -> pd.DataFrame:
        if name == APPARTENANCE:
            return refdata.epci_membership()
        if not store.has_table(name):
            return pd.DataFrame()
        return store.read(name)

    return read


def households_in_context(store: Store) -> pd.DataFrame:
    """Every household with its dwelling's entrance, building, QPV and landlord, and its
    commune's territory and EPCI (columns absent when the store has no such table)."""
    communes = store.has_table("communes")
    return store.query(
        "SELECT m.*, b.code_qpv, b.id_batiment, e.id_entree, b.code_bailleur, b.individuel, "
        + (
            "c.code_territoire, c.code_epci "
            if communes
            else "NULL AS code_territoire, NULL AS code_epci "
        )
        + "FROM menages m LEFT JOIN logements l ON l.id_logement = m.id_logement "
        "LEFT JOIN entrees e ON e.id_entree = l.id_entree "
        "LEFT JOIN batiments b ON b.id_batiment = e.id_batiment "
        + ("LEFT JOIN communes c ON c.code_commune = m.code_commune" if communes else "")
    )
