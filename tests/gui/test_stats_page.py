"""The Statistics window shows exactly the numbers of studyapp.core.stats."""

from __future__ import annotations

import json

import pytest

from studyapp.core import decks, notes, stats
from studyapp.gui.tools import add_tools_actions
from tests.gui.conftest import add_study_notes

DAY_MS = 86_400_000


def values(bar_set) -> list[float]:
    return [bar_set.at(i) for i in range(bar_set.count())]


@pytest.fixture
def logged(window, col, clock):
    """Six cards; a fixed review log over the last few weeks; some cards in review."""
    deck_id = add_study_notes(col)
    other = decks.get_or_create(col, "Other")
    notes.add_note(col, notes.NewNote(other, "basic", {"front": "x", "back": "y"}))
    cards = [r[0] for r in col.conn.execute("SELECT id FROM cards ORDER BY id")]
    now_ms = int(clock.now().timestamp() * 1000)
    log = [
        # (card index, days ago, rating, state_before, duration_ms, days since last review)
        (0, 0, 3, 0, 60_000, None),
        (1, 0, 1, 0, 30_000, None),
        (2, 0, 3, 2, 90_000, 40),
        (3, 1, 1, 2, 60_000, 5),
        (3, 1, 3, 3, 30_000, None),
        (4, 9, 3, 2, 120_000, 11),
        (4, 20, 4, 1, 60_000, None),
    ]
    for index, ago, rating, before, duration, interval in log:
        time_ms = now_ms - ago * DAY_MS - 60_000
        last = None if interval is None else time_ms // 1000 - interval * 86400
        col.conn.execute(
            "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
            " due_after, card_before) VALUES (?, ?, ?, ?, ?, 2, 0, ?)",
            (cards[index], time_ms, rating, duration, before, json.dumps({"last_review": last})),
        )
    now = int(clock.now().timestamp())
    col.conn.execute(
        "UPDATE cards SET state = 2, stability = 30, due = ?, last_review = ? WHERE id IN (?, ?)",
        (now + 3 * 86400, now - 86400, cards[2], cards[4]),
    )
    col.conn.execute(
        "UPDATE cards SET state = 2, stability = 5, due = ?, last_review = ? WHERE id = ?",
        (now + 86400, now - 86400, cards[3]),
    )
    col.conn.execute("UPDATE cards SET suspended = 1 WHERE id = ?", (cards[5],))
    add_tools_actions(window)
    return deck_id


def open_stats(window, qtbot):
    window.tools_actions[1].trigger()
    win = window.stats_window
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    return win


def test_charts_show_the_review_log(window, col, logged, qtbot, shoot):
    win = open_stats(window, qtbot)
    learning, review, relearning = win.sets["reviews"]
    assert (sum(values(learning)), sum(values(review)), sum(values(relearning))) == (3, 3, 1)
    per_day = stats.reviews_per_day(col, None, 30)
    assert values(learning) == [float(d.learning) for d in per_day]
    assert values(review) == [float(d.review) for d in per_day]
    assert values(relearning) == [float(d.relearning) for d in per_day]
    (minutes,) = win.sets["time"]
    assert sum(values(minutes)) == pytest.approx(7.5)
    (due,) = win.sets["forecast"]
    assert sum(values(due)) == 3 and len(values(due)) == 30
    assert values(due) == [float(d.count) for d in stats.due_forecast(col, None, 30)]
    (weekly,) = win.sets["retention"]
    expected = [w.percent or 0.0 for w in stats.true_retention(col, None, 30)]
    assert values(weekly) == pytest.approx(expected)
    (bands,) = win.sets["bands"]
    expected = [b.percent or 0.0 for b in stats.retention_by_interval(col, None, 30)]
    assert values(bands) == pytest.approx(expected)
    assert values(bands) == pytest.approx([0.0, 100.0, 100.0, 0.0])  # 5d failed; 11d, 40d passed
    pie = {s.label(): s.value() for s in win.pie.slices()}
    assert pie == {"New 3": 3, "Young 1": 1, "Mature 2": 2, "Suspended 1": 1}
    (mastery,) = win.sets["mastery"]
    assert values(mastery) == pytest.approx([0.0, 100 * 2 / 5])  # Other, Practice (by name)
    assert "3 answers" in win.summary.text()
    shoot(win, "statistics")
    shoot(win.views["mastery"], "statistics-mastery")


def test_deck_and_period_choosers(window, col, logged, qtbot):
    win = open_stats(window, qtbot)
    win.set_period(90)
    learning, _, _ = win.sets["reviews"]
    assert learning.count() == 13  # weekly bars
    assert sum(values(learning)) == 3
    other = decks.by_name(col, "Other").id
    win.set_deck(other)
    assert all(sum(values(s)) == 0 for s in win.sets["reviews"])
    win.set_deck(logged)
    assert sum(values(win.sets["reviews"][1])) == 3
    assert [m.name for m in stats.mastery(col, logged)] == ["Practice::Mixed"]
    assert values(win.sets["mastery"][0]) == pytest.approx([40.0])


def test_drill_accuracy_per_chapter_is_charted(window, col, qtbot, shoot):
    rows = [(1, 1), (1, 0), (4, 1), (4, 1), (4, 1), (4, 0)]  # (chapter, correct)
    with col.transaction():
        col.conn.executemany(
            "INSERT INTO drill_results(time, chapter, kind, code, correct) VALUES (0, ?, 'chapter', 'E11.9', ?)",
            rows,
        )
    win = open_stats(window, qtbot)
    (right,) = win.sets["drills"]
    assert values(right) == [50.0, 75.0]
    shoot(win, "statistics-drills")
