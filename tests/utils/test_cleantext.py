"""openxm.utils.cleantext: which characters are refused, and how the field is named."""

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from openxm.utils.cleantext import CONTROL, NUL, SURROGATE, find_problem, json_text_clean, problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("plain 中文 text\twith\nlines\r\n", None),
        ("emoji 😀 is a surrogate pair in UTF-16, not here", None),
        ("a\x00b", NUL),
        ("\ud800", SURROGATE),
        ("x\udfffy", SURROGATE),
        ("bell\x07", CONTROL),
        ("del\x7f", CONTROL),
        ("form\x0cfeed", CONTROL),
    ],
)
def test_problem(text, expected):
    assert problem(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"answers": {"csat": 4, "comment": "ok"}}, None),
        ({"answers": {"comment": "a\x00b"}}, ("answers.comment", NUL)),
        ({"hidden": {"\ud800": "x"}}, ("hidden", SURROGATE)),
        ({"tags": ["ok", "b\x01"]}, ("tags", CONTROL)),
        ({"a\x00b": 1}, ("ab", NUL)),
        (["\x00"], ("", NUL)),
        (42, None),
    ],
)
def test_find_problem_names_the_field(value, expected):
    assert find_problem(value) == expected


@given(
    st.recursive(st.text() | st.integers() | st.none(), lambda c: st.lists(c) | st.dictionaries(st.text(), c))
)
def test_find_problem_agrees_with_the_characters(value):
    def strings(v):
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            for k, x in v.items():
                yield k
                yield from strings(x)
        elif isinstance(v, list):
            for x in v:
                yield from strings(x)

    bad = any(problem(s) for s in strings(value))
    assert (find_problem(value) is not None) == bad


# Any character, lone surrogates and control characters included.
_any_text = st.text(st.characters(exclude_categories=()) | st.sampled_from("\x00\x07\x7f\ud800\udfff"))
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_any_text, inner, max_size=4),
    max_leaves=12,
)


@given(_json_values, st.booleans())
@example({"k": ["\ud83d", 1]}, True)
@example({"\x1f": None}, True)
def test_json_text_clean_never_passes_a_document_with_bad_text(value, ascii_only):
    # The request layer skips parsing a body this calls clean: it must never miss a bad string.
    text = json.dumps(value, ensure_ascii=ascii_only)
    if json_text_clean(text):
        assert find_problem(value) is None


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ('{"a": "plain 中文", "b": [1, "\\n"]}', True),
        ('{"a": "\\u4e2d\\u6587"}', True),
        ('{"a": "\\u0000"}', False),
        ('{"a": "\\u001F"}', False),
        ('{"a": "\\u007f"}', False),
        ('{"\\uDC00": 1}', False),
        ('{"a": "bell\x07"}', False),
        ('{"a": "back\\bspace"}', False),
        ('{"a": "form\\ffeed"}', False),
    ],
)
def test_json_text_clean(text, clean):
    assert json_text_clean(text) is clean
