"""``mixite plan calculer|expliquer``: the best allocation plan of a past year under the
charters, and what each objective costs or conflicts with — a reading aid, never a
decision."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

AVERTISSEMENT = (
    "Aide à la lecture pour la commission et la conférence intercommunale : ce plan n'est "
    "pas une décision ; chaque attribution reste décidée par la commission, logement par "
    "logement."
)


def add_parser(sub: Any, store_arg: Any) -> None:
    p = sub.add_parser(
        "plan",
        help="plan d'attribution sous objectifs de mixité (optimisation exacte, explications)",
        description=AVERTISSEMENT,
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (
        ("calculer", "le meilleur plan de l'année : paires proposées, objectifs, écart au réalisé"),
        ("expliquer", "le prix de chaque objectif et les objectifs en conflit"),
    ):
        a = actions.add_parser(name, help=text, description=f"{text[0].upper()}{text[1:]}. {AVERTISSEMENT}",
                               epilog=f"Exemple : mixite plan {name} --periode 2025 --charte loi-2017 "
                               "--sortie plan.xlsx")  # fmt: skip
        a.add_argument(
            "--periode",
            type=int,
            required=True,
            help="année (AAAA) dont les logements attribués sont répartis",
        )
        a.add_argument(
            "--charte",
            action="append",
            help="charte (loi-2017, lille, pecquencourt ou fichier YAML) ; répétable ; défaut loi-2017",
        )
        a.add_argument(
            "--contraintes",
            type=Path,
            help="réglages du plan (YAML, défaut plan.yaml : poids, candidats par logement…)",
        )
        a.add_argument("--sortie", type=Path, help="fichier .xlsx, .csv ou .parquet")
        a.add_argument("--remplacer", action="store_true", help="remplacer un fichier existant")
        store_arg(a)


def _donnees(args: argparse.Namespace) -> Any:
    from mixite.io.config import load_plan
    from mixite.io.plan import charger

    if args.sortie is not None and args.sortie.exists() and not args.remplacer:
        raise ValueError(
            f"{args.sortie} existe déjà ; choisissez un autre nom ou ajoutez --remplacer"
        )
    rules = load_plan(args.contraintes)
    return charger(args.store, args.periode, tuple(args.charte or ["loi-2017"]), rules)


def paires_proposees(donnees: Any, choisies: np.ndarray) -> pd.DataFrame:
    """The proposed pairs with the reasons each was possible and weighed."""
    from mixite.plan.resolution import choix

    p = donnees.probleme
    v, a = choix(p, choisies)
    vac, dem = p.vacances.iloc[v].reset_index(drop=True), p.demandes.iloc[a].reset_index(drop=True)
    first = (
        vac["code_commune"].astype(str).to_numpy()
        == dem["communes_souhaitees"].astype(str).str.split(";").str[0].to_numpy()
    )
    reasons = [
        "; ".join(r for r in (
            "éligible : plafond de ressources, taille, vœux (commune, type, loyer)",
            "ménage prioritaire" if prio else "",
            f"{cot:g} points de cotation", f"{anc:g} mois d'ancienneté",
            "première commune souhaitée" if f else "",
        ) if r)
        for prio, cot, anc, f in zip(dem["prioritaire"], dem["cotation"].fillna(0),
                                     dem["anciennete_mois"].fillna(0), first, strict=True)
    ]  # fmt: skip
    return pd.DataFrame({
        "logement": vac["id_logement"], "date": vac["date"].dt.date, "commune": vac["code_commune"],
        "bailleur": vac["code_bailleur"], "contingent": vac["contingent"], "en QPV": vac["en_qpv"],
        "demande": dem["id_demande"], "prioritaire": dem["prioritaire"], "cotation": dem["cotation"],
        "ancienneté (mois)": dem["anciennete_mois"], "motifs": reasons,
    }).sort_values(["date", "logement"])  # fmt: skip


def comparaison(donnees: Any, choisies: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan's figures beside the allocations actually made, and each objective row
    in both."""
    from mixite.plan.resolution import choix, mesures, parts

    p = donnees.probleme
    v, a = choix(p, choisies)
    figures = pd.DataFrame({"meilleur plan": mesures(p, v, a),
                            "attributions réalisées": mesures(p, donnees.observe_v, donnees.observe_a)})  # fmt: skip
    figures["écart"] = figures["meilleur plan"] - figures["attributions réalisées"]
    plan, observed = parts(p, v, a), parts(p, donnees.observe_v, donnees.observe_a)
    rows = plan[["objectif", "ventilation", "cible (%)", "sens"]].copy()
    rows["part du plan (%)"] = plan["part (%)"]
    rows["plan respecte"] = plan["respecté"].map({True: "oui", False: "non"})
    rows["part réalisée (%)"] = observed["part (%)"]
    rows["réalisé respecte"] = observed["respecté"].map({True: "oui", False: "non"})
    return figures.reset_index(names="indicateur"), rows


def run(args: argparse.Namespace) -> int:
    from mixite.cli.sortie import ecrire
    from mixite.plan.resolution import resoudre

    donnees = _donnees(args)
    p = donnees.probleme
    print(AVERTISSEMENT)
    print(f"Modèle : {p.taille} ; candidats par logement : {p.regles.candidats_par_logement}.")
    if p.regles.abordabilite:
        from mixite.io.config import load_commission
        from mixite.plan.abordabilite import resoudre_abordable

        print(f"Abordabilité après APL (OpenFisca-France) : calcul des {len(p.paires)} paires…")
        affordable = resoudre_abordable(p, load_commission(None), donnees.annee)
        plan, p = affordable.plan, affordable.probleme
        donnees = replace(donnees, probleme=p)  # every later solve without those pairs
        print(f"  {affordable.verifiees} paires calculées en {affordable.duree_apl_s:.0f} s, "
              f"{affordable.interdites} écartées (taux d'effort ou reste à vivre).")  # fmt: skip
    else:
        plan = resoudre(p)
    print(
        f"Résolution (HiGHS) : {plan.statut}, écart d'optimalité {plan.ecart * 100:.3f} %, {plan.duree_s:.1f} s."
    )
    figures, rows = comparaison(donnees, plan.choisies)
    if args.action == "calculer":
        print(figures.to_string(index=False))
        print(rows.to_string(index=False))
        sheets = {"paires proposées": paires_proposees(donnees, plan.choisies), "objectifs": rows,
                  "plan et réalisé": figures}  # fmt: skip
    else:
        from mixite.plan.explication import conflits, prix

        prices = prix(p, plan)
        for x in prices:
            print("- " + x.phrase())
        floor, reached, conflict = conflits(p)
        if conflict:
            print(f"Les objectifs ne tiennent pas tous ensemble : sans eux, {floor} logements seraient "
                  f"attribués ; avec eux, {reached}. Le plus petit ensemble d'objectifs en conflit : "
                  + " ; ".join(c.describe() for c in conflict) + ".")  # fmt: skip
        else:
            print(f"Tous les objectifs tiennent ensemble : le meilleur plan attribue {reached} logements "
                  f"avec eux, {floor} sans eux (à la tolérance de résolution près).")  # fmt: skip
        price_table = pd.DataFrame([{"objectif": x.objectif, "libellé": x.libelle, **x.ecart.to_dict(),
                                     "écart de valeur": x.gain, "tolérance": x.incertitude,
                                     "lecture": x.phrase()} for x in prices])  # fmt: skip
        conflict_table = pd.DataFrame({"objectif en conflit": [c.describe() for c in conflict]})
        sheets = {"prix des objectifs": price_table, "conflits": conflict_table, "objectifs": rows,
                  "plan et réalisé": figures}  # fmt: skip
    notes = [AVERTISSEMENT, f"Année {donnees.annee} ; {p.taille}",
             f"HiGHS : {plan.statut}, écart {plan.ecart * 100:.3f} %",
             "Document nominatif (identifiants de demandes) : diffusion restreinte"]  # fmt: skip
    ecrire(args.sortie, sheets, notes)
    return 0
