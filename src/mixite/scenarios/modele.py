"""What a projection starts from and what it is asked: the snapshot (dwellings, their
occupants, the demand), the estimated behaviour, the policy and the programme.

Everything is held as plain numpy arrays (structure of arrays) so that one replicate
steps a year of 116 000 households in a few milliseconds and the snapshot ships once to
each Dask worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mixite.plan.modele import ReglesPlan

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Financing classes, from the most to the least restrictive ceiling.
FINANCEMENTS: tuple[str, ...] = ("PLAI", "PLUS", "PLS")
#: Share of the PLUS ceiling under which a household may enter each class.
PLAFOND_RELATIF: tuple[float, ...] = (0.6, 1.0, 1.3)

#: Bits of a household's profile (the publics that charters count).
BIT_Q1, BIT_PRIO, BIT_SOUS40, BIT_ACTIF = 1, 2, 4, 8
N_PROFILS = 16

#: Income brackets against the PLUS ceiling (the groups of M and its decomposition).
TRANCHES: tuple[str, ...] = ("sous 40 %", "40 à 60 %", "60 à 100 %", "100 % et plus")
BORNES_TRANCHES = np.array([0.4, 0.6, 1.0])


def classe(values: npt.ArrayLike, bornes: npt.ArrayLike) -> IntArray:
    """Index of the interval of sorted ``bornes`` holding each value (``searchsorted``
    with ``side="right"``, by comparisons: faster on a handful of bounds).

    >>> classe(np.array([0.1, 0.4, 2.0]), [0.4, 0.6, 1.0]).tolist()
    [0, 1, 3]
    """
    v = np.asarray(values)
    out = np.zeros(v.shape, dtype=np.int64)
    for b in np.asarray(bornes).tolist():
        out += v >= b
    return out


@dataclass(frozen=True)
class Parc:
    """The dwellings, one row each (codes index the label arrays of :class:`Zones`)."""

    entree: IntArray
    batiment: IntArray
    iris: IntArray
    commune: IntArray
    qpv: IntArray  # code of the QPV, or -1 outside any
    bailleur: IntArray
    contingent: IntArray
    financement: IntArray  # index in FINANCEMENTS
    pieces: IntArray
    collectif: BoolArray
    loyer: FloatArray  # monthly rent, € (charges apart)
    charges: FloatArray  # monthly charges, €

    def __len__(self) -> int:
        return len(self.entree)


@dataclass(frozen=True)
class Zones:
    """Labels of every code used by :class:`Parc`."""

    entrees: tuple[str, ...]
    batiments: tuple[str, ...]
    iris: tuple[str, ...]
    communes: tuple[str, ...]
    qpv: tuple[str, ...]
    bailleurs: tuple[str, ...]
    contingents: tuple[str, ...]
    #: Commune of each IRIS (IRIS nest in communes).
    commune_de_l_iris: IntArray
    #: Territories (the EPCI's own division) and the territory of each commune.
    territoires: tuple[str, ...] = ("ensemble",)
    territoire_de_la_commune: IntArray | None = None


@dataclass(frozen=True)
class Menages:
    """Households (occupants or applicants), one row each."""

    personnes: IntArray
    adultes: IntArray
    enfants: IntArray
    moins_14: IntArray
    age: IntArray
    ressources: FloatArray  # € per year
    actifs: IntArray
    monoparental: BoolArray
    prioritaire: BoolArray

    def __len__(self) -> int:
        return len(self.personnes)

    def take(self, rows: IntArray) -> Menages:
        return Menages(**{k: getattr(self, k)[rows] for k in _FIELDS})

    @staticmethod
    def concat(parts: list[Menages]) -> Menages:
        return Menages(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in _FIELDS})

    def copy(self) -> Menages:
        return Menages(**{k: getattr(self, k).copy() for k in _FIELDS})


_FIELDS = ("personnes", "adultes", "enfants", "moins_14", "age", "ressources", "actifs",
           "monoparental", "prioritaire")  # fmt: skip


@dataclass(frozen=True)
class Departs:
    """Yearly departure probability of an occupant household, per cell of
    (age class, household type, income bracket, QPV): see :mod:`.departs`."""

    probabilite: FloatArray  # one per cell


@dataclass(frozen=True)
class Demande:
    """How the file of applications moves: the yearly radiation probability, the number
    of new applications per year and the applications they are drawn from."""

    radiation: float
    nouvelles_par_an: float
    modele: Menages


@dataclass(frozen=True)
class Seuils:
    """Reference values at the snapshot, revalued each year by ``revalorisation``."""

    annee: int
    #: PLUS ceiling (€/year) by persons (index 0..12) for households that are not a lone
    #: adult with dependants, and for those who are.
    plafond_plus: FloatArray
    plafond_plus_mono: FloatArray
    seuil_q1: float  # € per consumption unit and year
    seuil_pauvrete: float = 0.0  # € per consumption unit and year (poverty line)


@dataclass(frozen=True)
class Abordabilite:
    """What a household can afford after housing benefit, in the snapshot year's money.

    Dwellings fall in classes of monthly housing cost (rent + charges) by ``bornes``;
    each class has a representative rent and charges (the stock's medians in it).
    ``apl`` is OpenFisca-France's monthly APL at those rents, per household size
    (index 1 … 6, 6 and more), lone adult with children or not, and annual resources
    on the ``revenus`` grid (linear in between). A household affords a class when its
    effort rate after APL is at most ``taux_effort_max`` and its reste à vivre per
    consumption unit and day at least ``reste_a_vivre_min`` (the commission's rules).
    """

    bornes: FloatArray
    loyer_type: FloatArray
    charges_type: FloatArray
    revenus: FloatArray
    apl: FloatArray  # (7, 2, revenus, classes)
    taux_effort_max: float = 0.35
    reste_a_vivre_min: float = 10.0


@dataclass(frozen=True)
class Instantane:
    """The snapshot a scenario starts from."""

    parc: Parc
    zones: Zones
    occupant: IntArray  # row in ``occupants`` of each dwelling's household, −1 when vacant
    occupants: Menages
    demandeurs: Menages
    seuils: Seuils
    departs: Departs
    demande: Demande
    #: Observed profile distribution of newcomers per (landlord, QPV yes/no, contingent)
    #: cell: shape (bailleurs, 2, contingents, N_PROFILS), rows summing to 1.
    profils_observes: FloatArray
    #: Veille thresholds per landlord (seuil + marge per variable), shape (bailleurs, 4).
    veille_haut: FloatArray
    veille_bas: FloatArray
    fragile_des: int = 2
    vigilance_marges: int = 2
    abordabilite: Abordabilite | None = None


@dataclass(frozen=True)
class Evolution:
    """Household evolution, per year (documented assumptions, not estimated)."""

    revalorisation: float = 0.015
    dispersion_revenus: float = 0.10
    naissance_couple: float = 0.07
    naissance_seul: float = 0.03
    age_max_naissance: int = 44
    depart_enfant: float = 0.10
    age_retraite: int = 64


@dataclass(frozen=True)
class Demolition:
    """Buildings demolished in ``annee`` (their occupants are relocated first); or, with
    ``qpv``, the oldest buildings of that QPV until ``logements`` dwellings, resolved
    against the snapshot by :func:`mixite.io.scenarios.resoudre`."""

    annee: int
    batiments: tuple[str, ...] = ()
    qpv: str = ""
    logements: int = 0


@dataclass(frozen=True)
class Construction:
    """New dwellings delivered empty in ``annee`` in ``iris`` (or, with ``commune``,
    the commune's IRIS with the fewest social dwellings, resolved against the snapshot)."""

    annee: int
    iris: str
    logements: int
    bailleur: str
    commune: str = ""
    #: Rebuilt on site: the new dwellings belong to this QPV.
    qpv: str = ""
    #: Rent as a share of the stock's median rent for the same financing and size.
    loyer_relatif: float = 1.0
    #: Shares of PLAI, PLUS and PLS, summing to 1.
    repartition: tuple[float, float, float] = (0.3, 0.6, 0.1)
    #: Shares of 1 to 5 rooms, summing to 1.
    pieces: tuple[float, ...] = (0.1, 0.25, 0.35, 0.22, 0.08)


@dataclass(frozen=True)
class Vente:
    annee: int
    bailleur: str
    logements: int


@dataclass(frozen=True)
class HausseLoyer:
    """Rents raised by ``hausse`` (a fraction: 0.05 for 5 %) from ``annee`` on, beyond
    the yearly revaluation, for one landlord (empty: all)."""

    annee: int
    hausse: float
    bailleur: str = ""


@dataclass(frozen=True)
class Programme:
    demolitions: tuple[Demolition, ...] = ()
    constructions: tuple[Construction, ...] = ()
    ventes: tuple[Vente, ...] = ()
    loyers: tuple[HausseLoyer, ...] = ()


@dataclass(frozen=True)
class Contrainte:
    """A charter objective as the policy applies it to each vacancy in its perimeter:
    the newcomer belongs to the profiles ``bits`` (all set) with probability ≥ or ≤
    ``cible`` (a share in [0, 1]); ``negation`` counts the complement."""

    code: str
    libelle: str
    bit: int
    negation: bool
    au_moins: bool
    cible: float
    qpv: bool | None = None
    communes: tuple[str, ...] = ()
    bailleurs: tuple[str, ...] = ()
    contingents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Politique:
    """Who gets a vacancy: the observed pattern (status quo), tilted as little as
    possible (least Kullback-Leibler divergence) to meet ``contraintes``; with
    ``veille``, vacancies in watched entrances go to households with a worker over
    40 % of the PLUS ceiling whenever the demand holds some; with ``plan``, the
    allocation plan's optimiser under the same ``contraintes``; with ``attribuer``
    false, nothing is let (a test of the model)."""

    nom: str = "statu quo"
    contraintes: tuple[Contrainte, ...] = ()
    veille: bool = False
    attribuer: bool = True
    #: The allocation plan's settings: with them, the plan's optimiser decides who gets
    #: the vacancies (:mod:`mixite.scenarios.optimiseur`) instead of the observed pattern.
    plan: ReglesPlan | None = None
    #: A newcomer must afford the dwelling after housing benefit (:class:`Abordabilite`).
    abordabilite: bool = False


@dataclass(frozen=True)
class Scenario:
    nom: str
    horizon: int = 10
    politique: Politique = field(default_factory=Politique)
    programme: Programme = field(default_factory=Programme)
    evolution: Evolution = field(default_factory=Evolution)
    graine: int = 2026
    replicats: int = 200
