"""Build the whole twin: :func:`build_twin` returns every table and the calibration report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mixite.core.model import TABLES_BY_NAME, oecd_consumption_units
from mixite.core.plafonds import revalorisation_plus
from mixite.twin import commission, economy, flows, geography, income, population, stock
from mixite.twin.calibration import CalibrationReport, calibration_report
from mixite.twin.params import TwinParameters
from mixite.twin.sources import MelSources

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Twin:
    """The twin's tables (store table name → frame) and its calibration report."""

    tables: dict[str, pd.DataFrame]
    report: CalibrationReport
    params: TwinParameters


def _noop(_: str) -> None:
    return None


def build_twin(
    sources: MelSources,
    plafonds: pd.DataFrame,
    quartiles: pd.DataFrame,
    params: TwinParameters | None = None,
    *,
    progress: Progress = _noop,
) -> Twin:
    """Generate the twin of the MEL from the real sources, deterministically from the seed."""
    p = params or TwinParameters()
    rng = np.random.default_rng(p.seed)
    communes = sources.communes
    names = communes.set_index("insee_code")["name"]

    progress("ménages")
    targets = population.iris_targets(sources.iris, sources.filosofi, communes, p)
    counts = population.scaled_counts(targets, p.scale)
    hh = population.households(targets, counts, p, rng)
    hh["social"] = population.choose_social(hh, counts, rng)

    progress("IRIS")
    polygons = {code: geography.to_l93(g) for code, g in sources.polygons.items()}
    iris_polygons: dict[str, BaseGeometry] = {}
    for code, group in targets.groupby("code_commune", sort=True):
        iris_polygons.update(
            geography.split_commune(
                polygons[str(code)],
                list(group["code_iris"]),
                group["menages"].to_numpy(dtype=float),
                rng,
            )
        )

    progress("parc social")
    occupied = hh.groupby("code_iris")["social"].sum()
    buildings, entrances, dwellings = stock.build_stock(occupied, iris_polygons, p, rng)
    d_iris = (
        buildings["code_iris"].to_numpy()[dwellings["building_index"].to_numpy()].astype(object)
    )
    d_ind = buildings["individuel"].to_numpy()[dwellings["building_index"].to_numpy()]
    social_idx = np.flatnonzero(hh["social"].to_numpy())
    pairing = stock.pair_households(
        d_iris, d_ind, hh["code_iris"].to_numpy()[social_idx].astype(object),
        hh["nb_personnes"].to_numpy()[social_idx], rng,
    )  # fmt: skip
    hh["dwelling_index"] = -1
    hh.loc[social_idx, "dwelling_index"] = pairing
    occupant_size = np.zeros(len(dwellings), dtype=np.int64)
    occupant_size[pairing] = hh["nb_personnes"].to_numpy()[social_idx]
    dwellings = stock.furnish(dwellings, buildings, occupant_size, rng)

    progress("QPV")
    filo = income.complete_deciles(sources.filosofi)
    tp = filo.set_index("CODGEO")["TP6016"]
    scores = occupied * tp.reindex(occupied.index.str[:5]).fillna(tp.mean()).to_numpy()
    perimeters = geography.qpv_perimeters(buildings, scores, polygons, count=p.nb_qpv)
    qpv_codes = [f"QP0599{i + 1:02d}" for i in range(len(perimeters))]
    buildings["code_qpv"] = pd.array([None] * len(buildings), dtype="string")
    for code, (_, shape) in zip(qpv_codes, perimeters, strict=True):
        inside = shapely.contains_xy(shape, buildings["x"].to_numpy(), buildings["y"].to_numpy())
        buildings.loc[inside & buildings["code_qpv"].isna().to_numpy(), "code_qpv"] = code

    progress("localisation")
    x = np.empty(len(hh))
    y = np.empty(len(hh))
    b_of = dwellings["building_index"].to_numpy()
    x[social_idx] = buildings["x"].to_numpy()[b_of[pairing]]
    y[social_idx] = buildings["y"].to_numpy()[b_of[pairing]]
    private = np.flatnonzero(~hh["social"].to_numpy())
    private_iris = hh["code_iris"].to_numpy()[private].astype(str)
    for code in np.unique(private_iris):
        idx = private[private_iris == code]
        pts = geography.random_points(iris_polygons[str(code)], len(idx), rng)
        x[idx] = pts[:, 0]
        y[idx] = pts[:, 1]
    cells, cell_e, cell_n = geography.cell_ids(x, y)
    hh["idcar_200m"] = cells
    in_qpv = np.zeros(len(hh), dtype=bool)
    in_qpv[social_idx] = buildings["code_qpv"].notna().to_numpy()[b_of[pairing]]

    progress("revenus")
    iris_effect = rng.normal(0, 0.45, len(counts))[hh["iris_index"].to_numpy()]
    types = hh["type_menage"].to_numpy()
    latent = (
        rng.normal(0, 1, len(hh))
        - 1.1 * hh["social"].to_numpy()
        - 0.7 * in_qpv
        - 0.5 * (types == "monoparental")
        + 0.3 * (types == "couple_sans_enfant")
        + iris_effect
    )
    knots = {
        str(code): income.knots(med, d1, d9, tp, sources.poverty_threshold)
        for code, med, d1, d9, tp in zip(
            filo["CODGEO"],
            filo["MED16"].to_numpy(dtype=float),
            filo["D1"].to_numpy(dtype=float),
            filo["D9"].to_numpy(dtype=float),
            filo["TP6016"].to_numpy(dtype=float),
            strict=True,
        )
    }
    hh["niveau_de_vie_2016"] = income.assign(
        hh["code_commune"].to_numpy().astype(str), hh["nb_personnes"].to_numpy(), latent, knots
    )
    uc = oecd_consumption_units(hh["nb_personnes"], hh["nb_moins_14"])
    uprate = revalorisation_plus(plafonds, depuis=2016, vers=p.debut.year, zone=p.zone_plafonds)
    resources = np.rint(hh["niveau_de_vie_2016"].to_numpy() * uc * uprate * 100).astype(np.int64)
    med = filo.set_index("CODGEO")["MED16"].reindex(hh["code_commune"]).to_numpy()
    employed = economy.employed_members(
        hh["nb_adultes"].to_numpy(),
        hh["age_reference"].to_numpy(),
        hh["niveau_de_vie_2016"].to_numpy() / med,
        rng,
    )
    rank = pd.Series(hh["niveau_de_vie_2016"]).groupby(hh["code_commune"]).rank(pct=True).to_numpy()
    owner = economy.logistic(
        -0.4 + 3.2 * (rank - 0.5) + 0.04 * (hh["age_reference"].to_numpy() - 45)
    )
    draw = rng.random(len(hh))
    tenure = np.where(
        draw < owner,
        "proprietaire",
        np.where(draw < owner + 0.012, "loge_gratuit", "locataire_prive"),
    )
    tenure = np.where(hh["social"].to_numpy(), "locataire_social", tenure).astype(object)
    rent = np.zeros(len(hh), dtype=np.int64)
    rent[social_idx] = dwellings["loyer_mensuel"].to_numpy()[pairing]
    private_tenant = tenure == "locataire_prive"
    rent[private_tenant] = np.rint(rng.normal(620, 140, int(private_tenant.sum())) * 100).astype(
        np.int64
    )
    apl = economy.housing_benefit_monthly(rent, hh["nb_personnes"].to_numpy(), resources // 12) * 12
    apl = np.where(np.isin(tenure, ("locataire_social", "locataire_prive")), apl, 0)

    menages = pd.DataFrame(
        {
            "id_menage": [f"MEN-{i:07d}" for i in range(len(hh))],
            "millesime": p.debut.year,
            "code_commune": hh["code_commune"].to_numpy(),
            "code_iris": hh["code_iris"].to_numpy(),
            "idcar_200m": cells,
            "statut_occupation": tenure,
            "id_logement": pd.array([None] * len(hh), dtype="string"),
            "type_menage": types,
            "age_reference": hh["age_reference"].to_numpy(),
            "nb_personnes": hh["nb_personnes"].to_numpy(),
            "nb_adultes": hh["nb_adultes"].to_numpy(),
            "nb_enfants": hh["nb_enfants"].to_numpy(),
            "nb_moins_14": hh["nb_moins_14"].to_numpy(),
            "unites_consommation": uc,
            "nb_actifs_occupes": employed,
            "ressources_annuelles": resources,
            "apl_annuelle": apl,
        }
    )
    menages.loc[social_idx, "id_logement"] = dwellings["id_logement"].to_numpy()[pairing]

    progress("demandes et attributions")
    weights = hh.groupby("code_commune").size()
    demandes, attributions = flows.applications_and_allocations(
        dwellings, buildings, quartiles, plafonds, weights, p, rng
    )

    progress("relogement")
    from mixite.twin.dossiers import dossiers
    from mixite.twin.relocation import relocations

    qpv_frame = pd.DataFrame(
        {
            "code_qpv": qpv_codes,
            "code_commune": [code[:5] for code, _ in perimeters],
        }
    )
    social_hh = menages.iloc[social_idx].copy()
    operations, relogements, reloc_alloc = relocations(
        social_hh, dwellings, buildings, qpv_frame, p, rng
    )
    start = len(attributions)
    reloc_alloc.insert(
        0, "id_attribution", [f"ATT-{start + i:07d}" for i in range(len(reloc_alloc))]
    )
    reloc_alloc["id_commission"] = [
        f"CAL-{b}-{d:%Y-%m}"
        for b, d in zip(reloc_alloc["code_bailleur"], reloc_alloc["date_cal"], strict=True)
    ]
    reloc_alloc["id_demande"] = None
    reloc_alloc["contingent"] = "bailleur"
    reloc_alloc["prioritaire"] = False
    reloc_alloc["relogement_renouvellement"] = True
    reloc_alloc["decision"] = "attribution"
    reloc_alloc["suite"] = "bail_signe"
    reloc_alloc = reloc_alloc[reloc_alloc["date_cal"] >= p.debut]
    attributions = pd.concat([attributions, reloc_alloc[attributions.columns]], ignore_index=True)

    progress("territoires et carreaux")
    decision_rng = commission.seed_of(p)
    buildings_out = buildings[["id_batiment", "individuel"]]
    tables = _territories(sources, targets, iris_polygons, perimeters, qpv_codes, names, p)
    carreaux = (
        pd.DataFrame(
            {
                "idcar_200m": cells,
                "x": cell_e,
                "y": cell_n,
                "code_commune": hh["code_commune"].to_numpy(),
            }
        )
        .groupby("idcar_200m")
        .agg(
            x=("x", "first"),
            y=("y", "first"),
            lcog_geo=("code_commune", lambda s: "".join(sorted(set(s)))),
        )
        .reset_index()
    )
    tables.update(
        {
            "carreaux": carreaux,
            "bailleurs": stock.landlords(),
            "batiments": buildings[
                [
                    "id_batiment",
                    "code_bailleur",
                    "code_commune",
                    "code_iris",
                    "code_qpv",
                    "x",
                    "y",
                    "individuel",
                    "annee_mise_en_service",
                ]
            ],
            "entrees": entrances,
            "logements": commission.enrich_dwellings(
                dwellings[
                    [
                        "id_logement",
                        "id_entree",
                        "financement",
                        "nb_pieces",
                        "surface",
                        "loyer_mensuel",
                        "charges_mensuelles",
                        "vacant",
                    ]
                ],
                entrances,
                buildings_out,
                attributions,
                decision_rng,
            ),
            "menages": menages,
            "demandes": commission.enrich_applications(demandes, p, decision_rng),
            "attributions": attributions,
            "operations": operations,
            "relogements": relogements,
        }
    )
    # The relocation files (a generator of their own: the rest is drawn as before).
    social_stock = (
        tables["logements"]
        .merge(entrances[["id_entree", "id_batiment"]], on="id_entree", how="left")
        .merge(buildings[["id_batiment", "code_commune"]], on="id_batiment", how="left")
    )
    tables.update(
        dossiers(
            relogements, social_stock, operations.set_index("code_operation")["code_commune"], p
        )
    )
    for name, frame in tables.items():
        frame = frame.copy()
        for col in frame.columns:
            if col.startswith("date") and frame[col].dtype == object:
                frame[col] = pd.to_datetime(pd.Series(frame[col]), errors="coerce").astype(
                    "datetime64[s]"
                )
        frame["synthetique"] = True
        for c in TABLES_BY_NAME[name].columns:  # optional fields the twin does not draw
            if c.name not in frame.columns and not c.required:
                frame[c.name] = pd.NA
        tables[name] = frame[list(TABLES_BY_NAME[name].column_names)].reset_index(drop=True)

    progress("calibration")
    report = calibration_report(
        hh.assign(code_iris=hh["code_iris"]),
        filo,
        names,
        counts,
        sources.poverty_threshold,
        p.scale,
    )
    return Twin(tables, report, p)


def _territories(
    sources: MelSources,
    targets: pd.DataFrame,
    iris_polygons: dict[str, BaseGeometry],
    perimeters: list[tuple[str, BaseGeometry]],
    qpv_codes: list[str],
    names: pd.Series,
    p: TwinParameters,
) -> dict[str, pd.DataFrame]:
    c = sources.communes
    wkb = shapely.to_wkb
    territories = (
        c[["mel_territory_code", "mel_territory"]]
        .drop_duplicates()
        .sort_values("mel_territory_code")
    )
    return {
        "epci": pd.DataFrame({"code_epci": [p.code_epci], "nom": [p.nom_epci]}),
        "territoires": pd.DataFrame(
            {
                "code_territoire": territories["mel_territory_code"].to_numpy(),
                "nom": territories["mel_territory"].to_numpy(),
                "code_epci": p.code_epci,
            }
        ),
        "communes": pd.DataFrame(
            {
                "code_commune": c["insee_code"].to_numpy(),
                "nom": c["name"].to_numpy(),
                "code_epci": p.code_epci,
                "code_territoire": c["mel_territory_code"].to_numpy(),
                "geometrie": [wkb(sources.polygons[k]) for k in c["insee_code"]],
            }
        ),
        "iris": pd.DataFrame(
            {
                "code_iris": targets["code_iris"].to_numpy(),
                "code_commune": targets["code_commune"].to_numpy(),
                "nom": [
                    f"IRIS synthétique {k[5:]} ({names.get(k[:5], '')})"
                    for k in targets["code_iris"]
                ],
                "type_iris": targets["type_iris"].to_numpy(),
                "geometrie": [
                    wkb(geography.to_wgs84(iris_polygons[k])) for k in targets["code_iris"]
                ],
            }
        ),
        "qpv": pd.DataFrame(
            {
                "code_qpv": qpv_codes,
                "nom": [
                    f"QPV synthétique n° {i + 1} ({names.get(iris[:5], '')})"
                    for i, (iris, _) in enumerate(perimeters)
                ],
                "code_commune": [iris[:5] for iris, _ in perimeters],
                "nom_commune": [names.get(iris[:5], "") for iris, _ in perimeters],
                "geometrie": [wkb(geography.to_wgs84(shape)) for _, shape in perimeters],
            }
        ),
    }
