"""Typed code answers: normalising (e119 == E11.9), accepted alternatives, the kind of code,
and how close a wrong answer was in coding terms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.core.codes import (
    char_diff,
    check_answer,
    closeness,
    code_kind,
    cpt_section,
    normalise,
)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("e11.9", "E119"),
        (" E 11 . 9 \t", "E119"),
        ("s72.001a", "S72001A"),
        ("E08\u2013E13", "E08-E13"),
        ("E08 \u2014 E13", "E08-E13"),
        ("0dtj4zz", "0DTJ4ZZ"),
    ],
)
def test_normalise(raw, normalised):
    assert normalise(raw) == normalised


@pytest.mark.parametrize(
    ("given_", "answer"),
    [
        ("e119", "E11.9"),
        ("E11.9", "e119"),
        (" e11.9 ", "E11.9"),
        ("j1100", "J1100"),
        ("0dtj4zz", "0DTJ4ZZ"),
        ("99213", "99213"),
        ("lt", "LT"),
        ("e08-e13", "E08\u2013E13"),
    ],
)
def test_same_code_written_differently_is_correct(given_, answer):
    verdict = check_answer(given_, answer)
    assert verdict.correct
    assert verdict.closeness == ""
    assert verdict.diff == [("same", given_.strip())]


def test_accepted_alternatives():
    accepted = ["E11.90", "  "]
    assert check_answer("e11.90", "E11.9", accepted).correct
    assert not check_answer("E11.91", "E11.9", accepted).correct
    assert check_answer("Type 2 DM", "E11.9", ("type 2 dm",)).correct


def test_blank_answer_is_never_correct():
    verdict = check_answer("  ", "E11.9", ["", " "])
    assert not verdict.correct
    assert verdict.closeness == "No answer was given."


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("E11.9", "icd10cm"),
        ("S72.001A", "icd10cm"),
        ("Z00.00", "icd10cm"),
        ("J11.00", "icd10cm"),  # with a dot: ICD-10-CM, not HCPCS
        ("J1100", "hcpcs"),
        ("A4206", "hcpcs"),
        ("0DTJ4ZZ", "pcs"),
        ("99213", "cpt"),
        ("0001F", "cpt"),
        ("0042T", "cpt"),
        ("0001U", "cpt"),
        ("E08-E13", "range"),
        ("99202-99215", "range"),
        ("25", "text"),
        ("LT", "text"),
        ("diabetes", "text"),
    ],
)
def test_code_kind(raw, kind):
    assert code_kind(raw) == kind


def closeness_of(given_: str, answer: str) -> str:
    verdict = check_answer(given_, answer)
    assert not verdict.correct
    return verdict.closeness


@pytest.mark.parametrize(
    ("given_", "answer", "message"),
    [
        # ICD-10-CM
        ("S72.001D", "S72.001A", "Right code, but the wrong 7th character."),
        ("T36.0X1D", "T36.0X1A", "Right code, but the wrong 7th character."),
        (
            "S72.001",
            "S72.001A",
            "Right so far, but not specific enough: more characters are needed.",
        ),
        ("E11", "E11.9", "Right so far, but not specific enough: more characters are needed."),
        ("E11.9", "E11", "Too many characters: the answer is a shorter code."),
        ("E11.65", "E11.9", "Right category, but the wrong subcategory."),
        ("E11.8", "E11.9", "Right category, but the wrong subcategory."),
        ("E11.65", "E11.649", "Right category and subcategory, but wrong after that."),
        ("E10.9", "E11.9", "Right chapter letter, but the wrong category (E10 vs E11)."),
        ("I10", "E11.9", "Wrong category: the answer is in category E11."),
        # a range where one code was asked for, and the other way round
        (
            "E08-E13",
            "E11.9",
            "You gave a range (E08-E13, which contains it), but a single code was asked for.",
        ),
        (
            "E08-E13",
            "E13.9",
            "You gave a range (E08-E13, which contains it), but a single code was asked for.",
        ),
        (
            "E08-E13",
            "E08.00",
            "You gave a range (E08-E13, which contains it), but a single code was asked for.",
        ),
        (
            "E08-E13",
            "E07.9",
            "You gave a range (E08-E13, which does not contain it), but a single code was asked for.",
        ),
        (
            "I10-I16",
            "E11.9",
            "You gave a range (I10-I16, which does not contain it), but a single code was asked for.",
        ),
        (
            "E11.0-E11.9",
            "E11.65",
            "You gave a range (E110-E119, which contains it), but a single code was asked for.",
        ),
        (
            "99202-99215",
            "99213",
            "You gave a range (99202-99215, which contains it), but a single code was asked for.",
        ),
        ("E11", "E08-E13", "You gave a single code, but a range was asked for."),
        # CPT
        ("99214", "99213", "Right CPT section and series, but the wrong code."),
        ("27447", "29881", "Right CPT section (Surgery), but the wrong code."),
        ("71046", "99213", "Wrong CPT section: 71046 is in Radiology."),
        ("00100", "99213", "Wrong CPT section: 00100 is in Anesthesia."),
        ("80053", "85025", "Right CPT section (Pathology and Laboratory), but the wrong code."),
        ("0001F", "00100", "Wrong CPT section: 0001F is in Category II."),
        ("99100", "99213", "Wrong CPT section: 99100 is in Medicine."),
        ("0043T", "0042T", "Right CPT section and series, but the wrong code."),
        # HCPCS Level II
        ("J1200", "J1100", "Right HCPCS Level II section (J codes), but the wrong code."),
        ("A4206", "J1100", "Wrong HCPCS Level II section: the answer is a J code."),
        # ICD-10-PCS
        ("0DTJ0ZZ", "0DTJ4ZZ", "6 of 7 characters right; the first wrong one is character 5."),
        ("0DBJ4ZX", "0DTJ4ZZ", "5 of 7 characters right; the first wrong one is character 3."),
        ("1DTJ4ZZ", "0DTJ4ZZ", "6 of 7 characters right; the first wrong one is character 1."),
        # different kinds, plain text
        ("99213", "E11.9", "That is not the same kind of code as the answer."),
        ("E11.9", "0DTJ4ZZ", "That is not the same kind of code as the answer."),
        ("hypertension", "diabetes", "Not the expected answer."),
        ("RT", "LT", "Not the expected answer."),
    ],
)
def test_closeness_messages(given_, answer, message):
    assert closeness_of(given_, answer) == message


@pytest.mark.parametrize(
    ("code", "section"),
    [
        ("00100", "Anesthesia"),
        ("01999", "Anesthesia"),
        ("10004", "Surgery"),
        ("69990", "Surgery"),
        ("70010", "Radiology"),
        ("80047", "Pathology and Laboratory"),
        ("90281", "Medicine"),
        ("99202", "Evaluation and Management"),
        ("99499", "Evaluation and Management"),
        ("99500", "Medicine"),
        ("0001F", "Category II"),
        ("0042T", "Category III"),
        ("0001U", "Proprietary Laboratory Analyses"),
        ("0002M", "MAAA"),
        ("05000", "an unlisted range"),
    ],
)
def test_cpt_sections(code, section):
    assert cpt_section(code) == section


def test_char_diff_shows_what_was_missing_and_extra():
    assert char_diff("E11.8", "E11.9") == [("same", "E11."), ("extra", "8"), ("missing", "9")]
    assert char_diff("e11", "E11.9") == [("same", "E11"), ("missing", ".9")]
    assert char_diff("E11.99", "E11.9") == [("same", "E11.9"), ("extra", "9")]
    assert check_answer("E11.8", "E11.9").diff == char_diff("E11.8", "E11.9")


code_text = st.text(alphabet="0123456789ABCDEFJSTXZabez.- ", max_size=10)


@settings(max_examples=300, deadline=None)
@given(code_text, code_text)
def test_checking_never_fails_and_agrees_with_normalising(given_, answer):
    verdict = check_answer(given_, answer)
    same = bool(normalise(given_)) and normalise(given_) == normalise(answer)
    assert verdict.correct == (same and bool(answer.strip()))
    assert (verdict.closeness == "") == verdict.correct
    if not verdict.correct:
        assert verdict.closeness.endswith(".")


@settings(max_examples=100, deadline=None)
@given(code_text)
def test_normalise_is_idempotent_and_case_blind(text):
    assert normalise(normalise(text)) == normalise(text)
    assert normalise(text.lower()) == normalise(text.upper())


def test_closeness_of_no_answer():
    assert closeness("", "E119", "icd10cm") == "No answer was given."
