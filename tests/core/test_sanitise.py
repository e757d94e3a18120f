"""clean_html: the allow-list, hostile HTML, plain text and idempotence."""

from __future__ import annotations

import re

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.core.sanitise import (
    _NEEDS_CLEANING,
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    REMOVED_WITH_CONTENT,
    _already_clean,
    _clean_once,
    clean_html,
)

# Pieces of markup that hypothesis glues together into hostile or broken fragments.
TOKENS = [
    "<b>", "</b>", "<p>", "</p>", "<table>", "<td>", "<tr>", "<li>", "<ul>", "<br>",
    '<div class="x">', "</div>", '<span class="code">', "</span>", "<script>", "</script>",
    "<svg>", "<math>", "<style>", "<textarea>", "<noscript>", "<select>", "<template>",
    "<iframe>", "<xmp>", "<plaintext>", "<title>", "<option>", "<form>", "<pre>", "<!--", "-->",
    '<a href="javascript:alert(1)">', '<img src=x onerror="alert(1)">', "&amp;", "&", "<", ">",
    "x", " ", "\n", "\r", "\0", "\xa0", "\ufeff", "{{c1::", "}}", "&lt;", "&#x3C;script&#x3E;",
]  # fmt: skip
markup = st.lists(st.sampled_from(TOKENS), max_size=14).map("".join)
any_text = st.text(max_size=60) | markup


@pytest.mark.parametrize(
    "text",
    [
        "E11.9",
        "Type 2 diabetes mellitus without complications",
        "multi\nline\ttext",
        "quotes \" and ' apostrophes",
        "{{c1::X::hint}} placeholder",
        "  leading and trailing spaces  ",
        "é ü 中文 😀",
        "",
    ],
)
def test_plain_text_passes_through_unchanged(text):
    assert clean_html(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # nh3 returns HTML, so the characters that mean something in HTML come back as
        # entities; they display exactly as typed. Entities already there are kept.
        ("A & B", "A &amp; B"),
        ("<3 years", "&lt;3 years"),
        ("age > 65", "age &gt; 65"),
        ("a < b > c", "a &lt; b &gt; c"),
        ("A &amp; B", "A &amp; B"),
        ("&lt;b&gt;", "&lt;b&gt;"),
        ("no\xa0break", "no&nbsp;break"),
        ("windows\r\nline\rends", "windows\nline\nends"),
    ],
)
def test_text_with_html_characters_becomes_html_that_displays_the_same(text, expected):
    cleaned = clean_html(text)
    assert cleaned == expected
    assert clean_html(cleaned) == cleaned  # and reading it again changes nothing


@pytest.mark.parametrize(
    "html",
    [
        "<b>bold</b> <i>it</i> <u>u</u> <em>e</em> <strong>s</strong> H<sub>2</sub>O x<sup>2</sup>",
        "<p>one</p><p>two<br>three</p>",
        "<ul><li>a</li></ul><ol><li>b</li></ol>",
        "<table><thead><tr><th>code</th></tr></thead><tbody><tr><td>E11.9</td></tr></tbody></table>",
        '<span class="code">E11.9</span><div class="note">n</div>',
    ],
)
def test_allowed_markup_is_kept(html):
    assert clean_html(html) == html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)</script>safe", "safe"),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>safe", "safe"),
        ("<style>body{display:none}</style>ok", "ok"),
        ('<iframe src="file:///etc/passwd">inside</iframe>ok', "ok"),
        ("<img src=x onerror=alert(1)>", ""),
        ('<b onclick="alert(1)" onmouseover="x">b</b>', "<b>b</b>"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ('<a href="file:///C:/secret.txt">file</a>', "file"),
        ('<a href="https://example.com/track">web</a>', "web"),
        ("<svg onload=alert(1)><script>alert(2)</script></svg>", ""),
        ('<svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>', ""),
        ("<math><mi xlink:href=javascript:alert(1)>x</mi></math>", ""),
        (
            '<div style="background:url(javascript:alert(1))" class="c">d</div>',
            '<div class="c">d</div>',
        ),
        ('<span class="x" style="color:red" id="i" title="t">s</span>', '<span class="x">s</span>'),
        ('<p class="x">p</p>', "<p>p</p>"),
        ('<td background="javascript:alert(1)">c</td>', "c"),
        ("<object data=evil.swf>o</object><embed src=evil.swf>", "o"),
        ('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', ""),
        ('<link rel="stylesheet" href="http://evil.example/x.css">', ""),
        ('<base href="http://evil.example/">', ""),
        ("<form action=javascript:alert(1)><input value=x></form>", ""),
        ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
        ("<<script>script>alert(1)<</script>/script>", "&lt;/script&gt;"),
        ('<b title="t" lang="en" dir="rtl">b</b>', "<b>b</b>"),
        ("<!-- <script>alert(1)</script> -->text", "text"),
        ("<noscript><script>alert(1)</script></noscript>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', ""),
        ("<video><source onerror=alert(1)></video>", ""),
        (
            '<div class="x"><iframe srcdoc="<script>alert(1)</script>"></iframe></div>',
            '<div class="x"></div>',
        ),
    ],
)
def test_hostile_html_is_neutralised(html, expected):
    assert clean_html(html) == expected


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_clean_html_is_idempotent(text):
    once = clean_html(text)
    assert clean_html(once) == once


TAG_RE = re.compile(r"<(/?)([^\s/>]+)([^>]*)>")


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_only_allowed_tags_and_class_attributes_survive(text):
    cleaned = clean_html(text)
    for _closing, name, attrs in TAG_RE.findall(cleaned):
        assert name in ALLOWED_TAGS
        assert attrs in ("", "/") or (
            name in ("span", "div") and re.fullmatch(r' class="[^"<>]*"', attrs)
        )
    for needle in ("<script", "<style", "<iframe", "<svg", "<img", "<a "):
        assert needle not in cleaned.lower()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80).filter(lambda t: not set(t) & set("<>&\r\0\ufeff\xa0")))
def test_text_without_html_characters_is_unchanged(text):
    assert clean_html(text) == text


def test_many_byte_order_marks_after_markup_clean_in_one_call():
    text = "<?>" + "\ufeff" * 6
    assert clean_html(clean_html(text)) == clean_html(text)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_the_reused_cleaner_cleans_like_nh3_clean_with_the_same_rules(text):
    expected = nh3.clean(
        text.lstrip("\ufeff"),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={"*": set(), **{tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()}},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    ).lstrip("\ufeff")
    assert _clean_once(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200).filter(lambda t: not set(_NEEDS_CLEANING) & set(t)))
def test_nh3_itself_leaves_text_without_html_characters_unchanged(text):
    # clean_html skips nh3 for such text; this checks that the skip cannot change a result.
    assert _clean_once(text) == text


def test_exactly_the_listed_characters_send_text_to_nh3():
    from studyapp.core.sanitise import _NEEDS_CLEANING_RE

    found = {chr(c) for c in range(0x110000) if _NEEDS_CLEANING_RE.search(chr(c))}
    assert found == set(_NEEDS_CLEANING)


INLINE_TOKENS = [
    "<b>", "</b>", "<i>", "</i>", "<u>", "</u>", "<em>", "</em>", "<strong>", "</strong>",
    "<sub>", "</sub>", "<sup>", "</sup>", "<B>", "<b >", "<p>", "</p>", "<br>", "<span>",
    "x", "E11.9", " ", "\n", "\t", "'", '"', "=", "/", "é", "<", ">", "&", "\xa0",
]  # fmt: skip
inline_markup = st.lists(st.sampled_from(INLINE_TOKENS), max_size=30).map("".join)
# properly nested inline tags around text, as fields usually have them
nested = st.recursive(
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="<>&\r\0\ufeff\xa0"),
        max_size=8,
    ),
    lambda inner: st.builds(
        lambda tag, parts: f"<{tag}>{''.join(parts)}</{tag}>",
        st.sampled_from(["b", "i", "u", "em", "strong", "sub", "sup"]),
        st.lists(inner, max_size=3),
    ),
    max_leaves=30,
).map(lambda x: x if isinstance(x, str) else "".join(x))


@settings(max_examples=1500, deadline=None)
@given(inline_markup | nested | st.lists(nested, max_size=4).map("".join) | any_text)
def test_text_taken_as_already_clean_is_what_nh3_returns(text):
    if _already_clean(text):
        assert _clean_once(text) == text


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("What is <b>E11.9</b>?", True),
        ("<b><i>x</i> y</b> H<sub>2</sub>O", True),
        ("<b>" * 6 + "deep" + "</b>" * 6, True),
        ("<b>open", False),
        ("<b><i>crossed</b></i>", False),
        ("</b>", False),
        ("<B>upper</B>", False),
        ("<b>a & b</b>", False),
        ("<p>block</p>", False),
    ],
)
def test_already_clean_takes_only_nested_inline_tags(text, clean):
    assert _already_clean(text) is clean
    if clean:
        assert clean_html(text) == text
