"""The decks that ship with the app: valid, big enough, licensed, free of CPT descriptors."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

import pytest

from studyapp.core import shipped
from studyapp.core.deckfile import load_deck_file
from studyapp.core.model import card_ords
from studyapp.core.notes import plain_text
from studyapp.core.paths import shipped_decks_dir

DECK_FILES = sorted(shipped_decks_dir().glob("*.toml"))
# A single 5-character CPT code followed closely by descriptive words (ranges are fine).
# ("the 10000 series" names a block of the book, not a code.)
CPT_DESCRIPTOR = re.compile(
    r"(?<![-\d])\b\d{4}[0-9FTUM]\b(?!-)(?! series)[^-0-9\n]{0,3}[A-Za-z]{4,}"
)

MINIMUM_NOTES = {
    "ICD-10-CM::Chapters and blocks": 319,
    "ICD-10-CM::Where does this code live": 300,
    "ICD-10-CM::Conventions and guidelines": 60,
    "ICD-10-PCS": 100,
    "CPT::Sections and modifiers": 60,
    "HCPCS Level II": 50,
    "Medical Terminology": 400,
    "Specialties::Anesthesiology": 35,
    "Specialties::Gastroenterology": 35,
    "Specialties::Dermatology": 35,
    "Specialties::Urology": 35,
    "Certifications overview": 40,
}


@pytest.fixture(scope="module")
def specs():
    return {path.name: load_deck_file(path) for path in DECK_FILES}


def test_every_expected_deck_ships(specs):
    assert {spec.name for spec in specs.values()} == set(MINIMUM_NOTES)


@pytest.mark.parametrize("path", DECK_FILES, ids=lambda p: p.name)
def test_deck_validates_with_the_cli(path):
    from studyapp.cli import main

    assert main(["deck", "validate", str(path)]) == 0


def test_note_counts_meet_the_minimums(specs):
    for spec in specs.values():
        assert len(spec.notes) >= MINIMUM_NOTES[spec.name], spec.name


def test_terminology_has_300_word_parts_and_100_abbreviations(specs):
    spec = next(s for s in specs.values() if s.name == "Medical Terminology")
    per_subdeck = Counter(note.deck for note in spec.notes)
    word_parts = per_subdeck["Prefixes"] + per_subdeck["Suffixes"] + per_subdeck["Combining forms"]
    assert word_parts >= 300
    assert per_subdeck["Abbreviations"] >= 100


def test_pcs_has_all_31_root_operations_both_ways(specs):
    spec = next(s for s in specs.values() if s.name == "ICD-10-PCS")
    two_way = [n for n in spec.notes if n.deck == "Root operations" and n.kind == "reversible"]
    names = {plain_text(str(n.fields["front"])).split(":")[-1].strip().lower() for n in two_way}
    for name in ("excision", "resection", "bypass", "replacement", "transplantation", "fusion"):
        assert name in names
    assert len(names) >= 31


def test_every_deck_states_title_version_license_and_sources(specs):
    for spec in specs.values():
        assert spec.title and spec.version and spec.license and spec.sources, spec.name
        assert spec.changelog, spec.name


def test_cpt_content_has_no_code_descriptors():
    for path in DECK_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            assert not CPT_DESCRIPTOR.search(line), f"{path.name}:{number}: {line.strip()}"


def test_descriptor_check_catches_a_descriptor():
    assert CPT_DESCRIPTOR.search('back = "99213 Office visit for an established patient"')
    assert not CPT_DESCRIPTOR.search('front = "10004-19499"')
    assert not CPT_DESCRIPTOR.search("Surgery (the 10000 to 60000 series)")
    assert not CPT_DESCRIPTOR.search('back = "Integumentary System (10030-19499)"')


def test_card_kinds_are_used_where_they_fit(specs):
    kinds = Counter(note.kind for spec in specs.values() for note in spec.notes)
    assert all(kinds[k] > 20 for k in ("basic", "reversible", "typed", "choice", "cloze"))


def test_first_start_loads_every_shipped_deck(col):
    assert shipped.needs_first_start(col)
    added = shipped.load_shipped(col)
    expected_notes = sum(len(load_deck_file(p).notes) for p in DECK_FILES)
    expected_cards = sum(
        len(card_ords(n.kind, n.fields)) for p in DECK_FILES for n in load_deck_file(p).notes
    )
    assert added == expected_notes
    assert col.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == expected_cards
    assert not shipped.needs_first_start(col)
    assert shipped.load_shipped(col) == 0  # loading again changes nothing


def test_start_up_never_imports_the_icd_package():
    code = (
        "import sys, studyapp.cli, studyapp.gui.main_window, studyapp.core.shipped;"
        "print('simple_icd_10_cm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
