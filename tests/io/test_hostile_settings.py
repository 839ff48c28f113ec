"""Issue 10: hostile and generated settings files for every settings kind. Each is
refused with a French report naming the line (InvalidDataError, exit 2 in the CLI) or,
when the change is harmless, loaded; nothing else ever happens (no other exception,
no expansion, no code run). Bounded and seeded by default; longer when slow."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from mixite.cli.main import main
from mixite.errors import InvalidDataError
from mixite.io.config import (
    load_charter,
    load_fragility,
    load_grid,
    load_priority_catalogue,
    load_relocation_settings,
    load_typology,
    load_watch,
)
from tests import suite_postgres

CONFIG = resources.files("mixite") / "data" / "config"
KINDS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "relogement": (load_relocation_settings, "relogement.yaml"),
    "catalogue": (load_priority_catalogue, "criteres_priorite.yaml"),
    "charte": (load_charter, "chartes/loi-2017.yaml"),
    "grille": (load_grid, "cotation.yaml"),
    "fragilite": (load_fragility, "fragilite.yaml"),
    "typologie": (load_typology, "typologies/arras.yaml"),
    "veille": (load_watch, "veille.yaml"),
}

HOSTILE = {
    "python tag": "reste: !!python/object/apply:os.system ['echo pwned']\n",
    "custom tag": "nom: !secret x\n",
    "deep nesting": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "recursive alias": "a: &a [*a]\n",
    "billion laughs": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    ),
    "huge integer": "nom: t\nseuil: " + "9" * 400 + "\n",
    "nan": "nom: t\nseuil: .nan\n",
    "inf": "nom: t\nseuil: .inf\n",
    "negative": "nom: t\npoids: -1\n",
    "empty": "",
    "only comments": "# rien\n",
    "duplicate keys": "nom: a\nnom: b\n",
    "not utf-8": "nom: caf\xe9\n",
    "binary": "\x00\x01\x02\xff" * 10,
    "huge file": "# " + "x" * 300_000 + "\n",
}


def _load(kind: str, path: Path) -> str:
    loader, _ = KINDS[kind]
    try:
        loader(path)
        return "chargé"
    except InvalidDataError as exc:
        report = exc.report()
        assert report.startswith("Réglages refusés :"), report
        return "refusé"


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_settings_are_refused(kind: str, case: str, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    text = HOSTILE[case]
    if case in ("not utf-8", "binary"):
        path.write_bytes(text.encode("latin-1"))
    else:
        path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    assert _load(kind, path) == "refusé", (kind, case)
    assert time.perf_counter() - start < 5, "no expansion, no long parse"


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    numbers = [i for i, line in enumerate(lines) if re.search(r":\s*-?\d", line)]
    choice = rng.randrange(5)
    if choice == 0 and numbers:
        i = rng.choice(numbers)
        bad = rng.choice([".nan", "-5", "1e400", "texte", "true", "[1, 2]", "{a: 1}"])
        lines[i] = re.sub(r"(:\s*)-?[\d.]+", lambda m: m.group(1) + bad, lines[i], count=1)
    elif choice == 1 and lines:
        del lines[rng.randrange(len(lines))]
    elif choice == 2 and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif choice == 3 and lines:
        i = rng.randrange(len(lines))
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    else:
        i = rng.randrange(len(lines) + 1)
        lines.insert(i, "cle_inconnue: 1")
    return "\n".join(lines) + "\n"


def _fuzz(tmp_path: Path, cases: int) -> dict[str, int]:
    counts = {"chargé": 0, "refusé": 0}
    for kind, (_, rel) in KINDS.items():
        base = (CONFIG / rel).read_text("utf-8")
        for seed in range(cases):
            path = tmp_path / f"{kind}.yaml"
            path.write_text(_mutate(base, random.Random(f"{kind}-{seed}")), encoding="utf-8")
            counts[_load(kind, path)] += 1
    return counts


def test_generated_settings_are_refused_or_loaded(tmp_path: Path) -> None:
    counts = _fuzz(tmp_path, 12)
    assert counts["refusé"] > 0 and counts["chargé"] > 0, counts


@pytest.mark.slow
def test_generated_settings_long(tmp_path: Path) -> None:
    _fuzz(tmp_path, 200)


def test_cli_reports_a_hostile_settings_file_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(HOSTILE["python tag"], encoding="utf-8")
    store = str(tmp_path / "s.duckdb")
    assert main(["demandes", "priorites", "--catalogue", str(path), "--store", store]) == 2
    err = capsys.readouterr().err
    assert "étiquette YAML non autorisée" in err and "Traceback" not in err
    # A missing store is a user error too: French, exit 2.
    assert main(["demandes", "priorites", "--store", store]) == 2
    missing = "n'a pas de table « demandes »" if suite_postgres.ACTIVE else "n'existe pas"
    assert missing in capsys.readouterr().err


def test_zone_true_is_not_zone_1(tmp_path: Path) -> None:
    text = (CONFIG / "chartes/loi-2017.yaml").read_text("utf-8")
    path = tmp_path / "c.yaml"
    path.write_text(
        re.sub(r"zone_plafonds:.*", "zone_plafonds: true", text)
        if "zone_plafonds" in text
        else "zone_plafonds: true\n" + text,
        encoding="utf-8",
    )
    with pytest.raises(InvalidDataError, match="problem"):
        load_charter(path)
