"""Mock exams: balanced and reproducible generation, scoring per domain, resume after a crash,
and missed questions going into the review queue as lapses."""

from __future__ import annotations

from collections import Counter

import pytest

from studyapp.core import decks, exams, notes, scheduling
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError


def add_choice_deck(col, name: str, n: int, correct: int = 2) -> int:
    deck_id = decks.get_or_create(col, name)
    notes.add_notes(
        col,
        [
            notes.NewNote(
                deck_id,
                "choice",
                {
                    "question": f"{name} question {i}?",
                    "options": ["A", "B", "C", "D"],
                    "correct": correct,
                    "rationale": f"Because {i}.",
                },
            )
            for i in range(n)
        ],
    )
    return deck_id


@pytest.fixture
def bank(col):
    add_choice_deck(col, "Cert::Anatomy", 30)
    add_choice_deck(col, "Cert::Coding::ICD", 10)  # grandchild: counts toward Cert::Coding
    add_choice_deck(col, "Cert::Coding::CPT", 10)
    add_choice_deck(col, "Cert::Compliance", 4)
    other = decks.get_or_create(col, "Other")
    notes.add_note(col, notes.NewNote(other, "basic", {"front": "not", "back": "choice"}))
    return col


def test_profiles_describe_the_real_exams():
    assert (exams.CPC.count, exams.CPC.minutes, exams.CPC.pass_percent) == (100, 240, 70)
    assert (exams.CCA.count, exams.CCA.minutes, exams.CCA.pass_percent) == (100, 120, 70)
    assert "scaled" in exams.CCA.description
    with pytest.raises(UserError):
        exams.custom_profile(count=0)


def test_exam_is_balanced_across_domains(bank):
    profile = exams.custom_profile(["Cert"], count=12, minutes=20)
    picked = exams.draw(bank, profile, seed=7)
    assert len(picked) == 12
    assert len({c for c, _, _ in picked}) == 12  # no card twice
    per_domain = Counter(domain for _, _, domain in picked)
    assert per_domain == {
        "Cert::Anatomy": 4,
        "Cert::Coding": 4,
        "Cert::Compliance": 4,
    }


def test_small_domain_runs_out_and_others_fill_in(bank):
    profile = exams.custom_profile(["Cert"], count=30, minutes=20)
    per_domain = Counter(d for _, _, d in exams.draw(bank, profile, seed=1))
    assert per_domain["Cert::Compliance"] == 4
    assert per_domain["Cert::Anatomy"] == per_domain["Cert::Coding"] == 13


def test_generation_is_reproducible_for_a_seed(bank):
    profile = exams.custom_profile(["Cert"], count=10, minutes=20)
    assert exams.draw(bank, profile, 3) == exams.draw(bank, profile, 3)
    assert exams.draw(bank, profile, 3) != exams.draw(bank, profile, 4)
    a = exams.create_exam(bank, profile, 3)
    b = exams.create_exam(bank, profile, 3)
    assert [q.card_id for q in exams.questions(bank, a)] == [
        q.card_id for q in exams.questions(bank, b)
    ]


def test_no_choice_cards_is_a_clear_error(col):
    decks.get_or_create(col, "Empty")
    with pytest.raises(UserError, match="no multiple-choice cards"):
        exams.create_exam(col, exams.custom_profile(["Empty"]), 1)


def test_scoring_per_domain_on_a_fixed_answer_sheet(bank):
    profile = exams.custom_profile(["Cert"], count=9, minutes=10, pass_percent=60)
    attempt = exams.create_exam(bank, profile, seed=11)
    qs = exams.questions(bank, attempt)
    # right on every Anatomy question, wrong on Coding, Compliance left blank
    for q in qs:
        if q.domain == "Cert::Anatomy":
            exams.answer(bank, attempt, q.position, q.correct)
        elif q.domain == "Cert::Coding":
            exams.answer(bank, attempt, q.position, 4)
    exams.flag(bank, attempt, 0)
    assert exams.flagged(bank, attempt) == [0]
    blank = [q.position for q in qs if q.domain == "Cert::Compliance"]
    assert exams.unanswered(bank, attempt) == blank

    result = exams.submit(bank, attempt)
    assert (result.correct, result.total) == (3, 9)
    assert not result.passed and result.pass_percent == 60
    assert {d.domain: (d.correct, d.total) for d in result.domains} == {
        "Cert::Anatomy": (3, 3),
        "Cert::Coding": (0, 3),
        "Cert::Compliance": (0, 3),
    }
    wrong = [q for q in result.questions if not q.is_correct]
    assert len(wrong) == 6
    assert all(q.correct == 2 and q.rationale.startswith("Because") for q in result.questions)
    assert exams.result(bank, attempt).correct == 3
    with pytest.raises(UserError):
        exams.answer(bank, attempt, 0, 1)
    history = exams.history(bank)
    assert [round(h.percent, 1) for h in history] == [33.3]


def test_pass_mark_is_inclusive(bank):
    profile = exams.custom_profile(["Cert::Compliance"], count=4, minutes=5, pass_percent=75)
    attempt = exams.create_exam(bank, profile, seed=2)
    for q in exams.questions(bank, attempt)[:3]:
        exams.answer(bank, attempt, q.position, q.correct)
    assert exams.submit(bank, attempt).passed


def test_resume_after_a_crash_keeps_answers_and_time(tmp_path, clock):
    path = tmp_path / "crash.sqlite"
    col = Collection(path, clock)
    add_choice_deck(col, "Deck::A", 5)
    add_choice_deck(col, "Deck::B", 5)
    attempt = exams.create_exam(col, exams.custom_profile(["Deck"], 6, 10), seed=5)
    exams.answer(col, attempt, 0, 3)
    exams.answer(col, attempt, 2, 2)
    exams.flag(col, attempt, 4)
    clock.advance(seconds=95)
    exams.save_remaining(col, attempt, 505)
    col.conn.close()  # simulated crash: no tidy shutdown
    col.conn = None  # type: ignore[assignment]

    with Collection(path, clock) as again:
        assert exams.resumable_attempt(again) == attempt
        state = exams.get_attempt(again, attempt)
        assert state.remaining_s == 505 and state.status == exams.IN_PROGRESS
        qs = exams.questions(again, attempt)
        assert [q.chosen for q in qs] == [3, None, 2, None, None, None]
        assert exams.flagged(again, attempt) == [4]
        exams.submit(again, attempt)
        assert exams.resumable_attempt(again) is None


def test_wrong_answers_become_lapses_with_exam_origin(bank, clock):
    profile = exams.custom_profile(["Cert::Anatomy"], count=4, minutes=5)
    attempt = exams.create_exam(bank, profile, seed=9)
    qs = exams.questions(bank, attempt)
    exams.answer(bank, attempt, qs[0].position, qs[0].correct)
    exams.answer(bank, attempt, qs[1].position, 1)  # wrong
    exams.answer(bank, attempt, qs[2].position, 3)  # wrong; qs[3] blank
    # a card already in review lapses for real
    reviewed = qs[1].card_id
    with bank.transaction():
        bank.conn.execute(
            "UPDATE cards SET state = 2, stability = 10, difficulty = 5, due = ?,"
            " last_review = ?, reps = 3 WHERE id = ?",
            (int(clock.now().timestamp()) + 86400, int(clock.now().timestamp()) - 86400, reviewed),
        )
    exams.submit(bank, attempt)
    rows = bank.conn.execute("SELECT card_id, rating, origin FROM revlog ORDER BY id").fetchall()
    assert sorted(r[0] for r in rows) == sorted(q.card_id for q in qs[1:])
    assert {(r[1], r[2]) for r in rows} == {(scheduling.AGAIN, 1)}
    card = scheduling.load_card(bank, reviewed)
    assert card.lapses == 1 and card.state == scheduling.RELEARNING
    assert scheduling.load_card(bank, qs[0].card_id).state == scheduling.NEW
