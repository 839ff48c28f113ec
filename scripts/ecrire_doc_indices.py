"""Write ``docs/indices/`` (one page per index, from the registries) and check it.

Usage: ``python scripts/ecrire_doc_indices.py [--check]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mixite.indices import INDICES
from mixite.indices.spatial import SPATIAL_DOCS

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "indices"

FAMILIES = {
    "single": "à un groupe (un groupe contre le reste de la population)",
    "multi": "multigroupe (groupes exclusifs)",
    "ordinal": "ordinal (groupes ordonnés : classes de revenu, déciles)",
}


def page(
    name: str, title: str, family: str, formula: str, reference: str, properties: list[str]
) -> str:
    lines = [
        f"# `{name}` — {title}",
        "",
        f"Famille : {family}.",
        "",
        "## Formule",
        "",
        f"    {formula}",
        "",
        "Notation : unité i, effectif du groupe x_i, population t_i, p_i = x_i / t_i ; dans la région "
        "X = Σ x_i, T = Σ t_i, P = X / T ; groupes k de parts π_ik dans l'unité et π_k dans la région.",
        "",
        "## Propriétés",
        "",
        *[f"- {p}" for p in properties],
        "",
        "## Référence",
        "",
        reference,
        "",
        "## Calcul",
        "",
        "```python",
        "import mixite",
        _snippet(name, family),
        "```",
        "",
    ]
    return "\n".join(lines)


EXTRA: dict[str, tuple[str, str, str, str]] = {
    "quotient": ("quotient de localisation", "LQ_ik = π_ik / π_k", "Isard (1960)", "mixite.local_indices(iris, groups=cs)['quotient_cs1']"),
    "diversite": ("diversité locale", "−Σ_k π_ik ln π_ik", "Theil (1972)", "mixite.local_indices(iris, groups=cs)['diversite']"),
    "entropie": ("entropie locale", "−Σ_k π_ik ln π_ik / ln K", "Theil (1972)", "mixite.local_indices(iris, groups=cs)['entropie']"),
    "concentration_simpson": ("concentration de Simpson", "Σ_k π_ik²", "Simpson (1949)", "mixite.local_indices(iris, groups=cs)['concentration_simpson']"),
    "interaction_simpson": ("interaction de Simpson", "1 − Σ_k π_ik²", "Simpson (1949)", "mixite.local_indices(iris, groups=cs)['interaction_simpson']"),
    "contribution_m": ("contribution de l'unité à M", "m_i = (t_i/T) Σ_k π_ik ln(π_ik/π_k), Σ_i m_i = M", "Mora & Ruiz-Castillo (2011) ; Elbers (2023)", "mixite.local_indices(iris, groups=cs)['contribution_m']"),
    "exposure_matrix": ("matrice d'isolement et d'exposition", "E_kl = Σ_i (n_ik/N_k) π_il (diagonale : isolement)", "Massey & Denton (1988)", "from mixite.indices.multigroup import exposure_matrix"),
    "bespoke_dissimilarity": ("dissimilarité sur mesure", "D̃ = Σ t_i |p̃_i − P| / (2 T P (1−P)), p̃ part du groupe dans le voisinage lissé", "Reardon & O'Sullivan (2004)", "from mixite.indices.smoothing import bespoke_indices"),
    "bespoke_information_theory": ("indice d'information sur mesure", "H̃ = Σ t_i (E − E(p̃_i)) / (E T)", "Reardon & O'Sullivan (2004)", "from mixite.indices.smoothing import bespoke_indices"),
    "bespoke_isolation": ("isolement sur mesure", "x̃Px = Σ (x_i/X) p̃_i", "Reardon & O'Sullivan (2004)", "from mixite.indices.smoothing import bespoke_indices"),
}  # fmt: skip


def _snippet(name: str, family: str) -> str:
    if family == FAMILIES["single"]:
        return f"mixite.segregation_indices(unites, group='pauvres', total='menages', by='commune', indices=['{name}'])"
    if family == FAMILIES["multi"]:
        return f"mixite.segregation_indices(unites, groups=['cs1', 'cs2', 'cs3'], by='commune', indices=['{name}'])"
    if family == FAMILIES["ordinal"]:
        return f"mixite.segregation_indices(unites, groups=['d1', 'd2', 'd3', 'd4'], by='commune', indices=['{name}'])"
    if name == "global_distortion":
        return "from mixite.indices.divergence import global_distortion\nglobal_distortion(carreaux, groups=['pauvres', 'autres'], by='commune')"
    return (
        "from mixite.indices.spatial import spatial_indices\n"
        f"spatial_indices(carreaux, group='pauvres', total='menages', by='commune', indices=['{name}'])"
    )


def render() -> dict[str, str]:
    files: dict[str, str] = {}
    index_lines = [
        "# Indices de mixité et de ségrégation",
        "",
        "Pages générées par `scripts/ecrire_doc_indices.py` depuis les registres.",
        "",
    ]
    for spec in INDICES.values():
        props = [f"bornes : [{spec.lower:g}, {spec.upper:g}]"]
        props.append(
            "0 quand chaque unité a la composition de la région"
            if spec.even_is_zero
            else "ne vaut pas 0 à la répartition uniforme"
        )
        props.append(
            "1 quand chaque unité n'a qu'un groupe"
            if spec.full_is_one
            else "ne vaut pas forcément 1 à la ségrégation complète"
        )
        if spec.family == "single":
            props.append(
                "symétrique (groupe et reste interchangeables)"
                if spec.symmetric
                else "non symétrique"
            )
        props.append(
            "invariant par permutation des unités et par changement d'échelle des effectifs"
        )
        files[f"{spec.name}.md"] = page(
            spec.name, spec.title, FAMILIES[spec.family], spec.formula, spec.reference, props
        )
        index_lines.append(f"- [`{spec.name}`]({spec.name}.md) — {spec.title}")
    index_lines += ["", "Indices spatiaux (surfaces, centroïdes, contiguïté) :", ""]
    for name, (title, formula, reference) in SPATIAL_DOCS.items():
        props = [
            "distances en kilomètres dans exp(−d) ; paires au-delà de 20 km ignorées",
            "calculé pour toutes les régions en une passe",
        ]
        files[f"{name}.md"] = page(name, title, "spatial (un groupe)", formula, reference, props)
        index_lines.append(f"- [`{name}`]({name}.md) — {title}")
    files["global_distortion.md"] = page(
        "global_distortion",
        "distorsion globale (profils de divergence)",
        "spatial multigroupe",
        "G = Σ_i (t_i/T) Σ_s KL(q_i(s) ‖ π), q_i(s) composition cumulée des s plus proches voisins de i",
        "Olteanu, Randon-Furling & Clark (2019), PNAS 116(25)",
        [
            "O(n² log n) par région : quelques dizaines de milliers d'unités au plus",
            "égalités de distance départagées par l'ordre des unités",
        ],
    )
    index_lines.append(
        "- [`global_distortion`](global_distortion.md) — distorsion globale (`mixite.indices.divergence`)"
    )
    index_lines += [
        "",
        "Indices locaux (une valeur par unité, `mixite.local_indices`) et voisinages sur mesure :",
        "",
    ]
    for name, (title, formula, reference, call) in EXTRA.items():
        files[f"{name}.md"] = page(
            name,
            title,
            "local ou sur mesure",
            formula,
            reference,
            ["calculé pour toutes les unités ou régions en une passe"],
        ).replace(_snippet(name, "local ou sur mesure"), call)
        index_lines.append(f"- [`{name}`]({name}.md) — {title}")
    files["README.md"] = (
        "\n".join(index_lines)
        + "\n\nVoir aussi [../indices.md](../indices.md) (décompositions, lissage, inférence, biais des petites unités).\n"
    )
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    files = render()
    if args.check:
        stale = [
            n
            for n, text in files.items()
            if not (FOLDER / n).exists() or (FOLDER / n).read_text(encoding="utf-8") != text
        ]
        if stale:
            print("docs/indices périmé : " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (FOLDER / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
