"""The « état du peuplement » of the full twin: time per section, then the PDF rendered
by WeasyPrint (mixite's renderer) and, side by side from the same HTML, by Debian's
chromium through Playwright (the reference: a browser's print to PDF).

Usage: ``python benchmarks/rapport.py [--store mixite.duckdb] [--territoire epci 200093201]``
(``make demo SERVEUR=0`` first). Target (issue 15): the EPCI report in under 60 s on 2
cores, PDF included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("mixite.duckdb"))
    parser.add_argument("--territoire", nargs=2, default=["epci", "200093201"])
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30))
    args = parser.parse_args()
    if not args.store.exists():
        print(f"{args.store} absent : lancez d'abord « make demo SERVEUR=0 ».")
        return 2
    from mixite.io.publication import evolution_significative
    from mixite.io.store import Store
    from mixite.plateforme import donnees
    from mixite.rapport import contenu
    from mixite.rapport.rendu import en_html

    store = Store(args.store)
    niveau, code = args.territoire
    previous = (dt.datetime.combine(args.date, dt.time()) - dt.timedelta(days=182)).date()
    communes = frozenset({code}) if niveau == "commune" else None
    total = time.perf_counter()
    timings: list[tuple[str, float]] = []

    def timed(name: str, fn: object, *a: object) -> object:
        t0 = time.perf_counter()
        out = fn(*a)  # type: ignore[operator]
        timings.append((name, time.perf_counter() - t0))
        return out

    timed("publication (chiffres de tous les niveaux)", donnees.publication, store)
    tests = timed("tests des évolutions (permutations)", evolution_significative, store, communes)
    timed("1. chiffres clés et évolution", contenu._chiffres, store, communes, code, tests)
    timed("2. cartes", contenu._cartes, store, args.date, niveau)
    timed("3. parc social", contenu._parc, store, communes, args.date, previous)
    timed("4. objectifs légaux", contenu._objectifs, store)
    timed("5. ségrégation", contenu._segregation, store, communes, tests)
    timed("6. quartiers prioritaires et fragiles", contenu._quartiers, store, communes,
          args.date, previous)  # fmt: skip
    if niveau == "epci":
        timed("7. relogement", contenu._relogement, store)
    report = timed("assemblage et audit du secret du document", contenu.construire, store,
                   niveau, code, args.date)  # fmt: skip
    text = timed("HTML", en_html, report)
    content = time.perf_counter() - total
    with tempfile.TemporaryDirectory() as d:
        from weasyprint import HTML  # type: ignore[import-untyped]

        t0 = time.perf_counter()
        HTML(string=text).write_pdf(Path(d) / "weasyprint.pdf")
        weasy = time.perf_counter() - t0
        chromium_s = _chromium(text, Path(d))
    print(f"État du peuplement, {niveau} {code}, {args.date} ; {len(report.sections)} parties")  # type: ignore[attr-defined]
    for name, seconds in timings:
        print(f"  {name:<45} {seconds:6.1f} s")
    print(f"  {'contenu et HTML':<45} {content:6.1f} s")
    print(f"  {'PDF WeasyPrint (mixite)':<45} {weasy:6.1f} s")
    if chromium_s is not None:
        print(f"  {'PDF chromium (référence)':<45} {chromium_s:6.1f} s   "
              f"rapport WeasyPrint / chromium × {weasy / chromium_s:.2f}")  # fmt: skip
    total_s = content + weasy
    print(f"Total avec le PDF : {total_s:.1f} s (objectif < 60 s : "
          f"{'atteint' if total_s < 60 else 'NON atteint'})")  # fmt: skip
    return 0


def _chromium(text: str, folder: Path) -> float | None:
    """Seconds for Debian's chromium to print the same HTML to PDF (None if absent)."""
    executable = shutil.which("chromium")
    if executable is None:
        return None
    from playwright.sync_api import sync_playwright

    page_file = folder / "rapport.html"
    page_file.write_text(text, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page()
        t0 = time.perf_counter()
        page.goto(page_file.as_uri())
        page.pdf(path=str(folder / "chromium.pdf"), format="A4", print_background=True)
        seconds = time.perf_counter() - t0
        browser.close()
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
