"""Where relocated households arrive: the effect of a move on the receiving entrance,
building and neighbourhood, before a dwelling is offered (:func:`impact_offre`), and
after the moves, entrance by entrance (:func:`entrees_accueil`) and zone by zone with
statistical secrecy (:func:`quartiers_accueil`) — so the team sees whether relocation
concentrates fragility elsewhere.

The « after » is the very computation of the entrance watch and the observatory's
indicators (:mod:`mixite.commission.impact`, the commission's mechanism) on the
households with the relocated one moved; a test checks it equals a full recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.commission.impact import Cadre, watch_of, zones_of
from mixite.core.secret import Count, Measure, Release, parent_rows
from mixite.observatoire.indicateurs import TOTAL
from mixite.observatoire.publication import add_nestings

#: What a move changes in a household's row: where it lives.
LIEU = ("id_logement", "id_entree", "id_batiment", "code_commune", "code_iris", "idcar_200m",
        "code_qpv", "code_bailleur", "individuel", "code_territoire", "code_epci")  # fmt: skip

#: Zones of the neighbourhood table, coarser first, with their French names.
NIVEAUX = {"code_commune": "commune", "code_iris": "IRIS", "code_qpv": "QPV"}
STATUTS = ("fragile", "vigilance")


def installer(menages: pd.DataFrame, logements: pd.DataFrame) -> pd.DataFrame:
    """``menages`` (rows of the households table) living in ``logements`` (the dwelling
    of each row, with its entrance, building and zones), as social tenants."""
    out = menages.reset_index(drop=True).copy()
    d = logements.reset_index(drop=True)
    for c in LIEU:
        if c in d.columns:
            out[c] = d[c].to_numpy()
    out["statut_occupation"] = "locataire_social"
    return out


@dataclass(frozen=True)
class ImpactOffre:
    """A move's effect on the receiving entrance (watch) and on its zones (indicators)."""

    statut_avant: str
    statut_apres: str
    veille: pd.DataFrame
    zones: pd.DataFrame

    def resume(self) -> str:
        """One French phrase: the entrance's status before → after."""
        if self.statut_avant == self.statut_apres:
            return f"entrée « {self.statut_apres} », inchangée"
        return f"entrée « {self.statut_avant} » → « {self.statut_apres} »"


def impact_offre(cadre: Cadre, logement: pd.Series, menage: pd.DataFrame) -> ImpactOffre:
    """The effect of moving ``menage`` (its row of ``cadre.menages``, one row) into
    ``logement`` (a dwelling with its zones, as :func:`mixite.io.commission.logement`
    reads it): only the households of the zones it touches are read; the household
    leaves its former zones as it enters the new ones."""
    hh = cadre.menages
    moved = installer(menage, pd.DataFrame([logement]))
    leaving = hh["id_menage"].isin(menage["id_menage"]).to_numpy(dtype=bool)
    entrance = str(logement["id_entree"])
    landlord = str(logement["code_bailleur"])
    here = (hh["id_entree"].astype("string") == entrance).fillna(False).to_numpy(dtype=bool)
    in_entrance = hh[here & ~leaving]
    touched = np.zeros(len(hh), dtype=bool)
    for level in ("id_batiment", "code_iris", "code_qpv", "code_commune"):
        code = logement.get(level)
        if code is not None and not pd.isna(code):
            touched |= (hh[level].astype("string") == str(code)).fillna(False).to_numpy(dtype=bool)
    before_watch = watch_of(cadre, hh[here], landlord)
    after_watch = watch_of(cadre, pd.concat([in_entrance, moved], ignore_index=True), landlord)
    before_zones = zones_of(cadre, hh[touched], logement)
    after_zones = zones_of(cadre, pd.concat([hh[touched & ~leaving], moved], ignore_index=True),
                           logement)  # fmt: skip
    variables = cadre.veille.get(landlord) or next(iter(cadre.veille.values()))
    rows = []
    for v in variables:
        b = float(before_watch[v.code].iloc[0]) if len(before_watch) else float("nan")
        rows.append({"variable": v.libelle, "avant": b, "apres": float(after_watch[v.code].iloc[0]),
                     "seuil": v.seuil, "marge": v.marge})  # fmt: skip
    return ImpactOffre(
        statut_avant=str(before_watch["statut"].iloc[0]) if len(before_watch) else "aucun occupant",
        statut_apres=str(after_watch["statut"].iloc[0]),
        veille=pd.DataFrame(rows),
        zones=before_zones.add_suffix("_avant").join(after_zones.add_suffix("_apres"), how="outer"),
    )


def entrees_accueil(cadre: Cadre, arrivees: pd.DataFrame) -> pd.DataFrame:
    """Each collective entrance that received relocated households (``arrivees``: their
    rows already :func:`installer`-ed in the new dwelling): its landlord and zones, the
    arrivals, the social occupants before (without them) and after, and the watch
    status and variables before → after."""
    hh = cadre.menages
    collective = ~arrivees["individuel"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    arr = arrivees[collective & arrivees["id_entree"].notna().to_numpy(dtype=bool)]
    if arr.empty:
        return pd.DataFrame()
    entrances = arr["id_entree"].astype(str).unique()
    staying = hh[hh["id_entree"].astype("string").isin(entrances).fillna(False).to_numpy(dtype=bool)
                 & ~hh["id_menage"].isin(arr["id_menage"]).to_numpy(dtype=bool)]  # fmt: skip
    frames = []
    for landlord, mine in arr.groupby(arr["code_bailleur"].astype(str)):
        own = staying[staying["id_entree"].astype(str).isin(mine["id_entree"].astype(str))]
        before = watch_of(cadre, own, landlord)
        after = watch_of(cadre, pd.concat([own, mine], ignore_index=True), landlord)
        table = after.add_suffix("_apres").join(before.add_suffix("_avant"), how="left")
        table["code_bailleur"] = landlord
        frames.append(table)
    out = pd.concat(frames)
    out.index.name = "id_entree"
    out["arrivees"] = arr.groupby(arr["id_entree"].astype(str)).size().reindex(out.index)
    out["menages_avant"] = out["menages_avant"].fillna(0).astype(int)
    out["statut_avant"] = out["statut_avant"].fillna("aucun occupant")
    where = arr.drop_duplicates("id_entree").set_index(
        arr.drop_duplicates("id_entree")["id_entree"].astype(str)
    )
    for c in ("id_batiment", *NIVEAUX):
        out[c] = where[c].reindex(out.index)
    return out.reset_index()


def _par_zone(entrees: pd.DataFrame, level: str, side: str) -> pd.DataFrame:
    """Counts of one side (before or after) for the zones of ``level``, and a total."""
    e = entrees.assign(
        _zone=entrees[level].astype("string"),
        menages=entrees[f"menages_{side}"],
        entrees=1,
        **{f"menages_{s}": entrees[f"menages_{side}"].where(entrees[f"statut_{side}"] == s, 0)
           for s in STATUTS},
        **{f"entrees_{s}": (entrees[f"statut_{side}"] == s).astype(int) for s in STATUTS},
    )  # fmt: skip
    e = e[e["_zone"].notna()]
    cols = ["menages", "entrees", *(f"menages_{s}" for s in STATUTS),
            *(f"entrees_{s}" for s in STATUTS)]  # fmt: skip
    if side == "apres":
        cols.append("arrivees")
    g = e.groupby("_zone")[cols].sum()
    total = pd.DataFrame([e[cols].sum()], index=[TOTAL])
    out = pd.concat([g, total]).astype(int)
    out.index.name = level
    return out


def _mesures(side: str) -> list[Measure]:
    m: list[Measure] = [Count("menages"), Count("entrees", households="menages")]
    for s in STATUTS:
        m += [Count(f"menages_{s}", part_of="menages"),
              Count(f"entrees_{s}", part_of="entrees", households=f"menages_{s}")]  # fmt: skip
    if side == "apres":
        m.append(Count("arrivees", part_of="menages"))
    return m


def release_accueil(entrees: pd.DataFrame) -> Release:
    """The release of the neighbourhood tables (:func:`quartiers_accueil`): every level
    and both sides, nested, each zone's change tied (audited by the tests)."""
    release = Release()
    raws: dict[tuple[str, str], pd.DataFrame] = {}
    for side in ("avant", "apres"):
        levels = {}
        for level in NIVEAUX:
            raw = _par_zone(entrees, level, side)
            raws[(side, level)] = raw
            levels[level] = raw
            flat = raw.reset_index()
            release.add_table(f"{side}/{level}", flat, _mesures(side))
            release.add_totals(f"{side}/{level}", (flat[level] == TOTAL).to_numpy())
        add_nestings(release, entrees, levels, {"code_iris": ("code_commune",),
                     "code_qpv": ("code_commune",)}, f"{side}/{{}}".format)  # fmt: skip
    for level in NIVEAUX:
        rows = parent_rows(raws[("apres", level)].index.to_series(),
                           raws[("avant", level)].index.to_series())  # fmt: skip
        release.add_change(f"avant/{level}", f"apres/{level}", before_rows=rows)
    return release


def quartiers_accueil(entrees: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """For each zone level (commune, IRIS, QPV): the receiving zones with, before and
    after the arrivals, the social occupants of their receiving entrances, and how many
    of these households and entrances are « fragile » or « vigilance »; with the
    arrivals. Secrecy is decided once for every level and both sides together (each
    zone's change is the arrivals: never given away by difference)."""
    release = release_accueil(entrees)
    published = release.publish()
    out = {}
    for level, name in NIVEAUX.items():
        before = published[f"avant/{level}"].table.set_index(level)
        after = published[f"apres/{level}"].table.set_index(level)
        table = pd.DataFrame({"arrivees": after["arrivees"], "entrees": after["entrees"]},
                             index=after.index)  # fmt: skip
        for c in ("menages", *(f"{k}_{s}" for s in STATUTS for k in ("menages", "entrees"))):
            table[f"{c}_avant"] = before[c]
            table[f"{c}_apres"] = after[c]
        table.index.name = name
        out[name] = table
    return out


#: French headers of the neighbourhood tables.
ENTETES_QUARTIERS = {
    "arrivees": "ménages relogés arrivés",
    "entrees": "entrées d'accueil (collectives)",
    "menages_avant": "ménages des entrées d'accueil, avant",
    "menages_apres": "ménages des entrées d'accueil, après",
    "menages_fragile_avant": "ménages en entrée « fragile », avant",
    "menages_fragile_apres": "ménages en entrée « fragile », après",
    "entrees_fragile_avant": "entrées « fragile », avant",
    "entrees_fragile_apres": "entrées « fragile », après",
    "menages_vigilance_avant": "ménages en entrée « vigilance », avant",
    "menages_vigilance_apres": "ménages en entrée « vigilance », après",
    "entrees_vigilance_avant": "entrées « vigilance », avant",
    "entrees_vigilance_apres": "entrées « vigilance », après",
}  # fmt: skip
