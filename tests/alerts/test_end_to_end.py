"""The issue's "Done means": the YAML applied from the command line, an NPS 2 response posted
through the API, one correctly signed Standard Webhooks request at a local receiver."""

import json

from openxm.alerts.formats import verify_standard
from openxm.cli import main

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
YAML = """\
webhooks:
  - key: cx-team
    format: standard          # standard | slack | feishu | dingtalk | wecom
    url: {url}
    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
rules:
  - key: detractors
    name: Detractors
    when: {{score: nps, op: lte, value: 6}}
    actions:
      - webhook: cx-team
"""


def test_yaml_rule_and_an_api_response_deliver_one_signed_webhook(
    org_a, nps_survey, make_key, api, receiver, tmp_path, capsys, django_capture_on_commit_callbacks
):
    hook = receiver()
    path = tmp_path / "alerts.yaml"
    path.write_text(YAML.format(url=hook.url))
    assert main(["alerts", "apply", str(path), "--org", org_a.slug]) == 0
    assert "create\twebhook\tcx-team" in capsys.readouterr().out

    caller = api(make_key(org_a, "admin"))
    answers = {"nps": 2, "reason_detractor": "送货太慢了，客服态度也很差，我要退款"}
    for score, key in ((2, "r-1"), (9, "r-2")):
        with django_capture_on_commit_callbacks(execute=True):
            out = caller.post(
                f"/surveys/{nps_survey.key}/responses",
                {"answers": {**answers, "nps": score}, "idempotency_key": key},
            )
        assert out.status_code == 201, out.content
        if score == 2:
            response_id = out.json()["responses"][0]["id"]

    assert len(hook.requests) == 1  # the promoter did not fire
    request = hook.requests[0]
    assert verify_standard(
        SECRET, request["headers"], request["body"], int(request["headers"]["webhook-timestamp"])
    )
    assert request["headers"]["webhook-id"].startswith("msg_")
    event = json.loads(request["body"])
    assert event["type"] == "alert.fired"
    assert event["data"]["response"]["id"] == response_id
    assert event["data"]["rule"] == {"key": "detractors", "name": "Detractors"}
    assert event["data"]["scores"]["nps"] == 2
    assert event["data"]["comment"].startswith("送货太慢了")

    # The same submission again (a client retry) fires nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = caller.post(
            f"/surveys/{nps_survey.key}/responses", {"answers": answers, "idempotency_key": "r-1"}
        )
    assert again.status_code == 200
    assert len(hook.requests) == 1
