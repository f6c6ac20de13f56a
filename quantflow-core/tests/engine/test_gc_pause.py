"""gc_relaxed / keep_young_empty: what they do to the collector, never how long it takes."""

from __future__ import annotations

import gc
import weakref

from quantflow.gc_pause import gc_relaxed, keep_young_empty, promote_survivors


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_keep_young_empty_only_inside_gc_relaxed_and_cycles_are_collected_after() -> None:
    assert gc.get_freeze_count() == 0
    keep_young_empty()  # outside the block: nothing
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    with gc_relaxed():
        kept = [_Cycle() for _ in range(10)]
        del kept  # cyclic garbage made inside the block
        keep_young_empty()
        assert gc.get_count()[0] == 0 and gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
    gc.collect()
    assert not [o for o in gc.get_objects() if type(o) is _Cycle]


def test_a_heap_the_host_froze_stays_frozen_after_a_relaxed_block() -> None:
    gc.freeze()  # as the server does with its startup heap
    try:
        with gc_relaxed():
            garbage = [_Cycle() for _ in range(10)]
            one = weakref.ref(garbage[0])
            del garbage
            keep_young_empty()
        assert gc.get_freeze_count() > 0
        assert one() is None  # collected, not frozen with the host's heap
    finally:
        gc.unfreeze()


def test_promote_survivors_empties_the_young_generations_and_keeps_a_host_freeze() -> None:
    kept = [_Cycle() for _ in range(10)]
    promote_survivors()
    assert gc.get_count()[0] == 0 and gc.get_freeze_count() == 0
    gc.freeze()
    try:
        promote_survivors()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    del kept
