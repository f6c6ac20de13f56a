"""The cyclic garbage collector in the long-running server process.

The server starts with ~200,000 objects (modules, the app, the plugin host) that live as long as it
does, and a full collection scans every one of them: under 500 websocket subscribers that was a
130-170 ms pause every few seconds, which was the reads' p99. Freezing them once the server has
started (gc.freeze) takes them out of the collector's sight, so a full collection scans only what
came after. Garbage among the frozen objects is never collected; there is none worth the scan.

The young generation's threshold is then raised from 700 to 10,000 allocations: a request or a fan-out
to 500 subscribers makes short-lived containers by the thousand, and at 700 they were collected ~9
times a second and promoted half-way through their short lives, each tenth collection a gen1 pass
of 7-20 ms. At 10,000 they mostly die before a collection (under the benchmark: ~0.5 young
collections a second and one gen1 pass in 24 s, instead of ~9 and ~20); the reads' p99 was lower in
4 of 5 interleaved pairs on a machine shared with other CPU-heavy work, i.e. a small effect.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # allocations minus deallocations of tracked objects between gen0 collections


def freeze_startup_heap() -> None:
    """Collect once, move every surviving object to the permanent generation, and let the young
    generation grow to YOUNG_THRESHOLD before it is collected."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
