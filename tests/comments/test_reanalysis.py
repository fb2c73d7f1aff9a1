"""Re-analysis after a taxonomy change: a job that replaces every comment's rows, in chunks, with progress."""

import pytest

from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import AuditEvent
from openxm.comments import jobs, services
from openxm.comments.models import CommentAnalysis, CommentTopic, ReanalysisJob

TEXTS = ["会员积分很实用", "The loyalty points are actually useful", "配送很快", "Prices are too high"]


@pytest.fixture
def comments(survey, record):
    return [record(survey, TEXTS[i % 4], nps=i % 11) for i in range(12)]


def _loyalty_taxonomy(admin):
    current = services.taxonomy(admin).document
    loyalty = {
        "id": "loyalty",
        "label": {"en": "Loyalty", "zh": "会员"},
        "rule": "loyalty OR points OR 积分 OR 会员",
        "description": "",
    }
    return services.save_taxonomy(admin, {**current, "topics": [*current["topics"], loyalty]}, note="loyalty")


def test_reanalysis_after_a_taxonomy_change_replaces_rows_and_reports_progress(
    comments, admin, org_a, monkeypatch
):
    assert not CommentTopic.objects.for_org(org_a).filter(topic="loyalty").exists()
    before = set(CommentAnalysis.objects.for_org(org_a).values_list("pk", flat=True))
    active = _loyalty_taxonomy(admin)
    assert active.version == 1
    assert (
        CommentAnalysis.objects.for_org(org_a).filter(taxonomy_version=0).count() == 12
    )  # until re-analysed

    seen = []
    monkeypatch.setattr(jobs, "CHUNK", 5)
    job = services.start_reanalysis(
        admin, inline=True, progress=lambda j: seen.append((j.done, j.total, j.percent))
    )
    assert seen == [(5, 12, 41), (10, 12, 83), (12, 12, 100)]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent, job.taxonomy_version) == ("done", 12, 12, 100, 1)
    assert job.finished_at >= job.started_at

    rows = CommentAnalysis.objects.for_org(org_a)
    assert rows.count() == 12 and set(rows.values_list("taxonomy_version", flat=True)) == {1}
    assert before.isdisjoint(rows.values_list("pk", flat=True))  # replaced, not duplicated
    assert CommentTopic.objects.for_org(org_a).filter(topic="loyalty").count() == 6
    assert AuditEvent.objects.for_org(org_a).filter(action="text.reanalysis_started").count() == 1
    assert AuditEvent.objects.for_org(org_a).filter(action="taxonomy.saved").count() == 1


def test_background_job_runs_through_dispatch_and_the_page_polls_it(
    comments, admin, org_a, make_member, signed_in
):
    _loyalty_taxonomy(admin)
    client = signed_in(make_member(org_a, "analyst"))
    response = client.post("/comments/reanalyse/", {})
    job = ReanalysisJob.objects.for_org(org_a).get()
    assert response.status_code == 302 and response.url == f"/comments/jobs/{job.pk}/"
    progress = client.get(f"/comments/jobs/{job.pk}/progress/").content.decode()
    assert "100 %" in progress and "12 of 12 comments" in progress
    assert "hx-trigger" not in progress  # finished: no more polling


def test_a_running_job_is_shown_polling_and_a_second_one_is_refused(
    comments, admin, org_a, signed_in, make_member
):
    job = ReanalysisJob.objects.for_org(org_a).create(organization=org_a, status="running", total=12, done=5)
    with pytest.raises(InvalidInput, match="already running"):
        services.start_reanalysis(admin)
    client = signed_in(make_member(org_a, "admin"))
    html = client.get(f"/comments/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in html and "41 %" in html


def test_only_text_configure_may_reanalyse(comments, actor_for):
    from openxm.accounts.actors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_reanalysis(actor_for("agent"))


def test_reanalysis_of_one_survey_leaves_the_others_alone(comments, admin, make_survey, record, org_a):
    other = make_survey(admin, key="other-survey")
    kept = record(other, "配送很快", nps=9)
    kept_analysis = CommentAnalysis.objects.for_org(org_a).get(response=kept)
    _loyalty_taxonomy(admin)
    job = services.start_reanalysis(admin, survey=comments[0].survey.key, inline=True)
    assert job.total == 12
    assert CommentAnalysis.objects.for_org(org_a).get(response=kept).pk == kept_analysis.pk


def test_a_failing_job_is_marked_failed_and_another_may_start(comments, admin, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "analyse_answers", broken)
    job = services.start_reanalysis(admin, inline=True)
    assert job.status == "failed" and "disk full" in job.error and job.finished_at
    monkeypatch.undo()
    assert services.start_reanalysis(admin, inline=True).status == "done"
