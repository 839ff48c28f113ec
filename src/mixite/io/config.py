"""YAML settings files, checked with French errors that name the file, line and key."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mixite.core.relogement.criteria import KINDS, QualitativeCriterion
from mixite.core.relogement.formulas import ResteAVivreFormula
from mixite.core.validation import Problem
from mixite.errors import InvalidDataError


@dataclass(frozen=True)
class RelocationSettings:
    """The reste-à-vivre formula, the recent-dwelling age and the qualitative criteria."""

    formula: ResteAVivreFormula
    recent_years: int
    criteria: tuple[QualitativeCriterion, ...]
    source: str


def _compose(text: str, source: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        raise InvalidDataError(
            [Problem(line, "", "", f"YAML illisible : {getattr(exc, 'problem', exc)}", source)],
            total=1,
            source=source,
        ) from exc
    if node is None:
        return yaml.MappingNode("tag:yaml.org,2002:map", [])
    return node


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, int]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): (v, k.start_mark.line + 1) for k, v in node.value}


def _scalar(node: yaml.Node) -> Any:
    return yaml.safe_load(yaml.serialize(node))


def load_relocation_settings(path: Path | None = None) -> RelocationSettings:
    """Read ``path`` (or the packaged default) into :class:`RelocationSettings`.

    Every problem is reported at once, with the line of the offending key.
    """
    if path is None:
        text = (resources.files("mixite") / "data" / "config" / "relogement.yaml").read_text(
            "utf-8"
        )
        source = "relogement.yaml (défaut)"
    else:
        text = path.read_text(encoding="utf-8")
        source = path.name
    root = _mapping(_compose(text, source))
    problems: list[Problem] = []

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
        raise InvalidDataError(problems[:50], total=len(problems), source=source)
    return RelocationSettings(ResteAVivreFormula(**rav), recent, tuple(criteria), source)
