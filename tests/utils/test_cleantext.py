"""openxm.utils.cleantext: which characters are refused, and how the field is named."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openxm.utils.cleantext import CONTROL, NUL, SURROGATE, find_problem, problem


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
