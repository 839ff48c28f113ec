"""Build the extract of real open data embedded in the package (``src/mixite/data``).

The twin of the Métropole Européenne de Lille needs, for its 95 communes, their
territory, polygon, Filosofi 2016 figures and census 2016 IRIS counts, and the
reference tables (income ceilings, first-quartile thresholds). They are copied here
from ``../shared/data`` so that ``pip install mixite`` works anywhere; the test
``tests/io/test_embedded.py`` re-runs this extraction and checks the files match.

Usage: ``python scripts/extraire_donnees_mel.py [--shared ../shared] [--check]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "mixite" / "data"
REFDATA_FILES = (
    "plafonds_ressources.csv",
    "menage_categories.csv",
    "premier_quartile_national.csv",
    "mel_communes.csv",
    "zone1_paris_communes_limitrophes.csv",
)
FILOSOFI_COLUMNS = ["CODGEO", "NBMENFISC16", "NBPERSMENFISC16", "MED16", "TP6016", "D116", "D916"]


def build(shared: Path) -> dict[str, str]:
    """Return {relative path: file content} of the embedded extract."""
    real = shared / "data" / "real"
    ref = shared / "data" / "refdata"
    mel = pd.read_csv(ref / "mel_communes.csv", dtype=str)
    codes = set(mel["insee_code"])
    out: dict[str, str] = {}

    filo = pd.read_csv(
        real / "filosofi-communes-2016" / "filosofi_com_2016.csv", dtype={"CODGEO": str}
    )
    filo = filo[filo["CODGEO"].isin(codes)][FILOSOFI_COLUMNS].sort_values("CODGEO")
    out["mel/filosofi_communes_2016.csv"] = filo.to_csv(index=False, float_format="%.6f")

    out["mel/seuil_pauvrete_filosofi_2016.csv"] = poverty_threshold(real)

    frames = []
    for name in ("IRIS_household_detailed_IR_Hab.csv", "IRIS_housing_IR_Hab.csv"):
        f = pd.read_csv(real / "rp2016-iris-habitat" / name, dtype={"IRIS": str})
        f = f.drop(columns=[c for c in f.columns if c.startswith("Unnamed")])
        f = f[f["IRIS"].str[:5].isin(codes)].set_index("IRIS")
        frames.append(f.drop(columns=["LIBCOM", "TYP_IRIS"]) if frames else f)
    iris = pd.concat(frames, axis=1).reset_index().sort_values("IRIS")
    out["mel/recensement_iris_2016.csv"] = iris.to_csv(index=False, float_format="%.6f")

    geo = json.loads((real / "filosofi-communes-2016" / "communes-59-nord.geojson").read_text())
    geo["features"] = sorted(
        (f for f in geo["features"] if f["properties"]["code"] in codes),
        key=lambda f: f["properties"]["code"],
    )
    out["mel/communes_2018.geojson"] = json.dumps(geo, separators=(",", ":"))

    for name in REFDATA_FILES:
        out[f"refdata/{name}"] = (ref / name).read_text(encoding="utf-8")
    return out


def poverty_threshold(real: Path) -> str:
    """Estimate Filosofi 2016's poverty threshold from the published commune table.

    A commune's poverty rate is under 10 % exactly when its first decile D1 is above the
    threshold. Over every commune where both are published, the threshold (to 10 €) that
    makes this hold most often is kept, with the share of communes where it holds.
    """
    com = pd.read_csv(
        real / "filosofi-communes-2016" / "filosofi_com_2016.csv", dtype={"CODGEO": str}
    )
    com = com.dropna(subset=["D116", "TP6016"])
    below = (com["TP6016"] < 10).to_numpy()
    d1 = com["D116"].to_numpy()
    scores = [(float((below == (d1 > t)).mean()), t) for t in range(11000, 14000, 10)]
    agreement, threshold = max(scores)
    return (
        "millesime,seuil_annuel_eur,methode,accord,communes\n"
        f"2016,{threshold},estimé sur filosofi_com_2016 : TP60 < 10 % si et seulement si D1 > seuil,"
        f"{agreement:.4f},{len(com)}\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    files = build(args.shared)
    stale = []
    for rel, content in files.items():
        path = TARGET / rel
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    if stale:
        print("fichiers embarqués périmés : " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
