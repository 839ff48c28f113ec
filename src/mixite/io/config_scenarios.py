"""A scenario file (YAML): horizon, replicates, seed, policy, programme and household
evolution, checked with the line of every problem, in French, like the charters."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from mixite.core.validation import Problem
from mixite.errors import InvalidDataError, MixiteError
from mixite.io.config import _compose, _mapping, _read_preset, _scalar, load_charter
from mixite.scenarios.modele import (
    BIT_ACTIF,
    BIT_PRIO,
    BIT_Q1,
    BIT_SOUS40,
    Construction,
    Contrainte,
    Demolition,
    Evolution,
    HausseLoyer,
    Politique,
    Programme,
    Scenario,
    Vente,
)

#: Packaged scenarios (``data/config/scenarios``).
SCENARIO_PRESETS = ("statu-quo", "loi-2017", "pecquencourt", "veille", "renouvellement",
                    "renouvellement-sur-site", "optimiseur", "abordabilite", "hausse-loyers",
                    "sans-attribution")  # fmt: skip
#: Each charter public as a profile bit, and whether it is the bit's complement.
PUBLIC_BITS: dict[str, tuple[int, bool]] = {
    "premier_quartile_ou_relogement": (BIT_Q1, False),
    "autres_quartiles": (BIT_Q1, True),
    "prioritaire": (BIT_PRIO, False),
    "sous_40_plus": (BIT_SOUS40, False),
    "actif_occupe": (BIT_ACTIF, False),
}
CONTINGENTS = ("prefecture", "action_logement", "collectivite", "bailleur", "autre")
_EVOLUTION_PERCENT = {"revalorisation", "dispersion_revenus", "naissance_couple",
                      "naissance_seul", "depart_enfant"}  # fmt: skip


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def bad(self, line: int, key: str, value: object, rule: str) -> None:
        self.problems.append(
            Problem(line, key, "" if value is None else str(value), rule, self.source)
        )

    def integer(self, node: yaml.Node, line: int, key: str, low: int, high: int) -> int | None:
        v = _scalar(node)
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            self.bad(line, key, v, f"nombre entier de {low} à {high} attendu")
            return None
        return v

    def number(self, node: yaml.Node, line: int, key: str, low: float, high: float) -> float | None:
        v = _scalar(node)
        if isinstance(v, bool) or not isinstance(v, int | float) or not low <= v <= high:
            self.bad(line, key, v, f"nombre de {low:g} à {high:g} attendu")
            return None
        return float(v)

    def keys(
        self, node: yaml.Node, line: int, where: str, known: set[str]
    ) -> dict[str, tuple[yaml.Node, int]]:
        if not isinstance(node, yaml.MappingNode):
            self.bad(line, where, None, "ensemble de clés attendu (clé: valeur)")
            return {}
        m = _mapping(node)
        for k, (_, ln) in m.items():
            if k not in known:
                self.bad(ln, f"{where}.{k}" if where else k, None,
                         "clé inconnue ; clés possibles : " + ", ".join(sorted(known)))  # fmt: skip
        return {k: v for k, v in m.items() if k in known}

    def items(self, node: yaml.Node, line: int, key: str) -> list[tuple[yaml.Node, int]]:
        if not isinstance(node, yaml.SequenceNode):
            self.bad(line, key, None, "liste attendue (lignes commençant par « - »)")
            return []
        return [(n, n.start_mark.line + 1) for n in node.value]

    def texts(self, node: yaml.Node, line: int, key: str) -> tuple[str, ...]:
        v = _scalar(node)
        if isinstance(v, str | int) and not isinstance(v, bool):
            return (str(v),)
        if isinstance(v, list) and all(
            isinstance(x, str | int) and not isinstance(x, bool) for x in v
        ):
            return tuple(str(x) for x in v)
        self.bad(line, key, v, "texte ou liste de textes attendu")
        return ()


def _politique(ck: _Checker, node: yaml.Node, line: int, base: Path | None) -> Politique:
    known = {"nom", "chartes", "prioritaires", "veille", "attribuer", "optimiseur", "abordabilite"}
    m = ck.keys(node, line, "politique", known)
    values: dict[str, Any] = {}
    constraints: list[Contrainte] = []
    if "nom" in m:
        values["nom"] = str(_scalar(m["nom"][0]))
    for flag in ("veille", "attribuer", "optimiseur", "abordabilite"):
        if flag in m:
            v = _scalar(m[flag][0])
            if not isinstance(v, bool):
                ck.bad(m[flag][1], f"politique.{flag}", v, "oui/non (true/false) attendu")
            else:
                values[flag] = v
    if "chartes" in m:
        for name in ck.texts(*m["chartes"], "politique.chartes"):
            path = name
            if base is not None and (base / name).is_file():
                path = str(base / name)
            try:
                charte = load_charter(path)
            except MixiteError as exc:
                ck.bad(m["chartes"][1], "politique.chartes", name, f"charte illisible : {exc}")
                continue
            for o in charte.objectifs:
                if o.public not in PUBLIC_BITS:
                    ck.bad(m["chartes"][1], "politique.chartes", f"{name} : {o.code}",
                           f"public « {o.public} » hors des profils de la projection ; publics : "
                           + ", ".join(PUBLIC_BITS))  # fmt: skip
                    continue
                if o.perimetre.territoires:
                    ck.bad(m["chartes"][1], "politique.chartes", f"{name} : {o.code}",
                           "périmètre par territoire non pris en charge ; donnez les communes")  # fmt: skip
                    continue
                bit, negation = PUBLIC_BITS[o.public]
                constraints.append(Contrainte(
                    code=f"{name}:{o.code}", libelle=o.libelle, bit=bit, negation=negation,
                    au_moins=o.comparateur == "au_moins", cible=o.cible / 100, qpv=o.perimetre.qpv,
                    communes=o.perimetre.communes, bailleurs=o.perimetre.bailleurs,
                    contingents=o.perimetre.contingents,
                ))  # fmt: skip
    if "prioritaires" in m:
        sub = ck.keys(
            m["prioritaires"][0], m["prioritaires"][1], "politique.prioritaires", set(CONTINGENTS)
        )
        for contingent, (n, ln) in sub.items():
            target = ck.number(n, ln, f"politique.prioritaires.{contingent}", 0, 100)
            if target is not None:
                constraints.append(Contrainte(
                    code=f"prioritaires:{contingent}",
                    libelle=f"au moins {target:g} % du contingent {contingent} aux ménages prioritaires",
                    bit=BIT_PRIO, negation=False, au_moins=True, cible=target / 100,
                    contingents=(contingent,),
                ))  # fmt: skip
    if values.pop("optimiseur", False):
        from mixite.io.config import load_plan

        values["plan"] = load_plan(None)
    return Politique(contraintes=tuple(constraints), **values)


def _programme(ck: _Checker, node: yaml.Node, line: int) -> Programme:
    m = ck.keys(node, line, "programme", {"demolitions", "constructions", "ventes", "loyers"})
    demolitions, constructions, ventes, loyers = [], [], [], []
    for item, ln in ck.items(*m["loyers"], "programme.loyers") if "loyers" in m else []:
        h = ck.keys(item, ln, "programme.loyers", {"annee", "hausse", "bailleur"})
        year = ck.integer(*h["annee"], "annee", 2000, 2100) if "annee" in h else None
        rise = ck.number(*h["hausse"], "hausse", -50, 200) if "hausse" in h else None
        for key in ("annee", "hausse"):
            if key not in h:
                ck.bad(ln, f"programme.loyers.{key}", None, "champ obligatoire manquant")
        if year is not None and rise is not None:
            landlord = str(_scalar(h["bailleur"][0])) if "bailleur" in h else ""
            loyers.append(HausseLoyer(year, rise / 100, landlord))
    for item, ln in (
        ck.items(*m["demolitions"], "programme.demolitions") if "demolitions" in m else []
    ):
        d = ck.keys(item, ln, "programme.demolitions", {"annee", "batiments", "qpv", "logements"})
        year = ck.integer(*d["annee"], "annee", 2000, 2100) if "annee" in d else None
        if "annee" not in d:
            ck.bad(ln, "programme.demolitions.annee", None, "champ obligatoire manquant")
        buildings = ck.texts(*d["batiments"], "batiments") if "batiments" in d else ()
        qpv = str(_scalar(d["qpv"][0])) if "qpv" in d else ""
        count = ck.integer(*d["logements"], "logements", 1, 10**6) if "logements" in d else 0
        if not buildings and not (qpv and count):
            ck.bad(
                ln,
                "programme.demolitions",
                None,
                "donnez « batiments », ou « qpv » et « logements »",
            )
        if year is not None:
            demolitions.append(Demolition(year, buildings, qpv, count or 0))
    for item, ln in (
        ck.items(*m["constructions"], "programme.constructions") if "constructions" in m else []
    ):
        c = ck.keys(item, ln, "programme.constructions",
                    {"annee", "iris", "commune", "qpv", "logements", "bailleur", "repartition", "loyer_relatif"})  # fmt: skip
        year = ck.integer(*c["annee"], "annee", 2000, 2100) if "annee" in c else None
        count = ck.integer(*c["logements"], "logements", 1, 10**5) if "logements" in c else None
        iris = str(_scalar(c["iris"][0])) if "iris" in c else ""
        commune = str(_scalar(c["commune"][0])) if "commune" in c else ""
        qpv = str(_scalar(c["qpv"][0])) if "qpv" in c else ""
        if not iris and not commune and not qpv:
            ck.bad(ln, "programme.constructions", None, "donnez « iris », « commune » ou « qpv »")
        for key in ("annee", "logements", "bailleur"):
            if key not in c:
                ck.bad(ln, f"programme.constructions.{key}", None, "champ obligatoire manquant")
        split = (30.0, 60.0, 10.0)
        if "repartition" in c:
            r = ck.keys(*c["repartition"], "repartition", {"PLAI", "PLUS", "PLS"})
            shares = [
                ck.number(*r[k], f"repartition.{k}", 0, 100) if k in r else 0.0
                for k in ("PLAI", "PLUS", "PLS")
            ]
            if None not in shares and abs(sum(s or 0 for s in shares) - 100) > 1e-6:
                ck.bad(
                    c["repartition"][1],
                    "repartition",
                    shares,
                    "les parts PLAI, PLUS, PLS doivent faire 100",
                )
            elif None not in shares:
                split = tuple(float(s or 0) for s in shares)  # type: ignore[assignment]
        relative = (
            ck.number(*c["loyer_relatif"], "loyer_relatif", 10, 500)
            if "loyer_relatif" in c
            else 100.0
        )
        if year is not None and count is not None and "bailleur" in c and relative is not None:
            constructions.append(Construction(
                year, iris, count, str(_scalar(c["bailleur"][0])),
                repartition=(split[0] / 100, split[1] / 100, split[2] / 100), commune=commune, qpv=qpv,
                loyer_relatif=relative / 100,
            ))  # fmt: skip
    for item, ln in ck.items(*m["ventes"], "programme.ventes") if "ventes" in m else []:
        v = ck.keys(item, ln, "programme.ventes", {"annee", "bailleur", "logements"})
        year = ck.integer(*v["annee"], "annee", 2000, 2100) if "annee" in v else None
        count = ck.integer(*v["logements"], "logements", 1, 10**6) if "logements" in v else None
        if "bailleur" not in v:
            ck.bad(ln, "programme.ventes.bailleur", None, "champ obligatoire manquant")
        elif year is not None and count is not None:
            ventes.append(Vente(year, str(_scalar(v["bailleur"][0])), count))
    return Programme(tuple(demolitions), tuple(constructions), tuple(ventes), tuple(loyers))


def _evolution(ck: _Checker, node: yaml.Node, line: int) -> Evolution:
    names = {f.name for f in fields(Evolution)}
    m = ck.keys(node, line, "evolution", names)
    values: dict[str, Any] = {}
    for key, (n, ln) in m.items():
        if key in _EVOLUTION_PERCENT:
            v = ck.number(n, ln, f"evolution.{key}", 0, 100)
            if v is not None:
                values[key] = v / 100
        else:
            iv = ck.integer(n, ln, f"evolution.{key}", 15, 120)
            if iv is not None:
                values[key] = iv
    return Evolution(**values)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario from a YAML file, or a packaged one by name (:data:`SCENARIO_PRESETS`).

    Percentages are written as such (``revalorisation: 1.5`` for 1.5 % a year). Every
    problem is reported at once with its line.
    """
    text, source = _read_preset(name_or_path, "scenarios", SCENARIO_PRESETS)
    ck = _Checker(source)
    root = ck.keys(_compose(text, source), 1, "",
                   {"nom", "horizon", "replicats", "graine", "politique", "programme", "evolution"})  # fmt: skip
    base = Path(name_or_path).parent if str(name_or_path) not in SCENARIO_PRESETS else None
    values: dict[str, Any] = {}
    if "nom" not in root:
        ck.bad(1, "nom", None, "champ obligatoire manquant")
    else:
        values["nom"] = str(_scalar(root["nom"][0]))
    for key, low, high in (("horizon", 1, 30), ("replicats", 1, 10_000), ("graine", 0, 2**63 - 1)):
        if key in root:
            v = ck.integer(*root[key], key, low, high)
            if v is not None:
                values[key] = v
    if "politique" in root:
        values["politique"] = _politique(ck, *root["politique"], base)
    if "programme" in root:
        values["programme"] = _programme(ck, *root["programme"])
    if "evolution" in root:
        values["evolution"] = _evolution(ck, *root["evolution"])
    if ck.problems:
        raise InvalidDataError(
            ck.problems, total=len(ck.problems), source=source, action="reglages"
        )
    return Scenario(**values)
