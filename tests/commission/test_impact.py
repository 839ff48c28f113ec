"""The marginal impact of a candidate equals a full recomputation after actually
recording the allocation (issue 13, property test on the twin)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixite.commission.impact import Cadre, impacts, watch_of
from mixite.core.objectifs.publics import publics_des_attributions
from mixite.core.objectifs.suivi import suivre
from mixite.errors import InvalidDataError
from mixite.io.commission import Decision, charger_cadre, demandes, enregistrer, logement
from mixite.io.queries import allocations_in_context, households_in_context
from mixite.io.store import Store
from mixite.observatoire.indicateurs import flags, indicateurs
from tests import suite_postgres
from tests.conftest import sha256

DATE = dt.date(2026, 10, 31)  # the twin's last day: every application is filed


@pytest.fixture(scope="module")
def twin_store(jumeau_2pct: Path) -> Store:
    return Store(jumeau_2pct)


@pytest.fixture(scope="module")
def cadre(twin_store: Store) -> Cadre:
    return charger_cadre(twin_store)


@pytest.fixture(scope="module")
def vacant(twin_store: Store) -> list[str]:
    """Vacant dwellings of collective entrances that have occupants."""
    rows = twin_store.query(
        "SELECT l.id_logement FROM logements l JOIN entrees e ON e.id_entree = l.id_entree "
        "JOIN batiments b ON b.id_batiment = e.id_batiment WHERE l.vacant AND NOT b.individuel "
        "AND EXISTS (SELECT 1 FROM logements o JOIN menages m ON m.id_logement = o.id_logement "
        "WHERE o.id_entree = l.id_entree) ORDER BY l.id_logement"
    )
    return rows["id_logement"].tolist()


@pytest.fixture(scope="module")
def active(twin_store: Store) -> list[str]:
    return sorted(
        twin_store.read("demandes", ["id_demande"], where="statut = 'active'")["id_demande"]
    )


def _recomputed(
    store: Store, cadre: Cadre, dwelling: pd.Series
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """Everything again, from the store after the allocation was recorded."""
    hh = households_in_context(store)
    hh = hh[hh["millesime"] == cadre.millesime]
    watch = watch_of(cadre, hh.dropna(subset=["id_entree"]), str(dwelling["code_bailleur"]))
    entrance = watch.loc[str(dwelling["id_entree"])]
    f = flags(hh, cadre.plafonds, millesime=cadre.millesime, zone=cadre.zone,
              seuil_pauvrete=cadre.seuil_pauvrete)  # fmt: skip
    zones = {}
    for level in ("id_batiment", "code_iris", "code_qpv", "code_commune"):
        code = dwelling.get(level)
        if code is not None and not pd.isna(code):
            zones[str(code)] = indicateurs(hh, f, level, total=False).loc[str(code)]
    allocations = allocations_in_context(store)
    tracking = []
    for charte in cadre.chartes:
        enriched = publics_des_attributions(allocations, cadre.plafonds, cadre.quartiles,
                                            epci=charte.epci, zone=charte.zone_plafonds)  # fmt: skip
        tracking.append(suivre(enriched, charte, reference=DATE).table.assign(charte=charte.nom))
    return entrance, pd.DataFrame(zones).T, pd.concat(tracking, ignore_index=True)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pick=st.integers(0, 10_000), who=st.lists(st.integers(0, 10_000), min_size=1, max_size=3,
                                                   unique=True))  # fmt: skip
def test_the_impact_equals_a_full_recomputation(
    pick: int, who: list[int], twin_store: Store, cadre: Cadre, vacant: list[str],
    active: list[str], tmp_path_factory: pytest.TempPathFactory,
) -> None:  # fmt: skip
    dwelling = logement(twin_store, vacant[pick % len(vacant)])
    ids = list(dict.fromkeys(active[w % len(active)] for w in who))
    apps = demandes(twin_store, ids)
    apl = [90.0 + 40 * k for k in range(len(ids))]
    prio = [bool(k % 2) for k in range(len(ids))]
    result = impacts(cadre, dwelling, apps, apl_mensuelle=apl, prioritaire=prio, date=DATE)
    k = pick % len(ids)  # record one of them, in a copy of the store
    copy = Store(tmp_path_factory.mktemp("copie") / "copie.duckdb")
    suite_postgres.copier(twin_store.path, copy.path)
    enregistrer(copy, Decision(str(dwelling["id_logement"]), ids[k], "attribution", DATE,
                               "CAL-TEST", rang=1, apl_mensuelle=apl[k], prioritaire=prio[k]),
                cadre.millesime)  # fmt: skip
    entrance, zones, tracking = _recomputed(copy, cadre, dwelling)
    imp = result[k]
    assert imp.statut_apres == entrance["statut"]
    variables = cadre.veille[str(dwelling["code_bailleur"])]
    for v, row in zip(variables, imp.veille.itertuples(), strict=True):
        assert row.apres == pytest.approx(float(entrance[v.code]), abs=1e-9), v.code
    for (_level, code), row in imp.zones.iterrows():
        for name in ("menages", "taux_pauvrete", "sous_40_plus", "monoparentales"):
            assert row[f"{name}_apres"] == pytest.approx(
                float(zones.loc[code, name]), abs=1e-9, nan_ok=True
            )
    assert len(imp.objectifs), "an allocation moves at least one objective"
    key = ["charte", "objectif", "periode", "groupe"]
    full = tracking.set_index(key)
    for row in imp.objectifs.itertuples(index=False):
        truth = full.loc[(row.charte, row.objectif, row.periode, row.groupe)]
        assert row.attributions_apres == truth["attributions"]
        assert row.part_apres == pytest.approx(truth["part"], nan_ok=True)
        assert row.statut_apres == truth["statut"]
    assert imp.phrase.startswith(f"Attribuer à {ids[k]}")


def test_bad_input_is_refused_and_nothing_written(
    twin_store: Store, vacant: list[str], active: list[str], tmp_path: Path
) -> None:
    copy = Store(tmp_path / "copie.duckdb")
    suite_postgres.copier(twin_store.path, copy.path)
    before = sha256(copy.path)
    occupied = copy.read("logements", ["id_logement"], where="NOT vacant")["id_logement"].iloc[0]
    housed = copy.read("demandes", ["id_demande"], where="statut = 'attribuee'")["id_demande"].iloc[
        0
    ]
    cases = [
        (Decision("L-INCONNU", active[0], "attribution", DATE, "CAL"), "logement inconnu"),
        (Decision(vacant[0], "DEM-INCONNUE", "attribution", DATE, "CAL"), "demande inconnue"),
        (Decision(occupied, active[0], "attribution", DATE, "CAL"), "pas vacant"),
        (Decision(vacant[0], housed, "attribution", DATE, "CAL"), "plus active"),
        (Decision(vacant[0], active[0], "tirage_au_sort", DATE, "CAL"), "décision inconnue"),
    ]
    for decision, words in cases:
        with pytest.raises(InvalidDataError) as e:
            enregistrer(copy, decision)
        assert words in e.value.report()
    assert sha256(copy.path) == before


def test_the_watch_after_each_candidate_in_one_pass_equals_one_by_one(
    twin_store: Store, cadre: Cadre, vacant: list[str], active: list[str]
) -> None:
    from mixite.commission.impact import menages_candidats, watch_after_each

    dwelling = logement(twin_store, vacant[0])
    apps = demandes(twin_store, active[:25])
    people = menages_candidats(apps, dwelling, [0.0] * len(apps), cadre.millesime)
    hh = cadre.menages
    entrance = hh[hh["id_entree"].astype("string") == str(dwelling["id_entree"])]
    landlord = str(dwelling["code_bailleur"])
    fast = watch_after_each(cadre, entrance, people, landlord)
    for i in range(len(people)):
        slow = watch_of(cadre, pd.concat([entrance, people.iloc[[i]]], ignore_index=True), landlord)
        for col in ("part_sans_actif", "part_sous_40_plus", "part_monoparentales",
                    "enfants_par_logement", "depassements"):  # fmt: skip
            assert fast[col].iloc[i] == pytest.approx(slow[col].iloc[0], abs=1e-9), col
        assert fast["statut"].iloc[i] == slow["statut"].iloc[0]
