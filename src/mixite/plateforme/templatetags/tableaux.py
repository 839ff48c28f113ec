"""Table bodies written in Python.

A published table has thousands of cells (the IRIS explorer: 486 rows × 40 columns);
Django's template loop spent most of a page's time on them (62 % of the pages' time on
the full twin). :func:`corps` writes the same HTML — every cell escaped as ``{{ v }}``
escapes it — in a fraction of that time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import urlencode
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()


def _cellule(value: Any, context: template.Context) -> str:
    if isinstance(value, str) and not isinstance(value, SafeData):
        return escape(value)  # what {{ value }} does to text, without its machinery
    return str(render_value_in_context(value, context))


@register.simple_tag(takes_context=True)
def corps(
    context: template.Context, lignes: Iterable[Sequence[Any]], prefixe: str = ""
) -> SafeString:
    """The ``<tr>`` rows of ``lignes`` (rows of cells), each cell escaped; with
    ``prefixe``, the first cell links to ``prefixe`` + the cell + ``/``. Written once
    for the cells of a kept table (:class:`mixite.plateforme.vues.Lignes`)."""
    from mixite.plateforme.vues import Lignes

    kept = lignes.corps_html if isinstance(lignes, Lignes) else None
    if kept is not None and prefixe in kept:
        return SafeString(kept[prefixe])  # escaped when it was written
    out = []
    for row in lignes:
        cells = [_cellule(v, context) for v in row]
        if prefixe and cells:
            link = escape(prefixe) + escape(urlencode(row[0]))
            cells[0] = f'<a href="{link}/">{cells[0]}</a>'
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    html = "".join(out)
    if kept is not None:
        kept[prefixe] = html
    return mark_safe(html)  # every cell escaped above
