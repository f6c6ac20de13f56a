"""Where the real Vietnamese market data used by tests lives, and what to do when it is absent.

The data is licensed for internal tests only, so it is never in the repository: it sits in
`../shared/data/vn` beside the checkout (override with QUANTFLOW_SHARED_DATA). In CI its absence
is a failure, never a silent skip; on a laptop without it the tests that need it are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[4]


def shared_data_dir() -> Path:
    configured = os.environ.get("QUANTFLOW_SHARED_DATA")
    return Path(configured) if configured else _REPO_ROOT.parent / "shared" / "data" / "vn"


def require_shared_data(*relative: str) -> Path:
    """The path under the shared data folder; fails (CI) or skips (elsewhere) if missing."""
    import pytest

    path = shared_data_dir().joinpath(*relative)
    if not path.exists():
        message = f"real market data not found at {path} (set QUANTFLOW_SHARED_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
