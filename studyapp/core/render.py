"""Turning a note into the question and answer a student sees (HTML, already sanitised)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from studyapp.core.model import CLOZE_RE, FieldValue
from studyapp.core.notes import plain_text


@dataclass(frozen=True)
class CardContent:
    kind: str
    question: str
    answer: str  # the back: shown after the reveal
    options: list[str] = field(default_factory=list)  # choice cards
    correct: int = 0  # 1-based index of the right option (choice cards)
    expected: str = ""  # typed cards: the answer to type
    accepted: list[str] = field(default_factory=list)  # typed cards: other accepted answers
    stem: str = ""  # choice cards: the question without its options (screens show buttons)


def _extras(fields: dict[str, FieldValue]) -> str:
    parts = []
    for key, label in (("explanation", "Why"), ("source", "Source")):
        text = str(fields.get(key, "")).strip()
        if text:
            parts.append(f'<div class="{key}"><b>{label}:</b> {text}</div>')
    return "".join(parts)


def render(kind: str, ord_: int, fields: dict[str, FieldValue]) -> CardContent:
    f = {k: v for k, v in fields.items()}
    extras = _extras(f)
    if kind in ("basic", "reversible"):
        front, back = str(f.get("front", "")), str(f.get("back", ""))
        if kind == "reversible" and ord_ == 1:
            front, back = back, front
        return CardContent(kind, front, f"{front}<hr/>{back}{extras}")
    if kind == "typed":
        expected = str(f.get("answer", ""))
        accepted = [str(a) for a in f.get("accept", []) or []]  # type: ignore[union-attr]
        also = (
            f'<div class="accepted">Also accepted: {", ".join(accepted)}</div>' if accepted else ""
        )
        answer = f'{f.get("front", "")}<hr/><div class="code">{expected}</div>{also}{extras}'
        # Fields hold HTML ("A &amp; B"); the student types plain text ("A & B").
        return CardContent(
            kind,
            str(f.get("front", "")),
            answer,
            expected=plain_text(expected),
            accepted=[plain_text(a) for a in accepted],
        )
    if kind == "choice":
        options = [str(o) for o in f.get("options", []) or []]  # type: ignore[union-attr]
        correct = int(f.get("correct", 0) or 0)  # type: ignore[arg-type]
        question = str(f.get("question", ""))
        listing = "".join(f"<li>{o}</li>" for o in options)
        q_html = f'{question}<ol class="options">{listing}</ol>'
        right = options[correct - 1] if 0 < correct <= len(options) else ""
        rationale = str(f.get("rationale", ""))
        why = f'<div class="rationale">{rationale}</div>' if rationale else ""
        a_html = f'{question}<hr/><div class="correct">{correct}. {right}</div>{why}{extras}'
        return CardContent(kind, q_html, a_html, options=options, correct=correct, stem=question)
    if kind == "cloze":
        text = str(f.get("text", ""))
        extra = str(f.get("extra", ""))
        more = f'<div class="extra">{extra}</div>' if extra else ""
        return CardContent(
            kind,
            cloze_side(text, ord_ + 1, reveal=False),
            cloze_side(text, ord_ + 1, True) + more + extras,
        )
    return CardContent(kind, escape(str(f)), "")


def cloze_side(text: str, number: int, reveal: bool) -> str:
    """Deletion `number` hidden (or highlighted when revealed); other deletions shown plainly."""

    def replace(match: re.Match[str]) -> str:
        n, body, hint = int(match.group(1)), match.group(2), match.group(3)
        if n != number:
            return body
        if reveal:
            return f'<span class="cloze">{body}</span>'
        return f'<span class="cloze">[{hint or "..."}]</span>'

    return CLOZE_RE.sub(replace, text)
