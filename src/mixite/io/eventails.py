"""Fan charts (PNG and SVG) of projected indicators: each scenario's median and 90 %
band year by year, the snapshot marked, with source and method in the caption."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from mixite.scenarios.monte_carlo import Ensemble
from mixite.scenarios.moteur import INDICES
from mixite.scenarios.synthese import LIBELLES_INDICES, QUANTILES

#: The indices drawn by default, and whether they read as percentages.
GRAPHIQUES: dict[str, bool] = {
    "part_q1_loges_en_qpv": True,
    "part_q1_parmi_menages_qpv": True,
    "D_premier_quartile_iris": False,
    "M_entre_batiments_dans_iris": False,
}
COULEURS = ("#000091", "#b34000", "#18753c", "#8c4fc4", "#7f7f7f", "#c9191e")


def _fr(x: float, pct: bool, decimals: int = 1) -> str:
    return (f"{x * 100:.{decimals}f} %" if pct else f"{x:.{decimals + 2}f}").replace(".", ",")


def eventail(
    ensembles: list[Ensemble], indice: str, annee0: int, path: Path, *, pourcentage: bool
) -> list[Path]:
    """One index's fan chart for every scenario; writes ``path`` as .png and .svg."""
    j = INDICES.index(indice)
    fig, ax = plt.subplots(figsize=(8.5, 4.8), dpi=110)
    for k, e in enumerate(ensembles):
        values = e.indices[:, :, j]
        low, mid, high = np.nanquantile(values, QUANTILES, axis=0)
        years = annee0 + np.arange(values.shape[1])
        colour = COULEURS[k % len(COULEURS)]
        ax.fill_between(years, low, high, color=colour, alpha=0.18, linewidth=0)
        ax.plot(
            years, mid, color=colour, linewidth=2, label=f"{e.scenario.nom} ({e.replicats} tirages)"
        )
        ax.annotate(_fr(float(mid[-1]), pourcentage), (years[-1], mid[-1]), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8, color=colour)  # fmt: skip
    ax.axvline(annee0, color="#666666", linestyle=":", linewidth=1)
    ax.text(annee0, ax.get_ylim()[1], " millésime observé", va="top", fontsize=8, color="#444444")
    low_y, high_y = ax.get_ylim()
    span = (high_y - low_y) * (100 if pourcentage else 1)
    decimals = 0 if span >= 3 else 1
    ax.yaxis.set_major_formatter(
        matplotlib.ticker.FuncFormatter(lambda v, _: _fr(v, pourcentage, decimals))
    )
    ax.set_xlabel("au 1er janvier")
    ax.set_title(LIBELLES_INDICES[indice][0].upper() + LIBELLES_INDICES[indice][1:], fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best", frameon=False)
    fig.text(0.01, 0.01, "Projection mixite : médiane et bande de 90 % des tirages (centiles 5 et 95). "
             "Parc social du millésime, comportements estimés sur l'historique de la base.",
             fontsize=7, color="#444444")  # fmt: skip
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    out = [path.with_suffix(".png"), path.with_suffix(".svg")]
    for p in out:
        fig.savefig(p)
    plt.close(fig)
    return out


def eventails(ensembles: list[Ensemble], annee0: int, dossier: Path) -> list[Path]:
    """The default fan charts in ``dossier``."""
    written: list[Path] = []
    for name, pct in GRAPHIQUES.items():
        written += eventail(ensembles, name, annee0, dossier / f"eventail-{name}", pourcentage=pct)
    return written
