"""The replicates summarised: median and 90 % band (5th and 95th centiles) of every
figure at every level and year, statistical secrecy applied to the zones' figures, and
scenarios compared on common random numbers (replicate i of every scenario draws from
the same seed, so paired differences are read directly)."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from mixite.core.secret import Count, Measure, Release, Share, Statistic
from mixite.observatoire.fragilite import ConfigFragilite, indice_fragilite
from mixite.observatoire.typologie import Typologie, classer
from mixite.scenarios.modele import Parc, Zones
from mixite.scenarios.monte_carlo import Ensemble
from mixite.scenarios.moteur import (
    FLUX,
    INDICES,
    MESURES,
    NIVEAUX,
    STATUT_FRAGILE,
    STATUT_HORS_VEILLE,
    STATUT_OK,
    STATUT_VIGILANCE,
)

QUANTILES = (0.05, 0.5, 0.95)
#: What each level's zones are called in the tables.
LIBELLES_NIVEAUX = {"iris": "IRIS", "commune": "commune", "territoire": "territoire",
                    "qpv": "QPV", "bailleur": "bailleur", "epci": "EPCI"}  # fmt: skip
#: Shares of households (in %); the poverty rate is a share of persons.
PARTS = ("sous_40_plus", "premier_quartile", "sans_actif", "monoparentales", "grandes_familles",
         "reference_65_plus")  # fmt: skip
POSITION = {m: j for j, m in enumerate(MESURES)}
LIBELLES_INDICES = {
    "D_premier_quartile_iris": "dissimilarité D des ménages du premier quartile entre IRIS",
    "H_premier_quartile_iris": "entropie H (Theil) des ménages du premier quartile entre IRIS",
    "M_tranches_batiments": "information mutuelle M des tranches de ressources entre bâtiments",
    "M_entre_communes": "M : part entre communes",
    "M_entre_iris_dans_communes": "M : part entre IRIS d'une même commune",
    "M_entre_batiments_dans_iris": "M : part entre bâtiments d'un même IRIS",
    "part_q1_loges_en_qpv": "part des ménages du premier quartile logés en QPV",
    "part_q1_parmi_menages_qpv": "part du premier quartile parmi les ménages des QPV",
}


def _bands(values: np.ndarray) -> np.ndarray:
    """(3, …): 5th centile, median, 95th centile over the first axis (NaN ignored; NaN
    where every replicate is NaN, as for a zone left without households)."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanquantile(values, QUANTILES, axis=0), dtype=float)


def _labels(zones: Zones, level: str) -> list[str]:
    return {
        "iris": list(zones.iris),
        "commune": list(zones.communes),
        "territoire": list(zones.territoires),
        "qpv": [*zones.qpv, "hors QPV"],
        "bailleur": list(zones.bailleurs),
        "epci": ["ensemble"],
    }[level]


def zones_publiees(ens: Ensemble, zones: Zones, annee0: int) -> pd.DataFrame:
    """Every level, zone and state (1 January of each year): median counts of
    dwellings and households, and the median and band of each share.

    Secrecy is decided once for all levels and years (:class:`~mixite.core.secret.Release`,
    on the replicates' mean counts, which add up exactly): no figure rests on fewer than
    11 households, and none is recovered from the other zones of its level or from its
    IRIS and commune. Successive years are not tied: after the snapshot, a figure is a
    model's output, not a count of real households, and the difference between two
    years is the model's, not a household's."""
    release = Release()
    tables: dict[tuple[int, str], pd.DataFrame] = {}
    years = ens.indices.shape[1]
    measures: list[Measure] = [
        Count("logements"),
        Count("menages"),
        Count("personnes", households="menages"),
        Count("n_menages_pauvres", part_of="menages"),
        Count("n_taux_pauvrete", part_of="personnes", households="n_menages_pauvres"),
        Share("taux_pauvrete", "n_taux_pauvrete", "personnes"),
        Statistic("mediane_niveau_de_vie", "menages"),
    ]
    for m in PARTS:
        measures += [Count(f"n_{m}", part_of="menages"), Share(f"part_{m}", f"n_{m}", "menages")]
    for level in NIVEAUX:
        arr = ens.zones[level].astype(float)  # (R, T+1, Z, M)
        mean = arr.mean(axis=0)
        labels = _labels(zones, level)
        for t in range(years):
            frame = pd.DataFrame({"zone": labels})
            for name in ("logements", "menages", "personnes"):
                frame[name] = mean[t, :, POSITION[name]]
            frame["n_menages_pauvres"] = mean[t, :, POSITION["menages_pauvres"]]
            frame["n_taux_pauvrete"] = mean[t, :, POSITION["personnes_pauvres"]]
            for m in PARTS:
                frame[f"n_{m}"] = mean[t, :, POSITION[m]]
            if level != "epci":
                total = frame.drop(columns="zone").sum().to_frame().T
                total["zone"] = "ensemble"
                frame = pd.concat([frame, total], ignore_index=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                for m in PARTS:
                    frame[f"part_{m}"] = frame[f"n_{m}"] / frame["menages"] * 100
                frame["taux_pauvrete"] = frame["n_taux_pauvrete"] / frame["personnes"] * 100
            median = _bands(ens.medianes[level][:, t, :])[1]
            frame["mediane_niveau_de_vie"] = np.r_[median, np.nan] if level != "epci" else median
            name = f"{annee0 + t}/{level}"
            release.add_table(name, frame, measures)
            if level != "epci":
                release.add_totals(name, (frame["zone"] == "ensemble").to_numpy())
            tables[(t, level)] = frame
    for t in range(years):
        parent = np.r_[zones.commune_de_l_iris, -1]  # the « ensemble » row nests in nothing
        release.add_nesting(f"{annee0 + t}/commune", f"{annee0 + t}/iris", parent_rows=parent)
        if zones.territoire_de_la_commune is not None:
            parent = np.r_[zones.territoire_de_la_commune, -1]
            release.add_nesting(
                f"{annee0 + t}/territoire", f"{annee0 + t}/commune", parent_rows=parent
            )
    published = release.publish()
    rows = []
    for level in NIVEAUX:
        arr = ens.zones[level].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.stack(
                [arr[..., POSITION[m]] / arr[..., 1] * 100 for m in PARTS]
                + [arr[..., POSITION["personnes_pauvres"]] / arr[..., POSITION["personnes"]] * 100],
                axis=-1,
            )
        b_counts, b_shares = _bands(arr), _bands(shares)
        labels = _labels(zones, level)
        for t in range(years):
            secret = published[f"{annee0 + t}/{level}"].table
            out = pd.DataFrame({"niveau": LIBELLES_NIVEAUX[level], "zone": labels,
                                "au_1er_janvier": annee0 + t})  # fmt: skip
            out["logements"] = np.round(b_counts[1, t, :, 0])
            out["menages"] = np.round(b_counts[1, t, :, 1])
            names = [f"part_{m}" for m in PARTS] + ["taux_pauvrete"]
            for j, name in enumerate(names):
                out[name] = b_shares[1, t, :, j].round(1)
                out[f"{name}_p05"] = b_shares[0, t, :, j].round(1)
                out[f"{name}_p95"] = b_shares[2, t, :, j].round(1)
            med = _bands(ens.medianes[level][:, t, :])
            out["mediane_niveau_de_vie"] = med[1].round(0)
            out["mediane_niveau_de_vie_p05"] = med[0].round(0)
            out["mediane_niveau_de_vie_p95"] = med[2].round(0)
            hidden_med = secret["mediane_niveau_de_vie"].isna().to_numpy()[: len(labels)]
            hidden_hh = secret["menages"].isna().to_numpy()[: len(labels)]
            out.loc[hidden_med | hidden_hh, ["mediane_niveau_de_vie", "mediane_niveau_de_vie_p05",
                                              "mediane_niveau_de_vie_p95"]] = np.nan  # fmt: skip
            out.loc[secret["logements"].isna().to_numpy()[: len(labels)], "logements"] = np.nan
            out.loc[hidden_hh, "menages"] = np.nan
            for name, count in [*((f"part_{m}", f"n_{m}") for m in PARTS),
                                ("taux_pauvrete", "n_taux_pauvrete")]:  # fmt: skip
                gone = hidden_hh | secret[count].isna().to_numpy()[: len(labels)]
                out.loc[gone, [name, f"{name}_p05", f"{name}_p95"]] = np.nan
            rows.append(out)
    table = pd.concat(rows, ignore_index=True)
    # Zones without any social dwelling in any replicate and year say nothing: left out.
    empty = table.groupby(["niveau", "zone"])["logements"].transform(
        lambda v: (v.fillna(1) == 0).all()
    )
    return table[~empty.to_numpy(dtype=bool)].reset_index(drop=True)


def indices(ens: Ensemble, annee0: int) -> pd.DataFrame:
    """Territory-wide indices per year: median and band."""
    b = _bands(ens.indices)
    out = []
    for t in range(ens.indices.shape[1]):
        for j, name in enumerate(INDICES):
            out.append({"au_1er_janvier": annee0 + t, "indice": name, "libelle": LIBELLES_INDICES[name],
                        "mediane": b[1, t, j], "p05": b[0, t, j], "p95": b[2, t, j]})  # fmt: skip
    return pd.DataFrame(out)


def flux(ens: Ensemble, annee0: int) -> pd.DataFrame:
    """Yearly flows (median and band) and the stock accounting's largest gap over the
    replicates (0: households in = households out + change, every year)."""
    f = ens.flux.astype(float)
    b = _bands(f)
    gap = f[..., 0] + f[..., 1] - f[..., 2] - f[..., 3] - f[..., 4] - f[..., 5]
    out = pd.DataFrame({"annee": annee0 + np.arange(f.shape[1])})
    for j, name in enumerate(FLUX):
        out[name] = b[1, :, j]
        out[f"{name}_p05"] = b[0, :, j]
        out[f"{name}_p95"] = b[2, :, j]
    out["ecart_bilan_max"] = np.abs(gap).max(axis=0)
    return out


def objectifs(ens: Ensemble, annee0: int) -> pd.DataFrame:
    """Each policy objective per year: share of the year's allocations in its public
    (median and band) and the share of replicates in which the target is met."""
    cons = ens.scenario.politique.contraintes
    o = ens.objectifs.astype(float)  # (R, T, C, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = o[..., 1] / o[..., 0] * 100
    b = _bands(share)
    out = []
    for t in range(o.shape[1]):
        for j, c in enumerate(cons):
            met = share[:, t, j] >= c.cible * 100 if c.au_moins else share[:, t, j] <= c.cible * 100
            out.append({
                "annee": annee0 + t, "objectif": c.code, "libelle": c.libelle,
                "sens": "au moins" if c.au_moins else "au plus", "cible (%)": c.cible * 100,
                "attributions concernees": float(np.median(o[:, t, j, 0])),
                "part (%)": b[1, t, j], "part p05": b[0, t, j], "part p95": b[2, t, j],
                "replicats ou l'objectif est atteint (%)": float(np.mean(met) * 100),
            })  # fmt: skip
    return pd.DataFrame(out)


def rotation(ens: Ensemble, annee0: int) -> pd.DataFrame:
    """Fragile entrances per year: how many (median and band), how many were already
    fragile at the snapshot, and how many of those no longer are."""
    b = _bands(ens.rotation.astype(float))
    names = ("entrees_fragiles", "dont_fragiles_au_depart", "fragiles_au_depart_sorties")
    out = pd.DataFrame({"au_1er_janvier": annee0 + np.arange(ens.rotation.shape[1])})
    for j, name in enumerate(names):
        out[name] = b[1, :, j]
        out[f"{name}_p05"] = b[0, :, j]
        out[f"{name}_p95"] = b[2, :, j]
    return out


def comparer(ensembles: list[Ensemble], annee0: int) -> pd.DataFrame:
    """Each scenario's indices beside the first one's: the paired difference (same
    seeds) per year, median and band."""
    base = ensembles[0]
    out = []
    for e in ensembles:
        n = min(e.replicats, base.replicats)
        diff = e.indices[:n] - base.indices[:n]
        b, own = _bands(diff), _bands(e.indices)
        for t in range(e.indices.shape[1]):
            for j, name in enumerate(INDICES):
                out.append({"scenario": e.scenario.nom, "au_1er_janvier": annee0 + t, "indice": name,
                            "mediane": own[1, t, j], "p05": own[0, t, j], "p95": own[2, t, j],
                            f"ecart a « {base.scenario.nom} »": b[1, t, j],
                            "ecart p05": b[0, t, j], "ecart p95": b[2, t, j]})  # fmt: skip
    return pd.DataFrame(out)


#: The observatory's fragility components and the projected columns that measure them
#: on the social stock (housing benefit is not projected: that component is left out).
COMPOSANTES_PROJETEES = {
    "mediane_niveau_de_vie": "mediane_niveau_de_vie",
    "taux_pauvrete": "taux_pauvrete",
    "monoparentales": "part_monoparentales",
    "grandes_familles": "part_grandes_familles",
    "sans_actif_occupe": "part_sans_actif",
    "sous_40_plus": "part_sous_40_plus",
}


def fragilite(zones: pd.DataFrame, config: ConfigFragilite) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fragility index of every published IRIS at every date, computed on the
    projected medians with one normalisation and one set of class bounds for all dates
    (a class change is a change against the whole projection, not a re-ranking), and
    the transitions between the snapshot's class and the horizon's (number of IRIS)."""
    parts = tuple(
        dataclasses.replace(c, indicateur=COMPOSANTES_PROJETEES[c.indicateur])
        for c in config.composantes
        if c.indicateur in COMPOSANTES_PROJETEES
        and COMPOSANTES_PROJETEES[c.indicateur] in zones.columns
    )
    if not parts:
        raise ValueError("None of the fragility index's components is projected.")
    iris = zones[(zones["niveau"] == "IRIS") & zones["menages"].notna()]
    columns = [c.indicateur for c in parts]
    iris = iris.dropna(subset=columns, how="all").reset_index(drop=True)
    scored = indice_fragilite(iris[columns], dataclasses.replace(config, composantes=parts))
    out = iris[["zone", "au_1er_janvier"]].assign(score=scored["score"], classe=scored["classe"])
    first, last = out["au_1er_janvier"].min(), out["au_1er_janvier"].max()
    start = out[out["au_1er_janvier"] == first].set_index("zone")["classe"]
    end = out[out["au_1er_janvier"] == last].set_index("zone")["classe"]
    both = pd.concat([start.rename("avant"), end.rename("apres")], axis=1).dropna().astype(int)
    transitions = pd.crosstab(both["avant"], both["apres"])
    transitions.index = [f"classe {k} en {first}" for k in transitions.index]
    transitions.columns = [f"classe {k} en {last}" for k in transitions.columns]
    transitions = transitions.rename_axis("IRIS (1 : la plus fragile)").reset_index()
    return out, transitions


def entrees_du_bailleur(
    ens: Ensemble, parc: Parc, zones: Zones, bailleur: str, annee0: int
) -> pd.DataFrame:
    """Each collective entrance of ``bailleur`` in the snapshot: its watch status then,
    and the share of replicates in which it is fragile at each later date.
    Entrance-level figures: for the landlord only, like the watch itself."""
    if bailleur not in zones.bailleurs:
        raise ValueError(
            f"bailleur inconnu « {bailleur} » ; bailleurs : {', '.join(zones.bailleurs)}"
        )
    code = zones.bailleurs.index(bailleur)
    own = np.unique(parc.entree[parc.bailleur == code])
    own = own[ens.statut_initial[own] != STATUT_HORS_VEILLE]
    labels = {STATUT_OK: "ok", STATUT_VIGILANCE: "vigilance", STATUT_FRAGILE: "fragile"}
    out = pd.DataFrame({"entree": [zones.entrees[i] for i in own],
                        "statut au depart": [labels[int(s)] for s in ens.statut_initial[own]]})  # fmt: skip
    for t in range(1, ens.fragile_par_entree.shape[0]):
        share = ens.fragile_par_entree[t, own] / ens.replicats * 100
        out[f"fragile au 1er janvier {annee0 + t} (% des tirages)"] = share.round(1)
    return out


#: The observatory's indicator names for the projected columns (typologies read them).
INDICATEURS_PROJETES = {
    "sous_40_plus": "part_sous_40_plus",
    "taux_pauvrete": "taux_pauvrete",
    "sans_actif_occupe": "part_sans_actif",
    "monoparentales": "part_monoparentales",
    "grandes_familles": "part_grandes_familles",
    "reference_65_plus": "part_reference_65_plus",
}


def typologie(zones: pd.DataFrame, typo: Typologie) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each published IRIS' class of the typology at every date, and the transitions
    from the snapshot's class to the horizon's (number of IRIS). A typology whose rules
    read indicators that are not projected is refused (ValueError, in French)."""
    needed = {r.indicateur for a in typo.axes for r in a.regles}
    missing = sorted(needed - set(INDICATEURS_PROJETES))
    if missing:
        raise ValueError(
            f"typologie « {typo.nom} » : indicateur(s) non projeté(s) {', '.join(missing)} ; "
            f"indicateurs projetés : {', '.join(INDICATEURS_PROJETES)}"
        )
    iris = zones[(zones["niveau"] == "IRIS") & zones["menages"].notna()].reset_index(drop=True)
    frame = pd.DataFrame({k: iris[v] for k, v in INDICATEURS_PROJETES.items()})
    classes = classer(frame, typo)
    out = iris[["zone", "au_1er_janvier"]].assign(
        classe=classes["classe"], motifs=classes["motifs"]
    )
    first, last = out["au_1er_janvier"].min(), out["au_1er_janvier"].max()
    start = out[out["au_1er_janvier"] == first].set_index("zone")["classe"]
    end = out[out["au_1er_janvier"] == last].set_index("zone")["classe"]
    both = pd.concat([start.rename("avant"), end.rename("apres")], axis=1).dropna()
    order = [label for label, _ in typo.classes]
    table = pd.crosstab(both["avant"], both["apres"]).reindex(
        index=order, columns=order, fill_value=0
    )
    table.index = [f"{k} en {first}" for k in table.index]
    table.columns = [f"{k} en {last}" for k in table.columns]
    return out, table.rename_axis(f"IRIS ({typo.nom})").reset_index()
