"""Steps every browser test shares.

A navigation is awaited with ``page.expect_navigation`` around the action that starts it: waiting
for a URL pattern afterwards can match the page we are still on (``**/`` matches the sign-in page
itself), and the test would race the form post.
"""

from tests.conftest import PASSWORD


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Open the sign-in page and sign in; returns once the next page has loaded."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/accounts/login/" not in page.url, f"sign-in as {email} failed"
