"""Numbers for the statistics screen: reviews, time, forecast, retention, card counts, mastery.

Every function is pure (it only reads) and takes the collection, an optional `deck_id`
(None = the whole collection; a deck always includes its subdecks) and, where it applies,
a period of `days` ending today (None = since the first review in scope).

Study days follow the collection's clock and rollover hour: day 0 starts at
`col.today_start()` and each earlier day starts 24 hours before the next, the same rule the
FSRS optimiser uses for intervals (and Anki uses for its statistics). Dates returned are the
calendar dates on which those study days start.

Everything is aggregated in SQL with GROUP BY; review-log queries select by time through the
`revlog_time` index (or by card through `revlog_card` when a deck is chosen). Exam answers
(origin 1) are counted like study answers: both are real attempts to recall the card.

Units: counts are numbers of answers or cards; time is in minutes (float); percentages are
0-100 (float), or None when there is nothing to divide by; stability is in days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from studyapp.core import decks
from studyapp.core.collection import Collection
from studyapp.core.decks import SEP
from studyapp.core.errors import UserError

DAY_MS = 86_400_000
DAY_S = 86_400
MATURE_DAYS = 21.0  # a review card with at least this stability (days) counts as mature
PASS_RATING = 2  # Hard, Good and Easy are passes; Again is a fail
# Day numbers are counted from far enough back that SQLite's integer division (which truncates
# toward zero) never sees a negative number: 100,000 days is about 274 years.
_FAR_DAYS = 100_000

# Retention bands by the interval since the card's previous review, in study days (inclusive).
INTERVAL_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("1-7d", 0, 7),  # same-day re-reviews of a review card (rare) are counted here too
    ("8-30d", 8, 30),
    ("1-3mo", 31, 90),
    ("3mo+", 91, None),
)


class DayReviews(NamedTuple):
    """Answers given on one study day, by the card's state before the answer."""

    date: date
    learning: int  # new or learning cards (state_before 0 or 1)
    review: int  # review cards (state_before 2)
    relearning: int  # relearning cards (state_before 3)

    @property
    def total(self) -> int:
        return self.learning + self.review + self.relearning


class DayTime(NamedTuple):
    date: date
    minutes: float  # time spent answering, from the review log's durations


class DayDue(NamedTuple):
    date: date
    count: int  # learning, relearning and review cards due that day (overdue counts today)


class WeekRetention(NamedTuple):
    """True retention of review cards answered in one week (weeks start on Monday)."""

    week_start: date  # the Monday; the first week may be cut short by the period's start
    reviews: int  # answers to cards in the review state
    passed: int  # of those, answered Hard, Good or Easy
    percent: float | None  # 100 * passed / reviews, None when there were no reviews


class IntervalRetention(NamedTuple):
    """True retention of review cards by how long it had been since their previous review."""

    band: str  # "1-7d", "8-30d", "1-3mo", "3mo+"
    reviews: int
    passed: int
    percent: float | None


class CardCounts(NamedTuple):
    """Cards by state. Suspended cards are counted only as suspended."""

    new: int
    learning: int
    relearning: int
    young: int  # review cards with stability below 21 days
    mature: int  # review cards with stability of 21 days or more
    suspended: int

    @property
    def total(self) -> int:
        return sum(self)

    @property
    def review(self) -> int:
        return self.young + self.mature


class DeckMastery(NamedTuple):
    """How much of one deck (with its subdecks) is well remembered."""

    deck_id: int
    name: str  # full name, "Parent::Child"
    cards: int  # cards that are not suspended
    mastered: int  # of those, cards whose stability is at least the threshold
    share: float  # mastered / cards, 0.0-1.0 (0.0 for a deck without cards)
    own_cards_only: bool  # True for the row of the chosen deck's own cards (not its subdecks)

    @property
    def short_name(self) -> str:
        return self.name.rsplit(SEP, 1)[-1]


class TodaySummary(NamedTuple):
    cards: int  # distinct cards answered today
    reviews: int  # answers given today (a card may be answered several times)
    new_cards: int  # cards seen for the first time today
    minutes: float
    correct_percent: float | None  # share of today's answers that were not Again, 0-100


# --- helpers ------------------------------------------------------------------------------


def _ms(col: Collection) -> int:
    """Today's start in epoch milliseconds."""
    return int(col.today_start().timestamp()) * 1000


def _subtree(col: Collection, deck_id: int | None) -> list[int] | None:
    return None if deck_id is None else decks.subtree_ids(col, deck_id)


def _in_decks(ids: list[int] | None, column: str) -> tuple[str, list[int]]:
    """An SQL condition (starting with AND) restricting `column` to the decks, and its params."""
    if ids is None:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(ids))})", list(ids)


def _revlog_from(ids: list[int] | None) -> str:
    """FROM clause for review-log queries; the cards join is only needed to filter by deck."""
    return "revlog r" if ids is None else "revlog r JOIN cards c ON c.id = r.card_id"


def _period_days(col: Collection, ids: list[int] | None, days: int | None) -> int:
    """The number of study days in the period, today included."""
    if days is not None:
        if days < 1:
            raise UserError(f"The period must be at least one day, not {days}.")
        return int(days)
    deck_sql, params = _in_decks(ids, "c.deck_id")
    first = col.conn.execute(
        f"SELECT min(r.time) FROM {_revlog_from(ids)} WHERE 1{deck_sql}", params
    ).fetchone()[0]
    today_ms = _ms(col)
    if first is None or first >= today_ms:
        return 1
    return (today_ms - first + DAY_MS - 1) // DAY_MS + 1


def _percent(passed: int, total: int) -> float | None:
    return 100.0 * passed / total if total else None


def _day_date(col: Collection, offset: int) -> date:
    """The date of the study day `offset` days from today (negative = past)."""
    return (col.today_start() + timedelta(days=offset)).date()


def _per_day_rows(
    col: Collection, ids: list[int] | None, days: int | None, columns: str
) -> tuple[int, dict[int, tuple]]:
    """Run a per-study-day GROUP BY over the review log; returns (days, {day index: row})."""
    n = _period_days(col, ids, days)
    lo = _ms(col) - (n - 1) * DAY_MS
    hi = _ms(col) + DAY_MS
    deck_sql, params = _in_decks(ids, "c.deck_id")
    rows = col.conn.execute(
        f"SELECT (r.time - ?) / {DAY_MS} AS day, {columns} FROM {_revlog_from(ids)}"
        f" WHERE r.time >= ? AND r.time < ?{deck_sql} GROUP BY day",
        [lo, lo, hi, *params],
    ).fetchall()
    return n, {r[0]: r[1:] for r in rows}


# --- per day ------------------------------------------------------------------------------


def reviews_per_day(
    col: Collection, deck_id: int | None = None, days: int | None = 30
) -> list[DayReviews]:
    """Answers per study day over the last `days` days (oldest first, every day listed)."""
    ids = _subtree(col, deck_id)
    n, rows = _per_day_rows(
        col,
        ids,
        days,
        "sum(r.state_before IN (0, 1)), sum(r.state_before = 2), sum(r.state_before = 3)",
    )
    return [DayReviews(_day_date(col, i - n + 1), *rows.get(i, (0, 0, 0))) for i in range(n)]


def time_per_day(
    col: Collection, deck_id: int | None = None, days: int | None = 30
) -> list[DayTime]:
    """Minutes spent answering per study day over the last `days` days (oldest first)."""
    ids = _subtree(col, deck_id)
    n, rows = _per_day_rows(col, ids, days, "sum(r.duration_ms)")
    return [DayTime(_day_date(col, i - n + 1), rows.get(i, (0,))[0] / 60_000) for i in range(n)]


def due_forecast(col: Collection, deck_id: int | None = None, days: int = 30) -> list[DayDue]:
    """Learning, relearning and review cards due on each of the next `days` study days.

    Day 0 is today and includes everything overdue. Suspended cards are left out; new
    cards are not due on any day, so they are not counted.
    """
    if days < 1:
        raise UserError(f"The forecast must cover at least one day, not {days}.")
    ids = _subtree(col, deck_id)
    start = int(col.today_start().timestamp())
    end = start + days * DAY_S
    deck_sql, params = _in_decks(ids, "deck_id")
    rows = dict(
        col.conn.execute(
            f"SELECT CASE WHEN due < ? THEN 0 ELSE (due - ?) / {DAY_S} END AS day, count(*)"
            f" FROM cards WHERE suspended = 0 AND state IN (1, 2, 3) AND due < ?{deck_sql}"
            " GROUP BY day",
            [start + DAY_S, start, end, *params],
        ).fetchall()
    )
    return [DayDue(_day_date(col, i), rows.get(i, 0)) for i in range(days)]


# --- retention ----------------------------------------------------------------------------


def true_retention(
    col: Collection, deck_id: int | None = None, days: int | None = 90
) -> list[WeekRetention]:
    """Per week (Monday to Sunday), the share of review-card answers that were not Again.

    Only answers to cards in the review state count (state_before = 2), so learning steps do
    not inflate it. Weeks are listed oldest first, empty ones included; the first week starts
    on the Monday on or before the period's first day but only counts days in the period.
    """
    ids = _subtree(col, deck_id)
    n = _period_days(col, ids, days)
    today_ms = _ms(col)
    first_day = _day_date(col, -(n - 1))
    monday_offset = -(n - 1) - first_day.weekday()  # study-day offset of that Monday
    anchor = today_ms + monday_offset * DAY_MS
    lo = today_ms - (n - 1) * DAY_MS
    deck_sql, params = _in_decks(ids, "c.deck_id")
    rows = {
        r[0]: r[1:]
        for r in col.conn.execute(
            f"SELECT (r.time - ?) / {7 * DAY_MS} AS week, count(*), sum(r.rating >= ?)"
            f" FROM {_revlog_from(ids)} WHERE r.time >= ? AND r.time < ?"
            f" AND r.state_before = 2{deck_sql} GROUP BY week",
            [anchor, PASS_RATING, lo, today_ms + DAY_MS, *params],
        )
    }
    weeks = (-monday_offset) // 7 + 1
    out = []
    for w in range(weeks):
        reviews, passed = rows.get(w, (0, 0))
        out.append(
            WeekRetention(
                _day_date(col, monday_offset + 7 * w), reviews, passed, _percent(passed, reviews)
            )
        )
    return out


def retention_by_interval(
    col: Collection, deck_id: int | None = None, days: int | None = 90
) -> list[IntervalRetention]:
    """True retention of review-card answers in the period, by the elapsed interval.

    The interval is the number of study days between the answer and the card's previous
    review (the `last_review` of the card snapshot stored with each answer). Every band in
    INTERVAL_BANDS is listed, empty ones included.
    """
    ids = _subtree(col, deck_id)
    n = _period_days(col, ids, days)
    today_ms = _ms(col)
    lo = today_ms - (n - 1) * DAY_MS
    anchor = today_ms - _FAR_DAYS * DAY_MS
    band_sql = " ".join(
        f"WHEN elapsed <= {high} THEN {i}" for i, (_, _, high) in enumerate(INTERVAL_BANDS) if high
    )
    deck_sql, params = _in_decks(ids, "c.deck_id")
    rows = {
        r[0]: r[1:]
        for r in col.conn.execute(
            f"SELECT CASE {band_sql} ELSE {len(INTERVAL_BANDS) - 1} END AS band,"
            " count(*), sum(passed) FROM ("
            f"  SELECT (r.time - ?) / {DAY_MS}"
            f"   - (json_extract(r.card_before, '$.last_review') * 1000 - ?) / {DAY_MS} AS elapsed,"
            "   r.rating >= ? AS passed"
            f"  FROM {_revlog_from(ids)} WHERE r.time >= ? AND r.time < ?"
            f"  AND r.state_before = 2{deck_sql}"
            "   AND json_extract(r.card_before, '$.last_review') IS NOT NULL"
            ") GROUP BY band",
            [anchor, anchor, PASS_RATING, lo, today_ms + DAY_MS, *params],
        )
    }
    out = []
    for i, (label, _, _) in enumerate(INTERVAL_BANDS):
        reviews, passed = rows.get(i, (0, 0))
        out.append(IntervalRetention(label, reviews, passed, _percent(passed, reviews)))
    return out


# --- cards --------------------------------------------------------------------------------


def card_counts(col: Collection, deck_id: int | None = None) -> CardCounts:
    """Cards by state now: new, learning, relearning, young and mature review, suspended."""
    ids = _subtree(col, deck_id)
    deck_sql, params = _in_decks(ids, "deck_id")
    row = col.conn.execute(
        "SELECT sum(suspended = 0 AND state = 0), sum(suspended = 0 AND state = 1),"
        " sum(suspended = 0 AND state = 3),"
        " sum(suspended = 0 AND state = 2 AND coalesce(stability, 0) < ?),"
        " sum(suspended = 0 AND state = 2 AND coalesce(stability, 0) >= ?),"
        f" sum(suspended != 0) FROM cards WHERE 1{deck_sql}",
        [MATURE_DAYS, MATURE_DAYS, *params],
    ).fetchone()
    return CardCounts(*(int(v or 0) for v in row))


def mastery(
    col: Collection, deck_id: int | None = None, threshold_days: float = MATURE_DAYS
) -> list[DeckMastery]:
    """Per deck directly below `deck_id` (top-level decks when None): cards and mastered share.

    Each row covers a child deck with all its subdecks. A card is mastered when its
    stability is at least `threshold_days`; suspended cards are left out. When the chosen
    deck holds cards itself (not only in subdecks), they get a row of their own, first,
    marked `own_cards_only`. Rows are sorted by name.
    """
    if deck_id is None:
        parent_name = None
        ids = None
    else:
        parent_name = decks.get(col, deck_id).name
        ids = decks.subtree_ids(col, deck_id)
    deck_sql, params = _in_decks(ids, "deck_id")
    per_deck = {
        r[0]: (r[1], r[2])
        for r in col.conn.execute(
            "SELECT deck_id, count(*), sum(coalesce(stability >= ?, 0) AND state != 0)"
            f" FROM cards WHERE suspended = 0{deck_sql} GROUP BY deck_id",
            [threshold_days, *params],
        )
    }
    all_decks = decks.all_decks(col)
    if parent_name is None:
        children = [d for d in all_decks if d.parent_id is None]
    else:
        children = [d for d in all_decks if d.parent_id == deck_id]
    names = {d.id: d.name for d in all_decks}
    totals = {c.id: [0, 0] for c in children}
    child_by_name = {c.name: c.id for c in children}
    depth = 0 if parent_name is None else parent_name.count(SEP) + 1
    own = [0, 0]
    for card_deck, (cards, mastered) in per_deck.items():
        name = names.get(card_deck)
        if name is None:
            continue
        if card_deck == deck_id:
            own[0] += cards
            own[1] += mastered
            continue
        child = child_by_name.get(SEP.join(name.split(SEP)[: depth + 1]))
        if child is not None:
            totals[child][0] += cards
            totals[child][1] += mastered
    out = [DeckMastery(c.id, c.name, *totals[c.id], _share(*totals[c.id]), False) for c in children]
    if deck_id is not None and own[0]:
        out.insert(0, DeckMastery(deck_id, parent_name or "", own[0], own[1], _share(*own), True))
    return out


def _share(cards: int, mastered: int) -> float:
    return mastered / cards if cards else 0.0


# --- today --------------------------------------------------------------------------------


def summary_today(col: Collection, deck_id: int | None = None) -> TodaySummary:
    """What was studied today: cards, answers, new cards, minutes and the correct share."""
    ids = _subtree(col, deck_id)
    start = _ms(col)
    deck_sql, params = _in_decks(ids, "c.deck_id")
    row = col.conn.execute(
        "SELECT count(DISTINCT r.card_id), count(*),"
        " count(DISTINCT CASE WHEN r.state_before = 0 THEN r.card_id END),"
        " coalesce(sum(r.duration_ms), 0), coalesce(sum(r.rating >= ?), 0)"
        f" FROM {_revlog_from(ids)} WHERE r.time >= ? AND r.time < ?{deck_sql}",
        [PASS_RATING, start, start + DAY_MS, *params],
    ).fetchone()
    cards, reviews, new_cards, duration_ms, passed = row
    return TodaySummary(cards, reviews, new_cards, duration_ms / 60_000, _percent(passed, reviews))
