"""Where relocated households arrive (issue 19): the effect of a move on the receiving
entrance, building and neighbourhood equals a full recomputation with the household
moved; the receiving entrances before/after equal the watch recomputed on every
household; the neighbourhood tables keep the secret (no count of 1 to 10 households
published or recoverable, the arrivals included)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixite.commission.impact import Cadre, watch_of, zones_of
from mixite.core.relogement.accueil import (
    entrees_accueil,
    impact_offre,
    installer,
    quartiers_accueil,
    release_accueil,
)
from mixite.core.secret import THRESHOLD, recoverable
from mixite.io.store import Store


@pytest.fixture(scope="module")
def cadre(jumeau_2pct: Path) -> Cadre:
    from mixite.io.commission import charger_cadre

    return charger_cadre(Store(jumeau_2pct))


@pytest.fixture(scope="module")
def arrivals(jumeau_2pct: Path, cadre: Cadre) -> pd.DataFrame:
    from mixite.io.dossiers_relogement import arrivees

    return arrivees(Store(jumeau_2pct), cadre)


def _moved(cadre: Cadre, menage: pd.DataFrame, place: pd.Series) -> pd.DataFrame:
    """Every household, the one given living in ``place`` instead of its former home."""
    others = cadre.menages[~cadre.menages["id_menage"].isin(menage["id_menage"])]
    return pd.concat([others, installer(menage, pd.DataFrame([place]))], ignore_index=True)


def test_the_effect_of_an_offer_equals_a_full_recomputation(
    jumeau_2pct: Path, cadre: Cadre
) -> None:
    from mixite.io.commission import logements_en_contexte

    store = Store(jumeau_2pct)
    to_move = store.query("SELECT id_menage FROM relogements WHERE statut = 'a_reloger' "
                          "ORDER BY id_relogement LIMIT 3")["id_menage"]  # fmt: skip
    vacant = store.query("SELECT l.id_logement FROM logements l JOIN entrees e USING (id_entree) "
                         "JOIN batiments b USING (id_batiment) WHERE l.vacant AND NOT b.individuel "
                         "ORDER BY l.id_logement")["id_logement"]  # fmt: skip
    places = logements_en_contexte(store, list(vacant.iloc[:: max(1, len(vacant) // 4)]))
    assert len(to_move) == 3 and len(places) >= 3
    for m, (_, place) in zip(to_move, places.iterrows(), strict=False):
        menage = cadre.menages[cadre.menages["id_menage"] == m].iloc[[0]]
        imp = impact_offre(cadre, place, menage)
        everyone = _moved(cadre, menage, place)
        entrance = everyone[everyone["id_entree"].astype("string") == str(place["id_entree"])]
        watch = watch_of(cadre, entrance, str(place["code_bailleur"]))
        assert imp.statut_apres == watch["statut"].iloc[0]
        variables = cadre.veille.get(str(place["code_bailleur"])) or next(
            iter(cadre.veille.values())
        )
        np.testing.assert_allclose(imp.veille["apres"], [watch[v.code].iloc[0] for v in variables])
        before = watch_of(cadre, cadre.menages[cadre.menages["id_entree"].astype("string")
                                               == str(place["id_entree"])], str(place["code_bailleur"]))  # fmt: skip
        assert imp.statut_avant == (before["statut"].iloc[0] if len(before) else "aucun occupant")
        zones = zones_of(cadre, everyone, place)
        after = imp.zones[[c for c in imp.zones.columns if c.endswith("_apres")]]
        after.columns = [c.removesuffix("_apres") for c in after.columns]
        pd.testing.assert_frame_equal(after.loc[zones.index, zones.columns].astype(float),
                                      zones.astype(float), check_names=False)  # fmt: skip
        old = zones_of(cadre, cadre.menages, place)
        prior = imp.zones[[c for c in imp.zones.columns if c.endswith("_avant")]]
        prior.columns = [c.removesuffix("_avant") for c in prior.columns]
        pd.testing.assert_frame_equal(prior.loc[old.index, old.columns].astype(float),
                                      old.astype(float), check_names=False)  # fmt: skip
        # The household counts once in the zones it enters: one more in the building.
        building = imp.zones.xs("bâtiment", level="niveau").iloc[0]
        assert building["menages_apres"] == np.nan_to_num(building["menages_avant"]) + 1


def test_receiving_entrances_equal_the_watch_recomputed_on_everyone(
    cadre: Cadre, arrivals: pd.DataFrame
) -> None:
    entrances = entrees_accueil(cadre, arrivals)
    assert len(entrances) > 5
    assert entrances["arrivees"].sum() == int(
        (~arrivals["individuel"].astype("boolean").fillna(False)).sum()
    )
    after_all = pd.concat([cadre.menages[~cadre.menages["id_menage"].isin(arrivals["id_menage"])],
                           arrivals], ignore_index=True)  # fmt: skip
    for _, e in entrances.sample(min(8, len(entrances)), random_state=1).iterrows():
        here = after_all[after_all["id_entree"].astype("string") == e["id_entree"]]
        watch = watch_of(cadre, here, e["code_bailleur"])
        assert watch["statut"].iloc[0] == e["statut_apres"]
        assert watch["menages"].iloc[0] == e["menages_apres"] == e["menages_avant"] + e["arrivees"]
        assert watch["part_sans_actif"].iloc[0] == pytest.approx(e["part_sans_actif_apres"])


def test_the_neighbourhood_tables_keep_the_secret(cadre: Cadre, arrivals: pd.DataFrame) -> None:
    entrances = entrees_accueil(cadre, arrivals)
    tables = quartiers_accueil(entrances)
    assert set(tables) == {"commune", "IRIS", "QPV"}
    for t in tables.values():
        # Counts of households (entrance counts rest on the households of the entrances).
        households = t[[c for c in t.columns if not c.startswith("entrees")]].to_numpy(float)
        shown = households[~np.isnan(households)]
        assert not ((shown >= 1) & (shown < THRESHOLD)).any()
        # The arrivals are the change of the zone's households: never both sides of a small one.
        small = t["arrivees"].isna()
        assert not (
            t.loc[small, "menages_avant"].notna() & t.loc[small, "menages_apres"].notna()
        ).any()
    found = recoverable(release_accueil(entrances))
    assert not ((found["support"] >= 1) & (found["support"] < THRESHOLD)).any(), found.head()
    # Totals are what the entrances hold.
    total = tables["commune"].loc["ensemble"]
    if not np.isnan(total["menages_apres"]):
        assert total["menages_apres"] == entrances["menages_apres"].sum()
