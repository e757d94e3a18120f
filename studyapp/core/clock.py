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


def _wall_clock(naive: datetime, like: datetime) -> datetime:
    """The local wall-clock time `naive`, in `like`'s time zone.

    The system clock gives times at a fixed UTC offset (the one in force now), so a time on
    another day is placed with the system's own rules instead: after a daylight-saving change
    the offset differs. A time from another zone (a test clock) keeps its fixed offset."""
    if like.utcoffset() == like.astimezone().utcoffset():
        return naive.astimezone()
    return naive.replace(tzinfo=like.tzinfo)


def _day_start_wall_clock(moment: datetime, rollover_hour: int) -> datetime:
    start = moment.replace(hour=rollover_hour, minute=0, second=0, microsecond=0, tzinfo=None)
    if moment.replace(tzinfo=None) < start:
        start -= timedelta(days=1)
    return start


def day_start(moment: datetime, rollover_hour: int) -> datetime:
    """The start of the study day containing `moment` (days begin at `rollover_hour` local)."""
    return _wall_clock(_day_start_wall_clock(moment, rollover_hour), moment)


def next_day_start(moment: datetime, rollover_hour: int) -> datetime:
    start = _day_start_wall_clock(moment, rollover_hour)
    return _wall_clock(start + timedelta(days=1), moment)
