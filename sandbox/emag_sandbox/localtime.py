"""eMAG's clock: order dates are Europe/Bucharest local time, written without a zone.

The rule is coded here (EET, UTC+2; EEST, UTC+3 from the last Sunday of March 01:00 UTC to the
last Sunday of October 01:00 UTC, as in the whole EU since 1996) instead of read from the
system's tz database, because CI containers and Windows often have none, and the sandbox must
answer the same everywhere. Internally every instant is an integer of UTC epoch seconds.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import datetime, timezone

FORMAT = "%Y-%m-%d %H:%M:%S"
_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _last_sunday_utc_1am(year: int, month: int) -> int:
    """Epoch of 01:00 UTC on the month's last Sunday (the EU's switching instant)."""
    last = calendar.monthrange(year, month)[1]
    day = last - (calendar.weekday(year, month, last) - calendar.SUNDAY) % 7
    return calendar.timegm((year, month, day, 1, 0, 0))


def offset_at(epoch: int) -> int:
    """Bucharest's offset from UTC in seconds at the instant ``epoch``."""
    year = time.gmtime(epoch).tm_year
    summer = _last_sunday_utc_1am(year, 3) <= epoch < _last_sunday_utc_1am(year, 10)
    return 3 * 3600 if summer else 2 * 3600


def format_local(epoch: int) -> str:
    """``YYYY-mm-dd HH:ii:ss`` in Bucharest time, as eMAG writes ``date`` and ``modified``."""
    return time.strftime(FORMAT, time.gmtime(epoch + offset_at(epoch)))


def parse_local(text: str) -> int:
    """The instant a Bucharest wall-clock ``YYYY-mm-dd HH:ii:ss`` names.

    In the autumn hour that happens twice, the first (summer-time) instant is meant; a time in
    the spring hour that does not exist is read as winter time. Raises ValueError.
    """
    if not isinstance(text, str) or not _PATTERN.match(text):
        raise ValueError(f"expected YYYY-mm-dd HH:ii:ss, got {text!r}")
    wall = calendar.timegm(datetime.strptime(text, FORMAT).timetuple())
    for offset in (3 * 3600, 2 * 3600):
        if offset_at(wall - offset) == offset:
            return wall - offset
    return wall - 2 * 3600


def now() -> int:
    """The current instant, to the second (eMAG's timestamps have no fractions)."""
    return int(time.time())


def to_epoch(value: int | float | str | datetime | None) -> int:
    """An instant given as epoch seconds, a Bucharest ``YYYY-mm-dd HH:ii:ss`` or a datetime.

    A naive datetime is read as Bucharest wall-clock time, like the strings; None is now.
    """
    if value is None:
        return now()
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return parse_local(value.strftime(FORMAT))
        return int(value.timestamp())
    return parse_local(value)


def add_month(epoch: int) -> int:
    """The same Bucharest wall-clock time one calendar month later (day clamped to the month).

    This is how the sandbox measures eMAG's "at most one month" order-filter window:
    2025-01-31 10:00:00 plus a month is 2025-02-28 10:00:00.
    """
    local = datetime.fromtimestamp(epoch + offset_at(epoch), tz=timezone.utc).replace(tzinfo=None)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    return parse_local(local.replace(year=year, month=month, day=day).strftime(FORMAT))

