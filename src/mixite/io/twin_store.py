"""Write the twin into the store, every table marked synthetic."""

from __future__ import annotations

from mixite import __version__
from mixite.core.model import TABLES_BY_NAME
from mixite.io.store import Store, Write
from mixite.twin.build import Twin

SOURCE = "jumeau synthétique de la MEL (mixite demo)"


def write_twin(store: Store, twin: Twin) -> None:
    """Replace the twin's tables in ``store`` in one transaction, with the calibration report."""
    writes = [
        Write(TABLES_BY_NAME[name], frame, SOURCE, synthetic=True, replace_all=True)
        for name, frame in twin.tables.items()
    ]
    p = twin.params
    meta = {
        "jumeau.synthetique": "oui",
        "jumeau.echelle": f"{p.scale:g}",
        "jumeau.graine": str(p.seed),
        "jumeau.periode": f"{p.debut.isoformat()} / {p.fin.isoformat()}",
        "jumeau.calibration": "OK" if twin.report.within_tolerance else "HORS TOLÉRANCE",
        "mixite.version": __version__,
    }
    store.write(writes, meta=meta)
