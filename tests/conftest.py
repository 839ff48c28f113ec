"""Shared fixtures: where the read-only shared data lives, a fresh store per test."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mixite.io.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "data" / "real"
REFDATA = SHARED / "data" / "refdata"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "test.duckdb")


def require_shared() -> None:
    if not REAL.exists():
        pytest.skip("../shared/data/real is not beside the repository")
