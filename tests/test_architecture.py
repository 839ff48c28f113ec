"""The core stays pure: no module of mixite.core or mixite.twin reaches files, databases or
the network, directly or through mixite.io / mixite.cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mixite"
PURE = ("core", "twin", "indices", "observatoire", "commission", "scenarios")
FORBIDDEN_MODULES = {
    "duckdb", "sqlite3", "socket", "urllib", "http", "requests", "httpx", "openpyxl",
    "pyarrow.parquet", "pyarrow.csv", "pyarrow.dataset", "pyarrow.fs", "pyarrow.feather",
    "shutil", "tempfile", "mixite.io", "mixite.cli", "importlib.resources", "pathlib",
}  # fmt: skip
FORBIDDEN_CALLS = {
    "open",
    "read_csv",
    "read_parquet",
    "read_excel",
    "to_csv",
    "to_parquet",
    "to_excel",
    "connect",
}


def _modules() -> list[Path]:
    return [p for sub in PURE for p in sorted((PACKAGE / sub).rglob("*.py"))]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pure_core_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN_MODULES), (
                f"{path.name} imports {name}"
            )
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {called}()"


def test_glossary_lists_every_french_identifier() -> None:
    """Every table and column name of the model is explained in docs/glossaire.md."""
    from mixite.core.model import ENTITY_TABLES

    glossary = (PACKAGE.parents[1] / "docs" / "glossaire.md").read_text(encoding="utf-8")
    words: set[str] = set()
    for t in ENTITY_TABLES:
        words.add(t.name)
        for c in t.columns:
            words.update(part for part in c.name.split("_") if len(part) > 3)
    missing = sorted(w for w in words if f"`{w}`" not in glossary)
    assert not missing, f"add to docs/glossaire.md: {missing}"
