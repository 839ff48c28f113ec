"""The snapshot a scenario starts from, read from the store: the social stock and its
occupants at the latest vintage, the applications open at its date, and the behaviour
estimated from the store's history (departures, radiations, new applications, the
observed pattern of allocations)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from mixite.core.plafonds import plafond_plus_des_menages, seuil_premier_quartile
from mixite.io import refdata
from mixite.io.store import Store
from mixite.scenarios import departs as dep
from mixite.scenarios.modele import (
    BIT_ACTIF,
    BIT_PRIO,
    BIT_Q1,
    BIT_SOUS40,
    N_PROFILS,
    Demande,
    Departs,
    Instantane,
    Menages,
    Parc,
    Scenario,
    Seuils,
    Zones,
)
from mixite.scenarios.politique import lissage

VARIABLES_VEILLE = ("part_sans_actif", "part_sous_40_plus", "part_monoparentales",
                    "enfants_par_logement")  # fmt: skip


def _codes(values: pd.Series, labels: tuple[str, ...]) -> np.ndarray:
    pos = {c: i for i, c in enumerate(labels)}
    return values.astype(str).map(pos).fillna(-1).to_numpy(dtype=np.int64)


def _menages(frame: pd.DataFrame, *, age: str, monoparental: pd.Series, prio: pd.Series) -> Menages:
    return Menages(
        personnes=frame["nb_personnes"].to_numpy(dtype=np.int64),
        adultes=frame["nb_adultes"].to_numpy(dtype=np.int64),
        enfants=frame["nb_enfants"].to_numpy(dtype=np.int64),
        moins_14=frame["nb_moins_14"].to_numpy(dtype=np.int64),
        age=frame[age].to_numpy(dtype=np.int64),
        ressources=frame["ressources_annuelles"].to_numpy(dtype=float),
        actifs=frame["nb_actifs_occupes"].to_numpy(dtype=np.int64),
        monoparental=monoparental.to_numpy(dtype=bool),
        prioritaire=prio.to_numpy(dtype=bool),
    )


def _filled(dwellings: pd.DataFrame, column: str) -> np.ndarray:
    """A money column in euros, a missing value taken as the median of the dwellings of
    the same financing and size (RPLS leaves some rents blank)."""
    values = pd.to_numeric(dwellings[column], errors="coerce").astype(float)
    group = (
        dwellings["financement"].astype(str)
        + "|"
        + dwellings["nb_pieces"].clip(upper=5).astype(str)
    )
    filled = values.fillna(values.groupby(group).transform("median")).fillna(values.median())
    return np.asarray(filled.fillna(0.0).to_numpy(dtype=float), dtype=float)


#: Bounds of the housing-cost classes (rent + charges, € a month) for affordability.
BORNES_COUT = (300.0, 400.0, 500.0, 650.0, 800.0)
#: Resources grid of the APL table (€ a year).
REVENUS_GRILLE = np.asarray(np.arange(0.0, 62_000.0, 2_000.0), dtype=np.float64)


def avec_abordabilite(inst: Instantane) -> Instantane:
    """The snapshot with its affordability table: OpenFisca-France's APL at each
    cost class's representative rent for every household size and resources on a grid
    (about 2 200 cases, a few seconds). The APL zone is that of the commune holding most
    social dwellings (on the MEL, 87 communes of 95 share it; the 8 others get an APL
    about 10 % higher than theirs)."""
    import dataclasses

    from mixite.commission.apl import estimer_apl
    from mixite.io.config import load_commission
    from mixite.scenarios.abordabilite import classe_de_cout
    from mixite.scenarios.modele import Abordabilite

    rules = load_commission(None)
    p = inst.parc
    bounds = np.array(BORNES_COUT)
    probe = Abordabilite(bounds, np.zeros(0), np.zeros(0), REVENUS_GRILLE, np.zeros(0))
    cost = p.loyer + p.charges
    cls = classe_de_cout(probe, cost)
    n_cls = len(bounds) + 1
    rents = np.array(
        [np.median(p.loyer[cls == k]) if (cls == k).any() else np.nan for k in range(n_cls)]
    )
    charges = np.array(
        [np.median(p.charges[cls == k]) if (cls == k).any() else np.nan for k in range(n_cls)]
    )
    rents = pd.Series(rents).interpolate(limit_direction="both").to_numpy()
    charges = pd.Series(charges).interpolate(limit_direction="both").to_numpy()
    commune = inst.zones.communes[int(np.bincount(p.commune).argmax())]
    rows = []
    for size in range(1, 7):
        for mono in (0, 1):
            adults = 1 if (mono or size == 1) else 2
            for income in REVENUS_GRILLE:
                for rent in rents:
                    rows.append((adults, size - adults, income, rent))
    cases = pd.DataFrame(
        rows, columns=["nb_adultes", "nb_enfants", "ressources_annuelles", "loyer"]
    )
    cases["age_reference"] = 40
    cases["code_commune"] = commune
    amounts = estimer_apl(cases, month=f"{inst.seuils.annee}-06")
    table = np.zeros((7, 2, len(REVENUS_GRILLE), n_cls))
    table[1:] = amounts.reshape(6, 2, len(REVENUS_GRILLE), n_cls)
    grid = Abordabilite(bounds, rents, charges, REVENUS_GRILLE, table,
                        rules.taux_effort_max, rules.reste_a_vivre_min)  # fmt: skip
    return dataclasses.replace(inst, abordabilite=grid)


def _seuils(year: int, epci: str, zone: int) -> Seuils:
    persons = np.arange(13)
    p = np.maximum(persons, 1)
    plafonds = refdata.plafonds_ressources()
    couple = plafond_plus_des_menages(plafonds, nb_personnes=p, nb_adultes=np.minimum(p, 2),
                                      nb_enfants=np.maximum(p - 2, 0), millesime=np.full(13, year),
                                      zone=zone)  # fmt: skip
    mono = plafond_plus_des_menages(plafonds, nb_personnes=p, nb_adultes=np.ones(13, dtype=int),
                                    nb_enfants=p - 1, millesime=np.full(13, year), zone=zone)  # fmt: skip
    q1 = seuil_premier_quartile(refdata.premier_quartile(), epci=epci, millesime=year)
    return Seuils(year, np.asarray(couple, dtype=float), np.asarray(mono, dtype=float), q1,
                  refdata.default_poverty_threshold(year))  # fmt: skip


def _applications(store: Store, debut: dt.date, fin: dt.date) -> pd.DataFrame:
    from mixite.io.commission import priorites_des_demandes

    d = store.query(
        "SELECT * FROM demandes WHERE date_depot <= ? AND (statut = 'active' OR date_sortie >= ?)",
        [fin, debut],
    ).reset_index(drop=True)
    prio, _, _ = priorites_des_demandes(d, debut)
    d["prioritaire"] = d["id_demande"].map(prio).fillna(False).astype(bool)
    return d


def _as_applicants(d: pd.DataFrame) -> Menages:
    mono = d["monoparental"].fillna((d["nb_adultes"] == 1) & (d["nb_enfants"] > 0)).astype(bool)
    return _menages(d, age="age_demandeur", monoparental=mono, prio=d["prioritaire"])


def instantane(
    store: Store, *, fin_estimation: dt.date | None = None, a_priori: float = 20.0
) -> tuple[Instantane, dep.Ajustement]:
    """The snapshot of the latest vintage (its date: 1 January of the vintage year) and
    the behaviour estimated from the store's history between that date and
    ``fin_estimation`` (default: the last allocation)."""
    from mixite.core.objectifs.publics import publics_des_attributions
    from mixite.io.publication import veille_des_entrees
    from mixite.io.queries import allocations_in_context

    dwellings = store.query(
        "SELECT l.id_logement, l.financement, l.nb_pieces, l.vacant, l.contingent, l.loyer_mensuel, "
        "l.charges_mensuelles, e.id_entree, "
        "b.id_batiment, b.code_iris, b.code_commune, b.code_qpv, b.code_bailleur, b.individuel "
        "FROM logements l JOIN entrees e ON e.id_entree = l.id_entree "
        "JOIN batiments b ON b.id_batiment = e.id_batiment ORDER BY l.id_logement"
    )
    vintage = int(store.query("SELECT max(millesime) AS m FROM menages")["m"].iloc[0])
    debut = dt.date(vintage, 1, 1)
    occupants = store.query(
        "SELECT * FROM menages WHERE millesime = ? AND id_logement IS NOT NULL", [vintage]
    ).drop_duplicates("id_logement")
    iris = store.query("SELECT code_iris, code_commune FROM iris ORDER BY code_iris")
    epci_row = store.query("SELECT code_epci FROM epci")
    epci = str(epci_row["code_epci"].iloc[0]) if len(epci_row) else ""
    dwellings["code_iris"] = dwellings["code_iris"].fillna(dwellings["code_commune"] + "0000")
    iris_labels = tuple(
        sorted(set(iris["code_iris"].astype(str)) | set(dwellings["code_iris"].astype(str)))
    )
    commune_labels = tuple(
        sorted(set(dwellings["code_commune"].astype(str)) | set(iris["code_commune"].astype(str)))
    )
    commune_of = dict(
        zip(iris["code_iris"].astype(str), iris["code_commune"].astype(str), strict=True)
    )
    territories = (
        store.query("SELECT code_commune, code_territoire FROM communes")
        if store.has_table("communes")
        else pd.DataFrame({"code_commune": [], "code_territoire": []})
    )
    territory_of = {
        str(c): str(t)
        for c, t in zip(territories["code_commune"], territories["code_territoire"], strict=True)
        if isinstance(t, str) and t
    }
    territory_labels = tuple(
        sorted({territory_of.get(c, "hors territoire") for c in commune_labels})
    )
    zones = Zones(
        entrees=tuple(sorted(dwellings["id_entree"].astype(str).unique())),
        batiments=tuple(sorted(dwellings["id_batiment"].astype(str).unique())),
        iris=iris_labels,
        communes=commune_labels,
        qpv=tuple(sorted(dwellings["code_qpv"].dropna().astype(str).unique())),
        bailleurs=tuple(sorted(dwellings["code_bailleur"].astype(str).unique())),
        contingents=("prefecture", "action_logement", "collectivite", "bailleur", "autre"),
        commune_de_l_iris=np.array(
            [commune_labels.index(commune_of.get(c, c[:5])) for c in iris_labels], dtype=np.int64
        ),
        territoires=territory_labels,
        territoire_de_la_commune=np.array(
            [
                territory_labels.index(territory_of.get(c, "hors territoire"))
                for c in commune_labels
            ],
            dtype=np.int64,
        ),
    )
    fin_class = dwellings["financement"].map({"PLAI": 0, "PLUS": 1}).fillna(2)
    parc = Parc(
        entree=_codes(dwellings["id_entree"], zones.entrees),
        batiment=_codes(dwellings["id_batiment"], zones.batiments),
        iris=_codes(dwellings["code_iris"], zones.iris),
        commune=_codes(dwellings["code_commune"], zones.communes),
        qpv=_codes(dwellings["code_qpv"].fillna(""), zones.qpv),
        bailleur=_codes(dwellings["code_bailleur"], zones.bailleurs),
        contingent=np.maximum(
            _codes(dwellings["contingent"].fillna("bailleur"), zones.contingents), 0
        ),
        financement=np.asarray(fin_class.to_numpy(dtype=np.int64), dtype=np.int64),
        pieces=dwellings["nb_pieces"].to_numpy(dtype=np.int64),
        collectif=~dwellings["individuel"].fillna(False).to_numpy(dtype=bool),
        loyer=_filled(dwellings, "loyer_mensuel"),
        charges=_filled(dwellings, "charges_mensuelles"),
    )
    position = pd.Series(np.arange(len(dwellings)), index=dwellings["id_logement"].astype(str))
    occupant = np.full(len(dwellings), -1, dtype=np.int64)
    occupants = occupants[occupants["id_logement"].astype(str).isin(position.index)].reset_index(
        drop=True
    )
    occupant[position[occupants["id_logement"].astype(str)].to_numpy()] = np.arange(len(occupants))
    people = _menages(
        occupants,
        age="age_reference",
        monoparental=occupants["type_menage"] == "monoparental",
        prio=pd.Series(np.zeros(len(occupants), dtype=bool)),
    )
    zone = 3
    seuils = _seuils(vintage, epci, zone)

    # History: allocations after the snapshot date, within the estimation window.
    made = allocations_in_context(store)
    made["date_cal"] = pd.to_datetime(made["date_cal"])
    last = made["date_cal"].max().date() if len(made) else debut
    fin = min(fin_estimation or last, last)
    window = made[
        (made["date_cal"] >= pd.Timestamp(debut)) & (made["date_cal"] <= pd.Timestamp(fin))
    ]
    years = max((fin - debut).days + 1, 1) / 365.25

    # Departures: an occupant leaves when its dwelling is next allocated.
    first = window.groupby("id_logement")["date_cal"].min()
    left_at = occupants["id_logement"].astype(str).map(first)
    gone = left_at.notna().to_numpy()
    days = np.where(gone, (left_at - pd.Timestamp(debut)).dt.days.fillna(0), (fin - debut).days + 1)
    ceiling = plafond_plus_des_menages(refdata.plafonds_ressources(), nb_personnes=occupants["nb_personnes"],
                                       nb_adultes=occupants["nb_adultes"], nb_enfants=occupants["nb_enfants"],
                                       millesime=np.full(len(occupants), vintage), zone=zone)  # fmt: skip
    rows = position[occupants["id_logement"].astype(str)].to_numpy()
    cells = dep.cellule(
        people.age,
        dep.type_menage(people.adultes, people.enfants, people.personnes),
        dep.tranche(people.ressources / np.asarray(ceiling, dtype=float)),
        parc.qpv[rows] >= 0,
    )
    fit = dep.estimer(cells, np.asarray(days, dtype=float) / 365.25, gone, a_priori=a_priori)

    # The demand: open at the snapshot date; radiations and new applications per year.
    apps = _applications(store, debut, fin)
    depot = pd.to_datetime(apps["date_depot"])
    sortie = pd.to_datetime(apps["date_sortie"])
    open_at_start = (depot <= pd.Timestamp(debut)) & (
        sortie.isna() | (sortie > pd.Timestamp(debut))
    )
    start = np.maximum(depot.to_numpy(), np.datetime64(debut))
    end = np.minimum(sortie.fillna(pd.Timestamp(fin)).to_numpy(), np.datetime64(fin))
    at_risk = float(np.clip((end - start) / np.timedelta64(1, "D"), 0, None).sum() / 365.25)
    radiated = (
        (apps["statut"] == "radiee")
        & (sortie >= pd.Timestamp(debut))
        & (sortie <= pd.Timestamp(fin))
    ).sum()
    radiation = 1 - float(np.exp(-radiated / at_risk)) if at_risk > 0 else 0.0
    new = apps[(depot > pd.Timestamp(debut)) & (depot <= pd.Timestamp(fin))]
    if new.empty:
        raise ValueError(
            "No application filed after the snapshot date: the store has no demand history."
        )
    demande = Demande(radiation, len(new) / years, _as_applicants(new.reset_index(drop=True)))
    pool = _as_applicants(apps[open_at_start.to_numpy()].reset_index(drop=True))

    # The observed pattern: newcomers' profiles per (landlord, QPV, contingent).
    charter_epci = epci or "200093201"
    pub = publics_des_attributions(window.assign(date_cal=window["date_cal"].dt.date),
                                   refdata.plafonds_ressources(), refdata.premier_quartile(),
                                   epci=charter_epci, zone=zone)  # fmt: skip
    bits = (pub["premier_quartile"] * BIT_Q1 + pub["prioritaire"] * BIT_PRIO
            + pub["sous_40_plus"] * BIT_SOUS40 + pub["actif_occupe"] * BIT_ACTIF).to_numpy(dtype=np.int64)  # fmt: skip
    nb, nc = len(zones.bailleurs), len(zones.contingents)
    landlord = _codes(pub["code_bailleur"], zones.bailleurs)
    contingent = np.maximum(_codes(pub["contingent"], zones.contingents), 0)
    qpv = pub["en_qpv"].fillna(False).to_numpy(dtype=np.int64)
    ok = landlord >= 0
    counts = np.zeros((nb, 2, nc, N_PROFILS))
    np.add.at(counts, (landlord[ok], qpv[ok], contingent[ok], bits[ok]), 1.0)
    overall = counts.sum(axis=(0, 1, 2))
    overall = overall / max(overall.sum(), 1.0)
    by_cell = lissage(counts.sum(axis=2), np.broadcast_to(overall, (nb, 2, N_PROFILS)))
    profils = lissage(counts, np.broadcast_to(by_cell[:, :, None, :], counts.shape))

    veille = veille_des_entrees(store)
    by_code = {v.code: v for v in veille.variables}
    low = np.array([by_code[c].seuil for c in VARIABLES_VEILLE])
    high = np.array([by_code[c].seuil + by_code[c].marge for c in VARIABLES_VEILLE])
    from mixite.io.config import load_watch

    _, fragile_des, vigilance_marges = load_watch(None)
    inst = Instantane(
        parc=parc,
        zones=zones,
        occupant=occupant,
        occupants=people,
        demandeurs=pool,
        seuils=seuils,
        departs=Departs(fit.probabilite),
        demande=demande,
        profils_observes=profils,
        veille_haut=np.broadcast_to(high, (nb, 4)).copy(),
        veille_bas=np.broadcast_to(low, (nb, 4)).copy(),
        fragile_des=fragile_des,
        vigilance_marges=vigilance_marges,
    )
    return inst, fit


def resoudre(scenario: Scenario, store: Store) -> Scenario:
    """The programme's references made concrete against the store: a demolition by QPV
    takes its oldest buildings (year of entry into service, then identifier) until the
    dwellings asked for are reached; a construction by commune goes to the commune's
    IRIS holding the fewest social dwellings; a construction by QPV (rebuilt on site)
    to the IRIS holding most of the QPV's dwellings."""
    import dataclasses

    prog = scenario.programme
    if not any(d.qpv for d in prog.demolitions) and all(c.iris for c in prog.constructions):
        return scenario
    b = store.query(
        "SELECT b.id_batiment, b.code_qpv, b.code_iris, b.code_commune, b.annee_mise_en_service, "
        "count(l.id_logement) AS logements FROM batiments b JOIN entrees e ON e.id_batiment = "
        "b.id_batiment JOIN logements l ON l.id_entree = e.id_entree GROUP BY b.id_batiment, "
        "b.code_qpv, b.code_iris, b.code_commune, b.annee_mise_en_service"
    )
    demolitions = []
    for d in prog.demolitions:
        if not d.qpv:
            demolitions.append(d)
            continue
        inside = b[b["code_qpv"].astype(str) == d.qpv].sort_values(
            ["annee_mise_en_service", "id_batiment"]
        )
        if inside.empty:
            raise ValueError(f"Demolition in QPV {d.qpv!r}: the store has no building in it.")
        upto = int(np.searchsorted(inside["logements"].cumsum().to_numpy(), d.logements) + 1)
        chosen = tuple(inside["id_batiment"].astype(str).iloc[:upto])
        demolitions.append(dataclasses.replace(d, batiments=chosen))
    constructions = []
    for c in prog.constructions:
        if c.iris:
            constructions.append(c)
            continue
        if c.qpv:
            part = b[b["code_qpv"].astype(str) == c.qpv]
            iris = part.groupby("code_iris")["logements"].sum().sort_values(ascending=False)
        else:
            all_iris = store.query("SELECT code_iris FROM iris WHERE code_commune = ?", [c.commune])
            stock = (
                b[b["code_commune"].astype(str) == c.commune]
                .groupby("code_iris")["logements"]
                .sum()
            )
            iris = stock.reindex(all_iris["code_iris"].astype(str), fill_value=0).sort_values(
                kind="stable"
            )
        if iris.empty:
            raise ValueError(f"Construction in {c.qpv or c.commune!r}: no IRIS found in the store.")
        constructions.append(dataclasses.replace(c, iris=str(iris.index[0])))
    programme = dataclasses.replace(
        prog, demolitions=tuple(demolitions), constructions=tuple(constructions)
    )
    return dataclasses.replace(scenario, programme=programme)


def tableaux(
    ensembles: list[Any],
    inst: Instantane,
    fit: dep.Ajustement,
    bailleur: str | None = None,
    typologie: str = "pecquencourt",
) -> dict[str, pd.DataFrame]:
    """The sheets written for one scenario or several side by side; with ``bailleur``,
    its entrances one by one (restricted to that landlord); the IRIS classed by
    ``typologie`` (a preset or a file) at every date."""
    from mixite.scenarios import synthese

    annee0 = inst.seuils.annee
    sheets: dict[str, list[pd.DataFrame]] = {}
    from mixite.io.config import load_fragility, load_typology

    config = load_fragility(None)
    typo = load_typology(typologie)
    for e in ensembles:
        published = synthese.zones_publiees(e, inst.zones, annee0)
        classes, transitions = synthese.fragilite(published, config)
        kinds, moves = synthese.typologie(published, typo)
        for name, frame in (
            ("indicateurs", published),
            ("fragilite des IRIS", classes),
            ("transitions de fragilite", transitions),
            ("typologie des IRIS", kinds),
            ("transitions de typologie", moves),
            ("indices", synthese.indices(e, annee0)),
            ("objectifs", synthese.objectifs(e, annee0)),
            ("flux", synthese.flux(e, annee0)),
            ("entrees fragiles", synthese.rotation(e, annee0)),
        ):
            sheets.setdefault(name, []).append(frame.assign(scenario=e.scenario.nom))
    out = {k: pd.concat(v, ignore_index=True) for k, v in sheets.items()}
    out = {k: v[["scenario", *[c for c in v.columns if c != "scenario"]]] for k, v in out.items()}
    if len(ensembles) > 1:
        out["comparaison"] = synthese.comparer(ensembles, annee0)
    if bailleur is not None:
        out["entrees du bailleur"] = pd.concat(
            [synthese.entrees_du_bailleur(e, inst.parc, inst.zones, bailleur, annee0)
             .assign(scenario=e.scenario.nom) for e in ensembles],
            ignore_index=True,
        )  # fmt: skip
    stat, df, pvalue = fit.rapport_de_vraisemblance
    out["departs (modele)"] = fit.cellules
    out["departs (calibration)"] = fit.calibration.assign(
        test=f"rapport de vraisemblance {stat:.1f} pour {df} ddl, p = {pvalue:.3g}"
    )
    return out


def backtest(
    store: Store,
    *,
    fin_estimation: dt.date = dt.date(2025, 12, 31),
    replicats: int = 200,
    dask_client: Any | None = None,
) -> tuple[pd.DataFrame, float]:
    """Fit on the history up to ``fin_estimation``, project the status quo to the
    following year, and set each landlord's observed allocations of that year beside
    the projection's 90 % band. Returns the table and the coverage (share of observed
    figures inside their band). Counts of a partly observed year are scaled to a full
    year."""
    from mixite.core.objectifs.publics import publics_des_attributions
    from mixite.io.queries import allocations_in_context
    from mixite.scenarios.modele import Scenario as _Scenario
    from mixite.scenarios.monte_carlo import lancer
    from mixite.scenarios.moteur import ATTRIBUTIONS
    from mixite.scenarios.synthese import QUANTILES

    inst, _ = instantane(store, fin_estimation=fin_estimation)
    year = fin_estimation.year + 1
    horizon = year - inst.seuils.annee + 1
    if horizon < 1:
        raise ValueError(f"The estimation must end after the snapshot ({inst.seuils.annee}).")
    scenario = _Scenario(f"statu quo, estimé jusqu'au {fin_estimation:%d/%m/%Y}", horizon=horizon,
                         replicats=replicats)  # fmt: skip
    ens = lancer(inst, scenario, dask_client=dask_client)
    made = allocations_in_context(store)
    dates = pd.to_datetime(made["date_cal"])
    made = made[(dates.dt.year == year).to_numpy()]
    if made.empty:
        raise ValueError(
            f"No allocation observed in {year}: nothing to compare the projection with."
        )
    seen = pd.to_datetime(made["date_cal"])
    fraction = ((seen.max() - pd.Timestamp(year, 1, 1)).days + 1) / (366 if year % 4 == 0 else 365)
    pub = publics_des_attributions(made.assign(date_cal=seen.dt.date), refdata.plafonds_ressources(),
                                   refdata.premier_quartile(), epci="200093201", zone=3)  # fmt: skip
    landlords = list(inst.zones.bailleurs)
    sim = ens.par_bailleur[:, horizon - 1].astype(float)  # (R, landlords, ATTRIBUTIONS)
    sim = np.concatenate([sim, sim.sum(axis=1, keepdims=True)], axis=1)
    rows = []
    columns = {"premier_quartile": "premier_quartile", "sous_40_plus": "sous_40_plus",
               "prioritaires": "prioritaire", "en_qpv": "en_qpv"}  # fmt: skip
    for k, landlord in enumerate([*landlords, "ensemble"]):
        part = pub if landlord == "ensemble" else pub[pub["code_bailleur"].astype(str) == landlord]
        n = len(part)
        total = sim[:, k, 0]
        figures = [("attributions (sur l'année)", n / fraction, total)]
        for name, column in columns.items():
            j = ATTRIBUTIONS.index(name)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = sim[:, k, j] / total * 100
            observed = float(part[column].fillna(False).astype(bool).mean() * 100) if n else np.nan
            figures.append((f"part {name.replace('_', ' ')} (%)", observed, share))
        for label, observed, values in figures:
            low, mid, high = np.nanquantile(values, QUANTILES)
            rows.append({"bailleur": landlord, "mesure": label, "observe": observed, "mediane": mid,
                         "p05": low, "p95": high, "dans la bande": bool(low <= observed <= high)})  # fmt: skip
    table = pd.DataFrame(rows)
    table.attrs["annee"] = year
    table.attrs["fraction_observee"] = fraction
    return table, float(table["dans la bande"].mean())


def verifier(scenario: Scenario, inst: Instantane) -> None:
    """Every code the programme names exists in the snapshot (ValueError in French
    naming each unknown one)."""
    z = inst.zones
    problems = []
    for d in scenario.programme.demolitions:
        unknown = sorted(set(d.batiments) - set(z.batiments))
        if unknown:
            problems.append(
                f"démolition {d.annee} : bâtiment(s) inconnu(s) {', '.join(unknown[:5])}"
            )
    for c in scenario.programme.constructions:
        if c.iris not in z.iris:
            problems.append(f"construction {c.annee} : IRIS inconnu « {c.iris} »")
        if c.bailleur not in z.bailleurs:
            problems.append(
                f"construction {c.annee} : bailleur inconnu « {c.bailleur} » ; bailleurs : {', '.join(z.bailleurs)}"
            )
        if c.qpv and c.qpv not in z.qpv:
            problems.append(f"construction {c.annee} : QPV inconnu « {c.qpv} »")
    for h in scenario.programme.loyers:
        if h.bailleur and h.bailleur not in z.bailleurs:
            problems.append(f"hausse de loyer {h.annee} : bailleur inconnu « {h.bailleur} »")
    for v in scenario.programme.ventes:
        if v.bailleur not in z.bailleurs:
            problems.append(
                f"vente {v.annee} : bailleur inconnu « {v.bailleur} » ; bailleurs : {', '.join(z.bailleurs)}"
            )
    first, last = inst.seuils.annee, inst.seuils.annee + scenario.horizon - 1
    for kind, items in (("démolition", scenario.programme.demolitions),
                        ("construction", scenario.programme.constructions),
                        ("vente", scenario.programme.ventes),
                        ("hausse de loyer", scenario.programme.loyers)):  # fmt: skip
        for item in items:
            if not first <= item.annee <= last:
                problems.append(
                    f"{kind} en {item.annee} : hors de la projection ({first} à {last})"
                )
    if problems:
        raise ValueError(f"scénario « {scenario.nom} » : " + " ; ".join(problems) + ".")
