"""``mixite objectifs``, ``mixite demandes``, ``mixite plafonds``, ``mixite modele``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixite.cli.sortie import afficher, avec_bandeau, ecrire
from mixite.cli.types import (
    date_fr,
    entier_naturel,
    entier_positif,
    positif,
    pourcentage,
)
from mixite.core import cotation, plafonds, priorites
from mixite.core.model import USER_TABLES, oecd_consumption_units
from mixite.core.objectifs import publics_des_attributions, repartir, suivre
from mixite.core.secret import THRESHOLD, Count, apply_secrecy
from mixite.core.validation import format_int
from mixite.errors import ReferenceDataError
from mixite.io import refdata
from mixite.io.config import CHARTER_PRESETS, load_charter, load_grid, load_priority_catalogue
from mixite.io.queries import allocations_in_context
from mixite.io.store import Store

StoreArg = Callable[[argparse.ArgumentParser], None]


def add_parsers(sub: argparse._SubParsersAction[Any], store_arg: StoreArg) -> None:
    parser_class = sub._parser_class

    obj = sub.add_parser(
        "objectifs",
        help="objectifs d'attribution : suivi, répartition",
        description="Suivi des objectifs d'une charte et répartition d'un objectif entre territoires.",
    )
    osub = obj.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=parser_class
    )
    follow = osub.add_parser(
        "suivi", help="tableau de suivi des objectifs d'une charte (secret appliqué)"
    )
    follow.add_argument(
        "--charte", required=True, help="fichier YAML ou modèle : " + ", ".join(CHARTER_PRESETS)
    )
    follow.add_argument(
        "--date",
        type=date_fr,
        help="date de référence (défaut : dernière commission)",
    )
    follow.add_argument("--sortie", type=Path, help="écrire le tableau (.csv ou .xlsx)")
    follow.add_argument(
        "--liste",
        default="dalo",
        help="liste de critères qui définit « prioritaire » pour comparer aux fiches (défaut : dalo)",
    )
    follow.add_argument(
        "--nominatif",
        metavar="PERIMETRE",
        help="écrire aussi la liste des attributions dont le drapeau « prioritaire » de la "
        "fiche diffère des critères (epci:CODE ; journalisé)",
    )
    store_arg(follow)
    split = osub.add_parser("repartir", help="répartir un objectif entre les territoires de l'EPCI")
    split.add_argument(
        "--cible",
        type=pourcentage,
        default=40.0,
        help="part des attributions visée, en %% (défaut 40)",
    )
    split.add_argument(
        "--min", type=pourcentage, default=0.0, help="part minimale par territoire, en %%"
    )
    split.add_argument(
        "--max", type=pourcentage, default=100.0, help="part maximale par territoire, en %%"
    )
    split.add_argument("--sortie", type=Path, help="écrire la répartition (.csv ou .xlsx)")
    store_arg(split)

    dem = sub.add_parser(
        "demandes",
        help="critères de priorité et cotation des demandes",
        description="Critères de priorité remplis par chaque demande, et cotation.",
    )
    dsub = dem.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=parser_class
    )
    prio = dsub.add_parser("priorites", help="critères de priorité remplis, avec leurs motifs")
    cot = dsub.add_parser(
        "cotation",
        help="score de chaque demande, position et délai d'attente des demandes similaires",
    )
    for p in (prio, cot):
        p.add_argument(
            "--catalogue", type=Path, help="catalogue YAML des critères (défaut : celui de mixite)"
        )
        p.add_argument(
            "--liste",
            default=None,
            help="liste de critères définissant « prioritaire » (dalo, lille_13…)",
        )
        p.add_argument(
            "--delai-anormalement-long",
            type=positif,
            help="délai anormalement long du département, en mois (DALO-7)",
        )
        p.add_argument("--date", type=date_fr, help="date de référence (défaut : dernier dépôt)")
        p.add_argument("--sortie", type=Path, help="écrire le résultat (.csv ou .xlsx)")
        p.add_argument(
            "--nominatif",
            metavar="PERIMETRE",
            help="écrire aussi la liste des demandes avec leurs motifs, critères sensibles "
            "compris, pour un périmètre explicite : epci:CODE ou commune:CODE (résidence ou "
            "commune souhaitée) ; sans lui, --sortie n'écrit que des effectifs ; chaque export "
            "nominatif est journalisé dans la base",
        )
        store_arg(p)
    cot.add_argument(
        "--grille", type=Path, help="grille de cotation YAML (défaut : grille d'exemple)"
    )
    cot.add_argument(
        "--demande", help="afficher le détail d'une demande (ce qu'on doit dire au demandeur)"
    )

    ceil = sub.add_parser(
        "plafonds",
        help="catégorie, plafonds de ressources et premier quartile d'un ménage",
        description="Calcule la catégorie du ménage, ses plafonds PLAI/PLUS/PLS et, si ses ressources sont données, leur part du plafond PLUS et s'il est du premier quartile.",
    )
    ceil.add_argument("--millesime", type=int, required=True, help="année des plafonds")
    ceil.add_argument("--personnes", type=entier_positif, required=True, help="nombre de personnes")
    ceil.add_argument(
        "--moins-14",
        type=entier_naturel,
        default=0,
        help="enfants de moins de 14 ans (unités de consommation)",
    )
    ceil.add_argument(
        "--monoparental", action="store_true", help="adulte seul avec personne(s) à charge"
    )
    ceil.add_argument(
        "--jeune-menage",
        action="store_true",
        help="couple dont la somme des âges est au plus 55 ans",
    )
    ceil.add_argument(
        "--handicap", action="store_true", help="personne en situation de handicap dans le ménage"
    )
    ceil.add_argument(
        "--zone", type=int, default=3, choices=(1, 2, 3), help="zone des plafonds (défaut 3)"
    )
    ceil.add_argument(
        "--ressources", type=positif, help="ressources annuelles (revenu fiscal de référence), en €"
    )
    ceil.add_argument(
        "--epci",
        default="200093201",
        help="SIREN de l'EPCI pour le premier quartile (défaut : MEL)",
    )

    model = sub.add_parser(
        "modele",
        help="écrire un modèle de fichier à remplir",
        description="Écrit le modèle Excel d'un type d'import (colonnes, listes, aide), vierge "
        "ou avec des lignes d'exemple ; il s'importe tel quel avec « mixite importer ».",
    )
    model.add_argument(
        "quoi",
        choices=[*TEMPLATE_KINDS, "fiche-attribution", *DICTIONARY_KINDS],
        help="type d'import (fiche-attribution = attributions)",
    )
    model.add_argument("--sortie", type=Path, help="fichier Excel à écrire (défaut : TYPE.xlsx)")
    model.add_argument(
        "--exemple",
        action="store_true",
        help="remplir quelques lignes d'exemple (tirées du jumeau synthétique)",
    )


def _notes(frame: pd.DataFrame, extra: list[str]) -> list[str]:
    notes = avec_bandeau(extra, frame)
    notes.append(
        f"Secret statistique : aucune case ne décrit moins de {THRESHOLD} ménages (cases masquées vides ou « s »)"
    )
    return notes


def _show(frame: pd.DataFrame, limit: int = 60) -> None:
    afficher(frame, limit=limit)


def run_objectifs(args: argparse.Namespace) -> int:
    store: Store = args.store
    if args.action == "suivi":
        charter = load_charter(args.charte)
        allocations = allocations_in_context(store)
        if allocations.empty:
            raise ValueError(
                "aucune attribution dans la base ; importez les fiches attribution ou lancez « mixite demo »"
            )
        ref = args.date or pd.to_datetime(allocations["date_cal"]).max().date()
        enriched = publics_des_attributions(
            allocations,
            refdata.plafonds_ressources(),
            refdata.premier_quartile(),
            epci=charter.epci,
            zone=charter.zone_plafonds,
        )
        result = suivre(enriched, charter, reference=ref)
        notes = _notes(
            allocations,
            [
                f"Charte : {charter.nom} ({charter.fondement})",
                f"Date de référence : {ref.isoformat()}",
            ],
        )
        notes += [f"Objectif {o.code} : {o.describe()}" for o in charter.objectifs]
        notes.append(
            "Intervalle de confiance : Wilson à 95 % ; attributions attendues au rythme observé depuis le début de la période"
        )
        disagreements, summary_line = _priority_disagreements(store, allocations, args.liste)
        notes.append(summary_line)
        for n in notes:
            print(n)
        print()
        table = result.french()
        _show(table, limit=80)
        missed = result.table[result.table["statut"] != "atteint"]
        print(
            f"\n{len(missed)} ligne(s) « à risque » ou « manqué » ; {result.suppressed} case(s) masquée(s)."
        )
        files = {"Suivi des objectifs": table}
        if args.nominatif:
            if args.nominatif.partition(":")[0] != "epci":
                raise ValueError(
                    f"périmètre « {args.nominatif} » invalide pour le suivi ; attendu : epci:CODE"
                )
            files["Prioritaires - écarts"] = disagreements
            notes.append(
                _journal(
                    store,
                    args.nominatif,
                    "objectifs suivi, écarts",
                    len(disagreements),
                    args.sortie,
                )
            )
        ecrire(args.sortie, files, notes)
        return 0
    territories = territory_inputs(store)
    split = repartir(
        territories, share=args.cible / 100, minimum=args.min / 100, maximum=args.max / 100
    )
    notes = _notes(store.read("attributions", ["synthetique"]), [f"Règle : {split.rule}"])
    for n in notes:
        print(n)
    print()
    table = split.table.rename(columns=SPLIT_TITLES)
    _show(table)
    ecrire(args.sortie, {"Répartition": table}, notes)
    return 0


SPLIT_TITLES = {
    "territoire": "territoire",
    "demandes": "demandes actives",
    "vacances_attendues": "attributions attendues (12 derniers mois)",
    "fragilite": "fragilité (part des occupants sous 40 % du PLUS, %)",
    "pression": "pression (demandes par attribution)",
    "facteur_pression": "facteur pression",
    "facteur_fragilite": "facteur fragilité",
    "poids": "poids",
    "objectif": "objectif (attributions aux prioritaires)",
    "objectif_part": "objectif (% des attributions du territoire)",
    "borne": "borne atteinte",
}


def territory_inputs(store: Store) -> pd.DataFrame:
    """Per territory: active applications, allocations of the last 12 months, fragility."""
    communes = store.read("communes", ["code_commune", "code_territoire"]).dropna()
    to_territory = dict(
        zip(communes["code_commune"], communes["code_territoire"].astype(str), strict=True)
    )
    apps = store.read("demandes", ["statut", "communes_souhaitees", "code_commune_residence"])
    apps = apps[apps["statut"] == "active"]
    first = apps["communes_souhaitees"].fillna(apps["code_commune_residence"]).str.split(";").str[0]
    demand = first.map(to_territory).value_counts()
    allocations = allocations_in_context(store)
    last = pd.to_datetime(allocations["date_cal"])
    recent = allocations[last > last.max() - pd.DateOffset(months=12)]
    vacancies = recent["code_territoire"].astype(str).value_counts()
    occupants = store.query(
        "SELECT m.code_commune, m.nb_personnes, m.nb_adultes, m.nb_enfants, m.ressources_annuelles, m.millesime "
        "FROM menages m WHERE m.statut_occupation = 'locataire_social'"
    )
    year = int(occupants["millesime"].max())
    ceiling = plafonds.plafond_plus_des_menages(
        refdata.plafonds_ressources(),
        nb_personnes=occupants["nb_personnes"],
        nb_adultes=occupants["nb_adultes"],
        nb_enfants=occupants["nb_enfants"],
        millesime=year,
        zone=3,
    )
    under = plafonds.sous_40_pct_plus(occupants["ressources_annuelles"], ceiling)
    fragility = (
        pd.Series(under).groupby(occupants["code_commune"].map(to_territory).to_numpy()).mean()
        * 100
    )
    names = sorted(set(to_territory.values()))
    return pd.DataFrame(
        {
            "territoire": names,
            "demandes": [int(demand.get(t, 0)) for t in names],
            "vacances_attendues": [int(vacancies.get(t, 0)) for t in names],
            "fragilite": [float(fragility.get(t, np.nan)) for t in names],
        }
    )


def run_demandes(args: argparse.Namespace) -> int:
    store: Store = args.store
    catalogue = load_priority_catalogue(args.catalogue)
    apps = store.read("demandes")
    ref = args.date or pd.to_datetime(apps["date_depot"]).max().date()
    frame = priorites.derived_fields(
        apps, reference=ref, delai_anormalement_long_mois=args.delai_anormalement_long
    )
    criteria = (
        catalogue.select(args.liste)
        if args.action == "priorites"
        else tuple(catalogue.criteria.values())
    )
    result = priorites.evaluate(frame, criteria)
    notes = _notes(apps, [f"Date de référence : {ref.isoformat()}"])
    if args.delai_anormalement_long is None:
        notes.append(
            "DALO-7 non évalué : délai anormalement long non renseigné (--delai-anormalement-long)"
        )
    if args.action == "priorites":
        summary = pd.DataFrame(
            {
                "critère": [c.id for c in criteria],
                "libellé": [c.libelle for c in criteria],
                "référence": [c.reference for c in criteria],
                "demandes": [int(result.met[c.id].sum()) for c in criteria],
                "non évaluables": [int(result.not_evaluable[c.id]) for c in criteria],
            }
        )
        summary["demandes"] = apply_secrecy(summary, [Count("demandes")]).table["demandes"]
        for n in notes:
            print(n)
        print(
            f"Liste « {args.liste or 'tous les critères'} » : {int(result.prioritaire.sum())} demande(s) prioritaire(s) sur {len(apps)} ({result.prioritaire.mean():.1%}).\n"
        )
        _show(summary)
        if args.nominatif and not args.sortie:
            raise ValueError("--nominatif demande un fichier --sortie")
        if args.sortie:
            sheets = {"Critères": summary}
            extra = [
                f"Secret statistique : effectifs de 1 à {THRESHOLD - 1} demandes masqués",
                f"Critères sensibles (santé, handicap, violences) : {', '.join(c.id for c in criteria if c.sensible) or 'aucun'}",
            ]
            if args.nominatif:
                role, code, keep = _application_scope(args.nominatif, apps)
                detail = pd.DataFrame(
                    {
                        "id_demande": result.met.index,
                        "prioritaire": result.prioritaire.to_numpy(),
                        "motifs": result.reasons.to_numpy(),
                    }
                )[keep]
                sheets = {"Demandes": detail, **sheets}
                extra.append(
                    _journal(
                        store, f"{role}:{code}", "demandes priorites", len(detail), args.sortie
                    )
                )
            ecrire(args.sortie, sheets, [*notes, *extra])
        return 0
    grid = load_grid(args.grille)
    frame.index = result.met.index
    scores = cotation.score(frame, result.met, grid)
    info = cotation.applicant_information(frame, scores.score, reference=pd.Timestamp(ref))
    print(f"Grille : {grid.describe()}")
    if args.demande:
        if args.demande not in scores.score.index:
            raise ValueError(f"demande « {args.demande} » introuvable")
        print(f"\nDemande {args.demande}")
        print(f"  score : {scores.score[args.demande]:.1f} ({scores.explanation[args.demande]})")
        if args.demande in info.index:
            row = info.loc[args.demande]
            print(
                f"  position parmi les {int(row['demandes_similaires'])} demandes similaires actives ({row['groupe']}) : {int(row['position'])}"
            )
            print(
                f"  délai moyen d'attente des demandes similaires satisfaites (12 derniers mois) : {row['attente_moyenne_mois']:.1f} mois"
            )
        else:
            print("  demande non active : pas de position.")
        return 0
    by_group = (
        info.groupby("groupe")
        .agg(
            demandes=("score", "size"),
            score_median=("score", "median"),
            attente_moyenne_mois=("attente_moyenne_mois", "first"),
        )
        .reset_index()
    )
    _show(by_group)
    if args.nominatif and not args.sortie:
        raise ValueError("--nominatif demande un fichier --sortie")
    if args.sortie:
        files: dict[str, pd.DataFrame] = {"Par typologie": by_group}
        extra = [f"Grille : {grid.describe()}"]
        if args.nominatif:
            role, code, keep = _application_scope(args.nominatif, apps)
            detail = info.assign(detail=scores.explanation.reindex(info.index)).reset_index(
                names="id_demande"
            )
            detail = detail[detail["id_demande"].isin(result.met.index[keep])]
            files = {"Cotation": detail, **files}
            extra.append(
                _journal(store, f"{role}:{code}", "demandes cotation", len(detail), args.sortie)
            )
        ecrire(args.sortie, files, [*notes, *extra])
    return 0


def _priority_disagreements(
    store: Store, allocations: pd.DataFrame, liste: str
) -> tuple[pd.DataFrame, str]:
    """Allocations whose form says « prioritaire » where the criteria computed on the
    application do not (or the reverse), and a one-line count for the notes."""
    if not store.has_table("demandes"):
        return pd.DataFrame(), "Drapeau « prioritaire » : pas de demandes dans la base, non comparé"
    catalogue = load_priority_catalogue(None)
    apps = store.read("demandes")
    ref = pd.to_datetime(apps["date_depot"]).max().date()
    frame = priorites.derived_fields(apps, reference=ref, delai_anormalement_long_mois=None)
    result = priorites.evaluate(frame, catalogue.select(liste))
    computed = pd.Series(result.prioritaire.to_numpy(), index=result.met.index)
    reasons = pd.Series(result.reasons.to_numpy(), index=result.met.index)
    linked = allocations.dropna(subset=["id_demande"])
    form = linked["prioritaire"].fillna(False).astype(bool).to_numpy()
    calc = linked["id_demande"].map(computed).fillna(False).astype(bool).to_numpy()
    differ = form != calc
    table = pd.DataFrame(
        {
            "id_attribution": linked["id_attribution"].to_numpy()[differ],
            "id_demande": linked["id_demande"].to_numpy()[differ],
            "prioritaire (fiche)": form[differ],
            f"prioritaire (critères, liste {liste})": calc[differ],
            "motifs des critères": linked["id_demande"].map(reasons).to_numpy()[differ],
        }
    )
    only_form, only_calc = int((form & ~calc).sum()), int((~form & calc).sum())
    line = (
        f"Drapeau « prioritaire » des fiches et critères calculés (liste {liste}) : "
        f"{int(differ.sum())} écart(s) sur {len(linked)} attributions liées à une demande "
        f"({only_form} prioritaires sur la fiche seulement, {only_calc} selon les critères "
        "seulement) ; la liste, nominative, s'écrit avec --nominatif epci:CODE"
    )
    return table, line


def _journal(store: Store, scope: str, what: str, rows: int, destination: Path) -> str:
    """Record a household-level export in the store's access journal; the note to print."""
    store.journal_access(
        perimetre=scope,
        objet=f"{what} (données nominatives, critères sensibles compris)",
        lignes=rows,
        destination=str(destination),
    )
    return f"Données nominatives, périmètre {scope} : diffusion restreinte ; export journalisé"


def _application_scope(spec: str, apps: pd.DataFrame) -> tuple[str, str, np.ndarray]:
    """Parse ``role:code`` and return which applications it may see."""
    role, _, code = spec.partition(":")
    if role not in ("epci", "commune") or not code:
        raise ValueError(
            f"périmètre « {spec} » invalide ; attendu : epci:CODE ou commune:CODE (ex. commune:59350)"
        )
    if role == "epci":
        return role, code, np.ones(len(apps), dtype=bool)
    wished = apps["communes_souhaitees"].astype("string").fillna("").str.split(";")
    keep = (apps["code_commune_residence"].astype("string") == code).to_numpy(
        dtype=bool
    ) | np.array([code in w for w in wished], dtype=bool)
    return role, code, keep


def run_plafonds(args: argparse.Namespace) -> int:
    table = refdata.plafonds_ressources()
    euros = format_int
    cat, extra = plafonds.categorie_menage(
        [args.personnes],
        adulte_seul_avec_charge=args.monoparental,
        jeune_menage=args.jeune_menage,
        handicap=args.handicap,
    )
    c, e = int(cat[0]), int(extra[0])
    more = f" + {e} personne(s) supplémentaire(s)" if e else ""
    print(f"Ménage de {args.personnes} personne(s) : catégorie {c}{more}")
    ceiling = {"financement": "PLUS", "zone": args.zone, "millesime": args.millesime}
    plus = int(
        plafonds.plafond_ressources(
            table, **ceiling, categorie=c, personnes_supplementaires=e
        ).item()
    )
    print(f"  plafond PLUS {args.millesime}, zone {args.zone} : {euros(plus)} €")
    try:
        ceiling["financement"] = "PLAI"
        plai = int(
            plafonds.plafond_ressources(
                table, **ceiling, categorie=c, personnes_supplementaires=e
            ).item()
        )
        print(f"  plafond PLAI : {euros(plai)} €")
    except ReferenceDataError:
        print(
            f"  plafond PLAI : absent des données de référence pour {args.millesime} (voir refdata/SOURCES.md)"
        )
    pls, derived = plafonds.plafond_pls(
        table,
        zone=args.zone,
        millesime=[args.millesime],
        categorie=[c],
        personnes_supplementaires=[e],
    )
    how = f" (déduit : {plafonds.PLS_RULE})" if derived[0] else ""
    print(f"  plafond PLS : {euros(int(pls[0]))} €{how}")
    if args.ressources is not None:
        cents = round(args.ressources * 100)
        share = plafonds.part_du_plafond([cents], [plus])[0]
        under = " : sous 40 %" if cents < 40 * plus else ""
        print(
            f"  ressources {euros(round(args.ressources))} € = {share:.1%} du plafond PLUS{under}"
        )
        uc = float(oecd_consumption_units([args.personnes], [args.moins_14])[0])
        threshold = plafonds.seuil_premier_quartile(
            refdata.premier_quartile(), epci=args.epci, millesime=args.millesime
        )
        q1 = bool(plafonds.premier_quartile([cents], [uc], seuil_eur=threshold)[0])
        verdict = "premier quartile" if q1 else "autres quartiles"
        print(
            f"  {euros(round(args.ressources / uc))} € par UC ({uc:g} UC) ; seuil du premier quartile "
            f"{args.millesime} de l'EPCI {args.epci} : {euros(round(threshold))} € → {verdict}"
        )
    return 0


#: The kinds with a template: the entity tables a user fills in.
TEMPLATE_KINDS = USER_TABLES
#: Published formats (RPLS, OPS, SNE) also get a template under their official names.
DICTIONARY_KINDS = ("rpls", "ops", "ops-agregats", "sne-demandes", "sne-attributions")


def run_modele(args: argparse.Namespace) -> int:
    from mixite.core.model import TABLES_BY_NAME
    from mixite.io.dictionnaires import KINDS, charger, table_modele
    from mixite.io.template import write_template

    kind = "attributions" if args.quoi == "fiche-attribution" else args.quoi
    path = args.sortie or Path(f"{args.quoi}.xlsx")
    example = None
    if args.exemple:
        from mixite.io import refdata
        from mixite.twin.build import build_twin
        from mixite.twin.params import TwinParameters

        twin = build_twin(
            refdata.mel_sources(),
            refdata.plafonds_ressources(),
            refdata.premier_quartile(),
            TwinParameters(scale=0.01),
        )
        if kind in KINDS:
            from mixite.io.exemples_publies import exemple

            example = exemple(kind, twin.tables).head(5)
        else:
            example = twin.tables[kind].head(5)
    if kind in KINDS:
        target = {"ops": "menages", "sne-demandes": "demandes", "sne-attributions": "attributions"}
        model_table = TABLES_BY_NAME.get(target.get(kind, ""))
        write_template(table_modele(charger(KINDS[kind]), model_table), path, example=example)
    else:
        write_template(TABLES_BY_NAME[kind], path, example=example)
    what = "avec 5 lignes d'exemple (jumeau synthétique)" if args.exemple else "vierge"
    print(
        f"Modèle « {kind} » écrit, {what} : {path} (feuilles Fiche, Listes, Aide). "
        f"Importez-le ensuite avec « mixite importer {kind} {path.name} »."
    )
    return 0
