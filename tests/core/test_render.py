"""What the student sees for each card kind: question, answer, options, typed expectations."""

from __future__ import annotations

from studyapp.core.model import card_ords
from studyapp.core.render import cloze_side, render


def test_basic():
    content = render("basic", 0, {"front": "E11.9", "back": "Type 2 diabetes"})
    assert content.kind == "basic"
    assert content.question == "E11.9"
    assert content.answer == "E11.9<hr/>Type 2 diabetes"
    assert content.options == [] and content.expected == ""


def test_reversible_second_card_swaps_sides():
    fields = {"front": "E11.9", "back": "Type 2 diabetes"}
    assert render("reversible", 0, fields).question == "E11.9"
    reverse = render("reversible", 1, fields)
    assert reverse.question == "Type 2 diabetes"
    assert reverse.answer == "Type 2 diabetes<hr/>E11.9"


def test_explanation_and_source_follow_the_answer():
    content = render(
        "basic",
        0,
        {"front": "f", "back": "b", "explanation": "Because.", "source": " Guideline I.C.4 "},
    )
    assert content.answer == (
        'f<hr/>b<div class="explanation"><b>Why:</b> Because.</div>'
        '<div class="source"><b>Source:</b> Guideline I.C.4</div>'
    )
    assert "Because" not in content.question
    blank = render("basic", 0, {"front": "f", "back": "b", "explanation": "  "})
    assert "explanation" not in blank.answer


def test_typed_card_carries_the_expected_and_accepted_answers():
    content = render(
        "typed", 0, {"front": "Type 2 diabetes", "answer": "E11.9", "accept": ["E11.90", "E119"]}
    )
    assert content.question == "Type 2 diabetes"
    assert content.expected == "E11.9"
    assert content.accepted == ["E11.90", "E119"]
    assert '<div class="code">E11.9</div>' in content.answer
    assert "Also accepted: E11.90, E119" in content.answer
    plain = render("typed", 0, {"front": "q", "answer": "I10"})
    assert plain.accepted == [] and "Also accepted" not in plain.answer


def test_choice_card_lists_options_and_marks_the_right_one():
    content = render(
        "choice",
        0,
        {
            "question": "Which code?",
            "options": ["I10", "E11.9", "J45.909"],
            "correct": 2,
            "rationale": "Diabetes is E11.",
        },
    )
    assert content.options == ["I10", "E11.9", "J45.909"]
    assert content.correct == 2
    assert content.question == (
        'Which code?<ol class="options"><li>I10</li><li>E11.9</li><li>J45.909</li></ol>'
    )
    assert '<div class="correct">2. E11.9</div>' in content.answer
    assert '<div class="rationale">Diabetes is E11.</div>' in content.answer
    assert "E11.9" not in content.answer.split("<hr/>")[0]


def test_choice_card_with_out_of_range_answer_does_not_crash():
    content = render("choice", 0, {"question": "q", "options": ["a"], "correct": 3})
    assert '<div class="correct">3. </div>' in content.answer


def test_cloze_hides_only_its_own_deletion():
    text = "{{c1::E11.9}} is {{c2::type 2 diabetes::condition}} without complications"
    assert card_ords("cloze", {"text": text}) == [0, 1]
    first = render("cloze", 0, {"text": text, "extra": "Chapter 4"})
    assert first.question == (
        '<span class="cloze">[...]</span> is type 2 diabetes without complications'
    )
    assert first.answer == (
        '<span class="cloze">E11.9</span> is type 2 diabetes without complications'
        '<div class="extra">Chapter 4</div>'
    )
    second = render("cloze", 1, {"text": text})
    assert (
        second.question == 'E11.9 is <span class="cloze">[condition]</span> without complications'
    )
    assert "extra" not in second.answer


def test_cloze_with_the_same_number_twice_hides_both():
    text = "{{c1::E08}} to {{c1::E13}} and {{c2::I10}}"
    assert cloze_side(text, 1, reveal=False) == (
        '<span class="cloze">[...]</span> to <span class="cloze">[...]</span> and I10'
    )
    assert cloze_side(text, 2, reveal=True) == 'E08 to E13 and <span class="cloze">I10</span>'


def test_unknown_kind_is_shown_escaped():
    content = render("mystery", 0, {"front": "<script>x</script>"})
    assert "<script>" not in content.question
    assert "&lt;script&gt;" in content.question


def test_typed_answer_is_compared_as_plain_text():
    from studyapp.core.codes import check_answer

    content = render("typed", 0, {"front": "Which?", "answer": "A &amp; B", "accept": ["<b>C</b>"]})
    assert content.expected == "A & B" and content.accepted == ["C"]
    assert check_answer("a & b", content.expected, content.accepted).correct
    assert check_answer("c", content.expected, content.accepted).correct
