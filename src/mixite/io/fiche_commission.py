"""The commission sheet: up to three candidates side by side, as an Excel workbook or a
self-contained printable HTML page (styles inline, no network)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mixite.commission.impact import Impact


@dataclass
class Fiche:
    """Everything the sheet shows."""

    titre: str
    logement: pd.Series
    statut_entree: str
    candidats: pd.DataFrame  # one row per candidate: summary, priority, eligibility
    impacts: Sequence[Impact]
    notes: Sequence[str]


#: The rows of the side-by-side table, in order: (column, French label).
LIGNES = (
    ("menage", "ménage"),
    ("anciennete_mois", "ancienneté de la demande (mois)"),
    ("prioritaire", "prioritaire"),
    ("motifs_priorite", "critères de priorité"),
    ("cotation", "cotation (points)"),
    ("ressources_annuelles", "revenu fiscal N-2 (€)"),
    ("part_plafond", "part du plafond (%)"),
    ("loyer_charges", "loyer + charges (€ / mois)"),
    ("apl", "APL estimée (€ / mois, OpenFisca)"),
    ("taux_effort", "taux d'effort après APL (%)"),
    ("reste_a_vivre", "reste à vivre (€ / jour / UC)"),
    ("motifs", "éligibilité et solvabilité"),
    ("statut_entree_apres", "statut de l'entrée après attribution"),
    ("phrase", "en résumé"),
)


def tableau(f: Fiche) -> pd.DataFrame:
    """The side-by-side table: one column per candidate, one row per item."""
    c = f.candidats.set_index("id_demande")
    out = pd.DataFrame(index=[label for _, label in LIGNES])
    for ident, row in c.iterrows():
        out[str(ident)] = [_fmt(row.get(col)) for col, _ in LIGNES]
    return out


def _fmt(v: object) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, float):
        return f"{v:,.1f}".replace(",", "\u202f").replace(".", ",")
    return str(v)


def _long(impacts: Sequence[Impact], part: str) -> pd.DataFrame:
    frames = []
    for imp in impacts:
        table = getattr(imp, part)
        if len(table):
            frames.append(table.reset_index().assign(candidat=imp.id_demande))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def ecrire_excel(f: Fiche, path: Path) -> Path:
    from mixite.io.exports import write_tables

    sheets = {
        "Fiche": tableau(f).reset_index(names="rubrique"),
        "Veille": _long(f.impacts, "veille"),
        "Zones": _long(f.impacts, "zones"),
        "Objectifs": _long(f.impacts, "objectifs"),
    }
    return write_tables(path, sheets, [f.titre, *f.notes])


CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10.5pt;color:#161616;margin:1.5cm}
h1{font-size:15pt;margin:0 0 .3em}h2{font-size:12pt;margin:1.2em 0 .4em;color:#000091}
table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #bbb;padding:3px 6px;
vertical-align:top;text-align:left}th{background:#eef}td.n{text-align:right}.banner{background:#fde2e1;
border:1px solid #ce0500;padding:.4em .8em;font-weight:bold}.note{color:#444;font-size:9pt}
.phrase{background:#f6f6f6;padding:.4em .8em;margin:.3em 0}@page{size:A4 landscape;margin:1cm}
@media print{body{margin:0}h2{page-break-after:avoid}}
"""


def _french_decimals(text: str) -> str:
    """``87.9 m²`` → ``87,9 m²`` (decimal points between digits only)."""
    import re

    return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


def _table_html(frame: pd.DataFrame, index: bool = False) -> str:
    if index:
        unnamed = frame.index.nlevels == 1 and frame.index.name is None
        frame = frame.reset_index(names="rubrique") if unnamed else frame.reset_index()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, r in frame.iterrows():
        cells = []
        for v in r.tolist():
            text = _fmt(v)
            num = isinstance(v, int | float) and not isinstance(v, bool)
            cells.append(f'<td class="{"n" if num else ""}">{html.escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def ecrire_html(f: Fiche, path: Path, *, bandeau: str | None = None) -> Path:
    lg = f.logement
    parts = [
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">',
        f"<title>{html.escape(f.titre)}</title><style>{CSS}</style></head><body>",
    ]
    if bandeau:
        parts.append(f'<p class="banner">{html.escape(bandeau)}</p>')
    parts.append(f"<h1>{html.escape(f.titre)}</h1>")
    facts = (
        f"Logement {lg['id_logement']} — {int(lg['nb_pieces'])} pièce(s), {lg['surface']} m², "
        f"financement {lg['financement']}, loyer {float(lg['loyer_mensuel']):.2f} € + charges "
        f"{float(lg.get('charges_mensuelles') or 0):.2f} €, étage {lg.get('etage', '')}"
        f"{' avec' if bool(lg.get('ascenseur')) else ' sans'} ascenseur, contingent "
        f"{lg.get('contingent') or 'non renseigné'}, {'en QPV ' + str(lg['code_qpv']) if lg.get('en_qpv') else 'hors QPV'}, "
        f"commune {lg['code_commune']}. Entrée {lg['id_entree']} : « {f.statut_entree} »."
    )
    parts.append(f"<p>{html.escape(_french_decimals(facts))}</p>")
    parts.append("<h2>Les candidats côte à côte</h2>")
    parts.append(_table_html(tableau(f), index=True))
    for imp in f.impacts:
        parts.append(f"<h2>Effet de l'attribution à {html.escape(imp.id_demande)}</h2>")
        parts.append(f'<p class="phrase">{html.escape(imp.phrase)}</p>')
        parts.append("<p>Veille de l'entrée (seuil et marge du bailleur) :</p>")
        parts.append(_table_html(imp.veille))
        if len(imp.zones):
            parts.append("<p>Indicateurs des zones (avant → après) :</p>")
            parts.append(_table_html(imp.zones, index=True))
        if len(imp.objectifs):
            parts.append("<p>Objectifs des chartes et quotas légaux touchés :</p>")
            parts.append(_table_html(imp.objectifs))
    parts.append("<h2>Notes</h2><ul>")
    parts += [f'<li class="note">{html.escape(n)}</li>' for n in f.notes]
    parts.append("</ul></body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
