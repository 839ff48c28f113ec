"""The secrecy audit of a whole report, as its reader sees it.

Every table of a report records the count cells it prints (:class:`Cellules`: which
release, level, zone and count, the printed value, or that it printed « s »). A share
printed beside its base gives its numerator away (to rounding), so a printed share
counts as its numerator printed. The audit rebuilds, from the store, each release the
report draws on — the households of the vintages it prints, the social stock of its
period — restricted to the levels it prints, and asks the exact auditor
(:func:`mixite.core.secret.leaks`) which cells an attacker holding *only the report*
can determine: every cell the report does not print with a value is unknown to them.

It reports, with the table that printed it:

- a printed count that describes 1 to 10 households (primary secrecy);
- a hidden or unprinted cell of 1 to 10 households that the printed ones determine,
  within a table, across levels (commune and its IRIS or QPV) or across vintages;
- a printed count that differs from the store (the report printed something else
  than it claims) or the same cell printed twice with two values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.core.secret import THRESHOLD, ZERO, Release, recoverable
from mixite.io.store import Store
from mixite.observatoire.indicateurs import CATALOGUE

#: The count behind each printed column code: counts themselves, a share its numerator.
MESURES: dict[str, str] = {
    "menages": "menages",
    "personnes": "personnes",
    **{i.code: f"n_{i.code}" for i in CATALOGUE if i.unite.startswith("%")},
    "logements": "logements",
    "n_vacants": "n_vacants",
    "n_attributions": "n_attributions",
}
COLONNES = ["source", "niveau", "zone", "mesure", "valeur", "vu"]


def cellules(source: str, niveau: str, zone: object, valeurs: Mapping[str, object]) -> pd.DataFrame:
    """The count cells one printed row shows: ``valeurs`` maps a column code (of the
    observatory's catalogue or of the stock) to the value printed (NaN for « s »).
    ``source``: ``menages/<vintage>`` or ``parc/<months>/<end>[/<landlord>]``.

    >>> cellules("menages/2025", "code_commune", "59350", {"menages": 120, "taux_pauvrete": 21.5,
    ...          "mediane_niveau_de_vie": 18000})[["mesure", "valeur", "vu"]].values.tolist()
    [['menages', 120.0, True], ['n_taux_pauvrete', nan, True]]
    """
    rows = []
    for code, value in valeurs.items():
        mesure = MESURES.get(code)
        if mesure is None:  # a median or a rate of counts printed beside it: no count
            continue
        seen = bool(pd.notna(value))  # type: ignore[call-overload]
        shown = float(value) if seen and mesure == code else np.nan  # type: ignore[arg-type]
        rows.append((source, niveau, str(zone), mesure, shown, seen))
    return pd.DataFrame(rows, columns=COLONNES)


def cellules_tableau(
    frame: pd.DataFrame, source: str, niveau: str, zone: str, codes: Mapping[str, str]
) -> pd.DataFrame:
    """The cells of a printed table with one zone per row: ``zone`` names its column,
    ``codes`` maps printed column headers to column codes."""
    parts = [
        cellules(source, niveau, row[zone], {codes[c]: row[c] for c in codes if c in frame})
        for _, row in frame.iterrows()
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLONNES)


@dataclass(frozen=True)
class _Built:
    release: Release
    raws: dict[str, pd.DataFrame]  # release table name → raw table (zones as index)


def _menages(store: Store, years: Iterable[int], levels: list[str]) -> _Built:
    from mixite.io.publication import menages_du_millesime
    from mixite.io.queries import households_in_context
    from mixite.observatoire.publication import release_niveaux

    households = households_in_context(store)
    release, raws = release_niveaux({y: menages_du_millesime(households, y) for y in years}, levels)
    return _Built(release, {f"{y}/{lv}": t for (y, lv), t in raws.items()})


def _parc(store: Store, key: str, levels: list[str]) -> _Built:
    from mixite.io.publication import donnees_parc
    from mixite.observatoire.publication import release_parc

    _, months, end, *landlord = key.split("/")
    dwellings, recent, _, _ = donnees_parc(
        store, int(months), pd.Timestamp(end).date(), landlord[0] if landlord else None
    )
    release, raws = release_parc(dwellings, recent, levels)
    return _Built(release, dict(raws))


def _where(built: _Built) -> dict[int, tuple[str, str, str]]:
    """Cell id → (table, zone, count) of the release's published cells."""
    out = {}
    for name, table in built.release.tables.items():
        zones = built.raws[name].index.astype(str)
        for column, first in table.counts.items():
            for k, zone in enumerate(zones):
                out[first + k] = (name, zone, column)
    return out


def auditer(store: Store, cells: pd.DataFrame) -> pd.DataFrame:
    """Every breach of secrecy in what ``cells`` (the report's :func:`cellules`) print:
    columns ``source``, ``niveau``, ``zone``, ``mesure``, ``menages`` (households
    behind the cell), ``probleme``. Empty when the report is safe."""
    problems: list[tuple[str, str, str, str, float, str]] = []
    cells = cells.assign(famille=cells["source"].str.split("/").str[0])
    groups: dict[str, pd.DataFrame] = {
        "menages": cells[cells["famille"] == "menages"],
        **{str(k): g for k, g in cells[cells["famille"] == "parc"].groupby("source")},
    }
    for key, group in groups.items():
        if group.empty:
            continue
        levels = sorted(group["niveau"].unique())
        if key == "menages":
            years = sorted({int(s.split("/")[1]) for s in group["source"]})
            built = _menages(store, years, levels)
            names = group["source"].str.split("/").str[1] + "/" + group["niveau"]
        else:
            built = _parc(store, key, levels)
            names = group["niveau"]
        release = built.release
        _, support, _, _, _, _ = release._arrays()
        hidden = np.ones(len(support), dtype=bool)
        printed: dict[int, float] = {}
        columns = (group[c].astype(str).tolist() for c in ("source", "niveau", "zone", "mesure"))
        values = group["valeur"].astype(float).tolist()
        for name, (source, niveau, zone, mesure), valeur, vu in zip(
            names.tolist(), zip(*columns, strict=True), values, group["vu"].tolist(), strict=True
        ):
            raw = built.raws[name]
            position = int(raw.index.astype(str).get_indexer(pd.Index([zone]))[0])
            if position < 0 or mesure not in raw.columns:
                problems.append((source, niveau, zone, mesure, np.nan,
                                 "case absente de la publication"))  # fmt: skip
                continue
            if not vu:
                continue
            cell = int(release.cells(name, mesure, [position])[0])
            hidden[cell] = False
            households = float(support[cell])
            truth = float(raw[mesure].iloc[position])
            if not np.isnan(valeur):
                if abs(valeur - truth) > 1e-6:
                    problems.append((source, niveau, zone, mesure, households,
                                     f"valeur imprimée {valeur:g} ≠ base {truth:g}"))  # fmt: skip
                if cell in printed and abs(printed[cell] - valeur) > 1e-6:
                    problems.append((source, niveau, zone, mesure, households,
                                     "même case imprimée avec deux valeurs"))  # fmt: skip
                printed[cell] = valeur
            if ZERO < households < THRESHOLD - 1e-9:
                problems.append((source, niveau, zone, mesure, households,
                                 f"case imprimée de moins de {THRESHOLD} ménages"))  # fmt: skip
        found = recoverable(release, hidden=hidden)
        small = found[(found["support"] > ZERO) & (found["support"] < THRESHOLD - 1e-9)]
        where = _where(built)
        for cell, found_households in zip(small["cell"], small["support"], strict=True):
            name, zone, column = where.get(int(cell), ("", "complément non publié", ""))
            problems.append((key, name.split("/")[-1], zone, column, float(found_households),
                             "case de moins de 11 ménages retrouvable par différence"))  # fmt: skip
    return pd.DataFrame(
        problems, columns=["source", "niveau", "zone", "mesure", "menages", "probleme"]
    )
