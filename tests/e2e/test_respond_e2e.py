"""A respondent on a phone, in Chinese, with JavaScript off: answers the first page, leaves, comes
back later on another device through the personal link, and finishes."""

from openxm.accounts import services as accounts
from openxm.distribution import invitations, services
from openxm.distribution.models import Invitation
from openxm.surveys import services as surveys
from openxm.surveys.models import Response

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "java_script_enabled": False,
}


def test_answer_in_chinese_on_a_phone_leave_and_resume(
    transactional_db, browser, live_server, artifacts, settings
):
    settings.OPENXM_PUBLIC_URL = live_server.url
    org = accounts.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")
    actor = accounts.operator_actor(org)
    survey = surveys.create_from_template(actor, "transactional-csat")
    surveys.publish_survey(actor, survey.pk)
    dist = services.create_distribution(actor, survey.pk, "email", name="Purchase CSAT")
    result = services.invite_contacts(
        actor,
        dist.pk,
        [{"id": "c-1001", "name": "李雷", "email": "li.lei@example.com", "language": "zh-Hans"}],
        hidden={"store": "上海静安店"},
    )
    link = invitations.personal_url(Invitation.objects.for_org(org).get(pk=result.invited[0]))

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "上海静安店" in page.locator("legend").first.inner_text()
    assert page.locator("progress").get_attribute("max") == "2"
    # keyboard: focus a scale point and choose it with the space bar
    page.locator('input[name="q_csat"][value="2"]').focus()
    page.keyboard.press("Space")
    page.locator('label.r-pt:has(input[name="q_parts.checkout"][value="3"])').click()
    page.screenshot(path=str(artifacts / "respond-phone-zh-1.png"), full_page=True)
    with page.expect_navigation():
        page.locator("button.r-next").click()
    assert page.locator('input[name="page"]').get_attribute("value") == "details"
    assert "我们最应该先改进哪些方面" in page.content()
    phone.close()  # leaves mid-way

    later = browser.new_context(**PHONE)  # another day, another device: only the link
    page = later.new_page()
    page.set_default_timeout(15_000)
    page.goto(link)
    assert page.locator('input[name="page"]').get_attribute("value") == "details"
    page.locator("a.r-back").click()  # the first page kept its answers
    assert page.locator('input[name="q_csat"][value="2"]').is_checked()
    with page.expect_navigation():
        page.locator("button.r-next").click()
    page.get_by_label("价格").check()
    page.get_by_label("您还有什么想告诉我们的吗？").fill("排队结账时间太长，希望多开几个收银台。")
    page.screenshot(path=str(artifacts / "respond-phone-zh-2.png"), full_page=True)
    with page.expect_navigation():
        page.locator("button.r-next").click()
    assert "感谢您的惠顾" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts / "respond-phone-zh-done.png"), full_page=True)
    later.close()

    response = Response.objects.for_org(org).get()
    assert response.status == "complete" and response.language == "zh-Hans"
    assert response.contact.external_id == "c-1001" and response.channel == "email"
    assert response.answers["csat"] == 2 and response.answers["improve"] == ["price"]
    assert response.hidden["store"] == "上海静安店"
    invitation = Invitation.objects.for_org(org).get()
    assert invitation.status == "completed"
    assert [e.kind for e in invitation.log.all()] == ["queued", "sent", "opened", "started", "completed"]
