"""Statistics against a known review log: exact numbers, the rollover hour, deck subtrees,
and index use by the review-log queries.

The clock stands at Tuesday 2026-03-10 12:00 UTC and days roll over at 04:00, so "today" is
the study day that began at 2026-03-10 04:00 UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from studyapp.core import decks, notes, stats
from studyapp.core.errors import UserError
from studyapp.core.stats import (
    CardCounts,
    DayDue,
    DayReviews,
    DeckMastery,
    IntervalRetention,
    TodaySummary,
    WeekRetention,
)
from tests.helpers import add_basic


def ts(text: str) -> int:
    """Epoch seconds of a UTC time written '2026-03-10 04:00'."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def make_card(
    col, deck: str, state: int, stability: float | None, due: str | None, suspended: int = 0
) -> int:
    note_id = add_basic(col, deck, 1)[0]
    card_id = notes.card_ids(col, note_id)[0]
    col.conn.execute(
        "UPDATE cards SET state = ?, stability = ?, difficulty = ?, due = ?, suspended = ?"
        " WHERE id = ?",
        (
            state,
            stability,
            None if stability is None else 5.0,
            ts(due) if due else 0,
            suspended,
            card_id,
        ),
    )
    return card_id


def log(
    col,
    card_id: int,
    when: str,
    rating: int,
    duration_ms: int,
    state_before: int,
    last_review: str | None = None,
) -> None:
    after = 2 if rating > 1 and state_before != 0 else (3 if state_before == 2 else 1)
    before = {
        "id": card_id,
        "state": state_before,
        "last_review": ts(last_review) if last_review else None,
    }
    col.conn.execute(
        "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
        " stability, difficulty, due_after, card_before) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            card_id,
            ts(when) * 1000,
            rating,
            duration_ms,
            state_before,
            after,
            1.0,
            5.0,
            ts(when) + 86400,
            json.dumps(before),
        ),
    )


@pytest.fixture
def known(col):
    """Decks ICD (own card o1), ICD::Ch1, ICD::Ch2, ICD::Ch2::Sub, ICD::Ch3 (empty), CPT."""
    c = {
        # relearning, due today 04:10
        "a1": make_card(col, "ICD::Ch1", 3, 2.0, "2026-03-10 04:10"),
        # young review, overdue since 03-05
        "a2": make_card(col, "ICD::Ch1", 2, 10.0, "2026-03-05 10:00"),
        # suspended mature review, due today: counted only as suspended
        "a3": make_card(col, "ICD::Ch1", 2, 50.0, "2026-03-10 10:00", suspended=1),
        "a4": make_card(col, "ICD::Ch1", 0, None, None),  # new
        "b1": make_card(col, "ICD::Ch2", 1, 1.0, "2026-03-10 12:10"),  # learning
        "s1": make_card(col, "ICD::Ch2::Sub", 2, 30.0, "2026-03-12 10:00"),
        "s2": make_card(col, "ICD::Ch2::Sub", 2, 21.0, "2026-04-01 10:00"),  # exactly mature
        # young (20.9 < 21), due one minute before tomorrow's rollover: still today
        "o1": make_card(col, "ICD", 2, 20.9, "2026-03-11 03:59"),
        "x1": make_card(col, "CPT", 2, 5.0, "2026-03-11 04:00"),  # due at rollover: tomorrow
        "x2": make_card(col, "CPT", 2, 100.0, "2026-04-30 10:00"),  # beyond the forecast
    }
    decks.get_or_create(col, "ICD::Ch3")
    # card, time (UTC), rating, duration ms, state before, previous review     study day
    log(col, c["a1"], "2026-03-08 10:00", 3, 60_000, 0)  # 03-08
    log(col, c["a1"], "2026-03-08 10:10", 3, 30_000, 1, "2026-03-08 10:00")  # 03-08
    log(col, c["a1"], "2026-03-10 03:59", 1, 45_000, 2, "2026-03-08 10:10")  # 03-09 (1 day)
    log(col, c["a1"], "2026-03-10 04:00", 3, 20_000, 3, "2026-03-10 03:59")  # 03-10
    log(col, c["a2"], "2026-03-10 09:00", 2, 15_000, 2, "2026-02-20 09:00")  # 03-10 (18 days)
    log(col, c["b1"], "2026-03-09 12:00", 4, 10_000, 0)  # 03-09
    log(col, c["s1"], "2026-03-10 11:00", 3, 12_000, 2, "2025-12-01 12:00")  # 03-10 (99 days)
    log(col, c["o1"], "2026-03-10 11:30", 1, 8_000, 2, "2026-01-20 12:00")  # 03-10 (49 days)
    log(col, c["x1"], "2026-03-10 10:00", 3, 30_000, 0)  # 03-10
    log(col, c["x2"], "2026-02-02 10:00", 3, 5_000, 2, "2026-01-26 10:00")  # 02-02 (7 days)
    log(col, c["x2"], "2026-01-26 10:00", 1, 5_000, 2, "2026-01-19 10:00")  # 01-26 (7 days)
    log(col, c["s2"], "2026-03-09 03:30", 3, 6_000, 2, "2026-02-27 12:00")  # 03-08 (9 days)
    return c


def deck(col, name: str) -> int:
    return decks.by_name(col, name).id


# --- reviews and time per day -------------------------------------------------------------


def test_reviews_per_day_whole_collection(col, known):
    assert stats.reviews_per_day(col, None, 3) == [
        DayReviews(date(2026, 3, 8), 2, 1, 0),
        DayReviews(date(2026, 3, 9), 1, 1, 0),  # 03-10 03:59 is still Monday's study day
        DayReviews(date(2026, 3, 10), 1, 3, 1),  # 04:00 starts today
    ]
    # tuples too: (date, learning, review, relearning)
    assert tuple(stats.reviews_per_day(col, None, 1)[0]) == (date(2026, 3, 10), 1, 3, 1)
    assert stats.reviews_per_day(col, None, 1)[0].total == 5


def test_reviews_per_day_includes_subdecks_only(col, known):
    assert stats.reviews_per_day(col, deck(col, "ICD"), 3)[-1] == DayReviews(
        date(2026, 3, 10), 0, 3, 1
    )  # CPT's new card is left out
    assert stats.reviews_per_day(col, deck(col, "ICD::Ch2"), 3) == [
        DayReviews(date(2026, 3, 8), 0, 1, 0),  # ICD::Ch2::Sub
        DayReviews(date(2026, 3, 9), 1, 0, 0),
        DayReviews(date(2026, 3, 10), 0, 1, 0),
    ]
    assert stats.reviews_per_day(col, deck(col, "ICD::Ch3"), 2) == [
        DayReviews(date(2026, 3, 9), 0, 0, 0),
        DayReviews(date(2026, 3, 10), 0, 0, 0),
    ]


def test_all_history_starts_at_the_first_review(col, known):
    days = stats.reviews_per_day(col, None, None)
    assert len(days) == 44  # 2026-01-26 .. 2026-03-10
    assert days[0] == DayReviews(date(2026, 1, 26), 0, 1, 0)
    assert sum(d.total for d in days) == 12
    assert stats.reviews_per_day(col, deck(col, "ICD::Ch3"), None) == [
        DayReviews(date(2026, 3, 10), 0, 0, 0)
    ]


def test_rollover_hour_moves_the_day_boundary(col, known):
    col.config_set("day_start_hour", 0)
    assert stats.reviews_per_day(col, None, 3) == [
        DayReviews(date(2026, 3, 8), 2, 0, 0),
        DayReviews(date(2026, 3, 9), 1, 1, 0),  # 03-09 03:30 now belongs to 03-09
        DayReviews(date(2026, 3, 10), 1, 4, 1),  # and 03-10 03:59 to 03-10
    ]


def test_before_the_rollover_hour_today_is_yesterday(col, clock, known):
    clock.set(datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    assert stats.summary_today(col) == TodaySummary(
        cards=2,
        reviews=2,
        new_cards=1,
        minutes=pytest.approx(55_000 / 60_000),
        correct_percent=50.0,
    )
    assert [d.date for d in stats.reviews_per_day(col, None, 2)] == [
        date(2026, 3, 8),
        date(2026, 3, 9),
    ]


def test_time_per_day_in_minutes(col, known):
    got = stats.time_per_day(col, None, 3)
    assert [d.date for d in got] == [date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)]
    assert [d.minutes for d in got] == pytest.approx([1.6, 55 / 60, 85 / 60])
    ch1 = stats.time_per_day(col, deck(col, "ICD::Ch1"), 3)
    assert [d.minutes for d in ch1] == pytest.approx([1.5, 0.75, 35 / 60])


def test_period_must_be_positive(col):
    with pytest.raises(UserError):
        stats.reviews_per_day(col, None, 0)
    with pytest.raises(UserError):
        stats.due_forecast(col, None, 0)


# --- forecast -----------------------------------------------------------------------------


def test_due_forecast(col, known):
    assert stats.due_forecast(col, None, 5) == [
        DayDue(date(2026, 3, 10), 4),  # a1, b1, o1 and the overdue a2; not the suspended a3
        DayDue(date(2026, 3, 11), 1),  # x1, due exactly at the rollover
        DayDue(date(2026, 3, 12), 1),  # s1
        DayDue(date(2026, 3, 13), 0),
        DayDue(date(2026, 3, 14), 0),
    ]
    assert [d.count for d in stats.due_forecast(col, deck(col, "ICD"), 5)] == [4, 0, 1, 0, 0]
    assert [d.count for d in stats.due_forecast(col, deck(col, "ICD::Ch2"), 3)] == [1, 0, 1]
    month = stats.due_forecast(col)
    assert len(month) == 30 and sum(d.count for d in month) == 7  # s2 on 04-01; not x2


# --- retention ----------------------------------------------------------------------------


def test_true_retention_per_week(col, known):
    # 40 days back from Tuesday 03-10 is Friday 01-30; weeks start on Mondays
    assert stats.true_retention(col, None, 40) == [
        WeekRetention(date(2026, 1, 26), 0, 0, None),  # the 01-26 review is before 01-30
        WeekRetention(date(2026, 2, 2), 1, 1, 100.0),
        WeekRetention(date(2026, 2, 9), 0, 0, None),
        WeekRetention(date(2026, 2, 16), 0, 0, None),
        WeekRetention(date(2026, 2, 23), 0, 0, None),
        WeekRetention(date(2026, 3, 2), 1, 1, 100.0),  # Sunday 03-08's study day (03-09 03:30)
        WeekRetention(date(2026, 3, 9), 4, 2, 50.0),  # learning answers are not counted
    ]
    assert stats.true_retention(col, None, None)[0] == WeekRetention(date(2026, 1, 26), 1, 0, 0.0)
    assert stats.true_retention(col, deck(col, "ICD::Ch1"), 7) == [
        WeekRetention(date(2026, 3, 2), 0, 0, None),
        WeekRetention(date(2026, 3, 9), 2, 1, 50.0),
    ]
    assert stats.true_retention(col, None, 1) == [WeekRetention(date(2026, 3, 9), 3, 2, 200 / 3)]


def test_retention_by_interval(col, known):
    assert stats.retention_by_interval(col, None, None) == [
        IntervalRetention("1-7d", 3, 1, pytest.approx(100 / 3)),
        IntervalRetention("8-30d", 2, 2, 100.0),
        IntervalRetention("1-3mo", 1, 0, 0.0),
        IntervalRetention("3mo+", 1, 1, 100.0),
    ]
    assert stats.retention_by_interval(col, deck(col, "ICD::Ch2"), 30) == [
        IntervalRetention("1-7d", 0, 0, None),
        IntervalRetention("8-30d", 1, 1, 100.0),
        IntervalRetention("1-3mo", 0, 0, None),
        IntervalRetention("3mo+", 1, 1, 100.0),
    ]


def test_interval_bands_use_study_days(col):
    """30 study days is 8-30d; 31 is 1-3mo, even when fewer than 31 * 24 hours passed."""
    card = make_card(col, "Bands", 2, 40.0, "2026-04-01 10:00")
    log(col, card, "2026-03-10 05:00", 3, 1000, 2, "2026-02-08 03:00")  # 03-10 vs 02-07: 31
    log(col, card, "2026-03-10 05:00", 1, 1000, 2, "2026-02-08 04:00")  # 03-10 vs 02-08: 30
    assert [(b.band, b.reviews, b.passed) for b in stats.retention_by_interval(col, None, 1)] == [
        ("1-7d", 0, 0),
        ("8-30d", 1, 0),
        ("1-3mo", 1, 1),
        ("3mo+", 0, 0),
    ]


# --- cards and mastery --------------------------------------------------------------------


def test_card_counts(col, known):
    counts = stats.card_counts(col)
    assert counts == CardCounts(new=1, learning=1, relearning=1, young=3, mature=3, suspended=1)
    assert counts.total == 10 and counts.review == 6
    assert stats.card_counts(col, deck(col, "ICD")) == CardCounts(1, 1, 1, 2, 2, 1)
    assert stats.card_counts(col, deck(col, "ICD::Ch2")) == CardCounts(0, 1, 0, 0, 2, 0)
    assert stats.card_counts(col, deck(col, "ICD::Ch3")) == CardCounts(0, 0, 0, 0, 0, 0)


def test_mastery_of_top_level_decks(col, known):
    assert stats.mastery(col) == [
        DeckMastery(deck(col, "CPT"), "CPT", 2, 1, 0.5, False),
        DeckMastery(deck(col, "ICD"), "ICD", 7, 2, pytest.approx(2 / 7), False),
    ]


def test_mastery_of_chapters(col, known):
    icd = deck(col, "ICD")
    rows = stats.mastery(col, icd)
    assert rows == [
        DeckMastery(icd, "ICD", 1, 0, 0.0, True),  # the deck's own card, o1
        DeckMastery(deck(col, "ICD::Ch1"), "ICD::Ch1", 3, 0, 0.0, False),  # a3 is suspended
        DeckMastery(deck(col, "ICD::Ch2"), "ICD::Ch2", 3, 2, pytest.approx(2 / 3), False),
        DeckMastery(deck(col, "ICD::Ch3"), "ICD::Ch3", 0, 0, 0.0, False),
    ]
    assert rows[2].short_name == "Ch2"
    lenient = stats.mastery(col, icd, threshold_days=10)
    assert [(r.short_name, r.mastered) for r in lenient] == [
        ("ICD", 1),
        ("Ch1", 1),
        ("Ch2", 2),
        ("Ch3", 0),
    ]
    ch1 = deck(col, "ICD::Ch1")
    assert stats.mastery(col, ch1) == [DeckMastery(ch1, "ICD::Ch1", 3, 0, 0.0, True)]


# --- today --------------------------------------------------------------------------------


def test_summary_today(col, known):
    assert stats.summary_today(col) == TodaySummary(
        cards=5, reviews=5, new_cards=1, minutes=pytest.approx(85 / 60), correct_percent=80.0
    )
    assert stats.summary_today(col, deck(col, "ICD")) == TodaySummary(
        4, 4, 0, pytest.approx(55 / 60), 75.0
    )


def test_empty_collection(col):
    assert stats.summary_today(col) == TodaySummary(0, 0, 0, 0.0, None)
    assert stats.card_counts(col) == CardCounts(0, 0, 0, 0, 0, 0)
    assert stats.mastery(col) == []
    assert stats.reviews_per_day(col, None, None) == [DayReviews(date(2026, 3, 10), 0, 0, 0)]
    assert [b.reviews for b in stats.retention_by_interval(col)] == [0, 0, 0, 0]
    assert len(stats.true_retention(col, None, 90)) == 14


# --- query plans --------------------------------------------------------------------------


def test_review_log_queries_use_indexes(col, known):
    """Every review-log query selects its rows through an index, never a full scan."""
    statements: list[str] = []
    col.conn.set_trace_callback(statements.append)
    try:
        for deck_id in (None, deck(col, "ICD")):
            stats.reviews_per_day(col, deck_id, 30)
            stats.time_per_day(col, deck_id, 30)
            stats.true_retention(col, deck_id, 90)
            stats.retention_by_interval(col, deck_id, 90)
            stats.summary_today(col, deck_id)
    finally:
        col.conn.set_trace_callback(None)
    revlog_queries = [s for s in statements if "FROM revlog" in s and "r.time >=" in s]
    assert len(revlog_queries) == 10
    for sql in revlog_queries:
        plan = [row[3] for row in col.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        on_revlog = [step for step in plan if step.split()[:2] in (["SEARCH", "r"], ["SCAN", "r"])]
        assert on_revlog, plan
        for step in on_revlog:
            assert "USING INDEX" in step or "USING COVERING INDEX" in step, (sql, plan)
