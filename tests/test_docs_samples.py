"""Every Python sample in docs/ runs, and what it defines really works: a guide that lies is worse
than none."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest
from quantflow.engine import RunContext
from quantflow.nodes import NodeType

DOCS = Path(__file__).resolve().parents[1] / "docs"
SAMPLE = re.compile(r"```python\n(.*?)```", re.DOTALL)


def samples() -> list[tuple[str, int, str]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for number, match in enumerate(SAMPLE.finditer(page.read_text(encoding="utf-8")), 1):
            found.append((page.name, number, match.group(1)))
    return found


@pytest.mark.parametrize(("page", "number", "code"), samples(), ids=lambda v: str(v)[:30])
def test_sample_runs(page: str, number: int, code: str) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{page}_{number}"}
    exec(compile(code, f"{page}#sample{number}", "exec"), namespace)  # noqa: S102 - our own docs


def test_the_guide_samples_define_working_components(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    for page, number, code in samples():
        if page == "plugins.md":
            exec(compile(code, f"{page}#{number}", "exec"), namespace)  # noqa: S102
    scale = namespace["scale"]
    assert isinstance(scale, NodeType)
    assert scale.invoke(RunContext(run_id="t"), scale.params_model(factor=3), {"x": 2.0}) == {"out": 6.0}
    band = namespace["Band"].node_type()  # type: ignore[attr-defined]
    assert band.migrate_params({"pct": 0.1}, from_version=1) == {"width": 0.1}
    out = anyio.run(band.invoke, RunContext(run_id="t"), band.params_model(width=0.5), {"x": 10.0})
    assert out == {"lower": 5.0, "upper": 15.0}
    source = namespace["flat_source"].create({"price_vnd": 20_000})  # type: ignore[attr-defined]
    bars = anyio.run(source.bars, "FLAT", "1D", None, datetime(2025, 1, 3, 12, tzinfo=UTC))
    assert len(bars) == 2 and bars.close.tolist() == [20_000.0, 20_000.0]


def test_the_guide_broker_conformance_sample_passes(tmp_path: Path) -> None:
    """The broker sample is a real conformance suite: run it with pytest and require a pass."""
    (code,) = [c for page, _, c in samples() if page == "plugins.md" and "BrokerConformance" in c]
    (tmp_path / "test_guide_broker.py").write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
