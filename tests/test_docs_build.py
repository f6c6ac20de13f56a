"""The documentation builds offline in strict mode, and its node reference lists every node type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from quantflow.plugins import get_host

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strict_with_a_complete_node_reference(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    reference = (site / "nodes" / "index.html").read_text(encoding="utf-8")
    for node_type in get_host().registry.node_types:
        assert node_type.type_id in reference, f"{node_type.type_id} missing from the node reference"
    assert "fonts.googleapis.com" not in (site / "index.html").read_text(encoding="utf-8")
