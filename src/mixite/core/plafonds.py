"""Household categories and income ceilings of social housing (PLUS, PLAI, …).

Ceilings are versioned reference data (``refdata/plafonds_ressources.csv``), passed in
as a frame: this module never reads a file and holds no amount.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from mixite.errors import ReferenceDataError


def categorie_menage(
    nb_personnes: npt.ArrayLike,
    *,
    adulte_seul_avec_charge: npt.ArrayLike = False,
    jeune_menage: npt.ArrayLike = False,
    handicap: npt.ArrayLike = False,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The household category (1-6) and the number of persons beyond category 6.

    Parameters
    ----------
    nb_personnes : array of int
        Persons in the household (≥ 1).
    adulte_seul_avec_charge : array of bool
        One adult with dependants (a single-parent family).
    jeune_menage : array of bool
        A couple whose ages add up to 55 or less, with no dependant.
    handicap : array of bool
        A member holds the « mobilité inclusion – invalidité » card.

    Returns
    -------
    (category, extra_persons)

    Notes
    -----
    Arrêté du 29 juillet 1987, annex I, as worded in ``refdata/menage_categories.csv``:
    category n for n persons (n ≤ 6); one category higher for a single adult with
    dependants (« une personne seule avec une personne à charge » is category 3), a
    jeune ménage without dependant (category 3), or a disabled member (« deux personnes
    dont au moins une est en situation de handicap » is category 3). Beyond category 6,
    each further person adds the ``per_extra_person`` amount.

    Examples
    --------
    >>> categorie_menage([1, 2, 2, 4, 8], adulte_seul_avec_charge=[False, True, False, False, False])
    (array([1, 3, 2, 4, 6]), array([0, 0, 0, 0, 2]))
    """
    n = np.asarray(nb_personnes, dtype=np.int64)
    if n.size and n.min() < 1:
        raise ValueError(f"nb_personnes must be ≥ 1; got minimum {n.min()}.")
    single_parent = np.broadcast_to(np.asarray(adulte_seul_avec_charge, dtype=bool), n.shape)
    young = np.broadcast_to(np.asarray(jeune_menage, dtype=bool), n.shape) & (n == 2)
    disabled = np.broadcast_to(np.asarray(handicap, dtype=bool), n.shape)
    bump = ((single_parent & (n >= 2)) | young | disabled).astype(np.int64)
    effective = n + bump
    return np.minimum(effective, 6), np.maximum(effective - 6, 0)


def plafond_ressources(
    plafonds: pd.DataFrame,
    *,
    financement: str,
    zone: int,
    millesime: npt.ArrayLike,
    categorie: npt.ArrayLike,
    personnes_supplementaires: npt.ArrayLike = 0,
) -> npt.NDArray[np.int64]:
    """The annual income ceiling in euros for each household.

    ``plafonds`` has the columns of ``refdata/plafonds_ressources.csv``
    (``vintage, financing, zone, category, amount_eur``). A missing value raises
    :class:`~mixite.errors.ReferenceDataError` rather than being guessed.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"vintage": [2024, 2024], "financing": ["PLUS", "PLUS"], "zone": [3, 3],
    ...                   "category": ["1", "per_extra_person"], "amount_eur": [24316, 3011]})
    >>> plafond_ressources(p, financement="PLUS", zone=3, millesime=[2024], categorie=[1]).tolist()
    [24316]
    """
    years = np.asarray(millesime, dtype=np.int64)
    cats = np.asarray(categorie, dtype=np.int64)
    years, cats = np.broadcast_arrays(years, cats)
    extra = np.broadcast_to(np.asarray(personnes_supplementaires, dtype=np.int64), years.shape)
    rows = plafonds[(plafonds["financing"] == financement) & (plafonds["zone"].astype(int) == zone)]
    table = {
        (int(v), str(c)): int(a)
        for v, c, a in zip(rows["vintage"], rows["category"], rows["amount_eur"], strict=True)
    }
    out = np.empty(years.shape, dtype=np.int64)
    for y in np.unique(years):
        for c in np.unique(cats[years == y]):
            if (int(y), str(c)) not in table:
                raise ReferenceDataError(
                    f"No {financement} ceiling for vintage {y}, zone {zone}, category {c} in the reference "
                    "data (see refdata/SOURCES.md for known gaps)."
                )
            sel = (years == y) & (cats == c)
            out[sel] = table[(int(y), str(c))]
        sel_extra = (years == y) & (extra > 0)
        if sel_extra.any():
            key = (int(y), "per_extra_person")
            if key not in table:
                raise ReferenceDataError(
                    f"No {financement} per-extra-person amount for vintage {y}, zone {zone}."
                )
            out[sel_extra] += extra[sel_extra] * table[key]
    return out


#: Legal basis of the PLS ceiling rule, quoted in every output that uses it.
PLS_RULE = (
    "« les plafonds PLS sont égaux à ceux du PLUS majorés de 30 % » (refdata/menage_categories.csv, "
    "rule:PLS ; plafonds PLUS de l'arrêté du 29 juillet 1987 modifié, annexe I)"
)


def plafond_pls(
    plafonds: pd.DataFrame,
    *,
    zone: int,
    millesime: npt.ArrayLike,
    categorie: npt.ArrayLike,
    personnes_supplementaires: npt.ArrayLike = 0,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """PLS ceilings: the published value where the reference data has it, otherwise
    PLUS × 1.3 applied explicitly (see :data:`PLS_RULE`), with a mask of derived values.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"vintage": [2024], "financing": ["PLUS"], "zone": [3],
    ...                   "category": ["1"], "amount_eur": [24316]})
    >>> plafond_pls(p, zone=3, millesime=[2024], categorie=[1])
    (array([31611]), array([ True]))
    """
    years = np.atleast_1d(np.asarray(millesime, dtype=np.int64))
    cats = np.atleast_1d(np.asarray(categorie, dtype=np.int64))
    years, cats = np.broadcast_arrays(years, cats)
    extra = np.broadcast_to(np.asarray(personnes_supplementaires, dtype=np.int64), years.shape)
    # Households share few (year, category, extra persons): each is looked up once.
    keys = np.stack([years.ravel(), cats.ravel(), extra.ravel()], axis=1)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    values = np.empty(len(uniq), dtype=np.int64)
    flags = np.zeros(len(uniq), dtype=bool)
    for i, (y, c, e) in enumerate(uniq):
        try:
            values[i] = plafond_ressources(
                plafonds,
                financement="PLS",
                zone=zone,
                millesime=y,
                categorie=c,
                personnes_supplementaires=e,
            ).item()
        except ReferenceDataError:
            plus = plafond_ressources(
                plafonds,
                financement="PLUS",
                zone=zone,
                millesime=y,
                categorie=c,
                personnes_supplementaires=e,
            ).item()
            values[i] = int(np.floor(plus * 1.3 + 0.5))
            flags[i] = True
    inverse = np.asarray(inverse).ravel()
    return values[inverse].reshape(years.shape), flags[inverse].reshape(years.shape)


def revalorisation_plus(plafonds: pd.DataFrame, *, depuis: int, vers: int, zone: int) -> float:
    """How much the PLUS ceiling of a single person grew from year ``depuis`` to ``vers``:
    the factor mixite uses to bring 2016 incomes and thresholds to a later year.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"vintage": [2016, 2024], "financing": ["PLUS", "PLUS"], "zone": [3, 3],
    ...                   "category": ["1", "1"], "amount_eur": [20000, 24316]})
    >>> revalorisation_plus(p, depuis=2016, vers=2024, zone=3)
    1.2158
    """
    before, after = plafond_ressources(
        plafonds, financement="PLUS", zone=zone, millesime=[depuis, vers], categorie=1
    )
    return float(after) / float(before)


def part_du_plafond(
    ressources_cents: npt.ArrayLike, plafond_eur: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Resources as a share of a ceiling (0.4 = 40 % of the PLUS ceiling).

    Examples
    --------
    >>> part_du_plafond([900_000], [22_500]).tolist()
    [0.4]
    """
    return np.asarray(
        np.asarray(ressources_cents, dtype=float) / (np.asarray(plafond_eur, dtype=float) * 100),
        dtype=float,
    )


def seuil_premier_quartile(quartiles: pd.DataFrame, *, epci: str, millesime: int) -> float:
    """The first-quartile threshold (€ per UC and year) of an EPCI for a vintage.

    ``quartiles`` has the columns of ``refdata/premier_quartile_national.csv``.
    """
    rows = quartiles[
        (quartiles["epci_siren"].astype(str) == str(epci)) & (quartiles["vintage"] == millesime)
    ]
    if rows.empty:
        known = sorted(
            set(quartiles.loc[quartiles["epci_siren"].astype(str) == str(epci), "vintage"])
        )
        raise ReferenceDataError(
            f"No first-quartile threshold for EPCI {epci} and vintage {millesime} in the reference "
            f"data; vintages known for this EPCI: {known or 'none'} (see refdata/SOURCES.md, gap 3)."
        )
    return float(rows["q1_threshold_eur"].iloc[0])


def premier_quartile(
    ressources_cents: npt.ArrayLike,
    unites_consommation: npt.ArrayLike,
    *,
    seuil_eur: float,
) -> npt.NDArray[np.bool_]:
    """Whether each household's annual resources per UC are under the Q1 threshold.

    Notes
    -----
    CCH L.441-1 (loi Égalité et Citoyenneté, 2017): the threshold is the first quartile of
    the annual resources per consumption unit of the EPCI's applicants, fixed yearly by
    arrêté. « Sous le seuil » is read as strictly lower.

    Examples
    --------
    >>> premier_quartile([1_800_000, 1_900_000], [2.0, 2.0], seuil_eur=9324).tolist()
    [True, False]
    """
    per_uc = (
        np.asarray(ressources_cents, dtype=float)
        / 100
        / np.asarray(unites_consommation, dtype=float)
    )
    return np.asarray(per_uc < seuil_eur, dtype=bool)


def plafond_plus_des_menages(
    plafonds: pd.DataFrame,
    *,
    nb_personnes: npt.ArrayLike,
    nb_adultes: npt.ArrayLike,
    nb_enfants: npt.ArrayLike,
    millesime: npt.ArrayLike,
    zone: int,
) -> npt.NDArray[np.int64]:
    """Each household's PLUS ceiling (€), its category read from its composition: one
    adult with children counts as « personne seule avec personne(s) à charge »."""
    single_parent = (np.asarray(nb_adultes) == 1) & (np.asarray(nb_enfants) > 0)
    cat, extra = categorie_menage(
        np.asarray(nb_personnes, dtype=np.int64), adulte_seul_avec_charge=single_parent
    )
    return plafond_ressources(
        plafonds,
        financement="PLUS",
        zone=zone,
        millesime=millesime,
        categorie=cat,
        personnes_supplementaires=extra,
    )


def sous_40_pct_plus(
    ressources_eur: npt.ArrayLike, plafond_plus_eur: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Resources under 40 % of the PLUS ceiling, compared exactly in cents.

    Examples
    --------
    >>> sous_40_pct_plus([9056.79, 9056.80], [22642, 22642]).tolist()
    [True, False]
    """
    cents = np.rint(np.asarray(ressources_eur, dtype=float) * 100)
    return np.asarray(cents < 40 * np.asarray(plafond_plus_eur, dtype=np.int64), dtype=bool)
