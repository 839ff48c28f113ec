"""The table bodies written in Python are the HTML Django's template loop wrote: the
same cells, escaped the same way (issue 18: page rendering under load)."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

ROWS = [
    ["59350", "Lille", "1 234,5", "s", "—"],
    ["<script>alert('x')</script>", 'dit "oui" & non', "l'été", "", "é ü ✓"],
    [1234, 0.5, None, True, dt.date(2026, 12, 1)],
    [mark_safe("<b>déjà sûr</b>"), "REL 1/é&?", -3, 1e21, "a\nb"],
]
LOOP = "{% for l in lignes %}<tr>{% for v in l %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}"
LINKS = (
    "{% for l in lignes %}<tr>{% for v in l %}<td>{% if forloop.first %}"
    '<a href="{{ prefixe }}{{ v|urlencode }}/">{{ v }}</a>{% else %}{{ v }}{% endif %}'
    "</td>{% endfor %}</tr>{% endfor %}"
)


def _both(rows: list[list[object]], prefixe: str = "") -> tuple[str, str]:
    context = {"lignes": rows, "prefixe": prefixe}
    before = Template(LINKS if prefixe else LOOP).render(Context(context))
    tag = "{% load tableaux %}" + (
        "{% corps lignes prefixe %}" if prefixe else "{% corps lignes %}"
    )
    return before, Template(tag).render(Context(context))


def test_the_cells_are_those_of_the_template_loop() -> None:
    before, after = _both(ROWS)
    assert after == before
    assert "&lt;script&gt;" in after and "<b>déjà sûr</b>" in after


def test_the_linked_first_cells_are_those_of_the_template_loop() -> None:
    before, after = _both(ROWS, "/relogement/dossier/")
    assert after == before
    assert '<a href="/relogement/dossier/59350/">59350</a>' in after
    assert 'href="/relogement/dossier/%3Cscript%3Ealert%28%27x%27%29%3C/script%3E/"' in after


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), max_size=4))
def test_any_text_is_escaped_as_the_template_escapes_it(rows: list[list[str]]) -> None:
    before, after = _both(rows)
    assert after == before
    before, after = _both(rows, "/x/")
    assert after == before


def test_cells_are_french_text() -> None:
    import numpy as np
    import pandas as pd

    from mixite.plateforme.vues import _rows

    frame = pd.DataFrame({"prioritaire": [True, False], "dalo": pd.array([np.True_, None], dtype="boolean"),
                          "cotation": [1234.5, np.nan], "code": ["59350", None]})  # fmt: skip
    assert _rows(frame) == [["oui", "oui", "1\u202f234,5", "59350"], ["non", "s", "s", "s"]]
    assert _rows(frame) is _rows(frame)  # written once for the same table
