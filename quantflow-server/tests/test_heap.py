"""The served app freezes its startup heap, so full collections no longer scan it."""

from __future__ import annotations

import gc
import importlib
import sys
from pathlib import Path

import pytest

from quantflow_server.heap import YOUNG_THRESHOLD, freeze_startup_heap


def test_freezing_moves_the_live_objects_out_of_the_collectors_sight() -> None:
    kept = [object() for _ in range(1000)]
    before, threshold = gc.get_freeze_count(), gc.get_threshold()
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() >= before + len(kept)
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *threshold[1:])  # the young generation collected less often
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_served_app_freezes_its_heap_once_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANTFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QUANTFLOW_JWT_SECRET", "s" * 48)
    monkeypatch.delitem(sys.modules, "quantflow_server.asgi", raising=False)
    asgi = importlib.import_module("quantflow_server.asgi")
    assert asgi.app.on_startup[-1] is freeze_startup_heap
