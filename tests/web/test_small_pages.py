"""Addresses a browser or a bookmark asks for: the icon, and the codebook without a survey."""


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/openxm/favicon.svg")


def test_codebook_without_a_survey_goes_to_the_browser_with_a_hint(org_a, make_member, signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    response = client.get("/responses/codebook/", follow=True)
    assert response.redirect_chain == [("/responses/", 302)]
    assert "Choose a survey in the filters to download its codebook." in response.content.decode()
