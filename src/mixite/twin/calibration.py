"""The calibration report: does the twin reproduce the real figures it was built on?

Per commune, the person-weighted median standard of living and poverty rate of the
synthetic households against Filosofi 2016 (within ``TOLERANCE`` = 2 %, relative);
per IRIS, household and social-household counts against the census targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixite.core.validation import format_int
from mixite.twin.income import weighted_quantile

TOLERANCE = 0.02


def len_of(value: object) -> int:
    """A count read back from a frame row, as a Python int."""
    return int(str(value))


@dataclass(frozen=True)
class CalibrationReport:
    """Per-commune comparison and the IRIS count gaps."""

    communes: pd.DataFrame
    iris_household_gap: int
    iris_social_gap: int
    scale: float

    @property
    def within_tolerance(self) -> bool:
        return bool(self.communes["dans_tolerance"].all()) and self.iris_household_gap == 0

    def format(self, *, worst: int = 8) -> str:
        """The report in French, as ``mixite demo`` prints it."""
        c = self.communes
        ok = int(c["dans_tolerance"].sum())
        lines = [
            f"Rapport de calibration du jumeau (données SYNTHÉTIQUES, échelle {self.scale:g})",
            f"  Communes dans la tolérance (± {TOLERANCE:.0%} sur la médiane et le taux de pauvreté) : "
            f"{ok} / {len(c)}",
            f"  Écart médian maximal : {c['ecart_mediane'].abs().max():.2%} "
            f"(moyen {c['ecart_mediane'].abs().mean():.2%})",
            f"  Écart de taux de pauvreté maximal : {c['ecart_pauvrete'].abs().max():.2%} relatif, "
            f"communes au taux publié : {int(c['pauvrete_cible'].notna().sum())}",
            f"  IRIS : écart maximal de ménages {format_int(self.iris_household_gap)}, "
            f"de ménages du parc social {format_int(self.iris_social_gap)}",
        ]
        worst_rows = c.assign(
            pire=c[["ecart_mediane", "ecart_pauvrete"]].abs().max(axis=1)
        ).nlargest(worst, "pire")
        lines.append("  Communes les plus éloignées de leur cible :")
        for r in worst_rows.itertuples():
            pov = (
                "secret"
                if not np.isfinite(float(r.pauvrete_cible))  # type: ignore[arg-type]
                else f"{r.pauvrete_cible:.1f} % → {r.pauvrete_jumeau:.1f} %"
            )
            lines.append(
                f"    {r.code_commune} {r.nom:<28} ménages {format_int(len_of(r.menages_jumeau)):>7}  "
                f"médiane {r.mediane_cible:>8.0f} → {r.mediane_jumeau:>8.0f} €  pauvreté {pov}"
            )
        verdict = "OK" if self.within_tolerance else "HORS TOLÉRANCE"
        lines.append(f"  Verdict : {verdict}")
        return "\n".join(lines)


def calibration_report(
    households: pd.DataFrame,
    filosofi: pd.DataFrame,
    names: pd.Series,
    counts: pd.DataFrame,
    threshold: float,
    scale: float,
) -> CalibrationReport:
    """Compare the synthetic households with their targets.

    ``households`` needs ``code_commune, code_iris, nb_personnes, niveau_de_vie_2016,
    social``; ``counts`` the per-IRIS targets from :func:`mixite.twin.population.scaled_counts`.
    """
    rows = []
    f = filosofi.set_index("CODGEO")
    for code, g in households.groupby("code_commune", sort=True):
        w = g["nb_personnes"].to_numpy(dtype=float)
        v = g["niveau_de_vie_2016"].to_numpy(dtype=float)
        med = weighted_quantile(v, w, 0.5)
        pov = float(w[v < threshold].sum() / w.sum() * 100)
        values = f.loc[str(code), ["MED16", "TP6016", "D1", "D9"]].to_numpy(dtype=float)
        row = dict(zip(["MED16", "TP6016", "D1", "D9"], values.tolist(), strict=True))
        imputed = bool(f.loc[str(code), "deciles_imputes"])
        target_med = row["MED16"]
        target_pov = row["TP6016"]
        rows.append(
            {
                "code_commune": code,
                "nom": names.get(code, ""),
                "menages_jumeau": len(g),
                "mediane_cible": target_med,
                "mediane_jumeau": med,
                "ecart_mediane": med / target_med - 1,
                "pauvrete_cible": target_pov,
                "pauvrete_jumeau": pov,
                "ecart_pauvrete": (pov / target_pov - 1)
                if np.isfinite(target_pov) and target_pov > 0
                else 0.0,
                "d1_cible": row["D1"],
                "d1_jumeau": weighted_quantile(v, w, 0.1),
                "d9_cible": row["D9"],
                "d9_jumeau": weighted_quantile(v, w, 0.9),
                "deciles_imputes": imputed,
            }
        )
    table = pd.DataFrame(rows)
    table["dans_tolerance"] = (table["ecart_mediane"].abs() <= TOLERANCE) & (
        table["ecart_pauvrete"].abs() <= TOLERANCE
    )
    got = households.groupby("code_iris").agg(menages=("social", "size"), sociaux=("social", "sum"))
    want = counts.set_index("code_iris")[["menages", "menages_sociaux"]]
    got = got.reindex(want.index).fillna(0)
    return CalibrationReport(
        communes=table,
        iris_household_gap=int(
            np.abs(want["menages"].to_numpy() - got["menages"].to_numpy()).max()
        ),
        iris_social_gap=int(
            np.abs(want["menages_sociaux"].to_numpy() - got["sociaux"].to_numpy()).max()
        ),
        scale=scale,
    )
