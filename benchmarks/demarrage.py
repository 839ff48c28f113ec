"""Start-up time of the command line, side by side with Python's own start-up.

``mixite --help`` and ``mixite --version`` build only the top-level parser and import
no numerical library; ``mixite info`` opens the store. Each command is run 7 times in a
fresh process and the best wall time is kept.

Usage: ``python benchmarks/demarrage.py [--store mixite.duckdb]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time


def best(cmd: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="mixite.duckdb")
    args = parser.parse_args()
    python = best([sys.executable, "-c", "pass"])
    print(f"{'python -c pass (reference)':<40} {python:6.3f} s")
    for name, extra in (
        ("mixite --help", ["--help"]),
        ("mixite --version", ["--version"]),
        ("mixite info", ["info", "--store", args.store]),
        ("mixite relogement --help", ["relogement", "--help"]),
    ):
        t = best([sys.executable, "-m", "mixite.cli.main", *extra])
        print(f"{name:<40} {t:6.3f} s   {t / python:5.1f}× Python's start-up")


if __name__ == "__main__":
    main()
