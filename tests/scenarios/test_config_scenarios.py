"""Scenario files: the presets load; every problem of a bad file is reported with its
line, in French, and nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixite.errors import InvalidDataError
from mixite.io.config_scenarios import SCENARIO_PRESETS, load_scenario
from mixite.scenarios.modele import BIT_PRIO, BIT_Q1


@pytest.mark.parametrize("name", SCENARIO_PRESETS)
def test_every_preset_loads(name: str) -> None:
    s = load_scenario(name)
    assert s.nom and s.horizon >= 1 and s.replicats >= 1


def test_the_2017_law_becomes_three_constraints() -> None:
    s = load_scenario("loi-2017")
    by_code = {c.code: c for c in s.politique.contraintes}
    q1 = by_code["loi-2017:hors_qpv_q1"]
    assert (q1.bit, q1.negation, q1.au_moins, q1.cible, q1.qpv) == (
        BIT_Q1,
        False,
        True,
        0.25,
        False,
    )
    others = by_code["loi-2017:qpv_autres_quartiles"]
    assert (others.bit, others.negation, others.cible, others.qpv) == (BIT_Q1, True, 0.5, True)
    assert by_code["loi-2017:contingents_prioritaires"].bit == BIT_PRIO


def test_priority_quotas_per_contingent_and_percent_settings(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        "nom: essai\nhorizon: 6\npolitique:\n  prioritaires: {prefecture: 40, action_logement: 25}\n"
        "evolution:\n  revalorisation: 2\n  age_retraite: 62\n",
        encoding="utf-8",
    )
    s = load_scenario(f)
    assert s.horizon == 6
    assert s.evolution.revalorisation == pytest.approx(0.02)
    assert s.evolution.age_retraite == 62
    quotas = {c.contingents: c.cible for c in s.politique.contraintes}
    assert quotas == {("prefecture",): 0.4, ("action_logement",): 0.25}


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    f = tmp_path / "mauvais.yaml"
    f.write_text(
        "horizon: 0\n"  # line 1: out of range; « nom » missing
        "replicats: beaucoup\n"  # line 2
        "politique:\n"
        "  veille: peut-être\n"  # line 4
        "  chartes: [inconnue]\n"  # line 5
        "couleur: bleu\n"  # line 6: unknown key
        "programme:\n"
        "  constructions:\n"
        "    - {annee: 2027, logements: 10, bailleur: B01, repartition: {PLAI: 50, PLUS: 10}}\n",  # line 9
        encoding="utf-8",
    )
    with pytest.raises(InvalidDataError) as caught:
        load_scenario(f)
    report = caught.value.report()
    for expected in ("ligne 1", "nom", "ligne 2", "beaucoup", "ligne 4", "peut-être", "ligne 5",
                     "inconnue", "ligne 6", "couleur", "ligne 9", "iris", "100"):  # fmt: skip
        assert expected in report, expected


def test_a_public_outside_the_profiles_is_refused(tmp_path: Path) -> None:
    charter = tmp_path / "c.yaml"
    charter.write_text(
        "nom: c\nepci: '200093201'\nobjectifs:\n  - {code: r, libelle: r, public: relogement, "
        "comparateur: au_moins, cible: 10}\n",
        encoding="utf-8",
    )
    f = tmp_path / "s.yaml"
    f.write_text("nom: s\npolitique:\n  chartes: [c.yaml]\n", encoding="utf-8")
    with pytest.raises(InvalidDataError) as caught:
        load_scenario(f)
    assert "public « relogement » hors des profils" in caught.value.report()
