"""Probe every import kind with generated bad files and count what users would meet.

Each generated file (the mutations of ``tests/io/test_generated_files.py`` over seeds)
is imported through the command line; the outcome is classified as: accepted (exit 0),
refused with a French report (exit 2, « Import refusé »), refused with another message
(exit 2), or crashed (exit 1, « erreur interne » or a traceback). The store is checked
byte for byte after every refusal.

Usage: ``python scripts/sonder_imports.py [--graines 3]`` (needs ../shared beside the
repository). Prints one line per outcome and the first examples of each.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import sha256  # noqa: E402
from tests.io import test_generated_files as g  # noqa: E402

from mixite.cli.main import main  # noqa: E402


def run(kind: str, path: Path, store: Path) -> tuple[str, str]:
    before = sha256(store) if store.exists() else None
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["importer", kind, str(path), "--store", str(store)])
        except SystemExit as exc:
            code = int(exc.code or 0)
        except Exception as exc:
            code, err = 1, io.StringIO(f"Traceback: {exc!r}")
    text = err.getvalue()
    changed = store.exists() and before is not None and sha256(store) != before
    if code == 0:
        return "accepté (0)", text
    if code == 2 and text.startswith("Import refusé"):
        return ("refusé en français (2)" if not changed else "refusé MAIS base modifiée"), text
    if code == 2:
        return "refusé, autre message (2)", text
    return "plantage (1 / traceback)", text


def main_probe() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--graines", type=int, default=3)
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)

        class Factory:
            def mktemp(self, name: str) -> Path:
                p = d / name
                p.mkdir()
                return p

        bases = g.bases.__wrapped__(Factory())  # type: ignore[attr-defined]
        for kind, (base, store) in bases.items():
            lines = base.read_text(encoding="utf-8").splitlines()
            for seed in range(args.graines):
                for name, mutate in g.MUTATIONS.items():
                    bad = d / "cas" / base.name
                    bad.parent.mkdir(exist_ok=True)
                    bad.write_bytes(mutate(lines, random.Random(f"{kind}-{name}-{seed}")))
                    work = g._fresh(store, d / "cas")
                    outcome, text = run(kind, bad, work)
                    counts[outcome] += 1
                    examples.setdefault(outcome, [])
                    if len(examples[outcome]) < 3:
                        examples[outcome].append(
                            f"{kind} / {name}: {text.splitlines()[-1] if text else ''}"[:160]
                        )
    total = sum(counts.values())
    print(f"{total} fichiers générés, {len(bases)} types d'import")
    for outcome, n in counts.most_common():
        print(f"  {outcome:<28} {n:5d}")
        for e in examples[outcome]:
            print(f"      ex. {e}")


if __name__ == "__main__":
    main_probe()
