"""One replicate of a scenario: the social stock stepped year by year.

Each year, in this order: households evolve (ageing, births, children leaving, income
drift, retirement); the programme acts (demolitions put their occupants on the
relocation list, sales take dwellings and occupants out of the social stock, new
dwellings arrive empty); occupants leave with the estimated hazard; the demand moves
(radiations, new applications); every vacancy is let, relocations first, then by the
policy; the state is measured. Stock accounting is checked every year: occupied at the
start + newcomers = occupied at the end + departures + relocated out + sold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from mixite.core.model import oecd_consumption_units
from mixite.indices._regions import single_region
from mixite.indices.singlegroup import dissimilarity, entropy
from mixite.plan.modele import ReglesPlan
from mixite.scenarios import departs as dep
from mixite.scenarios.modele import (
    BIT_ACTIF,
    BIT_PRIO,
    BIT_Q1,
    BIT_SOUS40,
    BORNES_TRANCHES,
    N_PROFILS,
    PLAFOND_RELATIF,
    TRANCHES,
    BoolArray,
    Contrainte,
    Evolution,
    FloatArray,
    Instantane,
    IntArray,
    Menages,
    Parc,
    Scenario,
    classe,
)
from mixite.scenarios.politique import projeter, restreindre_veille

#: What each zone's table counts, at each year's end.
MESURES: tuple[str, ...] = ("logements", "menages", "personnes", "sous_40_plus",
                            "premier_quartile", "sans_actif", "monoparentales",
                            "grandes_familles", "reference_65_plus", "menages_pauvres",
                            "personnes_pauvres")  # fmt: skip
#: Territory-wide indices, at each year's end.
INDICES: tuple[str, ...] = (
    "D_premier_quartile_iris",
    "H_premier_quartile_iris",
    "M_tranches_batiments",
    "M_entre_communes",
    "M_entre_iris_dans_communes",
    "M_entre_batiments_dans_iris",
    "part_q1_loges_en_qpv",
    "part_q1_parmi_menages_qpv",
)
#: Yearly flows (stock accounting).
FLUX: tuple[str, ...] = ("occupes_debut", "arrivees", "departs", "reloges_sortis", "vendus",
                         "occupes_fin", "logements_neufs", "logements_demolis",
                         "demandes_actives", "a_reloger_en_attente")  # fmt: skip
#: What is counted of each year's newcomers, by landlord.
ATTRIBUTIONS: tuple[str, ...] = ("attributions", "premier_quartile", "sous_40_plus",
                                 "prioritaires", "en_qpv", "relogements")  # fmt: skip
NIVEAUX: tuple[str, ...] = ("iris", "commune", "territoire", "qpv", "bailleur", "epci")
STATUT_OK, STATUT_VIGILANCE, STATUT_FRAGILE, STATUT_HORS_VEILLE = 0, 1, 2, 255


@dataclass(frozen=True)
class Prepare:
    """What a scenario derives once from the snapshot (shipped to every worker)."""

    parc: Parc
    actif_des: IntArray  # year from which a dwelling is in the stock (0: at the snapshot)
    demoli_en: IntArray  # year it is demolished (large: never)
    structurel: BoolArray  # vacant at the snapshot: structural vacancy, never let
    cle: IntArray  # row of ``tables`` for each dwelling
    tables: FloatArray  # policy's profile distribution per key
    tables_veille: FloatArray
    applicable: BoolArray  # (dwellings, constraints): which constraints count a dwelling
    n_entrees: int
    n_batiments: int
    n_zones: dict[str, int]
    ventes: tuple[tuple[int, int, int], ...]  # (year, landlord code, dwellings)
    hausses: tuple[tuple[int, int, float], ...]  # (year, landlord code or −1, factor)
    contraintes: tuple[Contrainte, ...]
    #: Each dwelling's (IRIS, QPV, landlord) cell, and each level's zones × cells matrix:
    #: a year is counted once per cell, then summed to every level.
    zone_jointe: IntArray
    iris_du_batiment: IntArray
    bailleur_de_l_entree: IntArray
    entree_collective: BoolArray
    vers_niveau: dict[str, sparse.csr_matrix]


@dataclass(frozen=True)
class Resultat:
    """One replicate's measures (year 0 is the snapshot)."""

    zones: dict[str, np.ndarray]  # level → (years + 1, zones, MESURES) int64
    #: level → (years + 1, zones): median standard of living (€ per UC, year's money).
    medianes: dict[str, np.ndarray]
    indices: FloatArray  # (years + 1, INDICES)
    statuts: np.ndarray  # (years + 1, entrances) uint8
    flux: np.ndarray  # (years, FLUX) int64
    objectifs: np.ndarray  # (years, constraints, 2): allocations in scope, in the public
    attributions: np.ndarray  # (years,) allocations made
    #: (years, landlords, ATTRIBUTIONS): the year's newcomers by landlord.
    par_bailleur: np.ndarray


def _pieces_classe(pieces: IntArray) -> IntArray:
    return np.clip(pieces, 1, 5).astype(np.int64) - 1


def preparer(inst: Instantane, scenario: Scenario) -> Prepare:
    """Extend the stock with the programme's new dwellings and compute the policy's
    distribution for every dwelling (raises ValueError on an unknown code)."""
    z, p = inst.zones, inst.parc
    n0 = len(p)
    prog = scenario.programme
    parts: dict[str, list[np.ndarray]] = {k: [getattr(p, k)] for k in Parc.__dataclass_fields__}
    actif_des = [np.zeros(n0, dtype=np.int64)]
    n_ent, n_bat = len(z.entrees), len(z.batiments)
    iris_pos = {c: i for i, c in enumerate(z.iris)}
    bailleur_pos = {c: i for i, c in enumerate(z.bailleurs)}
    contingent_bailleur = z.contingents.index("bailleur") if "bailleur" in z.contingents else 0
    for built in prog.constructions:
        if built.iris not in iris_pos:
            raise ValueError(f"Construction in IRIS {built.iris!r}: not an IRIS of the snapshot.")
        if built.bailleur not in bailleur_pos:
            raise ValueError(
                f"Construction by landlord {built.bailleur!r}: not a landlord of the snapshot."
            )
        n = built.logements
        k = iris_pos[built.iris]
        fin = np.repeat(np.arange(3), _largest_remainder(np.array(built.repartition), n))
        rooms = np.repeat(
            np.arange(1, len(built.pieces) + 1), _largest_remainder(np.array(built.pieces), n)
        )
        per_entrance = 20
        entrance = n_ent + np.arange(n) // per_entrance
        parts["entree"].append(entrance)
        parts["batiment"].append(n_bat + np.arange(n) // per_entrance)
        parts["iris"].append(np.full(n, k))
        parts["commune"].append(np.full(n, int(z.commune_de_l_iris[k])))
        if built.qpv and built.qpv not in z.qpv:
            raise ValueError(f"Construction in QPV {built.qpv!r}: not a QPV of the snapshot.")
        parts["qpv"].append(np.full(n, z.qpv.index(built.qpv) if built.qpv else -1))
        parts["bailleur"].append(np.full(n, bailleur_pos[built.bailleur]))
        parts["contingent"].append(np.full(n, contingent_bailleur))
        parts["financement"].append(fin)
        parts["pieces"].append(rooms)
        parts["collectif"].append(np.ones(n, dtype=bool))
        parts["loyer"].append(
            built.loyer_relatif
            * _median_by(
                p.loyer,
                p.financement * 5 + _pieces_classe(p.pieces),
                fin * 5 + _pieces_classe(rooms),
            )
        )
        parts["charges"].append(
            _median_by(p.charges, _pieces_classe(p.pieces), _pieces_classe(rooms))
        )
        actif_des.append(np.full(n, built.annee - inst.seuils.annee + 1))
        n_ent = int(entrance.max()) + 1 if n else n_ent
        n_bat = n_ent if n else n_bat
    parc = Parc(**{k: np.concatenate(v) for k, v in parts.items()})
    n = len(parc)
    demoli = np.full(n, 10**6, dtype=np.int64)
    bat_pos = {c: i for i, c in enumerate(z.batiments)}
    for d in prog.demolitions:
        unknown = [b for b in d.batiments if b not in bat_pos]
        if unknown:
            raise ValueError(
                f"Demolition of buildings {unknown[:5]}: not buildings of the snapshot."
            )
        codes = np.array([bat_pos[b] for b in d.batiments], dtype=np.int64)
        demoli[np.isin(parc.batiment, codes)] = d.annee - inst.seuils.annee + 1
    hausses = []
    for h in prog.loyers:
        if h.bailleur and h.bailleur not in bailleur_pos:
            raise ValueError(
                f"Rent rise for landlord {h.bailleur!r}: not a landlord of the snapshot."
            )
        hausses.append(
            (
                h.annee - inst.seuils.annee + 1,
                bailleur_pos[h.bailleur] if h.bailleur else -1,
                1 + h.hausse,
            )
        )
    ventes = []
    for v in prog.ventes:
        if v.bailleur not in bailleur_pos:
            raise ValueError(f"Sale by landlord {v.bailleur!r}: not a landlord of the snapshot.")
        ventes.append((v.annee - inst.seuils.annee + 1, bailleur_pos[v.bailleur], v.logements))
    structural = np.zeros(n, dtype=bool)
    structural[:n0] = inst.occupant < 0

    # The policy: one distribution per (cell, applicable constraints).
    cons = scenario.politique.contraintes
    applicable = np.ones((n, len(cons)), dtype=bool)
    for j, c in enumerate(cons):
        if c.qpv is not None:
            applicable[:, j] &= (parc.qpv >= 0) == c.qpv
        for values, codes, labels in ((c.communes, parc.commune, z.communes),
                                      (c.bailleurs, parc.bailleur, z.bailleurs),
                                      (c.contingents, parc.contingent, z.contingents)):  # fmt: skip
            if values:
                wanted = [i for i, lab in enumerate(labels) if lab in values]
                applicable[:, j] &= np.isin(codes, wanted)
    n_cont = len(z.contingents)
    cell = (parc.bailleur * 2 + (parc.qpv >= 0)) * n_cont + parc.contingent
    bits = (
        (applicable * (1 << np.arange(len(cons)))).sum(axis=1)
        if cons
        else np.zeros(n, dtype=np.int64)
    )
    key_full = cell * (1 << len(cons)) + bits
    keys, cle = np.unique(key_full, return_inverse=True)
    base = inst.profils_observes.reshape(-1, N_PROFILS)[keys >> len(cons)]
    tables = np.empty_like(base)
    for i, k in enumerate(keys):
        active = tuple(c for j, c in enumerate(cons) if (k >> j) & 1)
        tables[i] = projeter(base[i : i + 1], active)[0] if active else base[i]
    n_zones = {"iris": len(z.iris), "commune": len(z.communes), "territoire": len(z.territoires),
               "qpv": len(z.qpv) + 1, "bailleur": len(z.bailleurs), "epci": 1}  # fmt: skip
    territory_of = (
        z.territoire_de_la_commune
        if z.territoire_de_la_commune is not None
        else np.zeros(len(z.communes), dtype=np.int64)
    )
    qpv_zone = np.where(parc.qpv >= 0, parc.qpv, len(z.qpv))
    triple = np.stack([parc.iris, qpv_zone, parc.bailleur], axis=1)
    cells, joint = np.unique(triple, axis=0, return_inverse=True)
    of_cell = {
        "iris": cells[:, 0],
        "commune": z.commune_de_l_iris[cells[:, 0]],
        "territoire": territory_of[z.commune_de_l_iris[cells[:, 0]]],
        "qpv": cells[:, 1],
        "bailleur": cells[:, 2],
        "epci": np.zeros(len(cells), dtype=np.int64),
    }
    to_level = {
        level: sparse.csr_matrix(
            (np.ones(len(cells)), (code, np.arange(len(cells)))), shape=(n_zones[level], len(cells))
        )
        for level, code in of_cell.items()
    }
    iris_of_building = np.zeros(n_bat, dtype=np.int64)
    iris_of_building[parc.batiment] = parc.iris
    landlord_of_entrance = np.zeros(n_ent, dtype=np.int64)
    landlord_of_entrance[parc.entree] = parc.bailleur
    collective = np.zeros(n_ent, dtype=bool)
    collective[parc.entree] = parc.collectif
    return Prepare(
        zone_jointe=joint.ravel().astype(np.int64),
        iris_du_batiment=iris_of_building,
        bailleur_de_l_entree=landlord_of_entrance,
        entree_collective=collective,
        vers_niveau=to_level,
        parc=parc,
        actif_des=np.concatenate(actif_des),
        demoli_en=demoli,
        structurel=structural,
        cle=cle.astype(np.int64),
        tables=tables,
        tables_veille=restreindre_veille(tables),
        applicable=applicable,
        n_entrees=n_ent,
        n_batiments=n_bat,
        n_zones=n_zones,
        ventes=tuple(ventes),
        hausses=tuple(hausses),
        contraintes=cons,
    )


def _median_by(values: FloatArray, groups: IntArray, wanted: IntArray) -> FloatArray:
    """The median of ``values`` in each ``wanted`` group (the overall median for a group
    absent from ``groups``).

    >>> _median_by(np.array([1.0, 3.0, 10.0]), np.array([0, 0, 1]), np.array([0, 1, 2])).tolist()
    [2.0, 10.0, 3.0]
    """
    out = np.full(len(wanted), float(np.median(values)) if len(values) else 0.0)
    for g in np.unique(wanted):
        inside = values[groups == g]
        if len(inside):
            out[wanted == g] = float(np.median(inside))
    return out


def _largest_remainder(shares: FloatArray, n: int) -> IntArray:
    """``n`` split in proportion to ``shares`` (Hamilton's method).

    >>> _largest_remainder(np.array([0.3, 0.6, 0.1]), 7).tolist()
    [2, 4, 1]
    """
    raw = shares / shares.sum() * n
    out = np.floor(raw).astype(np.int64)
    rest = n - int(out.sum())
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return np.asarray(out, dtype=np.int64)


class _Etat:
    """The mutable state of one replicate."""

    def __init__(self, inst: Instantane, prep: Prepare) -> None:
        n = len(prep.parc)
        n0 = len(inst.parc)
        occupied = np.zeros(n, dtype=bool)
        occupied[:n0] = inst.occupant >= 0
        rows = np.where(inst.occupant >= 0, inst.occupant, 0)
        filler = inst.occupants.take(np.zeros(n - n0, dtype=np.int64)) if n > n0 else None
        occ = inst.occupants.take(rows)
        self.menages = Menages.concat([occ, filler]) if filler is not None else occ
        self.occupe = occupied
        self.demandeurs = inst.demandeurs.copy()
        self.reloger = np.zeros(len(self.demandeurs), dtype=bool)
        self.loge = np.zeros(len(self.demandeurs), dtype=bool)


def _ceiling(inst: Instantane, m: Menages, factor: float) -> FloatArray:
    persons = np.clip(m.personnes, 0, len(inst.seuils.plafond_plus) - 1)
    mono = (m.adultes == 1) & (m.enfants > 0)
    base = np.where(mono, inst.seuils.plafond_plus_mono[persons], inst.seuils.plafond_plus[persons])
    return np.asarray(base * factor, dtype=float)


def _profile(inst: Instantane, m: Menages, factor: float) -> tuple[IntArray, FloatArray]:
    """Profile bits and resources / PLUS ceiling of each household in year's money."""
    ceiling = _ceiling(inst, m, factor)
    ratio = m.ressources / ceiling
    uc = oecd_consumption_units(m.personnes, m.moins_14)
    q1 = m.ressources / np.asarray(uc, dtype=float) < inst.seuils.seuil_q1 * factor
    bits = (q1 * BIT_Q1 + m.prioritaire * BIT_PRIO + (ratio < 0.4) * BIT_SOUS40
            + (m.actifs >= 1) * BIT_ACTIF)  # fmt: skip
    return bits.astype(np.int64), ratio


def _evolve(m: Menages, ev: Evolution, rng: np.random.Generator) -> None:
    """A year of every row (whole-array operations: the few empty dwellings' rows are
    overwritten when a newcomer moves in)."""
    n = len(m)
    if not n:
        return
    m.age[:] += 1
    p_birth = np.where(m.adultes >= 2, ev.naissance_couple, ev.naissance_seul)
    born = np.flatnonzero(
        (m.age <= ev.age_max_naissance) & (rng.random(n, dtype=np.float32) < p_birth)
    )
    m.enfants[born] += 1
    m.moins_14[born] += 1
    m.personnes[born] += 1
    m.monoparental[born] = m.adultes[born] == 1
    kids = np.flatnonzero(m.enfants > 0)  # a minority: the draws below touch only them
    grow = rng.binomial(m.moins_14[kids], 1 / 14)
    m.moins_14[kids] -= grow
    leave = rng.binomial(m.enfants[kids] - m.moins_14[kids], ev.depart_enfant)
    m.enfants[kids] -= leave
    m.personnes[kids] -= leave
    m.monoparental[kids] &= m.enfants[kids] > 0
    m.actifs[m.age > ev.age_retraite] = 0
    s = ev.dispersion_revenus
    if s > 0 or ev.revalorisation:
        shock = rng.standard_normal(n, dtype=np.float32)
        shock *= np.float32(s)
        shock += np.float32(np.log1p(ev.revalorisation) - s * s / 2)
        m.ressources[:] *= np.exp(shock)


def n_small(wanted: BoolArray) -> type[np.integer]:
    """The narrowest integer type for the group codes: numpy sorts 16-bit keys by radix."""
    return np.int16 if len(wanted) < 2**15 else np.int64


def _assign(groups_v: IntArray, groups_a: IntArray) -> tuple[IntArray, IntArray]:
    """Match vacancies to applicants of the same group, each group's applicants taken in
    the order given (the caller shuffles them): returns matched (vacancy positions,
    applicant positions).

    Examples
    --------
    >>> v, a = _assign(np.array([1, 0, 1]), np.array([1, 1, 0, 2]))
    >>> v.tolist(), a.tolist()
    ([1, 0, 2], [2, 0, 1])
    """
    if not len(groups_v) or not len(groups_a):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    wanted = np.zeros(int(max(groups_v.max(), groups_a.max())) + 1, dtype=bool)
    wanted[groups_v] = True
    useful = np.flatnonzero(wanted[groups_a])
    small = n_small(wanted)
    order_a = useful[np.argsort(groups_a[useful].astype(small), kind="stable")]
    ga = groups_a[order_a]
    n_groups = len(wanted)
    count_a = np.bincount(ga, minlength=n_groups)
    start_a = np.r_[0, np.cumsum(count_a)[:-1]]
    order_v = np.argsort(groups_v.astype(small), kind="stable")
    gv = groups_v[order_v]
    count_v = np.bincount(gv, minlength=n_groups)
    start_v = np.r_[0, np.cumsum(count_v)[:-1]]
    within = np.arange(len(gv)) - start_v[gv]
    ok = within < count_a[gv]
    return order_v[ok], order_a[start_a[gv[ok]] + within[ok]]


def _statuts(
    inst: Instantane, prep: Prepare, o: IntArray, m: Menages, sous40: BoolArray
) -> np.ndarray:
    """Each entrance's watch status from its occupants (rows ``o`` of the dwellings,
    their households ``m``)."""
    e = prep.parc.entree[o]
    n = prep.n_entrees
    hh = np.bincount(e, minlength=n).astype(float)
    values = np.stack(
        [
            np.bincount(e[m.actifs == 0], minlength=n),
            np.bincount(e[sous40], minlength=n),
            np.bincount(e[m.monoparental & (m.enfants > 0)], minlength=n),
            np.bincount(e, weights=m.enfants, minlength=n),
        ],
        axis=1,
    ).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = values / hh[:, None]
    values[:, :3] *= 100
    landlord, collective = prep.bailleur_de_l_entree, prep.entree_collective
    high = inst.veille_haut[landlord]
    low = inst.veille_bas[landlord]
    over = (values > high).sum(axis=1)
    margin = ((values > low) & (values <= high)).sum(axis=1)
    status = np.where(
        over >= inst.fragile_des,
        STATUT_FRAGILE,
        np.where((over >= 1) | (margin >= inst.vigilance_marges), STATUT_VIGILANCE, STATUT_OK),
    ).astype(np.uint8)
    status[~collective | (hh == 0)] = STATUT_HORS_VEILLE
    return status


#: Standard-of-living histogram: log-spaced classes (snapshot money, € per UC and year)
#: whose persons give each zone's median within one class (4 %) of the exact weighted
#: median for zones of 50 households or more.
BORNES_NIVEAU_DE_VIE = np.geomspace(500.0, 80_000.0, 121)


def _medianes(
    prep: Prepare, cell: IntArray, niveau: FloatArray, personnes: FloatArray
) -> dict[str, FloatArray]:
    """Each zone's median standard of living weighted by persons, from a histogram per
    (IRIS, QPV, landlord) cell summed to every level, interpolated inside its class."""
    bounds = BORNES_NIVEAU_DE_VIE
    k = len(bounds) - 1
    # Log-spaced classes: the class is arithmetic on the logarithm (no binary search).
    step = np.log(bounds[1] / bounds[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.floor((np.log(np.maximum(niveau, 1e-9)) - np.log(bounds[0])) / step)
    b = np.clip(np.nan_to_num(raw, nan=0.0), 0, k - 1).astype(np.int64)
    n_cells = prep.vers_niveau["epci"].shape[1]
    hist = np.bincount(cell * k + b, weights=personnes, minlength=n_cells * k).reshape(n_cells, k)
    out = {}
    for level in NIVEAUX:
        h = np.asarray(prep.vers_niveau[level] @ hist)
        total = h.sum(axis=1)
        cum = np.cumsum(h, axis=1)
        half = total / 2
        j = np.minimum((cum < half[:, None]).sum(axis=1), k - 1)
        before = np.where(j > 0, cum[np.arange(len(j)), j - 1], 0.0)
        inside = h[np.arange(len(j)), j]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(inside > 0, (half - before) / inside, 0.5)
        low, high = np.log(bounds[j]), np.log(bounds[j + 1])
        out[level] = np.where(total > 0, np.exp(low + w * (high - low)), np.nan)
    return out


def _mesurer(
    inst: Instantane, prep: Prepare, st: _Etat, t: int, factor: float, sorti: IntArray
) -> tuple[dict[str, np.ndarray], FloatArray, np.ndarray, dict[str, FloatArray]]:
    p, everyone = prep.parc, st.menages
    in_stock = (prep.actif_des <= t) & (sorti > t)
    occ = st.occupe & in_stock
    cell = prep.zone_jointe
    n_cells = prep.vers_niveau["epci"].shape[1]
    o = np.flatnonzero(occ)
    m = everyone.take(o)  # the occupants only: every measure below is on them
    bits, ratio = _profile(inst, m, factor)
    co = cell[o]
    q1_o = (bits & BIT_Q1) > 0
    sous40_o = (bits & BIT_SOUS40) > 0
    uc = np.asarray(oecd_consumption_units(m.personnes, m.moins_14), dtype=float)
    niveau = m.ressources / uc
    poor = niveau < inst.seuils.seuil_pauvrete * factor
    flags = (
        sous40_o,
        q1_o,
        m.actifs == 0,
        m.monoparental & (m.enfants > 0),
        m.personnes >= 5,
        m.age >= 65,
        poor,
    )
    # Counts per (IRIS, QPV, landlord) cell: a flag's count is a bincount of the
    # cells of the households that have it (no weights, only the rows concerned).
    joint = np.stack(
        [
            np.bincount(cell[in_stock], minlength=n_cells),
            np.bincount(co, minlength=n_cells),
            np.bincount(co, weights=m.personnes, minlength=n_cells),
            *(np.bincount(co[f], minlength=n_cells) for f in flags),
            np.bincount(co[poor], weights=m.personnes[poor], minlength=n_cells),
        ],
        axis=1,
    ).astype(float)
    zones = {
        level: np.asarray(prep.vers_niveau[level] @ joint).round().astype(np.int64)
        for level in NIVEAUX
    }
    t_iris = zones["iris"][:, 1].astype(float)
    x_iris = zones["iris"][:, 4].astype(float)
    one = single_region(len(t_iris))
    with np.errstate(divide="ignore", invalid="ignore"):
        d = float(dissimilarity(x_iris, t_iris, one)[0])
        h = float(entropy(x_iris, t_iris, one)[0])
    n_b = len(TRANCHES)
    bracket = classe(ratio, BORNES_TRANCHES)
    # Buildings × brackets, then summed to IRIS and communes (buildings nest in both).
    by_building = np.bincount(p.batiment[o] * n_b + bracket, minlength=prep.n_batiments * n_b)
    k = np.tile(np.arange(n_b), prep.n_batiments)
    iris_of = np.repeat(prep.iris_du_batiment, n_b)
    by_iris = np.bincount(
        iris_of * n_b + k, weights=by_building, minlength=prep.n_zones["iris"] * n_b
    )
    commune_of = np.repeat(inst.zones.commune_de_l_iris, n_b)
    k_iris = np.tile(np.arange(n_b), prep.n_zones["iris"])
    by_commune = np.bincount(commune_of * n_b + k_iris, weights=by_iris,
                             minlength=prep.n_zones["commune"] * n_b)  # fmt: skip

    def m_of(flat: np.ndarray) -> float:
        """M = E(groups) − Σ_u (t_u / T) E(groups in u), in nats (the engine's
        ``mutual_information`` on one region, without its generality)."""
        tab = flat.reshape(-1, n_b).astype(float)
        total = tab.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            plogp = np.where(tab > 0, tab * np.log(tab), 0.0)
            rows = tab.sum(axis=1)
            cols = tab.sum(axis=0)
            within = plogp.sum() - np.where(rows > 0, rows * np.log(rows), 0.0).sum()
            overall = np.where(cols > 0, cols * np.log(cols), 0.0).sum() - total * np.log(total)
        return float((within - overall) / total) if total > 0 else float("nan")

    m_com, m_iris, m_bat = m_of(by_commune), m_of(by_iris), m_of(by_building)
    in_qpv = p.qpv[o] >= 0
    q1_total = float(q1_o.sum())
    q1_qpv = float((q1_o & in_qpv).sum())
    hh_qpv = float(in_qpv.sum())
    indices = np.array(
        [
            d,
            h,
            m_bat,
            m_com,
            m_iris - m_com,
            m_bat - m_iris,
            q1_qpv / q1_total if q1_total else np.nan,
            q1_qpv / hh_qpv if hh_qpv else np.nan,
        ]
    )
    medians = _medianes(prep, co, niveau / factor, m.personnes.astype(float))
    medians = {level: v * factor for level, v in medians.items()}  # in the year's money
    return zones, indices, _statuts(inst, prep, o, m, sous40_o), medians


class _Tirage:
    """One year's letting: vacancies and applicants in random order, who is still free,
    and who got what. The households to relocate are housed first, by size."""

    def __init__(
        self, prep: Prepare, st: _Etat, vacant: IntArray, rng: np.random.Generator
    ) -> None:
        self.vacant = vacant[rng.permutation(len(vacant))]
        self.order = rng.permutation(len(st.demandeurs))  # applicants, shuffled once
        self.dem = st.demandeurs.take(self.order)
        self.reloger = st.reloger[self.order]
        self.size_v = _pieces_classe(prep.parc.pieces[self.vacant])
        self.size_a = _pieces_classe(self.dem.personnes)
        self.free_v = np.ones(len(self.vacant), dtype=bool)
        self.free_a = ~st.loge[self.order]
        self.out_v: list[IntArray] = []
        self.out_a: list[IntArray] = []
        reloc = np.flatnonzero(self.reloger & self.free_a)
        if len(reloc):
            self.match(np.arange(len(self.vacant)), reloc, self.size_v, self.size_a[reloc])

    def match(self, vpos: IntArray, apos: IntArray, gv: IntArray, ga: IntArray) -> None:
        if not len(apos):
            return
        mv, ma = _assign(gv, ga)
        self.take(vpos[mv], apos[ma])

    def take(self, vpos: IntArray, apos: IntArray) -> None:
        self.free_v[vpos] = False
        self.free_a[apos] = False
        self.out_v.append(vpos)
        self.out_a.append(apos)

    def resultat(self) -> tuple[IntArray, IntArray]:
        if not self.out_v:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return self.vacant[np.concatenate(self.out_v)], self.order[np.concatenate(self.out_a)]


def _cout_reel(prep: Prepare, t: int) -> FloatArray:
    """Each dwelling's monthly rent + charges in year ``t``, in the snapshot's money
    (the yearly revaluation cancels out; the programme's rent rises do not)."""
    mult = np.ones(len(prep.parc))
    for year, landlord, factor in prep.hausses:
        if year <= t:
            mult[prep.parc.bailleur == landlord if landlord >= 0 else slice(None)] *= factor
    return np.asarray(prep.parc.loyer * mult + prep.parc.charges, dtype=float)


def _abordable(
    inst: Instantane, d: _Tirage, cout: FloatArray | None, factor: float
) -> tuple[IntArray, IntArray, int]:
    """Cost class of each vacancy and affordable class of each applicant (all 0 when
    affordability is not asked), and the number of classes."""
    g = inst.abordabilite
    if cout is None or g is None:
        return np.zeros(len(d.vacant), dtype=np.int64), np.zeros(len(d.dem), dtype=np.int64), 1
    from mixite.scenarios.abordabilite import classe_abordable, classe_de_cout

    return (
        classe_de_cout(g, cout[d.vacant]),
        classe_abordable(g, d.dem, d.dem.ressources / factor),
        len(g.loyer_type),
    )


def _allouer(
    inst: Instantane,
    prep: Prepare,
    st: _Etat,
    vacant: IntArray,
    status: np.ndarray,
    veille: bool,
    factor: float,
    rng: np.random.Generator,
    cout: FloatArray | None = None,
) -> tuple[IntArray, IntArray]:
    """Let ``vacant``: households to relocate first (by size), then the policy's
    newcomers, drawn from the demand by profile, size and financing ceiling, falling
    back on the bits the policy counts, then the size, when the demand holds nobody
    fitting. Vacancies and applicants are taken in random order."""
    p = prep.parc
    d = _Tirage(prep, st, vacant, rng)
    vacant, dem, reloger = d.vacant, d.dem, d.reloger
    size_v, size_a, free_v, free_a = d.size_v, d.size_a, d.free_v, d.free_a
    match = d.match
    cost_v, afford_a, n_cost = _abordable(inst, d, cout, factor)
    bits_a, ratio_a = _profile(inst, dem, factor)
    ceiling_class = classe(ratio_a, np.array(PLAFOND_RELATIF) + 1e-12)
    key = prep.cle[vacant]
    if veille:
        watched = np.isin(status[p.entree[vacant]], (STATUT_VIGILANCE, STATUT_FRAGILE))
        probs = np.where(watched[:, None], prep.tables_veille[key], prep.tables[key])
    else:
        probs = prep.tables[key]
    u = rng.random(len(vacant))
    profile_v = np.minimum((u[:, None] > probs.cumsum(axis=1)).sum(axis=1), N_PROFILS - 1)
    fin_v = p.financement[vacant]
    # Fallbacks when the demand holds nobody of the drawn profile: keep the bits the
    # policy counts (its objectives', the watch's), then the size, then anything.
    counted = np.int64(0)
    for c in prep.contraintes:
        counted |= c.bit
    if veille:
        counted |= BIT_ACTIF | BIT_SOUS40
    kept_v, kept_a = profile_v & counted, bits_a & counted
    candidates = free_a & ~reloger
    for g_v, g_a in (
        (profile_v * 5 + size_v, bits_a * 5 + size_a),
        (kept_v * 5 + size_v, kept_a * 5 + size_a),
        (size_v, size_a),
        (kept_v, kept_a),
        (np.zeros(len(vacant), dtype=np.int64), np.zeros(len(dem), dtype=np.int64)),
    ):
        # Nested eligibilities, the most restrictive first: the financing ceiling
        # (PLAI first) and, with affordability, the cost class (dearest first).
        for f in range(len(PLAFOND_RELATIF)):
            for r in range(n_cost - 1, -1, -1):
                vpos = np.flatnonzero(free_v & (fin_v == f) & (cost_v == r))
                if not len(vpos):
                    continue
                apos = np.flatnonzero(candidates & free_a & (ceiling_class <= f) & (afford_a >= r))
                match(vpos, apos, g_v[vpos], g_a[apos])
        if not free_v.any():
            break
    return d.resultat()


def _allouer_optimal(
    inst: Instantane,
    prep: Prepare,
    st: _Etat,
    vacant: IntArray,
    factor: float,
    rng: np.random.Generator,
    regles: ReglesPlan,
    cout: FloatArray | None = None,
) -> tuple[IntArray, IntArray]:
    """Let ``vacant`` by the allocation plan's optimiser (:mod:`.optimiseur`):
    relocations first, then the year's exact programme on groups, individuals drawn
    at random inside each group."""
    from mixite.scenarios.optimiseur import repartir

    d = _Tirage(prep, st, vacant, rng)
    bits_a, ratio_a = _profile(inst, d.dem, factor)
    ceiling = classe(ratio_a, np.array(PLAFOND_RELATIF) + 1e-12)
    cost_v, afford_a, _ = _abordable(inst, d, cout, factor)
    counted = np.int64(BIT_PRIO)
    for c in prep.contraintes:
        counted |= c.bit
    vpos = np.flatnonzero(d.free_v)
    apos = np.flatnonzero(
        d.free_a & ~d.reloger & (ceiling < len(PLAFOND_RELATIF)) & (afford_a >= 0)
    )
    if not len(vpos) or not len(apos):
        return d.resultat()
    scope = prep.applicable[d.vacant[vpos]]
    scope_key = (
        (scope * (1 << np.arange(scope.shape[1]))).sum(axis=1)
        if scope.shape[1]
        else np.zeros(len(vpos), dtype=np.int64)
    )
    v_keys, gv = np.unique(
        np.stack(
            [scope_key, d.size_v[vpos], prep.parc.financement[d.vacant[vpos]], cost_v[vpos]], axis=1
        ),
        axis=0,
        return_inverse=True,
    )
    a_keys, ga = np.unique(
        np.stack([bits_a[apos] & counted, d.size_a[apos], ceiling[apos], afford_a[apos]], axis=1),
        axis=0,
        return_inverse=True,
    )
    gv, ga = gv.ravel(), ga.ravel()
    g_scope = ((v_keys[:, :1] >> np.arange(len(prep.contraintes))) & 1).astype(bool)
    rep = repartir(np.bincount(gv), g_scope, v_keys[:, 1], v_keys[:, 2], np.bincount(ga),
                   a_keys[:, 0], a_keys[:, 1], a_keys[:, 2], prep.contraintes, regles,
                   g_cout=v_keys[:, 3], h_abordable=a_keys[:, 3])  # fmt: skip
    # Inside each group, vacancies and applicants are already in random order.
    by_g = np.split(vpos[np.argsort(gv, kind="stable")], np.cumsum(np.bincount(gv))[:-1])
    by_h = np.split(apos[np.argsort(ga, kind="stable")], np.cumsum(np.bincount(ga))[:-1])
    used_g = np.zeros(len(by_g), dtype=np.int64)
    used_h = np.zeros(len(by_h), dtype=np.int64)
    for g, h, k in zip(rep.g.tolist(), rep.h.tolist(), rep.nombre.tolist(), strict=True):
        d.take(by_g[g][used_g[g] : used_g[g] + k], by_h[h][used_h[h] : used_h[h] + k])
        used_g[g] += k
        used_h[h] += k
    return d.resultat()


def _installer(st: _Etat, dwellings: IntArray, applicants: IntArray) -> None:
    """Newcomers move in; their applications leave the file."""
    for name in Menages.__dataclass_fields__:
        getattr(st.menages, name)[dwellings] = getattr(st.demandeurs, name)[applicants]
    st.occupe[dwellings] = True
    st.loge[applicants] = True  # their applications leave the file at the next step


def simuler(
    inst: Instantane, prep: Prepare, scenario: Scenario, graine: np.random.SeedSequence
) -> Resultat:
    """One replicate, reproducible from ``graine``."""
    rng = np.random.default_rng(graine)
    st = _Etat(inst, prep)
    ev = scenario.evolution
    pol = scenario.politique
    cons = pol.contraintes
    horizon = scenario.horizon
    p = prep.parc
    sorti = prep.demoli_en.copy()  # year each dwelling leaves the stock (demolished, sold)
    zones_t: dict[str, list[np.ndarray]] = {k: [] for k in NIVEAUX}
    indices_t, statuts_t, flux_t, objectifs_t, made_t = [], [], [], [], []
    landlords_t: list[np.ndarray] = []
    medians_t: dict[str, list[np.ndarray]] = {k: [] for k in NIVEAUX}
    z0, i0, status, med0 = _mesurer(inst, prep, st, 0, 1.0, sorti)
    for k in NIVEAUX:
        zones_t[k].append(z0[k])
        medians_t[k].append(med0[k])
    indices_t.append(i0)
    statuts_t.append(status)
    for t in range(1, horizon + 1):
        factor = (1 + ev.revalorisation) ** t
        before = (prep.actif_des <= t - 1) & (sorti > t - 1)
        occupied_start = int((st.occupe & before).sum())
        # 1. Households evolve (occupants and applicants).
        _evolve(st.menages, ev, rng)
        _evolve(st.demandeurs, ev, rng)
        # 2. The programme: demolitions, sales, new dwellings.
        demolished = (prep.demoli_en == t) & before
        out_reloc = demolished & st.occupe
        moved = st.menages.take(np.flatnonzero(out_reloc))
        moved.prioritaire[:] = True
        st.occupe[demolished] = False
        sold = 0
        for year, landlord, count in prep.ventes:
            if year == t:
                pool = np.flatnonzero(before & (sorti > t) & (p.bailleur == landlord))
                take = rng.choice(pool, min(count, len(pool)), replace=False)
                sold += int(st.occupe[take].sum())
                st.occupe[take] = False
                sorti[take] = t
        in_stock = (prep.actif_des <= t) & (sorti > t)
        # 3. Departures.
        occ = np.flatnonzero(st.occupe & in_stock)
        m = st.menages
        ratio = m.ressources[occ] / _ceiling(inst, m, factor)[occ]
        kind = dep.type_menage(m.adultes[occ], m.enfants[occ], m.personnes[occ])
        cells = dep.cellule(m.age[occ], kind, dep.tranche(ratio), p.qpv[occ] >= 0)
        leaving = occ[rng.random(len(occ)) < inst.departs.probabilite[cells]]
        st.occupe[leaving] = False
        # 4. The demand: radiations (never of households to relocate), new applications.
        stays = ((rng.random(len(st.demandeurs)) >= inst.demande.radiation) | st.reloger) & ~st.loge
        n_new = int(rng.poisson(inst.demande.nouvelles_par_an))
        fresh = inst.demande.modele.take(rng.integers(0, len(inst.demande.modele), n_new))
        fresh.ressources[:] = fresh.ressources * factor
        keep = np.flatnonzero(stays)
        st.demandeurs = Menages.concat([st.demandeurs.take(keep), moved, fresh])
        st.reloger = np.concatenate(
            [st.reloger[keep], np.ones(len(moved), dtype=bool), np.zeros(n_new, dtype=bool)]
        )
        st.loge = np.zeros(len(st.demandeurs), dtype=bool)
        # 5. Allocations.
        vacant = np.flatnonzero(in_stock & ~st.occupe & ~prep.structurel)
        housed_v = np.empty(0, dtype=np.int64)
        relocated = np.zeros(0, dtype=bool)
        cout = _cout_reel(prep, t) if pol.abordabilite and inst.abordabilite is not None else None
        if pol.attribuer and len(vacant) and pol.plan is not None:
            housed_v, housed_a = _allouer_optimal(
                inst, prep, st, vacant, factor, rng, pol.plan, cout
            )
            relocated = st.reloger[housed_a]
            _installer(st, housed_v, housed_a)
        elif pol.attribuer and len(vacant):
            housed_v, housed_a = _allouer(
                inst, prep, st, vacant, status, pol.veille, factor, rng, cout
            )
            relocated = st.reloger[housed_a]
            _installer(st, housed_v, housed_a)
        bits_new = _profile(inst, st.menages.take(housed_v), factor)[0]
        obj = np.zeros((len(cons), 2), dtype=np.int64)
        for j, c in enumerate(cons):
            scope = prep.applicable[housed_v, j]
            inside = (bits_new & c.bit) > 0
            public = ~inside if c.negation else inside
            obj[j] = (int(scope.sum()), int((scope & public).sum()))
        objectifs_t.append(obj)
        made_t.append(len(housed_v))
        who = p.bailleur[housed_v]
        nb = prep.n_zones["bailleur"]
        newcomers = np.stack(
            [np.ones(len(housed_v)), (bits_new & BIT_Q1) > 0, (bits_new & BIT_SOUS40) > 0,
             (bits_new & BIT_PRIO) > 0, p.qpv[housed_v] >= 0, relocated],
            axis=1,
        )  # fmt: skip
        landlords_t.append(
            np.stack(
                [np.bincount(who, weights=newcomers[:, j], minlength=nb) for j in range(6)], axis=1
            )
        )
        flux_t.append(
            [
                occupied_start,
                len(housed_v),
                len(leaving),
                int(out_reloc.sum()),
                sold,
                int((st.occupe & in_stock).sum()),
                int((prep.actif_des == t).sum()),
                int(demolished.sum()),
                int((~st.loge).sum()),
                int((st.reloger & ~st.loge).sum()),
            ]
        )
        zt, it, status, medt = _mesurer(inst, prep, st, t, factor, sorti)
        for k in NIVEAUX:
            zones_t[k].append(zt[k])
            medians_t[k].append(medt[k])
        indices_t.append(it)
        statuts_t.append(status)
    return Resultat(
        zones={k: np.stack(v) for k, v in zones_t.items()},
        medianes={k: np.stack(v) for k, v in medians_t.items()},
        indices=np.array(indices_t),
        statuts=np.stack(statuts_t),
        flux=np.array(flux_t, dtype=np.int64).reshape(horizon, len(FLUX)),
        objectifs=np.array(objectifs_t, dtype=np.int64).reshape(horizon, len(cons), 2),
        attributions=np.array(made_t, dtype=np.int64),
        par_bailleur=np.array(landlords_t, dtype=np.int64).reshape(
            horizon, prep.n_zones["bailleur"], len(ATTRIBUTIONS)
        ),
    )
