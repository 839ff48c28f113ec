"""How the relocation work went: offers per household, refusals and their reasons, the
time from interview to move, first wishes met, moves off site, into new or QPV
dwellings — by operation, landlord or half-year, with statistical secrecy.

Inputs are the household figures (:func:`~mixite.core.relogement.household_figures`),
the interviews and the offers of the relocation files. A household's figures count in
the line of its operation, its landlord of origin, and the half-year it moved in (or
« à reloger »).

Examples
--------
>>> f = pd.DataFrame({"id_relogement": ["R1", "R2"], "code_operation": ["OP", "OP"],
...     "code_bailleur": ["B1", "B1"], "reloge": [True, False],
...     "date_relogement": pd.to_datetime(["2025-03-01", None]),
...     "apres_code_commune": ["59350", None], "apres_sur_site": [False, None],
...     "neuf_ou_recent": [True, False], "apres_qpv": [False, None]})
>>> e = pd.DataFrame({"id_relogement": ["R1", "R2"],
...     "date_entretien": pd.to_datetime(["2025-01-01", "2025-02-01"]),
...     "souhait_communes": ["59350;59009", None]})
>>> p = pd.DataFrame({"id_relogement": ["R1", "R1", "R2"],
...     "reponse": ["refusee", "acceptee", "en_attente"],
...     "motif_refus": ["loyer", None, None]})
>>> row = indicateurs_par_menage(f, e, p).iloc[0]
>>> int(row["propositions"]), int(row["refus"]), int(row["delai_jours"]), bool(row["premier_souhait"])
(2, 1, 59, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.core import model
from mixite.core.relogement.dashboard import TOTAL, semester
from mixite.core.secret import Count, Derived, Measure, Share, Statistic, apply_secrecy

#: French titles of the refusal reasons (the model's choices, in their order).
TITRES_MOTIFS: dict[str, str] = {
    "loyer": "loyer ou charges",
    "etat_du_logement": "état du logement",
    "etage_ou_accessibilite": "étage ou accessibilité",
    "autre": "autre motif",
}
MOTIFS_REFUS: dict[str, str] = {m: TITRES_MOTIFS.get(m, m) for m in model.MOTIFS_REFUS}


#: Grouping of the process table: name → column of the per-household table.
PAR: dict[str, str] = {
    "operation": "code_operation",
    "bailleur": "code_bailleur",
    "periode": "periode",
}


def indicateurs_par_menage(
    figures: pd.DataFrame, entretiens: pd.DataFrame, propositions: pd.DataFrame
) -> pd.DataFrame:
    """One row per household: its offers, refusals (and per reason), the days from
    interview to move, whether it moved into its first wished commune (``NA`` when no
    commune was wished or not yet relocated), off site, into a new or QPV dwelling."""
    f = figures.reset_index(drop=True).copy()
    ident = f["id_relogement"].astype(str)
    p = propositions.assign(id_relogement=propositions["id_relogement"].astype(str))
    refused = p[p["reponse"] == "refusee"]
    f["propositions"] = ident.map(p.groupby("id_relogement").size()).fillna(0).astype(int)
    f["refus"] = ident.map(refused.groupby("id_relogement").size()).fillna(0).astype(int)
    f["reponses"] = (
        ident.map(p[p["reponse"].isin(["acceptee", "refusee"])].groupby("id_relogement").size())
        .fillna(0)
        .astype(int)
    )
    for motif in MOTIFS_REFUS:
        mine = refused[refused["motif_refus"] == motif].groupby("id_relogement").size()
        f[f"refus_{motif}"] = ident.map(mine).fillna(0).astype(int)
    e = entretiens.assign(id_relogement=entretiens["id_relogement"].astype(str))
    e = e.drop_duplicates("id_relogement").set_index("id_relogement")
    interview = pd.to_datetime(ident.map(e["date_entretien"]))
    moved = f["reloge"].to_numpy(dtype=bool)
    days = (pd.to_datetime(f["date_relogement"]) - interview).dt.days
    f["delai_jours"] = days.where(moved).astype("Float64")
    first = ident.map(e["souhait_communes"]).astype("string").str.split(";").str[0].str.strip()
    met = first == f["apres_code_commune"].astype("string")
    f["premier_souhait"] = met.where(moved & first.notna().to_numpy(dtype=bool)).astype("boolean")
    f["hors_site"] = moved & ~f["apres_sur_site"].astype("boolean").fillna(True).to_numpy(
        dtype=bool
    )
    f["neuf"] = moved & f["neuf_ou_recent"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    f["en_qpv"] = moved & f["apres_qpv"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    f["periode"] = semester(f["date_relogement"])
    return f


@dataclass(frozen=True)
class Processus:
    """The published table (secrecy applied), its French headers, the cells hidden."""

    table: pd.DataFrame
    headers: dict[str, str]
    suppressed: int

    def french(self) -> pd.DataFrame:
        """The table with French headers, as printed and exported."""
        return self.table.rename(columns=self.headers)


def _mesures() -> list[Measure]:
    measures: list[Measure] = [
        Count("menages"),
        Count("reloges", part_of="menages"),
        Count("menages_proposes", part_of="menages"),
        Count("menages_refus", part_of="menages_proposes"),
        Count("reloges_entretien", part_of="reloges"),
        Count("propositions", households="menages_proposes"),
        Statistic("propositions_par_menage", "reloges"),
        Count("refus", households="menages_refus"),
        Derived("taux_refus", ("refus", "propositions")),
    ]
    for motif in MOTIFS_REFUS:
        measures += [
            Count(f"menages_refus_{motif}", part_of="menages_refus"),
            Count(f"refus_{motif}", part_of="refus", households=f"menages_refus_{motif}"),
            Derived(f"part_refus_{motif}", (f"refus_{motif}", "refus")),
        ]
    measures += [
        Statistic("delai_median_jours", "reloges_entretien"),
        Count("avec_souhait", part_of="reloges"),
        Count("premier_souhait", part_of="avec_souhait"),
        Share("part_premier_souhait", "premier_souhait", "avec_souhait"),
    ]
    for name in ("hors_site", "neuf", "en_qpv"):
        measures += [Count(name, part_of="reloges"), Share(f"part_{name}", name, "reloges")]
    return measures


#: Columns counting the households behind offer, refusal and delay figures: declared to
#: the secrecy, left out of the published table.
_APPUIS = ["menages_refus", "reloges_entretien",
           *(f"menages_refus_{m}" for m in MOTIFS_REFUS)]  # fmt: skip


def processus(par_menage: pd.DataFrame, *, par: str | None = None) -> Processus:
    """The process indicators of :func:`indicateurs_par_menage`'s households, one line
    per value of ``par`` (``operation``, ``bailleur``, ``periode``) and a total line.

    Offers per household are over the relocated households (offers they received);
    the refusal rate is refusals over answered offers; reasons are shares of refusals;
    the delay is the median of days from interview to move of the relocated."""
    if par is not None and par not in PAR:
        raise ValueError(f"par must be one of {list(PAR)} or None; got {par!r}.")
    f = par_menage
    groups: list[tuple[str, np.ndarray]] = []
    if par:
        labels = f[PAR[par]].astype("string").fillna("non renseigné")
        groups = [(str(v), (labels == v).to_numpy(dtype=bool)) for v in sorted(labels.unique())]
    groups.append((TOTAL, np.ones(len(f), dtype=bool)))
    moved = f["reloge"].to_numpy(dtype=bool)
    rows = []
    for label, sel in groups:
        here = f[sel]
        r = here[moved[sel]]
        refused = int(here["refus"].sum())
        answered = int(here["reponses"].sum())
        delays = r["delai_jours"].dropna().to_numpy(dtype=float)
        wished = r["premier_souhait"].notna().to_numpy(dtype=bool)
        row: dict[str, object] = {
            "ligne": label, "menages": len(here), "reloges": len(r),
            "menages_proposes": int((here["propositions"] > 0).sum()),
            "propositions": int(here["propositions"].sum()),
            "propositions_par_menage": r["propositions"].mean() if len(r) else np.nan,
            "refus": refused, "menages_refus": int((here["refus"] > 0).sum()),
            "taux_refus": refused / answered * 100 if answered else np.nan,
            "reloges_entretien": len(delays),
            "delai_median_jours": float(np.median(delays)) if len(delays) else np.nan,
            "avec_souhait": int(wished.sum()),
            "premier_souhait": int(r["premier_souhait"].fillna(False).sum()),
        }  # fmt: skip
        for motif in MOTIFS_REFUS:
            n = int(here[f"refus_{motif}"].sum())
            row[f"refus_{motif}"] = n
            row[f"menages_refus_{motif}"] = int((here[f"refus_{motif}"] > 0).sum())
            row[f"part_refus_{motif}"] = n / refused * 100 if refused else np.nan
        row["part_premier_souhait"] = (
            row["premier_souhait"] / row["avec_souhait"] * 100 if row["avec_souhait"] else np.nan  # type: ignore[operator]
        )
        for name in ("hors_site", "neuf", "en_qpv"):
            n = int(r[name].sum())
            row[name] = n
            row[f"part_{name}"] = n / len(r) * 100 if len(r) else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    secret = apply_secrecy(table, _mesures(), total_rows=(table["ligne"] == TOTAL).to_numpy())
    shown = secret.table.drop(columns=_APPUIS)
    shown["propositions_par_menage"] = shown["propositions_par_menage"].astype(float).round(2)
    for c in ("taux_refus", "delai_median_jours", *(f"part_refus_{m}" for m in MOTIFS_REFUS)):
        shown[c] = shown[c].astype(float).round(1)
    headers = {
        "ligne": par or "ensemble", "menages": "ménages à reloger", "reloges": "ménages relogés",
        "menages_proposes": "ménages ayant reçu une proposition",
        "propositions": "propositions", "propositions_par_menage": "propositions par ménage relogé",
        "refus": "refus", "taux_refus": "taux de refus (% des réponses)",
        "delai_median_jours": "délai médian de l'entretien au relogement (jours)",
        "avec_souhait": "relogés ayant exprimé un souhait de commune",
        "premier_souhait": "relogés dans la commune de leur premier souhait",
        "part_premier_souhait": "premier souhait de commune satisfait (%)",
        "hors_site": "relogés hors site", "part_hors_site": "relogés hors site (%)",
        "neuf": "relogés dans le neuf ou le récent (< 5 ans)",
        "part_neuf": "relogés dans le neuf ou le récent (%)",
        "en_qpv": "relogés en QPV", "part_en_qpv": "relogés en QPV (%)",
    }  # fmt: skip
    for motif, title in MOTIFS_REFUS.items():
        headers[f"refus_{motif}"] = f"refus : {title}"
        headers[f"part_refus_{motif}"] = f"refus : {title} (% des refus)"
    return Processus(shown, headers, secret.n_suppressed)
