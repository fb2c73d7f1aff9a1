"""Respondent pages speak the survey's language, whatever the browser asks for: the Next button
(下一页), and errors found while reading the form (a ranking with a rank given twice)."""

import re

from django.test import Client

from openxm.distribution import services
from openxm.surveys import services as surveys

RANKED = {
    "schema_version": 1,
    "key": "ranked",
    "title": {"en": "Priorities", "zh-Hans": "优先事项"},
    "languages": ["en", "zh-Hans"],
    "default_language": "zh-Hans",
    "pages": [
        {
            "id": "p1",
            "questions": [
                {
                    "id": "order",
                    "type": "ranking",
                    "text": {"en": "Rank these", "zh-Hans": "请排序"},
                    "options": [
                        {"id": "price", "text": {"en": "Price", "zh-Hans": "价格"}},
                        {"id": "speed", "text": {"en": "Speed", "zh-Hans": "速度"}},
                    ],
                }
            ],
        },
        {
            "id": "p2",
            "questions": [{"id": "why", "type": "text", "text": {"en": "Why?", "zh-Hans": "原因？"}}],
        },
    ],
}


def test_chinese_survey_answers_in_chinese_to_an_english_browser(analyst, make_distribution):
    survey = surveys.create_survey(analyst, RANKED)
    surveys.publish_survey(analyst, survey.pk)
    url = services.public_link(make_distribution(survey, "link")).replace("http://localhost:8000", "")
    client = Client()
    html = client.get(url + "?lang=zh-Hans", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">下一页</button>" in html
    state = re.search(r'name="state" value="([^"]+)"', html).group(1)
    bad = client.post(
        url,
        {"state": state, "q_order.price": "1", "q_order.speed": "1", "lang": "zh-Hans"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = bad.content.decode()
    assert "请为每个选项指定 1 到 2 之间互不相同的名次。" in page
    assert "Give every option" not in page
