"""The report as one self-contained HTML file (styles and SVG maps inside, no network,
no timestamp other than the report's date) and as a PDF rendered from it by WeasyPrint."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from mixite.rapport.contenu import Rapport, Tableau

STYLE = """
@page { size: A4; margin: 18mm 15mm 20mm 15mm;
        @bottom-center { content: "État du peuplement — page " counter(page) " sur " counter(pages);
                         font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9.5pt; color: #161616; }
h1 { font-size: 20pt; margin: 0 0 4mm; color: #000091; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; color: #000091; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; page-break-after: avoid; }
.bandeau { border: 2px solid #ce0500; color: #ce0500; padding: 2mm 4mm; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 8pt; }
th, td { border: 0.5pt solid #929292; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eeeeee; }
td.nombre { text-align: right; white-space: nowrap; }
figure { margin: 3mm 0; page-break-inside: avoid; }
figure img { width: 100%; height: auto; }
figcaption { font-size: 8pt; color: #555; }
.sources { font-size: 8pt; color: #555; border-left: 3px solid #6a6af4; padding-left: 3mm; }
@page paysage { size: A4 landscape; }
section.paysage { page: paysage; }
section { page-break-before: always; }
section:first-of-type { page-break-before: auto; }
"""


def _cell(value: object, vide: str) -> tuple[str, bool]:
    from mixite.cli.sortie import nombre_fr

    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return vide, False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return nombre_fr(value), True
    return str(value), False


def _table(t: Tableau) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.table.columns)
    rows = []
    for row in t.table.itertuples(index=False):
        cells = []
        for value in row:
            text, number = _cell(value, t.vide)
            cls = ' class="nombre"' if number else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table><caption><h3>{html.escape(t.titre)}</h3></caption><thead><tr>{head}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")  # fmt: skip


def _svg(data: bytes, alternative: str) -> str:
    """The map as an image inside the file (a data URI): each SVG keeps its own element
    ids, which would collide if several were inlined in one document."""
    import base64

    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{encoded}" alt="{html.escape(alternative)}">'


def en_html(rapport: Rapport) -> str:
    """The report as a self-contained HTML document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>{html.escape(rapport.titre)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(rapport.titre)}</h1>",
        f"<p>Situation au {rapport.date:%d/%m/%Y} ; période observée depuis le "
        f"{rapport.precedent:%d/%m/%Y}. Document produit par mixite, logiciel libre d'aide à "
        "la décision : aucune décision n'y est prise par un calcul.</p>",
    ]
    if rapport.bandeau:
        parts.append(f'<p class="bandeau">{html.escape(rapport.bandeau)}</p>')
    if rapport.verification:
        parts.append(f"<p><em>{html.escape(rapport.verification)}</em></p>")
    parts.append("<p><strong>Sommaire</strong> : " + " ; ".join(
        f"{i}. {html.escape(s.titre)}" for i, s in enumerate(rapport.sections, start=1)
    ) + "</p>")  # fmt: skip
    for i, s in enumerate(rapport.sections, start=1):
        cls = ' class="paysage"' if s.paysage else ""
        parts.append(f"<section{cls}><h2>{i}. {html.escape(s.titre)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in s.paragraphes]
        for c in s.cartes:
            parts.append(
                f"<figure>{_svg(c.svg, c.alternative)}"
                f"<figcaption>{html.escape(c.titre)}</figcaption></figure>"
            )
        parts += [_table(t) for t in s.tableaux]
        if s.sources:
            parts.append('<div class="sources"><p><strong>Sources et méthode</strong></p><ul>'
                         + "".join(f"<li>{html.escape(n)}</li>" for n in s.sources)
                         + "</ul></div>")  # fmt: skip
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def ecrire(rapport: Rapport, sortie: Path) -> Path:
    """Write the report as ``.html`` or ``.pdf`` (by the suffix of ``sortie``)."""
    text = en_html(rapport)
    sortie.parent.mkdir(parents=True, exist_ok=True)
    if sortie.suffix.lower() == ".pdf":
        from weasyprint import HTML  # type: ignore[import-untyped]

        HTML(string=text).write_pdf(sortie)
    elif sortie.suffix.lower() in (".html", ".htm"):
        sortie.write_text(text, encoding="utf-8")
    else:
        raise ValueError(f"format de rapport inconnu « {sortie.suffix} » : .html ou .pdf")
    return sortie
