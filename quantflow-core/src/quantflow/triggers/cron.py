"""Cron expressions in Vietnamese market time: checking them, and the next instant one matches.

Five fields (minute hour day-of-month month day-of-week), evaluated in Asia/Ho_Chi_Minh, which has
no daylight saving time, so every wall-clock minute exists exactly once. Parsing and stepping are
croniter's (ranges, lists, steps, names like mon-fri, @daily); when both day fields are restricted
a day matching either fires, as in classic cron. Seconds fields are refused: hosts schedule by
the minute.

Ranges mean what crontab(5) says, not croniter's variant: croniter reads a range with equal ends
(`1-1`, `mon-mon`) as the whole field, so '0 9 * * 1-1' would fire every day; `check_cron`
rewrites such a range to its single value. A reversed range (`5-1`), which croniter wraps around,
is refused: write `5-6,0-1`.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from croniter import CroniterBadCronError, CroniterBadDateError, CroniterError, croniter

from quantflow.market.sessions import VN_TZ, to_vn_time

FIELDS = "minute hour day-of-month month day-of-week"
_EXAMPLE = "'0 15 * * 1-5' (15:00 every weekday)"
# A date well inside any sane cron's cycle, used to prove at validation time that a cron fires at all.
_PROBE = datetime(2000, 1, 1, tzinfo=VN_TZ)


_NAMES: dict[int, dict[str, int]] = {
    3: {
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
        )
    },
    4: {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])},
}
_RANGE = re.compile(r"^(?P<low>[0-9a-z]+)-(?P<high>[0-9a-z]+)(?:/\d+)?$", re.IGNORECASE)


def _position(index: int, token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _NAMES.get(index, {}).get(token.lower())


def _posix_ranges(index: int, field: str) -> str:
    """One field with equal-ended ranges made single values; reversed ranges refused."""
    items = []
    for item in field.split(","):
        match = _RANGE.match(item)
        if match:
            low, high = _position(index, match["low"]), _position(index, match["high"])
            if low is not None and high is not None and low > high:
                raise ValueError(
                    f"range {item!r} in the {FIELDS.split()[index]} field runs backwards; "
                    "write it low to high, e.g. '5-6,0-1' for Friday to Monday"
                )
            if low is not None and low == high:
                item = match["low"]
        items.append(item)
    return ",".join(items)


def check_cron(expression: str) -> str:
    """The expression, normalised to single spaces; ValueError with a readable reason otherwise."""
    text = " ".join(expression.split())
    if not text:
        raise ValueError(f"the cron expression is empty; expected 5 fields ({FIELDS}), e.g. {_EXAMPLE}")
    n = len(text.split(" "))
    if not text.startswith("@") and n != 5:
        raise ValueError(f"{text!r} has {n} field{'s' * (n != 1)}; expected 5 ({FIELDS}), e.g. {_EXAMPLE}")
    if not text.startswith("@"):
        text = " ".join(_posix_ranges(i, field) for i, field in enumerate(text.split(" ")))
    try:
        iterator = croniter(text, _PROBE)
    except CroniterBadCronError as exc:
        raise ValueError(f"{text!r} is not a valid cron expression ({exc}); expected {FIELDS}") from None
    except CroniterError as exc:
        raise ValueError(f"{text!r} is not a valid cron expression ({exc})") from None
    if len(iterator.expanded) != 5:
        raise ValueError(f"{text!r}: only 5-field cron expressions ({FIELDS}) are supported")
    try:
        iterator.get_next(datetime)
    except CroniterBadDateError:
        raise ValueError(f"{text!r} never matches a real date (e.g. 31 February)") from None
    return text


def next_match(expression: str, after: datetime) -> datetime | None:
    """The first minute strictly after `after` that the cron (as returned by `check_cron`) matches,
    in Asia/Ho_Chi_Minh; None if it never matches again."""
    local = to_vn_time(after)
    try:
        candidate = croniter(expression, local).get_next(datetime)
        if candidate <= local:  # croniter drops sub-second precision; never return `after` itself
            candidate = croniter(expression, local + timedelta(seconds=1)).get_next(datetime)
    except CroniterBadDateError:
        return None
    return candidate.astimezone(VN_TZ)


def end_of_day(moment: datetime) -> datetime:
    """The last second of `moment`'s Vietnamese calendar day: the cron's next match after it is on a
    later day."""
    local = to_vn_time(moment)
    return datetime.combine(local.date(), time(23, 59, 59), VN_TZ)
