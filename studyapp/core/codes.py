"""Codes typed by students: normalising, comparing, and saying how close a wrong answer was.

Handles ICD-10-CM (E11.9), ICD-10-PCS (0DTJ4ZZ), CPT (99213, 0001F, 0042T), HCPCS Level II
(J1100), modifiers (25, LT) and code ranges (E08-E13). Anything else is compared as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

ICD10CM_RE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
PCS_RE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
CPT_RE = re.compile(r"^[0-9]{4}[0-9FTUM]$")
HCPCS_RE = re.compile(r"^[A-V][0-9]{4}$")
RANGE_RE = re.compile(r"^([A-Z0-9.]+)-([A-Z0-9.]+)$")


def normalise(text: str) -> str:
    """Upper case, no spaces, no dots: `e11.9 ` -> `E119`. Ranges keep their dash."""
    text = re.sub(r"\s+", "", text).upper()
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return text.replace(".", "")


_PATTERNS = {"cpt": CPT_RE, "hcpcs": HCPCS_RE, "pcs": PCS_RE, "icd10cm": ICD10CM_RE}


def code_kind(raw: str) -> str:
    """'range', 'cpt', 'hcpcs', 'pcs', 'icd10cm', or 'text' for a code as written.

    A letter and four digits is HCPCS Level II (J1100) unless written with a dot (J11.00).
    """
    code = normalise(raw)
    if RANGE_RE.match(code):
        return "range"
    if CPT_RE.match(code):
        return "cpt"
    if HCPCS_RE.match(code) and "." not in raw:
        return "hcpcs"
    if PCS_RE.match(code) and code[0].isdigit():
        return "pcs"
    if ICD10CM_RE.match(code):
        return "icd10cm"
    return "text"


def _kind_like(given: str, expected_kind: str) -> str:
    """The given answer's kind, read the same way as the expected one where it fits."""
    pattern = _PATTERNS.get(expected_kind)
    if pattern and pattern.match(given):
        return expected_kind
    return code_kind(given)


@dataclass(frozen=True)
class Verdict:
    correct: bool
    closeness: str  # a sentence for the student; empty when correct
    diff: list[tuple[str, str]]  # (op, text) with op in "same", "missing", "extra"


def check_answer(given: str, answer: str, accepted: list[str] | tuple[str, ...] = ()) -> Verdict:
    """Compare a typed answer with the expected one (and accepted alternatives)."""
    g = normalise(given)
    targets = [normalise(a) for a in (answer, *accepted) if a.strip()]
    if g and g in targets:
        return Verdict(True, "", [("same", given.strip())])
    verdict = closeness(g, normalise(answer), code_kind(answer))
    return Verdict(False, verdict, char_diff(given.strip(), answer.strip()))


def closeness(given: str, expected: str, e_kind: str) -> str:
    """How close a wrong answer was, in coding terms (both normalised)."""
    if not given:
        return "No answer was given."
    g_kind = _kind_like(given, e_kind)
    if g_kind == "range" and e_kind != "range":
        start, end = RANGE_RE.match(given).groups()  # type: ignore[union-attr]
        # compare at each end's length: E13.9 is inside E08-E13, E07.9 is not
        inside = start <= expected[: len(start)] and expected[: len(end)] <= end
        where = "which contains it" if inside else "which does not contain it"
        return f"You gave a range ({given}, {where}), but a single code was asked for."
    if e_kind == "range" and g_kind != "range":
        return "You gave a single code, but a range was asked for."
    if e_kind == "icd10cm" and g_kind == "icd10cm":
        return _icd_closeness(given, expected)
    if e_kind == "cpt" and g_kind == "cpt":
        if cpt_section(given) == cpt_section(expected):
            if given[:2] == expected[:2]:
                return "Right CPT section and series, but the wrong code."
            return f"Right CPT section ({cpt_section(expected)}), but the wrong code."
        return f"Wrong CPT section: {given} is in {cpt_section(given)}."
    if e_kind == "pcs" and g_kind == "pcs":
        same = sum(1 for a, b in zip(given, expected, strict=False) if a == b)
        first_wrong = next(
            i for i, (a, b) in enumerate(zip(given, expected, strict=False)) if a != b
        )
        first_wrong += 1
        return f"{same} of 7 characters right; the first wrong one is character {first_wrong}."
    if e_kind == "hcpcs" and g_kind == "hcpcs":
        if given[0] == expected[0]:
            return f"Right HCPCS Level II section ({expected[0]} codes), but the wrong code."
        return f"Wrong HCPCS Level II section: the answer is a {expected[0]} code."
    if e_kind != g_kind and e_kind != "text":
        return "That is not the same kind of code as the answer."
    return "Not the expected answer."


def _icd_closeness(given: str, expected: str) -> str:
    if given[:3] != expected[:3]:
        if given[0] == expected[0]:
            return f"Right chapter letter, but the wrong category ({given[:3]} vs {expected[:3]})."
        return f"Wrong category: the answer is in category {expected[:3]}."
    if len(expected) == 7 and len(given) == 7 and given[:6] == expected[:6]:
        return "Right code, but the wrong 7th character."
    if len(given) < len(expected) and expected.startswith(given):
        return "Right so far, but not specific enough: more characters are needed."
    if len(given) > len(expected) and given.startswith(expected):
        return "Too many characters: the answer is a shorter code."
    if len(expected) >= 5 and given[:4] == expected[:4]:
        return "Right category and subcategory, but wrong after that."
    return "Right category, but the wrong subcategory."


# Category I CPT sections by numeric range (section names are public structure).
_CPT_SECTIONS = [
    (0, 1999, "Anesthesia"),
    (10004, 69990, "Surgery"),
    (70010, 79999, "Radiology"),
    (80047, 89398, "Pathology and Laboratory"),
    (90281, 99199, "Medicine"),
    (99202, 99499, "Evaluation and Management"),
    (99500, 99607, "Medicine"),
]


def cpt_section(code: str) -> str:
    if code[-1] == "F":
        return "Category II"
    if code[-1] == "T":
        return "Category III"
    if code[-1] in "UM":
        return "Proprietary Laboratory Analyses" if code[-1] == "U" else "MAAA"
    number = int(code)
    for low, high, name in _CPT_SECTIONS:
        if low <= number <= high:
            return name
    return "an unlisted range"


def char_diff(given: str, expected: str) -> list[tuple[str, str]]:
    """Character-level difference: what matched, what was missing, what was extra."""
    out: list[tuple[str, str]] = []
    matcher = SequenceMatcher(a=given.upper(), b=expected.upper(), autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("same", expected[b1:b2]))
        if op in ("delete", "replace"):
            out.append(("extra", given[a1:a2]))
        if op in ("insert", "replace"):
            out.append(("missing", expected[b1:b2]))
    return out
