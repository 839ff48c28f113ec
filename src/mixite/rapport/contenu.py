"""What the « état du peuplement » says, as data: sections of paragraphs, tables and
maps, each with its sources. Every figure comes from the published tables (secrecy
applied) by the same functions as the command line and the platform."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from mixite.io.store import Store
from mixite.observatoire.indicateurs import CATALOGUE, TOTAL
from mixite.rapport.audit import cellules, cellules_tableau

Niveau = Literal["epci", "commune", "bailleur", "operation"]

#: The communes' indicators a printed page has room for (the platform shows them all).
COLONNES_COMMUNES = (
    "ménages (ménages)", "taux de pauvreté (% des personnes)",
    "médiane du niveau de vie (€ par an et par UC)", "taux de logement social (% des ménages)",
    "ménages sous 40 % du plafond PLUS (% des ménages)",
    "familles monoparentales (% des ménages)",
)  # fmt: skip


@dataclass(frozen=True)
class Tableau:
    titre: str
    table: pd.DataFrame
    #: What a missing cell shows: « s » (secret) in published tables.
    vide: str = "s"
    #: The count cells it prints, for the audit (:func:`mixite.rapport.audit.cellules`).
    cellules: pd.DataFrame | None = None


@dataclass(frozen=True)
class Carte:
    titre: str
    svg: bytes
    alternative: str


@dataclass(frozen=True)
class Section:
    titre: str
    paragraphes: list[str] = field(default_factory=list)
    tableaux: list[Tableau] = field(default_factory=list)
    cartes: list[Carte] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: Printed on landscape pages (wide tables).
    paysage: bool = False


@dataclass(frozen=True)
class Rapport:
    titre: str
    territoire: str
    date: dt.date
    precedent: dt.date
    bandeau: str | None
    sections: list[Section]
    #: What the secrecy audit of the whole document checked (:mod:`mixite.rapport.audit`).
    verification: str | None = None

    def cellules(self) -> pd.DataFrame:
        """Every count cell the report prints (:mod:`mixite.rapport.audit`)."""
        from mixite.rapport.audit import COLONNES

        parts = [t.cellules for s in self.sections for t in s.tableaux if t.cellules is not None]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLONNES)


def _nom(store: Store, niveau: Niveau, code: str) -> str:
    if niveau == "bailleur":
        landlord = store.query("SELECT nom FROM bailleurs WHERE code_bailleur = ?", [code])
        if landlord.empty:
            raise ValueError(f"bailleur {code} absent de la base")
        return f"{landlord['nom'].iloc[0]} ({code})"
    if niveau == "commune":
        names = store.read_if_exists("communes", ["code_commune", "nom"])
        found = names.loc[names["code_commune"].astype(str) == code, "nom"]
        if found.empty:
            raise ValueError(f"commune {code} absente de la base")
        return f"{found.iloc[0]} ({code})"
    epci = store.read_if_exists("epci", ["code_epci", "nom"])
    found = epci.loc[epci["code_epci"].astype(str) == code, "nom"]
    return str(found.iloc[0]) if len(found) else f"EPCI {code}"


class SecretNonRespecteError(ValueError):
    """The audit found printed cells that break statistical secrecy: nothing is written."""

    def __init__(self, problemes: pd.DataFrame) -> None:
        self.problemes = problemes
        lines = [f"{r.niveau} {r.zone}, {r.mesure} : {r.probleme}"
                 for r in problemes.head(5).itertuples()]  # fmt: skip
        super().__init__(
            f"le rapport ne respecte pas le secret statistique ({len(problemes)} case(s)) ; "
            "rien n'est écrit : " + " ; ".join(lines)
        )


def construire(
    store: Store,
    niveau: Niveau,
    code: str,
    date: dt.date,
    precedent: dt.date | None = None,
) -> Rapport:
    """The report of one territory (``epci`` code or ``commune`` code, a landlord's, a
    renewal operation's) at ``date``; ``precedent`` defaults to six months earlier.

    The whole document is audited as one release before it is returned
    (:func:`mixite.rapport.audit.auditer`): :class:`SecretNonRespecteError` when a printed
    cell, or one found from them by difference, describes 1 to 10 households."""
    from dataclasses import replace

    from mixite.cli.sortie import nombre_fr
    from mixite.rapport.audit import auditer

    report = _contenu(store, niveau, code, date, precedent)
    cells = report.cellules()
    problems = auditer(store, cells)
    if len(problems):
        raise SecretNonRespecteError(problems)
    kinds = sorted({"ménages" if s.startswith("menages") else "parc social"
                    for s in cells["source"]})  # fmt: skip
    return replace(report, verification=(
        f"Secret statistique vérifié sur le document entier : ses {nombre_fr(len(cells), 0)} cases de "
        f"comptage ({', '.join(kinds) or 'aucune'}) ont été relues ensemble ; aucune ne décrit "
        "moins de 11 ménages et aucune case masquée de moins de 11 ménages ne peut être "
        "retrouvée par différence entre tableaux, niveaux géographiques ou millésimes."
    ))  # fmt: skip


def _contenu(
    store: Store, niveau: Niveau, code: str, date: dt.date, precedent: dt.date | None
) -> Rapport:
    from mixite.cli.sortie import bandeau
    from mixite.plateforme import donnees

    previous = precedent or (pd.Timestamp(date) - pd.DateOffset(months=6)).date()
    if niveau == "bailleur":
        return _rapport_bailleur(store, code, date, previous)
    if niveau == "operation":
        return _rapport_operation(store, code, date, previous)
    from mixite.io.publication import evolution_significative

    communes = frozenset({code}) if niveau == "commune" else None
    territoire = _nom(store, niveau, code)
    pub = donnees.publication(store)
    tests = evolution_significative(store, communes)
    sections = [
        _chiffres(store, communes, territoire, tests),
        _cartes(store, date, niveau),
        _parc(store, communes, date, previous),
        _objectifs(store),
        _segregation(store, communes, tests),
        *_quartiers(store, communes, date, previous),
    ]
    if niveau == "epci" and store.has_table("relogements") and store.count("relogements"):
        sections.append(_relogement(store))
    return Rapport(
        titre=f"État du peuplement — {territoire}",
        territoire=territoire,
        date=date,
        precedent=previous,
        bandeau=bandeau(pub.menages),
        sections=sections,
    )


#: Read beside a p-value.
LECTURE_TEST = (
    "Une variation est dite significative quand le test de permutation apparié (moteur "
    "d'indices de mixite) la rend improbable sans changement réel : les deux millésimes de "
    "chaque IRIS sont échangés au hasard ({tirages} tirages, {unites} IRIS) et la variation "
    "observée est dépassée moins de 5 fois sur 100 (p < 0,05)."
)


def _lecture_test(tests: pd.DataFrame) -> str:
    return LECTURE_TEST.format(tirages=tests.attrs["tirages"], unites=tests.attrs["unites"])


def _chiffres(store: Store, communes: frozenset[str] | None, territoire: str,
              tests: pd.DataFrame | None) -> Section:  # fmt: skip
    from mixite.observatoire.evolution import verdict
    from mixite.observatoire.indicateurs import CATALOGUE
    from mixite.plateforme import cartes, donnees

    figures, table, notes = donnees.chiffres_cles(store, communes)
    changes, years = cartes.evolution(store, communes)
    key = pd.DataFrame(figures, columns=["indicateur", "valeur"])
    pub = donnees.publication(store)
    level = "code_epci" if communes is None else "code_commune"
    zone = (pub.tables["code_epci"].drop(index=TOTAL, errors="ignore").index[0]
            if communes is None else sorted(communes)[0])  # fmt: skip
    row = pub.tables[level].loc[zone]
    shown = ("menages", "taux_pauvrete", "locataires_sociaux", "sous_40_plus")
    tables = [Tableau(f"Chiffres clés — {territoire}", key, cellules=cellules(
        f"menages/{pub.millesime}", level, zone, {c: row[c] for c in shown}))]  # fmt: skip
    paragraphs = []
    if len(years) > 1:
        if tests is not None:
            codes = {f"{i.libelle} ({i.unite})": i.code for i in CATALOGUE}
            p_values = {str(k): float(v) for k, v in tests["p"].items()}
            changes = changes.assign(**{"variation significative (5 %)": [
                verdict(p_values[codes[label]])
                if codes.get(label) in p_values and pd.notna(value) else "—"
                for label, value in zip(changes["indicateur"], changes["évolution"], strict=True)
            ]})  # fmt: skip
        by_label = changes.set_index("indicateur")
        printed = pd.concat([
            cellules(f"menages/{year}", level, zone,
                     {CODES[label]: by_label.loc[label, str(year)] for label in by_label.index})
            for year in (years[0], years[-1])
        ])  # fmt: skip
        tables.append(Tableau(f"Évolution de {years[0]} à {years[-1]}", changes, cellules=printed))
        paragraphs.append(
            "Les deux millésimes sont publiés ensemble : une variation qui ne porterait que "
            "sur 1 à 10 ménages reste masquée."
        )
        if tests is not None:
            paragraphs.append(_lecture_test(tests))
    else:
        paragraphs.append(
            f"La base ne contient qu'un millésime de ménages ({years[0]}) : l'évolution "
            "sera donnée quand un second millésime aura été importé."
        )
    if communes is None:
        keep = [c for c in table.columns if c in COLONNES_COMMUNES or not c.endswith(")")]
        printed = cellules_tableau(table[keep], f"menages/{pub.millesime}", "code_commune",
                                   "code commune", CODES)  # fmt: skip
        tables.append(Tableau("Indicateurs publiés par commune", table[keep], cellules=printed))
    return Section("Chiffres clés", paragraphs, tables, [], notes)


def _cartes(store: Store, date: dt.date, niveau: Niveau) -> Section:
    from mixite.plateforme import cartes

    maps = [
        Carte("Indice de fragilité des communes", cartes.carte_fragilite(store, date),
              "Carte de l'indice de fragilité des communes en cinq classes."),
        Carte("Typologie des communes", cartes.carte_typologie(store, date=date),
              "Carte de la typologie d'Arras des communes."),
        Carte("Mixité sociale par carreaux de 200 m", cartes.carte_mixite(store, date),
              "Carte de la mixité sociale par carreaux de 200 m lissés."),
    ]  # fmt: skip
    paragraphs = [
        "Fragilité : indice composite du modèle lillois, classes de la plus fragile (1) à la "
        "moins fragile (5), sur les communes dont les indicateurs sont publiés.",
        "Typologie d'Arras : une commune est « à enjeux de rééquilibrage » quand deux axes ou "
        "plus sont en tension, « en alerte » avec un seul, « en veille » sinon.",
        "Mixité : un carreau est « pauvre » quand au moins 30 % des ménages sont parmi les 20 % "
        "aux plus bas revenus du territoire, « riche » symétriquement, « mixte » quand les deux "
        "groupes dépassent 20 % ; seuls les carreaux dont la fenêtre compte au moins 11 "
        "ménages sont dessinés.",
    ]
    return Section("Cartes du territoire", paragraphs, [], maps,
                   ["mixite, observatoire ; contours de la base"])  # fmt: skip


def _parc(store: Store, communes: frozenset[str] | None, date: dt.date,
          previous: dt.date) -> Section:  # fmt: skip
    from mixite.io.publication import parc_publie

    months = max(1, round((date - previous).days / 30.44))
    table, period = parc_publie(store, "code_commune", months, fin=date)
    if communes is not None:
        table = table[table["code_commune"].astype(str).isin(communes)]
    names = store.read_if_exists("communes", ["code_commune", "nom"])
    table.insert(1, "nom", table["code_commune"].astype(str).map(
        dict(zip(names["code_commune"].astype(str), names["nom"].astype(str), strict=False))
    ).fillna(""))  # fmt: skip
    table = table.rename(columns={"code_commune": "code commune", "nom": "commune"})
    printed = cellules_tableau(table, f"parc/{months}/{date:%Y-%m-%d}", "code_commune",
                               "code commune", _codes_parc(months))  # fmt: skip
    return Section(
        "Le parc social",
        [f"Logements sociaux, vacance et attributions de la période ({period}) ; la rotation "
         "rapporte les attributions aux logements."],
        [Tableau("Parc social par commune", table, cellules=printed)],
        [],
        ["RPLS et fiches attribution de la base ; secret statistique appliqué entre niveaux"],
    )  # fmt: skip


def _objectifs(store: Store) -> Section:
    from mixite.plateforme import donnees

    table, notes = donnees.table_objectifs(store, "loi-2017", None)
    return Section(
        "Attributions et objectifs légaux",
        ["Suivi des objectifs de la loi Égalité et citoyenneté (2017) : 25 % des attributions "
         "hors QPV aux ménages du premier quartile, 50 % en QPV aux autres ménages, et la part "
         "des ménages prioritaires ; statut, intervalle de confiance et ce qu'il reste à "
         "attribuer pour atteindre l'objectif."],
        [Tableau("Suivi des objectifs", table)],
        [],
        notes,
        paysage=True,
    )  # fmt: skip


def _relogement(store: Store) -> Section:
    from mixite.plateforme.donnees_relogement import relogement

    board, _, notes = relogement(store, None)
    if len(board) <= 4:  # one line per operation: read down the page, not across
        board = board.set_index(board.columns[0]).T.reset_index(names="indicateur")
        board.columns = [str(c) for c in board.columns]
    return Section(
        "Relogement des ménages des opérations de renouvellement",
        ["Avancement du relogement et situation des ménages relogés (taux d'effort, reste à "
         "vivre), par opération, secret statistique appliqué."],
        [Tableau("Tableau de bord du relogement", board)],
        [],
        notes,
    )  # fmt: skip


def lecture_d(d: float) -> str:
    """The plain-French reading of the dissimilarity index of poor households.

    >>> lecture_d(0.2634)
    'D = 0,26 : 26 % des ménages pauvres devraient changer d’IRIS pour que chaque IRIS compte la même part de ménages pauvres que le territoire.'
    """
    return (f"D = {d:.2f} : {round(d * 100)} % des ménages pauvres devraient changer d’IRIS "
            "pour que chaque IRIS compte la même part de ménages pauvres que le "
            "territoire.").replace("0.", "0,", 1)  # fmt: skip


def lecture_h(h: float) -> str:
    """The plain-French reading of the information-theory index H.

    >>> lecture_h(0.147)
    'H = 0,15 : la diversité (entropie) pauvres / autres d’un IRIS moyen est inférieure de 15 % à celle du territoire.'
    """
    return (f"H = {h:.2f} : la diversité (entropie) pauvres / autres d’un IRIS moyen est "
            f"inférieure de {round(h * 100)} % à celle du territoire.").replace("0.", "0,", 1)  # fmt: skip


def _segregation(store: Store, communes: frozenset[str] | None,
                 tests: pd.DataFrame | None) -> Section:  # fmt: skip
    """D and H of poor households between IRIS, and (EPCI) the split of M between
    communes and IRIS within communes: territory-wide summaries of every household."""
    from mixite.cli.sortie import nombre_fr
    from mixite.indices import segregation_indices
    from mixite.indices.decomposition import decompose_scales
    from mixite.plateforme import donnees

    pub = donnees.publication(store)
    h = pub.menages.assign(pauvres=pub.flags["pauvre"].to_numpy().astype(int))
    if communes is not None:
        h = h[h["code_commune"].astype(str).isin(communes).to_numpy()]
    units = (
        h.dropna(subset=["code_iris"])
        .groupby(["code_commune", "code_iris"])
        .agg(menages=("id_menage", "size"), pauvres=("pauvres", "sum"))
        .reset_index()
    )
    units["autres"] = units["menages"] - units["pauvres"]
    values = segregation_indices(
        units, group="pauvres", total="menages", indices=["dissimilarity", "entropy"]
    ).iloc[0]
    d, hh = float(values["dissimilarity"]), float(values["entropy"])
    paragraphs = [
        f"Ségrégation des ménages pauvres (sous le seuil de pauvreté) entre les "
        f"{len(units)} IRIS du territoire, {pub.millesime}.",
        lecture_d(d),
        lecture_h(hh),
    ]
    # Indices read to 3 decimals (the tables' numbers print with one): written out here.
    table = pd.DataFrame(
        {"indice": ["dissimilarité D", "entropie H"], "valeur": [nombre_fr(d, 3), nombre_fr(hh, 3)]}
    )
    tables = [Tableau("Indices de ségrégation entre IRIS", table)]
    if communes is None and units["code_commune"].nunique() > 1:
        dec = decompose_scales(units, groups=["pauvres", "autres"], levels=["code_commune"])
        between = float(dec.table["part"].iloc[0])
        paragraphs.append(
            f"Décomposition de l’indice d’information mutuelle M = {nombre_fr(dec.total_m, 3)} : "
            f"{round(between * 100)} % de la ségrégation se joue entre communes, "
            f"{round((1 - between) * 100)} % entre IRIS d’une même commune."
        )
        parts = pd.DataFrame({
            "échelle": ["entre communes", "entre IRIS d’une même commune"],
            "M": [nombre_fr(m, 4) for m in dec.table["m"]],
            "part de M (%)": (dec.table["part"] * 100).round(1).to_list(),
        })  # fmt: skip
        tables.append(Tableau("Décomposition de M entre échelles", parts))
    if tests is not None:
        from mixite.observatoire.evolution import INDICES, verdict

        first, last = tests.attrs["millesimes"]
        rows = tests.loc[list(INDICES)]
        tables.append(Tableau(f"Évolution de la ségrégation de {first} à {last}", pd.DataFrame({
            "indice": list(INDICES.values()),
            str(first): [nombre_fr(v, 3) for v in rows["avant"]],
            str(last): [nombre_fr(v, 3) for v in rows["apres"]],
            "variation (avant arrondi)": [nombre_fr(v, 3) for v in rows["variation"]],
            "variation significative (5 %)": [verdict(float(p)) for p in rows["p"]],
        })))  # fmt: skip
        paragraphs.append(_lecture_test(tests))
    return Section(
        "Ségrégation et échelles",
        paragraphs,
        tables,
        [],
        ["Indices calculés sur tous les ménages du territoire (moteur d’indices de mixite, "
         "vérifié contre PySAL) ; ils résument le territoire entier et ne décrivent aucune "
         "zone de moins de 11 ménages"],
    )  # fmt: skip


#: French labels of the observatory's indicators, with their unit, and back.
LIBELLES = {i.code: f"{i.libelle} ({i.unite})" for i in CATALOGUE}
CODES = {label: code for code, label in LIBELLES.items()}


def _codes_parc(months: int) -> dict[str, str]:
    """The stock table's printed headers → its count columns."""
    return {"logements sociaux": "logements", "logements vacants": "n_vacants",
            f"attributions ({months} mois)": "n_attributions"}  # fmt: skip


#: The indicators of a neighbourhood's page, beside its commune and the territory.
INDICATEURS_QUARTIER = (
    "menages", "personnes", "taux_pauvrete", "mediane_niveau_de_vie", "sous_40_plus",
    "monoparentales", "grandes_familles", "sans_actif_occupe", "locataires_sociaux",
)  # fmt: skip


def _quartiers(store: Store, communes: frozenset[str] | None, date: dt.date,
               previous: dt.date) -> list[Section]:  # fmt: skip
    """One page per priority neighbourhood (QPV) of the territory, then one per fragile
    neighbourhood outside the QPV (IRIS as fragile as a typical QPV one): its published
    indicators beside its commune's and the territory's, and its social stock."""
    from mixite.io.publication import parc_publie
    from mixite.observatoire.indicateurs import TOTAL
    from mixite.plateforme import donnees

    pub = donnees.publication(store)
    if "code_commune" not in pub.tables:
        return []
    territory = pub.tables["code_epci"].drop(index=TOTAL, errors="ignore").iloc[0]
    epci = str(territory.name)
    months = max(1, round((date - previous).days / 30.44))
    towns = store.read_if_exists("communes", ["code_commune", "nom"])
    names = dict(zip(towns["code_commune"].astype(str), towns["nom"].astype(str), strict=False))
    by_commune = pub.tables["code_commune"]
    stocks: dict[str, tuple[pd.DataFrame, str]] = {}

    def page(level: str, code: str, commune: str, title: str, intro: list[str],
             source: str) -> Section:  # fmt: skip
        if level not in stocks:  # one release, all levels: computed once per level
            table_, period_ = parc_publie(store, level, months, fin=date)
            stocks[level] = (table_.set_index(table_.columns[0]), period_)
        stock, period = stocks[level]
        own = pub.tables[level].loc[code]
        town = by_commune.loc[commune] if commune in by_commune.index else None
        table = pd.DataFrame({
            "indicateur": [LIBELLES[c] for c in INDICATEURS_QUARTIER],
            "quartier": [own[c] for c in INDICATEURS_QUARTIER],
            f"commune ({names.get(commune, commune)})":
                [town[c] if town is not None else None for c in INDICATEURS_QUARTIER],
            "intercommunalité": [territory[c] for c in INDICATEURS_QUARTIER],
        })  # fmt: skip
        source_pop = f"menages/{pub.millesime}"
        printed = pd.concat([
            cellules(source_pop, lv, z, dict(zip(INDICATEURS_QUARTIER, table[col], strict=True)))
            for lv, z, col in ((level, code, "quartier"), ("code_commune", commune, table.columns[2]),
                               ("code_epci", epci, "intercommunalité"))
        ])  # fmt: skip
        tables = [Tableau("Le quartier, sa commune et l'intercommunalité", table, cellules=printed)]
        if code in stock.index:
            line = stock.loc[[code]].reset_index(drop=True)
            tables.append(Tableau(
                f"Parc social du quartier (attributions {period})", line,
                cellules=cellules_tableau(line.assign(zone=code), f"parc/{months}/{date:%Y-%m-%d}",
                                          level, "zone", _codes_parc(months)),
            ))  # fmt: skip
        return Section(title, [*intro, SECRET_QUARTIER], tables, [], [source])

    pages = []
    qpv = store.read_if_exists("qpv", ["code_qpv", "nom", "code_commune"])
    if communes is not None:
        qpv = qpv[qpv["code_commune"].astype(str).isin(communes).to_numpy()]
    quartiers = pub.tables.get("code_qpv")
    for row in qpv.sort_values(["code_commune", "code_qpv"]).itertuples(index=False):
        code, commune = str(row.code_qpv), str(row.code_commune)
        if quartiers is None or code not in quartiers.index:
            continue
        town = names.get(commune, commune)
        pages.append(page(
            "code_qpv", code, commune,
            f"Quartier prioritaire : {row.nom} ({code})" + ("" if town in str(row.nom) else f", {town}"),
            [], "Périmètres des QPV de la base ; mêmes indicateurs que la partie 1",
        ))  # fmt: skip
    for iris_code, line in _fragiles(store, territory).iterrows():
        commune = str(line["code_commune"])
        if communes is not None and commune not in communes:
            continue
        pages.append(page(
            "code_iris", str(iris_code), commune,
            f"Quartier fragile hors QPV : {line['nom']} ({iris_code})"
            + ("" if (town := names.get(commune, commune)) in str(line["nom"]) else f", {town}"),
            [f"IRIS dont les ménages vivent pour la plupart hors QPV, aussi fragile qu'un quartier "
             f"prioritaire type : rang {int(line['rang'])} sur {line.attrs_n} IRIS de "
             f"l'intercommunalité à l'indice de fragilité (le plus fragile au rang 1), au moins "
             f"la médiane des IRIS situés en majorité en QPV.",
             f"Plus fragile que l'intercommunalité sur : {line['au_dessus']}."],
            "Indice de fragilité du modèle lillois sur les indicateurs publiés des IRIS",
        ))  # fmt: skip
    return pages


SECRET_QUARTIER = (
    "Indicateurs publiés du quartier (« s » : secret statistique, moins de 11 ménages ou "
    "case qui permettrait de retrouver une case masquée)."
)


def _fragiles(store: Store, territory: pd.Series) -> pd.DataFrame:
    """The fragile IRIS outside the QPV (:func:`quartiers_fragiles_hors_qpv`) on the IRIS'
    published indicators, with their name, commune, rank among ``attrs_n`` IRIS and the
    components on which they are more fragile than the ``territory``'s published row."""
    from mixite.io.config import load_fragility
    from mixite.observatoire.fragilite import quartiers_fragiles_hors_qpv
    from mixite.observatoire.indicateurs import TOTAL
    from mixite.plateforme import donnees

    pub = donnees.publication(store)
    iris = pub.tables.get("code_iris")
    if iris is None:
        return pd.DataFrame()
    zones = iris.drop(index=TOTAL, errors="ignore")
    zones = zones[zones["menages"].notna().to_numpy()]
    m = pub.menages
    in_qpv = m["code_qpv"].notna().groupby(m["code_iris"].astype(str)).mean()
    config = load_fragility(None)
    kept = quartiers_fragiles_hors_qpv(zones, in_qpv, config)
    info = store.read_if_exists("iris", ["code_iris", "nom", "code_commune"])
    info = info.set_index(info["code_iris"].astype(str))
    out = kept.assign(
        nom=info["nom"].reindex(kept.index).fillna("").astype(str).to_numpy(),
        code_commune=info["code_commune"].reindex(kept.index).astype(str).to_numpy(),
        au_dessus=[
            ", ".join(LIBELLES[c.indicateur].split(" (")[0]
                      + (" (au-dessus)" if c.sens == "+" else " (au-dessous)")
                      for c in config.composantes
                      if (1 if c.sens == "+" else -1)
                      * (zones.loc[code, c.indicateur] - territory[c.indicateur]) > 0)
            or "aucune composante"
            for code in kept.index
        ],
        attrs_n=len(zones),
    )  # fmt: skip
    return out


def _rapport_bailleur(store: Store, code: str, date: dt.date, previous: dt.date) -> Rapport:
    """A landlord's own report: its entrances one by one with their status and reasons
    (entrance detail is allowed in a landlord's own report), its stock by commune over
    the period, and its lines of the legal objectives."""
    from mixite.cli.sortie import bandeau
    from mixite.io.publication import parc_publie
    from mixite.plateforme import donnees

    nom = _nom(store, "bailleur", code)
    watch, notes = donnees.table_veille(store, code)
    counts = watch["statut"].value_counts().reindex(["fragile", "vigilance", "ok"], fill_value=0)
    summary = pd.DataFrame({"statut": counts.index, "entrées": counts.to_numpy()})
    alert = watch[watch["statut"].isin(["fragile", "vigilance"]).to_numpy()]
    sections = [Section(
        "La veille de vos entrées",
        [f"{len(watch)} entrées d'immeubles collectifs : {counts['fragile']} fragiles, "
         f"{counts['vigilance']} en vigilance, {counts['ok']} sans alerte. Les entrées "
         "fragiles et en vigilance sont listées avec leurs motifs (la liste complète est "
         "sur la plateforme, page Veille des entrées) ; ce détail n'est diffusé qu'au "
         "bailleur."],
        [Tableau("Entrées par statut", summary),
         Tableau("Vos entrées fragiles et en vigilance, une à une", alert, vide="—")],
        [], notes, paysage=True,
    )]  # fmt: skip
    months = max(1, round((date - previous).days / 30.44))
    stock, period = parc_publie(store, "code_commune", months, fin=date, bailleur=code)
    sections.append(Section(
        "Votre parc par commune",
        [f"Logements, vacance et attributions de la période ({period}), votre parc seulement."],
        [Tableau("Votre parc social par commune", stock, cellules=cellules_tableau(
            stock, f"parc/{months}/{date:%Y-%m-%d}/{code}", "code_commune", "code_commune",
            _codes_parc(months)))], [],
        ["RPLS et fiches attribution de la base ; secret statistique appliqué"],
    ))  # fmt: skip
    table, notes_obj = donnees.table_objectifs(store, "loi-2017", None)
    mine = table[(table["ventilation"] == f"bailleur {code}").to_numpy()]
    sections.append(Section(
        "Vos attributions et les objectifs légaux",
        ["Vos lignes du suivi des objectifs de la loi Égalité et citoyenneté (2017)."],
        [Tableau("Suivi des objectifs, vos attributions", mine)], [], notes_obj, paysage=True,
    ))  # fmt: skip
    return Rapport(
        titre=f"État du peuplement — {nom}", territoire=nom, date=date, precedent=previous,
        bandeau=bandeau(donnees.publication(store).menages), sections=sections,
    )  # fmt: skip


def _rapport_operation(store: Store, code: str, date: dt.date, previous: dt.date) -> Rapport:
    """A renewal operation's report: its relocation at the previous date and at this one,
    side by side, both dates published together (a change of 1 to 10 households stays
    secret), read down the page."""
    from mixite.cli.sortie import bandeau
    from mixite.core.relogement import household_figures
    from mixite.core.relogement.snapshots import compare_snapshots
    from mixite.io.config import load_relocation_settings

    records = store.read("relogements")
    records = records[(records["code_operation"].astype(str) == code).to_numpy()]
    if records.empty:
        raise ValueError(f"opération {code} absente de la base (table relogements)")
    settings = load_relocation_settings(None)
    figures = household_figures(records, settings.formula, reference_date=date,
                                recent_years=settings.recent_years)  # fmt: skip
    comparison = compare_snapshots(figures, settings.formula, previous, date,
                                   criteria=settings.criteria)  # fmt: skip
    changes = comparison.changes.set_index(comparison.changes.columns[0])
    table = changes.iloc[0].unstack(0)[[str(previous), str(date), "évolution"]]
    headers = comparison.second.headers
    table.index = [headers.get(str(m), str(m)) for m in table.index]
    table = table.reset_index(names="indicateur")
    table.columns = ["indicateur", f"au {previous:%d/%m/%Y}", f"au {date:%d/%m/%Y}", "évolution"]
    name = f"opération {code}"
    section = Section(
        f"Le relogement du {previous:%d/%m/%Y} au {date:%d/%m/%Y}",
        [f"Ménages à reloger et relogés, situation des ménages relogés (parc, logement, taux "
         f"d'effort, reste à vivre) et ménages fragiles, à chaque date ; formule : "
         f"{settings.formula.describe()}."],
        [Tableau("Les deux dates et l'évolution", table)],
        [],
        ["Suivi individuel du relogement de la base ; les deux dates sont publiées ensemble "
         "(secret statistique, y compris sur les évolutions)"],
    )  # fmt: skip
    sections = [section]
    operation = store.read_if_exists("operations", ["code_operation", "code_qpv"])
    qpv = operation.loc[operation["code_operation"].astype(str) == code, "code_qpv"].dropna()
    if len(qpv):
        sections.append(_quartier_avant_apres(store, str(qpv.iloc[0])))
    return Rapport(
        titre=f"État du relogement — {name}", territoire=name, date=date, precedent=previous,
        bandeau=bandeau(records), sections=sections,
    )  # fmt: skip


def _quartier_avant_apres(store: Store, qpv: str) -> Section:
    """The renewal neighbourhood's population at the first and latest vintages, from the
    release that publishes both together (a change of 1 to 10 households stays secret)."""
    from mixite.plateforme import donnees

    ev = donnees.deux_millesimes(store, "code_qpv")
    names = store.read_if_exists("qpv", ["code_qpv", "nom"])
    found = names.loc[names["code_qpv"].astype(str) == qpv, "nom"]
    title = f"{found.iloc[0]} ({qpv})" if len(found) else qpv
    last = ev.millesimes[-1]

    def values(frame: pd.DataFrame) -> pd.Series:  # NaN (« s ») when the zone is absent
        return frame.reindex([qpv])[list(INDICATEURS_QUARTIER)].iloc[0].reset_index(drop=True)

    table = pd.DataFrame({"indicateur": [LIBELLES[c] for c in INDICATEURS_QUARTIER]})
    if ev.premier is not None:
        first = ev.millesimes[0]
        table[str(first)] = values(ev.premier)
        text = (f"La population du quartier en {first} et en {last}, avant et pendant le "
                "relogement ; les deux millésimes sont publiés ensemble.")  # fmt: skip
    else:
        text = (f"La population du quartier en {last} ; la base ne contient qu'un millésime "
                "de ménages : la comparaison avant / après viendra avec le suivant.")  # fmt: skip
    table[str(last)] = values(ev.dernier)
    printed = pd.concat([
        cellules(f"menages/{year}", "code_qpv", qpv, dict(zip(INDICATEURS_QUARTIER, table[year], strict=True)))
        for year in table.columns[1:]
    ])  # fmt: skip
    return Section(
        f"Le quartier de l'opération : {title}",
        [text, SECRET_QUARTIER],
        [Tableau("Population du quartier par millésime", table, cellules=printed)],
        [],
        ["Ménages de la base par millésime, périmètre du QPV de l'opération"],
    )
