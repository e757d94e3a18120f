"""Spreadsheets: delimiters, encodings, multi-line cells, derived ids, problems with lines."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.core import csvfile
from studyapp.core.csvfile import SPREADSHEET_NAMESPACE, derive_note_id, parse_table
from studyapp.core.errors import InvalidFile, Problem
from studyapp.core.model import DeckSpec
from studyapp.core.notecheck import MAX_FIELD_CHARS, MAX_FILE_BYTES
from studyapp.core.sanitise import clean_html

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def table(text: str | bytes, filename: str = "Week 1.csv", **kwargs) -> DeckSpec:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_table(data, filename, **kwargs)


def problems(text: str | bytes, filename: str = "Week 1.csv") -> list[Problem]:
    with pytest.raises(InvalidFile) as info:
        table(text, filename)
    assert info.value.problems
    return info.value.problems


def one_problem(text: str | bytes, filename: str = "Week 1.csv") -> Problem:
    found = problems(text, filename)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def fronts(spec: DeckSpec) -> list[str]:
    return [str(n.fields["front"]) for n in spec.notes]


# -- reading -----------------------------------------------------------------------------------


def test_front_back_table():
    spec = table("front,back\nE11.9,Type 2 diabetes\nA00-B99,Infectious\n")
    assert spec.name == "Week 1"
    assert spec.id == str(uuid.uuid5(SPREADSHEET_NAMESPACE, "Week 1"))
    assert spec.version == "0" and spec.is_spreadsheet
    assert [(n.kind, n.fields) for n in spec.notes] == [
        ("basic", {"front": "E11.9", "back": "Type 2 diabetes"}),
        ("basic", {"front": "A00-B99", "back": "Infectious"}),
    ]
    assert [n.line for n in spec.notes] == [2, 3]


def test_deck_name_can_be_given():
    spec = table("front,back\na,b\n", deck_name="Course :: Week 1")
    assert spec.name == "Course::Week 1"
    assert spec.id == str(uuid.uuid5(SPREADSHEET_NAMESPACE, "Course::Week 1"))


def test_header_is_case_insensitive_and_trimmed():
    assert fronts(table(" Front , BACK \na,b\n")) == ["a"]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_bom(bom):
    spec = table(bom + "front,back\ncafé,naïve\n".encode())
    assert fronts(spec) == ["café"]


@pytest.mark.parametrize(
    ("text", "filename"),
    [
        ("front;back\na;b, with comma\n", "x.csv"),
        ("front\tback\na\tb, with comma\n", "x.tsv"),
        ("front\tback\na\tb, with comma\n", "x.txt"),
        ("sep=;\nfront;back\na;b, with comma\n", "x.csv"),
        ('front,back\r\na,"b, with comma"\r\n', "x.csv"),
    ],
)
def test_delimiters(text, filename):
    spec = table(text, filename)
    assert [n.fields for n in spec.notes] == [{"front": "a", "back": "b, with comma"}]


def test_tsv_is_always_tab_separated():
    spec = table("front\tback\na;b;c\td\n", "x.tsv")
    assert fronts(spec) == ["a;b;c"]


def test_multi_line_quoted_cells_and_line_numbers():
    text = 'front,back\n"two\nlines","say ""hi"""\n"three\n\nlines",x\nlast,y\n'
    spec = table(text)
    assert fronts(spec) == ["two\nlines", "three\n\nlines", "last"]
    assert spec.notes[0].fields["back"] == 'say "hi"'
    assert [n.line for n in spec.notes] == [2, 4, 7]


def test_bad_row_after_multi_line_cells_has_the_right_line():
    text = 'front,back\n"two\nlines",ok\n"three\n\nlines",x\n,missing front\n'
    found = one_problem(text)
    assert found.line == 7 and '"front" is empty' in found.message


def test_blank_rows_are_skipped():
    spec = table("front,back\n\na,b\n,\n\nc,d\n")
    assert fronts(spec) == ["a", "c"] and [n.line for n in spec.notes] == [3, 6]


def test_missing_trailing_cells_count_as_empty():
    spec = table("front,back,explanation\na,b\n")
    assert spec.notes[0].fields == {"front": "a", "back": "b"}


def test_cells_are_trimmed_and_sanitised():
    spec = table('front,back\n  <b onclick="x">a</b>  ,<script>alert(1)</script>b & c\n')
    assert spec.notes[0].fields == {"front": "<b>a</b>", "back": "b &amp; c"}


def test_every_column_and_kind():
    text = (
        "id,kind,deck,tags,front,back,answer,accept,question,options,correct,rationale,text,extra,"
        "explanation,source\n"
        "r1,reversible,Ranges,icd ch2,C00-D49,Neoplasms,,,,,,,,,Chapter 2,CDC\n"
        "t1,typed,Codes,,Which code?,,E11.9,E11.90 | e119 |,,,,,,,,\n"
        "c1,choice,,,,,,,Pick one,a|b|c,2,because,,,,\n"
        "z1,cloze,,,,,,,,,,,{{c1::X}} fills,example,,\n"
    )
    r, t, c, z = table(text).notes
    assert (r.id, r.kind, r.deck, r.tags) == ("r1", "reversible", "Ranges", ["icd", "ch2"])
    assert r.fields == {
        "front": "C00-D49",
        "back": "Neoplasms",
        "explanation": "Chapter 2",
        "source": "CDC",
    }
    assert t.fields == {"front": "Which code?", "answer": "E11.9", "accept": ["E11.90", "e119"]}
    assert c.fields == {
        "question": "Pick one",
        "options": ["a", "b", "c"],
        "correct": 2,
        "rationale": "because",
    }
    assert z.fields == {"text": "{{c1::X}} fills", "extra": "example"}


def test_kind_is_case_insensitive_and_defaults_to_basic():
    spec = table("kind,front,back\nReversible,a,b\n,c,d\n")
    assert [n.kind for n in spec.notes] == ["reversible", "basic"]


# -- ids -----------------------------------------------------------------------------------------


def test_ids_are_derived_from_the_front_text_and_stable():
    first = table("front,back\nE11.9,old answer\n")
    again = table("back,front\nnew answer,  E11.9 \n")  # columns moved, back edited
    assert first.notes[0].id == again.notes[0].id == derive_note_id("E11.9")
    assert first.notes[0].id.startswith("row-") and len(first.notes[0].id) == 16
    assert first.id == again.id


def test_ids_of_other_kinds_come_from_their_main_field():
    spec = table("kind,question,options,correct,text\nchoice,Q?,a|b|c,1,\ncloze,,,,{{c1::x}}\n")
    assert [n.id for n in spec.notes] == [derive_note_id("Q?"), derive_note_id("{{c1::x}}")]


def test_id_column_wins_and_empty_ids_are_derived():
    spec = table("id,front,back\nmine,a,b\n,c,d\n")
    assert [n.id for n in spec.notes] == ["mine", derive_note_id("c")]


def test_same_front_twice():
    found = one_problem("front,back\nsame,one\nother,x\nsame,two\n")
    assert found.line == 4
    assert "same front text as the row at line 2" in found.message
    assert "add an id column" in found.message


def test_same_id_twice():
    found = one_problem("id,front,back\na,x,y\na,z,w\n")
    assert found.line == 3 and "same id as the row at line 2" in found.message


# -- problems ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "the file is empty"),
        ("\n\n", 1, "the file is empty"),
        ("front,back\n", 1, "no notes below it"),
        ("E11.9,Type 2 diabetes\n", 1, "must be a header"),
        ("front\na\n", 1, "basic notes need the column back"),
        ("back\na\n", 1, "basic notes need the column front"),
        ("kind,front\ntyped,a\n", 1, "typed notes need the column answer"),
        (
            "kind,front,back\nchoice,a,b\n",
            1,
            "choice notes need the columns question, options, correct",
        ),
        ("front,back,colour\na,b,c\n", 1, 'unknown column "colour"'),
        ("front,back,explantion\na,b,c\n", 1, 'Did you mean "explanation"'),
        ("front,back,front\na,b,c\n", 1, "appears twice"),
        ("front,back,\na,b,\n", 1, "has no name"),
        ("front,back\na,b,c\n", 2, "has 3 values but the header names 2"),
        ("front,back\na,\n", 2, '"back" is empty'),
        ("front,back\na,<script>x</script>\n", 2, '"back" is empty'),
        ("front,back,answer\na,b,c\n", 2, "belongs to typed"),
        ("kind,front,back\nflash,a,b\n", 2, 'kind "flash" is not known'),
        ("id,front,back\nhas space,a,b\n", 2, "is not allowed"),
        ("front,back,deck\na,b,A::\n", 2, "empty part"),
        ('front,back,tags\na,b,"x,y"\n', 2, 'separated by spaces, not commas: write "x y"'),
        ("kind,question,options,correct\nchoice,q,a|b,1\n", 2, "3 to 5"),
        ("kind,question,options,correct\nchoice,q,a|b|c,4\n", 2, "from 1 to 3"),
        ("kind,question,options,correct\nchoice,q,a|b|c,two\n", 2, "whole number"),
        ("kind,question,options,correct\nchoice,q,a||c,1\n", 2, "option 2 is empty"),
        ("kind,text\ncloze,no deletions\n", 2, "has no deletion"),
        ('front,back\na,"unclosed\nb,c\n', 2, "cannot be read"),
        ('front,back\n"a"b,c\n', 2, "cannot be read"),
    ],
)
def test_problems(text, line, words):
    found = one_problem(text)
    assert words in found.message, found.message
    assert found.line == line


def test_every_problem_is_reported_at_once():
    text = "front,back,colour\na,,x\nb,c,d,e\n,d,\nok,fine,\n"
    found = problems(text)
    assert [p.line for p in found] == [1, 2, 3, 4]


def test_problem_shows_the_given_id():
    found = one_problem("id,front,back\ne11-9,a,\n")
    assert (
        str(found) == 'Week 1.csv:2 (note e11-9): "back" is empty; a basic note needs text there.'
    )


def test_deck_name_from_a_bad_file_name():
    found = one_problem("front,back\na,b\n", "Course::.csv")
    assert "taken from the file name" in found.message


def test_undecodable_bytes():
    found = one_problem(b"front,back\ncaf\xe9,x\n")
    assert "not UTF-8" in found.message and (found.line, found.column) == (2, 4)


def test_utf16_is_refused():
    assert "UTF-16" in one_problem("front,back\na,b\n".encode("utf-16")).message


# -- limits --------------------------------------------------------------------------------------


def test_file_size_limit():
    assert "20 MB" in one_problem(b"x" * (MAX_FILE_BYTES + 1)).message


def test_field_length_limit():
    found = one_problem("front,back\na," + "x" * (MAX_FIELD_CHARS + 1) + "\n")
    assert "20,000" in found.message and found.line == 2


def test_field_beyond_the_csv_module_limit():
    found = one_problem('front,back\na,"' + "x" * 200_000 + '"\n')
    assert "20,000" in found.message and found.line == 2


def test_row_limit(monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_NOTES", 3)
    found = one_problem("front,back\n" + "".join(f"q{i},a\n" for i in range(10)))
    assert "limit is 3 notes" in found.message


# -- properties ----------------------------------------------------------------------------------


@FAST
@given(st.binary(max_size=300), st.sampled_from(["x.csv", "x.tsv", "x.txt"]))
def test_arbitrary_bytes_give_a_spec_or_invalid_file(data, filename):
    try:
        parse_table(data, filename)
    except InvalidFile as exc:
        assert exc.problems


cell = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20)


@FAST
@given(
    st.lists(st.lists(cell, min_size=0, max_size=4), max_size=6), st.sampled_from([",", ";", "\t"])
)
def test_arbitrary_tables_give_a_spec_or_invalid_file(rows, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["front", "back", "tags"])
    writer.writerows(rows)
    try:
        parse_table(out.getvalue().encode(), "x.csv")
    except InvalidFile as exc:
        assert exc.problems


text_cell = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00\r"), min_size=1, max_size=30
).filter(lambda t: clean_html(t.strip()).strip() != "")


@FAST
@given(
    st.lists(
        st.tuples(text_cell, text_cell),
        min_size=1,
        max_size=8,
        unique_by=lambda r: " ".join(r[0].split()),
    ),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
def test_written_tables_read_back(rows, delimiter, bom):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Front", "Back"])
    writer.writerows(rows)
    data = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()
    spec = parse_table(data, "x.tsv" if delimiter == "\t" else "x.csv")
    assert [n.fields for n in spec.notes] == [
        {"front": clean_html(f.strip()), "back": clean_html(b.strip())} for f, b in rows
    ]
    assert [n.id for n in spec.notes] == [derive_note_id(f.strip()) for f, _ in rows]
