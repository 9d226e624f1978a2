"""Tests for gladier.runtime.language.timestamps (RFC 3339, spec §6.3/§6.4)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gladier.runtime.language.timestamps import format_timestamp, parse_timestamp

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T19:36:16Z", datetime(2026, 11, 27, 19, 36, 16, tzinfo=UTC)),
        ("2026-11-27t19:36:16z", datetime(2026, 11, 27, 19, 36, 16, tzinfo=UTC)),
        ("2026-11-27T19:36:16.5Z", datetime(2026, 11, 27, 19, 36, 16, 500000, tzinfo=UTC)),
        ("2026-11-27T19:36:16.123456Z", datetime(2026, 11, 27, 19, 36, 16, 123456, tzinfo=UTC)),
        ("2026-11-27T19:36:16.123456789Z", datetime(2026, 11, 27, 19, 36, 16, 123456, tzinfo=UTC)),
        (
            "2026-11-27T19:36:16+05:30",
            datetime(2026, 11, 27, 19, 36, 16, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        (
            "2026-11-27T19:36:16-08:00",
            datetime(2026, 11, 27, 19, 36, 16, tzinfo=timezone(timedelta(hours=-8))),
        ),
        ("2026-11-27T19:36:16-00:00", datetime(2026, 11, 27, 19, 36, 16, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, tzinfo=UTC)),
        ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
    ],
)
def test_parse_valid(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-27T19:36:16",  # no offset
        "2026-11-27 19:36:16Z",  # space separator
        "2026-11-27",
        "19:36:16Z",
        "2026-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "2026-11-27T24:00:00Z",
        "2026-11-27T19:60:00Z",
        "2026-11-27T19:36:61Z",
        "2026-11-27T19:36:16+24:00",
        "2026-11-27T19:36:16+05:60",
        "2026-11-27T19:36:16+0530",
        "2026-11-27T19:36:16.Z",
        "2026-11-27T19:36:16Z ",
        " 2026-11-27T19:36:16Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:60Z",
        "\uff12\uff10\uff12\uff16-11-27T19:36:16Z",  # full-width digits
        "",
        "now",
        None,
        20261127,
        ["2026-11-27T19:36:16Z"],
    ],
)
def test_parse_invalid_gives_none(value: Any) -> None:
    assert parse_timestamp(value) is None


def test_instants_compare_across_offsets() -> None:
    a = parse_timestamp("2026-01-01T00:00:00+01:00")
    b = parse_timestamp("2025-12-31T23:30:00Z")
    assert a is not None and b is not None
    assert a < b
    assert parse_timestamp("2026-01-01T01:00:00+01:00") == parse_timestamp("2026-01-01T00:00:00Z")


def test_format_utc_with_microseconds() -> None:
    dt = datetime(2026, 11, 27, 19, 36, 16, 123456, tzinfo=UTC)
    assert format_timestamp(dt) == "2026-11-27T19:36:16.123456+00:00"
    assert format_timestamp(dt.replace(microsecond=0)) == "2026-11-27T19:36:16.000000+00:00"


def test_format_keeps_the_offset_and_treats_naive_as_utc() -> None:
    tz = timezone(timedelta(hours=-5))
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=tz)) == (
        "2026-01-02T03:04:05.000000-05:00"
    )
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000000+00:00"


offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), offsets)
def test_format_then_parse_round_trips(naive: datetime, tz: timezone) -> None:
    dt = naive.replace(tzinfo=tz)
    parsed = parse_timestamp(format_timestamp(dt))
    assert parsed == dt
    assert parsed is not None and parsed.utcoffset() == dt.utcoffset()
