"""A run in flight: every published event is numbered, encoded once into the journal subscribers
follow, and queued for the database."""

from __future__ import annotations

import json
import math
from datetime import date

from quantflow_server.runs.live import LiveRun


def test_published_events_are_numbered_encoded_and_pending_for_the_database() -> None:
    run = LiveRun("r")
    run.publish({"event": "a", "x": 1.5})
    run.publish({"event": "b"})
    frames, cursor = run.journal.frames(0)
    expected = [{"seq": 0, "event": "a", "x": 1.5}, {"seq": 1, "event": "b"}]
    assert cursor == 2 and [json.loads(f) for f in frames] == [expected]
    assert run.pending == expected and run.wake.is_set()
    run.close()
    assert run.finished and run.journal.closed


def test_an_event_that_is_not_plain_json_is_still_encoded() -> None:
    run = LiveRun("r")
    run.publish({"event": "odd", "when": date(2024, 1, 2), "value": math.nan, "what": {1}})
    frames, _ = run.journal.frames(0)
    assert json.loads(frames[0]) == [{"seq": 0, "event": "odd", "when": "2024-01-02", "value": None, "what": [1]}]
