"""Deck files: every kind of problem with its message and line, limits, hostile input, the
canonical writer, round trips, and the JSON Schema."""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.core import deckfile
from studyapp.core.deckfile import (
    dump_deck,
    load_deck_file,
    parse_deck,
    validate_file,
    write_deck_file,
)
from studyapp.core.errors import InvalidFile, Problem
from studyapp.core.model import (
    KIND_FIELDS,
    ChangelogEntry,
    DeckSpec,
    NoteSpec,
    card_ords,
    cloze_numbers,
)
from studyapp.core.notecheck import MAX_FIELD_CHARS, MAX_FILE_BYTES
from studyapp.core.sanitise import clean_html

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "resources" / "deck-format.schema.json"
EXAMPLE = ROOT / "resources" / "example-deck.toml"
DECK_ID = "0c7b1f4e-6f1a-4c39-9a55-2d8e8f0f1d11"

HEADER = f"""\
format = 1

[deck]
id = "{DECK_ID}"
name = "ICD-10-CM::Ranges"
version = "1.0.0"
"""

BASIC = """
[[notes]]
id = "n1"
kind = "basic"
front = "E11.9"
back = "Type 2 diabetes"
"""

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse(text: str) -> DeckSpec:
    return parse_deck(text.encode("utf-8"), "deck.toml")


def problems(text: str | bytes) -> list[Problem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(InvalidFile) as info:
        parse_deck(data, "deck.toml")
    assert info.value.problems, "InvalidFile must carry at least one problem"
    return info.value.problems


def one_problem(text: str | bytes) -> Problem:
    found = problems(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


# -- valid files ------------------------------------------------------------------------------


def test_minimal_file_parses():
    spec = parse(HEADER + BASIC)
    assert spec == DeckSpec(
        id=DECK_ID,
        name="ICD-10-CM::Ranges",
        version="1.0.0",
        notes=[NoteSpec("n1", "basic", {"front": "E11.9", "back": "Type 2 diabetes"})],
    )
    assert spec.notes[0].line == 8
    assert not spec.is_spreadsheet


def test_every_kind_and_header_key():
    text = (
        HEADER
        + """title = "Ranges"
author = "Jane"
license = "CC BY 4.0"
description = "A & B <b>plain</b>"
code_set = "ICD-10-CM"
code_set_year = "FY2026"
sources = ["CDC"]
tags = ["icd-10-cm"]

[[deck.changelog]]
version = "1.0.0"
date = 2026-11-26
changes = "First release."

[deck.options]
new_per_day = 15
desired_retention = 0.85
learning_steps = [1, 10]

[[notes]]
id = "r"
kind = "reversible"
deck = "Chapters :: Neoplasms"
tags = ["ch2"]
front = "C00-D49"
back = "Neoplasms"
explanation = "Chapter 2"
source = "Tabular list"

[[notes]]
id = "t"
kind = "typed"
front = "Which code?"
answer = "E11.9"
accept = ["E11.90"]

[[notes]]
id = "c"
kind = "choice"
question = "Pick"
options = ["a", "b", "c", "d", "e"]
correct = 5
rationale = "because"

[[notes]]
id = "z"
kind = "cloze"
text = "{{c1::X}} and {{c2::Y::hint}}"
extra = "more"
"""
    )
    spec = parse(text)
    assert spec.title == "Ranges" and spec.code_set_year == "FY2026"
    assert spec.description == "A & B <b>plain</b>"  # header texts are plain text, not cleaned
    assert spec.changelog == [ChangelogEntry("1.0.0", "First release.", "2026-11-26")]
    assert spec.options == {"new_per_day": 15, "desired_retention": 0.85, "learning_steps": [1, 10]}
    r, t, c, z = spec.notes
    assert r.deck == "Chapters::Neoplasms" and r.tags == ["ch2"]
    assert r.fields["explanation"] == "Chapter 2"
    assert t.fields["accept"] == ["E11.90"]
    assert c.fields["correct"] == 5
    assert z.fields["extra"] == "more"
    assert sum(len(card_ords(n.kind, n.fields)) for n in spec.notes) == 2 + 1 + 1 + 2


def test_byte_order_mark_and_crlf_are_accepted():
    data = b"\xef\xbb\xbf" + (HEADER + BASIC).replace("\n", "\r\n").encode()
    assert parse_deck(data, "deck.toml").notes[0].id == "n1"


def test_uuid_is_stored_in_lower_case():
    assert parse(HEADER.replace(DECK_ID, DECK_ID.upper()) + BASIC).id == DECK_ID


def test_fields_are_sanitised_including_list_items():
    text = (
        HEADER
        + """
[[notes]]
id = "t"
kind = "typed"
front = "<b onclick='x()'>Bold</b><script>alert(1)</script> A & B"
answer = "E11.9"
accept = ["<img src=x onerror=alert(1)>E119", "<3"]
explanation = '<a href="javascript:alert(1)">link</a>'
"""
    )
    note = parse(text).notes[0]
    assert note.fields["front"] == "<b>Bold</b> A &amp; B"
    assert note.fields["accept"] == ["E119", "&lt;3"]
    assert note.fields["explanation"] == "link"


def test_note_lines_skip_headers_inside_multiline_strings():
    text = (
        HEADER
        + '''
[[notes]]
id = "a"
kind = "basic"
front = """
[[notes]]
id = "not a note"
"""
back = "it's fine"

[[notes]]
id = "b b"
kind = "basic"
front = "x"
back = "y"
'''
    )
    found = one_problem(text)
    assert found.line == 18 and found.note_id == "b b"
    assert "note id" in found.message


def _line_by_line_layout(text: str):
    """The scan as it was before tables were found in one pass and keys on demand: every line
    in turn. The reference that the layout must agree with, line for line."""
    tables: dict[tuple[str, int], tuple[int, dict[str, int]]] = {("", 0): (1, {})}
    counts: dict[str, int] = {}
    duplicate = unterminated = None
    current = tables[("", 0)]
    open_ml = None
    ml_start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        start = 0
        if open_ml is None:
            header = deckfile._HEADER_RE.match(line)
            key = deckfile._KEY_RE.match(line)
            if header:
                name = re.sub(r"[\s\"']", "", header.group(2))
                index = 0
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                current = tables.setdefault((name, index), (number, {}))
                continue
            if key:
                name = key.group(1).strip("\"'")
                if name in current[1]:
                    duplicate = duplicate or (number, name)
                else:
                    current[1][name] = number
                start = key.end()
        was_open = open_ml
        open_ml, unclosed = deckfile._advance(line, start, open_ml)
        if unclosed and unterminated is None:
            unterminated = number
        if open_ml and not was_open:
            ml_start = number
    if open_ml and unterminated is None:
        unterminated = ml_start
    return tables, counts, duplicate, unterminated


LAYOUT_TOKENS = [
    "[deck]", "[[notes]]", " [[ notes ]] ", '["a b"]', "[]", "[x", "]", "[[", "# c", "#",
    "id = ", "front = ", '"k" = ', "'k' = ", "a.b = ", " = ", '"', "'", '"""', "'''",
    '""""', "\\", '\\"', "x", " ", "\t", "\r", "\n", "\n", "\n", "\n[[notes]]\n",
    '"n1"', "'v'", "\u2028", "\xa0",
]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(LAYOUT_TOKENS), max_size=40).map("".join) | st.text(max_size=80))
def test_layout_agrees_with_a_line_by_line_scan(text):
    tables, counts, duplicate, unterminated = _line_by_line_layout(text)
    layout = deckfile._Layout(text)
    assert {k: t.line for k, t in layout.tables.items()} == {k: t[0] for k, t in tables.items()}
    assert layout.counts == counts
    assert deckfile._first_problems(layout) == (duplicate, unterminated)
    for key, table in layout.tables.items():  # after _first_problems: keys are scanned apart
        assert table.keys == tables[key][1]


# -- syntax and encoding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("format = 1\n[deck]\nid = 00100\n", 3, 7, "quote codes"),
        ("format = 1\n[deck]\nname = E11.9\n", 3, 8, "double quotes"),
        ('format = 1\n[deck]\nname = "x\n', 3, None, "not closed"),
        ('format = 1\n[deck]\nname = """\nabc\n', 3, None, "not closed"),
        ('format = 1\n[deck]\nname = "x"\nname = "y"\n', 4, None, "twice"),
        ("format = 1\n[deck]\n[deck]\n", 3, None, "declared twice"),
        ('format = 1\n[deck]\nname = "C:\\q"\n', 3, None, "backslash"),
        ("format = 1\nthis is not toml\n", 2, None, "syntax"),
    ],
)
def test_toml_syntax_errors_have_line_and_column(text, line, column, words):
    found = one_problem(text)
    assert found.message.startswith("TOML syntax error:")
    assert words in found.message
    assert found.line == line
    if column is not None:
        assert found.column == column


def test_undecodable_bytes_give_line_and_column():
    found = one_problem(b'format = 1\n# caf\xe9\nname = "x"\n')
    assert "not UTF-8" in found.message and "0xE9" in found.message
    assert (found.line, found.column) == (2, 6)


def test_utf16_file_is_refused_with_advice():
    found = one_problem((HEADER + BASIC).encode("utf-16"))
    assert "UTF-16" in found.message and "UTF-8" in found.message


def test_deeply_nested_toml_does_not_crash():
    assert "too deeply" in one_problem("a = " + "[" * 100_000).message
    assert "too deeply" in one_problem("a = " + "{b = " * 100_000).message


def test_huge_integer_is_a_problem_not_a_crash():
    assert "cannot be read" in one_problem("format = " + "9" * 5000).message


# -- limits -----------------------------------------------------------------------------------


def test_file_over_the_size_limit():
    found = one_problem(b"#" * (MAX_FILE_BYTES + 1))
    assert "20 MB" in found.message


def test_too_many_notes(monkeypatch):
    monkeypatch.setattr(deckfile, "MAX_NOTES", 2)
    found = one_problem(HEADER + BASIC + BASIC.replace("n1", "n2") + BASIC.replace("n1", "n3"))
    assert "3 notes; the limit is 2" in found.message


def test_field_over_the_length_limit():
    text = HEADER + BASIC.replace("Type 2 diabetes", "x" * (MAX_FIELD_CHARS + 1))
    found = one_problem(text)
    assert "20,000" in found.message and found.line == 12 and found.note_id == "n1"


def test_real_limits_are_the_documented_ones():
    assert deckfile.MAX_NOTES == 50_000
    assert MAX_FILE_BYTES == 20 * 1024 * 1024
    assert MAX_FIELD_CHARS == 20_000


# -- header problems ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("format = 1", "format = 2", 1, "reads format 1"),
        ("format = 1", 'format = "1"', 1, "format must be 1"),
        ("format = 1", "", 1, "no format line"),
        (f'id = "{DECK_ID}"', 'id = "not-a-uuid"', 4, "is not a UUID"),
        (f'id = "{DECK_ID}"', f'id = "{{{DECK_ID}}}"', 4, "is not a UUID"),
        (f'id = "{DECK_ID}"', "", 3, 'no "id"'),
        ('name = "ICD-10-CM::Ranges"', 'name = "ICD-10-CM::"', 5, "empty part"),
        ('name = "ICD-10-CM::Ranges"', 'name = "A:: ::B"', 5, "empty part"),
        ('name = "ICD-10-CM::Ranges"', "name = 5", 5, "must be text"),
        ('version = "1.0.0"', "version = 1.0", 6, 'text in quotes such as "1.2.0"'),
        ('version = "1.0.0"', 'version = "1.0-beta"', 6, "dotted numbers"),
        ('version = "1.0.0"', 'version = "v1"', 6, "dotted numbers"),
        ('version = "1.0.0"', 'version = "1.0.0"\ncolor = "red"', 7, 'unknown key "color"'),
        ('version = "1.0.0"', 'version = "1.0.0"\ntitel = "x"', 7, 'Did you mean "title"'),
        ('version = "1.0.0"', 'version = "1.0.0"\ntags = ["two words"]', 7, "contains a space"),
        ('version = "1.0.0"', 'version = "1.0.0"\ntags = "icd"', 7, "list of tags"),
        ('version = "1.0.0"', 'version = "1.0.0"\nsources = "CDC"', 7, "list of texts"),
        ('version = "1.0.0"', 'version = "1.0.0"\nauthor = 3', 7, "must be text"),
        ("format = 1", "format = 1\nextra = true", 2, 'unknown key "extra" at the top'),
    ],
)
def test_header_problems(old, new, line, words):
    text = HEADER.replace(old, new) + BASIC
    found = one_problem(text)
    assert words in found.message, found.message
    assert found.line == line


def test_missing_deck_table():
    found = one_problem("format = 1\n" + BASIC)
    assert "no [deck] table" in found.message


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ("new_per_day = -1", "from 0 to 9999"),
        ("desired_retention = 0.5", "0.70 to 0.99"),
        ('new_order = "shuffled"', '"file" or "random"'),
        ("learning_steps = 10", "list of up to 10"),
        ("new_cards = 3", "unknown option 'new_cards'"),
    ],
)
def test_bad_options(options, words):
    found = one_problem(HEADER + f"\n[deck.options]\n{options}\n" + BASIC)
    assert words in found.message and found.line == 9


@pytest.mark.parametrize(
    ("entry", "words", "line"),
    [
        ('version = "1.0.0"', 'no "changes"', 8),
        ('changes = "x"', 'no "version"', 8),
        ('version = "1.0.0"\nchanges = "x"\ndate = "26/11/2026"', "not a date", 11),
        ('version = "1.0.0"\nchanges = "x"\ndate = "2026-02-30"', "not a date", 11),
        ('version = "1.0.0"\nchanges = "x"\nwhen = "x"', 'unknown key "when"', 11),
        ('version = "one"\nchanges = "x"', "dotted numbers", 9),
    ],
)
def test_bad_changelog(entry, words, line):
    found = one_problem(HEADER + f"\n[[deck.changelog]]\n{entry}\n" + BASIC)
    assert words in found.message and found.line == line


# -- note problems ---------------------------------------------------------------------------


def note_problem(body: str) -> Problem:
    """The one problem of a file whose single note (starting at line 8) is `body`."""
    return one_problem(HEADER + "\n[[notes]]\n" + body + "\n")


@pytest.mark.parametrize(
    ("body", "words", "line"),
    [
        ('kind = "basic"\nfront = "a"\nback = "b"', 'no "id"', 8),
        ('id = "has space"\nkind = "basic"\nfront = "a"\nback = "b"', "is not allowed", 9),
        ('id = "é"\nkind = "basic"\nfront = "a"\nback = "b"', "is not allowed", 9),
        ('id = ""\nkind = "basic"\nfront = "a"\nback = "b"', "is not allowed", 9),
        (f'id = "{"x" * 201}"\nkind = "basic"\nfront = "a"\nback = "b"', "1 to 200", 9),
        ('id = 7\nkind = "basic"\nfront = "a"\nback = "b"', 'write id = "7"', 9),
        ('id = "n"\nfront = "a"\nback = "b"', 'no "kind"', 8),
        ('id = "n"\nkind = "flash"\nfront = "a"\nback = "b"', 'kind "flash" is not known', 10),
        ('id = "n"\nkind = "bsic"\nfront = "a"\nback = "b"', 'Did you mean "basic"', 10),
        ('id = "n"\nkind = "basic"\nfront = "a"', 'needs "back"', 8),
        ('id = "n"\nkind = "basic"\nfront = "a"\nback = ""', '"back" is empty', 12),
        (
            'id = "n"\nkind = "basic"\nfront = "<script>x</script>"\nback = "b"',
            '"front" is empty',
            11,
        ),
        ('id = "n"\nkind = "basic"\nfront = 5\nback = "b"', 'write front = "5"', 11),
        ('id = "n"\nkind = "basic"\nfront = ["a"]\nback = "b"', "must be text", 11),
        ('id = "n"\nkind = "basic"\nfront = "a"\nback = "b"\nanswer = "c"', "belongs to typed", 13),
        ('id = "n"\nkind = "basic"\nfront = "a"\nback = "b"\nbak = "c"', 'Did you mean "back"', 13),
        ('id = "n"\nkind = "basic"\nfront = "a"\nback = "b"\ndeck = "A::"', "empty part", 13),
        ('id = "n"\nkind = "basic"\nfront = "a"\nback = "b"\ndeck = 1', "must be text", 13),
        (
            'id = "n"\nkind = "basic"\nfront = "a"\nback = "b"\ntags = ["a b"]',
            "contains a space",
            13,
        ),
        ('id = "n"\nkind = "basic"\nfront = "a"\nback = "b"\ntags = [""]', "is empty", 13),
        ('id = "n"\nkind = "basic"\nfront = "a"\nback = "b"\ntags = [1]', "must be text", 13),
        ('id = "n"\nkind = "typed"\nfront = "a"\nanswer = "b"\naccept = "c"', "must be a list", 13),
        ('id = "n"\nkind = "typed"\nfront = "a"\nanswer = "b"\naccept = [1]', "must be text", 13),
        ('id = "n"\nkind = "typed"\nfront = "a"\nanswer = ""', '"answer" is empty', 12),
        (
            'id = "n"\nkind = "choice"\nquestion = "q"\noptions = ["a", "b"]\ncorrect = 1',
            "3 to 5",
            12,
        ),
        (
            'id = "n"\nkind = "choice"\nquestion = "q"\noptions = ["a","b","c","d","e","f"]\ncorrect = 1',
            "this one has 6",
            12,
        ),
        (
            'id = "n"\nkind = "choice"\nquestion = "q"\noptions = ["a", "b", "c"]\ncorrect = 4',
            "from 1 to 3",
            13,
        ),
        (
            'id = "n"\nkind = "choice"\nquestion = "q"\noptions = ["a", "b", "c"]\ncorrect = 0',
            "from 1 to 3",
            13,
        ),
        (
            'id = "n"\nkind = "choice"\nquestion = "q"\noptions = ["a", "b", "c"]\ncorrect = "2"',
            "whole number",
            13,
        ),
        (
            'id = "n"\nkind = "choice"\nquestion = "q"\noptions = ["a", " ", "c"]\ncorrect = 1',
            "option 2 is empty",
            12,
        ),
        ('id = "n"\nkind = "cloze"\ntext = "no deletion here"', "has no deletion", 11),
        ('id = "n"\nkind = "cloze"\ntext = "{{c0::zero}}"', "numbered c1 to c500", 11),
        ('id = "n"\nkind = "cloze"\ntext = "{{c501::big}}"', "uses c501", 11),
        ('id = "n"\nkind = "cloze"\ntext = "{{c1::x}}"\nfront = "f"', "belongs to basic", 12),
    ],
)
def test_note_problems(body, words, line):
    found = note_problem(body)
    assert words in found.message, found.message
    assert found.line == line, str(found)


def test_problem_names_the_note():
    found = note_problem('id = "e11-9"\nkind = "basic"\nfront = "a"')
    assert found.note_id == "e11-9"
    assert str(found) == 'deck.toml:8 (note e11-9): a basic note needs "back"; add it.'


def test_duplicate_note_ids_point_at_both():
    text = HEADER + BASIC + BASIC
    found = one_problem(text)
    assert found.line == 15 and found.note_id == "n1"
    assert 'note id "n1" is used twice (first at line 8)' in found.message


def test_notes_as_single_table():
    found = one_problem(HEADER + "\n[notes]\nid = 'a'\n")
    assert "[[notes]] with double brackets" in found.message and found.line == 8


def test_no_notes():
    assert "no notes" in one_problem(HEADER).message
    assert "no notes" in one_problem("notes = []\n" + HEADER).message


def test_every_problem_is_reported_at_once():
    text = (
        HEADER.replace('version = "1.0.0"', 'version = "x"')
        + BASIC.replace('kind = "basic"', 'kind = "bad"')
        + BASIC.replace('front = "E11.9"', "front = 1")
        + '\n[[notes]]\nid = "c"\nkind = "cloze"\ntext = "none"\n'
    )
    found = problems(text)
    assert [p.line for p in found] == [6, 10, 17, 23]
    assert len({p.message for p in found}) == 4
    message = str(InvalidFile(found))
    assert message.startswith("4 problems found; nothing was imported.")


# -- writing ------------------------------------------------------------------------------------

SAMPLE = DeckSpec(
    id=DECK_ID,
    name="ICD-10-CM::Ranges",
    version="1.2.0",
    title="Ranges",
    description="Line one\nLine two",
    tags=["icd"],
    changelog=[ChangelogEntry("1.2.0", "More", "2026-12-01"), ChangelogEntry("1.0.0", "First")],
    options={"new_order": "random", "new_per_day": 10},
    notes=[
        NoteSpec(
            "t1",
            "typed",
            {"accept": ["E11.90"], "answer": "E11.9", "front": "Code?", "source": "CDC"},
            tags=["dm"],
            deck="Codes",
        ),
        NoteSpec("z", "cloze", {"extra": "", "text": 'Say "{{c1::X}}"\nthen "'}),
    ],
)

SAMPLE_TEXT = f'''format = 1

[deck]
id = "{DECK_ID}"
name = "ICD-10-CM::Ranges"
version = "1.2.0"
title = "Ranges"
description = """
Line one
Line two"""
tags = ["icd"]

[[deck.changelog]]
version = "1.2.0"
date = "2026-12-01"
changes = "More"

[[deck.changelog]]
version = "1.0.0"
changes = "First"

[deck.options]
new_per_day = 10
new_order = "random"

[[notes]]
id = "t1"
kind = "typed"
deck = "Codes"
tags = ["dm"]
front = "Code?"
answer = "E11.9"
accept = ["E11.90"]
source = "CDC"

[[notes]]
id = "z"
kind = "cloze"
text = """
Say "{{{{c1::X}}}}"
then \\""""
extra = ""
'''


def test_dump_is_canonical_and_readable():
    assert dump_deck(SAMPLE) == SAMPLE_TEXT
    assert parse(SAMPLE_TEXT) == SAMPLE


def test_long_lists_are_spread_over_lines():
    options = ["an option long enough that five of them do not fit on one line"] * 3
    note = NoteSpec("c", "choice", {"question": "q", "options": options, "correct": 1})
    text = dump_deck(DeckSpec(DECK_ID, "D", "1", notes=[note]))
    assert 'options = [\n    "an option long enough' in text and '",\n]\n' in text
    assert parse(text).notes == [note]


def test_awkward_strings_survive_the_writer():
    tricky = [
        'a "quote" and a \\ backslash',
        "tab\there",
        'ends with a quote"',
        'three """ quotes\nand two ""\n',
        "\n\nleading newlines",
        "trailing newline\n",
        "control \x01\x7f chars\nand more \x1b",
        "line\\\ncontinuation",
        "''' literal delimiters\n'''",
    ]
    basic = NoteSpec("n", "basic", {"front": "f", "back": "b"})
    spec = DeckSpec(DECK_ID, "D", "1", description=tricky[0], sources=tricky, notes=[basic])
    assert parse(dump_deck(spec)) == spec
    notes = [
        NoteSpec(f"n{i}", "basic", {"front": clean_html(text), "back": "b"})
        for i, text in enumerate(tricky)
    ]
    spec = DeckSpec(DECK_ID, "D", "1", notes=notes)
    assert parse(dump_deck(spec)) == spec


def test_write_deck_file_replaces_atomically(tmp_path):
    target = tmp_path / "deck.toml"
    write_deck_file(SAMPLE, target)
    assert target.read_text(encoding="utf-8") == SAMPLE_TEXT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.toml"]
    write_deck_file(SAMPLE, target)  # overwriting works too
    assert parse(target.read_text(encoding="utf-8")) == SAMPLE


def test_write_deck_file_leaves_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "deck.toml"
    target.write_text("old", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_deck_file(SAMPLE, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.toml"]


# -- files -----------------------------------------------------------------------------------


def test_validate_file(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(HEADER + BASIC, encoding="utf-8")
    assert validate_file(good) == []
    bad = tmp_path / "bad.toml"
    bad.write_text(HEADER, encoding="utf-8")
    assert [p.file for p in validate_file(bad)] == [str(bad)]
    odd = tmp_path / "deck.json"
    odd.write_text("{}", encoding="utf-8")
    assert "unknown file type .json" in validate_file(odd)[0].message
    assert "cannot read the file" in validate_file(tmp_path / "missing.toml")[0].message
    table = tmp_path / "cards.csv"
    table.write_text("front,back\na,b\n", encoding="utf-8")
    assert validate_file(table) == []
    assert load_deck_file(table).is_spreadsheet


# -- properties ----------------------------------------------------------------------------------

SAFE_CHARS = st.characters(exclude_categories=("Cs",))
plain = st.text(SAFE_CHARS, max_size=30)
html_bits = st.lists(
    st.sampled_from(
        ["<b>", "</b>", "<br>", "&", "<", ">", "A", " ", "\n", '"', "\\", "'''", '"""', "é"]
    ),
    max_size=8,
).map("".join)
field_text = (plain | html_bits).map(clean_html)
required_text = field_text.filter(lambda t: t.strip() != "")
name_part = (
    st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters=":"), min_size=1, max_size=12
    )
    .map(str.strip)
    .filter(bool)
)
deck_path = st.lists(name_part, min_size=1, max_size=3).map("::".join)
cloze_word = st.text("abcXYZ 019.-", min_size=1, max_size=8)
tag = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=12,
).filter(lambda t: all(c.isprintable() and not c.isspace() for c in t))
version = st.lists(st.integers(0, 10_000), min_size=1, max_size=4).map(
    lambda p: ".".join(map(str, p))
)
note_id = st.from_regex(r"[A-Za-z0-9_.:-]{1,20}", fullmatch=True)
options = st.fixed_dictionaries(
    {},
    optional={
        "new_per_day": st.integers(0, 9999),
        "reviews_per_day": st.integers(0, 99999),
        "desired_retention": st.floats(0.70, 0.99),
        "learning_steps": st.lists(st.integers(1, 1000) | st.floats(0.5, 1000), max_size=4),
        "relearning_steps": st.lists(st.integers(1, 1000), max_size=2),
        "maximum_interval": st.integers(1, 36500),
        "new_order": st.sampled_from(["file", "random"]),
    },
)


@st.composite
def fields_for(draw, kind: str) -> dict:
    fields: dict = {}
    if kind in ("basic", "reversible"):
        fields = {"front": draw(required_text), "back": draw(required_text)}
    elif kind == "typed":
        fields = {"front": draw(required_text), "answer": draw(required_text)}
        if draw(st.booleans()):
            fields["accept"] = draw(st.lists(field_text, max_size=3))
    elif kind == "choice":
        opts = draw(st.lists(required_text, min_size=3, max_size=5))
        fields = {
            "question": draw(required_text),
            "options": opts,
            "correct": draw(st.integers(1, len(opts))),
        }
        if draw(st.booleans()):
            fields["rationale"] = draw(field_text)
    else:
        numbers = draw(st.lists(st.integers(1, 500), min_size=1, max_size=3))
        pieces = [draw(field_text) for _ in numbers]
        text = "".join(
            f"{p} {{{{c{n}::{draw(cloze_word)}}}}}" for p, n in zip(pieces, numbers, strict=True)
        )
        text = clean_html(text)
        fields = {"text": text}
        if draw(st.booleans()):
            fields["extra"] = draw(field_text)
    for key in ("explanation", "source"):
        if draw(st.booleans()):
            fields[key] = draw(field_text)
    # any order in memory: the writer puts them in canonical order
    items = list(fields.items())
    return dict(draw(st.permutations(items)))


@st.composite
def notes(draw) -> list[NoteSpec]:
    ids = draw(st.lists(note_id, min_size=1, max_size=5, unique=True))
    out = []
    for note_id_ in ids:
        kind = draw(st.sampled_from(list(KIND_FIELDS)))
        out.append(
            NoteSpec(
                id=note_id_,
                kind=kind,
                fields=draw(fields_for(kind)),
                tags=draw(st.lists(tag, max_size=3)),
                deck=draw(st.just("") | deck_path),
            )
        )
    return out


changelog = st.builds(
    ChangelogEntry,
    version=version,
    changes=plain,
    date=st.just("") | st.dates(date(1990, 1, 1), date(2100, 1, 1)).map(date.isoformat),
)
deck_specs = st.builds(
    DeckSpec,
    id=st.uuids().map(str),
    name=deck_path,
    version=version,
    title=plain,
    author=plain,
    license=plain,
    description=plain,
    code_set=plain,
    code_set_year=plain,
    sources=st.lists(plain, max_size=3),
    tags=st.lists(tag, max_size=3),
    changelog=st.lists(changelog, max_size=3),
    options=options,
    notes=notes(),
)


@FAST
@given(deck_specs)
def test_round_trip(spec):
    text = dump_deck(spec)
    again = parse(text)
    assert again == spec
    assert dump_deck(again) == text  # and the text is stable
    for note in spec.notes:
        if note.kind == "cloze":
            assert cloze_numbers(str(note.fields["text"]))


@FAST
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_a_spec_or_invalid_file(data):
    try:
        parse_deck(data, "x.toml")
    except InvalidFile as exc:
        assert exc.problems


toml_keys = st.sampled_from(
    [
        "format",
        "deck",
        "notes",
        "id",
        "name",
        "version",
        "kind",
        "front",
        "back",
        "options",
        "correct",
        "text",
        "tags",
        "changelog",
        "x",
    ]
) | st.text(max_size=5)
toml_scalars = (
    st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.text(max_size=20)
    | st.dates()
    | st.sampled_from(["basic", "cloze", "choice", DECK_ID, "1.0.0", "{{c1::x}}", "a::b"])
)
toml_values = st.recursive(
    toml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(toml_keys, children, max_size=5)
    ),
    max_leaves=25,
)


@FAST
@given(st.dictionaries(toml_keys, toml_values, max_size=6))
def test_arbitrary_toml_documents_give_a_spec_or_invalid_file(doc):
    try:
        data = tomli_w.dumps(doc).encode()
    except (TypeError, ValueError):
        return  # not representable in TOML
    try:
        parse_deck(data, "x.toml")
    except InvalidFile as exc:
        assert exc.problems


@FAST
@given(deck_specs, st.data())
def test_mutated_valid_documents_give_a_spec_or_invalid_file(spec, data):
    doc = tomllib.loads(dump_deck(spec))
    note = data.draw(st.sampled_from(doc["notes"]))
    target = data.draw(st.sampled_from([doc, doc["deck"], note]))
    key = data.draw(st.sampled_from(sorted(target)) | toml_keys)
    if data.draw(st.booleans()):
        target.pop(key, None)
    else:
        target[key] = data.draw(toml_values)
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return
    try:
        parse(text)
    except InvalidFile as exc:
        assert exc.problems
        assert all(isinstance(p.message, str) and p.message for p in exc.problems)


@FAST
@given(deck_specs, st.data())
def test_damaged_text_gives_a_spec_or_invalid_file(spec, data):
    lines = dump_deck(spec).split("\n")
    i = data.draw(st.integers(0, len(lines) - 1))
    action = data.draw(st.sampled_from(["drop", "double", "cut"]))
    if action == "drop":
        del lines[i]
    elif action == "double":
        lines.insert(i, lines[i])
    else:
        lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
    try:
        parse("\n".join(lines))
    except InvalidFile as exc:
        assert exc.problems


# -- the JSON Schema and the worked example ---------------------------------------------------


def _as_json(path: Path) -> object:
    doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    return json.loads(json.dumps(doc, default=lambda v: v.isoformat()))


DECK_FILES = sorted((ROOT / "decks").glob("*.toml")) + [EXAMPLE]


@pytest.mark.parametrize("path", DECK_FILES, ids=lambda p: p.name)
def test_deck_files_match_the_schema(path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(_as_json(path))
    ]
    assert errors == []


def test_schema_is_valid_and_rejects_what_the_parser_rejects():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = tomllib.loads(HEADER + BASIC)
    assert validator.is_valid(good)
    for mutate in (
        lambda d: d.update(format=2),
        lambda d: d["deck"].update(id="nope"),
        lambda d: d["deck"].update(colour="red"),
        lambda d: d["notes"][0].update(answer="x"),
        lambda d: d["notes"][0].update(kind="flash"),
        lambda d: d["notes"][0].update(tags=["two words"]),
        lambda d: d["notes"][0].pop("back"),
        lambda d: d["notes"][0].update(deck="A::"),
        lambda d: d["deck"].update(options={"new_per_day": -1}),
    ):
        doc = tomllib.loads(HEADER + BASIC)
        mutate(doc)
        assert not validator.is_valid(doc)
        with pytest.raises(InvalidFile):
            parse(tomli_w.dumps(doc))


def test_example_deck_uses_every_kind_and_parses():
    spec = parse_deck(EXAMPLE.read_bytes(), str(EXAMPLE))
    assert {n.kind for n in spec.notes} == set(KIND_FIELDS)
    assert spec.changelog and spec.options


def test_a_tag_is_refused_for_any_kind_of_space():
    # check_tags looks for " " and unprintable characters: every other space is unprintable
    assert all(
        (c.isspace() or not c.isprintable()) == (c == " " or not c.isprintable())
        for c in map(chr, range(0x110000))
    )
    for tag in ("a b", "a\tb", "a\xa0b", "a\u3000b", "a\u2028b", "a\x85b", "a\u200bb"):
        text = HEADER.replace('version = "1.0.0"', f'version = "1.0.0"\ntags = [{json.dumps(tag)}]')
        assert "contains a space" in one_problem(text + BASIC).message, repr(tag)


@FAST
@given(
    st.lists(st.sampled_from(["A", "b", " ", "\t", ":", "::", "\u3000"]), max_size=12).map("".join)
)
def test_deck_paths_normalise_alike_with_and_without_separators(value):
    from studyapp.core.notecheck import normalise_deck_path

    parts = [p.strip() for p in value.split("::")]
    expected = None if any(not p for p in parts) else "::".join(parts)
    assert normalise_deck_path(value) == expected
