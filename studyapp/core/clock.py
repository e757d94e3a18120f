"""Time, injected: the app uses the system clock, tests use a clock they move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


class SystemClock:
    def now(self) -> datetime:
        return datetime.now().astimezone()


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None, tz: tzinfo = UTC):
        self._now = start or datetime(2026, 1, 15, 12, 0, tzinfo=tz)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


def day_start(moment: datetime, rollover_hour: int) -> datetime:
    """The start of the study day containing `moment` (days begin at `rollover_hour` local)."""
    start = moment.replace(hour=rollover_hour, minute=0, second=0, microsecond=0)
    if moment < start:
        start -= timedelta(days=1)
    return start


def next_day_start(moment: datetime, rollover_hour: int) -> datetime:
    return day_start(moment, rollover_hour) + timedelta(days=1)
