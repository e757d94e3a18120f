"""Searching cards with a small query language, compiled to SQL.

The syntax is documented for students in resources/search-syntax.md. In short:

    diabetes            free text in the note (case-insensitive)
    "type 2"            a phrase (quotes keep the spaces)
    J45  E11.9  E119    a code: matches notes that contain that code, dots ignored
    J45*  E11.*         a code prefix: J45, J45.0, J45.909, ...
    deck:Name           the deck and its subdecks; deck:"Name with spaces"; deck:ICD*
    tag:chapter-4       a tag; tag:chapter* for a prefix
    is:due is:new is:learning is:review is:suspended
    kind:typed          basic, reversible, typed, choice, cloze
    -term               not
    a b                 both (AND is the default)
    a or b              either; parentheses group: (a or b) -c

`search_cards` returns card ids; `count` returns how many cards match. Text and codes are
matched against the search index (search_index.py); the notes and decks tables are joined
only when a term or the order needs them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from studyapp.core.collection import Collection
from studyapp.core.decks import SEP
from studyapp.core.errors import UserError
from studyapp.core.model import CLOZE_RE, KINDS
from studyapp.core.search_index import glob_escape, plain_text

FROM = "cards c JOIN notes n ON n.id = c.note_id JOIN decks d ON d.id = c.deck_id"
_JOINS = {"n": "JOIN notes n ON n.id = c.note_id", "d": "JOIN decks d ON d.id = c.deck_id"}

# order name -> (ORDER BY, the joined tables it reads)
ORDERS: dict[str, tuple[str, frozenset[str]]] = {
    "created": ("c.id", frozenset()),
    "sort": ("n.sort_field COLLATE NOCASE, c.ord", frozenset("n")),
    "due": ("c.state = 0, c.due, c.position", frozenset()),
    "deck": ("d.name COLLATE NOCASE, n.sort_field COLLATE NOCASE, c.ord", frozenset("nd")),
    "interval": ("coalesce(c.stability, 0) DESC, c.id", frozenset()),
    "lapses": ("c.lapses DESC, c.id", frozenset()),
}

IS_VALUES = ("due", "new", "learning", "review", "suspended")

# A term that looks like a code: ICD-10-CM/PCS or HCPCS (letter, digit, ...) or CPT (5 chars).
_CODE_RE = re.compile(r"^(?:[A-Z][0-9][0-9A-Z]{0,5}|[0-9]{4}[0-9FTUM])$")
_TOKEN_RE = re.compile(r'\s*(?:(\()|(\))|(-)?((?:[^\s()"]*"[^"]*"?)+|[^\s()"]+))')


@dataclass(frozen=True)
class Sql:
    where: str
    params: tuple[object, ...]
    tables: frozenset[str] = field(default=frozenset())  # aliases it reads besides c: n, d


def looks_like_code(term: str) -> bool:
    """True for J45, E11.9, E11.*, J45*, 99213, 0DTJ4ZZ (after dropping dots and a final *)."""
    body = term.rstrip("*").replace(".", "").upper()
    return bool(body) and bool(_CODE_RE.match(body)) and any(ch.isdigit() for ch in body)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _glob_to_like(text: str) -> str:
    return _like_escape(text).replace("*", "%")


# --- tokens and parsing ---------------------------------------------------------------------


@dataclass
class _Token:
    kind: str  # "(", ")", "term", "or"
    text: str = ""
    negated: bool = False


def _tokens(query: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        match = _TOKEN_RE.match(query, pos)
        if not match or match.end() == pos:
            raise UserError(f"Cannot read the search at {query[pos:]!r}.")
        pos = match.end()
        if match.group(1):
            out.append(_Token("("))
        elif match.group(2):
            out.append(_Token(")"))
        else:
            text = match.group(4) or ""
            if text.count('"') % 2:
                raise UserError(f'A quote is not closed in {text!r}; add the closing ".')
            if text.lower() == "or" and not match.group(3):
                out.append(_Token("or"))
            elif text:
                out.append(_Token("term", text, bool(match.group(3))))
            else:
                raise UserError("A '-' must be followed by something to leave out, e.g. -tag:old.")
    return out


class _Parser:
    def __init__(self, tokens: list[_Token], compile_term: Callable[[str], Sql]):
        self.tokens = tokens
        self.pos = 0
        self.compile_term = compile_term

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Sql:
        if not self.tokens:
            return Sql("1", ())
        result = self.parse_or()
        if self.peek() is not None:
            raise UserError("A ')' has no matching '('.")
        return result

    def parse_or(self) -> Sql:
        parts = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.pos += 1
            parts.append(self.parse_and())
        return _join(parts, "OR")

    def parse_and(self) -> Sql:
        parts: list[Sql] = []
        while (tok := self.peek()) is not None and tok.kind in ("term", "("):
            parts.append(self.parse_unary())
        if not parts:
            tok = self.peek()
            if tok is None:
                raise UserError("The search ends where a term was expected (after 'or' or '(').")
            if tok.kind == "or":
                raise UserError("'or' needs a term on both sides, e.g. J45 or J44.")
            raise UserError("Empty parentheses or a ')' without '('.")
        return _join(parts, "AND")

    def parse_unary(self) -> Sql:
        tok = self.tokens[self.pos]
        self.pos += 1
        if tok.kind == "(":
            inner = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise UserError("A '(' is not closed; add ')'.")
            self.pos += 1
            return inner
        sql = self.compile_term(tok.text)
        if tok.negated:
            return Sql(f"NOT ({sql.where})", sql.params, sql.tables)
        return sql


def _join(parts: list[Sql], op: str) -> Sql:
    if len(parts) == 1:
        return parts[0]
    return Sql(
        "(" + f" {op} ".join(f"({p.where})" for p in parts) + ")",
        tuple(param for p in parts for param in p.params),
        frozenset().union(*(p.tables for p in parts)),
    )


# --- terms ----------------------------------------------------------------------------------


def _unquote(text: str) -> str:
    return text.replace('"', "")


def _text_sql(text: str) -> Sql:
    words = " ".join(text.split()).casefold()  # the index holds single-spaced, folded text
    return Sql(
        "c.note_id IN (SELECT note_id FROM note_search WHERE text GLOB ?)",
        (f"*{glob_escape(words)}*",),
    )


def _code_sql(term: str) -> Sql:
    body = term.rstrip("*").replace(".", "").upper()  # letters and digits only (looks_like_code)
    end = "*" if term.endswith("*") else " *"
    return Sql(
        "c.note_id IN (SELECT note_id FROM note_search WHERE codes GLOB ?)", (f"* {body}{end}",)
    )


def _deck_sql(value: str) -> Sql:
    name = _unquote(value).strip()
    if not name:
        raise UserError('deck: needs a deck name, e.g. deck:"ICD-10-CM::Chapters".')
    name = SEP.join(part.strip() for part in name.split(SEP))
    # A subquery over the few decks lets SQLite read only their cards (index cards_deck).
    if "*" in name:
        return Sql(
            "c.deck_id IN (SELECT id FROM decks WHERE name LIKE ? ESCAPE '\\')",
            (_glob_to_like(name),),
        )
    return Sql(
        "c.deck_id IN (SELECT id FROM decks WHERE lower(name) = lower(?)"
        " OR lower(substr(name, 1, ?)) = lower(?))",
        (name, len(name) + len(SEP), name + SEP),
    )


def _tag_sql(value: str) -> Sql:
    tag = _unquote(value).strip()
    if not tag or " " in tag:
        raise UserError("tag: needs one tag without spaces, e.g. tag:chapter-4.")
    end = "" if tag.endswith("*") else " "
    return Sql("n.tags LIKE ? ESCAPE '\\'", (f"% {_glob_to_like(tag)}{end}%",), frozenset("n"))


def _is_sql(value: str, col: Collection) -> Sql:
    value = value.lower()
    if value == "new":
        return Sql("c.state = 0", ())
    if value == "learning":
        return Sql("c.state IN (1, 3)", ())
    if value == "review":
        return Sql("c.state = 2", ())
    if value == "suspended":
        return Sql("c.suspended = 1", ())
    if value == "due":
        end = int(col.today_end().timestamp())
        return Sql("(c.state != 0 AND c.suspended = 0 AND c.due < ?)", (end,))
    raise UserError(
        f"is:{value} is not known; use one of: {', '.join('is:' + v for v in IS_VALUES)}."
    )


def _kind_sql(value: str) -> Sql:
    kind = value.lower()
    if kind not in KINDS:
        raise UserError(f"kind:{value} is not known; use one of: {', '.join(KINDS)}.")
    return Sql("n.kind = ?", (kind,), frozenset("n"))


def _term_compiler(col: Collection) -> Callable[[str], Sql]:
    def compile_term(text: str) -> Sql:
        key, colon, value = text.partition(":")
        if colon and '"' not in key and key.isalpha():
            key = key.lower()
            if not value:
                raise UserError(f"{key}: needs a value after the colon.")
            if key == "deck":
                return _deck_sql(value)
            if key == "tag":
                return _tag_sql(value)
            if key == "is":
                return _is_sql(value, col)
            if key == "kind":
                return _kind_sql(value)
            raise UserError(
                f"{key}: is not a search field; use deck:, tag:, is: or kind: "
                '(put text with a colon in quotes: "ICD:10").'
            )
        plain = _unquote(text)
        if not plain:
            raise UserError('Empty quotes ("") match nothing; put text between them.')
        if '"' not in text and looks_like_code(plain):
            return _code_sql(plain)
        return _text_sql(plain)

    return compile_term


def compile_query(col: Collection, query: str) -> Sql:
    """The WHERE clause (over `FROM`) for a query; UserError says what is wrong with it."""
    return _Parser(_tokens(query), _term_compiler(col)).parse()


def _from(tables: frozenset[str]) -> str:
    return " ".join(["cards c", *(_JOINS[alias] for alias in sorted(tables, reverse=True))])


def search_cards(
    col: Collection, query: str, order: str = "created", limit: int | None = None
) -> list[int]:
    """Ids of the cards matching `query`, in `order` (one of ORDERS)."""
    if order not in ORDERS:
        raise UserError(f"Unknown order {order!r}; use one of: {', '.join(ORDERS)}.")
    sql = compile_query(col, query)
    order_by, order_tables = ORDERS[order]
    tables = _from(sql.tables | order_tables)
    if order == "created" and limit is None:
        # Card ids grow in creation order. One JSON array sorted here costs a fraction of a
        # row tuple per card plus SQLite's temporary B-tree for an ORDER BY.
        ids = col.conn.execute(
            f"SELECT json_group_array(c.id) FROM {tables} WHERE {sql.where}", sql.params
        ).fetchone()[0]
        return sorted(json.loads(ids))
    text = f"SELECT c.id FROM {tables} WHERE {sql.where} ORDER BY {order_by}"
    params: tuple[object, ...] = sql.params
    if limit is not None:
        text += " LIMIT ?"
        params = (*params, limit)
    return [r[0] for r in col.conn.execute(text, params)]


def count(col: Collection, query: str) -> int:
    sql = compile_query(col, query)
    return col.conn.execute(
        f"SELECT count(*) FROM {_from(sql.tables)} WHERE {sql.where}", sql.params
    ).fetchone()[0]


# --- rows for the Browse table --------------------------------------------------------------


class CardRow(NamedTuple):
    card_id: int
    note_id: int
    front: str
    answer: str  # the back, the typed code, the right option or the cloze text
    deck: str
    kind: str
    due: str  # "new #12", a date, or "suspended"
    interval_days: int | None
    difficulty: float | None
    lapses: int
    tags: str
    suspended: bool


def _answer_text(kind: str, fields: dict[str, object]) -> str:
    if kind == "typed":
        value = fields.get("answer", "")
    elif kind == "choice":
        options = fields.get("options") or []
        correct = fields.get("correct")
        value = (
            options[correct - 1]
            if isinstance(options, list)
            and isinstance(correct, int)
            and 0 < correct <= len(options)
            else ""
        )
    elif kind == "cloze":
        value = ", ".join(m.group(2) for m in CLOZE_RE.finditer(str(fields.get("text", ""))))
    else:
        value = fields.get("back", "")
    return plain_text(str(value))


def card_rows(col: Collection, card_ids: list[int]) -> list[CardRow]:
    """The Browse table's columns for these cards, in the order given (missing ids skipped)."""
    by_id: dict[int, CardRow] = {}
    for row in col.conn.execute(
        "SELECT c.id, c.note_id, n.sort_field, n.kind, n.fields, d.name, c.state, c.due,"
        " c.position, c.last_review, c.difficulty, c.lapses, n.tags, c.suspended"
        f" FROM {FROM} WHERE c.id IN (SELECT value FROM json_each(?))",
        (json.dumps(card_ids),),
    ):
        (
            cid,
            nid,
            front,
            kind,
            fields,
            deck,
            state,
            due,
            pos,
            last,
            diff,
            lapses,
            tags,
            susp,
        ) = row
        if state == 0:
            due_text = f"new #{pos}"
        else:
            due_text = datetime.fromtimestamp(due, UTC).astimezone().strftime("%Y-%m-%d")
        interval = max(0, round((due - last) / 86400)) if state == 2 and last is not None else None
        by_id[cid] = CardRow(
            cid,
            nid,
            front,
            _answer_text(kind, json.loads(fields)),
            deck,
            kind,
            due_text,
            interval,
            diff,
            lapses,
            tags.strip(),
            bool(susp),
        )
    return [by_id[c] for c in card_ids if c in by_id]
