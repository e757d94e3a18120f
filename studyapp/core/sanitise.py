"""The one place where HTML from outside (deck files, spreadsheets) is cleaned.

Fields are short HTML. `clean_html` keeps a small allow-list of formatting tags, keeps a
`class` attribute on `span` and `div` only, drops every other attribute (so no event handler,
style, `href` or `src` survives), and removes `script`, `style` and `iframe` together with
their contents. Tags outside the list are dropped but their text is kept (except for elements
such as `svg`, `math`, `template` or form controls, which nh3 drops whole).

Text is returned as HTML: the characters `&`, `<`, `>` and the no-break space come back as
`&amp;`, `&lt;`, `&gt;` and `&nbsp;`, which display exactly as typed ("A & B" is stored as
"A &amp; B" and shown as "A & B"). Text without those characters (and without a carriage
return, NUL or byte-order mark) is returned unchanged, and so is text whose only markup is
bare b, i, u, em, strong, sub and sup tags closed in order (nh3 is not asked; tests check
that it would return such text as it is). Cleaning is idempotent:
`clean_html(clean_html(x)) == clean_html(x)`, so cleaned fields can be written to a deck file
and read back unchanged.
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "b",
        "i",
        "u",
        "em",
        "strong",
        "sub",
        "sup",
        "br",
        "p",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "span",
        "div",
    }
)
ALLOWED_ATTRIBUTES = {"span": {"class"}, "div": {"class"}}
REMOVED_WITH_CONTENT = frozenset({"script", "style", "iframe"})

# Text with none of these characters cannot hold markup and nh3 would return it unchanged.
_NEEDS_CLEANING = "<>&\r\0\ufeff\xa0"
_NEEDS_CLEANING_RE = re.compile(f"[{re.escape(_NEEDS_CLEANING)}]")  # faster than a set test
# The HTML parser can rebalance some malformed markup once more on a second pass; two passes
# are enough in practice, a few more cost nothing.
_MAX_PASSES = 5


# Built once: nh3.clean would rebuild the same allow-lists on every call, which costs several
# times the cleaning itself for a short field.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    # "*" empty: without it nh3 also keeps `title` and `lang` on every tag.
    attributes={"*": set(), **{tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()}},
    url_schemes=set(),
    link_rel=None,
    strip_comments=True,
)


def _clean_once(text: str) -> str:
    # The HTML parser drops one byte-order mark at the start of its input per pass; dropping
    # them all here (before and after) keeps cleaning idempotent.
    return _CLEANER.clean(text.lstrip("\ufeff")).lstrip("\ufeff")


# Text made only of such characters and the bare inline tags below, each closed in order
# (<b>x <i>y</i></b>), is already what nh3 would return: the commonest markup in a field.
_INLINE_TAGS = ("b", "i", "u", "em", "strong", "sub", "sup")
# possessive (++, *+): a failed match gives up at once instead of backtracking
_INLINE_ONLY_RE = re.compile(
    f"(?:[^{re.escape(_NEEDS_CLEANING)}]++|</?(?:{'|'.join(_INLINE_TAGS)})>)*+"
)
_INLINE_TAG_RE = re.compile(f"<(/?)({'|'.join(_INLINE_TAGS)})>")


def _already_clean(text: str) -> bool:
    if not _NEEDS_CLEANING_RE.search(text):
        return True
    if not _INLINE_ONLY_RE.fullmatch(text):
        return False
    open_tags: list[str] = []
    for closing, tag in _INLINE_TAG_RE.findall(text):
        if not closing:
            open_tags.append(tag)
        elif not open_tags or open_tags.pop() != tag:
            return False
    return not open_tags


def clean_html(text: str) -> str:
    """Safe HTML for a field: the allow-listed tags only, no URLs, no scripts or styles."""
    if _already_clean(text):
        return text
    out = _clean_once(text)
    if out == text:  # already clean: a second pass would return it unchanged again
        return out
    for _ in range(_MAX_PASSES):
        again = _clean_once(out)
        if again == out:
            return out
        out = again
    return out
