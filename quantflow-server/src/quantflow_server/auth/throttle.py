"""Per-client-address login throttling (a sliding one-minute window, in memory).

The per-account lockout lives in the database (users.failed_logins / locked_until) so it survives a
restart; this limiter additionally stops one address from guessing across many account names.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._attempts: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again (0: now); records the attempt when allowed."""
        now = self.clock()
        window = self._attempts.setdefault(key, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return max(1, int(window[0] + 60 - now) + 1)
        window.append(now)
        if len(self._attempts) > 10_000:  # forget idle addresses so memory stays bounded
            for stale in [k for k, w in self._attempts.items() if not w or w[-1] <= now - 60]:
                del self._attempts[stale]
        return 0
