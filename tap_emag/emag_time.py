"""eMAG's timestamps: `YYYY-mm-dd HH:ii:ss` in Romania's local time, with no zone in the text.

Singer date-times carry a zone, and replication bookmarks are compared as instants, so every
time read from eMAG becomes UTC here, and every filter sent to eMAG is written back in its
local time (daylight saving included).
"""

from __future__ import annotations

import datetime as dt
import typing as t
from zoneinfo import ZoneInfo

EMAG_ZONE = ZoneInfo("Europe/Bucharest")
EMAG_FORMAT = "%Y-%m-%d %H:%M:%S"


def from_emag(value: t.Any) -> dt.datetime | None:
    """An eMAG local time as an aware UTC datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        local = dt.datetime.strptime(value.strip()[:19], EMAG_FORMAT)
    except ValueError:
        return None
    return local.replace(tzinfo=EMAG_ZONE).astimezone(dt.timezone.utc)


def to_emag(moment: dt.datetime) -> str:
    """An aware datetime as eMAG's local-time filter text (seconds, rounded down)."""
    return moment.astimezone(EMAG_ZONE).strftime(EMAG_FORMAT)


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with its zone, as Singer date-times are written."""
    return None if moment is None else moment.isoformat()
