"""Partial responses (collect.save_partial) and their completion through record_response."""

import pytest

from openxm.surveys import collect
from openxm.surveys import services as surveys
from openxm.surveys.models import Answer, Response


def _sub(answers, key="p1", **kw):
    return collect.Submission(answers=answers, idempotency_key=key, channel="link", **kw)


def test_partial_then_complete_then_repeat(org_a, csat):
    first = collect.save_partial(org_a, csat, _sub({"csat": 2}), "overall")
    assert first.created and first.response.status == "partial" and first.response.meta["page"] == "overall"
    again = collect.save_partial(org_a, csat, _sub({"csat": 3}), "overall")
    assert (
        not again.created and again.response.pk == first.response.pk and again.response.answers["csat"] == 3
    )
    assert Answer.objects.for_org(org_a).count() == 0
    done = collect.record_response(org_a, csat, _sub({"csat": 3, "comment": "ok"}))
    assert done.created and done.response.pk == first.response.pk and done.response.status == "complete"
    assert (
        "page" not in done.response.meta
        and Answer.objects.for_org(org_a).filter(response=done.response).count() == 2
    )
    repeat = collect.record_response(org_a, csat, _sub({"csat": 1}))
    assert not repeat.created and repeat.response.answers["csat"] == 3
    late = collect.save_partial(org_a, csat, _sub({"csat": 5}), "overall")
    assert not late.created and late.response.status == "complete" and late.response.answers["csat"] == 3
    assert Response.objects.for_org(org_a).count() == 1


def test_partial_is_validated_through_its_page_and_keeps_later_answers(org_a, csat):
    with pytest.raises(collect.InvalidAnswers) as err:
        collect.save_partial(org_a, csat, _sub({"parts": {"checkout": 3}}), "overall")
    assert "csat" in err.value.errors
    assert Response.objects.for_org(org_a).count() == 0
    saved = collect.save_partial(
        org_a, csat, _sub({"csat": 2, "comment": "later page", "repurchase": 99}), "overall"
    )
    assert saved.response.answers == {
        "csat": 2,
        "comment": "later page",
    }  # a malformed later answer is dropped
    with pytest.raises(collect.InvalidInput):
        collect.save_partial(org_a, csat, _sub({"csat": 2}, key=""), "overall")


def test_partial_completes_on_the_version_it_started_with(org_a, analyst, csat):
    collect.save_partial(org_a, csat, _sub({"csat": 4}), "overall")
    draft = csat.draft
    draft["pages"][0]["questions"][3]["text"]["en"] = "Changed wording"
    surveys.save_draft(analyst, csat.pk, draft)
    surveys.publish_survey(analyst, csat.pk)
    csat = surveys.get_survey(analyst, csat.pk)
    done = collect.record_response(org_a, csat, _sub({"csat": 4}))
    assert done.created and done.response.version.number == 1 and csat.current_version.number == 2


def test_closed_survey_still_answers_a_repeat(org_a, analyst, csat):
    stored = collect.record_response(org_a, csat, _sub({"csat": 5}, key="r1"))
    surveys.set_status(analyst, csat.pk, "closed")
    csat = surveys.get_survey(analyst, csat.pk)
    repeat = collect.record_response(org_a, csat, _sub({"csat": 5}, key="r1"))
    assert not repeat.created and repeat.response.pk == stored.response.pk
    with pytest.raises(collect.InvalidInput):
        collect.record_response(org_a, csat, _sub({"csat": 5}, key="r2"))


def test_a_batch_aborted_by_a_deadlock_runs_again(org_a, csat, monkeypatch):
    from django.db import OperationalError

    class Deadlock(Exception):
        sqlstate = "40P01"

    real = collect._record_batch
    calls = []

    def flaky(*args):
        calls.append(1)
        if len(calls) < 3:
            try:
                raise Deadlock("deadlock detected")
            except Deadlock as cause:
                raise OperationalError("deadlock detected") from cause
        return real(*args)

    monkeypatch.setattr(collect, "_record_batch", flaky)
    stored = collect.record_batch(org_a, csat, [_sub({"csat": 4}, key="d1"), _sub({"csat": 5}, key="d2")])
    assert len(calls) == 3 and [r.created for r in stored] == [True, True]

    def broken(*args):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(collect, "_record_batch", broken)
    with pytest.raises(OperationalError):
        collect.record_batch(org_a, csat, [_sub({"csat": 4}, key="d3")])
