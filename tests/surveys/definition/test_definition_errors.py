"""sort_issues: document order with numeric indexes compared as numbers, whatever the path holds."""

import pytest

from openxm.surveys.definition.errors import Issue, sort_issues


@pytest.mark.parametrize(
    ("paths", "ordered"),
    [
        (
            ["questions[10].id", "questions[2].id", "questions[2]"],
            ["questions[2]", "questions[2].id", "questions[10].id"],
        ),
        # "²" is a digit int() refuses; "٣" (Arabic-Indic three) a decimal it reads.
        (["questions.q²", "questions[٣]", "questions[1]"], ["questions.q²", "questions[1]", "questions[٣]"]),
    ],
)
def test_issues_sort_in_document_order(paths, ordered):
    issues = [Issue(path, "code", "message") for path in paths]
    assert [issue.path for issue in sort_issues(issues)] == ordered
