"""YAML settings files, checked with French errors that name the file, line and key."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from mixite.commission.eligibilite import Regles
from mixite.core.cotation import Grid
from mixite.core.objectifs.charte import (
    COMPARATEURS,
    PUBLICS,
    VENTILATIONS,
    Charte,
    Objectif,
    Perimetre,
)
from mixite.core.priorites import OPERATORS, Catalogue, Condition, Criterion
from mixite.core.relogement.criteria import KINDS, QualitativeCriterion
from mixite.core.relogement.formulas import ResteAVivreFormula
from mixite.core.validation import Problem
from mixite.errors import InvalidDataError
from mixite.observatoire.fragilite import NORMALISATIONS, Composante, ConfigFragilite
from mixite.observatoire.typologie import OPERATEURS, Axe, Regle, Typologie
from mixite.observatoire.veille import Variable
from mixite.plan.modele import Poids, ReglesPlan

T = TypeVar("T")


@dataclass(frozen=True)
class RelocationSettings:
    """The reste-à-vivre formula, the recent-dwelling age and the qualitative criteria."""

    formula: ResteAVivreFormula
    recent_years: int
    criteria: tuple[QualitativeCriterion, ...]
    source: str


def _read(path: Path | None, default: str) -> tuple[str, str]:
    """The settings text and the name shown in reports: ``path``, or the packaged default."""
    if path is None:
        text = (resources.files("mixite") / "data" / "config" / default).read_text("utf-8")
        return text, f"{default} (défaut)"
    return _read_file(path)


#: Settings files are small: anything larger is refused before it is parsed.
MAX_SETTINGS_BYTES = 256 * 1024
#: Deepest nesting of mappings and lists a settings file may have.
MAX_DEPTH = 20
#: Largest number a setting may hold.
MAX_NUMBER = 1e9
#: Keys whose numbers may be negative (a malus in the scoring grid; a typology rule on a
#: decline, « évolution < −3 % »). Every other number must be zero or more.
SIGNED_KEYS = frozenset({"refus_offre_adaptee", "seuil"})
NEGATIVE = "nombre positif ou nul attendu"
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")
)


def _refuse(
    source: str, rule: str, *, line: int = 0, key: str = "", value: str = ""
) -> InvalidDataError:
    return InvalidDataError.single(
        source, rule, row=line, column=key, value=value, action="reglages"
    )


def _read_file(path: Path, hint: str = "") -> tuple[str, str]:
    """A user's settings file; a missing, huge, empty or non-UTF-8 one is reported like
    any other bad input."""
    if not path.is_file():
        raise _refuse(path.name, f"fichier introuvable{hint}", value=str(path))
    size = path.stat().st_size
    if size > MAX_SETTINGS_BYTES:
        raise _refuse(
            path.name,
            f"fichier de réglages trop gros ({size // 1024} Ko ; au plus "
            f"{MAX_SETTINGS_BYTES // 1024} Ko)",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(path.name, "le fichier n'est pas en UTF-8") from exc
    if not text.strip():
        raise _refuse(path.name, "fichier de réglages vide ; partez d'un modèle de mixite")
    return text, path.name


def _read_preset(
    name_or_path: str | Path, folder: str, presets: tuple[str, ...]
) -> tuple[str, str]:
    """A packaged model of ``folder`` by its name, or a user's file."""
    if str(name_or_path) in presets:
        rel = f"{name_or_path}.yaml"
        text = (resources.files("mixite") / "data" / "config" / folder / rel).read_text("utf-8")
        return text, f"{rel} (modèle)"
    return _read_file(Path(name_or_path), " ; modèles : " + ", ".join(presets))


class _GuardedLoader(yaml.SafeLoader):
    """Composes a document without aliases (no « billion laughs ») and without deep
    nesting; tags and numbers are checked afterwards (:func:`_check_tree`)."""

    _depth = 0

    def _refuse_here(self, problem: str) -> yaml.composer.ComposerError:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        return yaml.composer.ComposerError(None, None, problem, mark)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise self._refuse_here("alias (*nom) interdit dans un fichier de réglages")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise self._refuse_here(f"imbrication trop profonde (au plus {MAX_DEPTH} niveaux)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose(text: str, source: str, problems: list[Problem] | None = None) -> yaml.Node:
    """The document's node tree. Unsafe input (aliases, deep nesting, tags, non-finite or
    huge numbers, duplicate keys) is refused at once; a negative number is added to
    ``problems`` when given (to be reported with the loader's own problems)."""
    try:
        loader = _GuardedLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise _refuse(source, f"YAML illisible : {problem}", line=line) from exc
    except RecursionError as exc:
        raise _refuse(source, "YAML illisible : imbrication trop profonde") from exc
    if node is None:  # only comments: not the defaults in disguise
        raise _refuse(source, "fichier de réglages vide ; partez d'un modèle de mixite")
    found: list[Problem] = []
    _check_tree(node, source, found, key="")
    hard = [p for p in found if p.rule != NEGATIVE]
    if hard or (found and problems is None):
        raise InvalidDataError(found[:50], total=len(found), source=source, action="reglages")
    if problems is not None:
        problems.extend(found)
    return node


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """A line reported by a loader's own rule loses the generic « negative » problem."""
    specific = {p.row for p in problems if p.rule != NEGATIVE}
    return [p for p in problems if p.rule != NEGATIVE or p.row not in specific]


def _check_tree(node: yaml.Node, source: str, problems: list[Problem], *, key: str) -> None:
    """Every tag plain, no key twice in a mapping, every number finite, within
    ±MAX_NUMBER and, unless its key is in SIGNED_KEYS, not negative."""
    line = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        rule = "étiquette YAML non autorisée (seules les valeurs simples le sont)"
        problems.append(Problem(line, key, str(node.tag)[:60], rule, source))
        return
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            name = str(k.value)
            if name in seen:
                problems.append(
                    Problem(k.start_mark.line + 1, name, "", "clé présente deux fois", source)
                )
            seen.add(name)
            _check_tree(k, source, problems, key=name)
            _check_tree(v, source, problems, key=name)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_tree(item, source, problems, key=key)
    elif node.tag.endswith((":int", ":float")):
        try:
            value = float(yaml.SafeLoader("").construct_object(node))
        except (OverflowError, ValueError):
            value = float("inf")
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            rule = f"nombre fini attendu, entre −{MAX_NUMBER:g} et {MAX_NUMBER:g}"
            problems.append(Problem(line, key, str(node.value)[:30], rule, source))
        elif value < 0 and key not in SIGNED_KEYS:
            problems.append(Problem(line, key, str(node.value), NEGATIVE, source))


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, int]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): (v, k.start_mark.line + 1) for k, v in node.value}


def _scalar(node: yaml.Node) -> Any:
    """The Python value of a composed node (safe constructors only)."""
    return yaml.SafeLoader("").construct_object(node, deep=True)


def load_relocation_settings(path: Path | None = None) -> RelocationSettings:
    """Read ``path`` (or the packaged default) into :class:`RelocationSettings`.

    Every problem is reported at once, with the line of the offending key.
    """
    text, source = _read(path, "relogement.yaml")
    problems: list[Problem] = []
    root = _mapping(_compose(text, source, problems))

    def bad(line: int, key: str, value: object, rule: str) -> None:
        problems.append(Problem(line, key, "" if value is None else str(value), rule, source))

    known = {"reste_a_vivre", "logement_recent_annees", "criteres"}
    for key, (_, line) in root.items():
        if key not in known:
            bad(line, key, None, "clé inconnue ; clés possibles : " + ", ".join(sorted(known)))

    rav: dict[str, Any] = {}
    allowed = {
        "par": ("personne", "uc"),
        "periode": ("jour", "mois"),
        "avec_charges": (True, False),
        "avec_apl": (True, False),
    }
    for key, (node, line) in _mapping(
        root.get("reste_a_vivre", (yaml.MappingNode("", []), 0))[0]
    ).items():
        value = _scalar(node)
        if key in allowed:
            if value not in allowed[key]:
                bad(
                    line,
                    f"reste_a_vivre.{key}",
                    value,
                    "valeurs possibles : " + ", ".join(map(str, allowed[key])),
                )
                continue
        elif key in ("jours_par_mois", "seuil_fragilite"):
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                bad(line, f"reste_a_vivre.{key}", value, "nombre positif attendu")
                continue
        else:
            bad(line, f"reste_a_vivre.{key}", None, "clé inconnue")
            continue
        rav[key] = value

    recent = 5
    if "logement_recent_annees" in root:
        node, line = root["logement_recent_annees"]
        value = _scalar(node)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            bad(line, "logement_recent_annees", value, "nombre entier d'années attendu")
        else:
            recent = value

    criteria: list[QualitativeCriterion] = []
    if "criteres" in root:
        node, line = root["criteres"]
        if not isinstance(node, yaml.SequenceNode):
            bad(line, "criteres", None, "liste de critères attendue")
        else:
            codes: set[str] = set()
            for item in node.value:
                fields = _mapping(item)
                item_line = item.start_mark.line + 1
                values = {k: _scalar(v) for k, (v, _) in fields.items()}
                missing = [k for k in ("code", "libelle", "type") if k not in values]
                if missing:
                    bad(
                        item_line,
                        "criteres",
                        None,
                        "champs obligatoires manquants : " + ", ".join(missing),
                    )
                    continue
                if values["type"] not in KINDS:
                    bad(
                        fields["type"][1],
                        "criteres.type",
                        values["type"],
                        "types possibles : " + ", ".join(KINDS),
                    )
                    continue
                if values["code"] in codes:
                    bad(
                        fields["code"][1],
                        "criteres.code",
                        values["code"],
                        "code de critère en double",
                    )
                    continue
                param = values.get("parametre", 0)
                if not isinstance(param, int | float) or isinstance(param, bool):
                    bad(fields["parametre"][1], "criteres.parametre", param, "nombre attendu")
                    continue
                codes.add(str(values["code"]))
                criteria.append(
                    QualitativeCriterion(
                        str(values["code"]),
                        str(values["libelle"]),
                        str(values["type"]),
                        float(param),
                    )
                )
    if problems:
        problems = _dedupe(problems)
        raise InvalidDataError(problems[:50], total=len(problems), source=source, action="reglages")
    return RelocationSettings(ResteAVivreFormula(**rav), recent, tuple(criteria), source)


def load_priority_catalogue(path: Path | None = None) -> Catalogue:
    """Read the priority-criteria catalogue (default: the packaged one), checked with lines."""
    text, source = _read(path, "criteres_priorite.yaml")
    root = _mapping(_compose(text, source))
    problems: list[Problem] = []
    criteria: dict[str, Criterion] = {}
    node_list = root.get("criteres")
    if node_list is None or not isinstance(node_list[0], yaml.SequenceNode):
        problems.append(
            Problem(
                node_list[1] if node_list else 1,
                "criteres",
                "",
                "liste de critères attendue",
                source,
            )
        )
    else:
        for item in node_list[0].value:
            fields = _mapping(item)
            line = item.start_mark.line + 1
            values = {k: _scalar(v) for k, (v, _) in fields.items()}
            missing = [k for k in ("id", "libelle", "famille", "reference") if k not in values]
            if missing:
                problems.append(
                    Problem(
                        line,
                        "criteres",
                        "",
                        "champs obligatoires manquants : " + ", ".join(missing),
                        source,
                    )
                )
                continue
            if values["id"] in criteria:
                problems.append(
                    Problem(line, "criteres.id", str(values["id"]), "identifiant en double", source)
                )
                continue
            groups: dict[str, list[Condition]] = {"tous": [], "au_moins_un": []}
            for group in groups:
                if group not in fields:
                    continue
                seq, gline = fields[group]
                if not isinstance(seq, yaml.SequenceNode):
                    problems.append(
                        Problem(
                            gline,
                            f"{values['id']}.{group}",
                            "",
                            "liste de conditions attendue",
                            source,
                        )
                    )
                    continue
                for cnode in seq.value:
                    cond = {k: _scalar(v) for k, (v, _) in _mapping(cnode).items()}
                    ops = [k for k in cond if k in OPERATORS]
                    cline = cnode.start_mark.line + 1
                    if "champ" not in cond or len(ops) != 1:
                        problems.append(
                            Problem(
                                cline,
                                f"{values['id']}.{group}",
                                str(cond),
                                "une condition a un « champ » et un opérateur parmi : "
                                + ", ".join(OPERATORS),
                                source,
                            )
                        )
                        continue
                    try:
                        groups[group].append(
                            Condition(
                                str(cond["champ"]), ops[0], cond[ops[0]], cond.get("champ_compare")
                            )
                        )
                    except ValueError:
                        problems.append(
                            Problem(
                                cline,
                                f"{values['id']}.{group}",
                                str(cond),
                                "donner une valeur ou un champ_compare, pas les deux",
                                source,
                            )
                        )
            if not groups["tous"] and not groups["au_moins_un"]:
                problems.append(
                    Problem(line, str(values["id"]), "", "critère sans condition", source)
                )
                continue
            criteria[str(values["id"])] = Criterion(
                str(values["id"]),
                str(values["libelle"]),
                str(values["famille"]),
                str(values["reference"]),
                tuple(groups["tous"]),
                tuple(groups["au_moins_un"]),
            )
    lists: dict[str, tuple[str, ...]] = {}
    if "listes" in root:
        for name, (node, line) in _mapping(root["listes"][0]).items():
            ids = _scalar(node)
            unknown = [i for i in ids or [] if i not in criteria]
            if not isinstance(ids, list) or unknown:
                problems.append(
                    Problem(
                        line,
                        f"listes.{name}",
                        str(unknown or ids),
                        "critères inconnus du catalogue",
                        source,
                    )
                )
                continue
            lists[name] = tuple(ids)
    if problems:
        raise InvalidDataError(problems[:50], total=len(problems), source=source, action="reglages")
    return Catalogue(criteria, lists)


CHARTER_PRESETS: tuple[str, ...] = ("pecquencourt", "lille", "loi-2017")


def load_charter(name_or_path: str | Path) -> Charte:
    """A charter from a YAML file, or one of :data:`CHARTER_PRESETS` by name.

    Invalid charters raise :class:`InvalidDataError` naming every line and problem.
    """
    text, source = _read_preset(name_or_path, "chartes", CHARTER_PRESETS)
    root = _mapping(_compose(text, source))
    problems: list[Problem] = []

    def bad(line: int, key: str, value: object, rule: str) -> None:
        problems.append(Problem(line, key, "" if value is None else str(value), rule, source))

    head = {k: _scalar(v) for k, (v, _) in root.items() if k != "objectifs"}
    for key in ("nom", "epci"):
        if key not in head:
            bad(1, key, None, "champ obligatoire manquant")
    known_keys = {"nom", "fondement", "epci", "zone_plafonds", "objectifs"}
    for key, (_, line) in root.items():
        if key not in known_keys:
            bad(line, key, None, "clé inconnue ; clés possibles : " + ", ".join(sorted(known_keys)))
    zone = head.get("zone_plafonds", 3)
    if isinstance(zone, bool) or zone not in (1, 2, 3):
        bad(root["zone_plafonds"][1], "zone_plafonds", zone, "zone 1, 2 ou 3 attendue")
    objectives: list[Objectif] = []
    if "objectifs" not in root or not isinstance(root["objectifs"][0], yaml.SequenceNode):
        bad(root.get("objectifs", (None, 1))[1], "objectifs", None, "liste d'objectifs attendue")
    else:
        codes: set[str] = set()
        for item in root["objectifs"][0].value:
            fields = _mapping(item)
            line = item.start_mark.line + 1
            values = {k: _scalar(v) for k, (v, _) in fields.items()}
            missing = [
                k for k in ("code", "libelle", "public", "comparateur", "cible") if k not in values
            ]
            if missing:
                bad(
                    line, "objectifs", None, "champs obligatoires manquants : " + ", ".join(missing)
                )
                continue
            checks = (
                (
                    "public",
                    values["public"] in PUBLICS,
                    "publics possibles : " + ", ".join(PUBLICS),
                ),
                (
                    "comparateur",
                    values["comparateur"] in COMPARATEURS,
                    "comparateurs : au_moins, au_plus",
                ),
                (
                    "cible",
                    isinstance(values["cible"], int | float)
                    and not isinstance(values["cible"], bool)
                    and 0 <= values["cible"] <= 100,
                    "pourcentage entre 0 et 100 attendu",
                ),
                (
                    "periode",
                    values.get("periode", "annee") in ("annee", "semestre"),
                    "période : annee ou semestre",
                ),
                (
                    "ventilation",
                    isinstance(values.get("ventilation", []), list)
                    and all(v in VENTILATIONS for v in values.get("ventilation", [])),
                    "ventilations possibles : " + ", ".join(VENTILATIONS),
                ),
                ("code", values["code"] not in codes, "code d'objectif en double"),
            )
            failed = False
            for key, ok, rule in checks:
                if not ok:
                    failed = True
                    bad(
                        fields[key][1] if key in fields else line,
                        f"objectifs.{key}",
                        values.get(key),
                        rule,
                    )
            scope = values.get("perimetre") or {}
            allowed_scope = {"communes", "territoires", "bailleurs", "contingents", "qpv"}
            if not isinstance(scope, dict) or set(scope) - allowed_scope:
                failed = True
                bad(
                    fields.get("perimetre", (None, line))[1],
                    "objectifs.perimetre",
                    scope,
                    "clés possibles : " + ", ".join(sorted(allowed_scope)),
                )
            if failed:
                continue
            codes.add(str(values["code"]))
            objectives.append(
                Objectif(
                    code=str(values["code"]),
                    libelle=str(values["libelle"]),
                    public=str(values["public"]),
                    comparateur=str(values["comparateur"]),
                    cible=float(values["cible"]),
                    tolerance=float(values.get("tolerance", 0) or 0),
                    perimetre=Perimetre(
                        communes=tuple(str(c) for c in scope.get("communes", [])),
                        territoires=tuple(str(c) for c in scope.get("territoires", [])),
                        bailleurs=tuple(str(c) for c in scope.get("bailleurs", [])),
                        contingents=tuple(str(c) for c in scope.get("contingents", [])),
                        qpv=scope.get("qpv"),
                    ),
                    periode=str(values.get("periode", "annee")),
                    ventilation=tuple(values.get("ventilation", [])),
                    fondement=str(values.get("fondement", head.get("fondement", ""))),
                )
            )
    if problems:
        raise InvalidDataError(problems[:50], total=len(problems), source=source, action="reglages")
    return Charte(
        nom=str(head["nom"]),
        fondement=str(head.get("fondement", "")),
        epci=str(head["epci"]),
        zone_plafonds=int(zone),
        objectifs=tuple(objectives),
    )


def load_grid(path: Path | None = None) -> Grid:
    """A scoring grid (default: the packaged example), checked with lines."""
    text, source = _read(path, "cotation.yaml")
    root = _mapping(_compose(text, source))
    problems: list[Problem] = []
    points: dict[str, float] = {}
    known = set(load_priority_catalogue().criteria)
    for key, (node, line) in _mapping(
        root["criteres"][0] if "criteres" in root else yaml.MappingNode("", [])
    ).items():
        value = _scalar(node)
        if key not in known:
            problems.append(
                Problem(line, f"criteres.{key}", key, "critère inconnu du catalogue", source)
            )
        elif not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(
                Problem(line, f"criteres.{key}", str(value), "nombre de points attendu", source)
            )
        else:
            points[key] = float(value)
    seniority = {
        k: _scalar(v)
        for k, (v, _) in _mapping(
            root["anciennete"][0] if "anciennete" in root else yaml.MappingNode("", [])
        ).items()
    }
    refusal = _scalar(root["refus_offre_adaptee"][0]) if "refus_offre_adaptee" in root else 0
    for name, value in (
        ("anciennete.points_par_mois", seniority.get("points_par_mois", 1)),
        ("anciennete.plafond", seniority.get("plafond", 60)),
        ("refus_offre_adaptee", refusal),
    ):
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(Problem(1, name, str(value), "nombre attendu", source))
    if problems:
        raise InvalidDataError(problems[:50], total=len(problems), source=source, action="reglages")
    return Grid(
        points,
        float(seniority.get("points_par_mois", 1)),
        float(seniority.get("plafond", 60)),
        float(refusal),
    )


def load_fragility(path: Path | None = None, default: str = "fragilite.yaml") -> ConfigFragilite:
    """The fragility-index settings (default: the Lille-like model; ``fragilite-publique.yaml``
    for published sources), checked with lines."""
    text, source = _read(path, default)
    root = _mapping(_compose(text, source))
    problems: list[Problem] = []
    head = {k: _scalar(v) for k, (v, _) in root.items() if k != "composantes"}
    normalisation = head.get("normalisation", "zscore")
    if normalisation not in NORMALISATIONS:
        problems.append(
            Problem(
                root["normalisation"][1],
                "normalisation",
                str(normalisation),
                "valeurs possibles : " + ", ".join(NORMALISATIONS),
                source,
            )
        )
    classes = head.get("classes", 5)
    if not isinstance(classes, int) or isinstance(classes, bool) or classes < 2:
        problems.append(
            Problem(
                root["classes"][1],
                "classes",
                str(classes),
                "entier au moins égal à 2 attendu",
                source,
            )
        )
    components: list[Composante] = []
    node = root.get("composantes")
    if node is None or not isinstance(node[0], yaml.SequenceNode):
        problems.append(
            Problem(
                node[1] if node else 1, "composantes", "", "liste de composantes attendue", source
            )
        )
    else:
        for item in node[0].value:
            values = {k: _scalar(v) for k, (v, _) in _mapping(item).items()}
            line = item.start_mark.line + 1
            if "indicateur" not in values or values.get("sens") not in ("+", "-"):
                problems.append(
                    Problem(
                        line,
                        "composantes",
                        str(values),
                        "chaque composante a un « indicateur » et un « sens » + ou -",
                        source,
                    )
                )
                continue
            weight = values.get("poids", 1)
            if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
                problems.append(
                    Problem(line, "composantes.poids", str(weight), "poids positif attendu", source)
                )
                continue
            components.append(Composante(str(values["indicateur"]), values["sens"], float(weight)))
    if problems:
        raise InvalidDataError(problems[:50], total=len(problems), source=source, action="reglages")
    return ConfigFragilite(
        tuple(components), normalisation, int(classes), str(head.get("nom", "indice de fragilité"))
    )


TYPOLOGY_PRESETS: tuple[str, ...] = ("arras", "pecquencourt")


def load_typology(name_or_path: str | Path) -> Typologie:
    """A typology from YAML, or a preset (:data:`TYPOLOGY_PRESETS`), checked with lines."""
    text, source = _read_preset(name_or_path, "typologies", TYPOLOGY_PRESETS)
    root = _mapping(_compose(text, source))
    problems: list[Problem] = []
    axes: list[Axe] = []
    for item in (
        root["axes"][0].value
        if "axes" in root and isinstance(root["axes"][0], yaml.SequenceNode)
        else []
    ):
        fields = _mapping(item)
        values = {k: _scalar(v) for k, (v, _) in fields.items() if k != "regles"}
        rules: list[Regle] = []
        for rnode in fields["regles"][0].value if "regles" in fields else []:
            r = {k: _scalar(v) for k, (v, _) in _mapping(rnode).items()}
            if (
                r.get("operateur") not in OPERATEURS
                or not isinstance(r.get("seuil"), int | float)
                or "indicateur" not in r
            ):
                problems.append(
                    Problem(
                        rnode.start_mark.line + 1,
                        "regles",
                        str(r),
                        "une règle a un indicateur, un opérateur parmi > >= < <= et un seuil numérique",
                        source,
                    )
                )
                continue
            rules.append(Regle(str(r["indicateur"]), str(r["operateur"]), float(r["seuil"])))
        if "code" not in values or not rules:
            problems.append(
                Problem(
                    item.start_mark.line + 1,
                    "axes",
                    str(values),
                    "un axe a un code et au moins une règle",
                    source,
                )
            )
            continue
        axes.append(
            Axe(str(values["code"]), str(values.get("libelle", values["code"])), tuple(rules))
        )
    classes: list[tuple[str, int]] = []
    for item in (
        root["classes"][0].value
        if "classes" in root and isinstance(root["classes"][0], yaml.SequenceNode)
        else []
    ):
        c = {k: _scalar(v) for k, (v, _) in _mapping(item).items()}
        if "libelle" not in c or not isinstance(c.get("axes_minimum"), int):
            problems.append(
                Problem(
                    item.start_mark.line + 1,
                    "classes",
                    str(c),
                    "une classe a un libellé et un nombre entier axes_minimum",
                    source,
                )
            )
            continue
        classes.append((str(c["libelle"]), int(c["axes_minimum"])))
    if not axes:
        problems.append(Problem(1, "axes", "", "au moins un axe attendu", source))
    if not classes:
        problems.append(Problem(1, "classes", "", "au moins une classe attendue", source))
    if problems:
        raise InvalidDataError(problems[:50], total=len(problems), source=source, action="reglages")
    ordered = tuple(sorted(classes, key=lambda c: -c[1]))
    return Typologie(
        str(_scalar(root["nom"][0]) if "nom" in root else "typologie"), tuple(axes), ordered
    )


WATCH_VARIABLES: tuple[str, ...] = (
    "part_sans_actif",
    "part_sous_40_plus",
    "part_monoparentales",
    "enfants_par_logement",
)


def load_watch(path: Path | None = None) -> tuple[tuple[Variable, ...], int, int]:
    """Entrance-watch settings: variables (code, label, threshold, margin) and the counts
    that make an entrance fragile or under watch; checked with lines."""
    text, source = _read(path, "veille.yaml")
    root = _mapping(_compose(text, source))
    problems: list[Problem] = []
    variables: list[Variable] = []
    node = root.get("variables")
    for item in node[0].value if node and isinstance(node[0], yaml.SequenceNode) else []:
        v = {k: _scalar(x) for k, (x, _) in _mapping(item).items()}
        line = item.start_mark.line + 1
        numbers = all(
            isinstance(v.get(k), int | float) and not isinstance(v.get(k), bool)
            for k in ("seuil", "marge")
        )
        if v.get("code") not in WATCH_VARIABLES or not numbers or v["marge"] < 0:
            problems.append(
                Problem(
                    line,
                    "variables",
                    str(v),
                    "code parmi "
                    + ", ".join(WATCH_VARIABLES)
                    + ", seuil et marge (≥ 0) numériques",
                    source,
                )
            )
            continue
        variables.append(
            Variable(
                str(v["code"]),
                str(v.get("libelle", v["code"])),
                float(v["seuil"]),
                float(v["marge"]),
            )
        )
    if not variables:
        problems.append(
            Problem(
                node[1] if node else 1, "variables", "", "au moins une variable attendue", source
            )
        )
    counts = {}
    for key in ("fragile_des", "vigilance_marges"):
        value = _scalar(root[key][0]) if key in root else 2
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(
                Problem(
                    root[key][1] if key in root else 1,
                    key,
                    str(value),
                    "entier au moins égal à 1 attendu",
                    source,
                )
            )
        counts[key] = value
    if problems:
        raise InvalidDataError(problems[:50], total=len(problems), source=source, action="reglages")
    return tuple(variables), int(counts["fragile_des"]), int(counts["vigilance_marges"])


def load_column_mapping(path: Path) -> dict[str, str]:
    """A column mapping file: ``colonnes:`` then one ``nom dans le fichier: nom mixite``
    per line (or the mapping alone). Keys and values must be plain text.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "colonnes.yaml"
    ...     _ = p.write_text("colonnes:\\n  Code_Bailleur: code_bailleur\\n  Nom: nom\\n", "utf-8")
    ...     load_column_mapping(p)
    {'Code_Bailleur': 'code_bailleur', 'Nom': 'nom'}
    """
    text, source = _read_file(path)
    node = _compose(text, source)
    top = _mapping(node)
    if "colonnes" in top:
        node = top["colonnes"][0]
    entries = _mapping(node)
    if not entries:
        raise _refuse(
            source,
            "correspondance attendue : « colonnes: » puis une ligne « nom dans le fichier: "
            "nom mixite » par colonne",
            line=node.start_mark.line + 1,
        )
    out: dict[str, str] = {}
    problems = []
    for name, (value, line) in entries.items():
        target = _scalar(value)
        if not isinstance(target, str) or not target.strip():
            problems.append(
                Problem(line, name, str(target), "nom de colonne (texte) attendu", source)
            )
            continue
        out[name] = target.strip()
    if problems:
        raise InvalidDataError(problems, total=len(problems), source=source, action="reglages")
    return out


def _settings(kind: type[T], values: dict[str, Any], problems: list[Problem], source: str) -> T:
    """The settings object, or every problem found (with lines) and nothing built."""
    if problems:
        raise InvalidDataError(problems, total=len(problems), source=source, action="reglages")
    try:
        return kind(**values)
    except ValueError as exc:
        raise _refuse(source, f"réglages incohérents : {exc}") from exc


def load_commission(path: Path | None = None) -> Regles:
    """The commission's rules (default ``commission.yaml``), checked with lines."""
    text, source = _read(path, "commission.yaml")
    root = _mapping(_compose(text, source))
    known = {f.name: f.type for f in fields(Regles)}
    problems = []
    values: dict[str, Any] = {}
    for key, (node, line) in root.items():
        if key not in known:
            problems.append(
                Problem(line, key, "", "réglage inconnu ; réglages : " + ", ".join(known), source)
            )
            continue
        value = _scalar(node)
        expected = (
            bool
            if key == "derogation_relogement"
            else (int if key in ("pieces_en_trop_max", "zone_plafonds") else float)
        )
        if expected is bool and not isinstance(value, bool):
            problems.append(Problem(line, key, str(value), "oui/non (true/false) attendu", source))
        elif expected is not bool and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            problems.append(Problem(line, key, str(value), "nombre attendu", source))
        else:
            values[key] = expected(value)
    if "zone_plafonds" in values and values["zone_plafonds"] not in (1, 2, 3):
        problems.append(
            Problem(
                root["zone_plafonds"][1],
                "zone_plafonds",
                str(values["zone_plafonds"]),
                "zone 1, 2 ou 3",
                source,
            )
        )
    return _settings(Regles, values, problems, source)


def load_plan(path: Path | None = None) -> ReglesPlan:
    """The allocation plan's settings (default ``plan.yaml``), checked with lines."""
    text, source = _read(path, "plan.yaml")
    root = _mapping(_compose(text, source))
    known = {f.name for f in fields(ReglesPlan)}
    weights = {f.name for f in fields(Poids)}
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, (node, line) in root.items():
        if key not in known:
            problems.append(
                Problem(
                    line,
                    key,
                    "",
                    "réglage inconnu ; réglages : " + ", ".join(sorted(known)),
                    source,
                )
            )
            continue
        if key == "poids":
            given: dict[str, float] = {}
            for name, (sub, sub_line) in _mapping(node).items():
                value = _scalar(sub)
                if name not in weights:
                    problems.append(
                        Problem(
                            sub_line,
                            f"poids.{name}",
                            "",
                            "poids inconnu ; poids : " + ", ".join(sorted(weights)),
                            source,
                        )
                    )
                elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    problems.append(
                        Problem(
                            sub_line,
                            f"poids.{name}",
                            str(value),
                            "nombre positif ou nul attendu",
                            source,
                        )
                    )
                else:
                    given[name] = float(value)
            values["poids"] = Poids(**given)
            continue
        value = _scalar(node)
        if key in ("abordabilite", "veille"):
            if not isinstance(value, bool):
                problems.append(
                    Problem(line, key, str(value), "oui/non (true/false) attendu", source)
                )
            else:
                values[key] = value
        elif key == "objectifs":
            if value not in ("dure", "souple"):
                problems.append(
                    Problem(line, key, str(value), "« dure » ou « souple » attendu", source)
                )
            else:
                values[key] = value
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(Problem(line, key, str(value), "nombre positif ou nul attendu", source))
        else:
            values[key] = int(value) if key == "candidats_par_logement" else float(value)
    return _settings(ReglesPlan, values, problems, source)
