"""The relocation dashboard: the GIP LMRU figures by operation, landlord, commune or period.

Every table goes through :func:`mixite.core.secret.apply_secrecy` before it is returned.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.core.relogement.criteria import DEFAULT_CRITERIA, QualitativeCriterion
from mixite.core.relogement.formulas import ResteAVivreFormula
from mixite.core.secret import Count, Measure, Share, Statistic, apply_secrecy

#: Grouping dimensions: name → column of the figures (``periode`` is derived).
DIMENSIONS: dict[str, str] = {
    "operation": "code_operation",
    "bailleur": "code_bailleur",
    "commune": "avant_code_commune",
    "commune_accueil": "apres_code_commune",
    "periode": "periode",
}

TOTAL = "Total"

#: Effort-rate classes of the distribution (percent, left-closed).
EFFORT_BINS: tuple[float, ...] = (0, 10, 15, 20, 25, 30, 35, np.inf)


@dataclass(frozen=True)
class Dashboard:
    """The published table (``raw``: before secrecy, never shown), its French headers,
    distributions and the formula used."""

    table: pd.DataFrame
    raw: pd.DataFrame
    flags: tuple[str, ...]
    headers: dict[str, str]
    distribution: pd.DataFrame
    formula: str
    suppressed: int

    def french(self) -> pd.DataFrame:
        """The table with French column headers, as exported."""
        return self.table.rename(columns=self.headers)


def semester(dates: pd.Series) -> pd.Series:
    """``2025-S1`` / ``2025-S2`` for each date; ``à reloger`` where there is none."""
    d = pd.to_datetime(dates)
    half = pd.Series(np.where(d.dt.month <= 6, "-S1", "-S2"), index=d.index, dtype="string")
    label = d.dt.year.astype("Int64").astype("string").str.cat(half)
    return label.fillna("à reloger")


def _indicators(
    figures: pd.DataFrame, criteria: Sequence[QualitativeCriterion], reference_year: int
) -> tuple[dict[str, npt.NDArray[np.bool_]], dict[str, str]]:
    relocated = figures["reloge"].to_numpy(dtype=bool)
    variation = figures["variation_taux_effort"].to_numpy(dtype=float)
    flags = {
        "parc_social": figures["parc_social"].to_numpy(dtype=bool),
        "individuel": figures["individuel"].to_numpy(dtype=bool),
        "piece_supplementaire": figures["piece_supplementaire"].to_numpy(dtype=bool),
        "neuf_ou_recent": figures["neuf_ou_recent"].to_numpy(dtype=bool),
        "hors_qpv": figures["hors_qpv"].to_numpy(dtype=bool),
        "hausse_taux_effort": relocated & (variation > 0),
        "hausse_2_points": relocated & (variation >= 2),
        "rav_en_hausse": figures["rav_en_hausse"].to_numpy(dtype=bool),
        "rav_en_baisse": figures["rav_en_baisse"].to_numpy(dtype=bool),
    }
    titles = {
        "parc_social": "relogés dans le parc social",
        "individuel": "relogés en logement individuel",
        "piece_supplementaire": "au moins une pièce de plus",
        "neuf_ou_recent": "logement neuf ou de moins de 5 ans",
        "hors_qpv": "relogés hors QPV / ZUS",
        "hausse_taux_effort": "taux d'effort en hausse",
        "hausse_2_points": "taux d'effort en hausse de 2 points ou plus",
        "rav_en_hausse": "reste à vivre en hausse",
        "rav_en_baisse": "reste à vivre en baisse",
    }
    for c in criteria:
        flags[f"critere_{c.code}"] = c.met(figures, reference_year=reference_year)
        titles[f"critere_{c.code}"] = f"critère qualitatif : {c.libelle}"
    return flags, titles


def MEASURES(flags: Sequence[str]) -> list[Measure]:  # noqa: N802 - a table's declaration
    """What each dashboard column rests on: sub-counts of the relocated are parts of them,
    the relocated and the fragile are parts of the households to relocate."""
    measures: list[Measure] = [
        Count("menages"),
        Count("reloges", part_of="menages"),
        Share("part_reloges", "reloges", "menages"),
    ]
    for name in flags:
        measures += [
            Count(f"n_{name}", part_of="reloges"),
            Share(f"part_{name}", f"n_{name}", "reloges"),
        ]
    measures += [
        Count("n_fragiles", part_of="menages"),
        Statistic("taux_effort_avant_median", "reloges"),
        Statistic("taux_effort_apres_median", "reloges"),
    ]
    return measures


def dashboard(
    figures: pd.DataFrame,
    formula: ResteAVivreFormula,
    *,
    by: str | None = None,
    criteria: Sequence[QualitativeCriterion] = DEFAULT_CRITERIA,
    reference_year: int,
) -> Dashboard:
    """Aggregate household figures (:func:`household_figures`) by ``by``, with a total row.

    Shares of relocated households are over the relocated; ``part_reloges`` and
    ``fragiles`` are over all households of the line. Medians of effort rates are in %.
    """
    if by is not None and by not in DIMENSIONS:
        raise ValueError(f"by must be one of {list(DIMENSIONS)} or None; got {by!r}.")
    f = figures.copy()
    f["periode"] = semester(f["date_relogement"])
    flags, titles = _indicators(f, criteria, reference_year)
    key = DIMENSIONS[by] if by else None
    groups: list[tuple[str, npt.NDArray[np.bool_]]] = []
    if key:
        labels = f[key].astype("string").fillna("non renseigné")
        for value in sorted(labels.unique()):
            groups.append((str(value), (labels == value).to_numpy(dtype=bool)))
    groups.append((TOTAL, np.ones(len(f), dtype=bool)))

    relocated = f["reloge"].to_numpy(dtype=bool)
    rows = []
    for label, sel in groups:
        r = sel & relocated
        households, relocated_here = int(sel.sum()), int(r.sum())
        row: dict[str, object] = {"ligne": label, "menages": households, "reloges": relocated_here}
        row["part_reloges"] = relocated_here / households * 100 if households else np.nan
        for name, flag in flags.items():
            n = int((flag & r).sum())
            row[f"n_{name}"] = n
            row[f"part_{name}"] = n / int(r.sum()) * 100 if r.any() else np.nan
        row["n_fragiles"] = int((f["fragile"].to_numpy(dtype=bool) & sel).sum())
        for side in ("avant", "apres"):
            values = f.loc[r, f"taux_effort_{side}"].to_numpy(dtype=float) * 100
            row[f"taux_effort_{side}_median"] = (
                float(np.nanmedian(values)) if len(values) else np.nan
            )
        rows.append(row)
    table = pd.DataFrame(rows)

    secret = apply_secrecy(
        table, MEASURES(list(flags)), total_rows=(table["ligne"] == TOTAL).to_numpy()
    )

    headers = {
        "ligne": by or "ensemble",
        "menages": "ménages à reloger",
        "reloges": "ménages relogés",
        "part_reloges": "part relogée (%)",
        "n_fragiles": f"ménages fragiles (reste à vivre < {formula.threshold:g} {formula.unit})",
        "taux_effort_avant_median": "taux d'effort médian avant (%)",
        "taux_effort_apres_median": "taux d'effort médian après (%)",
    }
    for name, title in titles.items():
        headers[f"n_{name}"] = f"{title} (ménages)"
        headers[f"part_{name}"] = f"{title} (% des relogés)"
    return Dashboard(
        table=secret.table,
        raw=table,
        flags=tuple(flags),
        headers=headers,
        distribution=effort_distribution(f),
        formula=formula.describe(),
        suppressed=secret.n_suppressed,
    )


def effort_distribution(figures: pd.DataFrame) -> pd.DataFrame:
    """Relocated households by effort-rate class, before and after (secrecy applied)."""
    r = figures[figures["reloge"]]
    labels = [
        f"{int(lo)} à {int(hi)} %" if np.isfinite(hi) else f"{int(lo)} % et plus"
        for lo, hi in itertools.pairwise(EFFORT_BINS)
    ]
    out = pd.DataFrame({"classe": labels})
    for side in ("avant", "apres"):
        values = r[f"taux_effort_{side}"].to_numpy(dtype=float) * 100
        counts, _ = np.histogram(values[np.isfinite(values)], bins=np.array(EFFORT_BINS))
        out[side] = counts
    total = pd.DataFrame(
        {"classe": [TOTAL], "avant": [out["avant"].sum()], "apres": [out["apres"].sum()]}
    )
    out = pd.concat([out, total], ignore_index=True)
    secret = apply_secrecy(
        out, [Count("avant"), Count("apres")], total_rows=(out["classe"] == TOTAL).to_numpy()
    )
    return secret.table
