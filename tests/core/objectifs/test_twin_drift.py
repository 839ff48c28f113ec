"""On the MEL twin, the drifting landlord misses the Pecquencourt charter in 2026, and the
recoverability figure is the one computed by hand from its counts."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from mixite.core.objectifs import publics_des_attributions, suivre
from mixite.io import refdata
from mixite.io.config import load_charter
from tests.twin.conftest import make_twin


def test_drifting_landlord_flagged_with_recoverability() -> None:
    twin = make_twin(scale=0.25)
    t = twin.tables
    buildings = t["batiments"].set_index("id_batiment")
    entrances = t["entrees"].set_index("id_entree")["id_batiment"]
    dwellings = t["logements"].set_index("id_logement")["id_entree"]
    a = t["attributions"].copy()
    a["ressources_annuelles"] = (
        a["ressources_annuelles"] / 100
    )  # cents → euros, as the store gives them
    building = entrances.reindex(dwellings.reindex(a["id_logement"]).to_numpy()).to_numpy()
    a["code_commune"] = buildings.loc[building, "code_commune"].to_numpy()
    a["en_qpv"] = buildings.loc[building, "code_qpv"].notna().to_numpy()
    a["code_territoire"] = a["code_commune"].map(
        t["communes"].set_index("code_commune")["code_territoire"]
    )
    charter = load_charter("pecquencourt")
    enriched = publics_des_attributions(
        a, refdata.plafonds_ressources(), refdata.premier_quartile(), epci=charter.epci, zone=3
    )
    table = suivre(enriched, charter, reference=dt.date(2026, 10, 31)).table
    b04 = table[
        (table["objectif"] == "sous_40_plus")
        & (table["groupe"] == "bailleur B04")
        & (table["periode"] == "2026")
    ].iloc[0]
    assert b04["statut"] in ("manqué", "à risque")
    assert b04["part"] > 45
    expected = max(
        b04["attributions"], round(b04["attributions"] * 365 / 304)
    )  # 1 Jan → 31 Oct 2026
    assert b04["attendues_fin_periode"] == expected
    assert b04["a_orienter"] == math.floor(0.40 * expected - b04["public"] + 1e-9)
    others = table[(table["objectif"] == "sous_40_plus") & (table["groupe"] == "ensemble")]
    assert (others["statut"] == "atteint").all()
    assert isinstance(others, pd.DataFrame)
