"""RFC 3339 timestamps for ``Wait`` and the ``Timestamp*`` Choice operators (spec §6.3, §6.4).

Only the strict RFC 3339 ``date-time`` form is accepted: ``YYYY-MM-DDTHH:MM:SS``, optional
fractional seconds, and a mandatory ``Z`` or ``±HH:MM`` offset. Parsed values are always
timezone-aware, so they compare as instants.

Example::

    >>> parse_timestamp("2026-11-27T19:36:16.5Z") < parse_timestamp("2026-11-27T20:00:00+00:30")
    False
    >>> format_timestamp(parse_timestamp("2026-11-27T19:36:16.123456Z"))
    '2026-11-27T19:36:16.123456+00:00'
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["format_timestamp", "parse_timestamp"]

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)


def parse_timestamp(text: str) -> datetime | None:
    """Parse an RFC 3339 date-time into an aware :class:`~datetime.datetime`, or return None.

    Fractional seconds beyond microseconds are truncated. A leap second (``:60``) is read as the
    first instant of the next minute. ``-00:00`` ("offset unknown") is read as UTC. Anything
    that is not a string, or not RFC 3339 (no offset, a space instead of ``T``, an impossible
    date), gives None.

    Example::

        >>> parse_timestamp("2026-01-02T03:04:05-05:00").isoformat()
        '2026-01-02T03:04:05-05:00'
        >>> parse_timestamp("2026-01-02 03:04:05") is None
        True
    """
    if not isinstance(text, str):
        return None
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7)
    micro = int((fraction + "000000")[:6]) if fraction else 0
    if match.group(8):
        tz = timezone.utc
    else:
        off_h, off_m = int(match.group(10)), int(match.group(11))
        if off_h > 23 or off_m > 59:
            return None
        delta = timedelta(hours=off_h, minutes=off_m)
        tz = timezone(-delta if match.group(9) == "-" else delta)
    leap = second == 60
    try:
        value = datetime(year, month, day, hour, minute, 59 if leap else second, micro, tzinfo=tz)
        return value + timedelta(seconds=1) if leap else value
    except (ValueError, OverflowError):
        return None


def format_timestamp(dt: datetime) -> str:
    """Format a datetime as ISO 8601 with microseconds and an offset; naive values are taken as UTC.

    Example::

        >>> format_timestamp(datetime(2026, 11, 27, 19, 36, 16, 123456))
        '2026-11-27T19:36:16.123456+00:00'
    """
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.isoformat(timespec="microseconds")
