"""Generated pages and embedded data stay in step with their sources."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SHARED, require_shared


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_model_page_is_up_to_date() -> None:
    done = _run("ecrire_doc_modele.py", "--check")
    assert done.returncode == 0, done.stderr


def test_embedded_extract_matches_shared_data() -> None:
    require_shared()
    done = _run("extraire_donnees_mel.py", "--check", "--shared", str(SHARED))
    assert done.returncode == 0, done.stderr


def test_readme_commands_are_the_makefile_targets() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "\ndemo:" in makefile and "\ntest:" in makefile
    assert "make test" in ci
    assert Path(ROOT / "docs" / "adr").is_dir()


def test_index_pages_are_up_to_date() -> None:
    done = _run("ecrire_doc_indices.py", "--check")
    assert done.returncode == 0, done.stderr
