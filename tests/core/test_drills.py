"""Code-location drills: every generated question is right according to the CDC data (checked
through the package's own tree), for every chapter; weighting; recording results.

Loading `simple-icd-10-cm` takes a few seconds, once for this module."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from studyapp.core import drills
from studyapp.core.content import icd10cm


@pytest.fixture(scope="module")
def data():
    return drills.load_data()


@pytest.fixture(scope="module")
def cm():
    return icd10cm._cm()


def block_of(cm, code: str) -> str:
    return next(a for a in cm.get_ancestors(code) if cm.is_block(a))


def chapter_of(cm, code: str) -> int:
    return int(next(a for a in cm.get_ancestors(code) if cm.is_chapter(a)))


def test_data_covers_every_chapter(data):
    assert [c.number for c in data.chapters] == list(range(1, 23))
    assert all(data.codes_by_chapter[c.number] for c in data.chapters)
    assert drills.load_data() is data  # cached for the process


@pytest.mark.parametrize("chapter", range(1, 23))
def test_questions_are_valid_for_every_chapter(data, cm, chapter):
    rng = random.Random(f"chapter-{chapter}")
    for _ in range(8):
        q = drills.make_question(data, rng, "chapter", chapter)
        assert cm.is_leaf(q.code) and chapter_of(cm, q.code) == chapter == q.chapter
        assert len(set(q.options)) == 4
        assert q.answer_text == data.chapter(chapter).label
        assert drills.check(q, q.correct)
        assert not drills.check(q, q.correct % 4 + 1)

        q = drills.make_question(data, rng, "block", chapter)
        assert chapter_of(cm, q.code) == chapter
        assert q.expected == block_of(cm, q.code)  # the innermost block really holds it
        for code_range in q.accepted:
            block = data_block(data, code_range)
            assert q.code[:3] in block.categories
        assert drills.check(q, q.expected.lower().replace("-", " - "))
        assert not drills.check(q, "A00-A01" if q.expected != "A00-A09" else "B00-B09")

        q = drills.make_question(data, rng, "reverse", chapter)
        assert len(set(q.options)) == 4
        block = data_block(data, q.answer_text)
        assert block.chapter == chapter
        assert q.prompt.startswith(f"“{block.title}”")
        titles = [data_block(data, o).title for o in q.options if o != q.answer_text]
        assert block.title not in titles  # no distractor with the same title
        assert drills.check(q, q.correct)


def data_block(data, code_range: str):
    return next(b for b in data.blocks if b.range == code_range)


def test_known_codes(data):
    holders = [b.range for b in data.category_blocks["E11"]]
    assert holders[0] == "E08-E13"
    assert data.category_blocks["C44"][0].range == "C43-C44"
    assert "C00-C96" in [b.range for b in data.category_blocks["C44"]]
    q = drills.DrillQuestion(
        "block", 2, "", code="C44.01", expected="C43-C44", accepted=("C43-C44", "C00-C96")
    )
    assert drills.check(q, "c43-c44") and drills.check(q, "C00–C96")
    assert not drills.check(q, "C44") and not drills.check(q, "")


def test_focus_chapter_dominates(data):
    rng = random.Random(1)
    chapters = Counter(drills.generate(data, rng, "mixed", focus=9).chapter for _ in range(300))
    assert chapters[9] > 180
    assert len(chapters) > 5


def test_weak_chapters_get_more_questions(data):
    accuracy = {c.number: (20, 20) for c in data.chapters}
    accuracy[13] = (2, 20)
    rng = random.Random(2)
    chapters = Counter(
        drills.generate(data, rng, "chapter", accuracy=accuracy).chapter for _ in range(500)
    )
    assert chapters.most_common(1)[0][0] == 13


def test_record_and_accuracy(col, data):
    rng = random.Random(3)
    for correct in (True, False, False):
        drills.record(col, drills.make_question(data, rng, "chapter", 4), correct)
    drills.record(col, drills.make_question(data, rng, "reverse", 19), True)
    assert drills.accuracy_by_chapter(col) == {4: (1, 3), 19: (1, 1)}
    assert drills.weak_chapters(col) == [4]
    row = col.conn.execute("SELECT kind, code FROM drill_results WHERE chapter = 19").fetchone()
    assert row[0] == "reverse" and row[1]
