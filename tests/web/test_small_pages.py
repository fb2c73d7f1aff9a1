"""Addresses a browser or a bookmark asks for: the icon, and the codebook without a survey."""


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/openxm/favicon.svg")


def test_codebook_without_a_survey_goes_to_the_browser_with_a_hint(org_a, make_member, signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    response = client.get("/responses/codebook/", follow=True)
    assert response.redirect_chain == [("/responses/", 302)]
    assert "Choose a survey in the filters to download its codebook." in response.content.decode()


def test_home_leads_with_customers_not_settings(org_a, make_member, signed_in):
    page = signed_in(make_member(org_a, "viewer")).get("/").content.decode()
    assert page.count('class="card widget') == 3 and ">NPS<" in page and ">CES<" in page
    assert "Newest negative comments" not in page  # viewers do not read responses
    analyst = signed_in(make_member(org_a, "analyst")).get("/").content.decode()
    assert "Newest negative comments" in analyst and "No negative comments analysed yet." in analyst
    assert "/surveys/templates/" in analyst and "/surveys/templates/" not in page  # who may design
