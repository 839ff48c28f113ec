"""Write ``docs/modele.md`` from the tables of :mod:`mixite.core.model` and the file formats.

Usage: ``python scripts/ecrire_doc_modele.py [--check]`` (``--check`` fails if the page is stale).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mixite.core.model import AUDIT_ATTRIBUTIONS, ENTITY_TABLES
from mixite.core.schema import Table
from mixite.io import formats
from mixite.io.dictionnaires import KINDS, charger
from mixite.io.publies import ops_results_table

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "modele.md"

HEADER = """# Modèle de données

Page générée par `scripts/ecrire_doc_modele.py` à partir de `src/mixite/core/model.py` :
les règles écrites ici sont exactement celles que vérifient les imports. Chaque table
a une clé (unicité vérifiée dans le fichier et contre la base) ; une colonne qui
« doit exister dans » une autre table est vérifiée contre la base et le fichier.

Les montants sont en euros avec 2 décimales au plus (séparateur `.` ou `,`), stockés
exactement (DECIMAL(14,2)) ; les dates au format `AAAA-MM-JJ` ou `JJ/MM/AAAA` ; les
booléens `oui`/`non`, `1`/`0`, `vrai`/`faux`. La colonne `synthetique` vaut vrai pour
les lignes du jumeau synthétique.

Hiérarchie territoriale : EPCI → territoire (8 à la MEL) → commune → IRIS → carreau de
200 m ; un QPV chevauche un ou plusieurs IRIS ; un carreau peut chevaucher plusieurs
communes (`lcog_geo`). Parc social : bailleur → bâtiment → entrée → logement ; un
ménage occupant du parc social pointe vers son logement.
"""


def table_section(t: Table, level: str = "##") -> str:
    lines = [f"{level} `{t.name}` — {t.title}", "", t.description, ""]
    lines.append(f"Clé : {', '.join(f'`{k}`' for k in t.key) or 'aucune (journal)'}")
    lines += ["", "| colonne | type et règle | unité | signification |", "|---|---|---|---|"]
    for c in t.columns:
        lines.append(f"| `{c.name}` | {c.rule_text()} | {c.unit} | {c.description} |")
    if t.rules:
        lines += ["", "Règles entre colonnes :", ""]
        lines += [f"- {r.description}" for r in t.rules]
    return "\n".join(lines) + "\n"


def render() -> str:
    parts = [HEADER, "# Entités\n"]
    parts += [table_section(t) for t in ENTITY_TABLES]
    parts.append("# Journal\n")
    parts.append(table_section(AUDIT_ATTRIBUTIONS))
    parts.append(
        "# Fichiers officiels importés\n\nLes colonnes portent le nom qu'elles ont dans le "
        "fichier INSEE ; la base les range en minuscules, sans suffixe d'année, avec une "
        "colonne `millesime`. Une cellule vide est une valeur soumise au secret statistique.\n"
    )
    parts.append(table_section(formats.FILOSOFI_CARREAUX))
    parts.append(table_section(formats.filosofi_zones("commune", "16")))
    for layout in formats.CENSUS_LAYOUTS:
        parts.append(table_section(formats.census_table(layout, 2016)))
    parts.append(table_section(formats.QPV_INDICATEURS))
    parts.append(table_section(ops_results_table()))
    parts.append(
        "# Formats publiés lus par dictionnaire\n\nChaque format est lu à travers son "
        "dictionnaire officiel (`src/mixite/data/dictionnaires/*.yaml`) : les en-têtes sont "
        "reconnus sous le nom officiel ou l'un des autres noms (casse, accents et espaces "
        "ignorés, `--colonnes` pour le reste), les codes sont traduits vers ceux de mixite, "
        "et chaque variable alimente la colonne indiquée. Une variable sans colonne est "
        "connue et ignorée ; une colonne hors du dictionnaire est signalée.\n"
    )
    for kind, code in KINDS.items():
        parts.append(dictionary_section(kind, code))
    return "\n".join(parts)


def dictionary_section(kind: str, code: str) -> str:
    d = charger(code)
    lines = [f"## `mixite importer {kind}` — {d.nom}", "", f"Référence : {d.reference}.", ""]
    lines += ["| variable | autres noms | colonne mixite | obligatoire | signification, codes |"]
    lines += ["|---|---|---|---|---|"]
    for v in d.variables:
        codes = (
            " ; codes : " + ", ".join(f"`{k}` → {x}" for k, x in v.valeurs.items())
            if v.valeurs
            else ""
        )
        lines.append(
            f"| `{v.nom}` | {', '.join(f'`{a}`' for a in v.alias)} | "
            f"{f'`{v.champ}`' if v.champ else '(ignorée)'} | {'oui' if v.obligatoire else ''} | "
            f"{v.libelle}{codes} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            print(
                "docs/modele.md est périmé : lancez python scripts/ecrire_doc_modele.py",
                file=sys.stderr,
            )
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
